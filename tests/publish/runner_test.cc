#include "publish/runner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <regex>
#include <stdexcept>

#include "publish/markdown.h"
#include "test_support.h"

namespace treeprint {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr const char* k_delimiter = "ghadelimiter_00000000-0000-4000-8000-000000000000";

/// Reads a GITHUB_OUTPUT file the way the runner does: records split at LF only, the form chosen by whichever of
/// '=' and '<<' comes first, no trimming, the heredoc value ends before the newline that precedes the delimiter line.
std::map<std::string, std::string> parse_output_file(const std::string& text) {
  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t nl = text.find('\n', pos);
    lines.push_back(text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos));
    pos = nl == std::string::npos ? text.size() : nl + 1;
  }
  std::map<std::string, std::string> out;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    if (line.empty()) continue;
    const size_t eq = line.find('=');
    const size_t heredoc = line.find("<<");
    if (eq != std::string::npos && (heredoc == std::string::npos || eq < heredoc)) {
      if (eq == 0) throw std::runtime_error("empty key");
      out[line.substr(0, eq)] = line.substr(eq + 1);
      continue;
    }
    if (heredoc == std::string::npos) throw std::runtime_error("invalid format: " + line);
    const std::string key = line.substr(0, heredoc), delimiter = line.substr(heredoc + 2);
    if (key.empty() || delimiter.empty()) throw std::runtime_error("empty key or delimiter");
    std::vector<std::string> body;
    bool found = false;
    for (++i; i < lines.size(); ++i) {
      if (lines[i] == delimiter) {
        found = true;
        break;
      }
      body.push_back(lines[i]);
    }
    std::string value;
    for (size_t k = 0; k < body.size(); ++k) value += (k == 0 ? "" : "\n") + body[k];
    if (!found) throw std::runtime_error("Invalid value. Matching delimiter not found");
    out[key] = value;
  }
  return out;
}

/// The runner's decoding of workflow-command escapes: %0D, %0A (and in properties %3A, %2C) first, %25 last.
std::string unescape(std::string text, bool property) {
  std::vector<std::pair<std::string, std::string>> map = {{"%0D", "\r"}, {"%0A", "\n"}};
  if (property) {
    map.push_back({"%3A", ":"});
    map.push_back({"%2C", ","});
  }
  map.push_back({"%25", "%"});
  for (const auto& [from, to] : map) {
    for (size_t p = text.find(from); p != std::string::npos; p = text.find(from, p + to.size())) {
      text.replace(p, from.size(), to);
    }
  }
  return text;
}

/// Captures what a Runner prints.
class Captured {
 public:
  Captured() : m_file(open_memstream(&m_buf, &m_size)) {}
  ~Captured() {
    std::fclose(m_file);
    std::free(m_buf);
  }
  std::FILE* file() { return m_file; }
  std::string text() {
    std::fflush(m_file);
    return std::string(m_buf, m_size);
  }
  std::vector<std::string> lines() {
    std::vector<std::string> out;
    const std::string t = text();
    size_t pos = 0;
    for (size_t nl; (nl = t.find('\n', pos)) != std::string::npos; pos = nl + 1) out.push_back(t.substr(pos, nl - pos));
    return out;
  }

 private:
  char* m_buf = nullptr;
  size_t m_size = 0;
  std::FILE* m_file;
};

class RunnerTest : public ::testing::Test {
 protected:
  RunnerTest() {
    m_dir.write("output", "");
    m_dir.write("summary", "");
    m_env.output_file = m_dir / "output";
    m_env.summary_file = m_dir / "summary";
    m_env.workspace = m_dir.path();
    m_env.on_actions = true;
  }
  Runner runner() {
    return Runner(m_env, m_log.file(), [] { return std::string(k_delimiter); });
  }
  std::string output_file() { return testing::read_file(m_env.output_file); }

  testing::TempDir m_dir;
  RunnerEnvironment m_env;
  Captured m_log;
};

TEST(RunnerEnvironment, FromTheEnvironment) {
  const RunnerEnvironment e = runner_environment(environment_from({{"GITHUB_OUTPUT", "/o"},
                                                                   {"GITHUB_STEP_SUMMARY", "/s"},
                                                                   {"GITHUB_WORKSPACE", "/w"},
                                                                   {"GITHUB_ACTIONS", "true"}}));
  EXPECT_EQ(e.output_file, "/o");
  EXPECT_EQ(e.summary_file, "/s");
  EXPECT_EQ(e.workspace, "/w");
  EXPECT_TRUE(e.on_actions);
  EXPECT_FALSE(runner_environment(environment_from({})).on_actions);
}

TEST_F(RunnerTest, OutputIsAHeredocRecord) {
  Runner r = runner();
  ASSERT_TRUE(testing::succeeds(r.set_output("manifest-path", "/github/runner_temp/treeprint/manifest.json")));
  EXPECT_EQ(output_file(), std::string("manifest-path<<") + k_delimiter +
                               "\n/github/runner_temp/treeprint/manifest.json\n" + k_delimiter + "\n");
  EXPECT_EQ(m_log.text(), "");  // nothing on the log
}

TEST_F(RunnerTest, OutputsParseBackExactly) {
  const std::map<std::string, std::string> values = {
      {"empty", ""},
      {"plain", "abc"},
      {"lines", "one\ntwo\nthree"},
      {"trailing-newline", "ends with a newline\n"},
      {"leading-newline", "\nstarts with one"},
      {"blank-lines", "\n\n"},
      {"crlf", "windows\r\nline\r"},
      {"looks-like-records", "a=b\nc<<EOF\nEOF"},
      {"unicode", "caf\xc3\xa9 \xe2\x9c\x93"},
      {"spaces", "  padded  "},
  };
  m_dir.write("output", "earlier=kept\n");  // what another command of this step wrote
  Runner r = runner();
  for (const auto& [name, value] : values) {
    ASSERT_TRUE(testing::succeeds(r.set_output(name, value)));
  }
  auto parsed = parse_output_file(output_file());
  EXPECT_EQ(parsed["earlier"], "kept");
  parsed.erase("earlier");
  EXPECT_EQ(parsed, values);
}

TEST_F(RunnerTest, OutputRefusals) {
  Runner r = runner();
  EXPECT_THAT(r.set_output("x", std::string("before\n") + k_delimiter + "\nafter").error(),
              HasSubstr("contains the delimiter"));
  EXPECT_THAT(r.set_output(std::string("x") + k_delimiter, "v").error(), HasSubstr("contains the delimiter"));
  for (const char* name : {"a=b", "a<<b", "a\nb", "a\rb"}) {
    EXPECT_THAT(r.set_output(name, "v").error(), HasSubstr("cannot contain '=', '<<' or a line break")) << name;
  }
  EXPECT_EQ(r.set_output("", "v").error(), "an output needs a name");
  EXPECT_THAT(r.set_output("bytes", "bad\xff").error(), HasSubstr("not"));
  EXPECT_THAT(Runner(m_env, m_log.file(), [] { return std::string(); }).set_output("x", "v").error(),
              HasSubstr("no random source"));
  EXPECT_EQ(output_file(), "");  // nothing half-written
}

TEST_F(RunnerTest, OutputFileThatCannotBeWritten) {
  m_env.output_file = m_dir / "no/such/dir/output";
  const Status set = runner().set_output("x", "v");
  EXPECT_THAT(set.error(), HasSubstr("cannot open GITHUB_OUTPUT file"));
  EXPECT_THAT(set.error(), HasSubstr("No such file or directory"));
}

TEST(RandomDelimiter, IsAFreshUuidV4) {
  const std::regex uuid("ghadelimiter_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  const std::string a = random_delimiter(), b = random_delimiter();
  EXPECT_TRUE(std::regex_match(a, uuid)) << a;
  EXPECT_TRUE(std::regex_match(b, uuid)) << b;
  EXPECT_NE(a, b);
}

TEST_F(RunnerTest, OutputWithoutGithubOutput) {
  m_env.output_file.clear();
  // An old runner still reads ::set-output.
  ASSERT_TRUE(runner().set_output("a:b", "x\ny%"));
  EXPECT_EQ(m_log.text(), "::set-output name=a%3Ab::x%0Ay%25\n");
  // Not on a runner: a readable log line, nothing forged by the value.
  m_env.on_actions = false;
  Captured plain;
  ASSERT_TRUE(Runner(m_env, plain.file()).set_output("digest", "sha256:ab\n::error::x"));
  EXPECT_EQ(plain.text(), "treeprint: output digest=sha256:ab\\x0a:\\x3aerror:\\x3ax\n");
}

TEST(Escaping, AsTheToolkitDoes) {
  EXPECT_EQ(escape_command_data("100% done\r\nnext: a,b"), "100%25 done%0D%0Anext: a,b");
  EXPECT_EQ(escape_command_property("src/a:b,c%\n"), "src/a%3Ab%2Cc%25%0A");
}

TEST(Escaping, RoundTripsThroughTheRunnersDecoding) {
  for (const std::string s :
       {"", "plain", "%", "%25", "%0A literally", "%%0D%", "a\nb\r\nc", "::error::x", "k=v,k2=v2:3", "caf\xc3\xa9"}) {
    EXPECT_EQ(unescape(escape_command_data(s), false), s) << s;
    EXPECT_EQ(unescape(escape_command_property(s), true), s) << s;
    EXPECT_EQ(escape_command_data(s).find_first_of("\r\n"), std::string::npos);
    EXPECT_EQ(escape_command_property(s).find_first_of("\r\n:,"), std::string::npos);
  }
}

TEST_F(RunnerTest, Commands) {
  Runner r = runner();
  r.annotate(AnnotationLevel::error, {"bad\nthing 100%", "Read: failed", "src/a,b.c", 3});
  r.warning("careful");
  r.notice("fyi: x");
  r.group("Scan: src");
  r.end_group();
  r.add_mask("s3cr3t\nline2");
  r.add_mask("  ");  // blank: the runner would only warn
  r.error("name \xff\xfe");
  EXPECT_THAT(m_log.lines(), ElementsAre("::error file=src/a%2Cb.c,line=3,title=Read%3A failed::bad%0Athing 100%25",
                                         "::warning::careful", "::notice::fyi: x", "::group::Scan: src",
                                         "::endgroup::", "::add-mask::s3cr3t%0Aline2", "::error::name \\xff\\xfe"));
  EXPECT_EQ(r.annotations_emitted(AnnotationLevel::error), 2u);
  EXPECT_EQ(r.annotations_emitted(AnnotationLevel::warning), 1u);
  EXPECT_EQ(r.annotations_emitted(AnnotationLevel::notice), 1u);
}

TEST_F(RunnerTest, LongMessagesAreCut) {
  Runner r = runner();
  r.error(std::string(10000, 'x'));
  const std::string line = m_log.lines().at(0);
  EXPECT_EQ(line.size(), std::string("::error::").size() + k_annotation_message_limit);
  EXPECT_THAT(line, ::testing::EndsWith("x\xe2\x80\xa6"));
}

std::vector<Annotation> numbered(size_t n) {
  std::vector<Annotation> out;
  for (size_t i = 0; i < n; ++i) out.push_back({"problem " + std::to_string(i), {}, "f" + std::to_string(i), 0});
  return out;
}

TEST_F(RunnerTest, AnnotationLimitWithANoteAboutTheRest) {
  Runner r = runner();
  const auto errors = numbered(25);
  EXPECT_EQ(r.annotate_all(AnnotationLevel::error, errors, "all of them are in the manifest"), 9u);
  const auto lines = m_log.lines();
  ASSERT_EQ(lines.size(), 10u);  // exactly what GitHub shows as annotations
  EXPECT_EQ(lines[0], "::error file=f0::problem 0");
  EXPECT_EQ(lines[8], "::error file=f8::problem 8");
  EXPECT_EQ(lines[9],
            "::error title=treeprint::16 more errors are not shown as annotations; all of them are in the "
            "manifest");
  EXPECT_EQ(r.annotations_emitted(AnnotationLevel::error), 10u);

  // Warnings have their own budget; ten fit exactly, without a note.
  EXPECT_EQ(r.annotate_all(AnnotationLevel::warning, numbered(10), "x"), 10u);
  EXPECT_EQ(m_log.lines().size(), 20u);
  // The error budget is spent: only the note remains.
  EXPECT_EQ(r.annotate_all(AnnotationLevel::error, numbered(3), "see the manifest"), 0u);
  EXPECT_EQ(m_log.lines().back(), "::error title=treeprint::3 errors are not shown as annotations; see the manifest");
}

TEST_F(RunnerTest, AnnotationBudgetIsSharedWithSingleAnnotations) {
  Runner r = runner();
  for (int i = 0; i < 3; ++i) r.error("single");
  EXPECT_EQ(r.annotate_all(AnnotationLevel::error, numbered(8), "rest"), 6u);
  EXPECT_EQ(m_log.lines().size(), 10u);
  EXPECT_EQ(m_log.lines().back(), "::error title=treeprint::2 more errors are not shown as annotations; rest");
  Captured other;
  Runner r2(m_env, other.file());
  EXPECT_EQ(r2.annotate_all(AnnotationLevel::notice, numbered(11), ""), 9u);
  EXPECT_EQ(other.lines().back(), "::notice title=treeprint::2 more notices are not shown as annotations");
}

TEST_F(RunnerTest, SummaryIsAppended) {
  m_dir.write("summary", "# earlier\n");
  ASSERT_TRUE(testing::succeeds(runner().append_summary("## treeprint\n")));
  EXPECT_EQ(testing::read_file(m_env.summary_file), "# earlier\n## treeprint\n");
}

TEST_F(RunnerTest, SummaryStaysWithinOneMiB) {
  // The step already wrote most of the budget.
  const std::string earlier(k_step_summary_limit - 5000, 'e');
  m_dir.write("summary", earlier);
  std::string big;
  for (int i = 0; i < 1000; ++i) big += "| row " + std::to_string(i) + " | some text |\n";
  ASSERT_TRUE(testing::succeeds(runner().append_summary(big)));
  const std::string file = testing::read_file(m_env.summary_file);
  EXPECT_LE(file.size(), k_step_summary_limit);
  EXPECT_GT(file.size(), k_step_summary_limit - 1000);  // the room was used, not wasted
  EXPECT_THAT(file, HasSubstr("This summary was cut here"));
  EXPECT_THAT(file, HasSubstr("| row 0 |"));
  EXPECT_THAT(file, ::testing::Not(HasSubstr("| row 999 |")));

  // Full: nothing more fits, and the caller hears about it.
  m_dir.write("summary", std::string(k_step_summary_limit, 'e'));
  EXPECT_THAT(runner().append_summary("more\n").error(), HasSubstr("1 MiB limit"));
  EXPECT_EQ(testing::read_file(m_env.summary_file).size(), k_step_summary_limit);
}

TEST_F(RunnerTest, NoSummaryFileOffARunner) {
  m_env.summary_file.clear();
  EXPECT_TRUE(runner().append_summary("## x\n"));
  EXPECT_EQ(m_log.text(), "");
}

}  // namespace
}  // namespace treeprint

namespace treeprint {
namespace {

class CiFilesTest : public ::testing::Test {
 protected:
  Runner runner(bool dotenv) {
    m_env.env_file = m_dir / "treeprint.env";
    m_env.env_dotenv = dotenv;
    m_env.markdown_file = m_dir / "treeprint-summary.md";
    m_env.log_sections = dotenv;
    return Runner(m_env, m_log.file(), [] { return std::string(k_delimiter); });
  }
  testing::TempDir m_dir;
  RunnerEnvironment m_env;
  Captured m_log;
};

// The shell's own reading of the file is the judge: each variable, sourced, is the output's value exactly.
TEST_F(CiFilesTest, ShellFileSourcesBackExactly) {
  const std::map<std::string, std::string> values = {
      {"digest", "sha256:00ff"},     {"manifest-path", "dir with spaces/it's \"quoted\".json"},
      {"empty", ""},                 {"lines", "one\ntwo\n"},
      {"dollars", "$HOME `id` $(id) \\"}, {"files", "12"},
  };
  Runner r = runner(false);
  for (const auto& [name, value] : values) ASSERT_TRUE(testing::succeeds(r.set_output(name, value)));
  ASSERT_TRUE(testing::succeeds(r.set_output("files", "13")));  // set again: replaced, not repeated
  for (const auto& [name, value] : values) {
    const std::string expected = name == "files" ? "13" : value;
    const std::string key = env_file_key(name);
    const std::string script = ". '" + m_env.env_file + "' && printf '%s' \"$" + key + "\" > '" + (m_dir / "v") + "'";
    ASSERT_EQ(std::system(("sh -c " + shell_single_quoted(script)).c_str()), 0) << script;
    EXPECT_EQ(testing::read_file(m_dir / "v"), expected) << key;
  }
  const std::string text = testing::read_file(m_env.env_file);
  EXPECT_EQ(text.find("TREEPRINT_FILES="), text.rfind("TREEPRINT_FILES="));
  EXPECT_THAT(m_log.text(), HasSubstr("treeprint: output digest=sha256:00ff\n"));  // still in the log too
}

/// GitLab's documented dotenv rules: KEY=VALUE lines, KEY of [A-Za-z0-9_], one-line values, under 5 KiB, at most
/// 50 variables (GitLab.com's smallest plan).
std::map<std::string, std::string> parse_gitlab_dotenv(const std::string& text) {
  EXPECT_LT(text.size(), 5u * 1024);
  std::map<std::string, std::string> out;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t nl = text.find('\n', pos);
    const std::string line = text.substr(pos, nl - pos);
    pos = nl == std::string::npos ? text.size() : nl + 1;
    const size_t eq = line.find('=');
    EXPECT_NE(eq, std::string::npos) << line;
    const std::string key = line.substr(0, eq);
    EXPECT_TRUE(std::regex_match(key, std::regex("[A-Za-z0-9_]+"))) << key;
    EXPECT_EQ(line.find('\r'), std::string::npos);
    out[key] = line.substr(eq + 1);
  }
  EXPECT_LE(out.size(), 50u);
  return out;
}

TEST_F(CiFilesTest, GitLabGetsADotenvReport) {
  Runner r = runner(true);
  ASSERT_TRUE(testing::succeeds(r.set_output("digest", "sha256:00ff")));
  ASSERT_TRUE(testing::succeeds(r.set_output("manifest-path", "out/treeprint manifest.json")));
  ASSERT_TRUE(testing::succeeds(r.set_output("changed", "")));
  const Status multi_line = r.set_output("summary-url", "a\nb");  // a dotenv value is one line
  EXPECT_THAT(multi_line.error(), HasSubstr("line break"));
  EXPECT_THAT(multi_line.error(), HasSubstr("TREEPRINT_SUMMARY_URL is not in"));
  const auto parsed = parse_gitlab_dotenv(testing::read_file(m_env.env_file));
  EXPECT_EQ(parsed, (std::map<std::string, std::string>{{"TREEPRINT_DIGEST", "sha256:00ff"},
                                                        {"TREEPRINT_MANIFEST_PATH", "out/treeprint manifest.json"},
                                                        {"TREEPRINT_CHANGED", ""}}));
}

TEST_F(CiFilesTest, FilesReplaceALinkInsteadOfWritingThroughIt) {
  m_dir.write("victim", "keep me");
  ASSERT_EQ(::symlink((m_dir / "victim").c_str(), (m_dir / "treeprint.env").c_str()), 0);
  ASSERT_EQ(::symlink((m_dir / "victim").c_str(), (m_dir / "treeprint-summary.md").c_str()), 0);
  Runner r = runner(false);
  ASSERT_TRUE(testing::succeeds(r.set_output("files", "1")));
  ASSERT_TRUE(testing::succeeds(r.append_summary("## one\n")));
  ASSERT_TRUE(testing::succeeds(r.append_summary("## two\n")));
  EXPECT_EQ(testing::read_file(m_dir / "victim"), "keep me");
  EXPECT_EQ(testing::read_file(m_env.env_file), "TREEPRINT_FILES='1'\n");
  EXPECT_EQ(testing::read_file(m_env.markdown_file), "## one\n## two\n");
}

TEST_F(CiFilesTest, GitLabGroupsAreCollapsedSections) {
  Runner r = runner(true);
  r.group("treeprint: scanning .\r\n\x1b[31m");
  r.end_group();
  r.end_group();  // nothing open: nothing printed
  r.add_mask("secret-token");
  const std::vector<std::string> lines = m_log.lines();
  ASSERT_EQ(lines.size(), 2u) << m_log.text();
  EXPECT_TRUE(std::regex_match(lines[0], std::regex("\x1b\\[0Ksection_start:[0-9]+:treeprint_1\\[collapsed=true\\]\r"
                                                    "\x1b\\[0Ktreeprint: scanning \\.[^\r\n\x1b]*")))
      << lines[0];
  EXPECT_TRUE(std::regex_match(lines[1], std::regex("\x1b\\[0Ksection_end:[0-9]+:treeprint_1\r\x1b\\[0K"))) << lines[1];
  EXPECT_EQ(m_log.text().find("::"), std::string::npos);
  EXPECT_EQ(m_log.text().find("secret-token"), std::string::npos);
}

}  // namespace
}  // namespace treeprint
