#pragma once

#include "app/app.h"
#include "inputs/scan_options.h"
#include "manifest/entry.h"

namespace treeprint {

/// `treeprint scan`: walk, hash, write the manifest (and sha256sum file) atomically, print a summary.
int run_scan(const ScanOptions& options, AppContext& ctx);

/// Walks and hashes `options.dir` with its filters, writing nothing: how diff and verify read a directory. Progress
/// and problems go to ctx.err unless quiet. False (with the message printed) when the tree cannot be scanned.
bool scan_tree(const ScanOptions& options, AppContext& ctx, Manifest* manifest);

}  // namespace treeprint
