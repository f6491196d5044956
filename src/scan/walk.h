#pragma once
// The parallel walker: lists the tree and SHA-256-hashes every regular file.
//
// Design (after ripgrep's ignore::WalkParallel, with mold's "parallel, then sort"):
// - Each worker owns two LIFO stacks, directories and batches of files, guarded by its own mutex; an idle worker
//   steals the oldest job of another. A global count of unfinished jobs ends the walk; idle workers sleep on an
//   atomic (futex) rather than spinning.
// - Directories are read with getdents64 through their own fd and entries opened with openat relative to it, so no
//   full path is resolved twice and depth is unlimited. An fd lives as long as a job needs it. Directory jobs go first
//   (the total is known early, for the ETA) while the number of open directory fds stays under a cap.
// - A file batch opens its files, asks the kernel to start reading them all (posix_fadvise WILLNEED) once a read
//   finds the cache cold, so a cold cache has many reads in flight per thread, and hashes them two at a time
//   (scan/hash_file.h). When a hashing lane frees up and its batch has no file left, it takes the next file job from
//   the queues, so a big file pairs with the files of later batches (another big file included) instead of
//   hashing alone.
// - Each worker keeps its results to itself; they are merged and sorted by path at the end, so the output does not
//   depend on the thread count.
// - Hashing one file, with the rules for files that change while read, is scan/hash_file.h; the entries live in a
//   FileTable per worker (manifest/file_table.h), handed to the manifest at the end.

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "manifest/entry.h"
#include "manifest/shard.h"
#include "util/fs.h"
#include "scan/git_reuse.h"
#include "scan/git_tree.h"
#include "scan/ignore.h"
#include "scan/stat_cache.h"
#include "util/result.h"

namespace treeprint {

/// Counters the walker updates as it goes, for a progress line.
struct WalkProgress {
  std::atomic<uint64_t> files_found{0};
  std::atomic<uint64_t> files_done{0};
  std::atomic<uint64_t> bytes_done{0};
  std::atomic<uint64_t> dirs_pending{0};
};

/// A name in a directory that the scan leaves out (the manifest being written, its temporary file).
struct LeaveOut {
  dev_t dir_dev;
  ino_t dir_ino;
  std::string name;
};

/// What a git-aware walk learned, for the manifest's "git" object.
struct GitWalkReport {
  uint64_t tracked = 0;          // files and symlinks kept that an index tracks
  uint64_t untracked = 0;        // kept, tracked by none
  uint64_t ignored_tracked = 0;  // tracked and kept although an ignore rule matches them
  uint64_t modified = 0;         // tracked and kept, but not vouched for (changed, racily clean, unmerged)
  uint64_t vouched = 0;          // tracked files the index vouches for (clean by git's stat rule): they have git_blob
  uint64_t reused = 0;           // of those, digests taken from the baseline without opening the file
  uint64_t missing = 0;          // tracked entries not on disk (deleted, or now a directory)
  uint64_t unmerged = 0;         // unmerged paths
  bool untracked_attributes = false;  // an untracked .gitattributes was found below DIR
  uint64_t nested = 0;                // submodules and nested repositories scanned under their own index
};

struct WalkOptions {
  unsigned threads = 1;
  bool follow_symlinks = false;
  bool gitignore = true;
  bool skip_dot_git = true;
  std::optional<int64_t> since_ns;  // keep files whose mtime >= since
  const Filters* filters = nullptr;
  std::vector<LeaveOut> leave_out;
  /// Files whose ctime is at or after this are read a second time to prove they did not change while hashed
  /// (default: two seconds before the walk starts; see scan/hash_file.h).
  std::optional<int64_t> racy_after_ns;
  WalkProgress* progress = nullptr;
  std::vector<std::string>* warnings = nullptr;  // non-fatal notes (a malformed .gitignore line)
  /// Digests to reuse for files unchanged since an earlier scan (ignored when the root is on another device). Called
  /// once, when the first file is about to be settled (it may block until a baseline being loaded elsewhere, while
  /// the tree is listed, is ready); may return null.
  std::function<const StatCache*()> stat_cache;
  /// --shard I/N: keep only the entries whose path falls in that shard.
  ShardFilter shard;
  /// When set, receives the root's device (for the next run's stat cache). Each file's inode and ctime are in its
  /// FileEntry.
  uint64_t* root_dev = nullptr;
  /// Ask the kernel to read the rest of a batch ahead once a read finds the page cache cold (posix_fadvise).
  bool prefetch = true;
  /// An open directory to scan (duplicated; the caller keeps its own) instead of opening `root`, which then only
  /// names it in messages: the action opens the root by the rules of inputs/path_trust.h.
  int root_fd = -1;
  /// The git work tree DIR is in (scan/git_tree.h). Then tracked files and symlinks are kept whatever the ignore
  /// files say (--exclude still wins), ignore rules are matched as git matches them (work-tree paths, the rules from
  /// above DIR), a directory with a `.git` below DIR is scanned under its own index and rules when it is a
  /// repository's work tree, and each file the index vouches for gets its git_blob. Null: a plain scan.
  const GitTree* git = nullptr;
  /// Baseline digests for the git fast path (scan/git_reuse.h); called once, like stat_cache; may return null.
  std::function<const GitReuse*()> git_reuse;
  /// Whether stat_cache and git_reuse would answer now without waiting (the baseline they come from is loaded). Set
  /// in a git scan with git_reuse, the walk never waits for them: while this says no, a file whose lstat leaves it to
  /// the baseline is set aside, and once the whole tree is listed the baseline is waited for and those files are
  /// settled (a digest reused, or the file hashed then, its directory opened again from the root without following
  /// a symlink). Not used with follow_symlinks. Null: stat_cache and git_reuse are called when first needed.
  std::function<bool()> baseline_ready;
  /// Called when the tree is listed and `deferred` files wait for the baseline, before they are settled (on the
  /// thread that called walk_tree).
  std::function<void(size_t deferred)> on_deferred;
  /// Receives what the walk learned about the work trees when `git` is set.
  GitWalkReport* git_report = nullptr;
  /// Where the git layer reads HOME, XDG_CONFIG_HOME, GIT_CONFIG_* for nested work trees.
  EnvLookup env;
};

/// Walks `root` into `manifest` (entries that could not be read are in manifest->errors). Fails only when the root
/// itself cannot be scanned: missing, not a directory, or on a pseudo filesystem such as procfs or sysfs (see
/// scan/pseudo_fs.h).
Status walk_tree(FileSystem& fs, const std::string& root, const WalkOptions& options, Manifest* manifest);

}  // namespace treeprint
