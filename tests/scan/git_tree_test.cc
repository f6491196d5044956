#include "scan/git_tree.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <set>

#include "git/git_repo.h"
#include "git/repository.h"
#include "scan/walk.h"
#include "test_support.h"
#include "util/env.h"
#include "util/format.h"
#include "util/sha256.h"

namespace treeprint {
namespace {

using git::testing::GitRepo;
using git::testing::run_in;
using git::testing::shell_quote;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Opens the work tree `dir` is in, as the scan command does.
std::unique_ptr<GitTree> open_tree(const std::string& dir, std::vector<std::string>* warnings = nullptr,
                                   GitTree::Options options = {}) {
  auto found = git::discover_repository(dir);
  EXPECT_TRUE(found.ok()) << found.error();
  if (!found.ok() || !*found) return nullptr;
  auto tree = GitTree::open(std::move(**found), "", options, warnings);
  EXPECT_TRUE(tree.ok()) << tree.error();
  return tree.ok() ? std::move(*tree) : nullptr;
}

struct GitScan {
  std::unique_ptr<GitTree> tree;
  Manifest manifest;
  GitWalkReport report;
  std::vector<std::string> warnings;
};

// Walks `dir` as a git scan: its work tree read, the walk told about it.
std::unique_ptr<GitScan> git_scan(const std::string& dir, const Filters* filters = nullptr) {
  auto s = std::make_unique<GitScan>();
  s->tree = open_tree(dir, &s->warnings);
  if (s->tree == nullptr) return s;
  WalkOptions options;
  options.threads = 2;
  options.filters = filters;
  options.git = s->tree.get();
  options.git_report = &s->report;
  options.warnings = &s->warnings;
  RealFileSystem fs;
  const Status walked = walk_tree(fs, dir, options, &s->manifest);
  EXPECT_TRUE(walked.ok()) << walked.error();
  return s;
}

// Files and symlinks of a manifest.
std::set<std::string> kept(const Manifest& m) {
  std::set<std::string> out;
  for (const FileEntry* f : m.files) out.insert(std::string(f->path));
  for (const auto& l : m.symlinks) out.insert(l.path);
  return out;
}

// The manifest's entry for `path`; a test failure (and an empty entry) when there is none.
const FileEntry* find(const Manifest& m, std::string_view path) {
  for (const FileEntry* f : m.files) {
    if (f->path == path) return f;
  }
  ADD_FAILURE() << "no file '" << path << "' in the manifest";
  static const FileEntry none{};
  return &none;
}

// git's answer: `git ls-files --cached --others --exclude-standard` run in `dir` (paths relative to it), less what
// is not a file or symlink on disk (a deleted tracked file, a gitlink, a nested repository listed as `nested/`).
std::set<std::string> git_kept(const std::string& dir) {
  const auto c = run_in(dir, "git ls-files -z --cached --others --exclude-standard");
  EXPECT_EQ(c.status, 0) << "ls-files in " << dir;
  std::set<std::string> out;
  size_t pos = 0;
  while (pos < c.out.size()) {
    const size_t nul = c.out.find('\0', pos);
    const std::string path = c.out.substr(pos, nul - pos);
    pos = nul + 1;
    struct stat st {};
    if (!path.empty() && path.back() != '/' && ::lstat((dir + "/" + path).c_str(), &st) == 0 &&
        (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode))) {
      out.insert(path);
    }
  }
  return out;
}

std::set<std::string> with_prefix(const std::string& prefix, const std::set<std::string>& paths) {
  std::set<std::string> out;
  for (const auto& p : paths) out.insert(prefix + p);
  return out;
}

// Backdates every file below the work tree and refreshes the index, so that no entry is racily clean and each
// matches its file.
void settle(const GitRepo& repo) {
  repo.sh("find . -path ./.git -prune -o -exec touch -h -d @1600000000 {} + && git update-index -q --refresh || true");
}

std::string blob_of(const std::string& dir, const std::string& path) {
  std::string out = run_in(dir, "git rev-parse :" + shell_quote(path)).out;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

std::string hex_blob(const FileEntry& e) { return to_hex(e.git_blob_id()); }

bool contains(const std::vector<std::string>& warnings, std::string_view part) {
  return std::any_of(warnings.begin(), warnings.end(),
                     [&](const std::string& w) { return w.find(part) != std::string::npos; });
}

TEST(GitTreeWalk, KeepsWhatGitKeepsTrackedFilesWhateverTheIgnoreRules) {
  GitRepo repo;
  repo.init();
  repo.write(".gitignore", "*.log\nbuild/\n/only-root.txt\n");
  repo.write("src/a.c", "a\n");
  repo.write("keep.log", "tracked although ignored\n");
  repo.write("build/tracked.o", "tracked in an ignored directory\n");
  repo.write("sub/only-root.txt", "not matched by the anchored pattern\n");
  repo.git("add .gitignore src/a.c sub && git add -f keep.log build/tracked.o");
  ASSERT_EQ(::symlink("src/a.c", (repo.root() + "/link.log").c_str()), 0);
  repo.git("add -f link.log && git commit -q -m base");
  repo.write("debug.log", "ignored\n");
  repo.write("build/out.o", "ignored\n");
  repo.write("build/deeper/x", "ignored\n");
  repo.write("only-root.txt", "ignored\n");
  repo.write("untracked.txt", "kept\n");
  repo.write("ignored-only/y.log", "an ignored file alone in a directory\n");

  auto s = git_scan(repo.root());
  ASSERT_NE(s->tree, nullptr);
  const std::set<std::string> expected = git_kept(repo.root());
  EXPECT_EQ(kept(s->manifest), expected);
  EXPECT_TRUE(expected.count("keep.log") && expected.count("build/tracked.o") && expected.count("link.log"));
  EXPECT_FALSE(expected.count("build/out.o") || expected.count("debug.log") || expected.count("only-root.txt"));

  EXPECT_EQ(find(s->manifest, "keep.log")->git_state, 3);
  EXPECT_EQ(find(s->manifest, "build/tracked.o")->git_state, 3);
  EXPECT_EQ(find(s->manifest, "src/a.c")->git_state, 2);
  EXPECT_EQ(find(s->manifest, "untracked.txt")->git_state, 1);
  EXPECT_EQ(s->report.ignored_tracked, 3u);  // keep.log, build/tracked.o, link.log
  EXPECT_EQ(s->report.tracked, 6u);
  EXPECT_EQ(s->report.untracked, 1u);
  EXPECT_EQ(s->report.missing, 0u);
  for (const FileEntry* f : s->manifest.files) {
    EXPECT_EQ(f->sha256, Sha256::of(treeprint::testing::read_file(repo.root() + "/" + std::string(f->path))))
        << f->path;
  }

  // Without the work tree, the plain scan drops what the patterns match, tracked or not.
  Manifest plain;
  RealFileSystem fs;
  ASSERT_TRUE(walk_tree(fs, repo.root(), WalkOptions{}, &plain).ok());
  EXPECT_FALSE(kept(plain).count("keep.log"));
}

TEST(GitTreeWalk, AnExplicitExcludeStillWinsOverTracked) {
  GitRepo repo;
  repo.init();
  repo.write("keep.txt", "k\n");
  repo.write("drop.txt", "d\n");
  repo.git("add -A && git commit -q -m base");
  Filters filters;
  const Status added = filters.add_exclude("drop.txt");
  ASSERT_TRUE(added) << added.error();
  auto s = git_scan(repo.root(), &filters);
  EXPECT_EQ(kept(s->manifest), (std::set<std::string>{"keep.txt"}));
}

TEST(GitTreeWalk, TrackedFilesGetTheirBlobWhenClean) {
  for (const char* format : {"sha1", "sha256"}) {
    SCOPED_TRACE(format);
    GitRepo repo;
    repo.init(format);
    repo.write("clean.txt", "clean\n");
    repo.write("edited.txt", "before\n");
    repo.git("add -A && git commit -q -m base");
    settle(repo);
    repo.write("edited.txt", "after!\n");  // same size, new mtime
    auto s = git_scan(repo.root());
    ASSERT_NE(s->tree, nullptr);
    EXPECT_EQ(hex_blob(*find(s->manifest, "clean.txt")), blob_of(repo.root(), "clean.txt"));
    EXPECT_EQ(find(s->manifest, "edited.txt")->git_blob_size, 0);
    EXPECT_EQ(s->report.vouched, 1u);
    EXPECT_EQ(s->report.modified, 1u);
  }
}

// Without a baseline there is nothing to reuse: a tracked file is not lstat'ed before it is opened (the index is
// compared with the fstat taken after it is read), so a full scan in a work tree makes the system calls of a plain
// one; the blob ids are the same.
TEST(GitTreeWalk, FullScanTakesNoLstatPerTrackedFile) {
  GitRepo repo;
  repo.init();
  for (int i = 0; i < 40; ++i) repo.write("d" + std::to_string(i % 4) + "/f" + std::to_string(i), std::to_string(i));
  repo.git("add -A && git commit -q -m base");
  settle(repo);
  auto tree = open_tree(repo.root());
  ASSERT_NE(tree, nullptr);
  treeprint::testing::FaultFileSystem fs;
  std::atomic<int> stats{0};
  fs.on_stat_at = [&](const char* name) {
    if (name[0] == 'f') ++stats;
  };
  WalkOptions options;
  options.threads = 2;
  options.git = tree.get();
  GitWalkReport report;
  options.git_report = &report;
  Manifest m;
  ASSERT_TRUE(walk_tree(fs, repo.root(), options, &m).ok());
  EXPECT_EQ(stats.load(), 0);
  EXPECT_EQ(report.vouched, 40u);
  for (const FileEntry* f : m.files) {
    if (f->path.starts_with("d")) {
      EXPECT_EQ(hex_blob(*f), blob_of(repo.root(), std::string(f->path))) << f->path;
    }
  }
}

TEST(GitTreeWalk, DirectoryBelowTheRootUsesTheAncestorsRulesAndInfoExclude) {
  GitRepo repo;
  repo.init();
  repo.write(".gitignore", "*.log\n/pkg/web/anchored.txt\n");
  repo.write("pkg/.gitignore", "dist/\n");
  repo.write("pkg/web/.gitignore", "*.tmp\n");
  repo.write("pkg/web/app.js", "app\n");
  repo.write("pkg/web/tracked.log", "tracked although ignored\n");
  repo.git("add -A && git add -f pkg/web/tracked.log && git commit -q -m base");
  repo.write(".git/info/exclude", "secret*\n");
  repo.write("pkg/web/x.log", "ignored by the root's rules\n");
  repo.write("pkg/web/dist/b.js", "ignored by pkg's rules\n");
  repo.write("pkg/web/anchored.txt", "ignored by an anchored pattern of the root\n");
  repo.write("pkg/web/secret.key", "ignored by info/exclude\n");
  repo.write("pkg/web/t.tmp", "ignored by DIR's own rules\n");
  repo.write("pkg/web/new.js", "untracked, kept\n");
  repo.write("pkg/web/lib/anchored.txt", "not the anchored path\n");

  const std::string dir = repo.root() + "/pkg/web";
  auto s = git_scan(dir);
  ASSERT_NE(s->tree, nullptr);
  EXPECT_EQ(s->tree->repository().prefix, "pkg/web");
  EXPECT_FALSE(s->tree->start_ignored());
  EXPECT_EQ(kept(s->manifest), git_kept(dir));
  EXPECT_EQ(kept(s->manifest),
            (std::set<std::string>{".gitignore", "app.js", "lib/anchored.txt", "new.js", "tracked.log"}));
  EXPECT_EQ(find(s->manifest, "tracked.log")->git_state, 3);
  // The rules from above are matched against work-tree paths.
  const IgnoreChain* start = s->tree->start_ignore().get();
  EXPECT_TRUE(IgnoreChain::is_ignored(start, "pkg/web/x.log", "x.log", false));
  EXPECT_TRUE(IgnoreChain::is_ignored(start, "pkg/web/secret.key", "secret.key", false));
  EXPECT_TRUE(IgnoreChain::is_ignored(start, "pkg/web/dist", "dist", true));
  EXPECT_FALSE(IgnoreChain::is_ignored(start, "pkg/web/app.js", "app.js", false));

  // --no-gitignore: only the tracked set is used, no rules are read.
  GitTree::Options no_rules;
  no_rules.read_ignore_rules = false;
  auto bare = open_tree(dir, nullptr, no_rules);
  ASSERT_NE(bare, nullptr);
  EXPECT_EQ(bare->start_ignore(), nullptr);
}

TEST(GitTree, InfoExcludeIsFollowedThroughASymlinkAnInTreeGitignoreIsNot) {
  GitRepo repo;
  repo.init();
  repo.write("pkg/web/app.js", "app\n");
  repo.git("add -A && git commit -q -m base");
  const treeprint::testing::TempDir outside;
  outside.write("exclude", "followed*\n");
  outside.write("ignore", "linked*\n");
  ::unlink((repo.root() + "/.git/info/exclude").c_str());
  ASSERT_EQ(::symlink((outside / "exclude").c_str(), (repo.root() + "/.git/info/exclude").c_str()), 0);
  ASSERT_EQ(::symlink((outside / "ignore").c_str(), (repo.root() + "/pkg/.gitignore").c_str()), 0);
  repo.write("pkg/web/followed.txt", "ignored through the symlinked info/exclude\n");
  repo.write("pkg/web/linked.txt", "kept: a symlinked .gitignore is not read\n");

  const std::string dir = repo.root() + "/pkg/web";
  auto s = git_scan(dir);
  ASSERT_NE(s->tree, nullptr);
  EXPECT_EQ(kept(s->manifest), git_kept(dir));
  EXPECT_EQ(kept(s->manifest), (std::set<std::string>{"app.js", "linked.txt"}));
}

TEST(GitTreeWalk, DirectoryInsideAnIgnoredOneKeepsOnlyTrackedFiles) {
  GitRepo repo;
  repo.init();
  repo.write(".gitignore", "out/\n");
  repo.write("out/gen/tracked.txt", "tracked\n");
  repo.write("out/gen/deep/tracked2.txt", "tracked\n");
  repo.git("add .gitignore && git add -f out && git commit -q -m base");
  repo.write("out/gen/other.txt", "untracked in an ignored directory\n");
  repo.write("out/gen/deep/other2.txt", "untracked in an ignored directory\n");
  repo.write("out/gen/.gitignore", "!other.txt\n");  // cannot re-include below an ignored directory

  const std::string dir = repo.root() + "/out/gen";
  auto s = git_scan(dir);
  ASSERT_NE(s->tree, nullptr);
  EXPECT_TRUE(s->tree->start_ignored());
  EXPECT_EQ(kept(s->manifest), git_kept(dir));
  EXPECT_EQ(kept(s->manifest), (std::set<std::string>{"deep/tracked2.txt", "tracked.txt"}));
}

// A sparse file: its size is over git's cap, its blocks nearly nothing.
void write_sparse(const std::string& path, uint64_t size) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(fd, 0) << path;
  ASSERT_EQ(::ftruncate(fd, static_cast<off_t>(size)), 0);
  ::close(fd);
}

TEST(GitTree, PatternFileOverGitsCapIsAWarning) {
  GitRepo repo;
  repo.init();
  repo.write("pkg/web/app.js", "app\n");
  repo.git("add -A && git commit -q -m base");
  write_sparse(repo.root() + "/.git/info/exclude", k_git_pattern_file_max + 1);
  write_sparse(repo.root() + "/pkg/.gitignore", k_git_pattern_file_max + 1);
  std::vector<std::string> warnings;
  auto tree = open_tree(repo.root() + "/pkg/web", &warnings);
  ASSERT_NE(tree, nullptr);
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_THAT(warnings[0], HasSubstr("info/exclude: ignoring excessively large pattern file"));
  EXPECT_THAT(warnings[1], HasSubstr("pkg/.gitignore: ignoring excessively large pattern file"));
  EXPECT_EQ(tree->start_ignore(), nullptr);

  // At the cap it is read.
  write_sparse(repo.root() + "/pkg/.gitignore", k_git_pattern_file_max);
  warnings.clear();
  ASSERT_NE(open_tree(repo.root() + "/pkg/web", &warnings), nullptr);
  EXPECT_EQ(warnings.size(), 1u);
}

// A repository at `sub` of `super`, committed and settled.
void add_submodule(GitRepo& super, GitRepo& sub) {
  super.git("-c protocol.file.allow=always submodule --quiet add " + shell_quote(sub.root()) + " sub");
  super.git("commit -q -m with-sub");
}

TEST(GitTreeWalk, SubmoduleIsScannedUnderItsOwnIndexAndRules) {
  GitRepo origin;
  origin.init("sha1", "origin");
  origin.write(".gitignore", "*.o\n");
  origin.write("inside.txt", "tracked in the submodule\n");
  origin.write("forced.o", "tracked although its own rules ignore it\n");
  origin.git("add .gitignore inside.txt && git add -f forced.o && git commit -q -m sub");
  GitRepo super;
  super.init();
  super.write(".gitignore", "*.txt\n");
  super.write("top.c", "top\n");
  super.git("add -A");
  add_submodule(super, origin);
  const std::string sub = super.root() + "/sub";
  super.write("sub/own.txt", "untracked: the parent's *.txt does not apply inside\n");
  super.write("sub/gen.o", "ignored by the submodule's rules\n");
  super.write("ignored.txt", "ignored by the parent\n");
  settle(super);
  run_in(sub, "find . -path ./.git -prune -o -exec touch -h -d @1600000000 {} + && git update-index -q --refresh");

  auto s = git_scan(super.root());
  ASSERT_NE(s->tree, nullptr);
  std::set<std::string> expected = git_kept(super.root());
  const std::set<std::string> inner = with_prefix("sub/", git_kept(sub));
  expected.insert(inner.begin(), inner.end());
  EXPECT_EQ(kept(s->manifest), expected);
  EXPECT_TRUE(expected.count("sub/own.txt") && expected.count("sub/forced.o") && !expected.count("sub/gen.o"));
  EXPECT_EQ(s->report.nested, 1u);
  // The submodule's files are vouched for by its index.
  EXPECT_EQ(hex_blob(*find(s->manifest, "sub/inside.txt")), blob_of(sub, "inside.txt"));
  EXPECT_EQ(find(s->manifest, "sub/forced.o")->git_state, 3);
  EXPECT_EQ(find(s->manifest, "sub/own.txt")->git_state, 1);
  EXPECT_EQ(s->report.missing, 0u);  // the gitlink is no missing file
  EXPECT_FALSE(contains(s->warnings, "not scanned as a git work tree"));
}

TEST(GitTreeWalk, NestedRepositoryThatIsNotASubmodule) {
  GitRepo parent;
  parent.init();
  parent.write(".gitignore", "*.bak\nhidden/\n");
  parent.write("top.c", "top\n");
  parent.git("add -A && git commit -q -m parent");
  for (const char* where : {"nested", "hidden"}) {
    const std::string dir = parent.root() + "/" + where;
    ::mkdir(dir.c_str(), 0755);
    ASSERT_EQ(run_in(dir,
                     "git init -q -b main . && printf '*.tmp\\n' > .gitignore && echo a > a.txt && "
                     "echo keep > keep.bak && git add -A && git commit -q -m nested")
                  .status,
              0);
    parent.write(std::string(where) + "/x.tmp", "ignored by its own rules\n");
    parent.write(std::string(where) + "/y.bak", "the parent's *.bak does not apply inside\n");
  }
  auto s = git_scan(parent.root());
  ASSERT_NE(s->tree, nullptr);
  // git lists the nested repository as one entry, `nested/`; the scan keeps what its own index and rules keep.
  std::set<std::string> expected = git_kept(parent.root());
  const std::set<std::string> inner = with_prefix("nested/", git_kept(parent.root() + "/nested"));
  expected.insert(inner.begin(), inner.end());
  EXPECT_EQ(kept(s->manifest), expected);
  EXPECT_TRUE(expected.count("nested/y.bak") && expected.count("nested/keep.bak") && !expected.count("nested/x.tmp"));
  // The ignored one is left out whole, as git leaves it out.
  for (const auto& p : kept(s->manifest)) EXPECT_NE(p.rfind("hidden/", 0), 0u) << p;
  EXPECT_EQ(s->report.nested, 1u);
}

TEST(GitTreeWalk, UnreadableNestedRepositoryIsAWarningAndTheEnclosingRules) {
  GitRepo parent;
  parent.init();
  parent.write(".gitignore", "*.bak\n");
  parent.write("top.c", "top\n");
  parent.git("add -A && git commit -q -m parent");
  // A nested repository whose index is damaged, and a directory whose .git is not a repository at all.
  const std::string damaged = parent.root() + "/damaged";
  ::mkdir(damaged.c_str(), 0755);
  ASSERT_EQ(run_in(damaged, "git init -q . && echo a > a.txt && git add a.txt && git commit -q -m d").status, 0);
  parent.write("damaged/.git/index", "DIRC not an index at all, and far too short");
  parent.write("junk/.git/just-a-file", "x\n");
  for (const char* where : {"damaged", "junk"}) {
    parent.write(std::string(where) + "/y.bak", "ignored by the enclosing rules\n");
    parent.write(std::string(where) + "/b.txt", "kept\n");
  }
  auto s = git_scan(parent.root());
  ASSERT_NE(s->tree, nullptr);
  EXPECT_EQ(kept(s->manifest),
            (std::set<std::string>{".gitignore", "damaged/a.txt", "damaged/b.txt", "junk/b.txt", "top.c"}));
  EXPECT_EQ(s->report.nested, 0u);
  ASSERT_TRUE(contains(s->warnings, "damaged: not scanned as a git work tree of its own (index '"));
  ASSERT_TRUE(contains(s->warnings, "junk: not scanned as a git work tree of its own ("));
  EXPECT_TRUE(contains(s->warnings, "scanned under the enclosing repository's rules"));
  // Files of the damaged repository are untracked as far as the enclosing one knows.
  EXPECT_EQ(find(s->manifest, "damaged/a.txt")->git_state, 1);
}

TEST(GitTree, RefusesAnIndexItCannotReadSayingWhy) {
  struct Case {
    const char* name;
    const char* setup;
    const char* message;
  };
  const std::vector<Case> cases = {
      {"split index", "git update-index --split-index", "split index"},
      {"sparse index", "git sparse-checkout set --cone --sparse-index a", "sparse index"},
      {"damaged", "printf 'x' | dd of=.git/index bs=1 seek=40 conv=notrunc 2>/dev/null", "checksum mismatch"},
      {"unknown version", "printf '\\000\\000\\000\\011' | dd of=.git/index bs=1 seek=4 conv=notrunc 2>/dev/null",
       "version 9"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    GitRepo repo;
    repo.init();
    repo.write("a/x", "x\n");
    repo.write("b", "b\n");
    repo.git("add -A && git commit -q -m base");
    repo.sh(c.setup);
    auto found = git::discover_repository(repo.root());
    ASSERT_TRUE(found.ok() && *found) << found.error();
    auto tree = GitTree::open(std::move(**found), "", {}, nullptr);
    ASSERT_FALSE(tree.ok());
    EXPECT_THAT(tree.error(), HasSubstr(c.message));
    EXPECT_THAT(tree.error(), HasSubstr(repo.root() + "/.git/index"));
  }
}

TEST(GitTree, TrackedLookupsAndWorkPaths) {
  GitRepo repo;
  repo.init();
  repo.write("a/b/c.txt", "c\n");
  repo.write("a/d.txt", "d\n");
  repo.write("ab", "ab\n");
  repo.git("add -A && git commit -q -m base");
  ::mkdir((repo.root() + "/a/empty").c_str(), 0755);
  auto tree = open_tree(repo.root() + "/a");
  ASSERT_NE(tree, nullptr);
  EXPECT_EQ(tree->work_path("b/c.txt"), "a/b/c.txt");
  EXPECT_EQ(tree->work_path(""), "a");
  ASSERT_TRUE(tree->tracked("a/b/c.txt").has_value());
  EXPECT_EQ(tree->index().path(*tree->tracked("a/b/c.txt")), "a/b/c.txt");
  EXPECT_FALSE(tree->tracked("b/c.txt").has_value());
  EXPECT_FALSE(tree->tracked("a/b").has_value());  // a directory is not an entry
  EXPECT_TRUE(tree->has_tracked_below("a/b"));
  EXPECT_TRUE(tree->has_tracked_below(""));
  EXPECT_FALSE(tree->has_tracked_below("a/empty"));
  EXPECT_FALSE(tree->has_tracked_below("a/b/c.txt"));
  EXPECT_FALSE(tree->has_tracked_below("a/"));  // "a//..." is no path
}

// The walker looks a listed name up among its directory's own entries only: tracked_in() lists them, stepping over
// subdirectories; names that sort around '/' ("a-b" < "a/" < "a0") stay outside a directory's range.
TEST(GitTree, TrackedLookupsWithinADirectory) {
  GitRepo repo;
  repo.init();
  for (const char* p : {"a-b", "a/b/c.txt", "a/b/d/e.txt", "a/b.c", "a/b0", "a/d.txt", "a0", "ab", "b/e.txt"}) {
    repo.write(p, p);
  }
  repo.git("add -A && git commit -q -m base");
  auto tree = open_tree(repo.root());
  ASSERT_NE(tree, nullptr);
  const auto names_of = [](const std::vector<GitTree::TrackedName>& list) {
    std::vector<std::string> out;
    for (const auto& t : list) out.emplace_back(t.name);
    return out;
  };
  const GitTree::Range a = tree->tracked_below("a");
  ASSERT_EQ(a.end - a.begin, 5u);
  EXPECT_EQ(tree->index().path(a.begin), "a/b.c");
  EXPECT_EQ(tree->index().path(a.end - 1), "a/d.txt");
  std::vector<GitTree::TrackedName> in_a;
  tree->tracked_in("a", a, &in_a);
  EXPECT_THAT(names_of(in_a), ElementsAre("b.c", "b0", "d.txt"));
  for (const auto& t : in_a) EXPECT_EQ(tree->tracked("a/" + std::string(t.name)), t.position) << t.name;
  EXPECT_EQ(GitTree::find_name(in_a, "d.txt"), tree->tracked("a/d.txt"));
  EXPECT_FALSE(GitTree::find_name(in_a, "b").has_value());  // a directory is not an entry
  EXPECT_FALSE(GitTree::find_name(in_a, "x").has_value());
  std::vector<GitTree::TrackedName> in_root;
  const GitTree::Range all = tree->tracked_below("");
  EXPECT_EQ(all.end - all.begin, tree->index().size());
  tree->tracked_in("", all, &in_root);
  EXPECT_THAT(names_of(in_root), ElementsAre("a-b", "a0", "ab"));
  for (const char* p : {"a-b", "a0", "ab"}) EXPECT_EQ(GitTree::find_name(in_root, p), tree->tracked(p)) << p;
  std::vector<GitTree::TrackedName> in_b_d;
  tree->tracked_in("a/b/d", tree->tracked_below("a/b/d"), &in_b_d);
  EXPECT_THAT(names_of(in_b_d), ElementsAre("e.txt"));
  const GitTree::Range none = tree->tracked_below("c");
  EXPECT_EQ(none.begin, none.end);
  std::vector<GitTree::TrackedName> in_c = in_a;
  tree->tracked_in("c", none, &in_c);
  EXPECT_TRUE(in_c.empty());
}

// An unmerged path is listed once, at its first stage: what tracked() gives.
TEST(GitTree, AnUnmergedPathIsListedOnceInItsDirectory) {
  GitRepo repo;
  repo.init();
  repo.write("d/both.txt", "base\n");
  repo.write("d/z.txt", "z\n");
  repo.git("add -A && git commit -q -m base");
  repo.conflicting_merge("d/both.txt");
  auto tree = open_tree(repo.root());
  ASSERT_NE(tree, nullptr);
  ASSERT_EQ(tree->index().size(), 4u);  // stages 1, 2, 3 of both.txt, and z.txt
  std::vector<GitTree::TrackedName> in_d;
  tree->tracked_in("d", tree->tracked_below("d"), &in_d);
  ASSERT_EQ(in_d.size(), 2u);
  EXPECT_EQ(in_d[0].name, "both.txt");
  EXPECT_EQ(in_d[0].position, tree->tracked("d/both.txt"));
  EXPECT_EQ(tree->index().entry(in_d[0].position).stage(), 1);
  EXPECT_EQ(in_d[1].name, "z.txt");
}

TEST(GitTreeWalk, MissingAndUnmergedCountsAndTheKeptSet) {
  GitRepo repo;
  repo.init();
  repo.write("both.txt", "base\n");
  repo.write("gone.txt", "deleted later\n");
  repo.write("became-dir", "a file, later a directory\n");
  repo.write("sparse/left-out.txt", "skip-worktree\n");
  repo.write("keep.txt", "k\n");
  repo.git("add -A && git commit -q -m base");
  repo.conflicting_merge("both.txt");
  repo.git("update-index --skip-worktree sparse/left-out.txt");
  repo.sh("rm sparse/left-out.txt gone.txt became-dir && mkdir became-dir && echo new > became-dir/new.txt");

  auto s = git_scan(repo.root());
  ASSERT_NE(s->tree, nullptr);
  EXPECT_EQ(kept(s->manifest), git_kept(repo.root()));
  EXPECT_TRUE(kept(s->manifest).count("became-dir/new.txt"));
  EXPECT_EQ(find(s->manifest, "became-dir/new.txt")->git_state, 1);
  EXPECT_EQ(s->tree->missing_count(), 2u);  // gone.txt, became-dir (not the skip-worktree entry)
  EXPECT_EQ(s->report.missing, 2u);
  EXPECT_EQ(s->tree->unmerged_count(), 1u);
  EXPECT_EQ(s->report.unmerged, 1u);
  // An unmerged path is tracked (its first stage); never vouched for.
  ASSERT_TRUE(s->tree->tracked("both.txt").has_value());
  EXPECT_EQ(s->tree->index().entry(*s->tree->tracked("both.txt")).stage(), 1);
  EXPECT_EQ(find(s->manifest, "both.txt")->git_state, 2);
  EXPECT_EQ(find(s->manifest, "both.txt")->git_blob_size, 0);
}

TEST(GitTree, MayConvertFollowsTheAttributesThatChangeCheckedOutBytes) {
  GitRepo repo;
  repo.init();
  repo.write(".gitattributes",
             "*.txt text\n*.bin -diff binary\n*.md linguist-documentation\n[attr]mine eol=crlf\n*.m mine\n"
             "*.neg -text\n");
  repo.write("sub/.gitattributes", "*.c ident\n");
  repo.git("add -A && git commit -q -m attrs");
  auto tree = open_tree(repo.root());
  ASSERT_NE(tree, nullptr);
  EXPECT_TRUE(tree->may_convert("a.txt"));
  EXPECT_TRUE(tree->may_convert("deep/er/a.txt"));
  EXPECT_TRUE(tree->may_convert("x.m"));
  EXPECT_TRUE(tree->may_convert("sub/a.c"));
  EXPECT_FALSE(tree->may_convert("a.c"));  // sub's rule applies below sub only
  EXPECT_FALSE(tree->may_convert("a.bin"));
  EXPECT_FALSE(tree->may_convert("a.md"));
  EXPECT_FALSE(tree->may_convert("a.neg"));
  EXPECT_FALSE(tree->may_convert("plain"));
  EXPECT_EQ(tree->conversion_digest().size(), 64u);

  repo.git("config core.autocrlf true");
  auto autocrlf = open_tree(repo.root());
  ASSERT_NE(autocrlf, nullptr);
  EXPECT_TRUE(autocrlf->may_convert("plain"));
  EXPECT_NE(autocrlf->conversion_digest(), tree->conversion_digest());
}

TEST(GitTree, ConversionDigestIsTheInputsNotWhereTheyLive) {
  GitRepo origin;
  origin.init();
  origin.write(".gitattributes", "*.txt text\n");
  origin.write("a.txt", "a\n");
  origin.git("add -A && git commit -q -m base");
  GitRepo clone;
  clone.init("sha1", "clone");
  clone.git("pull -q " + shell_quote(origin.root()) + " main");
  auto a = open_tree(origin.root());
  auto b = open_tree(clone.root());
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(a->conversion_digest(), b->conversion_digest());

  clone.write(".gitattributes", "*.txt text eol=crlf\n");
  EXPECT_NE(open_tree(clone.root())->conversion_digest(), a->conversion_digest());
  clone.git("checkout -q .gitattributes && git config filter.x.smudge cat");
  EXPECT_NE(open_tree(clone.root())->conversion_digest(), a->conversion_digest());
  clone.git("config --unset filter.x.smudge");
  EXPECT_EQ(open_tree(clone.root())->conversion_digest(), a->conversion_digest());

  // Configuration this reader does not follow: no digest, so nothing is ever reused, and every path may convert.
  GitTree::Options options;
  options.env = environment_from({{"GIT_CONFIG_COUNT", "1"}});
  auto unknown = open_tree(clone.root(), nullptr, options);
  ASSERT_NE(unknown, nullptr);
  EXPECT_EQ(unknown->conversion_digest(), "");
  EXPECT_TRUE(unknown->may_convert("plain"));
  clone.git("config include.path other.config");
  EXPECT_EQ(open_tree(clone.root())->conversion_digest(), "");
}

TEST(GitTree, InTreeFilesAreReadWithoutFollowingASymlink) {
  treeprint::testing::TempDir dir;
  dir.write("real", "content\n");
  dir.symlink("real", "link");
  bool too_big = true;
  EXPECT_EQ(read_in_tree_file(dir / "real", 100, &too_big), "content\n");
  EXPECT_FALSE(too_big);
  EXPECT_EQ(read_in_tree_file(dir / "link", 100, &too_big), std::nullopt);
  EXPECT_EQ(read_in_tree_file(dir / "missing", 100, &too_big), std::nullopt);
  EXPECT_EQ(read_in_tree_file(dir / "real", 3, &too_big), std::nullopt);
  EXPECT_TRUE(too_big);
  dir.mkdir("d");
  EXPECT_EQ(read_in_tree_file(dir / "d", 100, nullptr), std::nullopt);
}

}  // namespace
}  // namespace treeprint
