#pragma once
// `treeprint diff OLD NEW` and `treeprint verify MANIFEST [DIR]`: both compare two trees, each read from a manifest
// or scanned from a directory, and report the differences as text, JSON or Markdown.

#include <cstdint>
#include <memory>
#include <string>

#include "app/app.h"
#include "inputs/scan_options.h"
#include "manifest/diff.h"
#include "manifest/entry.h"
#include "manifest/entry_source.h"
#include "manifest/manifest_stream.h"

namespace treeprint {

/// A side of a comparison: a directory is scanned with `settings`, anything else is read as a manifest. False
/// with the message printed.
bool load_side(const std::string& path, const ScanOptions& settings, AppContext& ctx, Manifest* out);

/// A side of a comparison read as the comparison goes: a manifest file is streamed (its files are never held
/// whole), a directory is scanned into `scanned`.
struct ComparedSide {
  std::string path;
  Manifest scanned;
  std::unique_ptr<ManifestStream> stream;
  std::unique_ptr<EntrySource> memory;
  EntrySource& source() { return stream ? *stream : *memory; }
};

/// Scans a directory, or opens a manifest and starts reading it in the background. False with the message printed.
bool start_compared_side(const std::string& path, const ScanOptions& settings, AppContext& ctx, ComparedSide* out);
/// Waits until the side's lists before the files are read (a file that is not a manifest fails here, before a
/// scan of the other side costs anything). False with the message printed.
bool open_compared_side(ComparedSide& side, AppContext& ctx);
/// diff_sources on the two sides; a failure (naming the manifest) is printed. Warns, as load_side does, of a
/// manifest that holds one shard only.
Result<TreeDiff> diff_compared_sides(ComparedSide& before, ComparedSide& after, AppContext& ctx);

int run_diff(const DiffOptions& options, AppContext& ctx);
/// What verify found, for callers that report it further (the action's outputs).
struct VerifyCounts {
  uint64_t failed = 0;  // content, mode or type differ, or the file could not be read
  uint64_t missing = 0;
  uint64_t added = 0;  // NEW: in DIR, not in the manifest
};

int run_verify(const VerifyOptions& options, AppContext& ctx, VerifyCounts* counts = nullptr);

}  // namespace treeprint
