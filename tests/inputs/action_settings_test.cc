#include "inputs/action_settings.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "test_support.h"

namespace treeprint {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

using Env = std::map<std::string, std::string>;

ActionSettings load_ok(const Env& env) {
  SettingsResult r = load_action_settings(environment_from(env));
  if (auto* errors = std::get_if<std::vector<SettingsError>>(&r)) {
    for (const auto& e : *errors) ADD_FAILURE() << e.message;
    return {};
  }
  return std::get<ActionSettings>(r);
}

std::vector<SettingsError> load_errors(const Env& env) {
  SettingsResult r = load_action_settings(environment_from(env));
  auto* errors = std::get_if<std::vector<SettingsError>>(&r);
  if (errors == nullptr) {
    ADD_FAILURE() << "expected errors, got settings";
    return {};
  }
  return *errors;
}

/// The one error the environment produces.
SettingsError one_error(const Env& env) {
  const auto errors = load_errors(env);
  EXPECT_EQ(errors.size(), 1u);
  return errors.empty() ? SettingsError{} : errors.front();
}

TEST(ActionSettings, Defaults) {
  const ActionSettings s = load_ok({});
  EXPECT_EQ(s.path, ".");
  EXPECT_TRUE(s.include.empty());
  EXPECT_TRUE(s.exclude.empty());
  EXPECT_TRUE(s.gitignore);
  EXPECT_FALSE(s.since_ns.has_value());
  EXPECT_FALSE(s.follow_symlinks);
  EXPECT_EQ(s.threads, 0u);
  EXPECT_EQ(s.manifest_path, "/tmp/treeprint/manifest.json");
  EXPECT_TRUE(s.manifest_path_is_default);
  EXPECT_EQ(s.sha256sum_path, "");
  EXPECT_EQ(s.artifact_name, "treeprint-manifest");
  EXPECT_EQ(s.retention_days, 0u);
  EXPECT_FALSE(s.overwrite);
  EXPECT_EQ(s.baseline, BaselineKind::off);
  EXPECT_EQ(s.summary, SummaryMode::automatic);  // what the CI system offers (inputs/ci_system.h)
  EXPECT_EQ(s.fail_on, FailOn::errors);
  EXPECT_EQ(s.token, "");
  EXPECT_TRUE(s.warnings.empty());
}

TEST(ActionSettings, DefaultManifestIsInRunnerTemp) {
  EXPECT_EQ(load_ok({{"RUNNER_TEMP", "/github/runner_temp/"}}).manifest_path,
            "/github/runner_temp/treeprint/manifest.json");
  EXPECT_EQ(load_ok({{"TMPDIR", "/var/tmp"}}).manifest_path, "/var/tmp/treeprint/manifest.json");
  EXPECT_EQ(load_ok({{"RUNNER_TEMP", "/rt"}, {"TMPDIR", "/var/tmp"}}).manifest_path, "/rt/treeprint/manifest.json");
  const ActionSettings s = load_ok({{"RUNNER_TEMP", "/rt"}, {"INPUT_MANIFEST-PATH", "out/m.json"}});
  EXPECT_EQ(s.manifest_path, "out/m.json");
  EXPECT_FALSE(s.manifest_path_is_default);
}

TEST(ActionSettings, GithubInputsKeepHyphensAndAreTrimmed) {
  EXPECT_EQ(github_input_variable("manifest-path"), "INPUT_MANIFEST-PATH");
  EXPECT_EQ(plugin_input_variable("manifest-path"), "PLUGIN_MANIFEST_PATH");
  const ActionSettings s = load_ok({
      {"INPUT_PATH", " src "},
      {"INPUT_GITIGNORE", "false"},
      {"INPUT_SINCE", "2024-01-02T03:04:05Z"},
      {"INPUT_FOLLOW-SYMLINKS", "True"},
      {"INPUT_THREADS", "3"},
      {"INPUT_MANIFEST-PATH", "m.json"},
      {"INPUT_SHA256SUM-PATH", "m.sha256"},
      {"INPUT_ARTIFACT-NAME", "my manifest"},
      {"INPUT_RETENTION-DAYS", "5"},
      {"INPUT_OVERWRITE", "TRUE"},
      {"INPUT_BASELINE", "previous-run"},
      {"INPUT_SUMMARY", "comment"},
      {"INPUT_FAIL-ON", "changes"},
      {"INPUT_TOKEN", "ghs_secret\n"},
      {"INPUT_MANIFEST_PATH", "ignored.json"},  // not how the runner spells it
  });
  EXPECT_EQ(s.path, "src");
  EXPECT_FALSE(s.gitignore);
  EXPECT_EQ(s.since_ns, 1704164645'000'000'000);
  EXPECT_TRUE(s.follow_symlinks);
  EXPECT_EQ(s.threads, 3u);
  EXPECT_EQ(s.manifest_path, "m.json");
  EXPECT_EQ(s.sha256sum_path, "m.sha256");
  EXPECT_EQ(s.artifact_name, "my manifest");
  EXPECT_EQ(s.retention_days, 5u);
  EXPECT_TRUE(s.overwrite);
  EXPECT_EQ(s.baseline, BaselineKind::previous_run);
  EXPECT_EQ(s.summary, SummaryMode::comment);
  EXPECT_EQ(s.fail_on, FailOn::changes);
  EXPECT_EQ(s.token, "ghs_secret");
}

TEST(ActionSettings, EmptyInputIsUnset) {
  const ActionSettings s = load_ok({{"INPUT_FAIL-ON", ""}, {"INPUT_THREADS", "  \n"}, {"INPUT_PATH", ""}});
  EXPECT_EQ(s.fail_on, FailOn::errors);
  EXPECT_EQ(s.threads, 0u);
  EXPECT_EQ(s.path, ".");
}

TEST(ActionSettings, MultiLineGlobs) {
  const ActionSettings s = load_ok({
      {"INPUT_INCLUDE", "src/\n\n  # a comment\n  *.md  \r\ntrailing\\ \n"},
      {"INPUT_EXCLUDE", "build/"},
  });
  EXPECT_THAT(s.include, ElementsAre("src/", "*.md", "trailing\\ "));
  EXPECT_THAT(s.exclude, ElementsAre("build/"));
  const ScanOptions o = to_scan_options(s);
  ASSERT_EQ(o.filters.size(), 4u);  // includes first, so an exclude wins over an include
  EXPECT_TRUE(o.filters[0].include);
  EXPECT_EQ(o.filters[2].pattern, "trailing\\ ");
  EXPECT_FALSE(o.filters[3].include);
  EXPECT_EQ(o.filters[3].pattern, "build/");
}

TEST(ActionSettings, PluginVariables) {
  const ActionSettings s = load_ok({
      {"PLUGIN_MANIFEST_PATH", "p.json"},
      {"PLUGIN_FOLLOW_SYMLINKS", "true"},
      {"PLUGIN_INCLUDE", "src/, docs/ ,,*.md"},
      {"PLUGIN_EXCLUDE", "[\"a, b\", \"c\"]"},
  });
  EXPECT_EQ(s.manifest_path, "p.json");
  EXPECT_TRUE(s.follow_symlinks);
  EXPECT_THAT(s.include, ElementsAre("src/", "docs/", "*.md"));
  EXPECT_THAT(s.exclude, ElementsAre("a, b", "c"));
}

TEST(ActionSettings, PluginListThatOnlyLooksLikeJsonIsAGlob) {
  EXPECT_THAT(load_ok({{"PLUGIN_INCLUDE", "[ab]c"}}).include, ElementsAre("[ab]c"));
  EXPECT_THAT(load_ok({{"PLUGIN_INCLUDE", "[ab]"}}).include, ElementsAre("[ab]"));
  EXPECT_THAT(load_ok({{"PLUGIN_INCLUDE", "[]"}}).include, ElementsAre());
  EXPECT_THAT(load_ok({{"PLUGIN_INCLUDE", "[\"[ab]\"]"}}).include, ElementsAre("[ab]"));
}

TEST(ActionSettings, GithubInputBeatsPlugin) {
  EXPECT_EQ(load_ok({{"INPUT_FAIL-ON", "never"}, {"PLUGIN_FAIL_ON", "changes"}}).fail_on, FailOn::never);
}

TEST(ActionSettings, BooleansAreStrict) {
  for (const char* t : {"true", "True", "TRUE"}) EXPECT_TRUE(load_ok({{"INPUT_OVERWRITE", t}}).overwrite) << t;
  for (const char* f : {"false", "False", "FALSE"}) {
    EXPECT_FALSE(load_ok({{"INPUT_GITIGNORE", f}}).gitignore) << f;
  }
  for (const char* bad : {"yes", "1", "on", "tRUE"}) {
    const SettingsError e = one_error({{"INPUT_GITIGNORE", bad}});
    EXPECT_EQ(e.input, "gitignore");
    EXPECT_EQ(e.message, "gitignore (INPUT_GITIGNORE): '" + std::string(bad) + "' is not a boolean; use true or false");
  }
}

TEST(ActionSettings, UnknownEnumValueListsTheAllowedOnes) {
  SettingsError e = one_error({{"INPUT_FAIL-ON", "sometimes"}});
  EXPECT_EQ(e.input, "fail-on");
  EXPECT_EQ(e.message, "fail-on (INPUT_FAIL-ON): 'sometimes' is not one of: never, errors, changes");
  e = one_error({{"INPUT_SUMMARY", "check_run"}});
  EXPECT_EQ(e.message,
            "summary (INPUT_SUMMARY): 'check_run' is not one of: auto, check-run, comment, status, none (did you mean "
            "'check-run'?)");
  EXPECT_EQ(one_error({{"INPUT_SUMMARY", "automatic"}}).input, "summary");  // the input is `auto`
  e = one_error({{"PLUGIN_FAIL_ON", "change"}});
  EXPECT_EQ(e.message,
            "fail-on (PLUGIN_FAIL_ON): 'change' is not one of: never, errors, changes (did you mean "
            "'changes'?)");
}

TEST(ActionSettings, BadNumbers) {
  EXPECT_EQ(one_error({{"INPUT_THREADS", "many"}}).message,
            "threads (INPUT_THREADS): 'many' is not a whole number; give the number of worker threads (1 to 1024)");
  EXPECT_EQ(one_error({{"INPUT_THREADS", "0"}}).message,
            "threads (INPUT_THREADS): '0' is out of range; give the number of worker threads (1 to 1024)");
  EXPECT_THAT(one_error({{"INPUT_THREADS", "1025"}}).message, HasSubstr("out of range"));
  EXPECT_THAT(one_error({{"INPUT_THREADS", "-1"}}).message, HasSubstr("is not a whole number"));
  EXPECT_THAT(one_error({{"INPUT_THREADS", "4x"}}).message, HasSubstr("is not a whole number"));
  EXPECT_THAT(one_error({{"INPUT_THREADS", "99999999999999999999"}}).message, HasSubstr("out of range"));
  EXPECT_EQ(load_ok({{"INPUT_RETENTION-DAYS", "400"}}).retention_days, 400u);
  const SettingsError e = one_error({{"INPUT_RETENTION-DAYS", "401"}});
  EXPECT_EQ(e.input, "retention-days");
  EXPECT_THAT(e.message, HasSubstr("'401' is out of range"));
  EXPECT_THAT(e.message, HasSubstr("(1 to 400)"));
}

TEST(ActionSettings, RetentionCappedByTheRepository) {
  const ActionSettings s = load_ok({{"INPUT_RETENTION-DAYS", "120"}, {"GITHUB_RETENTION_DAYS", "90"}});
  EXPECT_EQ(s.retention_days, 90u);
  EXPECT_THAT(s.warnings, ElementsAre("retention-days 120 is more than this repository allows; using 90"));
  EXPECT_EQ(load_ok({{"INPUT_RETENTION-DAYS", "30"}, {"GITHUB_RETENTION_DAYS", "90"}}).retention_days, 30u);
}

TEST(ActionSettings, MalformedGlobNamesTheLine) {
  const SettingsError e = one_error({{"INPUT_INCLUDE", "src/\n# note\nbad[x\n"}});
  EXPECT_EQ(e.input, "include");
  EXPECT_THAT(e.message, HasSubstr("include (INPUT_INCLUDE line 3): 'bad[x': "));
  EXPECT_THAT(e.message, HasSubstr("escape special characters with '\\'"));
  EXPECT_EQ(one_error({{"PLUGIN_EXCLUDE", "ok,bad[x"}}).input, "exclude");
}

TEST(ActionSettings, Since) {
  EXPECT_EQ(load_ok({{"INPUT_SINCE", "10"}}).since_ns, 10'000'000'000);
  const SettingsError e = one_error({{"INPUT_SINCE", "yesterday"}});
  EXPECT_EQ(e.input, "since");
  EXPECT_THAT(e.message, HasSubstr("since (INPUT_SINCE): "));
}

TEST(ActionSettings, ArtifactName) {
  EXPECT_EQ(load_ok({{"GITHUB_JOB", "build"}, {"GITHUB_RUN_ATTEMPT", "2"}}).artifact_name, "treeprint-build-2");
  EXPECT_EQ(load_ok({{"GITHUB_JOB", "build"}}).artifact_name, "treeprint-build-1");
  const SettingsError e = one_error({{"INPUT_ARTIFACT-NAME", "a:b/c:d"}});
  EXPECT_EQ(e.input, "artifact-name");
  EXPECT_EQ(e.message,
            "artifact-name (INPUT_ARTIFACT-NAME): 'a:b/c:d' contains :/; an artifact name cannot contain any of "
            "\" : < > | * ? \\ / or a line break");
  for (const char* bad : {"a\"b", "a<b", "a>b", "a|b", "a*b", "a?b", "a\\b", "a\rb", "a\nb"}) {
    EXPECT_EQ(one_error({{"INPUT_ARTIFACT-NAME", bad}}).input, "artifact-name") << bad;
  }
}

TEST(ActionSettings, Baseline) {
  testing::TempDir dir;
  dir.write("base.json", "{}");
  ActionSettings s = load_ok({{"INPUT_BASELINE", dir / "base.json"}});
  EXPECT_EQ(s.baseline, BaselineKind::path);
  EXPECT_EQ(s.baseline_path, dir / "base.json");
  EXPECT_EQ(load_ok({{"INPUT_BASELINE", "off"}}).baseline, BaselineKind::off);
  const SettingsError e = one_error({{"INPUT_BASELINE", "previous_run"}});
  EXPECT_EQ(e.input, "baseline");
  EXPECT_EQ(e.message,
            "baseline (INPUT_BASELINE): cannot read the manifest 'previous_run': No such file or directory; give "
            "off, previous-run or the path of a manifest (did you mean 'previous-run'?)");
}

TEST(ActionSettings, RestoreNeedsItsManifest) {
  testing::TempDir dir;
  dir.write("m.json", "{}");
  dir.write("dist/a", "a");
  const std::string dist = dir / "dist";
  ActionSettings s = load_ok({{"INPUT_RESTORE", dist}, {"INPUT_RESTORE-MANIFEST", dir / "m.json"}});
  EXPECT_EQ(s.restore_dir, dist);
  EXPECT_EQ(s.restore_manifest, dir / "m.json");
  EXPECT_EQ(load_ok({}).restore_dir, "");

  SettingsError e = one_error({{"INPUT_RESTORE", dist}});
  EXPECT_EQ(e.input, "restore-manifest");
  EXPECT_THAT(e.message, HasSubstr("restore-manifest: not set; restore needs the manifest of the original tree"));
  e = one_error({{"PLUGIN_RESTORE_MANIFEST", dir / "m.json"}});
  EXPECT_EQ(e.input, "restore-manifest");
  EXPECT_EQ(e.message,
            "restore-manifest (PLUGIN_RESTORE_MANIFEST): is set but restore is not; give restore the "
            "directory to restore");
  e = one_error({{"INPUT_RESTORE", dist}, {"INPUT_RESTORE-MANIFEST", dir / "nope.json"}});
  EXPECT_EQ(e.message, "restore-manifest (INPUT_RESTORE-MANIFEST): cannot read the manifest '" + dir / "nope.json" +
                           "': No such file or directory");
  e = one_error({{"INPUT_RESTORE", dir / "nowhere"}, {"INPUT_RESTORE-MANIFEST", dir / "m.json"}});
  EXPECT_EQ(e.input, "restore");
  EXPECT_THAT(e.message, HasSubstr("cannot open the directory"));
}

TEST(ActionSettings, SameOutputTwice) {
  const SettingsError e = one_error({{"INPUT_MANIFEST-PATH", "m"}, {"INPUT_SHA256SUM-PATH", "m"}});
  EXPECT_EQ(e.input, "sha256sum-path");
  EXPECT_THAT(e.message, HasSubstr("names the same file as manifest-path"));
}

TEST(ActionSettings, EveryErrorAtOnce) {
  const auto errors = load_errors(
      {{"INPUT_THREADS", "x"}, {"INPUT_FAIL-ON", "y"}, {"INPUT_OVERWRITE", "z"}, {"INPUT_INCLUDE", "a[\nb[\n"}});
  std::vector<std::string> inputs;
  for (const auto& e : errors) inputs.push_back(e.input);
  EXPECT_THAT(inputs, ElementsAre("include", "include", "threads", "overwrite", "fail-on"));
}

TEST(ActionSettings, ToScanOptionsResolvesThreads) {
  ActionSettings s;
  s.path = "dir";
  s.manifest_path = "m.json";
  EXPECT_EQ(to_scan_options(s).threads, std::max(1u, std::thread::hardware_concurrency()));
  s.threads = 7;
  s.gitignore = false;
  s.since_ns = 5;
  const ScanOptions o = to_scan_options(s);
  EXPECT_EQ(o.threads, 7u);
  EXPECT_EQ(o.dir, "dir");
  EXPECT_EQ(o.output, "m.json");
  EXPECT_FALSE(o.gitignore);
  EXPECT_EQ(o.since_ns, 5);
  EXPECT_FALSE(o.scan_git_dir);
}

TEST(ActionSettings, Filters) {
  const ActionSettings s = load_ok({{"INPUT_FILTERS", "backend:\n  - 'src/**'\ndocs:\n  - added: '*.md'\n"}});
  ASSERT_EQ(s.filters.size(), 2u);
  EXPECT_EQ(s.filters[0].name(), "backend");
  EXPECT_TRUE(s.filters[0].matches("src/a.c", ChangeSelector::modified));
  EXPECT_TRUE(s.filters[1].matches("README.md", ChangeSelector::added));
  EXPECT_FALSE(s.filters[1].matches("README.md", ChangeSelector::modified));
  EXPECT_TRUE(load_ok({}).filters.empty());
}

TEST(ActionSettings, BadFiltersNameTheInput) {
  const std::pair<const char*, const char*> cases[] = {
      {"- a\n- b\n", "must be a map"},
      {"x: ['[ab']\n", "filter 'x'"},
      {"x: []\n", "filter 'x'"},
      {"changes: ['**']\n", "reserved"},
      {"'a.b': ['**']\n", "not a valid output name"},
      {"x: ['**']\nx-files: ['**']\n", "collide"},
  };
  for (const auto& [yaml, what] : cases) {
    const SettingsError e = one_error({{"INPUT_FILTERS", yaml}});
    EXPECT_EQ(e.input, "filters") << yaml;
    EXPECT_THAT(e.message, ::testing::StartsWith("filters (INPUT_FILTERS): ")) << yaml;
    EXPECT_THAT(e.message, HasSubstr(what)) << yaml;
  }
}

TEST(ActionSettings, HashFiles) {
  ActionSettings s = load_ok({{"INPUT_HASH-FILES", "  **/package-lock.json\n\n  !**/node_modules/**\n"}});
  EXPECT_EQ(s.hash_files, "**/package-lock.json\n!**/node_modules/**");
  EXPECT_FALSE(s.hash_follow_symlinks);
  s = load_ok({{"INPUT_HASH-FILES", "--follow-symbolic-links\n**/*.lock"}});
  EXPECT_EQ(s.hash_files, "**/*.lock");
  EXPECT_TRUE(s.hash_follow_symlinks);
  for (const char* none : {"# a comment\n", "--follow-symbolic-links"}) {
    const SettingsError e = one_error({{"INPUT_HASH-FILES", none}});
    EXPECT_EQ(e.input, "hash-files");
    EXPECT_THAT(e.message, ::testing::StartsWith("hash-files (INPUT_HASH-FILES): no pattern given")) << none;
  }
  EXPECT_THAT(one_error({{"INPUT_HASH-FILES", "--follow\n*.c"}}).message, HasSubstr("not a hashFiles() option"));
}

// --- the config file -----------------------------------------------------------------------------------------

class ActionSettingsConfig : public ::testing::Test {
 protected:
  std::string config(const std::string& yaml) {
    m_dir.write("treeprint.yml", yaml);
    return m_dir / "treeprint.yml";
  }
  testing::TempDir m_dir;
};

TEST_F(ActionSettingsConfig, ValuesFromTheFile) {
  const std::string path = config(
      "# settings\n"
      "path: src\n"
      "include:\n  - '*.cc'\n  - '*.h'\n"
      "exclude: |\n  build/\n  # not this\n  out/\n"
      "gitignore: false\n"
      "threads: 4\n"
      "fail-on: changes\n"
      "retention-days: ~\n");
  const ActionSettings s = load_ok({{"INPUT_CONFIG", path}});
  EXPECT_EQ(s.config_path, path);
  EXPECT_EQ(s.path, "src");
  EXPECT_THAT(s.include, ElementsAre("*.cc", "*.h"));
  EXPECT_THAT(s.exclude, ElementsAre("build/", "out/"));
  EXPECT_FALSE(s.gitignore);
  EXPECT_EQ(s.threads, 4u);
  EXPECT_EQ(s.fail_on, FailOn::changes);
  EXPECT_EQ(s.retention_days, 0u);  // null: unset
}

TEST_F(ActionSettingsConfig, FiltersAsAMapInTheFile) {
  const std::string path = config("filters:\n  backend: ['src/**']\n  docs:\n    - removed: 'docs/**'\n");
  const ActionSettings s = load_ok({{"INPUT_CONFIG", path}});
  ASSERT_EQ(s.filters.size(), 2u);
  EXPECT_EQ(s.filters[1].name(), "docs");
  EXPECT_TRUE(s.filters[1].matches("docs/a", ChangeSelector::removed));
  EXPECT_FALSE(s.filters[1].matches("docs/a", ChangeSelector::added));
  const SettingsError e = one_error({{"INPUT_CONFIG", config("filters:\n  hash: ['**']\n")}});
  EXPECT_THAT(e.message, HasSubstr("filters (" + path + ":2:3)"));
  EXPECT_THAT(e.message, HasSubstr("reserved"));
}

TEST_F(ActionSettingsConfig, InputBeatsFileBeatsDefault) {
  const std::string path = config("fail-on: changes\nthreads: 4\nsummary: status\n");
  const ActionSettings s =
      load_ok({{"INPUT_CONFIG", path}, {"INPUT_FAIL-ON", "never"}, {"PLUGIN_SUMMARY", "none"}, {"INPUT_THREADS", ""}});
  EXPECT_EQ(s.fail_on, FailOn::never);       // input
  EXPECT_EQ(s.summary, SummaryMode::none);   // plugin input
  EXPECT_EQ(s.threads, 4u);                  // file (the empty input does not count)
  EXPECT_EQ(s.baseline, BaselineKind::off);  // default
}

TEST_F(ActionSettingsConfig, PluginNamesTheConfigToo) {
  EXPECT_EQ(load_ok({{"PLUGIN_CONFIG", config("threads: 2\n")}}).threads, 2u);
}

TEST_F(ActionSettingsConfig, UnreadableFile) {
  const SettingsError e = one_error({{"INPUT_CONFIG", m_dir / "missing.yml"}});
  EXPECT_EQ(e.input, "config");
  EXPECT_EQ(e.message, "config: cannot read '" + (m_dir / "missing.yml") +
                           "': No such file or directory; give the path of a YAML file, relative to the workspace");
  EXPECT_THAT(one_error({{"INPUT_CONFIG", m_dir.path()}}).message, HasSubstr("Is a directory"));
}

// "Billion laughs": aliases fan one value out many times without repeating its text. The file is small; what it
// stands for is not, and it is refused before it is copied.
TEST_F(ActionSettingsConfig, AliasExpansionIsBounded) {
  std::string text = "path: &big \"" + std::string(100'000, 'x') + "\"\ninclude:\n";
  for (int i = 0; i < 5'000; ++i) text += "  - *big\n";
  const SettingsError e = one_error({{"INPUT_CONFIG", config(text)}});
  EXPECT_EQ(e.input, "config");
  EXPECT_THAT(e.message, HasSubstr("expands to more than 1 MiB of values (YAML aliases repeat a value"));
  // Many small items: the same, by count.
  std::string many = "exclude: &l\n";
  for (int i = 0; i < 200; ++i) many += "  - a" + std::to_string(i) + "\n";
  many += "include: [";
  for (int i = 0; i < 100; ++i) many += std::string(i ? "," : "") + "*l";
  many += "]\n";
  EXPECT_THAT(load_errors({{"INPUT_CONFIG", config(many)}}).front().message,
              HasSubstr("each item must be one glob"));
  std::string items = "include:\n";
  for (int i = 0; i < 10'001; ++i) items += "  - a\n";
  EXPECT_THAT(one_error({{"INPUT_CONFIG", config(items)}}).message, HasSubstr("expands to more than 10,000 list items"));
}

// A baseline named in the config file (which a pull request writes) may not lead out of the workspace.
TEST_F(ActionSettingsConfig, BaselineFromTheFileStaysInTheWorkspace) {
  m_dir.write("ws/in.json", "{}");
  m_dir.write("outside.json", "{}");
  const std::string ws = m_dir / "ws";
  for (const std::string& bad : {std::string("../outside.json"), m_dir / "outside.json"}) {
    const SettingsError e =
        one_error({{"GITHUB_WORKSPACE", ws}, {"INPUT_CONFIG", config("baseline: " + bad + "\n")}});
    EXPECT_EQ(e.input, "baseline");
    EXPECT_THAT(e.message, HasSubstr("a value from the config file, which a pull request can change, may only name "
                                     "a path inside the workspace"));
  }
  // Inside is fine; as a workflow input, outside is fine too.
  EXPECT_EQ(load_ok({{"GITHUB_WORKSPACE", ws}, {"INPUT_CONFIG", config("baseline: " + ws + "/in.json\n")}})
                .baseline_origin.source,
            PathSource::repository);
  EXPECT_EQ(load_ok({{"GITHUB_WORKSPACE", ws}, {"INPUT_BASELINE", m_dir / "outside.json"}}).baseline,
            BaselineKind::path);
}

TEST_F(ActionSettingsConfig, SyntaxErrorHasLineAndColumn) {
  const std::string path = config("fail-on: never\nthreads: [1, 2\n");
  const SettingsError e = one_error({{"INPUT_CONFIG", path}});
  EXPECT_EQ(e.input, "config");
  EXPECT_EQ(e.message, "config: '" + path + "' is not valid YAML: line 3, column 1: end of sequence flow not found");

  const std::string bad_indent = config("summary: none\n  fail-on: never\n");
  EXPECT_EQ(one_error({{"INPUT_CONFIG", bad_indent}}).message,
            "config: '" + bad_indent + "' is not valid YAML: line 2, column 10: illegal map value");
}

TEST_F(ActionSettingsConfig, UnknownKeySuggestsTheNearest) {
  const std::string path = config("threads: 2\nmanifest_path: m.json\nfail-onn: never\nfrobnicate: 1\n");
  const auto errors = load_errors({{"INPUT_CONFIG", path}});
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0].input, "config");
  EXPECT_EQ(errors[0].message, "config (" + path + ":2:1): unknown key 'manifest_path'; did you mean 'manifest-path'?");
  EXPECT_EQ(errors[1].message, "config (" + path + ":3:1): unknown key 'fail-onn'; did you mean 'fail-on'?");
  EXPECT_THAT(errors[2].message, HasSubstr(":4:1): unknown key 'frobnicate'; the keys are: path, include, exclude"));
}

TEST_F(ActionSettingsConfig, WrongTypes) {
  const std::string path = config(
      "threads: [1, 2]\n"
      "include: {a: b}\n"
      "exclude:\n  - ok/\n  - [nested]\n"
      "gitignore: no\n");
  const auto errors = load_errors({{"INPUT_CONFIG", path}});
  ASSERT_EQ(errors.size(), 4u);
  EXPECT_EQ(errors[0].input, "threads");
  EXPECT_EQ(errors[0].message, "threads (" + path + ":1:10): expected a whole number, got a list");
  EXPECT_EQ(errors[1].message, "include (" + path +
                                   ":2:10): expected a list of globs (a YAML sequence, or one glob per line), got a "
                                   "mapping");
  EXPECT_EQ(errors[2].message, "exclude (" + path + ":5:5): each item must be one glob, not a list");
  EXPECT_EQ(errors[3].message, "gitignore (" + path + ":6:12): 'no' is not a boolean; use true or false");
}

TEST_F(ActionSettingsConfig, RootMustBeAMapping) {
  EXPECT_THAT(one_error({{"INPUT_CONFIG", config("- a\n- b\n")}}).message,
              HasSubstr("the file must be a mapping of input names to values"));
  EXPECT_EQ(load_ok({{"INPUT_CONFIG", config("")}}).fail_on, FailOn::errors);  // empty: sets nothing
}

TEST_F(ActionSettingsConfig, TokenAndDuplicatesRefused) {
  const std::string path = config("token: ghp_x\nthreads: 1\nthreads: 2\n");
  const auto errors = load_errors({{"INPUT_CONFIG", path}});
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].input, "token");
  EXPECT_THAT(errors[0].message, HasSubstr("cannot be set in the config file; pass it as the action's `token` input"));
  EXPECT_THAT(errors[0].message, ::testing::Not(HasSubstr("ghp_x")));
  EXPECT_EQ(errors[1].message,
            "threads (" + path + ":3:1): given twice in the config file (first at " + path + ":2:1); keep one");
}

TEST_F(ActionSettingsConfig, BadValueInTheFileNamesFileLineAndColumn) {
  const std::string path = config("\nfail-on: always\n");
  EXPECT_EQ(one_error({{"INPUT_CONFIG", path}}).message,
            "fail-on (" + path + ":2:10): 'always' is not one of: never, errors, changes");
  const std::string globs = config("include:\n  - src/\n  - 'x[y'\n");
  EXPECT_THAT(one_error({{"INPUT_CONFIG", globs}}).message, HasSubstr("include (" + globs + ":3:5): 'x[y': "));
}

}  // namespace
}  // namespace treeprint
