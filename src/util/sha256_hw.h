#pragma once
// The SHA-256 compression function (FIPS 180-4, 6.2.2) on the CPU's own SHA-256 instructions, for one message or
// for two with their rounds interleaved:
// - x86-64 with the SHA extensions ("SHA-NI": sha256rnds2, sha256msg1, sha256msg2) and SSSE3/SSE4.1;
// - arm64 with the ARMv8 SHA-2 instructions (sha256h, sha256h2, sha256su0, sha256su1).
// Where a round instruction's latency is several times its throughput (measured on x86 with SHA-NI; on arm64 it
// depends on the core and is unmeasured here), one message's chain of rounds leaves the unit idle for most of each
// instruction, and a second, independent message fills it. Elsewhere available() is false.
//
// Only the functions in the .cc that carry a target attribute use these instructions, and they run only after the
// run-time check (CPUID on x86, the kernel's HWCAP_SHA2 bit on arm64), so the rest of the binary stays baseline
// x86-64 or ARMv8.0. This unit needs no OpenSSL: streaming, padding and the fallback live in util/sha256_x2.h.

#include <array>
#include <cstddef>
#include <cstdint>

namespace treeprint::sha256_hw {

/// True when this CPU runs the instructions this build uses: on x86, the SHA extensions with SSSE3 and SSE4.1
/// (CPUID leaf 7 EBX bit 29, leaf 1 ECX bits 9 and 19); on arm64, the SHA-256 instructions (HWCAP_SHA2 in the
/// auxiliary vector). Checked once per process; always false on builds for other architectures.
bool available();

/// The instructions this build uses when available(): "SHA-NI", "ARMv8 SHA-2", or "none" on other architectures.
const char* instruction_set();

/// SHA-256 state words H0..H7 in their usual order.
using State = std::array<uint32_t, 8>;

/// The initial state (FIPS 180-4, 5.3.3).
State initial_state();

/// Compresses `blocks` 64-byte blocks at `data` (any alignment) into `state`. Only when available().
void compress(State& state, const unsigned char* data, size_t blocks);

/// Compresses `blocks` blocks of `a` into `state_a` and as many of `b` into `state_b`, the two messages' rounds
/// interleaved. Same result as two compress() calls. The states must be distinct objects. Only when available().
void compress_x2(State& state_a, const unsigned char* a, State& state_b, const unsigned char* b, size_t blocks);

}  // namespace treeprint::sha256_hw
