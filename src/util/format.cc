#include "util/format.h"

#include <array>
#include <cstdio>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "util/text.h"

namespace treeprint {

namespace {
constexpr char k_hex_digits[] = "0123456789abcdef";
}

void append_hex(std::string& out, std::span<const unsigned char> bytes) {
  const size_t start = out.size();
  out.resize(start + bytes.size() * 2);
  char* p = out.data() + start;
  for (unsigned char b : bytes) {
    *p++ = k_hex_digits[b >> 4];
    *p++ = k_hex_digits[b & 15];
  }
}

namespace {

// Lower-case hex digit values; -1 for anything else.
constexpr std::array<int8_t, 256> k_hex_values = [] {
  std::array<int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (int c = '0'; c <= '9'; ++c) t[c] = static_cast<int8_t>(c - '0');
  for (int c = 'a'; c <= 'f'; ++c) t[c] = static_cast<int8_t>(c - 'a' + 10);
  return t;
}();

#if defined(__SSE2__)
// 32 hex digits into 16 bytes, 16 digits per vector: each byte is checked to be 0-9 or a-f (unsigned range tests
// after subtracting '0' and 'a'), turned into its value, and each pair of values joined into one byte.
bool decode_32(const char* hex, unsigned char* out) {
  const __m128i zero_char = _mm_set1_epi8('0');
  const __m128i a_char = _mm_set1_epi8('a');
  const __m128i nine = _mm_set1_epi8(9);
  const __m128i five = _mm_set1_epi8(5);
  const __m128i ten = _mm_set1_epi8(10);
  const __m128i low_byte = _mm_set1_epi16(0x00ff);
  __m128i joined[2];
  int valid = 0xffff;
  for (int k = 0; k < 2; ++k) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(hex + 16 * k));
    const __m128i d = _mm_sub_epi8(v, zero_char);
    const __m128i l = _mm_sub_epi8(v, a_char);
    const __m128i is_digit = _mm_cmpeq_epi8(_mm_min_epu8(d, nine), d);
    const __m128i is_letter = _mm_cmpeq_epi8(_mm_min_epu8(l, five), l);
    valid &= _mm_movemask_epi8(_mm_or_si128(is_digit, is_letter));
    const __m128i value =
        _mm_or_si128(_mm_and_si128(is_digit, d), _mm_and_si128(is_letter, _mm_add_epi8(l, ten)));
    // Little-endian 16-bit lanes hold (high digit, low digit): high << 4 | low, in the lane's low byte.
    joined[k] = _mm_or_si128(_mm_slli_epi16(_mm_and_si128(value, low_byte), 4), _mm_srli_epi16(value, 8));
  }
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out), _mm_packus_epi16(joined[0], joined[1]));
  return valid == 0xffff;
}
#endif

}  // namespace

bool is_lower_hex(std::string_view hex) {
  for (const char c : hex) {
    if (k_hex_values[static_cast<unsigned char>(c)] < 0) return false;
  }
  return true;
}

bool decode_lower_hex(std::string_view hex, unsigned char* out) {
  if (hex.size() % 2 != 0) return false;
  size_t i = 0;
  bool ok = true;
#if defined(__SSE2__)
  for (; hex.size() - i >= 32; i += 32) ok &= decode_32(hex.data() + i, out + i / 2);
#endif
  int bad = 0;
  for (; i < hex.size(); i += 2) {
    const int hi = k_hex_values[static_cast<unsigned char>(hex[i])];
    const int lo = k_hex_values[static_cast<unsigned char>(hex[i + 1])];
    bad |= hi | lo;
    out[i / 2] = static_cast<unsigned char>(hi << 4 | lo);
  }
  return ok && bad >= 0;
}

std::string to_hex(std::span<const unsigned char> bytes) {
  std::string out;
  append_hex(out, bytes);
  return out;
}

std::string human_bytes(uint64_t bytes) {
  static constexpr const char* k_units[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
  double value = static_cast<double>(bytes);
  size_t unit = 0;
  while (value >= 1000.0 && unit + 1 < std::size(k_units)) {
    value /= 1000.0;
    ++unit;
  }
  char buf[32];
  if (unit == 0) {
    std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(bytes));
  } else {
    std::snprintf(buf, sizeof buf, "%.1f %s", value, k_units[unit]);
  }
  return buf;
}

std::string with_commas(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  out.reserve(digits.size() + digits.size() / 3);
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i != 0 && (digits.size() - i) % 3 == 0) {
      out.push_back(',');
    }
    out.push_back(digits[i]);
  }
  return out;
}

std::string errno_text(int err) {
  char buf[256];
  // GNU strerror_r returns the message, which may or may not live in buf.
  const char* msg = strerror_r(err, buf, sizeof buf);
  return msg;
}

}  // namespace treeprint

namespace treeprint {

namespace {

// printable() and log_safe() differ only in what they do with a backslash.
std::string safe_text(std::string_view raw, bool escape_backslash) {
  std::string out;
  out.reserve(raw.size());
  size_t i = 0;
  auto hex_byte = [&](unsigned char c) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\x%02x", c);
    out.append(buf);
  };
  while (i < raw.size()) {
    const auto c = static_cast<unsigned char>(raw[i]);
    if (c < 0x20 || c == 0x7f) {
      hex_byte(c);
      ++i;
      continue;
    }
    if (c == '\\' && escape_backslash) {
      out.append("\\\\");
      ++i;
      continue;
    }
    if (c == ':' && i + 1 < raw.size() && raw[i + 1] == ':') {
      out.append(":\\x3a");  // "::" could start a workflow command
      i += 2;
      continue;
    }
    if (c == '#' && raw.substr(i, 3) == "##[") {
      out.append("##\\x5b");  // "##[" is the legacy form of one, read anywhere in a line
      i += 3;
      continue;
    }
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    // Copy a well-formed UTF-8 sequence whole; escape anything else byte by byte.
    if (const size_t len = utf8_sequence_length(raw, i); len != 0) {
      out.append(raw.substr(i, len));
      i += len;
    } else {
      hex_byte(c);
      ++i;
    }
  }
  return out;
}

}  // namespace

std::string printable(std::string_view raw) { return safe_text(raw, true); }

std::string log_safe(std::string_view raw) { return safe_text(raw, false); }

}  // namespace treeprint
