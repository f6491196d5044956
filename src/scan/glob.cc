#include "scan/glob.h"

#include <cstring>

namespace treeprint {

namespace {

bool in_class(std::string_view name, unsigned char c) {
  const bool upper = c >= 'A' && c <= 'Z';
  const bool lower = c >= 'a' && c <= 'z';
  const bool digit = c >= '0' && c <= '9';
  if (name == "alnum") return upper || lower || digit;
  if (name == "alpha") return upper || lower;
  if (name == "blank") return c == ' ' || c == '\t';
  if (name == "cntrl") return c < 0x20 || c == 0x7f;
  if (name == "digit") return digit;
  if (name == "graph") return c > 0x20 && c < 0x7f;
  if (name == "lower") return lower;
  if (name == "print") return c >= 0x20 && c < 0x7f;
  if (name == "punct") return c > 0x20 && c < 0x7f && !upper && !lower && !digit;
  if (name == "space") return c == ' ' || (c >= '\t' && c <= '\r');
  if (name == "upper") return upper;
  if (name == "xdigit") return digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  return false;
}

bool is_known_class(std::string_view name) {
  static constexpr std::string_view k_names[] = {"alnum", "alpha", "blank", "cntrl", "digit", "graph",
                                                 "lower", "print", "punct", "space", "upper", "xdigit"};
  for (auto n : k_names) {
    if (n == name) return true;
  }
  return false;
}

// Parses a bracket expression starting just after '['. On success returns the index just past ']'.
Result<size_t> parse_set(std::string_view p, size_t i, std::bitset<256>* out) {
  std::bitset<256> set;
  bool negate = false;
  if (i < p.size() && (p[i] == '!' || p[i] == '^')) {
    negate = true;
    ++i;
  }
  bool first = true;
  int prev = -1;  // last single byte added, for ranges
  while (i < p.size()) {
    unsigned char c = static_cast<unsigned char>(p[i]);
    if (c == ']' && !first) {
      if (negate) set.flip();
      *out = set;
      return Result<size_t>(i + 1);
    }
    first = false;
    if (c == '[' && i + 1 < p.size() && p[i + 1] == ':') {
      const size_t end = p.find(":]", i + 2);
      if (end != std::string_view::npos) {
        const std::string_view name = p.substr(i + 2, end - i - 2);
        if (!is_known_class(name)) {
          return Result<size_t>::failure("unknown character class '[:" + std::string(name) + ":]'");
        }
        for (int b = 0; b < 256; ++b) {
          if (in_class(name, static_cast<unsigned char>(b))) set.set(static_cast<size_t>(b));
        }
        i = end + 2;
        prev = -1;
        continue;
      }
    }
    if (c == '\\') {
      if (i + 1 >= p.size()) break;
      c = static_cast<unsigned char>(p[++i]);
    } else if (c == '-' && prev >= 0 && i + 1 < p.size() && p[i + 1] != ']') {
      unsigned char hi = static_cast<unsigned char>(p[i + 1]);
      i += 2;
      if (hi == '\\') {
        if (i >= p.size()) break;
        hi = static_cast<unsigned char>(p[i++]);
      }
      for (int b = prev; b <= hi; ++b) set.set(static_cast<size_t>(b));
      prev = -1;
      continue;
    }
    set.set(c);
    prev = c;
    ++i;
  }
  return Result<size_t>::failure("unterminated '[' in pattern");
}

}  // namespace

Result<Glob> Glob::compile(std::string_view p) {
  Glob g;
  g.m_pattern = std::string(p);
  bool has_wild = false;
  std::string literal;
  for (size_t i = 0; i < p.size();) {
    const char c = p[i];
    if (c == '\\') {
      if (i + 1 >= p.size()) {
        return Result<Glob>::failure("pattern ends with an unescaped '\\'");
      }
      g.m_tokens.push_back({Kind::literal, static_cast<unsigned char>(p[i + 1]), 0});
      literal.push_back(p[i + 1]);
      i += 2;
    } else if (c == '?') {
      has_wild = true;
      g.m_tokens.push_back({Kind::any, 0, 0});
      ++i;
    } else if (c == '[') {
      has_wild = true;
      std::bitset<256> set;
      auto next = parse_set(p, i + 1, &set);
      if (!next) return Result<Glob>::failure(next.error());
      g.m_sets.push_back(set);
      g.m_tokens.push_back({Kind::set, 0, static_cast<uint32_t>(g.m_sets.size() - 1)});
      i = *next;
    } else if (c == '*') {
      has_wild = true;
      size_t j = i;
      while (j < p.size() && p[j] == '*') ++j;
      const bool double_star = j - i >= 2;
      const bool starts_segment = i == 0 || p[i - 1] == '/';
      if (double_star && starts_segment && j < p.size() && p[j] == '/') {
        g.m_tokens.push_back({Kind::dir_star, 0, 0});  // "**/": zero or more directories, '/' included
        g.m_tokens.push_back({Kind::dir_body, 0, 0});
        i = j + 1;
      } else if (double_star && starts_segment && j == p.size()) {
        g.m_tokens.push_back({Kind::any_star, 0, 0});
        i = j;
      } else {
        g.m_tokens.push_back({Kind::star, 0, 0});
        i = j;
      }
    } else {
      g.m_tokens.push_back({Kind::literal, static_cast<unsigned char>(c), 0});
      literal.push_back(c);
      ++i;
    }
  }
  if (!has_wild) {
    g.m_fast = Fast::literal;
    g.m_fast_text = literal;
  } else if (g.m_tokens.size() >= 1 && g.m_tokens[0].kind == Kind::star) {
    bool rest_literal = true;
    std::string suffix;
    for (size_t k = 1; k < g.m_tokens.size(); ++k) {
      if (g.m_tokens[k].kind != Kind::literal || g.m_tokens[k].byte == '/') {
        rest_literal = false;
        break;
      }
      suffix.push_back(static_cast<char>(g.m_tokens[k].byte));
    }
    if (rest_literal) {
      g.m_fast = Fast::suffix;
      g.m_fast_text = suffix;
    }
  }
  return g;
}

bool Glob::matches(std::string_view path) const {
  switch (m_fast) {
    case Fast::literal: return path == m_fast_text;
    case Fast::suffix:
      return path.size() >= m_fast_text.size() &&
             path.compare(path.size() - m_fast_text.size(), m_fast_text.size(), m_fast_text) == 0 &&
             std::memchr(path.data(), '/', path.size() - m_fast_text.size()) == nullptr;
    case Fast::none: break;
  }
  return run_nfa(path);
}

bool Glob::run_nfa(std::string_view path) const {
  const size_t n = m_tokens.size();
  // dir_star at i is always followed by its dir_body at i + 1.
  const auto body_of = [](size_t i, Kind kind) { return kind == Kind::dir_star ? i + 1 : i; };
  // State i: the next token to match is i; state n accepts. Epsilon moves only go forward (a star may match nothing,
  // "**/" may match no directory), so one forward pass computes a closure.
  std::vector<char> cur(n + 1, 0), next(n + 1, 0);
  auto close = [&](std::vector<char>& s) {
    for (size_t i = 0; i < n; ++i) {
      if (!s[i]) continue;
      const Kind k = m_tokens[i].kind;
      if (k == Kind::star || k == Kind::any_star) s[i + 1] = 1;
      if (k == Kind::dir_star) s[i + 2] = 1;
    }
  };
  cur[0] = 1;
  close(cur);
  for (const char ch : path) {
    const auto c = static_cast<unsigned char>(ch);
    std::fill(next.begin(), next.end(), 0);
    bool any = false;
    for (size_t i = 0; i < n; ++i) {
      if (!cur[i]) continue;
      const Token& t = m_tokens[i];
      switch (t.kind) {
        case Kind::literal:
          if (c == t.byte) next[i + 1] = any = true;
          break;
        case Kind::any:
          if (c != '/') next[i + 1] = any = true;
          break;
        case Kind::set:
          if (c != '/' && m_sets[t.set].test(c)) next[i + 1] = any = true;
          break;
        case Kind::star:
          if (c != '/') next[i] = any = true;
          break;
        case Kind::any_star: next[i] = any = true; break;
        case Kind::dir_star:  // the first byte of "(.*/)"
        case Kind::dir_body:
          next[body_of(i, t.kind)] = any = true;
          if (c == '/') next[body_of(i, t.kind) + 1] = 1;
          break;
      }
    }
    if (!any) return false;
    close(next);
    cur.swap(next);
  }
  return cur[n] != 0;
}

}  // namespace treeprint
