#pragma once
// A named path filter over the change lists (manifest/changes.h), as dorny/paths-filter offers them: gitignore-
// syntax patterns (the engine behind --include, scan/ignore.h), each optionally limited to some change kinds.
// It lives in scan/ because the pattern engine does; the manifest layer below knows nothing of globs.
//
// For a change of kind K, the patterns that apply to K are read as one gitignore rule list: the last matching
// pattern decides, '!' excludes, and a pattern that matches a directory covers everything below it (`src/` keeps
// src/a/b.c). A rename matches when its new or its old path does; unreadable paths count as modified.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "manifest/changes.h"
#include "scan/ignore.h"
#include "util/result.h"

namespace treeprint {

struct FilterPatternSpec {
  std::string pattern;
  uint8_t kinds = k_all_change_selectors;  // a mask of ChangeSelector values
};

struct ChangeFilterSpec {
  std::string name;
  std::vector<FilterPatternSpec> patterns;
};

class ChangeFilter {
 public:
  /// Compiles `spec`. Fails, naming the filter and the pattern, on a malformed pattern or a filter with none.
  static Result<ChangeFilter> compile(const ChangeFilterSpec& spec);

  const std::string& name() const { return m_name; }
  /// Whether `path` is selected for changes of `kind`.
  bool matches(std::string_view path, ChangeSelector kind) const;
  /// The paths of `lists` this filter selects, in path order.
  FilterResult evaluate(const ChangeLists& lists) const;

 private:
  std::string m_name;
  RuleSet m_rules[4];  // by change kind: added, modified, removed, renamed
};

/// Every filter's result, in the order given.
std::vector<FilterResult> evaluate_filters(const std::vector<ChangeFilter>& filters, const ChangeLists& lists);

}  // namespace treeprint
