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
// - A file batch opens its files, asks the kernel to start reading them all (posix_fadvise WILLNEED) and then hashes
//   them one by one, so a cold cache has many reads in flight per thread.
// - Each worker keeps its results to itself; they are merged and sorted by path at the end, so the output does not
//   depend on the thread count.
// - A file is read to its end and then fstat'ed: if it yields a different number of bytes than its size, or it was
//   changed since the scan started and a second read between two fstat calls does not match, it is reported as an
//   error rather than given a digest of a state that never existed (git's "racy" rule, see hash_open_file).

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "manifest/entry.h"
#include "scan/baseline.h"
#include "scan/fs.h"
#include "scan/ignore.h"

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

struct WalkOptions {
  unsigned threads = 1;
  bool follow_symlinks = false;
  bool gitignore = true;
  bool skip_dot_git = true;
  std::optional<int64_t> since_ns;  // keep files whose mtime >= since
  const Filters* filters = nullptr;
  std::vector<LeaveOut> leave_out;
  /// Files whose ctime is at or after this are read a second time to prove they did not change while hashed
  /// (default: two seconds before the walk starts; see hash_open_file).
  std::optional<int64_t> racy_after_ns;
  WalkProgress* progress = nullptr;
  std::vector<std::string>* warnings = nullptr;  // non-fatal notes (a malformed .gitignore line)
  /// Digests to reuse for files unchanged since an earlier scan (ignored when the root is on another device). Called
  /// once, when the first file is about to be hashed, so that loading the baseline overlaps listing the tree; may
  /// return null.
  std::function<const Baseline*()> baseline;
  /// --shard I/N: keep only the entries whose path falls in shard `shard_index` (1-based) of `shard_count`.
  uint32_t shard_index = 0;
  uint32_t shard_count = 0;
  /// When set, receives each kept file's inode and ctime, in the manifest's order (for the next run's baseline),
  /// and `root_dev` the root's device.
  std::vector<FileStat>* stats = nullptr;
  uint64_t* root_dev = nullptr;
  /// An open directory to scan (duplicated; the caller keeps its own) instead of opening `root`, which then only
  /// names it in messages: the action opens the root by the rules of inputs/path_trust.h.
  int root_fd = -1;
};

/// How far past its size (fstat) a file may be read before it is an error entry, not a digest: a file that grows
/// while it is hashed is read on, but a kernel-made file (procfs, sysfs) that never ends is not read forever.
inline constexpr uint64_t k_over_read_max = 1 << 20;

/// The shard (1..count) a path belongs to: FNV-1a (64-bit) of the raw path bytes, modulo count, plus one. Part of
/// the manifest's contract: shards written by different versions must still merge.
uint32_t shard_of(std::string_view path, uint32_t count);

/// Walks `root`. Returns false with `fatal_error` set when the root itself cannot be scanned (missing, not a
/// directory, or on a pseudo filesystem such as procfs or sysfs, see scan/pseudo_fs.h); otherwise fills
/// `manifest` (entries that could not be read are in manifest->errors).
bool walk_tree(FileSystem& fs, const std::string& root, const WalkOptions& options, Manifest* manifest,
               std::string* fatal_error);

}  // namespace treeprint
