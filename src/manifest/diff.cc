#include "manifest/diff.h"

#include <algorithm>
#include <map>
#include <memory>
#include <string_view>
#include <unordered_set>

namespace treeprint {

namespace {

struct Item {
  std::string_view path;
  const FileEntry* file = nullptr;
  const SymlinkEntry* link = nullptr;
};

// One side's files and symlinks merged in path order: the symlinks are held by the source, the files come one at a
// time. The current item stays valid until next().
class SideCursor {
 public:
  explicit SideCursor(EntrySource& source) : m_source(source), m_links(source.symlinks()) {}

  /// Reads the first file; then current() is the first item.
  Status start() { return next_file(); }
  bool done() const { return m_file == nullptr && m_link == m_links.size(); }
  Item current() const {
    if (m_link == m_links.size() || (m_file != nullptr && m_file->path < std::string_view(m_links[m_link].path))) {
      return {m_file->path, m_file, nullptr};
    }
    return {m_links[m_link].path, nullptr, &m_links[m_link]};
  }
  /// Moves past current().
  Status next() {
    if (current().file != nullptr) return next_file();
    ++m_link;
    return ok_status();
  }

 private:
  Status next_file() {
    Result<const FileEntry*> f = m_source.next_file();
    if (!f) return Status::failure(f.error());
    m_file = *f;
    return ok_status();
  }

  EntrySource& m_source;
  const std::vector<SymlinkEntry>& m_links;
  size_t m_link = 0;
  const FileEntry* m_file = nullptr;
};

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

Result<TreeDiff> diff_sources(EntrySource& before, EntrySource& after, bool detect_renames) {
  for (EntrySource* side : {&before, &after}) {
    if (Status opened = side->open(); !opened) return Result<TreeDiff>::failure(opened.error());
  }
  TreeDiff d;
  std::unordered_set<std::string_view> unreadable;
  for (const EntrySource* side : {&before, &after}) {
    for (const ErrorEntry& e : side->errors()) {
      if (unreadable.insert(e.path).second) d.unreadable.push_back(e);
    }
  }
  std::sort(d.unreadable.begin(), d.unreadable.end(), [](const auto& a, const auto& b) { return a.path < b.path; });

  // A merge-join of the two sides in path order. Only what differs is kept: removed and added entries wait for the
  // rename pass, every other change goes straight into the diff.
  SideCursor olds(before), news(after);
  for (SideCursor* side : {&olds, &news}) {
    if (Status started = side->start(); !started) return Result<TreeDiff>::failure(started.error());
  }
  std::vector<Change> removed, added;
  while (!olds.done() || !news.done()) {
    const Item o = olds.done() ? Item() : olds.current(), n = news.done() ? Item() : news.current();
    Status moved = ok_status();
    if (news.done() || (!olds.done() && o.path < n.path)) {
      if (!unreadable.contains(o.path)) {
        removed.push_back(make_change(ChangeKind::removed, o.path, state_of(o), EntryState()));
      }
      moved = olds.next();
    } else if (olds.done() || n.path < o.path) {
      if (!unreadable.contains(n.path)) {
        added.push_back(make_change(ChangeKind::added, n.path, EntryState(), state_of(n)));
      }
      moved = news.next();
    } else {
      EntryState a = state_of(o), b = state_of(n);
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
      if (kind) d.changes.push_back(make_change(*kind, n.path, std::move(a), std::move(b)));
      moved = olds.next();
      if (moved) moved = news.next();
    }
    if (!moved) return Result<TreeDiff>::failure(moved.error());
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

TreeDiff diff_trees(const Manifest& before, const Manifest& after, bool detect_renames) {
  const std::unique_ptr<EntrySource> olds = manifest_source(before), news = manifest_source(after);
  Result<TreeDiff> d = diff_sources(*olds, *news, detect_renames);
  return std::move(*d);  // sources in memory never fail
}

}  // namespace treeprint
