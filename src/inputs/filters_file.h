#pragma once
// The `filters` input and `treeprint changed --filters FILE`: a YAML map from a filter name to its patterns, read
// and checked before any work. Each value is
//
//   a string                  one gitignore-syntax pattern per line (blank lines and '#' comments skipped)
//   a list                    of patterns, of nested lists (YAML anchors: `- *shared`), or of one-key maps
//                             `added|modified: PATTERN-or-LIST` that limit those patterns to some change kinds
//
// as dorny/paths-filter reads its `filters`. Kinds: added, modified, removed (or deleted), renamed.

#include <string>
#include <string_view>
#include <vector>

#include "scan/change_filter.h"
#include "util/result.h"

namespace treeprint {

/// Parses and compiles `yaml`. `source` names the input in messages ("--filters ci/filters.yml", "input
/// 'filters'"). Fails on YAML that is not a map, a bad name (manifest/changes.h check_filter_names), an empty filter,
/// an unknown change kind or a malformed pattern, each message naming the source and the filter.
Result<std::vector<ChangeFilter>> parse_filters(std::string_view yaml, std::string_view source);

}  // namespace treeprint
