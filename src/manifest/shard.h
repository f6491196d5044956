#pragma once
// Sharding a scan across a CI matrix (`scan --shard I/N`): which shard a path belongs to. Part of the manifest's
// format (a shard manifest records its index and count; `merge` checks every entry belongs to its part).

#include <cstdint>
#include <string_view>

namespace treeprint {

/// The shard (1..count) a path belongs to: FNV-1a (64-bit) of the raw path bytes, modulo count, plus one. Part of
/// the manifest's contract: shards written by different versions must still merge.
uint32_t shard_of(std::string_view path, uint32_t count);

/// `--shard I/N` as the walker applies it; a default ShardFilter keeps everything.
struct ShardFilter {
  uint32_t index = 0;  // 1-based
  uint32_t count = 0;
  bool active() const { return count > 1; }
  bool keeps(std::string_view path) const { return !active() || shard_of(path, count) == index; }
};

}  // namespace treeprint
