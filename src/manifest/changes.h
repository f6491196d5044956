#pragma once
// The change lists a later CI step consumes, from a TreeDiff: what was added, modified (content, mode or type),
// removed and renamed since the baseline, and everything present now that differs from it. Also the plain-data
// result of a named path filter (the filters themselves are evaluated in scan/change_filter.h, where the glob
// engine lives). See docs/changed.md.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "manifest/diff.h"
#include "manifest/entry.h"

namespace treeprint {

struct RenamedPath {
  std::string from;
  std::string to;
};

/// Every list is sorted bytewise by path (renamed: by the new path).
struct ChangeLists {
  /// False when there was no baseline: then every entry present now is in `added`.
  bool has_baseline = true;
  std::vector<std::string> added;
  std::vector<std::string> modified;  // content, mode (executable bit) or type (file <-> symlink)
  std::vector<std::string> removed;
  std::vector<RenamedPath> renamed;
  /// Present now and different from the baseline: added + modified + the new path of each rename.
  std::vector<std::string> all_changed;
  /// Paths one side could not read: nothing is known of them, so they make `any_changed()` true and filters treat
  /// them as modified (the safe direction: the step that depends on them runs).
  std::vector<std::string> unreadable;

  bool any_changed() const { return !has_baseline || !all_changed.empty() || !removed.empty() || !unreadable.empty(); }
};

/// The lists of `diff`.
ChangeLists change_lists(const TreeDiff& diff);

/// No baseline at all: every file and symlink of `current` counts as added (and the entries it could not read as
/// unreadable), and any_changed() is true even for an empty tree.
ChangeLists change_lists_without_baseline(const Manifest& current);

/// The change kinds a filter can be limited to (dorny/paths-filter's `added|modified|deleted` plus renamed).
enum class ChangeSelector : uint8_t { added = 1, modified = 2, removed = 4, renamed = 8 };
inline constexpr uint8_t k_all_change_selectors = 15;

/// "added", "modified", "removed", "renamed".
const char* selector_name(ChangeSelector selector);

/// What one named filter found.
struct FilterResult {
  std::string name;
  /// The matching paths in path order: the new path for a rename, the old path for a removal.
  std::vector<std::string> files;
  bool matched() const { return !files.empty(); }
};

// --- the names the lists are published under (GitHub outputs, dotenv variables, the changes file) --------------

/// The lists in the order they are published and budgeted: "all-changed-files", "added-files", "modified-files",
/// "removed-files", "renamed-files", "unreadable-files".
const std::vector<std::string>& change_list_names();

/// An output name a filter may have: [A-Za-z_][A-Za-z0-9_-]*.
bool is_valid_output_name(std::string_view name);

/// Every output the action sets whatever the filters: the change outputs (any-changed, changes, changes-path, hash,
/// and for each list L: L, L-json, L-count, L-truncated) and the action's other outputs (manifest-path, digest, ...).
const std::vector<std::string>& fixed_output_names();

/// The outputs a filter named `name` sets: name, name-files, name-files-json, name-count, name-files-truncated.
std::vector<std::string> filter_output_names(std::string_view name);

/// Checks filter names before any work: each a valid output name, none of the outputs it sets equal (ignoring case,
/// as GitHub's expressions do) to a fixed output or to another filter's. "" when fine, else a message naming the
/// filter and the output it collides with.
std::string check_filter_names(const std::vector<std::string>& names);

}  // namespace treeprint
