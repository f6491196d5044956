#include "scan/ignore.h"

namespace treeprint {

namespace {

// Trailing spaces are dropped unless escaped with a backslash (gitignore(5)).
std::string_view trim_trailing_spaces(std::string_view line) {
  size_t keep = 0;  // length up to the last byte that is not an unescaped trailing space
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\\' && i + 1 < line.size()) {
      ++i;
      keep = i + 1;
    } else if (line[i] != ' ') {
      keep = i + 1;
    }
  }
  return line.substr(0, keep);
}

}  // namespace

bool RuleSet::names_nothing(std::string_view pattern) {
  if (!pattern.empty() && pattern[0] == '!') pattern.remove_prefix(1);
  if (!pattern.empty() && pattern.back() == '/') pattern.remove_suffix(1);
  return pattern.empty();
}

Status RuleSet::add(std::string_view pattern, bool keep) {
  if (!pattern.empty() && pattern[0] == '!') {
    keep = !keep;
    pattern.remove_prefix(1);
  }
  bool dir_only = false;
  if (!pattern.empty() && pattern.back() == '/') {
    dir_only = true;
    pattern.remove_suffix(1);
  }
  if (pattern.empty()) {
    return Status::failure("empty pattern");
  }
  const bool basename_only = pattern.find('/') == std::string_view::npos;
  if (pattern[0] == '/') {
    pattern.remove_prefix(1);
  }
  auto glob = Glob::compile(pattern);
  if (!glob) {
    return Status::failure(glob.error());
  }
  m_rules.push_back(Rule{std::move(*glob), keep, dir_only, basename_only});
  m_has_keep = m_has_keep || keep;
  return ok_status();
}

RuleSet RuleSet::parse_gitignore(std::string_view text, std::string base, std::string_view source,
                                 std::vector<std::string>* warnings) {
  RuleSet set;
  set.m_base = std::move(base);
  if (text.substr(0, 3) == "\xEF\xBB\xBF") {
    text.remove_prefix(3);  // git skips a UTF-8 byte order mark
  }
  size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    if (line.empty() || line[0] == '#') {
      continue;
    }
    line = trim_trailing_spaces(line);
    if (line.empty()) {
      continue;
    }
    if (names_nothing(line)) {
      continue;  // "!", "/" or "!/": git skips the line without a word
    }
    if (Status added = set.add(line, false); !added && warnings != nullptr) {
      warnings->push_back(std::string(source) + ":" + std::to_string(line_no) + ": " + added.error() +
                          " (the line is ignored, as git ignores it)");
    }
  }
  return set;
}

RuleMatch RuleSet::match(std::string_view path, std::string_view name, bool is_dir) const {
  std::string_view relative = path;
  if (!m_base.empty()) {
    relative.remove_prefix(m_base.size() + 1);
  }
  for (auto it = m_rules.rbegin(); it != m_rules.rend(); ++it) {
    if (it->dir_only && !is_dir) {
      continue;
    }
    if (it->glob.matches(it->basename_only ? name : relative)) {
      return it->keep ? RuleMatch::keep : RuleMatch::ignore;
    }
  }
  return RuleMatch::none;
}

bool IgnoreChain::is_ignored(const IgnoreChain* chain, std::string_view path, std::string_view name, bool is_dir) {
  for (; chain != nullptr; chain = chain->m_parent.get()) {
    switch (chain->m_rules.match(path, name, is_dir)) {
      case RuleMatch::ignore: return true;
      case RuleMatch::keep: return false;
      case RuleMatch::none: break;
    }
  }
  return false;
}

}  // namespace treeprint
