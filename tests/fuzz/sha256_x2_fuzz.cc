// libFuzzer target for the two-lane SHA-256: the input becomes two messages and a list of pieces to feed them in
// (update_both, update of one lane, in any sizes); the digests of the best engine (two-way on the CPU's SHA-256
// instructions where it has them), of one lane at a time, and of the forced OpenSSL fallback must all equal
// OpenSSL's one-shot digest.

#include <fuzzer/FuzzedDataProvider.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "util/sha256_x2.h"

namespace {

treeprint::Digest reference(const std::vector<unsigned char>& m) {
  treeprint::Digest out{};
  unsigned int len = 0;
  if (EVP_Digest(m.data(), m.size(), out.data(), &len, EVP_sha256(), nullptr) != 1) {
    std::abort();
  }
  return out;
}

// A piece size from one byte: small sizes one by one, then whole blocks and a block plus a bit, up to ~16 KiB.
size_t piece_size(uint8_t b) {
  if (b < 160) {
    return b;
  }
  return static_cast<size_t>(b - 159) * 64 * ((b & 1) != 0 ? 3 : 1) + (b & 2);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  const auto split = in.ConsumeIntegral<uint32_t>();
  const bool finish_together = in.ConsumeBool();
  const std::vector<uint8_t> plan = in.ConsumeBytes<uint8_t>(in.ConsumeIntegralInRange<size_t>(0, 96));
  const std::vector<unsigned char> rest = in.ConsumeRemainingBytes<unsigned char>();
  const size_t len_a = split % (rest.size() + 1);
  // Each message in its own heap block of exactly its size, so that a read past its end is caught.
  const std::vector<unsigned char> msg[2] = {std::vector<unsigned char>(rest.begin(), rest.begin() + len_a),
                                             std::vector<unsigned char>(rest.begin() + len_a, rest.end())};
  const treeprint::Digest want[2] = {reference(msg[0]), reference(msg[1])};

  // One lane at a time, whole messages.
  treeprint::Sha256Pair single;
  for (size_t lane = 0; lane < 2; ++lane) {
    single.update(lane, msg[lane].data(), msg[lane].size());
    if (single.finish(lane) != want[lane]) {
      std::abort();
    }
  }

  // The fuzzer's pieces through the best engine and the forced fallback; each plan step is a kind and two sizes.
  treeprint::Sha256Pair best;
  treeprint::Sha256Pair openssl(treeprint::Sha256Pair::Engine::openssl);
  for (treeprint::Sha256Pair* pair : {&best, &openssl}) {
    size_t done[2] = {0, 0};
    for (size_t i = 0; i + 2 < plan.size(); i += 3) {
      size_t n[2];
      for (size_t lane = 0; lane < 2; ++lane) {
        n[lane] = std::min(piece_size(plan[i + 1 + lane]), msg[lane].size() - done[lane]);
      }
      switch (plan[i] % 3) {
        case 0:
          pair->update_both(msg[0].data() + done[0], n[0], msg[1].data() + done[1], n[1]);
          done[0] += n[0];
          done[1] += n[1];
          break;
        case 1:
          pair->update(0, msg[0].data() + done[0], n[0]);
          done[0] += n[0];
          break;
        default:
          pair->update(1, msg[1].data() + done[1], n[1]);
          done[1] += n[1];
          break;
      }
    }
    pair->update_both(msg[0].data() + done[0], msg[0].size() - done[0], msg[1].data() + done[1],
                      msg[1].size() - done[1]);
    std::array<treeprint::Digest, 2> got;
    if (finish_together) {
      got = pair->finish_both();
    } else {
      got[1] = pair->finish(1);
      got[0] = pair->finish(0);
    }
    if (got[0] != want[0] || got[1] != want[1]) {
      std::abort();
    }
  }
  return 0;
}
