#pragma once
// The stat cache behind incremental re-scans (`scan --baseline`): digests from an earlier scan are reused for files
// whose stat data is unchanged, the way git's index avoids re-reading files.
//
// A file's digest is reused when its size, mtime (ns), inode and ctime (ns) all equal what the earlier scan saw, and
// its ctime is older than that scan's start minus the racy margin (a file changed within the same clock tick as it
// was hashed could otherwise keep stale stat data). Anything else is hashed again.
//
// The manifest carries size and mtime; inode and ctime mean nothing on another machine, so they live in a sidecar
// next to it, MANIFEST.stat, written by `scan --baseline` (docs/manifest.md, "Incremental scans"). The sidecar is
// bound to its manifest by the root digest and to the filesystem by the root's device number; a sidecar that does
// not match is refused (the caller warns) and every file is hashed.
//
// This stage reads no JSON: the caller reads the earlier manifest and hands it over with the sidecar's bytes.

#include <sys/stat.h>
#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "manifest/entry.h"
#include "util/result.h"

namespace treeprint {

/// What the sidecar keeps per file, in manifest order.
struct FileStat {
  uint64_t ino = 0;
  int64_t ctime_ns = 0;
};

/// The whole-scan facts the sidecar keeps.
struct StatHeader {
  uint64_t root_dev = 0;
  int64_t racy_after_ns = 0;  // the scan's racy threshold: files changed at or after this were not trusted
};

class StatCache {
 public:
  /// A cache over `manifest` (read back from JSON; `root` its root digest) and its sidecar's bytes. Fails, saying
  /// why, when the sidecar is damaged or belongs to another manifest.
  static Result<std::unique_ptr<StatCache>> from(Manifest manifest, const Digest& root, std::string_view sidecar);

  /// The earlier entry for `path` when `st` (an lstat of it now) shows the file unchanged since it was hashed.
  const FileEntry* reusable(std::string_view path, const struct stat& st) const;

  uint64_t root_dev() const { return m_header.root_dev; }
  /// The earlier manifest the cache was made from.
  const Manifest& manifest() const { return m_manifest; }
  size_t size() const { return m_manifest.files.size(); }

 private:
  StatCache() = default;
  Manifest m_manifest;
  std::vector<FileStat> m_stats;
  StatHeader m_header;
  std::unordered_map<std::string_view, uint32_t> m_index;
};

/// The sidecar's path for a manifest path.
std::string stat_file_path(const std::string& manifest_path);

/// The sidecar's bytes for `manifest` (with root digest `root`): each file's inode and ctime, in its order.
std::string encode_stat_file(const Digest& root, const StatHeader& header, const Manifest& manifest);

}  // namespace treeprint
