#include "inputs/cli.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <map>
#include <thread>

#include "inputs/time_spec.h"
#include "scan/ignore.h"

namespace treeprint {

namespace {

constexpr const char* k_footer =
    "Exit status: 0 all entries read; 1 finished, but some entries could not be read (listed in the manifest's\n"
    "\"errors\"); 2 usage error or the scan could not run at all.";
constexpr const char* k_compare_footer =
    "Exit status: 0 no differences; 1 differences found (or, for a directory side, entries that could not be\n"
    "read); 2 usage error, a manifest that is not valid, or a tree that could not be scanned.";

// The settings of a tree scan, shared by `scan`, `diff` and `verify` (a directory is always scanned the same way).
struct TreeFlags {
  std::vector<std::string> includes, excludes;
  std::string since;
  bool no_gitignore = false;
  std::string git = "auto";
  CLI::Option* include = nullptr;
  CLI::Option* exclude = nullptr;

  void add(CLI::App* cmd, ScanOptions* scan) {
    cmd->add_option("-j,--threads", scan->threads, "worker threads (default: the number of CPUs)")
        ->type_name("N")
        ->check(CLI::Range(1u, 1024u));
    include = cmd->add_option("--include", includes,
                              "keep only files matching GLOB (gitignore syntax; repeatable; last match wins)")
                  ->type_name("GLOB")
                  ->allow_extra_args(false);
    exclude = cmd->add_option("--exclude", excludes, "leave out paths matching GLOB (gitignore syntax; repeatable)")
                  ->type_name("GLOB")
                  ->allow_extra_args(false);
    cmd->add_flag("--no-gitignore", no_gitignore, "do not honour .gitignore files and .git/info/exclude");
    cmd->add_flag("--scan-git-dir", scan->scan_git_dir, "also scan .git directories (skipped by default)");
    cmd->add_option("--git", git,
                    "auto: in a git work tree, keep tracked files whatever the ignore files say, apply the "
                    "repository's rules above DIR, record git blob ids (default); off: a plain directory scan")
        ->type_name("auto|off");
    cmd->add_option("--since", since, "keep only files modified at or after TIME (RFC 3339 or Unix seconds)")
        ->type_name("TIME");
    cmd->add_flag("-L,--follow-symlinks", scan->follow_symlinks,
                  "follow symlinks whose target stays inside DIR (default: record links, never follow)");
    cmd->add_flag("-q,--quiet", scan->quiet, "no progress or summary on standard error");
  }

  // Fills in what CLI11 cannot: --include/--exclude in command-line order, --since, the thread default.
  std::optional<UsageError> finish(const CLI::App* cmd, ScanOptions* scan) {
    size_t next_include = 0, next_exclude = 0;
    Filters check;
    for (const CLI::Option* opt : cmd->parse_order()) {
      const bool is_include = opt == include;
      if (!is_include && opt != exclude) continue;
      const std::string& pattern = is_include ? includes.at(next_include++) : excludes.at(next_exclude++);
      Status added = is_include ? check.add_include(pattern) : check.add_exclude(pattern);
      if (!added) {
        return UsageError{std::string(is_include ? "--include" : "--exclude") + " '" + pattern + "': " + added.error() +
                          " (escape special characters with '\\')"};
      }
      scan->filters.push_back({is_include, pattern});
    }
    if (!since.empty()) {
      auto since_ns = parse_time_spec(since);
      if (!since_ns) return UsageError{"--since " + since_ns.error()};
      scan->since_ns = *since_ns;
    }
    scan->gitignore = !no_gitignore;
    if (git != "auto" && git != "off") return UsageError{"--git '" + git + "': give auto or off"};
    scan->git = git == "auto";
    if (scan->threads == 0) scan->threads = std::max(1u, std::thread::hardware_concurrency());
    return std::nullopt;
  }
};

// "I/N" with 1 <= I <= N.
bool parse_shard(const std::string& text, uint32_t* index, uint32_t* count) {
  const size_t slash = text.find('/');
  if (slash == std::string::npos) return false;
  const char* end = text.data() + text.size();
  auto a = std::from_chars(text.data(), text.data() + slash, *index);
  auto b = std::from_chars(text.data() + slash + 1, end, *count);
  return a.ec == std::errc{} && a.ptr == text.data() + slash && b.ec == std::errc{} && b.ptr == end && *count >= 1 &&
         *index >= 1 && *index <= *count;
}

const std::map<std::string, ReportFormat> k_report_formats = {
    {"text", ReportFormat::text}, {"json", ReportFormat::json}, {"markdown", ReportFormat::markdown}};
const std::map<std::string, ExportFormat> k_export_formats = {{"sha256sum", ExportFormat::sha256sum},
                                                              {"subject-checksums", ExportFormat::subject_checksums},
                                                              {"base64-subjects", ExportFormat::base64_subjects},
                                                              {"in-toto", ExportFormat::in_toto}};

}  // namespace

Command parse_command_line(int argc, const char* const* argv) {
  CLI::App app{"treeprint: scan a tree, SHA-256 every file, write a deterministic manifest", "treeprint"};
  app.require_subcommand(0, 1);
  app.footer(k_footer);
  bool version = false;
  app.add_flag("--version", version, "print the version and exit");
  // Only the command that is run gets its options built: `treeprint --version` and each command's start pay for no
  // other command's CLI setup. When the first argument names no command (--help, a typo), every command is built, so
  // the help and the error messages are whole.
  static constexpr std::string_view k_commands[] = {"scan",  "inspect", "diff",    "verify", "restore",
                                                    "merge", "export",  "changed", "action"};
  const std::string_view first = argc > 1 ? std::string_view(argv[1]) : std::string_view();
  const bool named = std::find(std::begin(k_commands), std::end(k_commands), first) != std::end(k_commands);
  const bool version_only = argc == 2 && first == "--version";
  auto wanted = [&](const CLI::App* cmd) { return named ? cmd->get_name() == first : !version_only; };

  // scan
  ScanOptions scan;
  TreeFlags scan_flags;
  std::string shard;
  CLI::App* scan_cmd = app.add_subcommand("scan", "scan DIR (default: the current directory) and hash every file");
  if (wanted(scan_cmd)) {
    scan_cmd->footer(k_footer);
    scan_cmd->add_option("DIR", scan.dir, "directory to scan")->capture_default_str();
    scan_cmd->add_option("-o,--output", scan.output, "write the JSON manifest to FILE ('-' for standard output)")
        ->type_name("FILE");
    scan_cmd->add_option("--sha256sum", scan.sha256sum_path, "also write the digests in `sha256sum` format to FILE")
        ->type_name("FILE");
    scan_flags.add(scan_cmd, &scan);
    scan_cmd
        ->add_option("--baseline", scan.baseline,
                     "reuse the digests of files unchanged since the scan that wrote MANIFEST (same size, mtime, inode "
                     "and ctime; needs the MANIFEST.stat file that scan wrote next to it)")
        ->type_name("MANIFEST");
    scan_cmd->add_flag("--rehash-all", scan.rehash_all, "with --baseline: hash every file anyway");
    scan_cmd->add_option("--shard", shard, "hash only shard I of N (1-based; by a hash of each path); join with merge")
        ->type_name("I/N");
  }

  // inspect
  InspectOptions inspect;
  CLI::App* inspect_cmd = app.add_subcommand("inspect", "validate a manifest and print its totals");
  if (wanted(inspect_cmd)) {
    inspect_cmd->add_option("MANIFEST", inspect.manifest, "the manifest ('-' for standard input)")->required();
    inspect_cmd->add_flag("--json", inspect.json, "print the totals as JSON");
    inspect_cmd->footer("Exit status: 0 a valid manifest; 2 not readable or not valid (the message says where).");
  }

  // diff
  DiffOptions diff;
  TreeFlags diff_flags;
  std::string diff_format = "text";
  CLI::App* diff_cmd = app.add_subcommand("diff", "compare two trees: each side a manifest or a directory");
  if (wanted(diff_cmd)) {
    diff_cmd->add_option("OLD", diff.old_side, "manifest or directory")->required();
    diff_cmd->add_option("NEW", diff.new_side, "manifest or directory")->required();
    diff_cmd->add_option("--format", diff_format, "text, json or markdown")->capture_default_str();
    diff_flags.add(diff_cmd, &diff.scan);
    diff_cmd->footer(k_compare_footer);
  }

  // verify
  VerifyOptions verify;
  TreeFlags verify_flags;
  std::string verify_format = "text";
  CLI::App* verify_cmd = app.add_subcommand("verify", "check DIR (default: .) against MANIFEST, like sha256sum -c");
  if (wanted(verify_cmd)) {
    verify_cmd->add_option("MANIFEST", verify.manifest, "the manifest")->required();
    verify_cmd->add_option("DIR", verify.dir, "the tree to check")->capture_default_str();
    verify_cmd->add_flag("--allow-new", verify.allow_new, "do not fail on files that are not in the manifest");
    verify_cmd->add_option("--format", verify_format, "text, json or markdown")->capture_default_str();
    verify_flags.add(verify_cmd, &verify.scan);
    verify_cmd->footer(
        "Exit status: 0 the tree matches; 1 files differ, are missing or are new (unless --allow-new), or could not\n"
        "be read; 2 usage error, a manifest that is not valid, or DIR could not be scanned.");
  }

  // restore
  RestoreOptions restore;
  TreeFlags restore_flags;
  CLI::App* restore_cmd = app.add_subcommand(
      "restore", "put back the executable bits and symlinks of DIR (default: .) from MANIFEST, then verify DIR");
  if (wanted(restore_cmd)) {
    restore_cmd->add_option("MANIFEST", restore.manifest, "the manifest of the original tree")->required();
    restore_cmd->add_option("DIR", restore.dir, "the copy to restore (a downloaded artifact)")->capture_default_str();
    restore_cmd->add_flag("-n,--dry-run", restore.dry_run, "print what would change; change and verify nothing");
    restore_flags.add(restore_cmd, &restore.scan);
    restore_cmd->footer(
        "Exit status: 0 restored and the tree matches; 1 files differ, are missing or are new, or could not be read\n"
        "(as verify); 2 usage error, a manifest that is not valid or not safe to restore from (nothing is changed),\n"
        "or DIR could not be opened. With --dry-run: 0, or 2 as above.");
  }

  // merge
  MergeOptions merge;
  CLI::App* merge_cmd = app.add_subcommand("merge", "join the manifests of `scan --shard I/N` into one");
  if (wanted(merge_cmd)) {
    merge_cmd->add_option("PART", merge.parts, "shard manifests, all N of them")->required();
    merge_cmd->add_option("-o,--output", merge.output, "write the merged manifest to FILE ('-' for standard output)")
        ->type_name("FILE")
        ->required();
    merge_cmd->add_option("--sha256sum", merge.sha256sum_path, "also write the digests in `sha256sum` format to FILE")
        ->type_name("FILE");
    merge_cmd->add_flag("-q,--quiet", merge.quiet, "no summary on standard error");
    merge_cmd->footer("Exit status: 0 merged; 1 merged, but the parts list entries that could not be read; 2 error.");
  }

  // export
  ExportOptions exp;
  std::string export_format = "sha256sum";
  CLI::App* export_cmd = app.add_subcommand("export", "write a manifest's digests in a supply-chain tool's format");
  if (wanted(export_cmd)) {
    export_cmd->add_option("MANIFEST", exp.manifest, "the manifest")->required();
    export_cmd
        ->add_option("--format", export_format,
                     "sha256sum (coreutils), subject-checksums (actions/attest), base64-subjects (slsa-github-generator) "
                     "or in-toto (Statement v1)")
        ->capture_default_str();
    export_cmd->add_option("-o,--output", exp.output, "write to FILE (default: standard output)")->type_name("FILE");
    export_cmd->footer("Exit status: 0 written; 1 written, but some names could not be carried (listed); 2 error.");
  }

  // changed
  ChangedOptions changed;
  TreeFlags changed_flags;
  std::string changed_format = "text";
  CLI::App* changed_cmd = app.add_subcommand(
      "changed", "list what changed since BASELINE, for the next CI step: lists, filters, a hashFiles() cache key");
  if (wanted(changed_cmd)) {
    changed_cmd->add_option("BASELINE", changed.baseline, "manifest or directory; \"\" when there is none")->required();
    changed_cmd->add_option("CURRENT", changed.current, "directory or manifest (default: .)")->capture_default_str();
    changed_cmd->add_option("--filters", changed.filters_path, "YAML map of filter name to gitignore-syntax globs")
        ->type_name("FILE");
    changed_cmd->add_option("--format", changed_format, "text, json, github (GITHUB_OUTPUT records) or dotenv (GitLab)")
        ->capture_default_str();
    changed_cmd->add_option("--changes-file", changed.changes_file, "also write the complete lists as JSON to FILE")
        ->type_name("FILE");
    changed_cmd
        ->add_option("--hash-files", changed.hash_files,
                     "hashFiles() patterns (@actions/glob syntax) over CURRENT, for the `hash` output; repeatable")
        ->type_name("PATTERN")
        ->allow_extra_args(false);
    changed_flags.add(changed_cmd, &changed.scan);
    changed_cmd->footer(
        "Exit status: 0 nothing changed; 1 something changed (or could not be read, or there is no baseline);\n"
        "2 usage error, a filters file that is not valid, a manifest that is not valid, or a tree that could not be\n"
        "scanned.");
  }

  CLI::App* action_cmd = app.add_subcommand(
      "action",
      "run as a CI step: settings from INPUT_* / PLUGIN_* variables and the config file (docs/action-inputs.md)");
  action_cmd->footer(
      "Without arguments, treeprint runs this way when GITHUB_ACTIONS=true, DRONE=true or CI=woodpecker.\n"
      "Exit status: 0 done; 1 fail-on was met (errors, or changes since the baseline); 2 an input is not valid or\n"
      "the scan could not run.");

  CLI::App* const commands[] = {scan_cmd,  inspect_cmd, diff_cmd,    verify_cmd, restore_cmd,
                                merge_cmd, export_cmd,  changed_cmd, action_cmd};
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    for (CLI::App* cmd : commands) {
      if (app.got_subcommand(cmd)) return HelpCommand{cmd->help()};
    }
    return HelpCommand{app.help()};
  } catch (const CLI::ParseError& e) {
    std::string name = "scan";
    for (CLI::App* cmd : commands) {
      if (app.got_subcommand(cmd)) name = cmd->get_name();
    }
    return UsageError{std::string(e.what()) + "\nRun 'treeprint " + name + " --help' for the options."};
  }
  if (version) return VersionCommand{};

  auto report_format = [](const std::string& text, ReportFormat* out) -> std::optional<UsageError> {
    const auto it = k_report_formats.find(text);
    if (it == k_report_formats.end()) return UsageError{"--format '" + text + "': use text, json or markdown"};
    *out = it->second;
    return std::nullopt;
  };

  if (app.got_subcommand(scan_cmd)) {
    if (auto e = scan_flags.finish(scan_cmd, &scan)) return *e;
    if (scan.dir.empty()) return UsageError{"DIR is empty: give the directory to scan"};
    if (!scan.output.empty() && scan.output == scan.sha256sum_path) {
      return UsageError{"-o and --sha256sum name the same file '" + scan.output + "': give two different paths"};
    }
    if (!shard.empty() && !parse_shard(shard, &scan.shard_index, &scan.shard_count)) {
      return UsageError{"--shard '" + shard + "': give I/N with 1 <= I <= N, e.g. --shard 2/8"};
    }
    if (scan.rehash_all && scan.baseline.empty()) return UsageError{"--rehash-all needs --baseline MANIFEST"};
    if (!scan.baseline.empty() && scan.output.empty()) {
      return UsageError{"--baseline needs -o FILE: the stat data for the next run is kept next to the manifest"};
    }
    return scan;
  }
  if (app.got_subcommand(inspect_cmd)) return inspect;
  if (app.got_subcommand(diff_cmd)) {
    if (auto e = diff_flags.finish(diff_cmd, &diff.scan)) return *e;
    if (auto e = report_format(diff_format, &diff.format)) return *e;
    return diff;
  }
  if (app.got_subcommand(verify_cmd)) {
    if (auto e = verify_flags.finish(verify_cmd, &verify.scan)) return *e;
    if (auto e = report_format(verify_format, &verify.format)) return *e;
    return verify;
  }
  if (app.got_subcommand(restore_cmd)) {
    if (auto e = restore_flags.finish(restore_cmd, &restore.scan)) return *e;
    if (restore.dir.empty()) return UsageError{"DIR is empty: give the directory to restore"};
    return restore;
  }
  if (app.got_subcommand(changed_cmd)) {
    if (auto e = changed_flags.finish(changed_cmd, &changed.scan)) return *e;
    static const std::map<std::string, ChangedFormat> k_changed_formats = {{"text", ChangedFormat::text},
                                                                          {"json", ChangedFormat::json},
                                                                          {"github", ChangedFormat::github},
                                                                          {"dotenv", ChangedFormat::dotenv}};
    const auto it = k_changed_formats.find(changed_format);
    if (it == k_changed_formats.end()) {
      return UsageError{"--format '" + changed_format + "': use text, json, github or dotenv"};
    }
    changed.format = it->second;
    if (changed.current.empty()) return UsageError{"CURRENT is empty: give the directory or manifest to compare"};
    return changed;
  }
  if (app.got_subcommand(merge_cmd)) return merge;
  if (app.got_subcommand(action_cmd)) return ActionCommand{};
  if (app.got_subcommand(export_cmd)) {
    const auto it = k_export_formats.find(export_format);
    if (it == k_export_formats.end()) {
      return UsageError{"--format '" + export_format +
                        "': use sha256sum, subject-checksums, base64-subjects or in-toto"};
    }
    exp.format = it->second;
    return exp;
  }
  return UsageError{
      "no command given: use 'treeprint scan [DIR] -o manifest.json' (or inspect, diff, verify, restore, changed, "
      "merge, export)\n\n" +
      app.help()};
}

}  // namespace treeprint
