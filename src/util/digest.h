#pragma once
// A SHA-256 digest: 32 raw bytes. The bottom layer's type, so that hashing knows nothing of the manifest.

#include <array>

namespace treeprint {

using Digest = std::array<unsigned char, 32>;

}  // namespace treeprint
