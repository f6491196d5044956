#include "git/config.h"

#include <limits>

#include "git/file.h"
#include "util/format.h"

namespace treeprint::git {

namespace {

constexpr size_t k_max_config_size = 16 << 20;

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_key_char(char c) { return is_alpha(c) || is_digit(c) || c == '-'; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// Characters as git's get_next_char sees them: CR LF is LF, and the end of the text is one final LF.
class Reader {
 public:
  explicit Reader(std::string_view text) : m_text(text) {
    if (m_text.substr(0, 3) == "\xef\xbb\xbf") m_text.remove_prefix(3);
  }
  char next() {
    if (m_pos >= m_text.size()) {
      ++m_line;
      return '\n';
    }
    char c = m_text[m_pos++];
    if (c == '\r' && m_pos < m_text.size() && m_text[m_pos] == '\n') c = m_text[m_pos++];
    if (c == '\n') ++m_line;
    return c;
  }
  bool eof() const { return m_pos >= m_text.size(); }
  unsigned line() const { return m_line; }

 private:
  std::string_view m_text;
  size_t m_pos = 0;
  unsigned m_line = 1;
};

}  // namespace

std::string canonical_config_key(std::string_view key) {
  const size_t first = key.find('.');
  const size_t last = key.rfind('.');
  std::string out;
  out.reserve(key.size());
  for (size_t i = 0; i < key.size(); ++i) {
    const bool in_subsection = first != std::string_view::npos && i > first && i < last;
    out += in_subsection ? key[i] : lower(key[i]);
  }
  return out;
}

Result<Config> Config::parse(std::string_view text, std::string_view origin) {
  Config config;
  config.m_origin = origin;
  Reader in(text);
  std::string section;  // canonical, with the subsection: "core", "remote.origin"
  auto bad = [&](unsigned line) {
    return Result<Config>::failure("bad config line " + std::to_string(line) + " in file '" +
                                   printable(std::string(origin)) + "'");
  };
  bool have_section = false;
  for (;;) {
    if (in.eof()) break;
    char c = in.next();
    if (c == '\n' || is_space(c)) continue;
    if (c == '#' || c == ';') {
      while (c != '\n') c = in.next();
      continue;
    }
    if (c == '[') {
      const unsigned line = in.line();
      section.clear();
      for (;;) {
        c = in.next();
        if (c == '\n') return bad(line);
        if (c == ']') break;
        if (is_space(c)) {
          // [section "subsection"]
          do {
            c = in.next();
          } while (c == ' ' || c == '\t');
          if (c != '"') return bad(line);
          section += '.';
          for (;;) {
            c = in.next();
            if (c == '\n' || c == '\0') return bad(line);
            if (c == '"') break;
            if (c == '\\') {
              c = in.next();
              if (c == '\n' || c == '\0') return bad(line);
            }
            section += c;
          }
          if (in.next() != ']') return bad(line);
          break;
        }
        if (!is_key_char(c) && c != '.') return bad(line);
        section += lower(c);
      }
      if (section.empty()) return bad(line);
      have_section = true;
      continue;
    }
    if (!is_alpha(c)) return bad(in.line());
    const unsigned line = in.line();
    if (!have_section) return bad(line);  // a variable before any section
    Variable var;
    var.line = line;
    var.key = section + ".";
    var.key += lower(c);
    for (;;) {
      c = in.next();
      if (!is_key_char(c)) break;
      var.key += lower(c);
    }
    while (c == ' ' || c == '\t') c = in.next();
    if (c != '\n') {
      if (c != '=') return bad(line);
      std::string value;
      bool quote = false;
      bool comment = false;
      size_t spaces = 0;
      for (;;) {
        c = in.next();
        if (c == '\n') {
          if (quote) return bad(line);
          break;
        }
        if (comment) continue;
        if (is_space(c) && !quote) {
          if (!value.empty()) ++spaces;
          continue;
        }
        if (!quote && (c == ';' || c == '#')) {
          comment = true;
          continue;
        }
        value.append(spaces, ' ');
        spaces = 0;
        if (c == '\\') {
          c = in.next();
          switch (c) {
            case '\n': continue;  // a continuation line (at the end of the file: nothing)
            case 't': c = '\t'; break;
            case 'b': c = '\b'; break;
            case 'n': c = '\n'; break;
            case '\\':
            case '"': break;
            default: return bad(line);
          }
          value += c;
          continue;
        }
        if (c == '"') {
          quote = !quote;
          continue;
        }
        value += c;
      }
      var.value = std::move(value);
    }
    config.m_variables.push_back(std::move(var));
  }
  return config;
}

Result<Config> Config::read(const std::string& path) {
  bool missing = false;
  auto text = read_whole_file(path, k_max_config_size, nullptr, &missing);
  if (!text) {
    if (missing) {
      Config empty;
      empty.m_origin = path;
      return empty;
    }
    return Result<Config>::failure(text.error());
  }
  return parse(*text, path);
}

std::optional<std::optional<std::string>> Config::get(std::string_view key) const {
  const std::string wanted = canonical_config_key(key);
  for (auto it = m_variables.rbegin(); it != m_variables.rend(); ++it) {
    if (it->key == wanted) return it->value;
  }
  return std::nullopt;
}

Result<std::optional<int64_t>> Config::get_int(std::string_view key) const {
  using R = Result<std::optional<int64_t>>;
  const auto v = get(key);
  if (!v) return R(std::nullopt);
  auto bad = [&] {
    return R::failure("bad numeric config value '" + printable(v->value_or("")) + "' for '" + std::string(key) +
                      "' in file '" + printable(m_origin) + "'");
  };
  if (!v->has_value() || (*v)->empty()) return bad();
  std::string_view s = **v;
  bool negative = false;
  if (s[0] == '-' || s[0] == '+') {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  uint64_t factor = 1;
  if (!s.empty()) {
    switch (lower(s.back())) {
      case 'k': factor = 1024; break;
      case 'm': factor = 1024 * 1024; break;
      case 'g': factor = 1024 * 1024 * 1024; break;
      default: break;
    }
    if (factor != 1) s.remove_suffix(1);
  }
  if (s.empty()) return bad();
  uint64_t n = 0;
  for (char c : s) {
    if (!is_digit(c)) return bad();
    if (n > (std::numeric_limits<uint64_t>::max() - 9) / 10) return bad();
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  if (n > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) / factor) return bad();
  const auto value = static_cast<int64_t>(n * factor);
  return R(negative ? -value : value);
}

Result<std::optional<bool>> Config::get_bool(std::string_view key) const {
  using R = Result<std::optional<bool>>;
  const auto v = get(key);
  if (!v) return R(std::nullopt);
  if (!v->has_value()) return R(true);
  const std::string& s = **v;
  if (s.empty() || iequals(s, "false") || iequals(s, "no") || iequals(s, "off")) return R(false);
  if (iequals(s, "true") || iequals(s, "yes") || iequals(s, "on")) return R(true);
  auto n = get_int(key);
  if (!n) {
    return R::failure("bad boolean config value '" + printable(s) + "' for '" + std::string(key) + "' in file '" +
                      printable(m_origin) + "'");
  }
  return R(**n != 0);
}

}  // namespace treeprint::git
