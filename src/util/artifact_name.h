#pragma once
// The artifact service's rule for artifact names, in the bottom layer because two sibling layers check it: the
// inputs (before any work) and the uploader (before the first request).

#include <string>
#include <string_view>

namespace treeprint {

/// What the artifact service refuses in an artifact name.
inline constexpr std::string_view k_artifact_name_forbidden = "\":<>|*?\r\n\\/";

/// The characters of `name` the artifact service refuses, each once, in order of appearance ("" when none).
std::string forbidden_artifact_name_chars(std::string_view name);

}  // namespace treeprint
