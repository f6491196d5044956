#include "util/sha256_hw.h"

#include <cstdlib>

#if defined(__x86_64__) || defined(__i386__)
#define TREEPRINT_SHA_X86 1
#include <cpuid.h>
#include <immintrin.h>
#else
#define TREEPRINT_SHA_X86 0
#endif

#if defined(__aarch64__)
#define TREEPRINT_SHA_ARM 1
#include <arm_neon.h>
#include <sys/auxv.h>
#else
#define TREEPRINT_SHA_ARM 0
#endif

namespace treeprint::sha256_hw {

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
constexpr State k_initial = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
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

TREEPRINT_SHA_INLINE void load_state(const State& s, __m128i* abef, __m128i* cdgh) {
  const __m128i abcd = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data()));      // lanes a b c d
  const __m128i efgh = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + 4));  // lanes e f g h
  const __m128i badc = _mm_shuffle_epi32(abcd, 0xB1);  // swap the words of each 64-bit half
  const __m128i fehg = _mm_shuffle_epi32(efgh, 0xB1);
  *abef = _mm_unpacklo_epi64(fehg, badc);  // lanes f e b a
  *cdgh = _mm_unpackhi_epi64(fehg, badc);  // lanes h g d c
}

TREEPRINT_SHA_INLINE void store_state(State& s, __m128i abef, __m128i cdgh) {
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

TREEPRINT_SHA_TARGET void compress_one(State& state, const unsigned char* data, size_t blocks) {
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
TREEPRINT_SHA_TARGET void compress_two(State& state_a, const unsigned char* a, State& state_b,
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

#if TREEPRINT_SHA_ARM

// Everything that uses the SHA-2 instructions carries this attribute ("crypto" is GCC's name for the ARMv8.0
// AES + SHA-1/SHA-2 extension, the one arm_neon.h declares the intrinsics under); the helpers are forced inline
// into the two compressors, so no SHA instruction sits in a function that can run before the HWCAP check.
#define TREEPRINT_SHA_TARGET __attribute__((target("+crypto")))
#define TREEPRINT_SHA_INLINE TREEPRINT_SHA_TARGET __attribute__((always_inline)) inline

bool cpu_has_sha2() { return (getauxval(AT_HWCAP) & HWCAP_SHA2) != 0; }

// The state lives in two registers in its natural order: "ABCD" holds A, B, C, D in lanes 0..3 and "EFGH" holds
// E, F, G, H. sha256h(abcd, efgh, wk) runs four rounds with the words+constants in wk's lanes 0..3 and returns the
// new ABCD; sha256h2(efgh, abcd, wk), given the ABCD from before those rounds, returns the new EFGH.

// Message words are big-endian: reverse the bytes of each 32-bit lane.
TREEPRINT_SHA_INLINE uint32x4_t load_words(const unsigned char* p) {
  return vreinterpretq_u32_u8(vrev32q_u8(vld1q_u8(p)));
}

TREEPRINT_SHA_INLINE uint32x4_t words_plus_constants(uint32x4_t w, int group) {
  return vaddq_u32(w, vld1q_u32(&k_round[4 * group]));
}

// Rounds 4g .. 4g+3 given wk = W[4g..4g+3] + K[4g..4g+3]. Both halves read the state from before the rounds.
TREEPRINT_SHA_INLINE void four_rounds(uint32x4_t& abcd, uint32x4_t& efgh, uint32x4_t wk) {
  const uint32x4_t abcd_in = abcd;
  abcd = vsha256hq_u32(abcd, efgh, wk);
  efgh = vsha256h2q_u32(efgh, abcd_in, wk);
}

// W[t..t+3] from m0 = W[t-16..t-13], m1 = W[t-12..t-9], m2 = W[t-8..t-5], m3 = W[t-4..t-1]:
// W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16]. sha256su0 adds the s0 terms (W[t-15..t-12], from m0 and
// m1) to m0; sha256su1 adds W[t-7..t-4] (from m2 and m3) and the s1 terms, the last two of which depend on the words
// it is computing.
TREEPRINT_SHA_INLINE uint32x4_t next_words(uint32x4_t m0, uint32x4_t m1, uint32x4_t m2, uint32x4_t m3) {
  return vsha256su1q_u32(vsha256su0q_u32(m0, m1), m2, m3);
}

TREEPRINT_SHA_TARGET void compress_one(State& state, const unsigned char* data, size_t blocks) {
  uint32x4_t abcd = vld1q_u32(state.data());
  uint32x4_t efgh = vld1q_u32(state.data() + 4);
  for (; blocks > 0; --blocks, data += k_block) {
    const uint32x4_t abcd_in = abcd;
    const uint32x4_t efgh_in = efgh;
    uint32x4_t m0 = load_words(data);
    uint32x4_t m1 = load_words(data + 16);
    uint32x4_t m2 = load_words(data + 32);
    uint32x4_t m3 = load_words(data + 48);
#pragma GCC unroll 16
    for (int g = 0; g < 16; ++g) {
      four_rounds(abcd, efgh, words_plus_constants(m0, g));
      const uint32x4_t next = g < 12 ? next_words(m0, m1, m2, m3) : m0;
      m0 = m1;
      m1 = m2;
      m2 = m3;
      m3 = next;
    }
    abcd = vaddq_u32(abcd, abcd_in);
    efgh = vaddq_u32(efgh, efgh_in);
  }
  vst1q_u32(state.data(), abcd);
  vst1q_u32(state.data() + 4, efgh);
}

// The same per lane, the two lanes' instructions alternating: they share nothing but the instruction stream.
TREEPRINT_SHA_TARGET void compress_two(State& state_a, const unsigned char* a, State& state_b, const unsigned char* b,
                                       size_t blocks) {
  uint32x4_t abcd_a = vld1q_u32(state_a.data());
  uint32x4_t efgh_a = vld1q_u32(state_a.data() + 4);
  uint32x4_t abcd_b = vld1q_u32(state_b.data());
  uint32x4_t efgh_b = vld1q_u32(state_b.data() + 4);
  for (; blocks > 0; --blocks, a += k_block, b += k_block) {
    const uint32x4_t abcd_a_in = abcd_a;
    const uint32x4_t efgh_a_in = efgh_a;
    const uint32x4_t abcd_b_in = abcd_b;
    const uint32x4_t efgh_b_in = efgh_b;
    uint32x4_t a0 = load_words(a);
    uint32x4_t b0 = load_words(b);
    uint32x4_t a1 = load_words(a + 16);
    uint32x4_t b1 = load_words(b + 16);
    uint32x4_t a2 = load_words(a + 32);
    uint32x4_t b2 = load_words(b + 32);
    uint32x4_t a3 = load_words(a + 48);
    uint32x4_t b3 = load_words(b + 48);
#pragma GCC unroll 16
    for (int g = 0; g < 16; ++g) {
      const uint32x4_t wk_a = words_plus_constants(a0, g);
      const uint32x4_t wk_b = words_plus_constants(b0, g);
      const uint32x4_t abcd_a_before = abcd_a;
      const uint32x4_t abcd_b_before = abcd_b;
      abcd_a = vsha256hq_u32(abcd_a, efgh_a, wk_a);
      abcd_b = vsha256hq_u32(abcd_b, efgh_b, wk_b);
      efgh_a = vsha256h2q_u32(efgh_a, abcd_a_before, wk_a);
      efgh_b = vsha256h2q_u32(efgh_b, abcd_b_before, wk_b);
      const uint32x4_t next_a = g < 12 ? next_words(a0, a1, a2, a3) : a0;
      const uint32x4_t next_b = g < 12 ? next_words(b0, b1, b2, b3) : b0;
      a0 = a1;
      a1 = a2;
      a2 = a3;
      a3 = next_a;
      b0 = b1;
      b1 = b2;
      b2 = b3;
      b3 = next_b;
    }
    abcd_a = vaddq_u32(abcd_a, abcd_a_in);
    efgh_a = vaddq_u32(efgh_a, efgh_a_in);
    abcd_b = vaddq_u32(abcd_b, abcd_b_in);
    efgh_b = vaddq_u32(efgh_b, efgh_b_in);
  }
  vst1q_u32(state_a.data(), abcd_a);
  vst1q_u32(state_a.data() + 4, efgh_a);
  vst1q_u32(state_b.data(), abcd_b);
  vst1q_u32(state_b.data() + 4, efgh_b);
}

#endif  // TREEPRINT_SHA_ARM

}  // namespace

bool available() {
#if TREEPRINT_SHA_X86
  static const bool k_available = cpu_has_sha_ni();
  return k_available;
#elif TREEPRINT_SHA_ARM
  static const bool k_available = cpu_has_sha2();
  return k_available;
#else
  return false;
#endif
}

const char* instruction_set() {
#if TREEPRINT_SHA_X86
  return "SHA-NI";
#elif TREEPRINT_SHA_ARM
  return "ARMv8 SHA-2";
#else
  return "none";
#endif
}

State initial_state() { return k_initial; }

void compress(State& state, const unsigned char* data, size_t blocks) {
#if TREEPRINT_SHA_X86 || TREEPRINT_SHA_ARM
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
#if TREEPRINT_SHA_X86 || TREEPRINT_SHA_ARM
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

}  // namespace treeprint::sha256_hw
