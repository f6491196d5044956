#pragma once

#include "app/app.h"
#include "inputs/scan_options.h"

namespace treeprint {

/// `treeprint scan`: walk, hash, write the manifest (and sha256sum file) atomically, print a summary.
int run_scan(const ScanOptions& options, AppContext& ctx);

}  // namespace treeprint
