#pragma once
// Finding the git work tree a directory belongs to, the way git's own discovery does, and reading what a scan needs
// from it: where the index and info/exclude are, the object format, and the commit HEAD names.
//
// Discovery, from DIR (its real path) upwards, stopping at the first directory D that has a `.git`:
// - `.git` a directory: the git directory, and D the work tree.
// - `.git` a file `gitdir: PATH` (a linked worktree, a submodule): PATH, relative to D unless absolute, is the git
//   directory, and D the work tree.
// - The git directory's `commondir` file, when present (linked worktrees), names the common directory (relative to
//   the git directory unless absolute): config, refs, packed-refs, info/ and objects live there; HEAD, the index
//   and the per-worktree refs (refs/bisect/, refs/worktree/, refs/rewritten/) in the git directory.
// - Without a commondir, `core.worktree` in the config (relative to the git directory unless absolute) moves the
//   work tree, as submodules whose git directory lives in the superproject's .git/modules/ set it; `core.bare =
//   true` means there is no work tree. With `extensions.worktreeConfig`, the git directory's config.worktree is read
//   after config.
// - Going up never crosses a filesystem boundary (git's default without GIT_DISCOVERY_ACROSS_FILESYSTEM).
// git's environment (GIT_DIR, GIT_WORK_TREE, GIT_CEILING_DIRECTORIES) is not consulted: the result describes the
// directory, not the process. Nor is safe.directory: nothing here runs git or its hooks, files are only read.
//
// Unlike git, a `.git` that is not a repository (a directory without HEAD, objects/ and refs/, say) ends the search
// with an error rather than being stepped over: a caller falls back to a plain scan and says why.
//
// The repository format: core.repositoryformatversion 0 or 1 (none is 0); with 1, extensions.objectformat sha1 or
// sha256 (none is sha1) and only the extensions git 2.39 knows (noop, preciousobjects, partialclone,
// worktreeconfig, objectformat); an unknown version or extension is an error, as in git. With version 0,
// extensions are ignored, except that objectformat (defined by version 1 only) is an error, as in git.
//
// HEAD: `ref: refs/...` (followed through loose refs and packed-refs, at most 5 symbolic hops) or an object id
// (detached). A branch that has no commit yet (a fresh `git init`) is not an error: head_commit is empty.

#include <optional>
#include <string>

#include "git/object_id.h"
#include "util/result.h"

namespace treeprint::git {

struct Repository {
  std::string work_tree;   // absolute real path, no trailing '/'
  std::string git_dir;     // absolute real path of the git directory: HEAD, index
  std::string common_dir;  // == git_dir unless a commondir file says otherwise
  /// DIR relative to the work tree: "" at its root, else "a/b" ('/'-separated, no leading or trailing '/').
  std::string prefix;
  ObjectFormat format = ObjectFormat::sha1;
  int format_version = 0;
  bool linked = false;     // reached through a `.git` file (a linked worktree or a submodule)
  std::string head_ref;    // "refs/heads/main" when HEAD is symbolic, "" when detached
  std::optional<ObjectId> head_commit;  // empty on an unborn branch

  std::string index_path() const { return git_dir + "/index"; }
  /// info/exclude of the common directory; open it following symlinks, as git does.
  std::string info_exclude_path() const { return common_dir + "/info/exclude"; }
};

/// The repository whose work tree holds `dir`; nullopt when there is none. An error when one was found but cannot
/// be used, naming what was wrong ("'/w/.git/HEAD': ..."): DIR inside a git directory, a bare repository, DIR
/// outside the core.worktree, a malformed `.git` file, config, HEAD or ref.
Result<std::optional<Repository>> discover_repository(const std::string& dir);

/// Whether `name` is a ref name git would accept under refs/ ("refs/heads/x": no "..", no component starting with
/// '.' or ending in ".lock", no control bytes, space, ~^:?*[\, no "@{", no "//", no trailing '/' or '.').
bool is_valid_ref_name(std::string_view name);

}  // namespace treeprint::git
