#pragma once
// The manifest's data model: what one scanned tree is made of. Plain data, no I/O.
//
// Paths are raw bytes relative to the scanned root, '/'-separated, never starting with '/' and without '.' or '..'
// segments. They need not be UTF-8: the JSON writer encodes names that are not (docs/manifest.md).

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "manifest/file_table.h"
#include "util/digest.h"

namespace treeprint {

struct FileEntry {
  std::string_view path;  // bytes owned by a FileTable (see Manifest::table)
  uint64_t size = 0;
  int64_t mtime_ns = 0;  // nanoseconds since the Unix epoch, may be negative
  bool executable = false;
  Digest sha256{};
  // Where the scan found the file on this machine, for the next incremental scan's stat cache (scan/stat_cache.h).
  // Not part of the manifest: written to its binary sidecar, zero when read back from JSON.
  uint64_t ino = 0;
  int64_t ctime_ns = 0;
};

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

/// One scanned tree. `files` and the other lists are sorted bytewise by path and hold unique paths.
struct Manifest {
  std::vector<const FileEntry*> files;
  std::vector<SymlinkEntry> symlinks;
  std::vector<SkippedEntry> skipped;
  std::vector<ErrorEntry> errors;
  uint64_t total_bytes = 0;
  std::optional<ShardSpec> shard;  // set for one shard of a sharded scan
  /// Owns the entries `files` points at.
  FileTable table;
};

}  // namespace treeprint
