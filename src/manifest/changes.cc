#include "manifest/changes.h"

#include <algorithm>
#include <map>

namespace treeprint {

const char* selector_name(ChangeSelector selector) {
  switch (selector) {
    case ChangeSelector::added: return "added";
    case ChangeSelector::modified: return "modified";
    case ChangeSelector::removed: return "removed";
    case ChangeSelector::renamed: return "renamed";
  }
  return "?";
}

ChangeLists change_lists(const TreeDiff& diff) {
  ChangeLists out;
  for (const Change& c : diff.changes) {
    switch (c.kind) {
      case ChangeKind::added:
        out.added.push_back(c.path);
        out.all_changed.push_back(c.path);
        break;
      case ChangeKind::removed: out.removed.push_back(c.path); break;
      case ChangeKind::modified:
      case ChangeKind::mode_changed:
      case ChangeKind::type_changed:
        out.modified.push_back(c.path);
        out.all_changed.push_back(c.path);
        break;
      case ChangeKind::renamed:
        out.renamed.push_back({c.old_path, c.path});
        out.all_changed.push_back(c.path);
        break;
    }
  }
  // diff.changes is sorted by path already; a path can occur twice (removed, then the target of a rename), but
  // never twice in one list. Sorting keeps the promise whatever the diff's order.
  for (auto* list : {&out.added, &out.modified, &out.removed, &out.all_changed}) std::sort(list->begin(), list->end());
  std::sort(out.renamed.begin(), out.renamed.end(), [](const RenamedPath& a, const RenamedPath& b) {
    return a.to != b.to ? a.to < b.to : a.from < b.from;
  });
  for (const ErrorEntry& e : diff.unreadable) out.unreadable.push_back(e.path);
  std::sort(out.unreadable.begin(), out.unreadable.end());
  return out;
}

ChangeLists change_lists_without_baseline(const Manifest& current) {
  ChangeLists out;
  out.has_baseline = false;
  out.added.reserve(current.files.size() + current.symlinks.size());
  for (const FileEntry* f : current.files) out.added.emplace_back(f->path);
  for (const SymlinkEntry& l : current.symlinks) out.added.push_back(l.path);
  std::sort(out.added.begin(), out.added.end());
  out.all_changed = out.added;
  for (const ErrorEntry& e : current.errors) out.unreadable.push_back(e.path);
  std::sort(out.unreadable.begin(), out.unreadable.end());
  return out;
}

const std::vector<std::string>& change_list_names() {
  static const std::vector<std::string> k_names = {"all-changed-files", "added-files",   "modified-files",
                                                   "removed-files",     "renamed-files", "unreadable-files"};
  return k_names;
}

bool is_valid_output_name(std::string_view name) {
  if (name.empty()) return false;
  auto alpha = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
  if (!alpha(name[0])) return false;
  return std::all_of(name.begin() + 1, name.end(),
                     [&](char c) { return alpha(c) || (c >= '0' && c <= '9') || c == '-'; });
}

const std::vector<std::string>& fixed_output_names() {
  static const std::vector<std::string> k_names = [] {
    std::vector<std::string> names = {"any-changed", "changes", "changes-path", "hash",
                                      // the action's outputs that are not about changes (action.yml)
                                      "manifest-path", "sha256sum-path", "digest", "files", "bytes", "errors",
                                      "changed", "added", "removed", "summary-url", "artifact-id", "artifact-url"};
    for (const std::string& list : change_list_names()) {
      for (const char* suffix : {"", "-json", "-count", "-truncated"}) names.push_back(list + suffix);
    }
    return names;
  }();
  return k_names;
}

std::vector<std::string> filter_output_names(std::string_view name) {
  const std::string n(name);
  return {n, n + "-files", n + "-files-json", n + "-count", n + "-files-truncated"};
}

std::string check_filter_names(const std::vector<std::string>& names) {
  auto folded = [](std::string s) {
    for (char& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    return s;
  };
  std::map<std::string, std::string> owner;  // folded output name -> who sets it ("" for a fixed output)
  for (const std::string& fixed : fixed_output_names()) owner.emplace(folded(fixed), "");
  for (const std::string& name : names) {
    if (!is_valid_output_name(name)) {
      return "filter name '" + name +
             "' is not a valid output name: use letters, digits, '_' and '-', starting with a letter or '_'";
    }
    for (const std::string& out : filter_output_names(name)) {
      const auto [it, fresh] = owner.emplace(folded(out), name);
      if (fresh) continue;
      if (it->second.empty()) {
        return "filter name '" + name + "' is reserved: its output '" + out + "' is one the action sets itself";
      }
      if (it->second == name) return "filter '" + name + "' is given twice";
      return "filter names '" + it->second + "' and '" + name + "' collide: both would set the output '" + out +
             "' (output names ignore case)";
    }
  }
  return "";
}

}  // namespace treeprint
