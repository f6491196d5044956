#pragma once
// One glob pattern with git's wildmatch semantics in pathname mode (the rules gitignore(5) documents):
//
//   ?        any one byte except '/'
//   *        any run of bytes without '/'
//   [...]    a byte from the set: ranges a-z, [:class:] names, [!...] or [^...] negates; never matches '/'
//   \x       the byte x itself
//   **/      at the start or after '/': zero or more whole directories ("**/a" matches "a" and "x/y/a")
//   /**      at the end: everything below ("a/**" matches "a/x" and "a/x/y", not "a")
//   **       alone: anything; elsewhere it is the same as '*'
//
// Matching is byte-wise (like git) and runs as an NFA over the compiled pattern, so it takes O(path × pattern) time
// whatever the pattern: no exponential backtracking on hostile inputs. Literal and "*suffix" patterns take a fast
// path.

#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace treeprint {

class Glob {
 public:
  /// Compiles `pattern`; fails for an unterminated '[', an unknown [:class:] or a trailing '\'.
  static Result<Glob> compile(std::string_view pattern);

  bool matches(std::string_view path) const;
  const std::string& pattern() const { return m_pattern; }

 private:
  // "**/" is two tokens: dir_star (nothing consumed yet: may be skipped) and dir_body (inside "(.*/)?": must end
  // with '/').
  enum class Kind : uint8_t { literal, any, set, star, any_star, dir_star, dir_body };
  struct Token {
    Kind kind;
    unsigned char byte;  // for literal
    uint32_t set;        // index into m_sets
  };
  enum class Fast : uint8_t { none, literal, suffix };

  bool run_nfa(std::string_view path) const;

  std::string m_pattern;
  std::vector<Token> m_tokens;
  std::vector<std::bitset<256>> m_sets;
  Fast m_fast = Fast::none;
  std::string m_fast_text;  // the literal, or the suffix after a leading '*'
};

}  // namespace treeprint
