#pragma once
// The id of the tree the index describes: what `git write-tree` writes, and on a clean checkout what
// `git rev-parse HEAD^{tree}` names. Computed from the index entries alone, no file read.
//
// git's tree object: "tree <size>\0" then, per entry, "<mode> <name>\0<raw id>", with modes 40000 (a directory),
// 100644, 100755, 120000, 160000, and entries sorted by name bytewise, a directory as if its name ended in '/'.
// The index is sorted by full path, which gives that order directory by directory, so one pass builds every tree
// bottom-up. Skip-worktree and assume-unchanged entries are part of the tree, as in git.
//
// Not defined (an error saying why) for an index with unmerged entries (git write-tree refuses too) or
// intent-to-add entries (their ids are placeholders), or with a path that is both a file and a directory.

#include "git/index.h"
#include "util/result.h"

namespace treeprint::git {

enum class TreeSource {
  cache_tree_if_valid,  // the TREE extension's root when it is valid and covers every entry, else computed
  entries,              // always computed from the entries
};

Result<ObjectId> index_tree_id(const Index& index, TreeSource source = TreeSource::cache_tree_if_valid);

}  // namespace treeprint::git
