#include "app/app.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>

#include "app/version.h"
#include "test_support.h"

namespace treeprint {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using testing::TempDir;

struct AppRun {
  int code;
  std::string out;
  std::string err;
};

AppRun run(std::vector<std::string> args, FileSystem* fs = nullptr) {
  RealFileSystem real;
  char* out_buf = nullptr;
  char* err_buf = nullptr;
  size_t out_size = 0, err_size = 0;
  std::FILE* out = open_memstream(&out_buf, &out_size);
  std::FILE* err = open_memstream(&err_buf, &err_size);
  AppContext ctx{fs != nullptr ? *fs : real, out, err};
  args.insert(args.begin(), "treeprint");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  const int code = run_app(static_cast<int>(argv.size()), argv.data(), ctx);
  std::fclose(out);
  std::fclose(err);
  AppRun r{code, std::string(out_buf, out_size), std::string(err_buf, err_size)};
  std::free(out_buf);
  std::free(err_buf);
  return r;
}

bool exists(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0;
}

TEST(App, Version) {
  const AppRun r = run({"--version"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, std::string("treeprint ") + k_version + "\n");
}

TEST(App, CleanScanWritesManifestAndExitsZero) {
  TempDir dir;
  dir.write("tree/a", "x");
  const AppRun r = run({"scan", dir / "tree", "-o", dir / "tree/m.json", "--sha256sum", dir / "sums"});
  EXPECT_EQ(r.code, k_exit_ok) << r.err;
  const std::string manifest = testing::read_file(dir / "tree/m.json");
  EXPECT_THAT(manifest, HasSubstr("\"path\": \"a\""));
  EXPECT_THAT(manifest, ::testing::Not(HasSubstr("m.json")));  // the output inside DIR is never hashed
  EXPECT_EQ(testing::read_file(dir / "sums"), "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881  a\n");
  EXPECT_THAT(r.err, HasSubstr("treeprint: 1 files (1 B)"));
  EXPECT_THAT(r.err, HasSubstr("-> " + (dir / "tree/m.json")));
}

TEST(App, ManifestToStandardOutput) {
  TempDir dir;
  dir.write("a", "x");
  const AppRun r = run({"scan", dir.path(), "-o", "-", "-q"});
  EXPECT_EQ(r.code, 0);
  EXPECT_THAT(r.out, StartsWith("{\n  \"schema\": \"treeprint/manifest/v1\""));
  EXPECT_EQ(r.err, "");
}

TEST(App, UnreadableEntriesExitOne) {
  TempDir dir;
  dir.write("a", "x");
  dir.write("b", "y");
  testing::FaultFileSystem fs;
  fs.on_open_file = [](const char* name) -> std::optional<int> {
    return std::string_view(name) == "b" ? std::optional<int>(-EIO) : std::nullopt;
  };
  const AppRun r = run({"scan", dir.path(), "-o", dir / "m.json"}, &fs);
  EXPECT_EQ(r.code, k_exit_partial);
  EXPECT_THAT(r.err, HasSubstr("treeprint: error: 'b': cannot open: Input/output error\n"));
  EXPECT_THAT(testing::read_file(dir / "m.json"), HasSubstr("\"errors\": 1"));
}

TEST(App, MissingDirIsFatalAndWritesNothing) {
  TempDir dir;
  const AppRun r = run({"scan", dir / "nope", "-o", dir / "m.json"});
  EXPECT_EQ(r.code, k_exit_fatal);
  EXPECT_EQ(r.err, "treeprint: error: cannot open directory '" + (dir / "nope") + "': No such file or directory\n");
  EXPECT_FALSE(exists(dir / "m.json"));
}

TEST(App, UnwritableOutputIsFatalBeforeAnyWork) {
  TempDir dir;
  dir.write("a", "x");
  const AppRun r = run({"scan", dir.path(), "-o", dir / "no/such/dir/m.json"});
  EXPECT_EQ(r.code, k_exit_fatal);
  EXPECT_THAT(r.err, StartsWith("treeprint: error: cannot write '" + (dir / "no/such/dir/m.json") + "'"));
  EXPECT_THAT(r.err, ::testing::Not(HasSubstr("files (")));  // no scan happened
}

TEST(App, UsageErrorsNameTheInput) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"scan", ".", "--since", "last week"}, "treeprint: error: --since 'last week' is not a time"},
      {{"scan", ".", "--exclude", "[oops"}, "treeprint: error: --exclude '[oops': unterminated '[' in pattern"},
      {{"scan", ".", "--threads", "0"}, "treeprint: error: --threads: Value 0 not in range"},
      {{"scan", ".", "--bogus"}, "treeprint: error: The following argument was not expected: --bogus"},
      {{"scan", ".", "-o", "same", "--sha256sum", "same"}, "treeprint: error: -o and --sha256sum name the same file"},
      {{}, "treeprint: error: no command given"},
  };
  for (const auto& c : cases) {
    const AppRun r = run(c.args);
    EXPECT_EQ(r.code, k_exit_fatal) << c.message;
    EXPECT_THAT(r.err, StartsWith(c.message));
  }
}

TEST(App, IncludeAndExcludeKeepCommandLineOrder) {
  TempDir dir;
  dir.write("keep.txt", "");
  dir.write("drop.txt", "");
  dir.write("x.md", "");
  // Last match wins: the later --include re-includes keep.txt.
  AppRun r =
      run({"scan", dir.path(), "-o", "-", "-q", "--include", "*.txt", "--exclude", "*.txt", "--include", "keep.txt"});
  EXPECT_THAT(r.out, HasSubstr("\"keep.txt\""));
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("drop.txt")));
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("x.md")));
  r = run({"scan", dir.path(), "-o", "-", "-q", "--exclude", "*.txt", "--include", "*.txt"});
  EXPECT_THAT(r.out, HasSubstr("\"drop.txt\""));
}

}  // namespace
}  // namespace treeprint
