#pragma once
// Commands that turn manifests into files: `treeprint merge PART... -o FILE` (shards into one manifest) and
// `treeprint export MANIFEST --format F` (digests for supply-chain tools).

#include "app/app.h"
#include "inputs/scan_options.h"

namespace treeprint {

int run_merge(const MergeOptions& options, AppContext& ctx);
int run_export(const ExportOptions& options, AppContext& ctx);

}  // namespace treeprint
