#include "manifest/restore.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <functional>

#include "manifest/tree_builder.h"
#include "test_support.h"
#include "util/sha256.h"

namespace treeprint {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::TempDir;

using Tree = testing::TreeBuilder;

mode_t mode_of(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return 0;
  return st.st_mode;
}

std::string link_text(const std::string& path) {
  char buf[4096];
  const ssize_t n = ::readlink(path.c_str(), buf, sizeof buf);
  return n < 0 ? "(not a link)" : std::string(buf, static_cast<size_t>(n));
}

std::vector<std::string> describe(const RestoreResult& r) {
  std::vector<std::string> out;
  for (const RestoreChange& c : r.changes) {
    const char* kind = c.kind == RestoreKind::set_executable     ? "+x "
                       : c.kind == RestoreKind::clear_executable ? "-x "
                       : c.kind == RestoreKind::create_link      ? "link "
                                                                 : "replace ";
    out.push_back(kind + c.path + (c.target.empty() ? "" : " -> " + c.target));
  }
  return out;
}

std::vector<std::string> kept_paths(const RestoreResult& r) {
  std::vector<std::string> out;
  for (const RestoreKept& k : r.kept) out.push_back(k.path);
  return out;
}

TEST(Restore, SetsTheExecutableBitsTheManifestRecords) {
  TempDir dir;
  dir.write("bin/tool", "#!/bin/sh\n", 0644);
  dir.write("bin/private", "#!/bin/sh\n", 0600);
  dir.write("doc.txt", "text", 0755);
  dir.write("same", "x", 0755);
  Tree t;
  t.file("bin/tool", "#!/bin/sh\n", true).file("bin/private", "#!/bin/sh\n", true).file("doc.txt", "text");
  t.file("same", "x", true);
  auto r = restore_tree(t.manifest(), dir.path(), false);
  ASSERT_TRUE(r) << r.error();
  EXPECT_THAT(describe(*r), ElementsAre("+x bin/private", "+x bin/tool", "-x doc.txt"));
  EXPECT_TRUE(r->kept.empty());
  EXPECT_EQ(mode_of(dir / "bin/tool") & 07777, 0755u);
  EXPECT_EQ(mode_of(dir / "bin/private") & 07777, 0700u);  // x only where r is
  EXPECT_EQ(mode_of(dir / "doc.txt") & 07777, 0644u);
  EXPECT_EQ(mode_of(dir / "same") & 07777, 0755u);
}

TEST(Restore, RecreatesMissingLinksWhoseTargetStaysInside) {
  TempDir dir;
  dir.write("lib/libx.so.1", "ELF");
  Tree t;
  t.file("lib/libx.so.1", "ELF").link("lib/libx.so", "libx.so.1").link("top", "lib/libx.so");
  t.link("dangling", "not/there").link("up", "lib/../lib/libx.so.1");
  auto r = restore_tree(t.manifest(), dir.path(), false);
  ASSERT_TRUE(r) << r.error();
  EXPECT_THAT(describe(*r), ElementsAre("link dangling -> not/there", "link lib/libx.so -> libx.so.1",
                                        "link top -> lib/libx.so", "link up -> lib/../lib/libx.so.1"));
  EXPECT_EQ(link_text(dir / "lib/libx.so"), "libx.so.1");
  EXPECT_EQ(link_text(dir / "top"), "lib/libx.so");
  EXPECT_EQ(link_text(dir / "dangling"), "not/there");
}

TEST(Restore, ReplacesACopyOnlyWhenItHoldsTheTargetsBytes) {
  TempDir dir;
  dir.write("real/data", "the bytes");
  dir.write("copy", "the bytes");       // what an upload makes of `copy -> real/data`
  dir.write("via/chain", "the bytes");  // `via/chain -> ../hop`, `hop -> real/data`
  dir.write("other", "other bytes");    // `other -> real/data`, but not its bytes
  dir.write("same-size", "the bytez");  // one byte differs
  Tree t;
  t.file("real/data", "the bytes").link("copy", "real/data").link("hop", "real/data").link("via/chain", "../hop");
  t.link("other", "real/data").link("same-size", "./real/data");
  auto r = restore_tree(t.manifest(), dir.path(), false);
  ASSERT_TRUE(r) << r.error();
  EXPECT_THAT(describe(*r),
              ElementsAre("replace copy -> real/data", "link hop -> real/data", "replace via/chain -> ../hop"));
  ASSERT_THAT(kept_paths(*r), ElementsAre("other", "same-size"));
  EXPECT_THAT(r->kept[0].reason, HasSubstr("differs from its target 'real/data'"));
  EXPECT_EQ(link_text(dir / "copy"), "real/data");
  EXPECT_EQ(link_text(dir / "via/chain"), "../hop");
  EXPECT_EQ(testing::read_file(dir / "other"), "other bytes");
  EXPECT_EQ(testing::read_file(dir / "same-size"), "the bytez");
  EXPECT_EQ(testing::read_file(dir / "copy"), "the bytes");  // through the new link
}

TEST(Restore, NeverMakesALinkThatLeavesTheTree) {
  TempDir outside;
  outside.write("secret", "s3cret");
  TempDir dir;
  dir.mkdir("sub");
  dir.write("abs-copy", "s3cret");
  dir.write("rel-copy", "s3cret");
  Tree t;
  t.link("abs", outside / "secret").link("abs-copy", outside / "secret");
  t.link("sub/rel", "../../x").link("rel-copy", "sub/../../secret");
  // Through another link of the manifest: `sub/up -> ..` is inside, but `esc -> sub/up/..` is not.
  t.link("sub/up", "..").link("esc", "sub/up/../y");
  auto r = restore_tree(t.manifest(), dir.path(), false);
  ASSERT_TRUE(r) << r.error();
  EXPECT_THAT(describe(*r), ElementsAre("link sub/up -> .."));
  EXPECT_THAT(kept_paths(*r), ElementsAre("abs", "abs-copy", "esc", "rel-copy", "sub/rel"));
  for (const RestoreKept& k : r->kept) EXPECT_THAT(k.reason, HasSubstr("leaves the tree")) << k.path;
  for (const char* p : {"abs", "esc", "sub/rel"}) EXPECT_EQ(mode_of(dir / p), 0u) << p;
  EXPECT_TRUE(S_ISREG(mode_of(dir / "abs-copy")));
  EXPECT_TRUE(S_ISREG(mode_of(dir / "rel-copy")));
}

TEST(Restore, DryRunChangesNothingAndSaysTheSame) {
  TempDir dir;
  dir.write("tool", "t", 0644);
  dir.write("copy", "t");
  Tree t;
  t.file("tool", "t", true).link("copy", "tool").link("missing", "tool");
  auto dry = restore_tree(t.manifest(), dir.path(), true);
  ASSERT_TRUE(dry) << dry.error();
  EXPECT_THAT(describe(*dry), ElementsAre("replace copy -> tool", "link missing -> tool", "+x tool"));
  EXPECT_EQ(mode_of(dir / "tool") & 07777, 0644u);
  EXPECT_TRUE(S_ISREG(mode_of(dir / "copy")));
  EXPECT_EQ(mode_of(dir / "missing"), 0u);
  auto real = restore_tree(t.manifest(), dir.path(), false);
  ASSERT_TRUE(real) << real.error();
  EXPECT_EQ(describe(*real), describe(*dry));
  EXPECT_EQ(link_text(dir / "copy"), "tool");
  EXPECT_EQ(link_text(dir / "missing"), "tool");
}

TEST(Restore, NeverFollowsASymlinkThatIsInTheWay) {
  TempDir outside;
  outside.write("tool", "t", 0644);
  outside.write("file", "f", 0644);
  outside.mkdir("d");
  TempDir dir;
  dir.symlink(outside.path(), "bin");       // the manifest has a directory `bin`
  dir.symlink(outside / "file", "script");  // the manifest has a file `script`
  dir.symlink(outside / "d", "lib");        // the manifest has `lib/libx.so -> libx.so.1`
  Tree t;
  t.file("bin/tool", "t", true).file("script", "f", true).file("lib/libx.so.1", "x").link("lib/libx.so", "libx.so.1");
  auto r = restore_tree(t.manifest(), dir.path(), false);
  ASSERT_TRUE(r) << r.error();
  EXPECT_TRUE(r->changes.empty()) << describe(*r)[0];
  ASSERT_THAT(kept_paths(*r), ElementsAre("bin/tool", "lib/libx.so", "lib/libx.so.1"));
  EXPECT_THAT(r->kept[0].reason, HasSubstr("not a directory"));
  EXPECT_EQ(mode_of(outside / "tool") & 07777, 0644u);
  EXPECT_EQ(mode_of(outside / "file") & 07777, 0644u);
  EXPECT_EQ(mode_of(outside / "d/libx.so"), 0u);
}

TEST(Restore, RefusesAManifestThatReachesThroughItsOwnEntries) {
  struct Case {
    const char* name;
    std::function<void(Tree&)> add;
    const char* message;
  };
  const Case cases[] = {
      {"below a symlink", [](Tree& t) { t.link("d", "/tmp").file("d/evil", "x", true); },
       "the manifest lists 'd/evil' below 'd', which it lists as a symlink"},
      {"below an inside symlink", [](Tree& t) { t.link("d", "real").file("real/x", "x").link("d/x2", "x"); },
       "the manifest lists 'd/x2' below 'd', which it lists as a symlink"},
      {"below a file", [](Tree& t) { t.file("f", "x").file("f/g", "y"); },
       "the manifest lists 'f/g' below 'f', which it lists as a file"},
      {"below a special file", [](Tree& t) { t.special("p").link("p/q", "r"); },
       "the manifest lists 'p/q' below 'p', which it lists as a special file"},
      {"file and symlink", [](Tree& t) { t.file("a", "x").link("a", "b"); }, "the manifest lists 'a' twice"},
  };
  for (const Case& c : cases) {
    TempDir dir;
    dir.write("tool", "t", 0644);
    dir.mkdir("d");
    dir.mkdir("real");
    Tree t;
    t.file("tool", "t", true).link("zlink", "tool");
    c.add(t);
    EXPECT_FALSE(check_restorable(t.manifest())) << c.name;
    auto r = restore_tree(t.manifest(), dir.path(), false);
    ASSERT_FALSE(r) << c.name;
    EXPECT_THAT(r.error(), HasSubstr(c.message)) << c.name;
    EXPECT_THAT(r.error(), HasSubstr("nothing was changed")) << c.name;
    EXPECT_EQ(mode_of(dir / "tool") & 07777, 0644u) << c.name;  // what would have been restored first
    EXPECT_EQ(mode_of(dir / "zlink"), 0u) << c.name;
    EXPECT_EQ(mode_of(dir / "d/evil"), 0u) << c.name;
  }
}

TEST(Restore, LeavesADirectoryWhereALinkWasAndFilesNotInTheManifest) {
  TempDir dir;
  dir.write("real/a", "A");
  dir.write("linkdir/a", "A");  // an upload's copy of `linkdir -> real`
  dir.write("extra", "e", 0644);
  Tree t;
  t.file("real/a", "A").link("linkdir", "real");
  auto r = restore_tree(t.manifest(), dir.path(), false);
  ASSERT_TRUE(r) << r.error();
  EXPECT_TRUE(r->changes.empty());
  ASSERT_THAT(kept_paths(*r), ElementsAre("linkdir"));
  EXPECT_THAT(r->kept[0].reason, HasSubstr("a directory is where the link to 'real' was"));
  EXPECT_EQ(testing::read_file(dir / "linkdir/a"), "A");
  EXPECT_EQ(mode_of(dir / "extra") & 07777, 0644u);
}

TEST(Restore, FailsWhenTheDirectoryCannotBeOpened) {
  TempDir dir;
  Tree t;
  t.file("a", "x");
  auto r = restore_tree(t.manifest(), dir / "nope", false);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error(), HasSubstr("cannot open the directory"));
}

TEST(Restore, HiddenPathsAreThoseWithASegmentStartingWithADot) {
  Tree t;
  t.file(".env", "x").file("a/.hidden/b", "y").file("a/b.c", "z").file("visible", "v").link(".link", "visible");
  t.link("a/x", ".env");
  const auto hidden = hidden_paths(t.manifest());
  EXPECT_THAT(std::vector<std::string>(hidden.begin(), hidden.end()), ElementsAre(".env", ".link", "a/.hidden/b"));
}

}  // namespace
}  // namespace treeprint
