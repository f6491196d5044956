#pragma once
// What changed between two manifests: added, removed, modified (content), mode-changed, type-changed (file <->
// symlink) and renamed (the same content under another path) entries. Plain data in, plain data out: two Manifests
// in memory, or two EntrySources read as the comparison goes (manifest/manifest_stream.h): then, of the files, only
// the changed ones are held.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "manifest/entry.h"
#include "manifest/entry_source.h"
#include "util/result.h"

namespace treeprint {

enum class ChangeKind : uint8_t { added, removed, modified, mode_changed, type_changed, renamed };
inline constexpr int k_change_kinds = 6;

/// "added", "removed", "modified", "mode-changed", "type-changed", "renamed".
const char* change_name(ChangeKind kind);

/// One side of a change: what was (or is) at the path.
struct EntryState {
  enum class Type : uint8_t { none, file, symlink } type = Type::none;
  uint64_t size = 0;
  bool executable = false;
  Digest sha256{};
  std::string git_blob;  // files: the raw git blob id when the manifest has one ("" otherwise)
  std::string target;    // symlinks
};

struct Change {
  ChangeKind kind;
  std::string path;      // the path now (for removed: the path that was)
  std::string old_path;  // renamed: where the content was
  EntryState before;
  EntryState after;
};

struct TreeDiff {
  std::vector<Change> changes;  // sorted by path
  std::array<uint64_t, k_change_kinds> counts{};
  /// Paths that one side could not read: not counted as added or removed, since nothing is known of them.
  std::vector<ErrorEntry> unreadable;
  bool identical() const { return changes.empty(); }
};

/// Compares `before` with `after`. A file's content is compared by its git blob id when both sides carry one of the
/// same length (the same content as git stores it: two checkouts that differ only by line-ending or other checkout
/// conversion are not modified), else by size and SHA-256. Renames pair a removed file with an added file of the same
/// size and digest (empty files excepted: every empty file looks alike); among several candidates the one with the same
/// base name wins, then the first by path.
TreeDiff diff_trees(const Manifest& before, const Manifest& after, bool detect_renames = true);

/// The same comparison (diff_trees runs on it) over two sources pulled in path order: each side's symlinks and
/// unreadable entries are held, its files only one at a time, and of the files only the changed ones are kept. Both
/// sources are read to their end, so a source that fails anywhere (a manifest found not valid, even by its last
/// check) makes the whole comparison fail with its message.
Result<TreeDiff> diff_sources(EntrySource& before, EntrySource& after, bool detect_renames = true);

}  // namespace treeprint
