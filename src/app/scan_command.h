#pragma once

#include <functional>
#include <memory>
#include <string>

#include "app/app.h"
#include "inputs/scan_options.h"
#include "manifest/entry.h"
#include "scan/git_reuse.h"
#include "scan/stat_cache.h"

namespace treeprint {

/// `treeprint scan`: walk, hash, write the manifest (and sha256sum file) atomically, print a summary.
int run_scan(const ScanOptions& options, AppContext& ctx);

/// What a scan produced, for callers that go on with it (the action: outputs, summaries, uploads).
struct ScanResult {
  int exit_code = 0;  // what run_scan returns
  bool ran = false;   // the tree was walked (false: nothing was scanned, the message was printed)
  bool written = false;
  std::string fatal_error;
  Manifest manifest;
  Digest root{};
  double seconds = 0;
  /// Files whose digest the git fast path took from the baseline without opening them.
  uint64_t git_reused = 0;
};

/// A baseline its caller has already read (the action: through its path rules, or from an earlier run's artifact,
/// and compares with it afterwards), for scan_and_write to reuse digests from, as `--baseline` would. Either may be
/// null. Unlike `--baseline`, no stat file is written for the output.
struct ScanReuse {
  const StatCache* stat_cache = nullptr;
  /// The baseline the git fast path takes digests from (matched against the scan's index; nothing is copied). It
  /// may be the manifest `stat_cache` holds.
  const Manifest* git_baseline = nullptr;
  /// Or, without git_baseline, how to get it (a download): called at most once, on a thread of its own while the
  /// tree is listed, and only by a git-aware scan; null when there is none. It must outlive the scan.
  std::function<const Manifest*()> load_git_baseline;
};

/// run_scan's work: walks, hashes, writes the outputs, prints the summary; returns everything it made. `reuse` is
/// ignored with `rehash_all`, and when `options.baseline` is set (that baseline is read instead).
ScanResult scan_and_write(const ScanOptions& options, AppContext& ctx, const ScanReuse* reuse = nullptr);

/// Walks and hashes `options.dir` with its filters, writing nothing: how diff and verify read a directory. Progress
/// and problems go to ctx.err unless quiet. False (with the message printed) when the tree cannot be scanned.
bool scan_tree(const ScanOptions& options, AppContext& ctx, Manifest* manifest);

/// What an earlier `scan --baseline` left to reuse.
struct LoadedStatCache {
  /// Null when there is nothing to reuse; `note` says why.
  std::unique_ptr<StatCache> cache;
  /// What the git fast path may reuse from the baseline (asked for with `git`, and only if it recorded git blobs).
  std::unique_ptr<GitReuse> git_reuse;
  /// Why there is no cache. A missing manifest is the first run of an incremental chain, not a problem;
  /// `warning` is set for a damaged or mismatched one.
  std::string note;
  bool warning = false;
};

/// Reads the manifest of an earlier `scan --baseline` and its sidecar into a stat cache, and with `git` (the work
/// tree being scanned) matches its git blobs against that tree's index, from the same single load. Without a sidecar
/// the manifest is read through once and only what the git fast path needs is kept; a missing sidecar is then only
/// a note when something can be reused that way.
LoadedStatCache load_stat_cache(const std::string& manifest_path, const GitTree* git = nullptr,
                                FileSystem& fs = real_file_system());

}  // namespace treeprint
