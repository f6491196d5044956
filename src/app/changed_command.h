#pragma once
// `treeprint changed BASELINE [CURRENT]`: the change lists, filter results and hashFiles() key a later CI step
// consumes, as text, JSON, GITHUB_OUTPUT records or a GitLab dotenv report (docs/changed.md).

#include "app/app.h"
#include "inputs/scan_options.h"

namespace treeprint {

int run_changed(const ChangedOptions& options, AppContext& ctx);

}  // namespace treeprint
