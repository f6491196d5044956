#include "util/sha256_x2.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace treeprint {

namespace {

constexpr size_t k_block = 64;

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

Sha256Pair::Sha256Pair(Engine engine) {
  if (engine == Engine::openssl || !sha256_hw::available()) {
    m_openssl[0].emplace();
    m_openssl[1].emplace();
  }
  reset_lane(m_lanes[0]);
  reset_lane(m_lanes[1]);
}

void Sha256Pair::reset_lane(Lane& lane) {
  lane.state = sha256_hw::initial_state();
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
    sha256_hw::compress_x2(m_lanes[0].state, a, m_lanes[1].state, b, paired);
  }
  if (blocks_a > paired) {
    sha256_hw::compress(m_lanes[0].state, a + paired * k_block, blocks_a - paired);
  }
  if (blocks_b > paired) {
    sha256_hw::compress(m_lanes[1].state, b + paired * k_block, blocks_b - paired);
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
    sha256_hw::compress(l.state, l.buffer, 1);
    l.buffered = 0;
  }
  const size_t blocks = size / k_block;
  sha256_hw::compress(l.state, p, blocks);
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
  sha256_hw::compress(l.state, tail, pad(l, tail));
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
