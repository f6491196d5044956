#pragma once
// Incremental re-scans: digests from an earlier scan are reused for files whose stat data is unchanged, the way
// git's index avoids re-reading files.
//
// A file's digest is reused when its size, mtime (ns), inode and ctime (ns) all equal what the earlier scan saw, and
// its ctime is older than that scan's start minus the racy margin (a file changed within the same clock tick as it
// was hashed could otherwise keep stale stat data). Anything else is hashed again.
//
// The manifest carries size and mtime; inode and ctime mean nothing on another machine, so they live in a sidecar
// next to it, MANIFEST.stat, written by `scan --baseline` (docs/manifest.md, "Incremental scans"). The sidecar is
// bound to its manifest by the root digest and to the filesystem by the root's device number; a sidecar that does
// not match is ignored (with a warning) and every file is hashed.

#include <sys/stat.h>
#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "manifest/entry.h"

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

class Baseline {
 public:
  /// Loads MANIFEST and MANIFEST.stat. Returns null when there is nothing to reuse, with `note` saying why (a missing
  /// manifest is the first run of an incremental chain, not a problem; `warning` is set for a damaged one).
  static std::unique_ptr<Baseline> load(const std::string& manifest_path, std::string* note, bool* warning);

  /// The earlier entry for `path` when `st` (an lstat of it now) shows the file unchanged since it was hashed.
  const FileEntry* reusable(std::string_view path, const struct stat& st) const;

  uint64_t root_dev() const { return m_header.root_dev; }
  size_t size() const { return m_manifest.files.size(); }

 private:
  Manifest m_manifest;
  std::vector<FileStat> m_stats;
  StatHeader m_header;
  std::unordered_map<std::string_view, uint32_t> m_index;
};

inline int64_t ctime_ns(const struct stat& st) {
  return static_cast<int64_t>(st.st_ctim.tv_sec) * 1'000'000'000 + st.st_ctim.tv_nsec;
}

/// The sidecar's path for a manifest path.
std::string stat_file_path(const std::string& manifest_path);

/// The sidecar's bytes for a manifest with root digest `root` and `stats` in its file order.
std::string encode_stat_file(const Digest& root, const StatHeader& header, const std::vector<FileStat>& stats);

}  // namespace treeprint
