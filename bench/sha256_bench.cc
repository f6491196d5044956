// SHA-256 throughput of one core: OpenSSL's single stream (util/sha256.h) against Sha256Pair's single lane and
// its two lanes (util/sha256_x2.h), over 64 KiB buffers (a large file's chunks) and over 1 KiB messages (small
// files, each with its own padding and finish). Prints the CPU model with the figures: they mean nothing without
// it, and little on a machine that is busy with other work.
//
//   cmake --build build --target sha256_bench && build/sha256_bench [--seconds S] [--repeat N]
//
// Each figure is the best of N runs of S seconds (default 3 of 1 s).

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "util/sha256.h"
#include "util/sha256_hw.h"
#include "util/sha256_x2.h"

namespace {

using treeprint::Digest;
using treeprint::Sha256;
using treeprint::Sha256Pair;

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      const size_t colon = line.find(':');
      if (colon != std::string::npos) {
        return line.substr(colon + 2);
      }
    }
  }
  return "unknown (no model name in /proc/cpuinfo)";
}

volatile unsigned char g_sink = 0;  // keeps the digests alive

void consume(const Digest& d) { g_sink = static_cast<unsigned char>(g_sink ^ d[0]); }

// Calls `step` (which hashes `bytes_per_step` bytes) until `seconds` have passed; the best MB/s of `repeat` runs.
double measure(double seconds, int repeat, size_t bytes_per_step, const std::function<void()>& step) {
  double best = 0;
  for (int r = 0; r < repeat; ++r) {
    const auto start = std::chrono::steady_clock::now();
    uint64_t bytes = 0;
    double elapsed = 0;
    do {
      for (int i = 0; i < 16; ++i) {
        step();
      }
      bytes += 16 * bytes_per_step;
      elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    } while (elapsed < seconds);
    best = std::max(best, static_cast<double>(bytes) / elapsed / 1e6);
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 1.0;
  int repeat = 3;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--seconds" && i + 1 < argc) {
      seconds = std::atof(argv[++i]);
    } else if (arg == "--repeat" && i + 1 < argc) {
      repeat = std::atoi(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: sha256_bench [--seconds S] [--repeat N]\n");
      return 2;
    }
  }
  if (!(seconds > 0) || repeat < 1) {
    std::fprintf(stderr, "sha256_bench: --seconds must be > 0 and --repeat >= 1\n");
    return 2;
  }

  constexpr size_t k_large = 64 * 1024;
  constexpr size_t k_small = 1024;
  constexpr size_t k_pool = 1 << 20;  // small messages come from 1 MiB of distinct bytes per lane
  std::vector<unsigned char> a(k_pool);
  std::vector<unsigned char> b(k_pool);
  uint32_t x = 12345;
  for (size_t i = 0; i < k_pool; ++i) {
    x = x * 1664525 + 1013904223;
    a[i] = static_cast<unsigned char>(x >> 24);
    b[i] = static_cast<unsigned char>(x >> 16);
  }

  Sha256 openssl;
  Sha256Pair pair;
  size_t at = 0;
  auto next_small = [&] {
    at = (at + k_small) % k_pool;
    return at;
  };

  std::array<double, 3> large{};
  large[0] = measure(seconds, repeat, k_large, [&] { openssl.update(a.data(), k_large); });
  consume(openssl.finish());
  large[1] = measure(seconds, repeat, k_large, [&] { pair.update(0, a.data(), k_large); });
  consume(pair.finish(0));
  large[2] = measure(seconds, repeat, 2 * k_large,
                     [&] { pair.update_both(a.data(), k_large, b.data(), k_large); });
  consume(pair.finish(0));
  consume(pair.finish(1));

  std::array<double, 3> small{};
  small[0] = measure(seconds, repeat, k_small, [&] {
    openssl.reset();
    openssl.update(a.data() + next_small(), k_small);
    consume(openssl.finish());
  });
  small[1] = measure(seconds, repeat, k_small, [&] {
    pair.update(0, a.data() + next_small(), k_small);
    consume(pair.finish(0));
  });
  small[2] = measure(seconds, repeat, 2 * k_small, [&] {
    const size_t from = next_small();
    pair.update_both(a.data() + from, k_small, b.data() + from, k_small);
    const auto d = pair.finish_both();
    consume(d[0]);
    consume(d[1]);
  });

  std::printf("cpu: %s\n", cpu_model().c_str());
  const std::string engine = pair.uses_sha_instructions()
                                 ? std::string(treeprint::sha256_hw::instruction_set()) + " (own lanes use them)"
                                 : "none usable (own lanes fall back to OpenSSL)";
  std::printf("sha instructions: %s\n", engine.c_str());
  std::printf("one core, MB/s (10^6 bytes), best of %d x %.2f s\n", repeat, seconds);
  std::printf("%-24s %14s %14s\n", "", "64 KiB buffers", "1 KiB messages");
  const char* names[3] = {"OpenSSL single stream", "own single lane", "own two lanes"};
  for (size_t i = 0; i < 3; ++i) {
    std::printf("%-24s %14.0f %14.0f\n", names[i], large[i], small[i]);
  }
  std::printf("%-24s %14.2f %14.2f\n", "two lanes / OpenSSL", large[2] / large[0], small[2] / small[0]);
  std::printf("%-24s %14.2f %14.2f\n", "single lane / OpenSSL", large[1] / large[0], small[1] / small[0]);
  return 0;
}
