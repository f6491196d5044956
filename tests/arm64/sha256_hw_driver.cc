// Hashes messages with util/sha256_hw's compressors alone and prints the digests, so that a program with another
// SHA-256 can judge them: tests/arm64/test_sha256_hw.py builds this for arm64 and runs it under QEMU (or natively).
// It links nothing but util/sha256_hw.cc, and pads the messages itself (FIPS 180-4, 5.1.1): no OpenSSL.
//
//   sha256_hw_driver DATA < JOBS
//
// DATA is a file; each line of JOBS is "OFFSET_A SIZE_A OFFSET_B SIZE_B", two messages inside DATA. The first
// line of output is "instructions: <set>, available: yes|no"; when available, one line per job follows with three
// hex digests: A and B hashed as a pair (compress_x2 over the blocks both have, compress over the rest of the longer
// one, whole blocks read in place at the offset given), then A alone (compress only). Exit status 2 on bad input.

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "util/sha256_hw.h"

namespace {

using treeprint::sha256_hw::State;
namespace hw = treeprint::sha256_hw;

constexpr size_t k_block = 64;

// The message's last size % 64 bytes, padded: one or two blocks in `out`; returns the number of blocks.
size_t pad_tail(const unsigned char* message, size_t size, unsigned char (&out)[2 * k_block]) {
  const size_t rest = size % k_block;
  std::memset(out, 0, sizeof out);
  if (rest != 0) {
    std::memcpy(out, message + (size - rest), rest);
  }
  out[rest] = 0x80;
  const size_t blocks = rest < k_block - 8 ? 1 : 2;
  const uint64_t bits = static_cast<uint64_t>(size) * 8;
  for (size_t i = 0; i < 8; ++i) {
    out[blocks * k_block - 1 - i] = static_cast<unsigned char>(bits >> (8 * i));
  }
  return blocks;
}

std::string hex(const State& state) {
  std::string out;
  char word[9];
  for (const uint32_t w : state) {
    std::snprintf(word, sizeof word, "%08x", static_cast<unsigned>(w));
    out += word;
  }
  return out;
}

// Compresses blocks_a of `a` and blocks_b of `b`, paired as far as they go.
void compress_blocks(State& sa, const unsigned char* a, size_t blocks_a, State& sb, const unsigned char* b,
                     size_t blocks_b) {
  const size_t paired = blocks_a < blocks_b ? blocks_a : blocks_b;
  hw::compress_x2(sa, a, sb, b, paired);
  hw::compress(sa, a + paired * k_block, blocks_a - paired);
  hw::compress(sb, b + paired * k_block, blocks_b - paired);
}

void hash_pair(const unsigned char* a, size_t size_a, const unsigned char* b, size_t size_b, State& sa, State& sb) {
  sa = hw::initial_state();
  sb = hw::initial_state();
  compress_blocks(sa, a, size_a / k_block, sb, b, size_b / k_block);
  unsigned char tail_a[2 * k_block];
  unsigned char tail_b[2 * k_block];
  const size_t blocks_a = pad_tail(a, size_a, tail_a);
  const size_t blocks_b = pad_tail(b, size_b, tail_b);
  compress_blocks(sa, tail_a, blocks_a, sb, tail_b, blocks_b);
}

State hash_one(const unsigned char* a, size_t size) {
  State s = hw::initial_state();
  hw::compress(s, a, size / k_block);
  unsigned char tail[2 * k_block];
  hw::compress(s, tail, pad_tail(a, size, tail));
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: sha256_hw_driver DATA < JOBS\n";
    return 2;
  }
  std::ifstream file(argv[1], std::ios::binary);
  if (!file) {
    std::cerr << "sha256_hw_driver: cannot read " << argv[1] << "\n";
    return 2;
  }
  const std::vector<unsigned char> data((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  const bool available = hw::available();
  std::cout << "instructions: " << hw::instruction_set() << ", available: " << (available ? "yes" : "no") << "\n";
  if (!available) {
    return 0;
  }
  uint64_t offset_a = 0;
  uint64_t size_a = 0;
  uint64_t offset_b = 0;
  uint64_t size_b = 0;
  while (std::cin >> offset_a >> size_a >> offset_b >> size_b) {
    if (offset_a > data.size() || size_a > data.size() - offset_a || offset_b > data.size() ||
        size_b > data.size() - offset_b) {
      std::cerr << "sha256_hw_driver: job " << offset_a << " " << size_a << " " << offset_b << " " << size_b
                << " reaches past the " << data.size() << " bytes of " << argv[1] << "\n";
      return 2;
    }
    const unsigned char* a = data.data() + offset_a;
    const unsigned char* b = data.data() + offset_b;
    State sa;
    State sb;
    hash_pair(a, size_a, b, size_b, sa, sb);
    std::cout << hex(sa) << ' ' << hex(sb) << ' ' << hex(hash_one(a, size_a)) << '\n';
  }
  if (!std::cin.eof()) {
    std::cerr << "sha256_hw_driver: a line of JOBS is not four numbers\n";
    return 2;
  }
  return 0;
}
