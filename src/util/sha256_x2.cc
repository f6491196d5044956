#include "util/sha256_x2.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#define TREEPRINT_SHA_X86 1
#include <cpuid.h>
#include <immintrin.h>
#else
#define TREEPRINT_SHA_X86 0
#endif

namespace treeprint {

namespace {

// FIPS 180-4, 4.2.2: the first 32 bits of the fractional parts of the cube roots of the first 64 primes.
alignas(16) constexpr uint32_t k_round[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

// FIPS 180-4, 5.3.3: the first 32 bits of the fractional parts of the square roots of the first 8 primes.
constexpr sha256_ni::State k_initial = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                        0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

constexpr size_t k_block = 64;

#if TREEPRINT_SHA_X86

// Everything that uses SHA-NI or SSE4.1 carries this attribute; the helpers are forced inline into the two
// compressors, so no SHA instruction sits in a function that can run before the CPUID check.
#define TREEPRINT_SHA_TARGET __attribute__((target("sha,sse4.1")))
#define TREEPRINT_SHA_INLINE TREEPRINT_SHA_TARGET __attribute__((always_inline)) inline

bool cpu_has_sha_ni() {
  unsigned eax = 0;
  unsigned ebx = 0;
  unsigned ecx = 0;
  unsigned edx = 0;
  if (__get_cpuid(1, &eax, &ebx, &ecx, &edx) == 0) {
    return false;
  }
  const bool ssse3 = (ecx & (1U << 9)) != 0;
  const bool sse41 = (ecx & (1U << 19)) != 0;
  if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) == 0) {
    return false;
  }
  const bool sha = (ebx & (1U << 29)) != 0;
  return ssse3 && sse41 && sha;
}

// The round instruction keeps the eight working variables in two registers: "ABEF" holds A, B, E, F in lanes
// 3, 2, 1, 0 and "CDGH" holds C, D, G, H the same way. sha256rnds2(cdgh, abef, wk) runs two rounds with the
// words+constants in wk's lanes 0 and 1 and returns the new ABEF; after two rounds the old A, B, E, F are the new
// C, D, G, H, so the old ABEF register is the new CDGH.

TREEPRINT_SHA_INLINE void load_state(const sha256_ni::State& s, __m128i* abef, __m128i* cdgh) {
  const __m128i abcd = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data()));      // lanes a b c d
  const __m128i efgh = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + 4));  // lanes e f g h
  const __m128i badc = _mm_shuffle_epi32(abcd, 0xB1);  // swap the words of each 64-bit half
  const __m128i fehg = _mm_shuffle_epi32(efgh, 0xB1);
  *abef = _mm_unpacklo_epi64(fehg, badc);  // lanes f e b a
  *cdgh = _mm_unpackhi_epi64(fehg, badc);  // lanes h g d c
}

TREEPRINT_SHA_INLINE void store_state(sha256_ni::State& s, __m128i abef, __m128i cdgh) {
  const __m128i badc = _mm_unpackhi_epi64(abef, cdgh);
  const __m128i fehg = _mm_unpacklo_epi64(abef, cdgh);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(s.data()), _mm_shuffle_epi32(badc, 0xB1));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(s.data() + 4), _mm_shuffle_epi32(fehg, 0xB1));
}

// Message words are big-endian: reverse the bytes of each 32-bit lane.
TREEPRINT_SHA_INLINE __m128i byte_swap_mask() {
  return _mm_set_epi8(12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3);
}

TREEPRINT_SHA_INLINE __m128i load_words(const unsigned char* p, __m128i swap) {
  return _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)), swap);
}

TREEPRINT_SHA_INLINE __m128i words_plus_constants(__m128i w, int group) {
  return _mm_add_epi32(w, _mm_load_si128(reinterpret_cast<const __m128i*>(&k_round[4 * group])));
}

// Rounds 4g .. 4g+3 given wk = W[4g..4g+3] + K[4g..4g+3] (lanes 0..3). After the first instruction the variable
// named cdgh holds ABEF and vice versa; the second swaps them back.
TREEPRINT_SHA_INLINE void four_rounds(__m128i& abef, __m128i& cdgh, __m128i wk) {
  cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);
  abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(wk, 0x0E));  // lanes 2, 3 moved to 0, 1
}

// W[t..t+3] from m0 = W[t-16..t-13], m1 = W[t-12..t-9], m2 = W[t-8..t-5], m3 = W[t-4..t-1]:
// W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16]. sha256msg1 adds the s0 terms to W[t-16..t-13], the add
// brings in W[t-7..t-4] (the top three words of m2 and the bottom one of m3), and sha256msg2 adds the s1 terms,
// the last two of which depend on the words it is computing.
TREEPRINT_SHA_INLINE __m128i next_words(__m128i m0, __m128i m1, __m128i m2, __m128i m3) {
  const __m128i partial = _mm_add_epi32(_mm_sha256msg1_epu32(m0, m1), _mm_alignr_epi8(m3, m2, 4));
  return _mm_sha256msg2_epu32(partial, m3);
}

TREEPRINT_SHA_TARGET void compress_one(sha256_ni::State& state, const unsigned char* data, size_t blocks) {
  const __m128i swap = byte_swap_mask();
  __m128i abef;
  __m128i cdgh;
  load_state(state, &abef, &cdgh);
  for (; blocks > 0; --blocks, data += k_block) {
    const __m128i abef_in = abef;
    const __m128i cdgh_in = cdgh;
    __m128i m0 = load_words(data, swap);
    __m128i m1 = load_words(data + 16, swap);
    __m128i m2 = load_words(data + 32, swap);
    __m128i m3 = load_words(data + 48, swap);
#pragma GCC unroll 16
    for (int g = 0; g < 16; ++g) {
      four_rounds(abef, cdgh, words_plus_constants(m0, g));
      const __m128i next = g < 12 ? next_words(m0, m1, m2, m3) : m0;
      m0 = m1;
      m1 = m2;
      m2 = m3;
      m3 = next;
    }
    abef = _mm_add_epi32(abef, abef_in);
    cdgh = _mm_add_epi32(cdgh, cdgh_in);
  }
  store_state(state, abef, cdgh);
}

// The same per lane; the two lanes share nothing but the instruction stream, so the core overlaps one lane's
// rounds with the other's.
TREEPRINT_SHA_TARGET void compress_two(sha256_ni::State& state_a, const unsigned char* a, sha256_ni::State& state_b,
                                       const unsigned char* b, size_t blocks) {
  const __m128i swap = byte_swap_mask();
  __m128i abef_a;
  __m128i cdgh_a;
  __m128i abef_b;
  __m128i cdgh_b;
  load_state(state_a, &abef_a, &cdgh_a);
  load_state(state_b, &abef_b, &cdgh_b);
  for (; blocks > 0; --blocks, a += k_block, b += k_block) {
    const __m128i abef_a_in = abef_a;
    const __m128i cdgh_a_in = cdgh_a;
    const __m128i abef_b_in = abef_b;
    const __m128i cdgh_b_in = cdgh_b;
    __m128i a0 = load_words(a, swap);
    __m128i b0 = load_words(b, swap);
    __m128i a1 = load_words(a + 16, swap);
    __m128i b1 = load_words(b + 16, swap);
    __m128i a2 = load_words(a + 32, swap);
    __m128i b2 = load_words(b + 32, swap);
    __m128i a3 = load_words(a + 48, swap);
    __m128i b3 = load_words(b + 48, swap);
#pragma GCC unroll 16
    for (int g = 0; g < 16; ++g) {
      const __m128i wk_a = words_plus_constants(a0, g);
      const __m128i wk_b = words_plus_constants(b0, g);
      cdgh_a = _mm_sha256rnds2_epu32(cdgh_a, abef_a, wk_a);
      cdgh_b = _mm_sha256rnds2_epu32(cdgh_b, abef_b, wk_b);
      abef_a = _mm_sha256rnds2_epu32(abef_a, cdgh_a, _mm_shuffle_epi32(wk_a, 0x0E));
      abef_b = _mm_sha256rnds2_epu32(abef_b, cdgh_b, _mm_shuffle_epi32(wk_b, 0x0E));
      const __m128i next_a = g < 12 ? next_words(a0, a1, a2, a3) : a0;
      const __m128i next_b = g < 12 ? next_words(b0, b1, b2, b3) : b0;
      a0 = a1;
      a1 = a2;
      a2 = a3;
      a3 = next_a;
      b0 = b1;
      b1 = b2;
      b2 = b3;
      b3 = next_b;
    }
    abef_a = _mm_add_epi32(abef_a, abef_a_in);
    cdgh_a = _mm_add_epi32(cdgh_a, cdgh_a_in);
    abef_b = _mm_add_epi32(abef_b, abef_b_in);
    cdgh_b = _mm_add_epi32(cdgh_b, cdgh_b_in);
  }
  store_state(state_a, abef_a, cdgh_a);
  store_state(state_b, abef_b, cdgh_b);
}

#endif  // TREEPRINT_SHA_X86

void check_lane(size_t lane) {
  if (lane > 1) {
    std::abort();
  }
}

void put_be32(unsigned char* out, uint32_t v) {
  out[0] = static_cast<unsigned char>(v >> 24);
  out[1] = static_cast<unsigned char>(v >> 16);
  out[2] = static_cast<unsigned char>(v >> 8);
  out[3] = static_cast<unsigned char>(v);
}

}  // namespace

namespace sha256_ni {

bool available() {
#if TREEPRINT_SHA_X86
  static const bool k_available = cpu_has_sha_ni();
  return k_available;
#else
  return false;
#endif
}

State initial_state() { return k_initial; }

void compress(State& state, const unsigned char* data, size_t blocks) {
#if TREEPRINT_SHA_X86
  if (blocks != 0) {
    compress_one(state, data, blocks);
  }
#else
  (void)state;
  (void)data;
  (void)blocks;
  std::abort();
#endif
}

void compress_x2(State& state_a, const unsigned char* a, State& state_b, const unsigned char* b, size_t blocks) {
#if TREEPRINT_SHA_X86
  if (blocks != 0) {
    compress_two(state_a, a, state_b, b, blocks);
  }
#else
  (void)state_a;
  (void)a;
  (void)state_b;
  (void)b;
  (void)blocks;
  std::abort();
#endif
}

}  // namespace sha256_ni

Sha256Pair::Sha256Pair(Engine engine) {
  if (engine == Engine::openssl || !sha256_ni::available()) {
    m_openssl[0].emplace();
    m_openssl[1].emplace();
  }
  reset_lane(m_lanes[0]);
  reset_lane(m_lanes[1]);
}

void Sha256Pair::reset_lane(Lane& lane) {
  lane.state = k_initial;
  lane.length = 0;
  lane.buffered = 0;
}

void Sha256Pair::reset(size_t lane) {
  check_lane(lane);
  if (m_openssl[lane]) {
    m_openssl[lane]->reset();
    return;
  }
  reset_lane(m_lanes[lane]);
}

size_t Sha256Pair::top_up(Lane& lane, const unsigned char* data, size_t size, bool* full) {
  const size_t take = std::min(size, k_block - lane.buffered);
  if (take != 0) {
    std::memcpy(lane.buffer + lane.buffered, data, take);
    lane.buffered += take;
  }
  *full = lane.buffered == k_block;
  return take;
}

void Sha256Pair::compress_blocks(const unsigned char* a, size_t blocks_a, const unsigned char* b, size_t blocks_b) {
  const size_t paired = std::min(blocks_a, blocks_b);
  if (paired != 0) {
    sha256_ni::compress_x2(m_lanes[0].state, a, m_lanes[1].state, b, paired);
  }
  if (blocks_a > paired) {
    sha256_ni::compress(m_lanes[0].state, a + paired * k_block, blocks_a - paired);
  }
  if (blocks_b > paired) {
    sha256_ni::compress(m_lanes[1].state, b + paired * k_block, blocks_b - paired);
  }
}

void Sha256Pair::update(size_t lane, const void* data, size_t size) {
  check_lane(lane);
  if (m_openssl[lane]) {
    m_openssl[lane]->update(data, size);
    return;
  }
  if (size == 0) {
    return;
  }
  Lane& l = m_lanes[lane];
  const auto* p = static_cast<const unsigned char*>(data);
  l.length += size;
  if (l.buffered != 0) {
    bool full = false;
    const size_t taken = top_up(l, p, size, &full);
    p += taken;
    size -= taken;
    if (!full) {
      return;
    }
    sha256_ni::compress(l.state, l.buffer, 1);
    l.buffered = 0;
  }
  const size_t blocks = size / k_block;
  sha256_ni::compress(l.state, p, blocks);
  p += blocks * k_block;
  size -= blocks * k_block;
  if (size != 0) {
    std::memcpy(l.buffer, p, size);
    l.buffered = size;
  }
}

void Sha256Pair::update_both(const void* data_a, size_t size_a, const void* data_b, size_t size_b) {
  if (m_openssl[0]) {
    m_openssl[0]->update(data_a, size_a);
    m_openssl[1]->update(data_b, size_b);
    return;
  }
  if (size_a == 0 || size_b == 0) {
    update(0, data_a, size_a);
    update(1, data_b, size_b);
    return;
  }
  Lane& la = m_lanes[0];
  Lane& lb = m_lanes[1];
  const auto* pa = static_cast<const unsigned char*>(data_a);
  const auto* pb = static_cast<const unsigned char*>(data_b);
  la.length += size_a;
  lb.length += size_b;

  // A lane with a partial block first completes it from its own data; if it has too little, all of it is taken.
  bool full_a = false;
  bool full_b = false;
  if (la.buffered != 0) {
    const size_t taken = top_up(la, pa, size_a, &full_a);
    pa += taken;
    size_a -= taken;
  }
  if (lb.buffered != 0) {
    const size_t taken = top_up(lb, pb, size_b, &full_b);
    pb += taken;
    size_b -= taken;
  }
  // A completed buffer is its lane's next block: compress it with the other lane's next block, from its buffer or
  // its data, so that the rest of both lanes' data is whole blocks in place.
  if (full_a || full_b) {
    const unsigned char* first_a = nullptr;
    const unsigned char* first_b = nullptr;
    if (full_a) {
      first_a = la.buffer;
    } else if (size_a >= k_block) {
      first_a = pa;
      pa += k_block;
      size_a -= k_block;
    }
    if (full_b) {
      first_b = lb.buffer;
    } else if (size_b >= k_block) {
      first_b = pb;
      pb += k_block;
      size_b -= k_block;
    }
    compress_blocks(first_a, first_a != nullptr ? 1 : 0, first_b, first_b != nullptr ? 1 : 0);
    if (full_a) {
      la.buffered = 0;
    }
    if (full_b) {
      lb.buffered = 0;
    }
  }
  const size_t blocks_a = size_a / k_block;
  const size_t blocks_b = size_b / k_block;
  compress_blocks(pa, blocks_a, pb, blocks_b);
  pa += blocks_a * k_block;
  size_a -= blocks_a * k_block;
  pb += blocks_b * k_block;
  size_b -= blocks_b * k_block;
  // What is left is less than a block, and a lane with something left has an empty buffer (it had a partial block
  // only if all its data went into it).
  if (size_a != 0) {
    std::memcpy(la.buffer, pa, size_a);
    la.buffered = size_a;
  }
  if (size_b != 0) {
    std::memcpy(lb.buffer, pb, size_b);
    lb.buffered = size_b;
  }
}

size_t Sha256Pair::pad(const Lane& lane, unsigned char (&out)[128]) {
  // FIPS 180-4, 5.1.1: the message, a 1 bit, zeros up to 56 bytes mod 64, then the length in bits, big-endian.
  if (lane.buffered != 0) {
    std::memcpy(out, lane.buffer, lane.buffered);
  }
  const size_t blocks = lane.buffered < k_block - 8 ? 1 : 2;
  const size_t end = blocks * k_block;
  out[lane.buffered] = 0x80;
  std::memset(out + lane.buffered + 1, 0, end - 8 - lane.buffered - 1);
  const uint64_t bits = lane.length * 8;
  put_be32(out + end - 8, static_cast<uint32_t>(bits >> 32));
  put_be32(out + end - 4, static_cast<uint32_t>(bits));
  return blocks;
}

Digest Sha256Pair::digest_of(const Lane& lane) {
  Digest out{};
  for (size_t i = 0; i < 8; ++i) {
    put_be32(out.data() + 4 * i, lane.state[i]);
  }
  return out;
}

Digest Sha256Pair::finish(size_t lane) {
  check_lane(lane);
  if (m_openssl[lane]) {
    const Digest d = m_openssl[lane]->finish();
    m_openssl[lane]->reset();
    return d;
  }
  Lane& l = m_lanes[lane];
  unsigned char tail[128];
  sha256_ni::compress(l.state, tail, pad(l, tail));
  const Digest d = digest_of(l);
  reset_lane(l);
  return d;
}

std::array<Digest, 2> Sha256Pair::finish_both() {
  if (m_openssl[0]) {
    return {finish(0), finish(1)};
  }
  unsigned char tail_a[128];
  unsigned char tail_b[128];
  const size_t blocks_a = pad(m_lanes[0], tail_a);
  const size_t blocks_b = pad(m_lanes[1], tail_b);
  compress_blocks(tail_a, blocks_a, tail_b, blocks_b);
  const std::array<Digest, 2> out = {digest_of(m_lanes[0]), digest_of(m_lanes[1])};
  reset_lane(m_lanes[0]);
  reset_lane(m_lanes[1]);
  return out;
}

}  // namespace treeprint
