#pragma once
// The manifest's data model: what one scanned tree is made of. Plain data, no I/O.
//
// Paths are raw bytes relative to the scanned root, '/'-separated, never starting with '/' and without '.' or '..'
// segments. They need not be UTF-8: the JSON writer encodes names that are not (docs/manifest.md).

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "manifest/file_table.h"
#include "util/digest.h"

namespace treeprint {

struct FileEntry {
  // The members are ordered by size so that no padding falls between them (96 bytes): a scan holds one per file.
  std::string_view path;  // bytes owned by a FileTable (see Manifest::table)
  uint64_t size = 0;
  int64_t mtime_ns = 0;  // nanoseconds since the Unix epoch, may be negative
  // Where the scan found the file on this machine, for the next incremental scan's stat cache (scan/stat_cache.h).
  // Not part of the manifest: written to its binary sidecar, zero when read back from JSON.
  uint64_t ino = 0;
  int64_t ctime_ns = 0;
  Digest sha256{};
  // The git blob id the repository's index gives for this file, when the index vouches for these very bytes (the
  // entry was clean by git's stat rule when the file was read): git_blob_size bytes, 20 (SHA-1) or 32 (SHA-256),
  // kept beside the path's bytes (FileTable::set_git_blob); null when none.
  const unsigned char* git_blob = nullptr;
  bool executable = false;
  uint8_t git_blob_size = 0;  // bytes of git_blob in use; 0 when none
  // What a git-aware walk found (scan/walk.h), for the counts of the manifest's "git" object; not written.
  uint8_t git_state = 0;  // 0: no work tree; 1: untracked; 2: tracked; 3: tracked although an ignore rule matches

  std::span<const unsigned char> git_blob_id() const {
    return git_blob_size == 0 ? std::span<const unsigned char>()
                              : std::span<const unsigned char>(git_blob, git_blob_size);
  }
  std::string_view git_blob_bytes() const {
    return git_blob_size == 0 ? std::string_view()
                              : std::string_view(reinterpret_cast<const char*>(git_blob), git_blob_size);
  }
};
static_assert(sizeof(void*) != 8 || sizeof(FileEntry) == 96, "keep FileEntry small: a scan holds one per file");

struct SymlinkEntry {
  std::string path;
  std::string target;        // the link's text, as readlink(2) gives it
  std::string not_followed;  // with --follow-symlinks: why this link was kept as a link ("" otherwise)
};

/// An entry that is neither a regular file nor a symlink (FIFO, socket, device): listed, never opened.
struct SkippedEntry {
  std::string path;
  std::string type;  // "fifo", "socket", "char-device", "block-device", "unknown"
};

/// An entry that could not be read; the scan went on without it.
struct ErrorEntry {
  std::string path;
  std::string message;
};

/// Which part of a sharded scan a manifest holds (`scan --shard I/N`): the entries whose path hashes to I of N.
struct ShardSpec {
  uint32_t index = 0;  // 1..count
  uint32_t count = 0;
};

/// What the repository said about a scan of its work tree (the manifest's optional top-level "git" object).
struct GitSummary {
  std::string object_format;     // "sha1" or "sha256"
  std::string head;              // the commit HEAD names, hex; "" on an unborn branch
  std::string tree;              // the tree the index describes, hex; "" when undefined (unmerged entries)
  bool clean = false;            // nothing modified, deleted, unmerged or untracked
  uint64_t tracked = 0;          // files and symlinks kept that the index tracks
  uint64_t modified = 0;         // tracked paths the index does not vouch for (changed, racy, deleted, unmerged)
  uint64_t untracked = 0;        // files and symlinks kept that no index tracks
  uint64_t ignored_tracked = 0;  // tracked entries kept although an ignore pattern matches them
  std::string conversion;        // digest of the checkout-conversion inputs, hex; "" when not known
  friend bool operator==(const GitSummary&, const GitSummary&) = default;
};

/// One scanned tree. `files` and the other lists are sorted bytewise by path and hold unique paths.
struct Manifest {
  std::vector<const FileEntry*> files;
  std::vector<SymlinkEntry> symlinks;
  std::vector<SkippedEntry> skipped;
  std::vector<ErrorEntry> errors;
  uint64_t total_bytes = 0;
  std::optional<ShardSpec> shard;  // set for one shard of a sharded scan
  std::optional<GitSummary> git;   // set when the scan read a git work tree
  /// Owns the entries `files` points at.
  FileTable table;
};

}  // namespace treeprint
