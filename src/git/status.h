#pragma once
// Whether a file on disk is still the one an index entry describes, by git's stat rule (read-cache.c
// ie_match_stat, with every check on): the entry's recorded stat data against an lstat of the file, and the
// racy-clean guard. A pure function: the caller does the lstat.
//
// Clean means all of:
// - the entry is a plain stage-0 entry: not unmerged, not intent-to-add (its id is a placeholder), not a gitlink
//   (a submodule is judged by its own index);
// - the type matches (a regular file for 100644/100755, a symlink for 120000), and for a regular file the owner's
//   execute bit matches 100755 / 100644;
// - size (its low 32 bits, as recorded), mtime and ctime (seconds and nanoseconds), ino, dev, uid and gid (low 32
//   bits each) are equal. Nanoseconds are always compared: an index written without them only costs a re-hash;
// - an entry recorded with size 0 has the empty blob's id (git "smudges" racily clean entries to size 0);
// - it is not racily clean: its mtime is older than the index file's, in whole seconds (git without USE_NSEC; the
//   stricter choice): a file written in the same second as the index, or later, is never trusted, since it could
//   have changed after git recorded it without its stat data changing.
// The assume-unchanged and skip-worktree bits are not trusted: they say git should not look, not that the file is
// unchanged. Nothing but the stat data is consulted.

#include <sys/stat.h>

#include <string_view>

#include "git/index.h"

namespace treeprint::git {

enum class StatMatch {
  clean,
  unmerged,
  intent_to_add,
  gitlink,
  type_changed,
  mode_changed,
  size_changed,
  mtime_changed,
  ctime_changed,
  inode_changed,
  device_changed,
  owner_changed,
  smudged,  // recorded size 0 but not the empty blob
  racy,     // matches, but not older than the index
};

/// "clean", "size changed", ...: for notices and test output.
std::string_view stat_match_name(StatMatch match);

/// `st` is the file's lstat; `index_mtime` the index file's mtime (Index::file_mtime()). The first reason found in
/// the order of the enum, or clean.
StatMatch match_stat(const IndexEntry& entry, const struct stat& st, IndexTime index_mtime);

inline bool is_clean(const IndexEntry& entry, const struct stat& st, IndexTime index_mtime) {
  return match_stat(entry, st, index_mtime) == StatMatch::clean;
}

}  // namespace treeprint::git
