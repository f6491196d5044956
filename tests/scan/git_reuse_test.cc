#include "scan/git_reuse.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "app/scan_command.h"
#include "git/git_repo.h"
#include "git/repository.h"
#include "manifest/json_writer.h"
#include "manifest/manifest.h"
#include "scan/git_tree.h"
#include "scan/stat_cache.h"
#include "scan/walk.h"
#include "test_support.h"
#include "util/format.h"
#include "util/sha256.h"

namespace treeprint {
namespace {

using git::testing::GitRepo;

std::unique_ptr<GitTree> open_tree(const std::string& dir) {
  auto found = git::discover_repository(dir);
  EXPECT_TRUE(found.ok()) << found.error();
  if (!found.ok() || !*found) return nullptr;
  auto tree = GitTree::open(std::move(**found), "", GitTree::Options{}, nullptr);
  EXPECT_TRUE(tree.ok()) << tree.error();
  return tree.ok() ? std::move(*tree) : nullptr;
}

void settle(const GitRepo& repo) {
  repo.sh("find . -path ./.git -prune -o -exec touch -h -d @1600000000 {} + && git update-index -q --refresh || true");
}

// Three committed files: a.txt, b.txt, sub/c.txt.
void make_repo(GitRepo& repo) {
  repo.init();
  repo.write("a.txt", "alpha\n");
  repo.write("b.txt", "bravo\n");
  repo.write("sub/c.txt", "charlie\n");
  repo.git("add -A && git commit -q -m base");
  settle(repo);
}

// A baseline entry as an earlier scan recorded it: `blob_from` is the index path whose blob id it carries.
void add_entry(Manifest& m, const GitTree& tree, const std::string& path, const std::string& blob_from,
               uint64_t size, const std::string& content) {
  FileEntry* f = m.table.add(path);
  f->size = size;
  f->sha256 = Sha256::of(content);
  const auto at = tree.index().find(blob_from);
  ASSERT_TRUE(at.has_value()) << blob_from;
  m.table.set_git_blob(f, tree.index().entry(*at).id.bytes());
  m.files.push_back(f);
}

GitSummary summary_of(const GitTree& tree) {
  GitSummary g;
  g.object_format = "sha1";
  g.conversion = tree.conversion_digest();
  return g;
}

size_t position(const GitTree& tree, const std::string& path) { return *tree.index().find(path); }

TEST(GitReuse, KeepsABaselineEntryOnlyWhereItsBlobIsTheIndexEntrys) {
  GitRepo repo;
  make_repo(repo);
  auto tree = open_tree(repo.root());
  ASSERT_NE(tree, nullptr);
  ASSERT_FALSE(tree->conversion_digest().empty());
  Manifest before;
  before.git = summary_of(*tree);
  add_entry(before, *tree, "a.txt", "a.txt", 6, "alpha\n");
  add_entry(before, *tree, "b.txt", "a.txt", 6, "bravo\n");  // another blob than the index has for b.txt
  add_entry(before, *tree, "gone.txt", "a.txt", 6, "alpha\n");  // not in the index
  add_entry(before, *tree, "sub/c.txt", "sub/c.txt", 8, "charlie\n");
  auto reuse = GitReuse::from(before, *tree);
  ASSERT_NE(reuse, nullptr);
  EXPECT_TRUE(reuse->matches(&tree->index()));
  EXPECT_EQ(reuse->size(), 2u);
  const Digest* a = reuse->find(position(*tree, "a.txt"), 6);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(*a, Sha256::of("alpha\n"));
  EXPECT_EQ(reuse->find(position(*tree, "a.txt"), 7), nullptr);  // the size is a second guard
  EXPECT_EQ(reuse->find(position(*tree, "b.txt"), 6), nullptr);
  const Digest* c = reuse->find(position(*tree, "sub/c.txt"), 8);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(*c, Sha256::of("charlie\n"));
  EXPECT_EQ(reuse->find(tree->index().size(), 6), nullptr);
}

TEST(GitReuse, NothingWithoutTheBaselinesConversionDigest) {
  GitRepo repo;
  make_repo(repo);
  auto tree = open_tree(repo.root());
  ASSERT_NE(tree, nullptr);
  Manifest before;
  add_entry(before, *tree, "a.txt", "a.txt", 6, "alpha\n");
  EXPECT_EQ(GitReuse::from(before, *tree), nullptr);  // no git summary
  before.git = summary_of(*tree);
  before.git->conversion.clear();
  EXPECT_EQ(GitReuse::from(before, *tree), nullptr);
}

// Entries out of order (a caller feeding them another way) are found all the same, and a scan of a directory below
// the work tree's root matches its paths (relative to it) with the index's (relative to the root).
TEST(GitReuse, OutOfOrderEntriesAndADirectoryBelowTheRoot) {
  GitRepo repo;
  make_repo(repo);
  repo.write("sub/d.txt", "delta\n");
  repo.git("add -A && git commit -q -m more");
  settle(repo);
  auto tree = open_tree(repo.root() + "/sub");
  ASSERT_NE(tree, nullptr);
  ASSERT_EQ(tree->repository().prefix, "sub");
  GitReuse reuse(*tree, tree->conversion_digest(), "sha1");
  Manifest scratch;
  for (const char* path : {"d.txt", "c.txt"}) {
    FileEntry* f = scratch.table.add(path);
    f->size = 6;
    f->sha256 = Sha256::of(path);
    scratch.table.set_git_blob(f, tree->index().entry(position(*tree, std::string("sub/") + path)).id.bytes());
    reuse.add(*f);
  }
  EXPECT_EQ(reuse.size(), 2u);
  ASSERT_NE(reuse.find(position(*tree, "sub/c.txt"), 6), nullptr);
  EXPECT_EQ(*reuse.find(position(*tree, "sub/c.txt"), 6), Sha256::of("c.txt"));
  EXPECT_EQ(*reuse.find(position(*tree, "sub/d.txt"), 6), Sha256::of("d.txt"));
}

// One load of a baseline that has a stat file serves both the stat cache (which then holds the manifest) and the
// git fast path (which keeps its own digests, so it stays valid wherever the manifest goes); without a stat file the
// manifest is read through and only the git digests are kept.
TEST(GitReuse, OneLoadServesTheStatCacheAndTheGitFastPath) {
  GitRepo repo;
  make_repo(repo);
  auto tree = open_tree(repo.root());
  ASSERT_NE(tree, nullptr);
  WalkOptions o;
  o.threads = 2;
  o.git = tree.get();
  GitWalkReport report;
  o.git_report = &report;
  StatHeader header;
  header.racy_after_ns = INT64_MAX;
  o.root_dev = &header.root_dev;
  Manifest m;
  RealFileSystem fs;
  ASSERT_TRUE(walk_tree(fs, repo.root(), o, &m).ok());
  m.git = summary_of(*tree);
  ASSERT_EQ(report.vouched, 3u);
  const Digest root = root_digest(m);
  std::string text;
  write_manifest_json(m, root, "t", [&](std::string_view s) { text.append(s); });
  treeprint::testing::TempDir out;
  out.write("m.json", text);

  LoadedStatCache without = load_stat_cache(out.path() + "/m.json", tree.get());
  EXPECT_EQ(without.cache, nullptr);
  EXPECT_FALSE(without.warning) << without.note;
  ASSERT_NE(without.git_reuse, nullptr);
  EXPECT_EQ(without.git_reuse->size(), 3u);

  out.write("m.json.stat", encode_stat_file(root, header, m));
  LoadedStatCache both = load_stat_cache(out.path() + "/m.json", tree.get());
  ASSERT_NE(both.cache, nullptr) << both.note;
  ASSERT_NE(both.git_reuse, nullptr);
  EXPECT_EQ(both.cache->size(), 3u);
  EXPECT_EQ(both.git_reuse->size(), 3u);
  const Digest* b = both.git_reuse->find(position(*tree, "b.txt"), 6);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(*b, Sha256::of("bravo\n"));
  // The cache's manifest is the one load: a git digest is the same bytes as its entry there.
  const Manifest& held = both.cache->manifest();
  const auto it = std::find_if(held.files.begin(), held.files.end(), [](const FileEntry* f) { return f->path == "b.txt"; });
  ASSERT_NE(it, held.files.end());
  EXPECT_EQ((*it)->sha256, *b);
  // The git digests outlive the cache and its manifest.
  both.cache.reset();
  EXPECT_EQ(*both.git_reuse->find(position(*tree, "a.txt"), 6), Sha256::of("alpha\n"));

  LoadedStatCache no_git = load_stat_cache(out.path() + "/m.json");
  EXPECT_NE(no_git.cache, nullptr);
  EXPECT_EQ(no_git.git_reuse, nullptr);
}

}  // namespace
}  // namespace treeprint
