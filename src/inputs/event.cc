#include "inputs/event.h"

#include "simdjson.h"

namespace treeprint {

namespace {

std::string string_at(simdjson::ondemand::document& doc, std::string_view a, std::string_view b = {},
                      std::string_view c = {}) {
  std::string_view out;
  auto v = doc[a];
  if (!b.empty()) v = v[b];
  if (!c.empty()) v = v[c];
  return v.get_string().get(out) == simdjson::SUCCESS ? std::string(out) : std::string();
}

}  // namespace

WorkflowEvent parse_event(std::string_view json) {
  WorkflowEvent event;
  simdjson::padded_string padded(json);
  simdjson::ondemand::parser parser;
  simdjson::ondemand::document doc;
  if (parser.iterate(padded).get(doc) != simdjson::SUCCESS) return event;
  int64_t number = 0;
  if (doc["pull_request"]["number"].get_int64().get(number) == simdjson::SUCCESS && number > 0) {
    PullRequestEvent pr;
    pr.number = number;
    pr.head_sha = string_at(doc, "pull_request", "head", "sha");
    pr.base_sha = string_at(doc, "pull_request", "base", "sha");
    pr.base_ref = string_at(doc, "pull_request", "base", "ref");
    event.pull_request = std::move(pr);
  }
  event.before = string_at(doc, "before");
  event.default_branch = string_at(doc, "repository", "default_branch");
  return event;
}

bool is_null_commit(std::string_view sha) {
  return !sha.empty() && sha.find_first_not_of('0') == std::string_view::npos;
}

WorkflowEvent read_event(const EnvLookup& env) {
  const auto path = env("GITHUB_EVENT_PATH");
  if (!path || path->empty()) return {};
  simdjson::padded_string json;
  if (simdjson::padded_string::load(*path).get(json) != simdjson::SUCCESS) return {};
  return parse_event(std::string_view(json.data(), json.size()));
}

}  // namespace treeprint
