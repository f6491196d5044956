#include "util/sha256_x2.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <memory>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "test_support.h"
#include "util/format.h"

namespace treeprint {
namespace {

// The reference: OpenSSL's one-shot EVP digest.
Digest reference(const unsigned char* data, size_t size) {
  Digest out{};
  unsigned int len = 0;
  if (EVP_Digest(data, size, out.data(), &len, EVP_sha256(), nullptr) != 1 || len != out.size()) {
    ADD_FAILURE() << "EVP_Digest failed";
  }
  return out;
}

using testing::Placed;
using testing::random_bytes;

enum class Path { sha_instructions, openssl };

void PrintTo(Path path, std::ostream* os) {
  *os << (path == Path::sha_instructions ? sha256_hw::instruction_set() : "OpenSSL");
}

std::string path_name(const ::testing::TestParamInfo<Path>& info) {
  return info.param == Path::sha_instructions ? "ShaInstructions" : "OpenSsl";
}

// Every test runs on both engines: the two-way code on the CPU's SHA-256 instructions (SHA-NI on x86-64, ARMv8
// SHA-2 on arm64), and the OpenSSL fallback forced. The first is skipped on a CPU without those instructions.
class Sha256PairTest : public ::testing::TestWithParam<Path> {
 protected:
  void SetUp() override {
    if (GetParam() == Path::sha_instructions && !sha256_hw::available()) {
      GTEST_SKIP() << "this CPU lacks the " << sha256_hw::instruction_set() << " instructions";
    }
  }
  Sha256Pair::Engine engine() const {
    return GetParam() == Path::sha_instructions ? Sha256Pair::Engine::best : Sha256Pair::Engine::openssl;
  }
  std::unique_ptr<Sha256Pair> make() const {
    auto p = std::make_unique<Sha256Pair>(engine());
    EXPECT_EQ(p->uses_sha_instructions(), GetParam() == Path::sha_instructions);
    return p;
  }
};

INSTANTIATE_TEST_SUITE_P(Engines, Sha256PairTest, ::testing::Values(Path::sha_instructions, Path::openssl), path_name);

struct Vector {
  std::string message;
  const char* hex;
};

std::vector<Vector> nist_vectors() {
  return {
      {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
      {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
      {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
       "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
      {std::string(1'000'000, 'a'), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
  };
}

TEST_P(Sha256PairTest, NistVectorsInEachLaneAloneAndPairedWithEveryOther) {
  auto pair = make();
  const auto vectors = nist_vectors();
  for (const auto& v : vectors) {
    for (size_t lane = 0; lane < 2; ++lane) {
      pair->update(lane, v.message.data(), v.message.size());
      EXPECT_EQ(to_hex(pair->finish(lane)), v.hex) << "lane " << lane << ", " << v.message.size() << " bytes";
    }
  }
  for (const auto& a : vectors) {
    for (const auto& b : vectors) {
      pair->update_both(a.message.data(), a.message.size(), b.message.data(), b.message.size());
      const auto d = pair->finish_both();
      EXPECT_EQ(to_hex(d[0]), a.hex) << a.message.size() << " bytes with " << b.message.size();
      EXPECT_EQ(to_hex(d[1]), b.hex) << b.message.size() << " bytes with " << a.message.size();
    }
  }
}

TEST_P(Sha256PairTest, EveryLengthTo4KiBInBothLanesMatchesOpenSsl) {
  const auto a = random_bytes(4096, 1);
  const auto b = random_bytes(4096, 2);
  auto pair = make();
  for (size_t n = 0; n <= 4096; ++n) {
    // Lane 0 takes n bytes and lane 1 4096 - n, then both take n: each lane sees every length, paired with a
    // longer, a shorter and an equal one; the copies end at their heap block's end, at every alignment mod 16.
    const Placed pa(a.data(), n, n % 16);
    const Placed pb(b.data() + n, 4096 - n, (n / 16) % 16);
    const Placed pb_same(b.data(), n, (n + 7) % 16);
    pair->update_both(pa.data(), pa.size(), pb.data(), pb.size());
    auto d = pair->finish_both();
    ASSERT_EQ(d[0], reference(pa.data(), pa.size())) << "lane 0, " << n << " bytes";
    ASSERT_EQ(d[1], reference(pb.data(), pb.size())) << "lane 1, " << 4096 - n << " bytes";
    pair->update_both(pb_same.data(), pb_same.size(), pa.data(), pa.size());
    d = {pair->finish(1), pair->finish(0)};
    ASSERT_EQ(d[0], reference(pa.data(), n)) << "lane 1, " << n << " bytes";
    ASSERT_EQ(d[1], reference(pb_same.data(), n)) << "lane 0, " << n << " bytes";
  }
}

TEST_P(Sha256PairTest, AllLengthPairsTo300MatchOpenSsl) {
  constexpr size_t k_max = 300;
  const auto a = random_bytes(k_max, 3);
  const auto b = random_bytes(k_max, 4);
  std::vector<Digest> want_a;
  std::vector<Digest> want_b;
  for (size_t n = 0; n <= k_max; ++n) {
    want_a.push_back(reference(a.data(), n));
    want_b.push_back(reference(b.data(), n));
  }
  auto pair = make();
  for (size_t na = 0; na <= k_max; ++na) {
    for (size_t nb = 0; nb <= k_max; ++nb) {
      const Placed ma(a.data(), na, (na + nb) % 16);
      const Placed mb(b.data(), nb, (3 * na + nb) % 16);
      pair->update_both(ma.data(), na, mb.data(), nb);
      const auto d = pair->finish_both();
      ASSERT_EQ(d[0], want_a[na]) << na << " and " << nb << " bytes, lane 0";
      ASSERT_EQ(d[1], want_b[nb]) << na << " and " << nb << " bytes, lane 1";
    }
  }
}

TEST_P(Sha256PairTest, RandomLengthPairsToAFewMiBMatchOpenSsl) {
  std::mt19937_64 rng(5);
  const auto source = random_bytes(4 << 20, 6);
  auto pair = make();
  for (int trial = 0; trial < 8; ++trial) {
    const size_t na = rng() % source.size();
    const size_t nb = trial == 0 ? na : rng() % source.size();
    const size_t from_a = rng() % (source.size() - na + 1);
    const size_t from_b = rng() % (source.size() - nb + 1);
    const Placed ma(source.data() + from_a, na, rng() % 16);
    const Placed mb(source.data() + from_b, nb, rng() % 16);
    pair->update_both(ma.data(), na, mb.data(), nb);
    const auto d = pair->finish_both();
    EXPECT_EQ(d[0], reference(ma.data(), na)) << na << " bytes with " << nb;
    EXPECT_EQ(d[1], reference(mb.data(), nb)) << nb << " bytes with " << na;
  }
}

// Random pieces fed through any mix of update_both, update and the lanes' own finish: each lane's digest is that
// of its own bytes, and an object is reused after finishing.
TEST_P(Sha256PairTest, StreamingAtRandomSplitPointsMatchesOpenSsl) {
  std::mt19937_64 rng(7);
  const auto source = random_bytes(1 << 20, 8);
  auto piece = [&](size_t left) -> size_t {
    if (left == 0) {
      return 0;
    }
    const uint64_t kind = rng() % 8;
    const size_t cap = kind < 5 ? 140 : kind < 7 ? 5000 : 70000;  // mostly around a block, sometimes large
    return std::min<size_t>(left, rng() % (cap + 1));
  };
  auto pair = make();
  for (int trial = 0; trial < 300; ++trial) {
    size_t len[2];
    size_t start[2];
    for (size_t lane = 0; lane < 2; ++lane) {
      len[lane] = trial % 10 == 0 ? rng() % source.size() : rng() % 20000;
      start[lane] = rng() % (source.size() - len[lane] + 1);
    }
    const Placed msg[2] = {Placed(source.data() + start[0], len[0], rng() % 16),
                           Placed(source.data() + start[1], len[1], rng() % 16)};
    size_t done[2] = {0, 0};
    while (done[0] < len[0] || done[1] < len[1]) {
      const size_t n0 = piece(len[0] - done[0]);
      const size_t n1 = piece(len[1] - done[1]);
      switch (rng() % 3) {
        case 0:
          pair->update_both(msg[0].data() + done[0], n0, msg[1].data() + done[1], n1);
          done[0] += n0;
          done[1] += n1;
          break;
        case 1:
          pair->update(0, msg[0].data() + done[0], n0);
          done[0] += n0;
          break;
        default:
          pair->update(1, msg[1].data() + done[1], n1);
          done[1] += n1;
          break;
      }
    }
    std::array<Digest, 2> d;
    if (rng() % 2 == 0) {
      d = pair->finish_both();
    } else {
      d[1] = pair->finish(1);
      d[0] = pair->finish(0);
    }
    ASSERT_EQ(d[0], reference(msg[0].data(), len[0])) << "trial " << trial << ", lane 0, " << len[0] << " bytes";
    ASSERT_EQ(d[1], reference(msg[1].data(), len[1])) << "trial " << trial << ", lane 1, " << len[1] << " bytes";
  }
}

// How a worker uses it: a large file goes through lane 0 in chunks while small files follow each other in lane 1,
// paired with the chunks; when the small files run out the large one finishes alone.
TEST_P(Sha256PairTest, OneLaneFinishesAndRestartsWhileTheOtherContinues) {
  const auto large = random_bytes(3 * 65536 + 1234, 9);
  std::vector<std::vector<unsigned char>> small;
  for (size_t i = 0; i < 7; ++i) {
    small.push_back(random_bytes(i * 4000 + i, 100 + i));
  }
  auto pair = make();
  size_t offset = 0;
  constexpr size_t k_chunk = 3000;
  for (const auto& file : small) {
    size_t done = 0;
    do {
      const size_t n_large = std::min(k_chunk, large.size() - offset);
      const size_t n_small = std::min(k_chunk, file.size() - done);
      pair->update_both(large.data() + offset, n_large, file.data() + done, n_small);
      offset += n_large;
      done += n_small;
    } while (done < file.size());
    EXPECT_EQ(pair->finish(1), reference(file.data(), file.size())) << file.size() << " bytes";
  }
  pair->update(0, large.data() + offset, large.size() - offset);
  EXPECT_EQ(pair->finish(0), reference(large.data(), large.size()));
}

TEST_P(Sha256PairTest, ResetDiscardsOnlyItsOwnLane) {
  const std::string a = "the first lane's message, longer than one block of sixty-four bytes, to cross a block";
  const std::string b = "second";
  auto pair = make();
  pair->update_both("garbage", 7, b.data(), 3);
  pair->reset(0);
  pair->update_both(a.data(), a.size(), b.data() + 3, b.size() - 3);
  const auto d = pair->finish_both();
  EXPECT_EQ(d[0], Sha256::of(a));
  EXPECT_EQ(d[1], Sha256::of(b));
}

TEST_P(Sha256PairTest, ALaneOtherThanZeroOrOneAborts) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(make()->update(2, "x", 1), "");
}

TEST(Sha256Pair, BestEngineUsesTheShaInstructionsExactlyWhenTheCpuHasThem) {
  EXPECT_EQ(Sha256Pair().uses_sha_instructions(), sha256_hw::available());
  EXPECT_FALSE(Sha256Pair(Sha256Pair::Engine::openssl).uses_sha_instructions());
}

}  // namespace
}  // namespace treeprint
