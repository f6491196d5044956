#include "util/sha256_hw.h"

#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "test_support.h"

namespace treeprint {
namespace {

using testing::Placed;
using testing::random_bytes;

void skip_without_instructions() {
  if (!sha256_hw::available()) {
    GTEST_SKIP() << "this CPU lacks the " << sha256_hw::instruction_set() << " instructions";
  }
}

// The line of /proc/cpuinfo that lists the CPU's features ("flags" on x86, "Features" on arm64), with a space at
// each end; empty when there is none (another architecture, or an emulator that shows the host's).
std::string kernel_feature_line() {
#if defined(__x86_64__) || defined(__i386__)
  const std::string key = "flags";
#elif defined(__aarch64__)
  const std::string key = "Features";
#else
  const std::string key;
#endif
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (!key.empty() && std::getline(in, line)) {
    if (line.rfind(key, 0) == 0) {
      const size_t colon = line.find(':');
      return colon == std::string::npos ? std::string() : " " + line.substr(colon + 1) + " ";
    }
  }
  return {};
}

// The kernel's view of the CPU as the judge of our CPUID / HWCAP check.
TEST(Sha256Hw, DetectionAgreesWithTheKernelsCpuFeatures) {
  const std::string features = kernel_feature_line();
  if (features.empty()) {
    GTEST_SKIP() << "/proc/cpuinfo lists no features of this build's architecture";
  }
#if defined(__aarch64__)
  const bool kernel_says = features.find(" sha2 ") != std::string::npos;
#else
  const bool kernel_says = features.find(" sha_ni ") != std::string::npos &&
                           features.find(" sse4_1 ") != std::string::npos &&
                           features.find(" ssse3 ") != std::string::npos;
#endif
  EXPECT_EQ(sha256_hw::available(), kernel_says) << features;
}

// FIPS 180-4's one-block example ("abc", B.1), padded by hand: the compressor alone, without OpenSSL or Sha256Pair,
// must give the published final state.
TEST(Sha256Hw, OneBlockOfAbcGivesTheStandardsState) {
  skip_without_instructions();
  unsigned char block[64] = {'a', 'b', 'c', 0x80};
  block[63] = 24;  // the length in bits, big-endian
  const sha256_hw::State want = {0xba7816bf, 0x8f01cfea, 0x414140de, 0x5dae2223,
                                 0xb00361a3, 0x96177a9c, 0xb410ff61, 0xf20015ad};
  sha256_hw::State single = sha256_hw::initial_state();
  sha256_hw::compress(single, block, 1);
  EXPECT_EQ(single, want);
  sha256_hw::State a = sha256_hw::initial_state();
  sha256_hw::State b = sha256_hw::initial_state();
  sha256_hw::compress_x2(a, block, b, block, 1);
  EXPECT_EQ(a, want);
  EXPECT_EQ(b, want);
}

// The two-lane compressor against two single-lane runs, from unrelated states, so that mixing up the lanes, their
// states or their blocks shows.
TEST(Sha256Hw, TwoLaneCompressorEqualsTwoSingleLaneRuns) {
  skip_without_instructions();
  std::mt19937_64 rng(11);
  for (size_t blocks = 1; blocks <= 9; ++blocks) {
    const Placed pa(random_bytes(blocks * 64, 20 + blocks), blocks % 16);
    const Placed pb(random_bytes(blocks * 64, 40 + blocks), (blocks * 5) % 16);
    sha256_hw::State sa{};
    sha256_hw::State sb{};
    for (auto& w : sa) {
      w = static_cast<uint32_t>(rng());
    }
    for (auto& w : sb) {
      w = static_cast<uint32_t>(rng());
    }
    sha256_hw::State want_a = sa;
    sha256_hw::State want_b = sb;
    sha256_hw::compress(want_a, pa.data(), blocks);
    sha256_hw::compress(want_b, pb.data(), blocks);
    sha256_hw::compress_x2(sa, pa.data(), sb, pb.data(), blocks);
    EXPECT_EQ(sa, want_a) << blocks << " blocks";
    EXPECT_EQ(sb, want_b) << blocks << " blocks";
    EXPECT_NE(sa, sb);
  }
}

TEST(Sha256Hw, ZeroBlocksLeaveTheStateAsItWas) {
  skip_without_instructions();
  sha256_hw::State a = sha256_hw::initial_state();
  sha256_hw::State b = {1, 2, 3, 4, 5, 6, 7, 8};
  sha256_hw::compress(a, nullptr, 0);
  sha256_hw::compress_x2(a, nullptr, b, nullptr, 0);
  EXPECT_EQ(a, sha256_hw::initial_state());
  EXPECT_EQ(b, (sha256_hw::State{1, 2, 3, 4, 5, 6, 7, 8}));
}

}  // namespace
}  // namespace treeprint
