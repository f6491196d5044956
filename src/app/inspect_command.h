#pragma once
// `treeprint inspect MANIFEST`: validates a manifest and prints its totals.

#include "app/app.h"
#include "inputs/scan_options.h"

namespace treeprint {

int run_inspect(const InspectOptions& options, AppContext& ctx);

}  // namespace treeprint
