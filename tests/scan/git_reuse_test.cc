#include "scan/git_reuse.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <set>
#include <thread>
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

// --- A baseline still loading while the tree is listed ---------------------------------------------------------

// A baseline whose loader starts only when the walk says it has listed the whole tree (WalkOptions::on_deferred), so
// that every file whose lstat leaves it to the baseline is set aside first, whatever the threads do. Were the walk to
// wait for the baseline before that, the wait releases the loader (no deadlock) and says so: waited_early().
class SlowBaseline {
 public:
  SlowBaseline(const Manifest& before, const GitTree& tree)
      : m_loader([this, &before, &tree] {
          {
            std::unique_lock lock(m_mu);
            m_cv.wait(lock, [&] { return m_released; });
          }
          m_reuse = GitReuse::from(before, tree);
          m_ready.store(true);
        }) {}
  ~SlowBaseline() { release(); }
  SlowBaseline(const SlowBaseline&) = delete;
  SlowBaseline& operator=(const SlowBaseline&) = delete;

  /// Wires the walk to this baseline, as the scan command does (a stat cache source too, which has nothing).
  /// `when_listed` runs when the walk has listed the tree, before the loader is released.
  void wire(WalkOptions& o, std::function<void()> when_listed = {}) {
    o.baseline_ready = [this] { return m_ready.load(); };
    o.git_reuse = [this] {
      wait();
      return m_reuse.get();
    };
    o.stat_cache = [this]() -> const StatCache* {
      wait();
      return nullptr;
    };
    o.on_deferred = [this, when_listed](size_t n) {
      m_deferred = n;
      m_listed = true;
      if (when_listed) when_listed();
      release();
    };
  }
  bool waited_early() const { return m_waited_early; }
  size_t deferred() const { return m_deferred; }

 private:
  void release() {
    std::lock_guard lock(m_mu);
    m_released = true;
    m_cv.notify_all();
  }
  void wait() {
    if (!m_listed) m_waited_early = true;
    release();
    std::call_once(m_joined, [&] { m_loader.join(); });
  }

  std::mutex m_mu;
  std::condition_variable m_cv;
  bool m_released = false;
  std::atomic<bool> m_ready{false};
  std::atomic<bool> m_listed{false};
  std::atomic<bool> m_waited_early{false};
  size_t m_deferred = 0;
  std::unique_ptr<GitReuse> m_reuse;
  std::once_flag m_joined;
  std::jthread m_loader;  // last: started once the rest is there
};

struct Walked {
  Manifest manifest;
  GitWalkReport report;
  std::string json;
};

// A git walk of `tree`'s work tree with `wire` setting its baseline sources; the manifest, and its JSON as written.
std::unique_ptr<Walked> walk_git(const GitTree& tree, const std::function<void(WalkOptions&)>& wire,
                                 unsigned threads = 2, FileSystem* fs = nullptr) {
  auto w = std::make_unique<Walked>();
  WalkOptions o;
  o.threads = threads;
  o.git = &tree;
  o.git_report = &w->report;
  if (wire) wire(o);
  RealFileSystem real;
  EXPECT_TRUE(walk_tree(fs != nullptr ? *fs : real, tree.repository().work_tree, o, &w->manifest).ok());
  w->manifest.git = summary_of(tree);
  write_manifest_json(w->manifest, root_digest(w->manifest), "t", [&](std::string_view s) { w->json.append(s); });
  return w;
}

const FileEntry* entry_of(const Manifest& m, std::string_view path) {
  for (const FileEntry* f : m.files) {
    if (f->path == path) return f;
  }
  return nullptr;
}

// settle() for the tests below: every file old, and the index's stat data recorded afresh for every clean file
// (git compares ctimes to the second, this reader to the nanosecond: a refresh alone may leave a ctime changed
// within the same second as it was).
void settle_afresh(const GitRepo& repo) {
  repo.sh(
      "find . -path ./.git -prune -o -exec touch -h -d @1600000000 {} + && git read-tree HEAD && "
      "git update-index -q --refresh || true");
}

std::string sha256sum(const GitRepo& repo, const std::string& rel) { return repo.sh("sha256sum " + rel).substr(0, 64); }

// The baseline of a first scan of `repo` (every file hashed), with the git summary the scan command gives it.
Manifest baseline_of(const GitRepo& repo) {
  auto tree = open_tree(repo.root());
  EXPECT_NE(tree, nullptr);
  Manifest before;
  WalkOptions o;
  o.threads = 2;
  o.git = tree.get();
  RealFileSystem fs;
  EXPECT_TRUE(walk_tree(fs, repo.root(), o, &before).ok());
  before.git = summary_of(*tree);
  return before;
}

// Files set aside while the baseline loads are settled as the walk would have settled them with the baseline at
// hand: the same manifest, byte for byte, as with the baseline ready from the start and as a full scan; the same
// count reused. Hits (reused), misses (another blob, another size), a conversion that keeps a same-blob same-size
// digest from being reused, dirty and untracked files, and directories of more than one batch.
TEST(GitReuseDeferred, SetAsideWhileTheBaselineLoadsSettledAsIfItWereReady) {
  GitRepo repo;
  repo.init();
  repo.git("config filter.up.smudge 'tr a-z A-Z' && git config filter.up.clean 'tr A-Z a-z'");
  repo.write(".gitattributes", "*.crlf eol=crlf\n*.id ident\nup.txt filter=up\n");
  repo.write("a.txt", "alpha\n");
  repo.write("b.txt", "bravo\n");
  repo.write("sub/c.txt", "charlie\n");
  repo.write("sub/deep/d.txt", "delta\n");
  repo.write("dirty.txt", "as committed\n");
  repo.write("e.crlf", "one\ntwo\n");
  repo.write("f.id", "$Id$\n");
  repo.write("up.txt", "hello\n");  // written by hand: what the clean filter makes of it, not what a checkout writes
  repo.write("sub2/w.txt", "w\n");
  for (int i = 0; i < 40; ++i) repo.write("bulk/" + std::to_string(i) + ".txt", "bulk " + std::to_string(i) + "\n");
  repo.git("add -A && git commit -q -m base");
  settle_afresh(repo);
  Manifest before = baseline_of(repo);
  // The baseline's sub/c.txt has the blob the index has, but another size.
  for (const FileEntry*& f : before.files) {
    if (f->path == "sub/c.txt") {
      FileEntry* changed = before.table.add(*f);
      changed->size += 1;
      f = changed;
    }
  }
  // Checked out now: the same blobs, other bytes (up.txt: the same size too).
  repo.sh("rm e.crlf f.id up.txt && git checkout -- e.crlf f.id up.txt");
  // Rules the conversion digest is not made from (an untracked .gitattributes): no fast path below it.
  repo.write("sub2/.gitattributes", "w.txt filter=up\n");
  repo.sh("rm sub2/w.txt && git checkout -- sub2/w.txt");
  repo.write("b.txt", "bravo, committed again\n");  // another blob
  repo.git("commit -q -am again");
  repo.write("dirty.txt", "edited, not committed\n");
  repo.write("untracked.txt", "new\n");
  settle_afresh(repo);
  ASSERT_EQ(repo.sh("cat up.txt"), "HELLO\n");
  ASSERT_EQ(repo.sh("cat sub2/w.txt"), "W\n");

  auto tree = open_tree(repo.root());
  ASSERT_NE(tree, nullptr);
  ASSERT_EQ(tree->conversion_digest(), before.git->conversion);
  const auto full = walk_git(*tree, nullptr);
  auto ready_reuse = GitReuse::from(before, *tree);
  ASSERT_NE(ready_reuse, nullptr);
  const auto ready = walk_git(*tree, [&](WalkOptions& o) {
    o.git_reuse = [&] { return ready_reuse.get(); };
    o.stat_cache = []() -> const StatCache* { return nullptr; };
  });
  SlowBaseline slow_baseline(before, *tree);
  // What the walk touches once the tree is listed: the files it hashes and their directories, nothing else.
  treeprint::testing::FaultFileSystem watched;
  std::atomic<bool> listed{false};
  std::mutex touched_mu;
  std::set<std::string> touched;
  const auto touch = [&](const char* kind, const char* name) {
    if (!listed) return;
    std::lock_guard lock(touched_mu);
    touched.insert(std::string(kind) + name);
  };
  watched.on_stat_at = [&](const char* name) { touch("", name); };
  watched.on_open_file = [&](const char* name) -> std::optional<int> {
    touch("", name);
    return std::nullopt;
  };
  watched.on_open_dir = [&](const char* name) -> std::optional<int> {
    touch("dir ", name);
    return std::nullopt;
  };
  const auto slow = walk_git(
      *tree, [&](WalkOptions& o) { slow_baseline.wire(o, [&] { listed = true; }); }, 2, &watched);

  EXPECT_FALSE(slow_baseline.waited_early());
  EXPECT_EQ(slow_baseline.deferred(), full->manifest.files.size());  // every file waited for the baseline
  EXPECT_EQ(slow->json, full->json);
  EXPECT_EQ(slow->json, ready->json);
  EXPECT_TRUE(slow->manifest.errors.empty());
  EXPECT_EQ(touched, (std::set<std::string>{"dir .", "dir sub", "dir sub2", "b.txt", "c.txt", "dirty.txt", "e.crlf",
                                            "f.id", "untracked.txt", "up.txt", ".gitattributes", "w.txt"}));
  // Reused: every clean tracked file but b.txt and sub/c.txt (misses), the three a conversion applies to, and the
  // one below an untracked .gitattributes.
  const uint64_t tracked_clean = full->report.vouched;
  EXPECT_EQ(tracked_clean, 49u);  // 50 tracked, dirty.txt not vouched for
  EXPECT_EQ(ready->report.reused, tracked_clean - 6);
  EXPECT_EQ(slow->report.reused, ready->report.reused);
  EXPECT_EQ(slow->report.vouched, full->report.vouched);
  EXPECT_EQ(slow->report.modified, full->report.modified);
  for (const char* path :
       {"up.txt", "e.crlf", "f.id", "sub2/w.txt", "b.txt", "sub/c.txt", "dirty.txt", "untracked.txt", "a.txt"}) {
    const FileEntry* f = entry_of(slow->manifest, path);
    ASSERT_NE(f, nullptr) << path;
    EXPECT_EQ(to_hex(f->sha256), sha256sum(repo, path)) << path;
  }
  EXPECT_NE(entry_of(slow->manifest, "b.txt")->git_blob_size, 0u);  // a miss hashed keeps its blob id
  EXPECT_EQ(entry_of(slow->manifest, "dirty.txt")->git_blob_size, 0u);
}

// The baseline ready part way through the listing: the files met before wait, the later ones take it at once.
TEST(GitReuseDeferred, BaselineReadyPartWayThroughTheListing) {
  GitRepo repo;
  repo.init();
  for (int i = 0; i < 40; ++i) repo.write(std::to_string(i) + ".txt", "file " + std::to_string(i) + "\n");
  repo.write("sub/x.txt", "x\n");
  repo.git("add -A && git commit -q -m base");
  settle_afresh(repo);
  const Manifest before = baseline_of(repo);
  repo.write("7.txt", "another blob\n");
  repo.write("sub/x.txt", "another blob\n");
  repo.git("commit -q -am again");
  settle_afresh(repo);
  auto tree = open_tree(repo.root());
  ASSERT_NE(tree, nullptr);
  auto reuse = GitReuse::from(before, *tree);
  ASSERT_NE(reuse, nullptr);
  const auto full = walk_git(*tree, nullptr, 1);
  std::atomic<int> asked{0};
  size_t deferred = 0;
  const auto part = walk_git(
      *tree,
      [&](WalkOptions& o) {
        o.git_reuse = [&] { return reuse.get(); };
        o.baseline_ready = [&] { return asked++ > 0; };  // not yet for the first batch, then ready
        o.on_deferred = [&](size_t n) { deferred = n; };
      },
      1);
  EXPECT_GE(deferred, 1u);
  EXPECT_LT(deferred, full->manifest.files.size());
  EXPECT_EQ(part->json, full->json);
  EXPECT_EQ(part->report.reused, full->manifest.files.size() - 2);  // all but 7.txt and sub/x.txt
}

// A directory whose files wait to be hashed is opened again from the root, following no symlink, and only the one
// listed is read: replaced by a symlink to elsewhere or by another directory (with the same file in it), its files
// are errors, and nothing there is hashed.
class GitReuseReplaced : public ::testing::TestWithParam<bool> {};

TEST_P(GitReuseReplaced, DirectoryReplacedBeforeItsFilesAreHashedIsNotRead) {
  const bool by_symlink = GetParam();
  GitRepo repo;
  repo.init();
  repo.write("top.txt", "top\n");
  repo.write("sub/x.txt", "x\n");
  repo.write("sub/y.txt", "y\n");
  repo.write("sub/deeper/z.txt", "z\n");
  repo.git("add -A && git commit -q -m base");
  settle_afresh(repo);
  const Manifest before = baseline_of(repo);
  repo.write("sub/x.txt", "x, another blob\n");
  repo.write("sub/deeper/z.txt", "z, another blob\n");
  repo.write("top.txt", "top, another blob\n");
  repo.git("commit -q -am again");
  settle_afresh(repo);
  const std::string elsewhere = repo.dir().path() + "/elsewhere";
  repo.sh("mkdir -p " + elsewhere + "/deeper && echo outside > " + elsewhere + "/x.txt && echo outside > " + elsewhere +
          "/deeper/z.txt");
  auto tree = open_tree(repo.root());
  ASSERT_NE(tree, nullptr);
  SlowBaseline baseline(before, *tree);
  const auto scanned = walk_git(*tree, [&](WalkOptions& o) {
    baseline.wire(o, [&] {
      if (by_symlink) {
        repo.sh("mv sub sub.listed && ln -s " + elsewhere + " sub");
      } else {
        repo.sh(
            "mv sub sub.listed && mkdir -p sub/deeper && cp sub.listed/x.txt sub/ && cp sub.listed/deeper/z.txt "
            "sub/deeper/");
      }
    });
  });
  EXPECT_FALSE(baseline.waited_early());
  ASSERT_GT(baseline.deferred(), 0u);
  const Manifest& m = scanned->manifest;
  for (const char* path : {"sub/x.txt", "sub/deeper/z.txt"}) {
    EXPECT_EQ(entry_of(m, path), nullptr) << path << " was read after its directory was replaced";
    const auto error =
        std::find_if(m.errors.begin(), m.errors.end(), [&](const ErrorEntry& e) { return e.path == path; });
    ASSERT_NE(error, m.errors.end()) << path;
    EXPECT_THAT(error->message, ::testing::HasSubstr("changed during the scan"));
  }
  EXPECT_EQ(m.errors.size(), 2u);
  const Digest outside = Sha256::of("outside\n");
  for (const FileEntry* f : m.files) EXPECT_NE(f->sha256, outside) << f->path;
  // The files settled before: top.txt hashed where it was listed, sub/y.txt taken from the baseline by its lstat.
  ASSERT_NE(entry_of(m, "top.txt"), nullptr);
  EXPECT_EQ(to_hex(entry_of(m, "top.txt")->sha256), sha256sum(repo, "top.txt"));
  ASSERT_NE(entry_of(m, "sub/y.txt"), nullptr);
  EXPECT_EQ(entry_of(m, "sub/y.txt")->sha256, Sha256::of("y\n"));
  EXPECT_EQ(scanned->report.reused, 1u);
}

INSTANTIATE_TEST_SUITE_P(BySymlinkOrDirectory, GitReuseReplaced, ::testing::Bool());

}  // namespace
}  // namespace treeprint
