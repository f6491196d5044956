#include "git/index.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "git/git_repo.h"
#include "git/repository.h"
#include "git/status.h"
#include "git/tree.h"

namespace treeprint::git {
namespace {

using testing::GitRepo;

// One entry as `git ls-files --stage --debug -z` prints it.
struct Listed {
  std::string mode, id, path;
  int stage = 0;
  uint32_t ctime_s = 0, ctime_ns = 0, mtime_s = 0, mtime_ns = 0, dev = 0, ino = 0, uid = 0, gid = 0, size = 0;
  unsigned long flags = 0;
};

std::vector<Listed> ls_files_debug(const std::string& dir) {
  const auto c = testing::run_in(dir, "git ls-files --stage --debug -z");
  EXPECT_EQ(c.status, 0) << "ls-files in " << dir;
  std::vector<Listed> out;
  size_t pos = 0;
  while (pos < c.out.size()) {
    const size_t nul = c.out.find('\0', pos);
    if (nul == std::string::npos) break;
    const std::string head = c.out.substr(pos, nul - pos);
    Listed e;
    const size_t tab = head.find('\t');
    std::istringstream fields(head.substr(0, tab));
    fields >> e.mode >> e.id >> e.stage;
    e.path = head.substr(tab + 1);
    size_t end = nul + 1;
    for (int line = 0; line < 5; ++line) end = c.out.find('\n', end) + 1;
    const std::string debug = c.out.substr(nul + 1, end - nul - 1);
    const int got = std::sscanf(debug.c_str(),
                                "  ctime: %u:%u\n  mtime: %u:%u\n  dev: %u\tino: %u\n  uid: %u\tgid: %u\n"
                                "  size: %u\tflags: %lx\n",
                                &e.ctime_s, &e.ctime_ns, &e.mtime_s, &e.mtime_ns, &e.dev, &e.ino, &e.uid, &e.gid,
                                &e.size, &e.flags);
    EXPECT_EQ(got, 10) << debug;
    out.push_back(e);
    pos = end;
  }
  return out;
}

std::string octal(uint32_t mode) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%06o", mode);
  return buffer;
}

Result<Index> read_index_of(const std::string& dir) {
  auto repo = discover_repository(dir);
  if (!repo) return Result<Index>::failure(repo.error());
  if (!*repo) return Result<Index>::failure("no repository at " + dir);
  return Index::read((*repo)->index_path(), (*repo)->format);
}

// Every entry and every field the reader gives equals what git lists; returns the index for more checks.
Index expect_same_as_git(const std::string& dir, uint32_t expected_version) {
  auto index = read_index_of(dir);
  if (!index) throw std::runtime_error("reading the index of " + dir + ": " + index.error());  // fails the test
  EXPECT_EQ(index->version(), expected_version);
  const auto listed = ls_files_debug(dir);
  EXPECT_EQ(index->size(), listed.size());
  EXPECT_GT(listed.size(), 0u);
  for (size_t i = 0; i < std::min(index->size(), listed.size()); ++i) {
    const IndexEntry e = index->entry(i);
    const Listed& g = listed[i];
    SCOPED_TRACE("entry " + std::to_string(i) + " '" + g.path + "'");
    EXPECT_EQ(e.path, g.path);
    EXPECT_EQ(octal(e.mode), g.mode);
    EXPECT_EQ(e.id.hex(), g.id);
    EXPECT_EQ(e.stage(), g.stage);
    EXPECT_EQ(e.ctime.seconds, g.ctime_s);
    EXPECT_EQ(e.ctime.nanoseconds, g.ctime_ns);
    EXPECT_EQ(e.mtime.seconds, g.mtime_s);
    EXPECT_EQ(e.mtime.nanoseconds, g.mtime_ns);
    EXPECT_EQ(e.dev, g.dev);
    EXPECT_EQ(e.ino, g.ino);
    EXPECT_EQ(e.uid, g.uid);
    EXPECT_EQ(e.gid, g.gid);
    EXPECT_EQ(e.size, g.size);
    // git prints its in-memory flags: the on-disk ones without the name length, the extended ones shifted up.
    EXPECT_EQ((e.flags & 0xf000ul) | (static_cast<unsigned long>(e.extended_flags) << 16), g.flags);
    EXPECT_EQ(index->find(e.path, e.stage()), i);
  }
  return std::move(*index);
}

std::string write_tree(const GitRepo& repo) { return repo.rev_parse("--verify $(git write-tree)"); }

struct Shape {
  const char* format;
  uint32_t version;
};

class IndexVersions : public ::testing::TestWithParam<Shape> {};

TEST_P(IndexVersions, EveryEntryAsGitListsItAndTheTreeGitWrites) {
  const Shape shape = GetParam();
  GitRepo repo;
  repo.init(shape.format);
  testing::populate(repo);
  repo.git("update-index --index-version " + std::to_string(shape.version));
  // git writes version 3 only when an entry needs extended flags; it writes 2 otherwise.
  if (shape.version == 3) repo.git("update-index --skip-worktree z/last");
  Index index = expect_same_as_git(repo.root(), shape.version);
  EXPECT_EQ(index.format(), std::string(shape.format) == "sha1" ? ObjectFormat::sha1 : ObjectFormat::sha256);
  auto computed = index_tree_id(index, TreeSource::entries);
  ASSERT_TRUE(computed.ok()) << computed.error();
  EXPECT_EQ(computed->hex(), write_tree(repo));
  EXPECT_EQ(computed->hex(), repo.rev_parse("HEAD^{tree}"));
  // The long path (more than 0xfff bytes) is there, whole.
  bool long_seen = false;
  for (size_t i = 0; i < index.size(); ++i) long_seen |= index.path(i).size() > 4200;
  EXPECT_TRUE(long_seen);
}

INSTANTIATE_TEST_SUITE_P(FormatsAndVersions, IndexVersions,
                         ::testing::Values(Shape{"sha1", 2}, Shape{"sha1", 3}, Shape{"sha1", 4}, Shape{"sha256", 2},
                                           Shape{"sha256", 3}, Shape{"sha256", 4}),
                         [](const ::testing::TestParamInfo<Shape>& param_info) {
                           return std::string(param_info.param.format) + "_v" +
                                  std::to_string(param_info.param.version);
                         });

TEST(Index, CacheTreeRootIsTheTreeWhenValid) {
  GitRepo repo;
  repo.init();
  testing::populate(repo);
  repo.git("read-tree HEAD");  // a fresh cache tree for every directory
  auto index = read_index_of(repo.root());
  ASSERT_TRUE(index.ok()) << index.error();
  ASSERT_TRUE(index->cache_tree_root().has_value());
  EXPECT_EQ(index->cache_tree_root()->hex(), repo.rev_parse("HEAD^{tree}"));
  // A staged change invalidates the root: the tree is then computed, and still equals git's.
  repo.write("a/x", "changed\n");
  repo.git("add a/x");
  auto changed = read_index_of(repo.root());
  ASSERT_TRUE(changed.ok()) << changed.error();
  EXPECT_FALSE(changed->cache_tree_root().has_value());
  auto id = index_tree_id(*changed);
  ASSERT_TRUE(id.ok()) << id.error();
  EXPECT_EQ(id->hex(), write_tree(repo));
  EXPECT_NE(id->hex(), repo.rev_parse("HEAD^{tree}"));
}

TEST(Index, UnmergedEntriesAfterAConflictingMerge) {
  for (const auto& [format, version] :
       {std::pair<const char*, uint32_t>{"sha1", 2}, {"sha1", 4}, {"sha256", 2}, {"sha256", 4}}) {
    SCOPED_TRACE(std::string(format) + " version " + std::to_string(version));
    GitRepo repo;
    repo.init(format);
    repo.write("both.txt", "base\n");
    repo.write("other.txt", "same\n");
    repo.git("add -A && git commit -q -m base");
    repo.conflicting_merge("both.txt");
    repo.git("update-index --index-version " + std::to_string(version));
    Index index = expect_same_as_git(repo.root(), version);
    EXPECT_EQ(index.unmerged_count(), 3u);
    ASSERT_TRUE(index.find("both.txt", 2).has_value());
    EXPECT_FALSE(index.find("both.txt", 0).has_value());
    auto tree = index_tree_id(index);
    EXPECT_FALSE(tree.ok());
    EXPECT_NE(tree.error().find("unmerged"), std::string::npos) << tree.error();
    EXPECT_NE(repo.try_git("write-tree").status, 0);  // git agrees there is no tree
  }
}

TEST(Index, SkipWorktreeFromASparseCheckout) {
  for (const char* format : {"sha1", "sha256"}) {
    SCOPED_TRACE(format);
    GitRepo repo;
    repo.init(format);
    testing::populate(repo);
    repo.git("sparse-checkout set --no-cone '/a/' '/z/'");
    Index index = expect_same_as_git(repo.root(), 3);  // git writes version 3 for the extended flags
    EXPECT_GT(index.skip_worktree_count(), 0u);
    const auto pos = index.find("a0");
    ASSERT_TRUE(pos.has_value());
    EXPECT_TRUE(index.entry(*pos).skip_worktree());
    EXPECT_FALSE(index.entry(*index.find("a/x")).skip_worktree());
    auto tree = index_tree_id(index, TreeSource::entries);
    ASSERT_TRUE(tree.ok()) << tree.error();
    EXPECT_EQ(tree->hex(), write_tree(repo));
  }
}

TEST(Index, IntentToAddHasNoTree) {
  GitRepo repo;
  repo.init();
  testing::populate(repo);
  repo.write("later.txt", "not yet\n");
  repo.git("add -N later.txt");
  Index index = expect_same_as_git(repo.root(), 3);
  EXPECT_EQ(index.intent_to_add_count(), 1u);
  const IndexEntry e = index.entry(*index.find("later.txt"));
  EXPECT_TRUE(e.intent_to_add());
  EXPECT_EQ(e.id, empty_blob_id(ObjectFormat::sha1));
  auto tree = index_tree_id(index);
  EXPECT_FALSE(tree.ok());
  EXPECT_NE(tree.error().find("intent-to-add"), std::string::npos) << tree.error();
}

TEST(Index, AssumeUnchanged) {
  GitRepo repo;
  repo.init();
  testing::populate(repo);
  repo.git("update-index --assume-unchanged a.c");
  Index index = expect_same_as_git(repo.root(), 2);
  EXPECT_TRUE(index.entry(*index.find("a.c")).assume_unchanged());
  EXPECT_FALSE(index.entry(*index.find("a-b")).assume_unchanged());
  auto tree = index_tree_id(index, TreeSource::entries);
  ASSERT_TRUE(tree.ok()) << tree.error();
  EXPECT_EQ(tree->hex(), write_tree(repo));
}

TEST(Index, SubmoduleIsAGitlinkEntry) {
  GitRepo sub;
  sub.init("sha1", "sub");
  sub.write("inside.txt", "sub\n");
  sub.git("add -A && git commit -q -m sub");
  GitRepo super;
  super.init();
  super.write("top.txt", "top\n");
  super.git("-c protocol.file.allow=always submodule --quiet add " + testing::shell_quote(sub.root()) + " sub");
  super.git("commit -q -m with-sub");
  Index index = expect_same_as_git(super.root(), 2);
  const IndexEntry link = index.entry(*index.find("sub"));
  EXPECT_EQ(link.mode, k_mode_gitlink);
  EXPECT_EQ(link.id.hex(), sub.rev_parse("HEAD"));
  auto tree = index_tree_id(index, TreeSource::entries);
  ASSERT_TRUE(tree.ok()) << tree.error();
  EXPECT_EQ(tree->hex(), super.rev_parse("HEAD^{tree}"));
  // The submodule's own index, found through its .git file.
  Index inner = expect_same_as_git(super.root() + "/sub", 2);
  ASSERT_TRUE(inner.find("inside.txt").has_value());
  EXPECT_EQ(index_tree_id(inner)->hex(),
            testing::run_in(super.root() + "/sub", "git rev-parse HEAD^{tree}").out.substr(0, 40));
}

TEST(Index, LinkedWorktreeHasItsOwnIndex) {
  for (const char* format : {"sha1", "sha256"}) {
    SCOPED_TRACE(format);
    GitRepo repo;
    repo.init(format);
    repo.write("a/b.txt", "b\n");
    repo.write("c.txt", "c\n");
    repo.git("add -A && git commit -q -m c");
    repo.git("worktree add -q ../linked");
    const std::string linked = repo.dir() / "linked";
    testing::run_in(linked, "echo extra > extra.txt && git add extra.txt");
    Index index = expect_same_as_git(linked, 2);
    EXPECT_TRUE(index.find("extra.txt").has_value());
    auto main_index = read_index_of(repo.root());
    ASSERT_TRUE(main_index.ok());
    EXPECT_FALSE(main_index->find("extra.txt").has_value());
    EXPECT_EQ(index_tree_id(index)->hex() + "\n", testing::run_in(linked, "git write-tree").out);
  }
}

// git "smudges" an entry it finds racily clean when it writes the index (the file changed within the second it was
// recorded, its stat data unchanged): the size is written as 0. The reader gives what git lists, and the stat rule
// never calls such an entry clean.
TEST(Index, RacilyCleanEntryIsSmudgedAsGitWritesIt) {
  for (const char* format : {"sha1", "sha256"}) {
    SCOPED_TRACE(format);
    GitRepo repo;
    repo.init(format);
    testing::populate(repo);
    // An mtime later than any index write: every write finds the entry racy. With core.trustctime off, a rewrite of
    // the same size in place with that mtime restored matches the recorded stat data, and only the content differs.
    const std::string future = std::to_string(std::time(nullptr) + 100000);
    repo.sh("printf one > racy.txt && touch -d @" + future + " racy.txt");
    repo.git("add racy.txt");
    repo.sh("printf two > racy.txt && touch -d @" + future + " racy.txt");
    repo.git("-c core.trustctime=false update-index --index-version 3");
    repo.git("-c core.trustctime=false update-index --index-version 2");  // written twice: no version-3-only flags
    Index index = expect_same_as_git(repo.root(), 2);
    const IndexEntry e = index.entry(*index.find("racy.txt"));
    EXPECT_EQ(e.size, 0u);  // smudged
    EXPECT_EQ(e.mtime.seconds, static_cast<uint32_t>(std::stoul(future)));
    struct stat st {};
    ASSERT_EQ(::lstat((repo.root() + "/racy.txt").c_str(), &st), 0);
    EXPECT_EQ(match_stat(e, st, index.file_mtime()), StatMatch::size_changed);
  }
}

TEST(Index, SplitIndexIsRefused) {
  GitRepo repo;
  repo.init();
  testing::populate(repo);
  repo.git("update-index --split-index");
  auto index = read_index_of(repo.root());
  ASSERT_FALSE(index.ok());
  EXPECT_NE(index.error().find("split index"), std::string::npos) << index.error();
  EXPECT_NE(index.error().find("'link'"), std::string::npos) << index.error();
}

TEST(Index, SparseIndexIsRefused) {
  GitRepo repo;
  repo.init();
  testing::populate(repo);
  repo.git("sparse-checkout set --cone --sparse-index a");
  auto index = read_index_of(repo.root());
  ASSERT_FALSE(index.ok());
  EXPECT_NE(index.error().find("sparse index"), std::string::npos) << index.error();
}

std::string slurp(const std::string& path) { return treeprint::testing::read_file(path); }

void spit(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
}

TEST(Index, DamagedChecksumIsRefusedAndANullOneAccepted) {
  for (const char* format : {"sha1", "sha256"}) {
    SCOPED_TRACE(format);
    GitRepo repo;
    repo.init(format);
    testing::populate(repo);
    const std::string path = repo.root() + "/.git/index";
    const std::string good = slurp(path);
    const size_t hash_size = std::string(format) == "sha1" ? 20 : 32;

    std::string damaged = good;
    damaged[12 + 9] = static_cast<char>(damaged[12 + 9] ^ 1);  // a bit of the first entry's mtime
    spit(path, damaged);
    auto index = read_index_of(repo.root());
    ASSERT_FALSE(index.ok());
    EXPECT_NE(index.error().find("checksum mismatch"), std::string::npos) << index.error();

    std::string bad_trailer = good;
    bad_trailer.back() = static_cast<char>(bad_trailer.back() ^ 0x80);
    spit(path, bad_trailer);
    EXPECT_FALSE(read_index_of(repo.root()).ok());

    // index.skipHash (git 2.40+) writes zeros instead of the checksum; git reads such an index.
    std::string skipped = good;
    std::fill(skipped.end() - static_cast<long>(hash_size), skipped.end(), '\0');
    spit(path, skipped);
    expect_same_as_git(repo.root(), 2);

    // The other object format's hash does not verify: the reader must be told the right one.
    spit(path, good);
    auto wrong = Index::read(path, std::string(format) == "sha1" ? ObjectFormat::sha256 : ObjectFormat::sha1);
    EXPECT_FALSE(wrong.ok());
  }
}

TEST(Index, MissingFileIsEmpty) {
  GitRepo repo;
  repo.init();
  auto index = read_index_of(repo.root());
  ASSERT_TRUE(index.ok()) << index.error();
  EXPECT_TRUE(index->empty());
  EXPECT_FALSE(index->file_exists());
  EXPECT_EQ(index_tree_id(*index)->hex(), write_tree(repo));  // the empty tree
}

using testing::be32;
using testing::finish;
using testing::header;
using testing::v2_entry;

struct Malformed {
  const char* name;
  std::string data;
  const char* message;
};

TEST(Index, MalformedInputIsRefusedWithItsReason) {
  const std::vector<Malformed> cases = {
      {"empty", "", "too short"},
      {"signature", finish("DIRX" + be32(2) + be32(0)), "no DIRC signature"},
      {"version 1", finish(header(1, 0)), "index version 1 is not supported"},
      {"version 5", finish(header(5, 0)), "index version 5 is not supported"},
      {"count too large", finish(header(2, 1000000)), "claims 1,000,000 entries"},
      {"truncated entry", finish(header(2, 2) + v2_entry(std::string(100, 'a')) + std::string(30, '\0')),
       "entry 2 of 2 is truncated"},
      {"unsorted", finish(header(2, 2) + v2_entry("b") + v2_entry("a")), "out of order"},
      {"duplicate", finish(header(2, 2) + v2_entry("a") + v2_entry("a")), "out of order or a duplicate"},
      {"stage 0 beside stage 1", finish(header(2, 2) + v2_entry("a") + v2_entry("a", k_mode_file, 0x1000)),
       "duplicate"},
      {"dot dot", finish(header(2, 1) + v2_entry("a/../b")), "'.' or '..' component"},
      // The part a path shares with the previous one is not checked again; what follows it always is.
      {"dot dot after a shared prefix", finish(header(2, 2) + v2_entry("d/a") + v2_entry("d/a/../b")),
       "('d/a/../b') has a '.' or '..' component"},
      {"dot git completing a shared prefix", finish(header(2, 2) + v2_entry("x/.gi") + v2_entry("x/.git/y")),
       "('x/.git/y') has a '.git' component"},
      {"dot dot ending a shared prefix", finish(header(2, 2) + v2_entry("p/../q") + v2_entry("p/..r")),
       "('p/../q') has a '.' or '..' component"},
      {"absolute", finish(header(2, 1) + v2_entry("/etc/passwd")), "an absolute path"},
      {"dot git", finish(header(2, 1) + v2_entry(".git/config")), "'.git' component"},
      {"dot git any case", finish(header(2, 1) + v2_entry("x/.GiT/hooks")), "'.git' component"},
      {"empty component", finish(header(2, 1) + v2_entry("a//b")), "empty path component"},
      {"mode", finish(header(2, 1) + v2_entry("a", 0100664)), "mode 100664"},
      {"extended in v2", finish(header(2, 1) + v2_entry("a", k_mode_file, 0x4000)), "extended flags"},
      {"required extension", finish(header(2, 1) + v2_entry("a") + "abcd" + be32(0)),
       "unknown required extension 'abcd'"},
      {"extension size", finish(header(2, 1) + v2_entry("a") + "ZZZZ" + be32(100)), "claims 100 bytes"},
      {"extension header", finish(header(2, 1) + v2_entry("a") + "ZZ"), "truncated extension header"},
  };
  for (const auto& c : cases) {
    auto index = Index::parse(c.data, ObjectFormat::sha1, "test");
    ASSERT_FALSE(index.ok()) << c.name;
    EXPECT_NE(index.error().find(c.message), std::string::npos) << c.name << ": " << index.error();
    EXPECT_EQ(index.error().rfind("index 'test': ", 0), 0u) << index.error();
  }
  // Optional extensions are skipped, whatever they hold.
  auto skipped = Index::parse(finish(header(2, 1) + v2_entry("a") + "ZZZZ" + be32(3) + "xyz"), ObjectFormat::sha1);
  ASSERT_TRUE(skipped.ok()) << skipped.error();
  EXPECT_EQ(skipped->path(0), "a");
}

TEST(Index, AttributeFilesAreTheEntriesNamedGitattributes) {
  auto index =
      Index::parse(finish(header(2, 5) + v2_entry(".gitattributes") + v2_entry("a/.gitattributes") +
                          v2_entry("a/x.gitattributes") + v2_entry("b.gitattributes/c") + v2_entry("z/.gitattributes")),
                   ObjectFormat::sha1);
  ASSERT_TRUE(index.ok()) << index.error();
  EXPECT_EQ(index->attribute_files(), (std::vector<uint32_t>{0, 1, 4}));
}

// From 1 MiB on, the checksum is computed beside the parse: it must still be checked, and still come first.
TEST(Index, LargeIndexChecksumIsCheckedToo) {
  GitRepo repo;
  repo.init();
  const std::string blob = repo.rev_parse("--verify $(echo x | git hash-object -w --stdin)");
  const std::string script =
      "i=0; while [ $i -lt 20000 ]; do printf '100644 " + blob +
      "\\tdir%02d/file%05d.txt\\n' $((i % 97)) $i; i=$((i+1)); done | git update-index --index-info";
  ASSERT_EQ(testing::run_in(repo.root(), script).status, 0);
  const std::string path = repo.root() + "/.git/index";
  const std::string good = slurp(path);
  ASSERT_GE(good.size(), size_t{1} << 20);
  auto fine = Index::read(path, ObjectFormat::sha1);
  ASSERT_TRUE(fine.ok()) << fine.error();
  EXPECT_EQ(fine->size(), 20000u);
  expect_same_as_git(repo.root(), 2);

  std::string damaged = good;
  damaged[good.size() / 2] = static_cast<char>(damaged[good.size() / 2] ^ 1);
  spit(path, damaged);
  auto index = Index::read(path, ObjectFormat::sha1);
  ASSERT_FALSE(index.ok());
  EXPECT_NE(index.error().find("checksum mismatch"), std::string::npos) << index.error();

  // Two entries swapped (out of order) and the checksum not recomputed: the damage is what is reported.
  std::string swapped = good;
  const size_t first = swapped.find("dir00/file00000.txt");
  const size_t second = swapped.find("dir00/file00097.txt");
  ASSERT_NE(first, std::string::npos);
  ASSERT_NE(second, std::string::npos);
  swapped.replace(first, 19, "dir00/file00097.txt");
  swapped.replace(second, 19, "dir00/file00000.txt");
  spit(path, swapped);
  index = Index::read(path, ObjectFormat::sha1);
  ASSERT_FALSE(index.ok());
  EXPECT_NE(index.error().find("checksum mismatch"), std::string::npos) << index.error();
  // With the checksum put right, the order is what is wrong.
  spit(path, finish(swapped.substr(0, swapped.size() - 20)));
  index = Index::read(path, ObjectFormat::sha1);
  ASSERT_FALSE(index.ok());
  EXPECT_NE(index.error().find("out of order"), std::string::npos) << index.error();
}

TEST(Index, VersionFourRejectsAPrefixLongerThanThePreviousPath) {
  // Entry "ab", then one dropping 3 bytes of it.
  std::string body = header(4, 2);
  for (auto [strip, suffix] : {std::pair<char, std::string>{0, "ab"}, {3, "c"}}) {
    std::string e(24, '\0');
    e += be32(k_mode_file) + std::string(12, '\0') + std::string(20, '\x11');
    e += '\0';
    e += static_cast<char>(suffix.size() + (strip == 0 ? 0 : 0));
    e += strip;
    e += suffix;
    e += '\0';
    body += e;
  }
  auto index = Index::parse(finish(body), ObjectFormat::sha1);
  ASSERT_FALSE(index.ok());
  EXPECT_NE(index.error().find("drops 3 bytes of a 2-byte previous path"), std::string::npos) << index.error();
}

// 300,000 entries: beyond the file, the reader keeps 12 bytes an entry (and, in version 4, the expanded paths).
TEST(Index, LargeIndexStaysCompact) {
  for (uint32_t version : {2u, 4u}) {
    SCOPED_TRACE("version " + std::to_string(version));
    GitRepo repo;
    repo.init();
    repo.git("update-index --index-version " + std::to_string(version));
    const std::string blob = repo.rev_parse("--verify $(echo x | git hash-object -w --stdin)");
    const std::string script =
        "i=0; while [ $i -lt 300 ]; do j=0; while [ $j -lt 1000 ]; do "
        "printf '100644 " +
        blob +
        "\\tsrc/module%03d/component/file%04d.c\\n' $i $j; j=$((j+1)); done; "
        "i=$((i+1)); done | git update-index --index-info";
    ASSERT_EQ(testing::run_in(repo.root(), script).status, 0);
    const std::string path = repo.root() + "/.git/index";
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    auto index = Index::read(path, ObjectFormat::sha1);
    ASSERT_TRUE(index.ok()) << index.error();
    ASSERT_EQ(index->size(), 300000u);
    EXPECT_EQ(index->version(), version);
    size_t paths = 0;
    for (size_t i = 0; i < index->size(); ++i) paths += index->path(i).size();
    const size_t file = static_cast<size_t>(st.st_size);
    const size_t allowed = file + 300000 * 12 + (version == 4 ? paths : 0) + (64 << 10);
    EXPECT_LE(index->memory_bytes(), allowed) << "file " << file << ", paths " << paths;
    EXPECT_EQ(index->path(299999), "src/module299/component/file0999.c");
    EXPECT_EQ(index_tree_id(*index, TreeSource::entries)->hex(), write_tree(repo));
  }
}

}  // namespace
}  // namespace treeprint::git
