#pragma once
// What each command was asked to do, validated. Built from CLI flags; the action's INPUT_* / PLUGIN_* and YAML
// config sources fill the same structs.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "manifest/diff_report.h"
#include "util/atomic_file.h"

namespace treeprint {

/// An output whose directory was opened by the caller's rules (the action's: inputs/path_trust.h).
struct OutputAt {
  int dir_fd = -1;  // -1: open the output by its name, as the command line does
  std::string base_name;
  AtomicFileOptions file;
};

struct FilterPattern {
  bool include;  // --include (true) or --exclude (false)
  std::string pattern;
};

struct ScanOptions {
  std::string dir = ".";
  std::string output;                  // -o; "" writes no manifest, "-" writes it to stdout
  std::string sha256sum_path;          // --sha256sum
  unsigned threads = 0;                // 0: one per CPU
  std::vector<FilterPattern> filters;  // in command-line order
  bool gitignore = true;
  bool git = true;  // --git=auto: read the git work tree DIR is in (src/scan/git_tree.h); false: --git=off
  bool scan_git_dir = false;
  std::optional<int64_t> since_ns;
  bool follow_symlinks = false;
  bool quiet = false;
  std::string baseline;       // --baseline: reuse digests of files unchanged since this manifest
  bool rehash_all = false;    // --rehash-all: read the baseline for nothing, hash every file
  uint32_t shard_index = 0;   // --shard I/N: 1-based; 0 when not sharded
  uint32_t shard_count = 0;
  /// Set by the action: the directory to scan, already open (`dir` then only names it), and where the outputs go.
  int dir_fd = -1;
  OutputAt output_at;
  OutputAt sha256sum_at;
};

struct InspectOptions {
  std::string manifest;
  bool json = false;
};

/// How `diff` and `verify` print their report (manifest/diff_report.h).
using ReportFormat = DiffFormat;

/// `diff OLD NEW`: each side a manifest or a directory (scanned with `scan`'s settings).
struct DiffOptions {
  std::string old_side;
  std::string new_side;
  ReportFormat format = ReportFormat::text;
  ScanOptions scan;
};

struct VerifyOptions {
  std::string manifest;
  std::string dir = ".";
  bool allow_new = false;
  ReportFormat format = ReportFormat::text;
  ScanOptions scan;
};

/// `restore MANIFEST [DIR]`: put back modes and symlinks, then verify DIR as `verify` does (with `scan` filters).
struct RestoreOptions {
  std::string manifest;
  std::string dir = ".";
  bool dry_run = false;
  ScanOptions scan;
};

struct MergeOptions {
  std::vector<std::string> parts;
  std::string output;
  std::string sha256sum_path;
  bool quiet = false;
};

/// `changed BASELINE [DIR|MANIFEST]`: the change lists a later step consumes (docs/changed.md).
enum class ChangedFormat { text, json, github, dotenv };

struct ChangedOptions {
  std::string baseline;      // a manifest or directory; "" when there is none (every entry then counts as added)
  std::string current = ".";  // a directory (scanned with `scan`'s settings) or a manifest
  std::string filters_path;   // --filters FILE: YAML, as the action's `filters` input
  ChangedFormat format = ChangedFormat::text;
  std::string changes_file;   // --changes-file FILE: the complete lists as JSON
  std::vector<std::string> hash_files;  // --hash-files PATTERN...: hashFiles() arguments, over the current DIR
  ScanOptions scan;
};

enum class ExportFormat { sha256sum, subject_checksums, base64_subjects, in_toto };

struct ExportOptions {
  std::string manifest;
  ExportFormat format = ExportFormat::sha256sum;
  std::string output = "-";
};

}  // namespace treeprint
