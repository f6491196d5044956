#pragma once
// gitignore(5) rules, and the --include/--exclude overrides built on the same pattern language.
//
// A RuleSet is one list of patterns (one .gitignore file, .git/info/exclude, or the command line's filters); within
// it the last matching pattern wins. IgnoreChain links the rule sets that apply to a directory, deepest first, as git
// consults them: the nearest .gitignore with a matching pattern decides, .git/info/exclude comes last. Chains are
// immutable and shared between threads.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scan/glob.h"

namespace treeprint {

enum class RuleMatch { none, ignore, keep };

class RuleSet {
 public:
  /// Parses gitignore text. `base` is the directory (relative to the scan root, "" for the root) whose paths the
  /// patterns are relative to. Lines git would reject (a bad '[' class) are dropped, as git drops them; each is
  /// reported in `warnings` as "SOURCE:LINE: message" when `warnings` is given.
  static RuleSet parse_gitignore(std::string_view text, std::string base, std::string_view source,
                                 std::vector<std::string>* warnings);

  /// Adds one pattern with gitignore syntax. `keep` true: a match keeps the entry (an include); false: a match
  /// ignores it. A leading '!' flips that. Fails for a malformed pattern, and for one that names nothing ("", "!",
  /// "/": see names_nothing).
  Status add(std::string_view pattern, bool keep);
  /// True for a pattern that is empty once its '!' and trailing '/' are taken off: git skips such a gitignore line.
  static bool names_nothing(std::string_view pattern);

  /// `path` relative to the scan root; `name` its last component.
  RuleMatch match(std::string_view path, std::string_view name, bool is_dir) const;

  bool empty() const { return m_rules.empty(); }
  bool has_keep_rules() const { return m_has_keep; }
  const std::string& base() const { return m_base; }

 private:
  struct Rule {
    Glob glob;
    bool keep;
    bool dir_only;
    bool basename_only;
  };
  std::string m_base;
  std::vector<Rule> m_rules;
  bool m_has_keep = false;
};

/// The --include/--exclude filters, in command-line order, in gitignore syntax. The last matching pattern decides;
/// an explicit match overrides .gitignore files. When any include is given, a file is kept only if an include matches
/// it or one of its directories (`--include src/` keeps everything below src/); directories are never left out for
/// lack of an include match, so the walk still descends to find included files.
class Filters {
 public:
  Status add_include(std::string_view pattern) { return m_rules.add(pattern, true); }
  Status add_exclude(std::string_view pattern) { return m_rules.add(pattern, false); }
  /// The last matching pattern's verdict, or none.
  RuleMatch match(std::string_view path, std::string_view name, bool is_dir) const {
    return m_rules.match(path, name, is_dir);
  }
  bool has_includes() const { return m_rules.has_keep_rules(); }
  bool empty() const { return m_rules.empty(); }

 private:
  RuleSet m_rules;
};

class IgnoreChain {
 public:
  IgnoreChain(RuleSet rules, std::shared_ptr<const IgnoreChain> parent)
      : m_rules(std::move(rules)), m_parent(std::move(parent)) {}

  /// True when git would ignore `path`.
  static bool is_ignored(const IgnoreChain* chain, std::string_view path, std::string_view name, bool is_dir);

 private:
  RuleSet m_rules;
  std::shared_ptr<const IgnoreChain> m_parent;
};

}  // namespace treeprint
