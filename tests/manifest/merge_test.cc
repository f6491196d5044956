#include "manifest/merge.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "manifest/manifest.h"
#include "manifest/shard.h"
#include "util/sha256.h"

namespace treeprint {
namespace {

using ::testing::HasSubstr;

// The whole tree: 40 files, a symlink and an error, split by shard_of as `scan --shard` splits it.
std::vector<std::string> all_paths() {
  std::vector<std::string> paths;
  for (int i = 0; i < 40; ++i) paths.push_back("d" + std::to_string(i % 4) + "/f" + std::to_string(i));
  return paths;
}

ShardPart part_of(uint32_t index, uint32_t count, const std::string& version = "1.0") {
  ShardPart p;
  p.name = "part" + std::to_string(index) + ".json";
  p.header.shard = ShardSpec{index, count};
  p.header.tool_version = version;
  for (const std::string& path : all_paths()) {
    if (shard_of(path, count) != index) continue;
    FileEntry* e = p.manifest.table.add(path);
    e->size = path.size();
    e->sha256 = Sha256::of(path);
    p.manifest.files.push_back(e);
    p.manifest.total_bytes += e->size;
  }
  if (shard_of("link", count) == index) p.manifest.symlinks.push_back({"link", "d0/f0", ""});
  if (shard_of("bad", count) == index) p.manifest.errors.push_back({"bad", "cannot open: EACCES"});
  return p;
}

Manifest whole_tree() {
  ShardPart p = part_of(1, 1);
  return std::move(p.manifest);
}

TEST(Merge, PartsInAnyOrderGiveTheWholeTree) {
  std::vector<ShardPart> parts;
  for (uint32_t i : {3u, 1u, 2u}) parts.push_back(part_of(i, 3));
  auto merged = merge_shards(std::move(parts));
  ASSERT_TRUE(merged) << merged.error();
  const Manifest whole = whole_tree();
  ASSERT_EQ(merged->manifest.files.size(), 40u);
  EXPECT_EQ(merged->shard_count, 3u);
  EXPECT_EQ(merged->tool_version, "1.0");
  EXPECT_EQ(merged->manifest.total_bytes, whole.total_bytes);
  EXPECT_EQ(merged->manifest.symlinks.size(), 1u);
  EXPECT_EQ(merged->manifest.errors.size(), 1u);
  // Sorted canonically, so the root digest is the unsharded tree's.
  Manifest sorted = whole_tree();
  std::sort(sorted.files.begin(), sorted.files.end(), [](auto* a, auto* b) { return a->path < b->path; });
  EXPECT_EQ(root_digest(merged->manifest), root_digest(sorted));
  for (size_t i = 1; i < merged->manifest.files.size(); ++i) {
    EXPECT_LT(merged->manifest.files[i - 1]->path, merged->manifest.files[i]->path);
  }
}

TEST(Merge, RefusesPartsThatDoNotMakeOneTree) {
  auto fails = [](std::vector<ShardPart> parts) {
    auto r = merge_shards(std::move(parts));
    EXPECT_FALSE(r);
    return r ? std::string() : r.error();
  };
  {
    std::vector<ShardPart> p;
    p.push_back(part_of(1, 3));
    p.push_back(part_of(3, 3));
    EXPECT_THAT(fails(std::move(p)), HasSubstr("shard(s) 2 of 3 missing"));
  }
  {
    std::vector<ShardPart> p;
    p.push_back(part_of(1, 2));
    p.push_back(part_of(1, 2));
    EXPECT_THAT(fails(std::move(p)), HasSubstr("are both shard 1"));
  }
  {
    std::vector<ShardPart> p;
    p.push_back(part_of(1, 2));
    p.push_back(part_of(2, 3));
    EXPECT_THAT(fails(std::move(p)), HasSubstr("is shard 2 of 3, but part1.json is one of 2"));
  }
  {
    std::vector<ShardPart> p;
    p.push_back(part_of(1, 2));
    p.push_back(part_of(2, 2, "2.0"));
    EXPECT_THAT(fails(std::move(p)), HasSubstr("scan every shard with the same version"));
  }
  {
    std::vector<ShardPart> p;
    p.push_back(part_of(1, 2));
    p.push_back(part_of(2, 2));
    p.back().header.shard.reset();
    EXPECT_THAT(fails(std::move(p)), HasSubstr("is not a shard"));
  }
  {
    // A part whose entries belong to another shard (parts of different scans).
    std::vector<ShardPart> p;
    p.push_back(part_of(1, 2));
    p.push_back(part_of(2, 2));
    p.back().header.shard = ShardSpec{1, 2};
    p.front().header.shard = ShardSpec{2, 2};
    EXPECT_THAT(fails(std::move(p)), HasSubstr("does not belong to shard 2 of 2"));
  }
  EXPECT_THAT(fails({}), HasSubstr("nothing to merge"));
}

}  // namespace
}  // namespace treeprint
