#pragma once
// Puts back, from the manifest of the original tree, what a copy of it lost on the way: an artifact upload keeps
// neither the executable bits nor the symlinks (each link becomes a copy of its target, or is dropped).
//
// What is changed, and nothing else:
//   - a file of the manifest that is a regular file in DIR gets the executable bits the manifest records
//     (executable: x wherever r is set; not executable: no x bit at all), when its owner bit differs;
//   - a symlink of the manifest is created when nothing is at its path, or replaces the regular file at its path
//     when that file holds exactly the bytes of the link's target (the target's digest in the manifest): the copy
//     an upload made. Only when the target text, resolved through the manifest's own symlinks, stays inside DIR.
// Everything else is left as it is and listed in `kept` with the reason (a link whose target leaves DIR, a copy
// whose bytes differ from its target, a directory where a link was): checking the tree is verify's job.
//
// Safety. The whole manifest is checked before the first change, and a manifest that would make restore reach
// through a symlink is refused: the same path in two lists, or an entry below a path the manifest lists as a file,
// symlink or special file. (The reader has already refused absolute paths, '.', '..' and empty segments, and
// duplicates within a list.) Every change is made relative to a directory fd of DIR, one path component at a time
// with O_NOFOLLOW, so a symlink in DIR (planted there, or in the way) is never followed: a file is opened with
// O_NOFOLLOW and changed with fchmod on that fd, a link is made with symlinkat in the fd of its parent directory
// and moved over the copy with renameat in the same directory. Nothing is written outside DIR, no directory is
// created, and no path the manifest does not list is touched (but the link's temporary name, which is renamed
// away at once).

#include <string>
#include <vector>

#include "manifest/entry.h"
#include "util/result.h"

namespace treeprint {

enum class RestoreKind : uint8_t {
  set_executable,    // 0644 -> 0755 (x where r is set)
  clear_executable,  // x bits removed
  create_link,       // nothing was at the path
  replace_copy,      // a regular file holding the target's bytes was at the path
};

struct RestoreChange {
  RestoreKind kind;
  std::string path;
  std::string target;  // for links: the link's text
};

/// An entry of the manifest that was not restored, and why ("the target '/usr/lib/x' leaves the tree").
struct RestoreKept {
  std::string path;
  std::string reason;
};

struct RestoreResult {
  std::vector<RestoreChange> changes;  // made, or with dry_run those that would be made; sorted by path
  std::vector<RestoreKept> kept;       // sorted by path
};

/// The whole-manifest check restore_tree makes before it changes anything: fails with a message naming the path
/// and the rule when the manifest is not safe to restore from.
Status check_restorable(const Manifest& manifest);

/// Restores `dir` from `manifest` as described above; with `dry_run` inspects the same way and changes nothing.
/// Fails (nothing changed) when the manifest is refused by check_restorable or DIR cannot be opened. Problems
/// with single entries (a chmod refused, a path in the way) do not stop the rest; they are in `kept`.
Result<RestoreResult> restore_tree(const Manifest& manifest, const std::string& dir, bool dry_run);

/// Files and symlinks of the manifest that actions/upload-artifact (v4.4 and later) leaves out unless it is given
/// `include-hidden-files: true`: those with a path segment that starts with '.'. In path order.
std::vector<std::string_view> hidden_paths(const Manifest& manifest);

}  // namespace treeprint
