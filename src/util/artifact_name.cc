#include "util/artifact_name.h"

namespace treeprint {

std::string forbidden_artifact_name_chars(std::string_view name) {
  std::string bad;
  for (char c : name) {
    if (k_artifact_name_forbidden.find(c) != std::string_view::npos && bad.find(c) == std::string::npos) bad += c;
  }
  return bad;
}

}  // namespace treeprint
