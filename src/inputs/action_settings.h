#pragma once
// Everything the action takes, in one validated struct, read from the places a CI system puts it: GitHub's INPUT_*
// variables, Drone/Woodpecker PLUGIN_* variables, and an optional YAML config file with the same keys.
//
// Precedence, per input: an explicit input (INPUT_<NAME>, then PLUGIN_<NAME>) > the config file > the default. An
// empty or all-blank variable counts as not set, as the toolkit's getInput treats it. Every problem is collected,
// each naming the input, where the value came from and what to do; nothing is scanned until the list is empty.
//
//   INPUT_<NAME>   the name upper-cased with hyphens kept (INPUT_MANIFEST-PATH), as the runner exports it
//   PLUGIN_<NAME>  upper-cased, hyphens become underscores (PLUGIN_MANIFEST_PATH); lists may be comma-separated
//                  or a JSON array
//   config file    the `config` input names it; keys are the input names (`manifest-path: out/m.json`); lists are
//                  YAML sequences or one item per line; the token cannot come from it

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "inputs/path_trust.h"
#include "inputs/scan_options.h"
#include "scan/change_filter.h"
#include "util/env.h"

namespace treeprint {

enum class BaselineKind { off, previous_run, path };
/// `automatic` (the input `auto`) is what the CI system offers: inputs/ci_system.h.
enum class SummaryMode { automatic, check_run, comment, status, none };
enum class FailOn { never, errors, changes };

/// Where a path-valued setting came from: its origin for messages ("INPUT_PATH", "treeprint.yml:3:7", "" for a
/// default) and who wrote it, for the rules in inputs/path_trust.h.
struct SettingOrigin {
  std::string where;
  PathSource source = PathSource::workflow;
};

struct ActionSettings {
  std::string path = ".";            // the directory to scan
  std::vector<std::string> include;  // gitignore-syntax globs, in the order given
  std::vector<std::string> exclude;
  bool gitignore = true;
  bool git = true;                  // input git: auto (true) or off
  std::optional<int64_t> since_ns;  // keep only files modified at or after this time
  bool follow_symlinks = false;
  unsigned threads = 0;  // 0: one per CPU
  /// Default: $RUNNER_TEMP/treeprint/manifest.json, else ${TMPDIR:-/tmp}/treeprint/manifest.json, so the manifest
  /// is never inside the scanned tree. Its parent directory may not exist yet (see place_output in path_trust.h).
  std::string manifest_path;
  bool manifest_path_is_default = false;
  std::string sha256sum_path;  // "": no sha256sum file
  /// Default: treeprint-<GITHUB_JOB>-<GITHUB_RUN_ATTEMPT> (treeprint-manifest off a runner). Validated against the
  /// characters the artifact service refuses.
  std::string artifact_name;
  unsigned retention_days = 0;  // 0: the repository's default; else 1..400, capped at GITHUB_RETENTION_DAYS
  bool overwrite = false;
  BaselineKind baseline = BaselineKind::off;
  std::string baseline_path;  // with BaselineKind::path: a readable manifest
  /// With `restore`: the step restores this directory from `restore_manifest` and verifies it, instead of a scan.
  std::string restore_dir;
  std::string restore_manifest;
  SummaryMode summary = SummaryMode::automatic;
  FailOn fail_on = FailOn::errors;
  std::string token;        // mask it (Runner::add_mask) before anything is printed
  /// Seconds the network part (baseline download, artifact upload, REST summary) may take in all.
  unsigned api_timeout = 600;
  /// `filters`: named path filters over the change lists, compiled (inputs/filters_file.h).
  std::vector<ChangeFilter> filters;
  /// `hash-files`: hashFiles() patterns, newline-separated, without a leading `--follow-symbolic-links` line (which
  /// sets hash_follow_symlinks). Empty: no `hash` output.
  std::string hash_files;
  bool hash_follow_symlinks = false;
  SettingOrigin path_origin, manifest_path_origin, sha256sum_path_origin, baseline_origin;
  std::string config_path;  // the config file that was read, or ""
  /// Things the user should know that are not errors ("retention-days 120 capped at 90").
  std::vector<std::string> warnings;
};

/// One problem with one input. `input` is the input's name ("fail-on"), `message` the whole sentence to show:
/// the input, where the value came from, what is wrong and what to do.
struct SettingsError {
  std::string input;
  std::string message;
};

using SettingsResult = std::variant<ActionSettings, std::vector<SettingsError>>;

/// Reads and validates every input. Reads the config file and checks that a baseline path can be opened by the
/// rules of inputs/path_trust.h (relative paths are relative to the workspace); touches
/// nothing else. The config file is capped at 1 MiB, and what its values expand to (YAML aliases repeat a value
/// without repeating its text) at 1 MiB and 10,000 list items.
SettingsResult load_action_settings(const EnvLookup& env);



/// The input names, in the order the action documents them.
const std::vector<std::string>& action_input_names();

/// The environment variable names an input is read from: {"INPUT_FAIL-ON", "PLUGIN_FAIL_ON"}.
std::string github_input_variable(const std::string& input);
std::string plugin_input_variable(const std::string& input);

/// What `treeprint scan` needs from the settings: includes first, then excludes (so an exclude wins over an include
/// that matches the same path), threads resolved to the CPU count when 0.
ScanOptions to_scan_options(const ActionSettings& settings);

const char* to_string(BaselineKind kind);
const char* to_string(SummaryMode mode);
const char* to_string(FailOn fail_on);

}  // namespace treeprint
