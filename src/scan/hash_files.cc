#include "scan/hash_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>

#include "util/format.h"
#include "util/sha256.h"

namespace treeprint {

namespace {

// --- the pattern dialect: minimatch with dot, nobrace, noext, nonegate, nocomment, as @actions/glob sets it ------
// Matching runs on UTF-16 code units, as JavaScript's regular expressions do without the 'u' flag: '?' matches one
// code unit, so a character outside the Basic Multilingual Plane takes two.

std::u16string to_utf16(std::string_view s, bool* valid) {
  std::u16string out;
  out.reserve(s.size());
  *valid = true;
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    uint32_t cp = 0;
    size_t len = 0;
    if (c < 0x80) {
      cp = c;
      len = 1;
    } else if ((c >> 5) == 6) {
      cp = c & 0x1f;
      len = 2;
    } else if ((c >> 4) == 14) {
      cp = c & 0x0f;
      len = 3;
    } else if ((c >> 3) == 30) {
      cp = c & 0x07;
      len = 4;
    }
    bool ok = len != 0 && i + len <= s.size();
    for (size_t k = 1; ok && k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      ok = (cc >> 6) == 2;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if (!ok) {
      *valid = false;
      out.push_back(0xfffd);  // what Node makes of such a name; the name then no longer names the file
      ++i;
      continue;
    }
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out.push_back(static_cast<char16_t>(0xd800 + (cp >> 10)));
      out.push_back(static_cast<char16_t>(0xdc00 + (cp & 0x3ff)));
    } else {
      out.push_back(static_cast<char16_t>(cp));
    }
    i += len;
  }
  return out;
}

bool posix_class(std::u16string_view name, char16_t c) {
  const bool ascii = c < 0x80;
  const int a = ascii ? static_cast<int>(c) : 0;
  auto is = [&](bool (*f)(int)) { return ascii && f(a); };
  if (name == u"alpha") return is([](int x) { return std::isalpha(x) != 0; }) || !ascii;
  if (name == u"alnum") return is([](int x) { return std::isalnum(x) != 0; }) || !ascii;
  if (name == u"digit") return is([](int x) { return std::isdigit(x) != 0; });
  if (name == u"xdigit") return is([](int x) { return std::isxdigit(x) != 0; });
  if (name == u"upper") return is([](int x) { return std::isupper(x) != 0; });
  if (name == u"lower") return is([](int x) { return std::islower(x) != 0; });
  if (name == u"space") return is([](int x) { return std::isspace(x) != 0; });
  if (name == u"blank") return c == u' ' || c == u'\t';
  if (name == u"punct") return is([](int x) { return std::ispunct(x) != 0; });
  if (name == u"cntrl") return is([](int x) { return std::iscntrl(x) != 0; });
  if (name == u"print") return is([](int x) { return std::isprint(x) != 0; }) || !ascii;
  if (name == u"graph") return is([](int x) { return std::isgraph(x) != 0; }) || !ascii;
  if (name == u"word") return is([](int x) { return std::isalnum(x) != 0 || x == '_'; }) || !ascii;
  if (name == u"ascii") return ascii;
  return false;
}

struct CharClass {
  bool negated = false;
  std::vector<std::pair<char16_t, char16_t>> ranges;
  std::vector<std::u16string> classes;
  bool contains(char16_t c) const {
    bool in = false;
    for (const auto& [lo, hi] : ranges) in = in || (c >= lo && c <= hi);
    for (const auto& name : classes) in = in || posix_class(name, c);
    return in != negated;
  }
};

struct Token {
  enum class Kind : uint8_t { literal, any, star, set } kind;
  char16_t ch = 0;
  size_t set = 0;
};

// One '/'-separated part of a pattern: `**` (any number of segments) or a segment matcher.
struct Part {
  bool globstar = false;
  std::vector<Token> tokens;
  std::vector<CharClass> sets;

  bool matches(std::u16string_view s) const {
    // Glob matching with a single backtrack point per star (the classic linear-time wildcard algorithm).
    if (s.empty()) return false;  // minimatch: no part but `**` matches an empty segment
    size_t t = 0, i = 0, star_t = std::u16string::npos, star_i = 0;
    while (i < s.size()) {
      if (t < tokens.size() && tokens[t].kind == Token::Kind::star) {
        star_t = t++;
        star_i = i;
        continue;
      }
      if (t < tokens.size() && one(tokens[t], s[i])) {
        ++t;
        ++i;
        continue;
      }
      if (star_t == std::u16string::npos) return false;
      t = star_t + 1;
      i = ++star_i;
    }
    while (t < tokens.size() && tokens[t].kind == Token::Kind::star) ++t;
    return t == tokens.size();
  }

 private:
  bool one(const Token& tok, char16_t c) const {
    switch (tok.kind) {
      case Token::Kind::literal: return tok.ch == c;
      case Token::Kind::any: return c != u'/';
      case Token::Kind::set: return sets[tok.set].contains(c);
      case Token::Kind::star: return false;
    }
    return false;
  }
};

// A '[' at `i`: the class up to its ']' into `out`, returning the index after it, or nullopt when it is not closed
// (the '[' is then a literal).
std::optional<size_t> parse_class(std::u16string_view p, size_t i, CharClass* out) {
  size_t j = i + 1;
  if (j < p.size() && (p[j] == u'!' || p[j] == u'^')) {
    out->negated = true;
    ++j;
  }
  bool first = true;
  while (j < p.size()) {
    char16_t c = p[j];
    if (c == u']' && !first) return j + 1;
    first = false;
    if (c == u'[' && j + 1 < p.size() && p[j + 1] == u':') {
      const size_t end = p.find(u":]", j + 2);
      if (end != std::u16string_view::npos) {
        out->classes.emplace_back(p.substr(j + 2, end - j - 2));
        j = end + 2;
        continue;
      }
    }
    if (c == u'\\' && j + 1 < p.size()) c = p[++j];
    char16_t hi = c;
    if (j + 2 < p.size() && p[j + 1] == u'-' && p[j + 2] != u']') {
      j += 2;
      hi = p[j];
      if (hi == u'\\' && j + 1 < p.size()) hi = p[++j];
    }
    if (hi >= c) out->ranges.emplace_back(c, hi);
    ++j;
  }
  return std::nullopt;
}

Part compile_part(std::u16string_view p) {
  Part part;
  if (p == u"**") {
    part.globstar = true;
    return part;
  }
  for (size_t i = 0; i < p.size();) {
    const char16_t c = p[i];
    if (c == u'\\' && i + 1 < p.size()) {
      part.tokens.push_back({Token::Kind::literal, p[i + 1], 0});
      i += 2;
    } else if (c == u'*') {
      if (part.tokens.empty() || part.tokens.back().kind != Token::Kind::star) {
        part.tokens.push_back({Token::Kind::star, 0, 0});
      }
      ++i;
    } else if (c == u'?') {
      part.tokens.push_back({Token::Kind::any, 0, 0});
      ++i;
    } else if (c == u'[') {
      CharClass set;
      if (const auto next = parse_class(p, i, &set)) {
        part.sets.push_back(std::move(set));
        part.tokens.push_back({Token::Kind::set, 0, part.sets.size() - 1});
        i = *next;
      } else {
        part.tokens.push_back({Token::Kind::literal, c, 0});
        ++i;
      }
    } else {
      part.tokens.push_back({Token::Kind::literal, c, 0});
      ++i;
    }
  }
  return part;
}

// The literal a pattern segment stands for, or "" when it has a wildcard (@actions/glob's getLiteral: escapes are
// resolved and a one-character class such as "[.]" is that character).
std::string segment_literal(std::string_view seg) {
  std::string lit;
  for (size_t i = 0; i < seg.size(); ++i) {
    const char c = seg[i];
    if (c == '\\' && i + 1 < seg.size()) {
      lit += seg[++i];
      continue;
    }
    if (c == '*' || c == '?') return "";
    if (c == '[' && i + 1 < seg.size()) {
      std::string set;
      size_t closed = std::string::npos;
      for (size_t k = i + 1; k < seg.size(); ++k) {
        if (seg[k] == '\\' && k + 1 < seg.size()) {
          set += seg[++k];
        } else if (seg[k] == ']') {
          closed = k;
          break;
        } else {
          set += seg[k];
        }
      }
      if (closed != std::string::npos) {
        if (set.size() > 1) return "";
        if (!set.empty()) {
          lit += set;
          i = closed;
          continue;
        }
      }
    }
    lit += c;
  }
  return lit;
}

// A literal path made safe to put in front of a pattern ('\', '*', '?' and a '[' closed in its segment escaped).
std::string glob_escape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '[') {
      size_t k = i + 1;
      while (k < s.size() && s[k] != '/' && s[k] != ']') ++k;
      out += (k < s.size() && s[k] == ']' && k > i + 1) ? "[[]" : "[";
    } else if (c == '?') {
      out += "[?]";
    } else if (c == '*') {
      out += "[*]";
    } else {
      out += c;
    }
  }
  return out;
}

std::string collapse_slashes(std::string_view s) {
  std::string out;
  for (const char c : s) {
    if (c == '/' && !out.empty() && out.back() == '/') continue;
    out += c;
  }
  return out;
}

std::string trim_trailing_slash(std::string s) {
  if (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

std::vector<std::string> split(std::string_view s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    const size_t slash = s.find('/', start);
    const size_t end = slash == std::string_view::npos ? s.size() : slash;
    out.emplace_back(s.substr(start, end - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

std::string dirname_of(const std::string& p) {
  const size_t slash = p.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return p.substr(0, slash);
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

struct Pattern {
  bool negate = false;
  bool implicit = false;
  bool dir_only = false;           // written with a trailing '/'
  std::string search_path;         // the literal directories before the first wildcard
  bool ends_with_globstar = false;
  std::vector<Part> parts;         // of the absolute pattern, without the leading root
  std::vector<std::string> raw;    // the same parts as written, for the implicit descendant pattern
};

Result<Pattern> make_pattern(std::string text, bool negate, bool implicit, const std::string& cwd) {
  Pattern pat;
  pat.negate = negate;
  pat.implicit = implicit;
  std::string p = std::string(trim(text));
  while (!p.empty() && p[0] == '!') {
    pat.negate = !pat.negate;
    p = std::string(trim(std::string_view(p).substr(1)));
  }
  if (p.empty()) return Result<Pattern>::failure("pattern '" + printable(text) + "' is empty after its '!'");
  {
    const std::vector<std::string> segs = split(trim_trailing_slash(collapse_slashes(p)));
    for (size_t i = 0; i < segs.size(); ++i) {
      const std::string lit = segment_literal(segs[i]);
      if ((lit == "." && i != 0) || lit == "..") {
        return Result<Pattern>::failure("pattern '" + printable(text) +
                                        "': relative pathing '.' and '..' is not allowed (as in hashFiles())");
      }
    }
  }
  p = collapse_slashes(p);
  if (p == "." || p.starts_with("./")) {
    p = glob_escape(cwd) + p.substr(1);
  } else if (p == "~" || p.starts_with("~/")) {
    const char* home = std::getenv("HOME");
    if (home == nullptr || home[0] != '/') {
      return Result<Pattern>::failure("pattern '" + printable(text) + "': HOME is not set to an absolute path");
    }
    p = glob_escape(home) + p.substr(1);
  } else if (!p.starts_with("/")) {
    std::string root = glob_escape(cwd);
    if (!root.ends_with("/")) root += "/";
    p = root + p;
  }
  p = collapse_slashes(p);
  pat.dir_only = p.size() > 1 && p.back() == '/';
  p = trim_trailing_slash(p);
  std::vector<std::string> segs = split(p);  // segs[0] is "" (the root)
  segs.erase(segs.begin());
  if (segs.size() == 1 && segs[0].empty()) segs.clear();
  pat.raw = segs;
  pat.ends_with_globstar = !segs.empty() && segs.back() == "**";
  std::string search;
  for (const std::string& s : segs) {
    const std::string lit = segment_literal(s);
    if (lit.empty()) break;
    search += "/" + lit;
  }
  pat.search_path = search.empty() ? "/" : search;
  for (const std::string& s : segs) {
    bool valid = true;
    pat.parts.push_back(compile_part(to_utf16(s, &valid)));
  }
  return pat;
}

// Full match of `parts` against `segs`; memoised over (part, segment) so `**` runs in polynomial time.
bool match_parts(const std::vector<Part>& parts, const std::vector<std::u16string>& segs) {
  const size_t pl = parts.size(), fl = segs.size();
  std::vector<int8_t> memo((pl + 1) * (fl + 1), -1);
  auto go = [&](auto&& self, size_t pi, size_t fi) -> bool {
    int8_t& m = memo[pi * (fl + 1) + fi];
    if (m >= 0) return m != 0;
    bool r;
    if (pi == pl) {
      r = fi == fl;
    } else if (parts[pi].globstar) {
      r = self(self, pi + 1, fi) || (fi < fl && self(self, pi, fi + 1));
    } else {
      r = fi < fl && parts[pi].matches(segs[fi]) && self(self, pi + 1, fi + 1);
    }
    m = r ? 1 : 0;
    return r;
  };
  return go(go, 0, 0);
}

// Whether a directory with these segments can hold a match (minimatch's partial matching).
bool partial_parts(const std::vector<Part>& parts, const std::vector<std::u16string>& segs) {
  const size_t pl = parts.size(), fl = segs.size();
  std::vector<int8_t> memo((pl + 1) * (fl + 1), -1);
  auto go = [&](auto&& self, size_t pi, size_t fi) -> bool {
    if (fi == fl) return true;
    if (pi == pl) return false;
    int8_t& m = memo[pi * (fl + 1) + fi];
    if (m >= 0) return m != 0;
    bool r;
    if (parts[pi].globstar) {
      r = self(self, pi + 1, fi) || self(self, pi, fi + 1);
    } else {
      r = parts[pi].matches(segs[fi]) && self(self, pi + 1, fi + 1);
    }
    m = r ? 1 : 0;
    return r;
  };
  return go(go, 0, 0);
}

constexpr int k_match_dir = 1, k_match_file = 2;

int match_one(const Pattern& pat, std::vector<std::u16string> segs) {
  if (pat.ends_with_globstar && !pat.implicit) segs.emplace_back();  // "/a/**" matches "/a/" (and so "/a")
  if (!match_parts(pat.parts, segs)) return 0;
  return pat.dir_only ? k_match_dir : (k_match_dir | k_match_file);
}

struct Item {
  std::string path;  // absolute
  std::vector<std::u16string> segs;
  bool valid_utf8 = true;
  size_t level = 1;
};

Result<std::string> sha256_of(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return Result<std::string>::failure("cannot open '" + printable(path) + "': " + errno_text(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Result<std::string>::failure("'" + printable(path) + "' is not a regular file: hashFiles() cannot hash it");
  }
  Sha256 h;
  std::vector<char> buf(1 << 16);
  for (;;) {
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return Result<std::string>::failure("reading '" + printable(path) + "' failed: " + errno_text(err));
    }
    if (n == 0) break;
    h.update(buf.data(), static_cast<size_t>(n));
  }
  ::close(fd);
  const Digest d = h.finish();
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

}  // namespace

Result<std::string> hash_files_arguments(const std::vector<std::string>& arguments, HashFilesOptions* options) {
  std::string out;
  for (size_t i = 0; i < arguments.size(); ++i) {
    if (i == 0 && arguments[i].starts_with("--")) {
      std::string lower = arguments[i];
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (lower != "--follow-symbolic-links") {
        return Result<std::string>::failure("'" + printable(arguments[i]) +
                                            "' is not a hashFiles() option: the only one is '--follow-symbolic-links'");
      }
      options->follow_symlinks = true;
      continue;
    }
    if (!out.empty()) out += '\n';
    out += arguments[i];
  }
  return out;
}

Result<HashFilesResult> hash_files(const std::string& workspace_in, std::string_view patterns_text,
                                   const HashFilesOptions& options) {
  using R = Result<HashFilesResult>;
  if (workspace_in.empty() || workspace_in[0] != '/') return R::failure("the workspace must be an absolute path");
  const std::string workspace = trim_trailing_slash(collapse_slashes(workspace_in));

  // The patterns, each followed by its implicit "descendants" pattern unless it already ends in `**`.
  std::vector<Pattern> patterns;
  size_t start = 0;
  while (start <= patterns_text.size()) {
    const size_t nl = patterns_text.find('\n', start);
    const size_t end = nl == std::string_view::npos ? patterns_text.size() : nl;
    const std::string_view line = trim(patterns_text.substr(start, end - start));
    start = end + 1;
    if (!line.empty() && line[0] != '#') {
      Result<Pattern> pat = make_pattern(std::string(line), false, false, workspace);
      if (!pat) return R::failure(pat.error());
      const bool add_implicit = pat->dir_only || !pat->ends_with_globstar;
      std::string implicit_text;
      if (add_implicit) {
        implicit_text = (pat->negate ? "!/" : "/");
        for (size_t i = 0; i < pat->raw.size(); ++i) implicit_text += (i ? "/" : "") + pat->raw[i];
        implicit_text += pat->raw.empty() ? "**" : "/**";
      }
      patterns.push_back(std::move(*pat));
      if (add_implicit) {
        Result<Pattern> imp = make_pattern(implicit_text, false, true, workspace);
        if (!imp) return R::failure(imp.error());
        patterns.push_back(std::move(*imp));
      }
    }
    if (nl == std::string_view::npos) break;
  }

  // Search paths: those of the positive patterns, in order, without duplicates or paths below another's.
  std::set<std::string> candidates;
  for (const Pattern& p : patterns) {
    if (!p.negate) candidates.insert(p.search_path);
  }
  std::vector<std::string> search_paths;
  std::set<std::string> included;
  for (const Pattern& p : patterns) {
    if (p.negate || included.contains(p.search_path)) continue;
    bool ancestor = false;
    for (std::string d = p.search_path, up = dirname_of(d); up != d; d = up, up = dirname_of(d)) {
      if (candidates.contains(up)) {
        ancestor = true;
        break;
      }
    }
    if (!ancestor) {
      search_paths.push_back(p.search_path);
      included.insert(p.search_path);
    }
  }

  auto segments_of = [](const std::string& abs, bool* valid) {
    std::vector<std::u16string> segs;
    *valid = true;
    if (abs == "/") return segs;
    for (const std::string& s : split(std::string_view(abs).substr(1))) {
      bool ok = true;
      segs.push_back(to_utf16(s, &ok));
      *valid = *valid && ok;
    }
    return segs;
  };

  std::vector<Item> stack;
  for (auto it = search_paths.rbegin(); it != search_paths.rend(); ++it) {
    struct stat st {};
    if (::lstat(it->c_str(), &st) != 0) {
      if (errno == ENOENT) continue;
      return R::failure("cannot look at '" + printable(*it) + "': " + errno_text(errno));
    }
    Item item;
    item.path = *it;
    item.segs = segments_of(*it, &item.valid_utf8);
    stack.push_back(std::move(item));
  }
  // The first search path is searched first: stack.back() is search_paths[0].

  HashFilesResult result;
  Sha256 total;
  std::vector<std::string> chain;  // real paths of the directories being descended (following symlinks)
  const std::string prefix = workspace + "/";
  while (!stack.empty()) {
    Item item = std::move(stack.back());
    stack.pop_back();
    int match = 0;
    for (const Pattern& p : patterns) {
      if (p.negate) {
        match &= ~match_one(p, item.segs);
      } else {
        match |= match_one(p, item.segs);
      }
    }
    bool partial = match != 0;
    for (size_t i = 0; !partial && i < patterns.size(); ++i) {
      partial = !patterns[i].negate && partial_parts(patterns[i].parts, item.segs);
    }
    if (!partial) continue;
    if (!item.valid_utf8) {
      return R::failure("'" + printable(item.path) + "' is not valid UTF-8: hashFiles() cannot name it");
    }
    struct stat st {};
    if (options.follow_symlinks) {
      if (::stat(item.path.c_str(), &st) != 0) {
        if (errno == ENOENT) continue;  // a broken symlink: left out
        return R::failure("cannot look at '" + printable(item.path) + "': " + errno_text(errno));
      }
      if (S_ISDIR(st.st_mode)) {
        char* real = ::realpath(item.path.c_str(), nullptr);
        if (real == nullptr) return R::failure("cannot resolve '" + printable(item.path) + "': " + errno_text(errno));
        const std::string real_path(real);
        std::free(real);
        while (chain.size() >= item.level) chain.pop_back();
        if (std::find(chain.begin(), chain.end(), real_path) != chain.end()) continue;  // a symlink cycle
        chain.push_back(real_path);
      }
    } else if (::lstat(item.path.c_str(), &st) != 0) {
      return R::failure("cannot look at '" + printable(item.path) + "': " + errno_text(errno));
    }
    if (S_ISDIR(st.st_mode)) {
      if (!(match & k_match_dir) && !partial) continue;
      DIR* dir = ::opendir(item.path.c_str());
      if (dir == nullptr) return R::failure("cannot list '" + printable(item.path) + "': " + errno_text(errno));
      std::vector<std::string> names;
      while (const dirent* e = ::readdir(dir)) {
        const std::string_view n = e->d_name;
        if (n != "." && n != "..") names.emplace_back(n);
      }
      ::closedir(dir);
      std::sort(names.begin(), names.end());  // the byte order Node's readdir returns them in
      for (auto it = names.rbegin(); it != names.rend(); ++it) {
        Item child;
        child.path = item.path == "/" ? "/" + *it : item.path + "/" + *it;
        child.segs = item.segs;
        bool ok = true;
        child.segs.push_back(to_utf16(*it, &ok));
        child.valid_utf8 = item.valid_utf8 && ok;
        child.level = item.level + 1;
        stack.push_back(std::move(child));
      }
      continue;
    }
    if (!(match & k_match_file)) continue;
    // What hashFiles() does with each match: outside the workspace ignored, directories (through symlinks too)
    // skipped, everything else read through its symlinks.
    if (!item.path.starts_with(prefix)) continue;
    struct stat target {};
    if (::stat(item.path.c_str(), &target) != 0) {
      return R::failure("cannot hash '" + printable(item.path) + "': " + errno_text(errno) +
                        (errno == ENOENT ? " (a broken symlink: hashFiles() fails on it too)" : ""));
    }
    if (S_ISDIR(target.st_mode)) continue;
    Result<std::string> digest = sha256_of(item.path);
    if (!digest) return R::failure(digest.error());
    total.update(*digest);
    result.files.push_back(item.path.substr(prefix.size()));
  }
  if (!result.files.empty()) {
    const Digest d = total.finish();
    result.hash = to_hex(d);
  }
  return result;
}

}  // namespace treeprint
