#pragma once
// SHA-256 of two independent messages at once. Where the CPU has SHA-256 instructions (util/sha256_hw.h: SHA-NI on
// x86-64, the ARMv8 SHA-2 instructions on arm64) the rounds of the two messages are interleaved: one message's
// chain of round instructions leaves the unit idle for most of each instruction's latency, and the other message
// fills it. Elsewhere every call goes through OpenSSL (util/sha256.h).

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "util/digest.h"
#include "util/sha256.h"
#include "util/sha256_hw.h"

namespace treeprint {

/// Two independent streaming SHA-256 digests, "lanes" 0 and 1, each with its own partial-block buffer.
///
/// Contract:
/// - A lane starts empty (after construction, reset(lane) or finish(lane)); update() and update_both() append
///   bytes to it; finish() returns the digest of everything appended since and leaves the lane empty again.
/// - The two lanes never affect each other: any interleaving of calls gives each lane the digest of its own bytes.
///   update_both(a, n_a, b, n_b) is update(0, a, n_a) followed by update(1, b, n_b), only faster: it compresses as
///   many whole blocks as both lanes have at once in pairs and the rest of the longer one alone. So a caller gains
///   by feeding both lanes equal amounts: two small files (update_both, then finish_both), or chunks of two large
///   files in turn; the file left over when the other ends goes on alone with update(lane) and finish(lane).
/// - Buffers may have any alignment and may overlap (they are only read); size 0 is allowed with any pointer.
/// - `lane` must be 0 or 1; anything else aborts (a programming error).
/// - One object per thread: it is not safe to call from two threads at once. It is neither copied nor moved.
class Sha256Pair {
 public:
  enum class Engine {
    best,     ///< the CPU's SHA-256 instructions when sha256_hw::available(), else OpenSSL
    openssl,  ///< always OpenSSL, one lane after the other (the fallback, forced)
  };

  explicit Sha256Pair(Engine engine = Engine::best);
  Sha256Pair(const Sha256Pair&) = delete;
  Sha256Pair& operator=(const Sha256Pair&) = delete;

  /// Whether this object hashes with the CPU's SHA-256 instructions (two-way, sha256_hw) or through OpenSSL.
  bool uses_sha_instructions() const { return !m_openssl[0].has_value(); }

  void reset(size_t lane);
  void update(size_t lane, const void* data, size_t size);
  void update_both(const void* data_a, size_t size_a, const void* data_b, size_t size_b);
  Digest finish(size_t lane);
  /// finish(0) and finish(1), with the two lanes' final blocks compressed together.
  std::array<Digest, 2> finish_both();

 private:
  struct Lane {
    sha256_hw::State state;
    uint64_t length;  // bytes appended since the lane was last empty
    size_t buffered;  // bytes of `buffer` in use, always < 64 between calls
    unsigned char buffer[64];
  };

  static void reset_lane(Lane& lane);
  // Appends up to a block's worth to the lane's buffer; returns the bytes taken. `full` tells whether the buffer
  // now holds a whole block, which the caller must compress before anything else.
  static size_t top_up(Lane& lane, const unsigned char* data, size_t size, bool* full);
  // Pads the lane's message into `out` (one or two blocks); returns the number of blocks.
  static size_t pad(const Lane& lane, unsigned char (&out)[128]);
  static Digest digest_of(const Lane& lane);
  // Compresses `blocks_a` blocks of `a` into lane 0 and `blocks_b` of `b` into lane 1, paired as far as they go.
  void compress_blocks(const unsigned char* a, size_t blocks_a, const unsigned char* b, size_t blocks_b);

  Lane m_lanes[2];
  std::optional<Sha256> m_openssl[2];  // engaged only with the OpenSSL engine
};

}  // namespace treeprint
