#pragma once
// GitHub's runner protocol, as @actions/core speaks it: outputs and the step summary through the files named by
// GITHUB_OUTPUT and GITHUB_STEP_SUMMARY, workflow commands (::error::, ::group::, ::add-mask::, ...) on standard
// output. (Where files may be written, and who owns them, is inputs/path_trust.h's business.)
//
// Workflow commands are printed only where a runner reads them (GITHUB_ACTIONS=true: GitHub, and the Gitea and
// Forgejo runners, which speak the same protocol). Anywhere else (Woodpecker, Drone, a plain shell) annotations are
// plain `treeprint: error: ...` lines made safe with log_safe, a group title is a plain line, and add_mask prints
// nothing at all: there no one would mask the log, and the command would be the secret in clear.
//
// GitLab CI does not read workflow commands either, but folds the log at its own section markers: there a group is
// a collapsed section (`\e[0Ksection_start:<time>:<name>[collapsed=true]\r\e[0K<title>`).
//
// Where no runner reads GITHUB_OUTPUT (GitLab CI, Woodpecker, Drone: app/ci_environment.h fills these fields), every
// output is also kept in `env_file`, rewritten whole on each output: in dotenv format (KEY=VALUE, for GitLab's
// `artifacts:reports:dotenv`), or as shell assignments a later step can `source` (KEY='value'). The keys are
// TREEPRINT_ and the output's name upper-cased, '-' as '_'. Without GITHUB_STEP_SUMMARY the Markdown summary goes to
// `markdown_file`. Both files are replaced (a temporary file renamed over them), never written through a link.
//
// Typical use, after the settings are loaded:
//
//   Runner runner(runner_environment(process_environment()), stdout);  // stderr if the manifest goes to stdout
//   runner.add_mask(settings.token);
//   runner.group("Scan");  ...  runner.end_group();
//   runner.annotate_all(AnnotationLevel::error, errors, "all 1,234 are in the manifest's \"errors\"");
//   runner.set_output("manifest-path", path, &error);
//   runner.append_summary(build_job_summary(...), &error);

#include <sys/types.h>

#include <cstdio>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "util/env.h"
#include "util/result.h"

namespace treeprint {

/// What the runner told the process through its environment.
struct RunnerEnvironment {
  std::string output_file;   // GITHUB_OUTPUT, "" when not set
  std::string summary_file;  // GITHUB_STEP_SUMMARY, "" when not set
  std::string workspace;     // GITHUB_WORKSPACE, "" when not set
  bool on_actions = false;   // GITHUB_ACTIONS=true: workflow commands are read from the log
  bool log_sections = false;  // groups are GitLab CI's collapsible log sections
  std::string env_file;       // "": none; see above
  bool env_dotenv = false;    // env_file in dotenv format (GitLab) rather than shell assignments
  std::string markdown_file;  // the summary when there is no GITHUB_STEP_SUMMARY to append to; "" for none
};

/// The variable an output is kept as in the env file: "digest" -> "TREEPRINT_DIGEST".
std::string env_file_key(std::string_view output_name);

/// `value` as one shell word in single quotes (a single quote as '\''): `KEY=<this>` assigns it exactly.
std::string shell_single_quoted(std::string_view value);

RunnerEnvironment runner_environment(const EnvLookup& env);

/// Workflow-command escaping, exactly as the toolkit and the runner agree on it. Data: '%' -> %25, CR -> %0D,
/// LF -> %0A. Properties: the same, plus ':' -> %3A and ',' -> %2C.
std::string escape_command_data(std::string_view text);
std::string escape_command_property(std::string_view text);

/// "ghadelimiter_" followed by a random UUID (version 4) from the kernel's random source; "" if that fails.
std::string random_delimiter();

enum class AnnotationLevel { error, warning, notice };

struct Annotation {
  std::string message;
  std::string title;  // optional
  std::string file;   // optional: relative to the workspace (or a path under it)
  unsigned line = 0;  // optional (0: none)
};

/// GitHub turns at most this many commands of each level into annotations per step; the rest only reach the log.
inline constexpr size_t k_annotations_per_level = 10;
/// The runner cuts annotation messages to this many characters.
inline constexpr size_t k_annotation_message_limit = 4096;

class Runner {
 public:
  /// `commands` receives workflow commands (standard output on a runner). `make_delimiter` is for tests.
  Runner(RunnerEnvironment env, std::FILE* commands, std::function<std::string()> make_delimiter = random_delimiter);

  /// Sets a step output. On a runner: appends `name<<ghadelimiter_<uuid>\nvalue\nghadelimiter_<uuid>\n` to
  /// GITHUB_OUTPUT in one write. Refuses an empty name, a name with '=', "<<", CR or LF (the runner would misread
  /// the record), a value that is not UTF-8, and a name or value that contains the delimiter. Without GITHUB_OUTPUT:
  /// on an old runner (GITHUB_ACTIONS=true) the legacy ::set-output command; elsewhere a `treeprint: output
  /// name=value` log line, so the value is at least visible.
  Status set_output(std::string_view name, std::string_view value);

  /// Appends Markdown to GITHUB_STEP_SUMMARY. The file may already hold this step's earlier summary text; what is
  /// appended is cut (fit_markdown) so the file stays within 1 MiB, because GitHub drops a larger summary entirely.
  /// Without GITHUB_STEP_SUMMARY nothing is written (and that is a success).
  Status append_summary(std::string_view markdown);

  /// One annotation. Counted against the per-level limit; past it the command is still printed (the log keeps it).
  void annotate(AnnotationLevel level, const Annotation& annotation);
  void error(std::string_view message) { annotate(AnnotationLevel::error, {std::string(message), {}, {}, 0}); }
  void warning(std::string_view message) { annotate(AnnotationLevel::warning, {std::string(message), {}, {}, 0}); }
  void notice(std::string_view message) { annotate(AnnotationLevel::notice, {std::string(message), {}, {}, 0}); }

  /// Many annotations of one level: as many as GitHub will show, the last of those replaced by one that says how
  /// many more there are and `where_rest` ("all of them are in the manifest's \"errors\""). Returns how many of
  /// `annotations` were emitted.
  size_t annotate_all(AnnotationLevel level, std::span<const Annotation> annotations, std::string_view where_rest);

  void group(std::string_view title);
  void end_group();
  /// Asks the runner to hide `secret` in the log from now on. Blank secrets are ignored (the runner warns on them).
  void add_mask(std::string_view secret);

  /// Annotations emitted so far at `level` (the runner's count for this step).
  size_t annotations_emitted(AnnotationLevel level) const { return m_emitted[static_cast<size_t>(level)]; }
  const RunnerEnvironment& environment() const { return m_env; }

 private:
  void command(std::string_view name, std::string_view properties, std::string_view data);
  void write_line(std::string_view line);
  Status keep_in_env_file(std::string_view name, std::string_view value);

  std::vector<std::pair<std::string, std::string>> m_env_values;  // what env_file holds, in order
  std::string m_markdown;                                         // what markdown_file holds
  std::string m_open_section;
  unsigned m_sections = 0;

  RunnerEnvironment m_env;
  std::FILE* m_out;
  std::function<std::string()> m_make_delimiter;
  size_t m_emitted[3] = {0, 0, 0};
};

}  // namespace treeprint
