#pragma once
// The runner's environment (publish/runner.h) for the CI system the step runs in (inputs/ci_system.h). Where no
// runner reads GITHUB_OUTPUT (GitLab CI, Woodpecker, Drone), the outputs are kept in `treeprint.env` in the
// workspace (CI_PROJECT_DIR, CI_WORKSPACE or DRONE_WORKSPACE; else the working directory): on GitLab in dotenv
// format, for `artifacts:reports:dotenv`; elsewhere as shell assignments a later step can `source`. Without
// GITHUB_STEP_SUMMARY the Markdown summary is `treeprint-summary.md` there. On GitLab, groups are log sections.

#include "inputs/ci_system.h"
#include "publish/runner.h"
#include "util/env.h"

namespace treeprint {

inline constexpr const char* k_env_file_name = "treeprint.env";
inline constexpr const char* k_markdown_file_name = "treeprint-summary.md";

RunnerEnvironment ci_runner_environment(const EnvLookup& env);

}  // namespace treeprint
