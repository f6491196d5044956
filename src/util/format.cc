#include "util/format.h"

#include <cstdio>
#include <cstring>

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
