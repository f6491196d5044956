#pragma once
// Joining the manifests of a sharded scan (`scan --shard I/N` on each job of a CI matrix) into the manifest of the
// whole tree. Every part must be a shard of the same count, written by the same version, each index exactly once,
// and every entry must belong to the shard its part claims (parts of different scans must not mix).

#include <string>
#include <vector>

#include "manifest/entry.h"
#include "manifest/reader.h"
#include "util/result.h"

namespace treeprint {

/// One part as read back: `name` (its path) names it in messages.
struct ShardPart {
  std::string name;
  Manifest manifest;
  ManifestHeader header;
};

struct MergedManifest {
  Manifest manifest;
  std::string tool_version;  // the version every part was written by
  uint32_t shard_count = 0;
};

/// Merges `parts` (their entries are moved out). Fails with a message naming the part and what is wrong.
Result<MergedManifest> merge_shards(std::vector<ShardPart> parts);

}  // namespace treeprint
