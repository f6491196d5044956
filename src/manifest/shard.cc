#include "manifest/shard.h"

namespace treeprint {

uint32_t shard_of(std::string_view path, uint32_t count) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (const char c : path) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ull;
  }
  return static_cast<uint32_t>(h % count) + 1;
}

}  // namespace treeprint
