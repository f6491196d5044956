#pragma once
// Reads one named file out of a zip archive held in memory (an artifact downloaded from GitHub), with minizip.
//
// The archive comes from the network, so it is treated as hostile: an archive that holds an unsafe name (absolute,
// a `..` component, a backslash, a drive letter: "zip slip") is refused as a whole, and the file is read only if its
// size and compression ratio are sane. The size limit is enforced on the bytes actually inflated, not on the size the
// archive declares, so a lying header cannot get past it either. Nothing is written to disk.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "util/result.h"

namespace treeprint {

struct ZipLimits {
  /// Largest uncompressed size of the file read.
  uint64_t max_size = 64ull << 20;
  /// Largest uncompressed/compressed ratio accepted for a file bigger than `ratio_floor` (deflate on real manifests
  /// gives about 3 to 10).
  uint64_t max_ratio = 200;
  uint64_t ratio_floor = 1ull << 20;
  /// Most entries the archive may hold.
  uint64_t max_entries = 10'000;
};

/// Whether `name` is a safe relative name inside an archive.
bool is_safe_zip_name(std::string_view name);

/// The content of `name` in the zip archive `archive`.
Result<std::string> read_zip_entry(std::string_view archive, std::string_view name, const ZipLimits& limits = {});
/// The same handed to `sink` a piece at a time as it is inflated, so that it need not be held whole. The limits are
/// checked before each piece is handed on; on a failure the sink may have had some pieces (the first failure of the
/// sink's is the result).
Status read_zip_entry_to(std::string_view archive, std::string_view name, const ZipLimits& limits,
                         const std::function<Status(std::string_view)>& sink);

}  // namespace treeprint
