#pragma once
// What the workflow's event file ($GITHUB_EVENT_PATH, the webhook payload that started the run) says: the pull
// request a run is for, and for a push the commit before it. Best effort: a missing or malformed file reads as an
// event that says nothing, since every use of it has a fallback.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/env.h"

namespace treeprint {

struct PullRequestEvent {
  int64_t number = 0;
  std::string head_sha;  // "" when the payload lacks it
  std::string base_sha;
  std::string base_ref;  // the branch the pull request would merge into
};

struct WorkflowEvent {
  std::optional<PullRequestEvent> pull_request;
  std::string before;  // push: the commit the branch pointed at before ("" otherwise; all zeros for a new branch)
  std::string default_branch;  // repository.default_branch ("" when the payload lacks it)
};

/// True for the all-zeros object id a push of a new branch gives as `before`.
bool is_null_commit(std::string_view sha);

/// Parses a payload.
WorkflowEvent parse_event(std::string_view json);
/// Reads and parses $GITHUB_EVENT_PATH (an empty event when unset or unreadable).
WorkflowEvent read_event(const EnvLookup& env);

}  // namespace treeprint
