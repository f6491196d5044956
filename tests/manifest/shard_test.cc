#include "manifest/shard.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>

#include "scan/walk.h"
#include "test_support.h"

namespace treeprint {
namespace {

using testing::TempDir;

TEST(Shard, ShardsPartitionEveryEntryAndAreStable) {
  TempDir tree;
  for (int i = 0; i < 200; ++i) tree.write("d/f" + std::to_string(i), std::to_string(i));
  tree.symlink("d/f1", "link");
  ::mkfifo((tree / "fifo").c_str(), 0644);
  RealFileSystem fs;
  std::vector<std::string> all;
  size_t links = 0, skipped = 0;
  for (uint32_t i = 1; i <= 3; ++i) {
    WalkOptions o;
    o.shard = ShardFilter{i, 3};
    Manifest m;
    ASSERT_TRUE(walk_tree(fs, tree.path(), o, &m));
    EXPECT_GT(m.files.size(), 40u);  // balanced enough
    for (const FileEntry* f : m.files) {
      EXPECT_EQ(shard_of(f->path, 3), i);
      all.emplace_back(f->path);
    }
    links += m.symlinks.size();
    skipped += m.skipped.size();
  }
  EXPECT_EQ(all.size(), 200u);
  EXPECT_EQ(links, 1u);
  EXPECT_EQ(skipped, 1u);
  std::sort(all.begin(), all.end());
  EXPECT_EQ(std::unique(all.begin(), all.end()), all.end());
  // The assignment is part of the format: pinned values, so a change to the hash cannot pass unnoticed.
  EXPECT_EQ(shard_of("", 7), 0xcbf29ce484222325ull % 7 + 1);
  EXPECT_EQ(shard_of("a", 1000), 0xaf63dc4c8601ec8cull % 1000 + 1);
}

}  // namespace
}  // namespace treeprint
