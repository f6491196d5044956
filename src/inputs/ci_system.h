#pragma once
// Which CI system the step runs in, told by the variables each one sets, and what that system offers for the
// summary. GitHub Actions sets GITHUB_ACTIONS=true; the Gitea and Forgejo runners set it too (they run GitHub
// container actions as they are) and add GITEA_ACTIONS=true or FORGEJO_ACTIONS=true; GitLab CI sets GITLAB_CI=true;
// Woodpecker sets CI=woodpecker; Drone sets DRONE=true.
//
//   const CiSystem system = detect_ci_system(env);
//   const SummaryChoice choice = choose_summary(system, settings.summary);
//   if (!choice.warning.empty()) runner.warning(choice.warning);
//   ... post as choice.mode says ...

#include <string>

#include "inputs/action_settings.h"
#include "util/env.h"

namespace treeprint {

enum class CiSystem { github, gitea, forgejo, gitlab, woodpecker, drone, unknown };

CiSystem detect_ci_system(const EnvLookup& env);

/// "GitHub Actions", "Gitea Actions", ..., "an unknown CI system".
const char* display_name(CiSystem system);

/// The system's runner reads GitHub workflow commands (::group::, ::add-mask::, ...) from the log.
bool reads_workflow_commands(CiSystem system);

/// The system's REST API can take this kind of summary, through the API treeprint speaks to it. Gitea and Forgejo
/// have commit statuses and pull-request comments but no check runs; GitLab has commit statuses and merge-request
/// notes (`comment`); Woodpecker and Drone have no API treeprint speaks, so only `none`. An unknown system is taken
/// at its word (the GitHub API, if configured).
bool offers(CiSystem system, SummaryMode mode);

struct SummaryChoice {
  SummaryMode mode = SummaryMode::none;
  std::string warning;  // set when the requested mode is not what is done
};

/// `auto` becomes what the system offers (check-run on GitHub, status on Gitea and Forgejo, on GitLab a note in a
/// merge-request pipeline (`change_request`: CI_MERGE_REQUEST_IID is set) and a status otherwise, none elsewhere).
/// An explicit mode the system lacks is not an error: the choice is that system's `auto`, with a warning saying so.
SummaryChoice choose_summary(CiSystem system, SummaryMode requested, bool change_request = false);

}  // namespace treeprint
