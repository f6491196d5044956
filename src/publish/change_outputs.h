#pragma once
// The change lists (manifest/changes.h) and filter results as a later step reads them: GitHub step outputs
// (newline-separated text and JSON arrays, within a size budget), the complete changes file, a GitLab dotenv
// report, and a text report for people. docs/changed.md documents every output and rule.
//
// Rules every encoding keeps:
// - A name with a line break (LF or CR) cannot be a line of a newline-separated list: it is left out of the text
//   list (counted in `text_omitted`, with a warning) and kept in the JSON list, which escapes it. In renamed-files,
//   whose lines are "OLD<TAB>NEW", a tab in either name is treated the same way.
// - A name that is not UTF-8 cannot be in a GitHub output at all (the runner reads them as UTF-8): it is left out
//   of both lists (counted in `not_utf8`) and is in the changes file as base64.
// - GitHub keeps 1 MB of outputs per job, counted in UTF-16 code units. The lists share a budget (by default half
//   of that, leaving the rest to the job's other outputs); a list that does not fit is cut at a name, in path
//   order, and its `…-truncated` output is "true". Counts are always complete, and the changes file always holds
//   everything.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "manifest/changes.h"
#include "util/result.h"
#include "util/text.h"  // utf16_length: what GitHub counts

namespace treeprint {

class Runner;

/// GitHub's limit for the outputs of one job, in UTF-16 code units.
inline constexpr size_t k_github_job_outputs_limit = 1024 * 1024;
/// What the change lists may use of it together by default.
inline constexpr size_t k_default_change_outputs_budget = k_github_job_outputs_limit / 2;

struct ListOutcome {
  std::string name;         // "added-files", or a filter's "<name>-files"
  size_t total = 0;         // names in the list
  size_t published = 0;     // names in the JSON output
  size_t text_omitted = 0;  // in the JSON output but not in the text one (a line break in the name)
  size_t not_utf8 = 0;      // in neither output
  size_t left_out = 0;      // cut by the budget
  bool truncated() const { return left_out != 0; }
};

struct OutputValue {
  std::string name;
  std::string value;
};

struct ChangeOutputs {
  std::vector<OutputValue> outputs;  // in a fixed order: global, then each list, then each filter
  std::vector<ListOutcome> lists;
  size_t utf16_used = 0;  // names and values
};

struct ChangeOutputOptions {
  std::string changes_path;  // the changes file's path (the changes-path output), "" for none
  std::string hash;          // the hash-files result (the hash output), "" for none
  bool with_hash = false;    // set the hash output even when `hash` is "" (nothing matched)
  size_t budget = k_default_change_outputs_budget;
};

/// Every output: any-changed, changes (JSON array of matched filter names), changes-path, hash; per list L (see
/// change_list_names()): L, L-json, L-count, L-truncated; per filter F: F, F-files, F-files-json, F-count,
/// F-files-truncated.
ChangeOutputs encode_change_outputs(const ChangeLists& lists, const std::vector<FilterResult>& filters,
                                    const ChangeOutputOptions& options);

/// One warning per list that lost names from an output (budget, line breaks, not UTF-8), saying where they are.
std::vector<std::string> change_output_warnings(const ChangeOutputs& outputs, std::string_view changes_file);

/// Sets every output through `runner` (GITHUB_OUTPUT records, runner.h). Fails at the first the runner refuses.
Status write_github_outputs(Runner& runner, const ChangeOutputs& outputs);

/// The complete changes file (JSON, final newline): nothing is cut. `baseline` names what was compared ("" when
/// there was no baseline).
std::string changes_json(const ChangeLists& lists, const std::vector<FilterResult>& filters, std::string_view baseline,
                         std::string_view hash, bool with_hash);

/// GitLab's artifacts:reports:dotenv limits: every line KEY=VALUE, KEY of [A-Za-z0-9_], the value one line (GitLab
/// strips surrounding blanks); the file smaller than `max_bytes`; at most `max_variables` variables (GitLab.com's
/// smallest current plan limit is the default).
struct DotenvLimits {
  size_t max_bytes = 5 * 1024;
  size_t max_variables = 50;
};

/// TREEPRINT_ANY_CHANGED, TREEPRINT_CHANGES, TREEPRINT_CHANGES_PATH, TREEPRINT_HASH, TREEPRINT_<LIST>_COUNT, the
/// all-changed list as TREEPRINT_ALL_CHANGED_FILES_JSON (cut to the space left, with ..._TRUNCATED), and per filter
/// TREEPRINT_FILTER_<NAME> and TREEPRINT_FILTER_<NAME>_COUNT (upper case, '-' as '_'). Fails when the variables do
/// not fit `limits` or two filter names map to one variable.
Result<std::string> render_dotenv(const ChangeLists& lists, const std::vector<FilterResult>& filters,
                                  const ChangeOutputOptions& options, const DotenvLimits& limits = {});

/// `vars` as a dotenv report, one KEY=VALUE line each, in order, under the same rules and `limits`; fails naming
/// the first variable that breaks them.
Result<std::string> render_dotenv_values(const std::vector<OutputValue>& vars, const DotenvLimits& limits = {});

/// For people: "A path", "M path", "D path", "R old -> new", "? path" (unreadable) lines, then one line per filter,
/// then a summary line. Names are made printable (util/format.h).
std::string render_changes_text(const ChangeLists& lists, const std::vector<FilterResult>& filters);

}  // namespace treeprint
