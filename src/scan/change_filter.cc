#include "scan/change_filter.h"

#include <algorithm>

#include "util/format.h"

namespace treeprint {

namespace {

size_t index_of(ChangeSelector kind) {
  switch (kind) {
    case ChangeSelector::added: return 0;
    case ChangeSelector::modified: return 1;
    case ChangeSelector::removed: return 2;
    case ChangeSelector::renamed: return 3;
  }
  return 0;
}

constexpr ChangeSelector k_selectors[] = {ChangeSelector::added, ChangeSelector::modified, ChangeSelector::removed,
                                          ChangeSelector::renamed};

// The walk's include rule (scan/walk.cc): the directories above `path` are consulted top-down, an ignore verdict on
// one of them rules the path out, a keep verdict covers what is below; then the path's own verdict.
bool selected(const RuleSet& rules, std::string_view path) {
  bool covered = false;
  size_t start = 0;
  for (;;) {
    const size_t slash = path.find('/', start);
    const bool last = slash == std::string_view::npos;
    const std::string_view prefix = last ? path : path.substr(0, slash);
    const std::string_view name = prefix.substr(start);
    switch (rules.match(prefix, name, !last)) {
      case RuleMatch::ignore: return false;
      case RuleMatch::keep:
        if (last) return true;
        covered = true;
        break;
      case RuleMatch::none:
        if (last) return covered;
        break;
    }
    start = slash + 1;
  }
}

}  // namespace

Result<ChangeFilter> ChangeFilter::compile(const ChangeFilterSpec& spec) {
  ChangeFilter f;
  f.m_name = spec.name;
  if (spec.patterns.empty()) {
    return Result<ChangeFilter>::failure("filter '" + printable(spec.name) + "' has no pattern: give at least one");
  }
  for (const FilterPatternSpec& p : spec.patterns) {
    if (p.kinds == 0) {
      return Result<ChangeFilter>::failure("filter '" + printable(spec.name) + "': pattern '" + printable(p.pattern) +
                                           "' applies to no change kind");
    }
    for (const ChangeSelector kind : k_selectors) {
      if ((p.kinds & static_cast<uint8_t>(kind)) == 0) continue;
      if (Status added = f.m_rules[index_of(kind)].add(p.pattern, true); !added) {
        return Result<ChangeFilter>::failure("filter '" + printable(spec.name) + "': pattern '" + printable(p.pattern) +
                                             "': " + added.error() + " (escape special characters with '\\')");
      }
    }
  }
  return f;
}

bool ChangeFilter::matches(std::string_view path, ChangeSelector kind) const {
  const RuleSet& rules = m_rules[index_of(kind)];
  return !rules.empty() && selected(rules, path);
}

FilterResult ChangeFilter::evaluate(const ChangeLists& lists) const {
  FilterResult r;
  r.name = m_name;
  for (const std::string& p : lists.added) {
    if (matches(p, ChangeSelector::added)) r.files.push_back(p);
  }
  for (const std::string& p : lists.modified) {
    if (matches(p, ChangeSelector::modified)) r.files.push_back(p);
  }
  for (const std::string& p : lists.unreadable) {
    if (matches(p, ChangeSelector::modified)) r.files.push_back(p);
  }
  for (const std::string& p : lists.removed) {
    if (matches(p, ChangeSelector::removed)) r.files.push_back(p);
  }
  for (const RenamedPath& p : lists.renamed) {
    if (matches(p.to, ChangeSelector::renamed) || matches(p.from, ChangeSelector::renamed)) r.files.push_back(p.to);
  }
  std::sort(r.files.begin(), r.files.end());
  r.files.erase(std::unique(r.files.begin(), r.files.end()), r.files.end());
  return r;
}

std::vector<FilterResult> evaluate_filters(const std::vector<ChangeFilter>& filters, const ChangeLists& lists) {
  std::vector<FilterResult> out;
  out.reserve(filters.size());
  for (const ChangeFilter& f : filters) out.push_back(f.evaluate(lists));
  return out;
}

}  // namespace treeprint
