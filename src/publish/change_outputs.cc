#include "publish/change_outputs.h"

#include <map>
#include <set>

#include "manifest/path_encoding.h"
#include "publish/runner.h"
#include "util/format.h"
#include "util/json.h"

namespace treeprint {

namespace {

// One list to publish: plain names, or renames (from, to).
struct Source {
  std::string name;
  const std::vector<std::string>* paths = nullptr;
  const std::vector<RenamedPath>* renames = nullptr;
  size_t size() const { return paths != nullptr ? paths->size() : renames->size(); }
};

bool has_line_break(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

std::string json_string(std::string_view utf8) {
  std::string out;
  append_json_string(out, utf8);
  return out;
}

struct Encoded {
  std::string text;
  std::string json = "[";
  ListOutcome outcome;
};

// Fills `e` from `src` while the names fit in `*remaining` UTF-16 units.
void encode_list(const Source& src, size_t* remaining, Encoded* e) {
  e->outcome.name = src.name;
  e->outcome.total = src.size();
  bool budget_hit = false;
  for (size_t i = 0; i < src.size(); ++i) {
    std::string element, line;
    bool in_text = true;
    if (src.paths != nullptr) {
      const std::string& p = (*src.paths)[i];
      if (!is_valid_utf8(p)) {
        ++e->outcome.not_utf8;
        continue;
      }
      element = json_string(p);
      in_text = !has_line_break(p);
      line = p;
    } else {
      const RenamedPath& r = (*src.renames)[i];
      if (!is_valid_utf8(r.from) || !is_valid_utf8(r.to)) {
        ++e->outcome.not_utf8;
        continue;
      }
      element = JsonWriter().begin_object().field("from", r.from).field("to", r.to).end_object().take();
      in_text = !has_line_break(r.from) && !has_line_break(r.to) && r.from.find('\t') == std::string::npos &&
                r.to.find('\t') == std::string::npos;
      line = r.from + "\t" + r.to;
    }
    if (budget_hit) {
      ++e->outcome.left_out;
      continue;
    }
    const size_t cost = utf16_length(element) + 1 + (in_text ? utf16_length(line) + 1 : 0);
    if (cost > *remaining) {
      budget_hit = true;  // cut here: what is published stays a prefix of the list, in path order
      ++e->outcome.left_out;
      continue;
    }
    *remaining -= cost;
    if (e->outcome.published != 0) e->json += ',';
    e->json += element;
    ++e->outcome.published;
    if (in_text) {
      if (!e->text.empty()) e->text += '\n';
      e->text += line;
    } else {
      ++e->outcome.text_omitted;
    }
  }
  e->json += ']';
}

const char* flag(bool b) { return b ? "true" : "false"; }

std::vector<Source> sources_of(const ChangeLists& lists, const std::vector<FilterResult>& filters) {
  const std::vector<std::string>& names = change_list_names();
  std::vector<Source> out = {{names[0], &lists.all_changed, nullptr}, {names[1], &lists.added, nullptr},
                             {names[2], &lists.modified, nullptr},    {names[3], &lists.removed, nullptr},
                             {names[4], nullptr, &lists.renamed},     {names[5], &lists.unreadable, nullptr}};
  for (const FilterResult& f : filters) out.push_back({f.name + "-files", &f.files, nullptr});
  return out;
}

std::string matched_names_json(const std::vector<FilterResult>& filters) {
  std::string out = "[";
  bool first = true;
  for (const FilterResult& f : filters) {
    if (!f.matched()) continue;
    if (!first) out += ',';
    first = false;
    out += json_string(f.name);
  }
  return out + "]";
}

// A JSON array of the UTF-8 names of `paths`, and beside it (when there are any) the others in base64.
void append_path_array(std::string& out, std::string_view key, const std::vector<std::string>& paths) {
  out += "  ";
  append_json_string(out, key);
  out += ": [";
  std::vector<const std::string*> other;
  bool first = true;
  for (const std::string& p : paths) {
    if (!is_valid_utf8(p)) {
      other.push_back(&p);
      continue;
    }
    out += first ? "" : ", ";
    first = false;
    append_json_string(out, p);
  }
  out += "]";
  if (!other.empty()) {
    out += ",\n  ";
    append_json_string(out, std::string(key) + "_base64");
    out += ": [";
    for (size_t i = 0; i < other.size(); ++i) {
      out += i ? ", " : "";
      append_json_string(out, base64_encode(*other[i]));
    }
    out += "]";
  }
}

/// Why `v` cannot be a line of a dotenv report, or "".
std::string dotenv_problem(const OutputValue& v) {
  if (v.name.empty() || v.name.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") !=
                            std::string::npos) {
    return "dotenv: '" + printable(v.name) + "' is not a variable name (letters, digits and '_' only)";
  }
  if (v.value.find_first_of("\r\n") != std::string::npos || v.value != std::string(v.value.c_str()) ||
      (!v.value.empty() && (v.value.front() == ' ' || v.value.back() == ' ' || v.value.front() == '\t' ||
                            v.value.back() == '\t'))) {
    return "dotenv: the value of " + v.name + " ('" + printable(v.value) +
           "') has a line break or surrounding blanks, which a dotenv report cannot carry";
  }
  return {};
}

std::string dotenv_key(std::string_view name) {
  std::string k;
  for (const char c : name) k += c == '-' ? '_' : static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  return k;
}

}  // namespace

ChangeOutputs encode_change_outputs(const ChangeLists& lists, const std::vector<FilterResult>& filters,
                                    const ChangeOutputOptions& options) {
  ChangeOutputs out;
  const std::vector<Source> sources = sources_of(lists, filters);

  // What is always published, whatever the budget: every output's name, the scalars, and room for "[]" and
  // "false" in each list's outputs.
  std::vector<OutputValue> head = {{"any-changed", flag(lists.any_changed())},
                                   {"changes", matched_names_json(filters)}};
  if (!options.changes_path.empty()) head.push_back({"changes-path", options.changes_path});
  if (options.with_hash || !options.hash.empty()) head.push_back({"hash", options.hash});
  size_t fixed = 0;
  for (const OutputValue& o : head) fixed += utf16_length(o.name) + utf16_length(o.value);
  for (const std::string& n : fixed_output_names()) fixed += n.size() + 8;  // generous: name + "[]" + "false" + count
  for (const FilterResult& f : filters) {
    for (const std::string& n : filter_output_names(f.name)) fixed += utf16_length(n) + 8;
  }
  size_t remaining = options.budget > fixed ? options.budget - fixed : 0;

  std::vector<Encoded> encoded(sources.size());
  for (size_t i = 0; i < sources.size(); ++i) encode_list(sources[i], &remaining, &encoded[i]);

  out.outputs = std::move(head);
  for (size_t i = 0; i < sources.size(); ++i) {
    const Encoded& e = encoded[i];
    const std::string count = std::to_string(e.outcome.total);
    if (i < change_list_names().size()) {
      const std::string& n = sources[i].name;
      out.outputs.push_back({n, e.text});
      out.outputs.push_back({n + "-json", e.json});
      out.outputs.push_back({n + "-count", count});
      out.outputs.push_back({n + "-truncated", flag(e.outcome.truncated())});
    } else {
      const FilterResult& f = filters[i - change_list_names().size()];
      out.outputs.push_back({f.name, flag(f.matched())});
      out.outputs.push_back({f.name + "-files", e.text});
      out.outputs.push_back({f.name + "-files-json", e.json});
      out.outputs.push_back({f.name + "-count", count});
      out.outputs.push_back({f.name + "-files-truncated", flag(e.outcome.truncated())});
    }
    out.lists.push_back(e.outcome);
  }
  for (const OutputValue& o : out.outputs) out.utf16_used += utf16_length(o.name) + utf16_length(o.value);
  return out;
}

std::vector<std::string> change_output_warnings(const ChangeOutputs& outputs, std::string_view changes_file) {
  std::vector<std::string> out;
  const std::string where =
      changes_file.empty() ? std::string("the JSON report (--format json)") : "the changes file " + printable(changes_file);
  for (const ListOutcome& l : outputs.lists) {
    if (l.left_out != 0) {
      out.push_back(l.name + ": " + with_commas(l.left_out) + " of " + with_commas(l.total) +
                    " names left out of the outputs to stay within GitHub's output size limit (" + l.name +
                    "-truncated is true); all are in " + where);
    }
    if (l.text_omitted != 0) {
      out.push_back(l.name + ": " + with_commas(l.text_omitted) +
                    " names with a line break (or a tab, for renames) left out of the newline-separated list; they "
                    "are in " + l.name + "-json");
    }
    if (l.not_utf8 != 0) {
      out.push_back(l.name + ": " + with_commas(l.not_utf8) +
                    " names that are not UTF-8 left out of the outputs (outputs must be UTF-8); they are in " + where +
                    " as base64");
    }
  }
  return out;
}

Status write_github_outputs(Runner& runner, const ChangeOutputs& outputs) {
  for (const OutputValue& o : outputs.outputs) {
    if (Status set = runner.set_output(o.name, o.value); !set) return set;
  }
  return ok_status();
}

std::string changes_json(const ChangeLists& lists, const std::vector<FilterResult>& filters, std::string_view baseline,
                         std::string_view hash, bool with_hash) {
  std::string out = "{\n  \"version\": 1,\n  \"baseline\": ";
  if (lists.has_baseline) {
    append_json_string(out, is_valid_utf8(baseline) ? baseline : printable(baseline));
  } else {
    out += "null";
  }
  out += ",\n  \"any_changed\": ";
  out += flag(lists.any_changed());
  if (with_hash || !hash.empty()) {
    out += ",\n  \"hash\": ";
    append_json_string(out, hash);
  }
  out += ",\n  \"counts\": {\"added\": " + std::to_string(lists.added.size()) +
         ", \"modified\": " + std::to_string(lists.modified.size()) +
         ", \"removed\": " + std::to_string(lists.removed.size()) +
         ", \"renamed\": " + std::to_string(lists.renamed.size()) +
         ", \"all_changed\": " + std::to_string(lists.all_changed.size()) +
         ", \"unreadable\": " + std::to_string(lists.unreadable.size()) + "},\n";
  append_path_array(out, "all_changed", lists.all_changed);
  out += ",\n";
  append_path_array(out, "added", lists.added);
  out += ",\n";
  append_path_array(out, "modified", lists.modified);
  out += ",\n";
  append_path_array(out, "removed", lists.removed);
  out += ",\n  \"renamed\": [";
  for (size_t i = 0; i < lists.renamed.size(); ++i) {
    out += i ? ",\n    {" : "\n    {";
    append_json_name(out, "from", lists.renamed[i].from);
    out += ", ";
    append_json_name(out, "to", lists.renamed[i].to);
    out += "}";
  }
  out += lists.renamed.empty() ? "]" : "\n  ]";
  out += ",\n";
  append_path_array(out, "unreadable", lists.unreadable);
  out += ",\n  \"filters\": {";
  for (size_t i = 0; i < filters.size(); ++i) {
    out += i ? ",\n    " : "\n    ";
    append_json_string(out, filters[i].name);
    out += std::string(": {\"matched\": ") + flag(filters[i].matched()) +
           ", \"count\": " + std::to_string(filters[i].files.size()) + ",\n";
    std::string files;
    append_path_array(files, "files", filters[i].files);
    out += "    " + files + "}";
  }
  out += filters.empty() ? "}" : "\n  }";
  out += ",\n  \"changes\": " + matched_names_json(filters) + "\n}\n";
  return out;
}

Result<std::string> render_dotenv(const ChangeLists& lists, const std::vector<FilterResult>& filters,
                                  const ChangeOutputOptions& options, const DotenvLimits& limits) {
  using R = Result<std::string>;
  std::vector<OutputValue> vars = {{"TREEPRINT_ANY_CHANGED", flag(lists.any_changed())},
                                   {"TREEPRINT_CHANGES", matched_names_json(filters)}};
  if (!options.changes_path.empty()) vars.push_back({"TREEPRINT_CHANGES_PATH", options.changes_path});
  if (options.with_hash || !options.hash.empty()) vars.push_back({"TREEPRINT_HASH", options.hash});
  const std::pair<const char*, size_t> counts[] = {
      {"ADDED", lists.added.size()},     {"MODIFIED", lists.modified.size()},
      {"REMOVED", lists.removed.size()}, {"RENAMED", lists.renamed.size()},
      {"ALL_CHANGED", lists.all_changed.size()}, {"UNREADABLE", lists.unreadable.size()}};
  for (const auto& [name, n] : counts) vars.push_back({std::string("TREEPRINT_") + name + "_COUNT", std::to_string(n)});
  std::set<std::string> seen;
  for (const FilterResult& f : filters) {
    const std::string key = "TREEPRINT_FILTER_" + dotenv_key(f.name);
    if (!seen.insert(key).second) {
      return R::failure("dotenv: two filters map to the variable " + key +
                        " ('-' becomes '_', letters upper case): rename one");
    }
    vars.push_back({key, flag(f.matched())});
    vars.push_back({key + "_COUNT", std::to_string(f.files.size())});
  }
  for (const OutputValue& v : vars) {
    if (std::string problem = dotenv_problem(v); !problem.empty()) return R::failure(problem);
  }
  // The all-changed list in the bytes left (two more variables: the list and its truncated flag).
  size_t bytes = 0;
  for (const OutputValue& v : vars) bytes += v.name.size() + 1 + v.value.size() + 1;
  const std::string list_key = "TREEPRINT_ALL_CHANGED_FILES_JSON", flag_key = "TREEPRINT_ALL_CHANGED_FILES_TRUNCATED";
  const size_t reserve = list_key.size() + 2 + flag_key.size() + 2 + 5 + 2;
  if (vars.size() + 2 > limits.max_variables || bytes + reserve + 2 >= limits.max_bytes) {
    return R::failure("dotenv: " + std::to_string(vars.size() + 2) + " variables in " + std::to_string(bytes + reserve + 2) +
                      " bytes do not fit GitLab's dotenv limits (" + std::to_string(limits.max_variables) +
                      " variables, under " + std::to_string(limits.max_bytes) +
                      " bytes): use fewer filters, or --format json");
  }
  std::string list = "[";
  size_t room = limits.max_bytes - 1 - bytes - reserve, listed = 0;
  bool truncated = false;
  for (const std::string& p : lists.all_changed) {
    if (!is_valid_utf8(p)) {
      truncated = true;
      continue;
    }
    const std::string element = json_string(p);
    if (element.size() + 1 > room - 1) {
      truncated = true;
      break;
    }
    room -= element.size() + 1;
    list += (listed++ ? "," : "") + element;
  }
  list += "]";
  vars.push_back({list_key, list});
  vars.push_back({flag_key, flag(truncated)});
  std::string out;
  for (const OutputValue& v : vars) out += v.name + "=" + v.value + "\n";
  return out;
}

Result<std::string> render_dotenv_values(const std::vector<OutputValue>& vars, const DotenvLimits& limits) {
  using R = Result<std::string>;
  std::string out;
  for (const OutputValue& v : vars) {
    if (std::string problem = dotenv_problem(v); !problem.empty()) return R::failure(problem);
    out += v.name + "=" + v.value + "\n";
  }
  if (vars.size() > limits.max_variables || out.size() >= limits.max_bytes) {
    return R::failure("dotenv: " + std::to_string(vars.size()) + " variables in " + std::to_string(out.size()) +
                      " bytes do not fit GitLab's dotenv limits (" + std::to_string(limits.max_variables) +
                      " variables, under " + std::to_string(limits.max_bytes) + " bytes)");
  }
  return out;
}

std::string render_changes_text(const ChangeLists& lists, const std::vector<FilterResult>& filters) {
  struct Line {
    std::string_view path;
    std::string text;
  };
  std::vector<Line> lines;
  for (const std::string& p : lists.added) lines.push_back({p, "A " + printable(p)});
  for (const std::string& p : lists.modified) lines.push_back({p, "M " + printable(p)});
  for (const std::string& p : lists.removed) lines.push_back({p, "D " + printable(p)});
  for (const RenamedPath& r : lists.renamed) lines.push_back({r.to, "R " + printable(r.from) + " -> " + printable(r.to)});
  for (const std::string& p : lists.unreadable) lines.push_back({p, "? " + printable(p)});
  std::stable_sort(lines.begin(), lines.end(), [](const Line& a, const Line& b) { return a.path < b.path; });
  std::string out;
  for (const Line& l : lines) out += l.text + "\n";
  for (const FilterResult& f : filters) {
    out += "filter " + printable(f.name) + ": " + (f.matched() ? "matched, " : "no match, ") +
           with_commas(f.files.size()) + (f.files.size() == 1 ? " file\n" : " files\n");
  }
  out += std::string(lists.has_baseline ? "" : "no baseline: every entry counts as added; ") +
         with_commas(lists.added.size()) + " added, " + with_commas(lists.modified.size()) + " modified, " +
         with_commas(lists.removed.size()) + " removed, " + with_commas(lists.renamed.size()) + " renamed" +
         (lists.unreadable.empty() ? "" : ", " + with_commas(lists.unreadable.size()) + " unreadable") + "\n";
  return out;
}

}  // namespace treeprint
