#include "inputs/cli.h"

#include <CLI/CLI.hpp>
#include <thread>

#include "inputs/time_spec.h"
#include "scan/ignore.h"

namespace treeprint {

namespace {

constexpr const char* k_footer =
    "Exit status: 0 all entries read; 1 finished, but some entries could not be read (listed in the manifest's\n"
    "\"errors\"); 2 usage error or the scan could not run at all.";

}  // namespace

Command parse_command_line(int argc, const char* const* argv) {
  CLI::App app{"treeprint: scan a tree, SHA-256 every file, write a deterministic manifest", "treeprint"};
  app.require_subcommand(0, 1);
  app.footer(k_footer);
  bool version = false;
  app.add_flag("--version", version, "print the version and exit");

  ScanOptions scan;
  std::vector<std::string> includes, excludes;
  std::string since;
  bool no_gitignore = false;
  CLI::App* cmd = app.add_subcommand("scan", "scan DIR (default: the current directory) and hash every file");
  cmd->footer(k_footer);
  cmd->add_option("DIR", scan.dir, "directory to scan")->capture_default_str();
  cmd->add_option("-o,--output", scan.output, "write the JSON manifest to FILE ('-' for standard output)")
      ->type_name("FILE");
  cmd->add_option("--sha256sum", scan.sha256sum_path, "also write the digests in `sha256sum` format to FILE")
      ->type_name("FILE");
  cmd->add_option("-j,--threads", scan.threads, "worker threads (default: the number of CPUs)")
      ->type_name("N")
      ->check(CLI::Range(1u, 1024u));
  auto* inc = cmd->add_option("--include", includes,
                              "keep only files matching GLOB (gitignore syntax; repeatable; last match wins)")
                  ->type_name("GLOB")
                  ->allow_extra_args(false);
  auto* exc = cmd->add_option("--exclude", excludes, "leave out paths matching GLOB (gitignore syntax; repeatable)")
                  ->type_name("GLOB")
                  ->allow_extra_args(false);
  cmd->add_flag("--no-gitignore", no_gitignore, "do not honour .gitignore files and .git/info/exclude");
  cmd->add_flag("--scan-git-dir", scan.scan_git_dir, "also scan .git directories (skipped by default)");
  cmd->add_option("--since", since, "keep only files modified at or after TIME (RFC 3339 or Unix seconds)")
      ->type_name("TIME");
  cmd->add_flag("-L,--follow-symlinks", scan.follow_symlinks,
                "follow symlinks whose target stays inside DIR (default: record links, never follow)");
  cmd->add_flag("-q,--quiet", scan.quiet, "no progress or summary on standard error");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    return HelpCommand{app.got_subcommand(cmd) ? cmd->help() : app.help()};
  } catch (const CLI::ParseError& e) {
    return UsageError{std::string(e.what()) + "\nRun 'treeprint scan --help' for the options."};
  }
  if (version) return VersionCommand{};
  if (!app.got_subcommand(cmd)) {
    return UsageError{"no command given: use 'treeprint scan [DIR] -o manifest.json'\n\n" + app.help()};
  }

  // --include and --exclude form one ordered list, so interleave them back in command-line order.
  size_t next_include = 0, next_exclude = 0;
  Filters check;
  for (const CLI::Option* opt : cmd->parse_order()) {
    const bool is_include = opt == inc;
    if (!is_include && opt != exc) continue;
    const std::string& pattern = is_include ? includes.at(next_include++) : excludes.at(next_exclude++);
    std::string error;
    const bool ok = is_include ? check.add_include(pattern, &error) : check.add_exclude(pattern, &error);
    if (!ok) {
      return UsageError{std::string(is_include ? "--include" : "--exclude") + " '" + pattern + "': " + error +
                        " (escape special characters with '\\')"};
    }
    scan.filters.push_back({is_include, pattern});
  }
  if (!since.empty()) {
    std::string error;
    scan.since_ns = parse_time_spec(since, &error);
    if (!scan.since_ns) return UsageError{"--since " + error};
  }
  scan.gitignore = !no_gitignore;
  if (scan.dir.empty()) return UsageError{"DIR is empty: give the directory to scan"};
  if (!scan.output.empty() && scan.output == scan.sha256sum_path) {
    return UsageError{"-o and --sha256sum name the same file '" + scan.output + "': give two different paths"};
  }
  if (scan.threads == 0) scan.threads = std::max(1u, std::thread::hardware_concurrency());
  return scan;
}

}  // namespace treeprint
