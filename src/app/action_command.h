#pragma once
// The binary as a CI step: settings from INPUT_* (GitHub), PLUGIN_* (Drone, Woodpecker) or a YAML config file; a
// scan; the outputs, the job summary and error annotations through the runner's files and workflow commands; a
// comparison with a baseline (a manifest file, or the previous run's artifact); and a summary posted through the
// REST API (check run, sticky pull-request comment or commit status). Whatever fails after the scan is a warning:
// the manifest, the outputs and the job summary are written first and never depend on the network.
//
// Exit status: 2 when an input is not valid or the scan cannot run; 1 when `fail-on` says so (errors: some entries
// could not be read; changes: that, or the tree differs from the baseline); 0 otherwise.

#include "app/app.h"
#include "util/env.h"

namespace treeprint {

int run_action(const EnvLookup& env, AppContext& ctx);

/// Whether a run without arguments is a CI step: GITHUB_ACTIONS=true, DRONE=true or CI=woodpecker.
bool runs_as_action(const EnvLookup& env);

}  // namespace treeprint
