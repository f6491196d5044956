#pragma once
// A reader of git's config file syntax, for the few keys repository discovery needs (core.repositoryformatversion,
// core.bare, core.worktree, extensions.*). It reads one file, as git reads the repository format: include and
// includeIf are not followed, and no other file is consulted.
//
// The syntax, as git-config(1) "CONFIGURATION FILE" describes it:
// - `[section]` starts a section; `[section "subsection"]` a subsection, whose name is case-sensitive and may hold
//   any byte but newline and NUL (`\"` and `\\` escape, any other `\c` is `c`); the legacy `[section.subsection]`
//   is lower-cased whole. Section names are letters, digits, '-' and '.'; a variable may follow on the same line.
// - `name = value` sets a variable; `name` alone sets it with no value (true as a boolean). Names start with a
//   letter, then letters, digits and '-'. Section and variable names are case-insensitive.
// - A value is trimmed; every whitespace byte inside it becomes one space. `"..."` quotes (whitespace and `#;`
//   kept); `\\`, `\"`, `\n`, `\t`, `\b` escape; a backslash at the end of a line continues the value on the next
//   one; any other escape is an error. `#` or `;` outside quotes starts a comment, to the end of the line.
// - A UTF-8 byte order mark at the start is skipped; CR LF counts as LF.
// Anything else is an error naming the file and the line, as git's "bad config line N in file F".
//
// Booleans: no value, `true`, `yes`, `on` or a non-zero integer are true; `false`, `no`, `off`, `0` and the empty
// string are false (case-insensitive). Integers: decimal, optionally signed, with a `k`, `m` or `g` suffix.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace treeprint::git {

class Config {
 public:
  struct Variable {
    std::string key;                   // "section.name" or "section.subsection.name", canonical case
    std::optional<std::string> value;  // nullopt: the name stood alone
    unsigned line = 0;
  };

  /// `origin` names the text in error messages (the file's path).
  static Result<Config> parse(std::string_view text, std::string_view origin);
  /// A missing file is an empty config (git treats it so); an unreadable or malformed one is an error.
  static Result<Config> read(const std::string& path);

  /// The last value set for `key` ("core.worktree", "remote.origin.url": section and name in any case). The outer
  /// optional is empty when the key is not set; the inner one when it was set with no value.
  std::optional<std::optional<std::string>> get(std::string_view key) const;
  /// The key as a boolean / an integer; nullopt when not set; an error when set to something else.
  Result<std::optional<bool>> get_bool(std::string_view key) const;
  Result<std::optional<int64_t>> get_int(std::string_view key) const;

  const std::vector<Variable>& variables() const { return m_variables; }
  const std::string& origin() const { return m_origin; }

 private:
  std::vector<Variable> m_variables;
  std::string m_origin;
};

/// `key` with its section and variable names lower-cased and its subsection kept.
std::string canonical_config_key(std::string_view key);

}  // namespace treeprint::git
