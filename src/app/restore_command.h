#pragma once
// `treeprint restore MANIFEST [DIR]`: puts back what an artifact upload lost (manifest/restore.h), then verifies DIR
// exactly as `treeprint verify` does, with the same report and exit codes.

#include <cstdint>

#include "app/app.h"
#include "app/compare_commands.h"
#include "inputs/scan_options.h"

namespace treeprint {

struct RestoreCounts {
  uint64_t restored = 0;      // changes made (with --dry-run: that would be made)
  uint64_t not_restored = 0;  // entries left as they were, each reported with the reason
  VerifyCounts verify;        // after the restore; zero with --dry-run
};

int run_restore(const RestoreOptions& options, AppContext& ctx, RestoreCounts* counts = nullptr);

}  // namespace treeprint
