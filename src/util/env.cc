#include "util/env.h"

#include <cstdlib>
#include <memory>

namespace treeprint {

EnvLookup process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

EnvLookup environment_from(std::map<std::string, std::string> vars) {
  auto shared = std::make_shared<const std::map<std::string, std::string>>(std::move(vars));
  return [shared](const std::string& name) -> std::optional<std::string> {
    const auto it = shared->find(name);
    if (it == shared->end()) return std::nullopt;
    return it->second;
  };
}

}  // namespace treeprint
