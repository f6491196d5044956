#pragma once
// `treeprint diff OLD NEW` and `treeprint verify MANIFEST [DIR]`: both compare two trees, each read from a manifest
// or scanned from a directory, and report the differences as text, JSON or Markdown.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "app/app.h"
#include "inputs/scan_options.h"
#include "manifest/diff.h"
#include "manifest/entry.h"

namespace treeprint {

/// A side of a comparison: a directory is scanned with `settings`, anything else is read as a manifest. False
/// with the message printed.
bool load_side(const std::string& path, const ScanOptions& settings, AppContext& ctx, Manifest* out);

/// Compares `before` with `after`, each a manifest or a directory. A manifest is read as the comparison goes (its
/// files are never held whole), a directory is scanned; a `before` that is not a valid manifest fails before a scan
/// of `after` costs anything. A failure (naming the manifest) is printed. Warns, as load_side does, of a manifest
/// that holds one shard only. nullopt after a failure, with the message printed.
std::optional<TreeDiff> diff_sides(const std::string& before, const std::string& after, const ScanOptions& settings,
                                   AppContext& ctx);

int run_diff(const DiffOptions& options, AppContext& ctx);
/// What verify found, for callers that report it further (the action's outputs).
struct VerifyCounts {
  uint64_t failed = 0;  // content, mode or type differ, or the file could not be read
  uint64_t missing = 0;
  uint64_t added = 0;  // NEW: in DIR, not in the manifest
};

int run_verify(const VerifyOptions& options, AppContext& ctx, VerifyCounts* counts = nullptr);

}  // namespace treeprint
