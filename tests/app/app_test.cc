#include "app/app.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/crypto.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <map>

#include "app/version.h"
#include "git/git_repo.h"
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

AppRun run(std::vector<std::string> args, FileSystem* fs = nullptr, std::map<std::string, std::string> env = {}) {
  RealFileSystem real;
  char* out_buf = nullptr;
  char* err_buf = nullptr;
  size_t out_size = 0, err_size = 0;
  std::FILE* out = open_memstream(&out_buf, &out_size);
  std::FILE* err = open_memstream(&err_buf, &err_size);
  AppContext ctx{fs != nullptr ? *fs : real, out, err, environment_from(std::move(env))};
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
  EXPECT_EQ(r.out, std::string("treeprint ") + k_version + "\n" + OpenSSL_version(OPENSSL_VERSION) + "\n");
  EXPECT_THAT(r.out, HasSubstr("\nOpenSSL 3."));
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

// The disk fills up while the manifest is written: the scan fails (exit 2) naming the path and the cause, and the
// manifest of the run before is still there, byte for byte.
TEST(App, NoSpaceWhileWritingTheManifestKeepsTheOldOne) {
  TempDir dir;
  for (int i = 0; i < 2000; ++i) dir.write("tree/f" + std::to_string(i), std::to_string(i));
  ASSERT_EQ(run({"scan", dir / "tree", "-o", dir / "m.json"}).code, k_exit_ok);
  const std::string before = testing::read_file(dir / "m.json");
  ASSERT_GT(before.size(), 300u << 10);  // more than the writer buffers: the failure comes mid-manifest
  dir.write("tree/new", "changed");
  testing::FaultFileSystem fs;
  fs.on_write = [](int, size_t, uint64_t written) -> std::optional<long> {
    if (written > 0) return -ENOSPC;
    return std::nullopt;
  };
  const AppRun r = run({"scan", dir / "tree", "-o", dir / "m.json"}, &fs);
  EXPECT_EQ(r.code, k_exit_fatal);
  EXPECT_THAT(r.err, HasSubstr("treeprint: error: writing '" + (dir / "m.json") + "' failed: No space left on device"));
  EXPECT_GT(fs.written, 0u);
  EXPECT_EQ(testing::read_file(dir / "m.json"), before);
}

// A read error in the middle of a manifest: inspect fails (exit 2) with a message naming the file.
TEST(App, AReadErrorInAManifestIsAClearError) {
  TempDir dir;
  dir.write("tree/a", "x");
  ASSERT_EQ(run({"scan", dir / "tree", "-o", dir / "m.json"}).code, k_exit_ok);
  testing::FaultFileSystem fs;
  fs.on_read_at = [](int, size_t, uint64_t) -> std::optional<long> { return -EIO; };
  const AppRun r = run({"inspect", dir / "m.json"}, &fs);
  EXPECT_EQ(r.code, k_exit_fatal);
  EXPECT_EQ(r.err,
            "treeprint: error: " + (dir / "m.json") + ": cannot read '" + (dir / "m.json") + "': Input/output error\n");
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

// The binary as a CI step: no arguments, settings and runner files in the environment.
struct ActionRun {
  AppRun run;
  std::string outputs;
  std::string summary;
};

ActionRun run_action_mode(const TempDir& dir, std::map<std::string, std::string> env, FileSystem* fs = nullptr) {
  env.emplace("GITHUB_ACTIONS", "true");
  env.emplace("GITHUB_WORKSPACE", dir.path());
  env.emplace("RUNNER_TEMP", dir / "tmp");
  env.emplace("GITHUB_OUTPUT", dir / "output");
  env.emplace("GITHUB_STEP_SUMMARY", dir / "summary");
  env.emplace("INPUT_SUMMARY", "none");
  dir.write("output", "");
  dir.write("summary", "");
  ActionRun r;
  char* cwd = ::getcwd(nullptr, 0);  // the action enters the workspace; the other tests expect to stay here
  r.run = run({}, fs, env);
  EXPECT_EQ(::chdir(cwd), 0);
  std::free(cwd);
  r.outputs = testing::read_file(dir / "output");
  r.summary = testing::read_file(dir / "summary");
  return r;
}

// name -> value, read from GITHUB_OUTPUT the way the runner reads it.
std::map<std::string, std::string> parse_outputs(const std::string& text) {
  std::map<std::string, std::string> out;
  size_t at = 0;
  while (at < text.size()) {
    const size_t eol = text.find('\n', at);
    const std::string line = text.substr(at, eol - at);
    const size_t mark = line.find("<<");
    const std::string name = line.substr(0, mark), delim = line.substr(mark + 2);
    const size_t end = text.find("\n" + delim + "\n", eol);
    out[name] = end == eol ? "" : text.substr(eol + 1, end - eol - 1);
    at = end + delim.size() + 2;
  }
  return out;
}

TEST(Action, ScansWritesOutputsAndTheJobSummary) {
  TempDir dir;
  dir.write("tree/a.txt", "hello");
  dir.write("tree/sub/b.bin", "world!");
  const ActionRun r = run_action_mode(dir, {{"INPUT_PATH", dir / "tree"}, {"INPUT_SHA256SUM-PATH", dir / "sums"}});
  EXPECT_EQ(r.run.code, k_exit_ok) << r.run.err;
  const auto out = parse_outputs(r.outputs);
  EXPECT_EQ(out.at("manifest-path"), dir / "tmp/treeprint/manifest.json");
  EXPECT_EQ(out.at("sha256sum-path"), dir / "sums");
  EXPECT_EQ(out.at("files"), "2");
  EXPECT_EQ(out.at("bytes"), "11");
  EXPECT_EQ(out.at("errors"), "0");
  EXPECT_EQ(out.at("changed"), "");
  EXPECT_EQ(out.at("summary-url"), "");
  EXPECT_THAT(out.at("digest"), StartsWith("sha256:"));
  EXPECT_TRUE(exists(dir / "tmp/treeprint/manifest.json"));
  EXPECT_THAT(testing::read_file(dir / "tmp/treeprint/manifest.json"), HasSubstr(out.at("digest")));
  EXPECT_THAT(r.summary, HasSubstr(out.at("digest").substr(7)));
  EXPECT_THAT(r.run.out, HasSubstr("::group::treeprint: scanning"));
}

TEST(Action, BadInputsFailBeforeAnyWorkAndNameTheInput) {
  TempDir dir;
  dir.write("tree/a.txt", "hello");
  const ActionRun r = run_action_mode(
      dir, {{"INPUT_PATH", dir / "tree"}, {"INPUT_FAIL-ON", "sometimes"}, {"INPUT_EXCLUDE", "ok\n[bad"}});
  EXPECT_EQ(r.run.code, k_exit_fatal);
  EXPECT_THAT(r.run.out,
              HasSubstr("::error::fail-on (INPUT_FAIL-ON): 'sometimes' is not one of: never, errors, changes"));
  EXPECT_THAT(r.run.out, HasSubstr("::error::exclude (INPUT_EXCLUDE line 2)"));
  EXPECT_EQ(r.outputs, "");
  EXPECT_FALSE(exists(dir / "tmp/treeprint/manifest.json"));
}

TEST(Action, UnreadableFilesAreAnnotatedAndFailPerFailOn) {
  TempDir dir;
  dir.write("tree/ok.txt", "fine");
  dir.write("tree/locked.txt", "secret");
  testing::FaultFileSystem fs;
  fs.on_open_file = [](const char* name) -> std::optional<int> {
    return std::string_view(name) == "locked.txt" ? std::optional<int>(-EACCES) : std::nullopt;
  };
  ActionRun r = run_action_mode(dir, {{"INPUT_PATH", "tree"}}, &fs);
  EXPECT_EQ(r.run.code, k_exit_partial);
  EXPECT_THAT(r.run.out, HasSubstr("::error file=tree/locked.txt,title=treeprint%3A not hashed::cannot open"));
  EXPECT_EQ(parse_outputs(r.outputs).at("errors"), "1");
  r = run_action_mode(dir, {{"INPUT_PATH", "tree"}, {"INPUT_FAIL-ON", "never"}}, &fs);
  EXPECT_EQ(r.run.code, k_exit_ok);
}

TEST(Action, ComparesWithABaselineManifest) {
  TempDir dir;
  dir.write("tree/same.txt", "same");
  dir.write("tree/old.txt", "old");
  ASSERT_EQ(run({"scan", dir / "tree", "-o", dir / "before.json", "-q"}).code, k_exit_ok);
  ASSERT_EQ(::unlink((dir / "tree/old.txt").c_str()), 0);
  dir.write("tree/new.txt", "new content");
  std::map<std::string, std::string> env = {{"INPUT_PATH", dir / "tree"}, {"INPUT_BASELINE", dir / "before.json"}};
  ActionRun r = run_action_mode(dir, env);
  EXPECT_EQ(r.run.code, k_exit_ok) << r.run.out << r.run.err;
  auto out = parse_outputs(r.outputs);
  EXPECT_EQ(out.at("changed"), "2");
  EXPECT_EQ(out.at("added"), "1");
  EXPECT_EQ(out.at("removed"), "1");
  EXPECT_THAT(r.summary, HasSubstr("new.txt"));
  env["INPUT_FAIL-ON"] = "changes";
  EXPECT_EQ(run_action_mode(dir, env).run.code, k_exit_partial);
}

// A stat file beside a baseline path (written by `scan --baseline`) is read before the scan: files whose stat data
// is unchanged are not opened, and the comparison is with the same manifest.
TEST(Action, ABaselinePathsStatFileSparesReadingUnchangedFiles) {
  TempDir dir;
  dir.write("tree/same.txt", "same");
  dir.write("tree/also.txt", "also the same");
  dir.write("tree/edited.txt", "before");
  // Files changed within two seconds of a scan are never trusted by their stat data: let them age.
  ::usleep(2'100'000);
  ASSERT_EQ(run({"scan", dir / "tree", "-o", dir / "before.json", "--baseline", dir / "before.json", "-q"}).code,
            k_exit_ok);
  ASSERT_TRUE(std::filesystem::exists(dir / "before.json.stat"));
  dir.write("tree/edited.txt", "after!");
  std::vector<std::string> opened;
  testing::FaultFileSystem fs;
  fs.on_open_file = [&](const char* name) -> std::optional<int> {
    opened.emplace_back(name);
    return std::nullopt;
  };
  ActionRun r = run_action_mode(dir, {{"INPUT_PATH", "tree"}, {"INPUT_BASELINE", "before.json"}}, &fs);
  EXPECT_EQ(r.run.code, k_exit_ok) << r.run.out << r.run.err;
  EXPECT_EQ(opened, std::vector<std::string>{"edited.txt"});
  auto out = parse_outputs(r.outputs);
  EXPECT_EQ(out.at("changed"), "1");
  EXPECT_EQ(out.at("modified-files"), "edited.txt");
  // The manifest is the one a full scan writes.
  ASSERT_EQ(run({"scan", dir / "tree", "-o", dir / "full.json", "-q"}).code, k_exit_ok);
  EXPECT_EQ(testing::read_file(dir / "tmp/treeprint/manifest.json"), testing::read_file(dir / "full.json"));
  // A stat file that belongs to another manifest is a note; every file is read, and the comparison still made.
  dir.write("before.json.stat", "not a stat file");
  opened.clear();
  r = run_action_mode(dir, {{"INPUT_PATH", "tree"}, {"INPUT_BASELINE", "before.json"}}, &fs);
  EXPECT_EQ(r.run.code, k_exit_ok) << r.run.out << r.run.err;
  EXPECT_THAT(r.run.err, HasSubstr("not reusing 'before.json.stat': not a stat file"));
  EXPECT_EQ(opened.size(), 3u);
  EXPECT_EQ(parse_outputs(r.outputs).at("modified-files"), "edited.txt");
}

// The stat file lives beside a manifest written to a file; a manifest on standard output has none (none is made as
// "-.stat" in the working directory).
TEST(Scan, AManifestOnStandardOutputHasNoStatFile) {
  TempDir dir;
  dir.write("tree/a.txt", "a");
  dir.mkdir("cwd");
  char* cwd = ::getcwd(nullptr, 0);
  ASSERT_EQ(::chdir((dir / "cwd").c_str()), 0);
  const AppRun r = run({"scan", dir / "tree", "-o", "-", "--baseline", dir / "missing.json", "-q"});
  EXPECT_EQ(::chdir(cwd), 0);
  std::free(cwd);
  EXPECT_EQ(r.code, k_exit_ok) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"path\": \"a.txt\""));
  EXPECT_FALSE(exists(dir / "cwd/-.stat"));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir / "cwd"), std::filesystem::directory_iterator()), 0);
}

// In a git work tree, one load of a baseline path with a stat file serves both reuses: a clean tracked file is
// taken through the index from the manifest the stat cache holds, a file git calls modified (edited before the
// baseline and not added) through its unchanged stat data; only the file edited since is read.
TEST(Action, ABaselineWithAStatFileServesTheStatCacheAndTheGitFastPath) {
  TempDir dir;
  dir.write("tree/clean.txt", "clean");
  dir.write("tree/dirty.txt", "committed");
  dir.write("tree/edited.txt", "before");
  ASSERT_EQ(git::testing::run_in(dir / "tree", "git init -q && git add -A && git commit -qm base").status, 0);
  dir.write("tree/dirty.txt", "not committed");
  // Old stat data, and the index refreshed to it: no entry racily clean. Then let the changes age past the stat
  // cache's racy margin.
  ASSERT_EQ(
      git::testing::run_in(dir / "tree", "touch -d @1600000000 *.txt && git update-index -q --refresh; true").status,
      0);
  ::usleep(2'100'000);
  ASSERT_EQ(run({"scan", dir / "tree", "-o", dir / "before.json", "--baseline", dir / "before.json", "-q"}).code,
            k_exit_ok);
  ASSERT_TRUE(std::filesystem::exists(dir / "before.json.stat"));
  dir.write("tree/edited.txt", "after!");
  std::vector<std::string> opened;
  testing::FaultFileSystem fs;
  fs.on_open_file = [&](const char* name) -> std::optional<int> {
    opened.emplace_back(name);
    return std::nullopt;
  };
  ActionRun r = run_action_mode(dir, {{"INPUT_PATH", "tree"}, {"INPUT_BASELINE", "before.json"}}, &fs);
  EXPECT_EQ(r.run.code, k_exit_ok) << r.run.out << r.run.err;
  EXPECT_EQ(opened, std::vector<std::string>{"edited.txt"});
  EXPECT_THAT(r.run.err, HasSubstr("treeprint: baseline: 1 digests taken from before.json without reading the files"));
  EXPECT_EQ(parse_outputs(r.outputs).at("modified-files"), "edited.txt");
  ASSERT_EQ(run({"scan", dir / "tree", "-o", dir / "full.json", "-q"}).code, k_exit_ok);
  EXPECT_EQ(testing::read_file(dir / "tmp/treeprint/manifest.json"), testing::read_file(dir / "full.json"));
}

// A pull request writes the config file: its paths may not lead out of the workspace, by `..`, an absolute path
// or a symlink. Nothing is written, created or read outside, and the step fails naming the input.
TEST(Action, PathsFromTheConfigFileStayInTheWorkspace) {
  TempDir outside;
  outside.write("victim/existing.conf", "precious");
  outside.write("secret.json", R"({"AWS_SECRET_ACCESS_KEY": "x"})");
  TempDir dir;
  dir.write("tree/a.txt", "hello");
  dir.symlink(outside.path(), "tree/out");
  const std::string rel_victim = "../../../../../../../../.." + outside.path() + "/victim/existing.conf";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"manifest-path", rel_victim},
      {"manifest-path", outside / "victim/existing.conf"},
      {"manifest-path", "tree/out/victim/existing.conf"},
      {"sha256sum-path", outside / "newdir/deep/hook.sh"},
      {"sha256sum-path", "tree/out/newdir/hook.sh"},
      {"path", "../../../../../../../../.." + outside.path()},
      {"path", outside.path()},
      {"path", "tree/out"},
      {"restore", outside.path()},
      {"restore", "tree/out"},
  };
  for (const auto& [key, value] : cases) {
    dir.write("treeprint.yml", key + ": \"" + value + "\"\n");
    std::map<std::string, std::string> env = {{"INPUT_CONFIG", "treeprint.yml"}};
    if (key != "path") env["INPUT_PATH"] = "tree";  // an input would win over the file
    const ActionRun r = run_action_mode(dir, env);
    EXPECT_EQ(r.run.code, k_exit_fatal) << key << ": " << value << "\n" << r.run.out << r.run.err;
    EXPECT_THAT(r.run.out, HasSubstr("::error::" + key + " (treeprint.yml:1:")) << r.run.out;
    EXPECT_EQ(testing::read_file(outside / "victim/existing.conf"), "precious");
    EXPECT_FALSE(exists(outside / "newdir"));
    EXPECT_EQ(r.outputs, "");
  }
  // The same places, named by the workflow itself: an absolute path is the author's choice ...
  ActionRun r = run_action_mode(dir, {{"INPUT_PATH", "tree/a.txt/.."}, {"INPUT_MANIFEST-PATH", outside / "m.json"}});
  EXPECT_EQ(r.run.code, k_exit_fatal);  // (a file is not a directory)
  r = run_action_mode(dir, {{"INPUT_PATH", "tree"}, {"INPUT_MANIFEST-PATH", outside / "m.json"}});
  EXPECT_EQ(r.run.code, k_exit_ok) << r.run.out << r.run.err;
  EXPECT_TRUE(exists(outside / "m.json"));
  // ... but a path inside the workspace still cannot be led out by a symlink the pull request planted.
  r = run_action_mode(dir, {{"INPUT_PATH", "tree"}, {"INPUT_MANIFEST-PATH", "tree/out/victim/existing.conf"}});
  EXPECT_EQ(r.run.code, k_exit_fatal);
  EXPECT_THAT(r.run.out, HasSubstr("::error::manifest-path (INPUT_MANIFEST-PATH): cannot write "
                                   "'tree/out/victim/existing.conf' leads outside the workspace"));
  EXPECT_EQ(testing::read_file(outside / "victim/existing.conf"), "precious");
}

// A symlink at the output's name is replaced, never written through.
TEST(Action, ASymlinkAtTheOutputNameIsReplacedNotFollowed) {
  TempDir outside;
  outside.write("target", "precious");
  TempDir dir;
  dir.write("tree/a.txt", "hello");
  dir.symlink(outside / "target", "m.json");
  const ActionRun r = run_action_mode(dir, {{"INPUT_PATH", "tree"}, {"INPUT_MANIFEST-PATH", "m.json"}});
  EXPECT_EQ(r.run.code, k_exit_ok) << r.run.out << r.run.err;
  EXPECT_EQ(testing::read_file(outside / "target"), "precious");
  struct stat st {};
  ASSERT_EQ(::lstat((dir / "m.json").c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
}

// The changes file goes beside the manifest by the same rules: a symlink at its name is replaced, never followed.
TEST(Action, TheChangesFileIsWrittenBesideTheManifestNeverThroughASymlink) {
  TempDir outside;
  outside.write("target", "precious");
  TempDir dir;
  dir.write("tree/a.txt", "hello");
  dir.write("tree/b.txt", "world");
  dir.mkdir("out");
  dir.symlink(outside / "target", "out/m.changes.json");
  const ActionRun r = run_action_mode(
      dir, {{"INPUT_PATH", "tree"}, {"INPUT_MANIFEST-PATH", "out/m.json"}, {"INPUT_FILTERS", "text: ['*.txt']"}});
  EXPECT_EQ(r.run.code, k_exit_ok) << r.run.out << r.run.err;
  EXPECT_EQ(testing::read_file(outside / "target"), "precious");
  struct stat st {};
  ASSERT_EQ(::lstat((dir / "out/m.changes.json").c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  const auto out = parse_outputs(r.outputs);
  EXPECT_EQ(out.at("changes-path"), "out/m.changes.json");
  EXPECT_EQ(out.at("any-changed"), "true");  // no baseline: everything is added
  EXPECT_EQ(out.at("added-files"), "a.txt\nb.txt");
  EXPECT_EQ(out.at("text-files"), "a.txt\nb.txt");
  EXPECT_EQ(out.at("changes"), "[\"text\"]");
  EXPECT_THAT(testing::read_file(dir / "out/m.changes.json"), HasSubstr("\"added\": [\"a.txt\", \"b.txt\"]"));
}

// A hashFiles() pattern that matches a broken symlink fails the step as hashFiles() does, before anything is sent.
TEST(Action, HashFilesFailureFailsTheStep) {
  TempDir dir;
  dir.write("tree/a.txt", "hello");
  dir.symlink("nowhere", "tree/broken.lock");
  const ActionRun r =
      run_action_mode(dir, {{"INPUT_PATH", "tree"}, {"INPUT_HASH-FILES", "tree/*.lock"}, {"INPUT_SUMMARY", "none"}});
  EXPECT_EQ(r.run.code, k_exit_fatal) << r.run.out << r.run.err;
  EXPECT_THAT(r.run.out, HasSubstr("::error::hash-files: "));
  const ActionRun ok = run_action_mode(dir, {{"INPUT_PATH", "tree"}, {"INPUT_HASH-FILES", "tree/*.txt"}});
  EXPECT_EQ(ok.run.code, k_exit_ok) << ok.run.out << ok.run.err;
  EXPECT_THAT(parse_outputs(ok.outputs).at("hash"), ::testing::MatchesRegex("[0-9a-f]{64}"));
}

// What treeprint creates in a workspace owned by someone else gets that owner: the manifest and each directory it
// made (through their fds); what was already there keeps its own.
TEST(Action, WhatItCreatesGetsTheWorkspacesOwner) {
  if (::geteuid() != 0) GTEST_SKIP() << "changing owners needs root";
  TempDir dir;
  dir.write("tree/a.txt", "hello");
  dir.mkdir("existing");
  ASSERT_EQ(::chown(dir.path().c_str(), 4242, 4343), 0);
  const ActionRun r = run_action_mode(dir, {{"INPUT_PATH", "tree"},
                                            {"INPUT_MANIFEST-PATH", "existing/new/deeper/m.json"},
                                            {"INPUT_SHA256SUM-PATH", "sums"}});
  EXPECT_EQ(r.run.code, k_exit_ok) << r.run.out << r.run.err;
  const auto owner = [](const std::string& p) {
    struct stat st {};
    EXPECT_EQ(::lstat(p.c_str(), &st), 0) << p;
    return std::to_string(st.st_uid) + ":" + std::to_string(st.st_gid);
  };
  EXPECT_EQ(owner(dir / "existing/new"), "4242:4343");
  EXPECT_EQ(owner(dir / "existing/new/deeper"), "4242:4343");
  EXPECT_EQ(owner(dir / "existing/new/deeper/m.json"), "4242:4343");
  EXPECT_EQ(owner(dir / "sums"), "4242:4343");
  EXPECT_EQ(owner(dir / "existing"), "0:0");
}

// The token is masked first, exactly as it is sent (trimmed), and only where a runner masks.
TEST(Action, TheTokenIsMaskedFirstAsSentAndNeverPrintedOffARunner) {
  TempDir dir;
  dir.write("tree/a.txt", "hello");
  ActionRun r = run_action_mode(dir, {{"INPUT_PATH", "tree"}, {"INPUT_TOKEN", "  ghs_secretToken123\n"}});
  EXPECT_EQ(r.run.code, k_exit_ok) << r.run.err;
  EXPECT_THAT(r.run.out, StartsWith("::add-mask::ghs_secretToken123\n"));
  EXPECT_EQ(r.run.out.find("%0A"), std::string::npos);

  // Woodpecker (or Drone, or a shell): nothing masks the log, so the token is never printed, and there are no
  // workflow commands, only plain lines.
  dir.write("output", "");
  char* cwd = ::getcwd(nullptr, 0);
  const AppRun w = run({}, nullptr,
                       {{"CI", "woodpecker"},
                        {"CI_WORKSPACE", dir.path()},
                        {"PLUGIN_TOKEN", "ghs_secretToken123"},
                        {"PLUGIN_PATH", dir / "tree"},
                        {"PLUGIN_FAIL_ON", "sometimes"},
                        {"PLUGIN_MANIFEST_PATH", dir / "m.json"}});
  EXPECT_EQ(::chdir(cwd), 0);
  std::free(cwd);
  EXPECT_EQ(w.code, k_exit_fatal);
  EXPECT_EQ((w.out + w.err).find("ghs_secretToken123"), std::string::npos) << w.out << w.err;
  EXPECT_EQ((w.out + w.err).find("::"), std::string::npos) << w.out << w.err;
  EXPECT_THAT(w.out, HasSubstr("treeprint: error: fail-on (PLUGIN_FAIL_ON): 'sometimes' is not one of"));
}

// A baseline that is not a manifest is said to be one without a word of what it holds.
TEST(Action, ABaselineThatIsNotAManifestIsNotQuoted) {
  TempDir dir;
  dir.write("tree/a.txt", "hello");
  dir.write("secrets.json", R"({"AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI"})");
  const ActionRun r = run_action_mode(dir, {{"INPUT_PATH", "tree"}, {"INPUT_BASELINE", "secrets.json"}});
  EXPECT_EQ(r.run.code, k_exit_ok);
  EXPECT_THAT(r.run.out, HasSubstr("::warning::baseline: secrets.json: not a treeprint manifest"));
  EXPECT_EQ((r.run.out + r.run.err + r.summary).find("AWS_SECRET"), std::string::npos);
}

TEST(Action, RunsOnlyWhenTheEnvironmentSaysCi) {
  TempDir dir;
  // Without CI variables, no arguments is a usage error, as before.
  EXPECT_EQ(run({}, nullptr, {}).code, k_exit_fatal);
  EXPECT_THAT(run({}, nullptr, {}).err, HasSubstr("no command given"));
  // Drone and Woodpecker run plugins without arguments too, with PLUGIN_* settings.
  dir.write("tree/a", "a");
  dir.write("output", "");
  char* cwd = ::getcwd(nullptr, 0);
  const AppRun r = run({}, nullptr,
                       {{"DRONE", "true"},
                        {"DRONE_WORKSPACE", dir.path()},
                        {"PLUGIN_PATH", dir / "tree"},
                        {"PLUGIN_SUMMARY", "status"},
                        {"PLUGIN_MANIFEST_PATH", dir / "m.json"}});
  EXPECT_EQ(::chdir(cwd), 0);
  std::free(cwd);
  EXPECT_EQ(r.code, k_exit_ok) << r.err;
  EXPECT_TRUE(exists(dir / "m.json"));
  EXPECT_THAT(r.out, HasSubstr("treeprint: output files=1"));
  // For a later step: the outputs to `source`, the summary as Markdown; a mode Drone lacks is only a warning.
  EXPECT_THAT(testing::read_file(dir / "treeprint.env"), HasSubstr("TREEPRINT_FILES='1'\n"));
  EXPECT_THAT(testing::read_file(dir / "treeprint-summary.md"), HasSubstr("treeprint"));
  EXPECT_THAT(r.out, HasSubstr("treeprint: warning: summary: status is not available here"));
}

// On GitLab the outputs are a dotenv report (50 variables, 5 KB): a change of hundreds of files keeps its lists in
// the changes file and the report stays valid, with the flags and counts a later job branches on.
TEST(Action, GitLabsDotenvReportHoldsTheCountsNotTheLists) {
  TempDir dir;
  for (int i = 0; i < 300; ++i) dir.write("tree/f" + std::to_string(i), std::to_string(i));
  char* cwd = ::getcwd(nullptr, 0);
  const AppRun r = run({"action"}, nullptr,
                       {{"GITLAB_CI", "true"},
                        {"CI_PROJECT_DIR", dir.path()},
                        {"PLUGIN_PATH", dir / "tree"},
                        {"PLUGIN_SUMMARY", "none"},
                        {"PLUGIN_FILTERS", "src: ['f1*']"},
                        {"PLUGIN_MANIFEST_PATH", dir / "m.json"}});
  EXPECT_EQ(::chdir(cwd), 0);
  std::free(cwd);
  EXPECT_EQ(r.code, k_exit_ok) << r.out << r.err;
  const std::string env = testing::read_file(dir / "treeprint.env");
  EXPECT_THAT(env, HasSubstr("TREEPRINT_ANY_CHANGED=true\n"));
  EXPECT_THAT(env, HasSubstr("TREEPRINT_ADDED_FILES_COUNT=300\n"));
  EXPECT_THAT(env, HasSubstr("TREEPRINT_SRC=true\n"));
  EXPECT_THAT(env, Not(HasSubstr("TREEPRINT_ADDED_FILES=")));
  EXPECT_LT(env.size(), 5u * 1024);
  size_t lines = 0;
  for (const char c : env) lines += c == '\n';
  EXPECT_LE(lines, 50u);
  EXPECT_THAT(r.out + r.err, Not(HasSubstr("change outputs:")));
  EXPECT_TRUE(exists(dir / "m.changes.json"));
}

}  // namespace
}  // namespace treeprint
