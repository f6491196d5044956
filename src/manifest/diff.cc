#include "manifest/diff.h"

#include <algorithm>
#include <map>
#include <string_view>
#include <unordered_set>

namespace treeprint {

namespace {

struct Item {
  std::string_view path;
  const FileEntry* file = nullptr;
  const SymlinkEntry* link = nullptr;
};

// Files and symlinks of one side, merged in path order.
std::vector<Item> items_of(const Manifest& m) {
  std::vector<Item> out;
  out.reserve(m.files.size() + m.symlinks.size());
  size_t i = 0, j = 0;
  while (i < m.files.size() || j < m.symlinks.size()) {
    if (j == m.symlinks.size() || (i < m.files.size() && m.files[i]->path < std::string_view(m.symlinks[j].path))) {
      out.push_back({m.files[i]->path, m.files[i], nullptr});
      ++i;
    } else {
      out.push_back({m.symlinks[j].path, nullptr, &m.symlinks[j]});
      ++j;
    }
  }
  return out;
}

EntryState state_of(const Item& item) {
  EntryState s;
  if (item.file != nullptr) {
    s.type = EntryState::Type::file;
    s.size = item.file->size;
    s.executable = item.file->executable;
    s.sha256 = item.file->sha256;
    s.git_blob = item.file->git_blob_bytes();
  } else {
    s.type = EntryState::Type::symlink;
    s.target = item.link->target;
  }
  return s;
}

std::string_view base_name(std::string_view p) {
  const size_t slash = p.rfind('/');
  return slash == std::string_view::npos ? p : p.substr(slash + 1);
}

Change make_change(ChangeKind kind, std::string_view path, EntryState before, EntryState after) {
  Change c;
  c.kind = kind;
  c.path.assign(path);
  c.before = std::move(before);
  c.after = std::move(after);
  return c;
}

}  // namespace

const char* change_name(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::added: return "added";
    case ChangeKind::removed: return "removed";
    case ChangeKind::modified: return "modified";
    case ChangeKind::mode_changed: return "mode-changed";
    case ChangeKind::type_changed: return "type-changed";
    case ChangeKind::renamed: return "renamed";
  }
  return "?";
}

TreeDiff diff_trees(const Manifest& before, const Manifest& after, bool detect_renames) {
  TreeDiff d;
  std::unordered_set<std::string_view> unreadable;
  for (const Manifest* m : {&before, &after}) {
    for (const ErrorEntry& e : m->errors) {
      if (unreadable.insert(e.path).second) d.unreadable.push_back(e);
    }
  }
  std::sort(d.unreadable.begin(), d.unreadable.end(), [](const auto& a, const auto& b) { return a.path < b.path; });

  const std::vector<Item> old_items = items_of(before), new_items = items_of(after);
  std::vector<Change> removed, added;
  size_t i = 0, j = 0;
  while (i < old_items.size() || j < new_items.size()) {
    if (j == new_items.size() || (i < old_items.size() && old_items[i].path < new_items[j].path)) {
      if (!unreadable.contains(old_items[i].path)) {
        removed.push_back(make_change(ChangeKind::removed, old_items[i].path, state_of(old_items[i]), EntryState()));
      }
      ++i;
    } else if (i == old_items.size() || new_items[j].path < old_items[i].path) {
      if (!unreadable.contains(new_items[j].path)) {
        added.push_back(make_change(ChangeKind::added, new_items[j].path, EntryState(), state_of(new_items[j])));
      }
      ++j;
    } else {
      EntryState a = state_of(old_items[i]), b = state_of(new_items[j]);
      std::optional<ChangeKind> kind;
      if (a.type != b.type) {
        kind = ChangeKind::type_changed;
      } else if (a.type == EntryState::Type::symlink) {
        if (a.target != b.target) kind = ChangeKind::modified;
      } else if (!a.git_blob.empty() && a.git_blob.size() == b.git_blob.size()) {
        if (a.git_blob != b.git_blob) {
          kind = ChangeKind::modified;
        } else if (a.executable != b.executable) {
          kind = ChangeKind::mode_changed;
        }
      } else if (a.size != b.size || a.sha256 != b.sha256) {
        kind = ChangeKind::modified;
      } else if (a.executable != b.executable) {
        kind = ChangeKind::mode_changed;
      }
      if (kind) d.changes.push_back(make_change(*kind, new_items[j].path, std::move(a), std::move(b)));
      ++i;
      ++j;
    }
  }

  if (detect_renames && !removed.empty() && !added.empty()) {
    // Content -> the removed files that had it, in path order.
    std::map<std::pair<Digest, uint64_t>, std::vector<size_t>> by_content;
    for (size_t k = 0; k < removed.size(); ++k) {
      const EntryState& s = removed[k].before;
      if (s.type == EntryState::Type::file && s.size != 0) by_content[{s.sha256, s.size}].push_back(k);
    }
    std::vector<bool> paired(removed.size(), false);
    std::vector<Change> still_added;
    for (Change& c : added) {
      const EntryState& s = c.after;
      auto it =
          s.type == EntryState::Type::file && s.size != 0 ? by_content.find({s.sha256, s.size}) : by_content.end();
      std::optional<size_t> pick;
      if (it != by_content.end()) {
        for (const size_t k : it->second) {
          if (paired[k]) continue;
          if (!pick) pick = k;
          if (base_name(removed[k].path) == base_name(c.path)) {
            pick = k;
            break;
          }
        }
      }
      if (!pick) {
        still_added.push_back(std::move(c));
        continue;
      }
      paired[*pick] = true;
      Change r = make_change(ChangeKind::renamed, c.path, removed[*pick].before, std::move(c.after));
      r.old_path = removed[*pick].path;
      d.changes.push_back(std::move(r));
    }
    added = std::move(still_added);
    std::vector<Change> still_removed;
    for (size_t k = 0; k < removed.size(); ++k) {
      if (!paired[k]) still_removed.push_back(std::move(removed[k]));
    }
    removed = std::move(still_removed);
  }
  for (auto* list : {&removed, &added}) std::move(list->begin(), list->end(), std::back_inserter(d.changes));
  std::sort(d.changes.begin(), d.changes.end(), [](const Change& a, const Change& b) {
    return a.path != b.path ? a.path < b.path : a.kind < b.kind;  // a removed path can reappear as a rename target
  });
  for (const Change& c : d.changes) ++d.counts[static_cast<size_t>(c.kind)];
  return d;
}

}  // namespace treeprint
