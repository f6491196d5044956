#include "inputs/ci_system.h"

namespace treeprint {

namespace {

bool is(const EnvLookup& env, const char* name, const char* value) { return env(name).value_or("") == value; }

SummaryMode auto_mode(CiSystem system, bool change_request) {
  switch (system) {
    case CiSystem::github: return SummaryMode::check_run;
    case CiSystem::gitea:
    case CiSystem::forgejo: return SummaryMode::status;
    case CiSystem::gitlab: return change_request ? SummaryMode::comment : SummaryMode::status;
    case CiSystem::woodpecker:
    case CiSystem::drone:
    case CiSystem::unknown: return SummaryMode::none;
  }
  return SummaryMode::none;
}

}  // namespace

CiSystem detect_ci_system(const EnvLookup& env) {
  // Forgejo's runner may set GITEA_ACTIONS as well, and both set GITHUB_ACTIONS: the most specific name first.
  if (is(env, "FORGEJO_ACTIONS", "true")) return CiSystem::forgejo;
  if (is(env, "GITEA_ACTIONS", "true")) return CiSystem::gitea;
  if (is(env, "GITHUB_ACTIONS", "true")) return CiSystem::github;
  if (is(env, "GITLAB_CI", "true")) return CiSystem::gitlab;
  if (is(env, "CI", "woodpecker")) return CiSystem::woodpecker;
  if (is(env, "DRONE", "true")) return CiSystem::drone;
  return CiSystem::unknown;
}

const char* display_name(CiSystem system) {
  switch (system) {
    case CiSystem::github: return "GitHub Actions";
    case CiSystem::gitea: return "Gitea Actions";
    case CiSystem::forgejo: return "Forgejo Actions";
    case CiSystem::gitlab: return "GitLab CI";
    case CiSystem::woodpecker: return "Woodpecker";
    case CiSystem::drone: return "Drone";
    case CiSystem::unknown: return "an unknown CI system";
  }
  return "an unknown CI system";
}

bool reads_workflow_commands(CiSystem system) {
  return system == CiSystem::github || system == CiSystem::gitea || system == CiSystem::forgejo;
}

bool offers(CiSystem system, SummaryMode mode) {
  if (mode == SummaryMode::none || mode == SummaryMode::automatic) return true;
  switch (system) {
    case CiSystem::github:
    case CiSystem::unknown: return true;
    case CiSystem::gitea:
    case CiSystem::forgejo:
    case CiSystem::gitlab: return mode == SummaryMode::status || mode == SummaryMode::comment;
    case CiSystem::woodpecker:
    case CiSystem::drone: return false;
  }
  return false;
}

SummaryChoice choose_summary(CiSystem system, SummaryMode requested, bool change_request) {
  SummaryChoice c;
  if (requested == SummaryMode::automatic) {
    c.mode = auto_mode(system, change_request);
    return c;
  }
  if (offers(system, requested)) {
    c.mode = requested;
    return c;
  }
  c.mode = auto_mode(system, change_request);
  const std::string why = system == CiSystem::gitea || system == CiSystem::forgejo || system == CiSystem::gitlab
                              ? std::string(display_name(system)) + " has no check runs"
                              : "treeprint cannot post to " + std::string(display_name(system)) + "'s API";
  c.warning = std::string("summary: ") + to_string(requested) + " is not available here (" + why + "); " +
              (c.mode == SummaryMode::none ? std::string("only the Markdown summary file was written")
                                           : std::string("posting a ") + to_string(c.mode) + " instead") +
              ". Set `summary: auto` to choose what this system offers without a warning.";
  return c;
}

}  // namespace treeprint
