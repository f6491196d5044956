#pragma once
// The process environment as a lookup function, so code that reads INPUT_*, PLUGIN_* or GITHUB_* variables can be
// tested with a plain map instead of the real environment.

#include <functional>
#include <map>
#include <optional>
#include <string>

namespace treeprint {

/// Returns the variable's value, or nullopt when it is not set.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

/// The real environment (getenv). Names with '-' work: the runner exports INPUT_MANIFEST-PATH as is.
EnvLookup process_environment();

/// A fixed set of variables, for tests and for callers that build the environment themselves.
EnvLookup environment_from(std::map<std::string, std::string> vars);

}  // namespace treeprint
