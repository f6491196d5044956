#include "inputs/filters_file.h"

#include <yaml-cpp/yaml.h>

#include "util/format.h"

namespace treeprint {

namespace {

using Specs = std::vector<FilterPatternSpec>;

const char* kind_text(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Null: return "nothing";
    case YAML::NodeType::Scalar: return "a string";
    default: return "something else";
  }
}

std::string line_of(const YAML::Node& node) {
  const YAML::Mark m = node.Mark();
  return m.line >= 0 ? " (line " + std::to_string(m.line + 1) + ")" : "";
}

// "added|modified" -> a mask; 0 with `bad` set for an unknown word.
uint8_t parse_kinds(const std::string& text, std::string* bad) {
  uint8_t mask = 0;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t bar = text.find('|', start);
    std::string word = text.substr(start, bar == std::string::npos ? std::string::npos : bar - start);
    while (!word.empty() && word.front() == ' ') word.erase(word.begin());
    while (!word.empty() && word.back() == ' ') word.pop_back();
    if (word == "added") {
      mask |= static_cast<uint8_t>(ChangeSelector::added);
    } else if (word == "modified") {
      mask |= static_cast<uint8_t>(ChangeSelector::modified);
    } else if (word == "removed" || word == "deleted") {
      mask |= static_cast<uint8_t>(ChangeSelector::removed);
    } else if (word == "renamed") {
      mask |= static_cast<uint8_t>(ChangeSelector::renamed);
    } else {
      *bad = word;
      return 0;
    }
    if (bar == std::string::npos) break;
    start = bar + 1;
  }
  return mask;
}

void add_lines(const std::string& text, uint8_t kinds, Specs* out) {
  size_t start = 0;
  while (start <= text.size()) {
    const size_t nl = text.find('\n', start);
    std::string line = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    // Trailing spaces are dropped as gitignore drops unescaped ones; leading ones are YAML indentation.
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t') &&
           !(line.size() >= 2 && line[line.size() - 2] == '\\')) {
      line.pop_back();
    }
    size_t lead = 0;
    while (lead < line.size() && (line[lead] == ' ' || line[lead] == '\t')) ++lead;
    line.erase(0, lead);
    if (!line.empty() && line[0] != '#') out->push_back({line, kinds});
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
}

// Collects the patterns of `node` into `out`; "" or an error message (without the source and filter).
std::string collect(const YAML::Node& node, uint8_t kinds, int depth, Specs* out) {
  if (depth > 8) return "lists nested too deep" + line_of(node);
  switch (node.Type()) {
    case YAML::NodeType::Scalar: add_lines(node.Scalar(), kinds, out); return "";
    case YAML::NodeType::Sequence:
      for (const YAML::Node& item : node) {
        if (std::string e = collect(item, kinds, depth + 1, out); !e.empty()) return e;
      }
      return "";
    case YAML::NodeType::Map: {
      if (depth == 0 || node.size() != 1) {
        return "a change-kind limit is a list item with one key, like '- added|modified: \"src/**\"'" + line_of(node);
      }
      const auto pair = *node.begin();
      if (!pair.first.IsScalar()) return "a change-kind key must be a string" + line_of(pair.first);
      std::string bad;
      const uint8_t mask = parse_kinds(pair.first.Scalar(), &bad);
      if (mask == 0) {
        return "'" + printable(bad) + "' is not a change kind: use added, modified, removed or renamed, joined with '|'" +
               line_of(pair.first);
      }
      if (pair.second.IsMap()) return "the patterns of '" + pair.first.Scalar() + "' must be a string or a list";
      return collect(pair.second, kinds & mask, depth + 1, out);
    }
    case YAML::NodeType::Null: return "";
    default: return std::string("unexpected ") + kind_text(node) + line_of(node);
  }
}

}  // namespace

Result<std::vector<ChangeFilter>> parse_filters(std::string_view yaml, std::string_view source) {
  using R = Result<std::vector<ChangeFilter>>;
  const std::string where(source);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return R::failure(where + ": not valid YAML: line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  if (root.IsNull()) return std::vector<ChangeFilter>{};
  if (!root.IsMap()) {
    return R::failure(where + ": must be a map from a filter name to its patterns, like 'backend: [\"src/**\"]'; got " +
                      kind_text(root));
  }
  std::vector<ChangeFilterSpec> specs;
  std::vector<std::string> names;
  for (const auto& pair : root) {
    if (!pair.first.IsScalar()) return R::failure(where + ": a filter name must be a string" + line_of(pair.first));
    ChangeFilterSpec spec;
    spec.name = pair.first.Scalar();
    if (std::string e = collect(pair.second, k_all_change_selectors, 0, &spec.patterns); !e.empty()) {
      return R::failure(where + ": filter '" + printable(spec.name) + "': " + e);
    }
    names.push_back(spec.name);
    specs.push_back(std::move(spec));
  }
  if (std::string e = check_filter_names(names); !e.empty()) return R::failure(where + ": " + printable(e));
  std::vector<ChangeFilter> filters;
  for (const ChangeFilterSpec& spec : specs) {
    Result<ChangeFilter> f = ChangeFilter::compile(spec);
    if (!f) return R::failure(where + ": " + f.error());
    filters.push_back(std::move(*f));
  }
  return filters;
}

}  // namespace treeprint
