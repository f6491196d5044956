#include "util/text.h"

#include <openssl/evp.h>

#include <cstdint>
#include <cstdio>

#include "simdjson.h"

namespace treeprint {

bool is_valid_utf8(std::string_view bytes) { return simdjson::validate_utf8(bytes.data(), bytes.size()); }

size_t utf8_sequence_length(std::string_view text, size_t i) {
  const auto c = static_cast<unsigned char>(text[i]);
  if (c < 0x80) return 1;
  const size_t len = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
  if (len == 0 || i + len > text.size()) return 0;
  return is_valid_utf8(text.substr(i, len)) ? len : 0;
}

namespace {

template <typename Invalid>
std::string repair(std::string_view text, Invalid&& invalid) {
  if (is_valid_utf8(text)) return std::string(text);
  std::string out;
  out.reserve(text.size() + 8);
  for (size_t i = 0; i < text.size();) {
    if (const size_t len = utf8_sequence_length(text, i); len != 0) {
      out.append(text.substr(i, len));
      i += len;
    } else {
      invalid(out, static_cast<unsigned char>(text[i]));
      ++i;
    }
  }
  return out;
}

}  // namespace

std::string utf8_replacing_invalid(std::string_view text) {
  return repair(text, [](std::string& out, unsigned char) { out.append("\xEF\xBF\xBD"); });
}

std::string utf8_escaping_invalid(std::string_view text) {
  return repair(text, [](std::string& out, unsigned char c) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\x%02x", c);
    out.append(buf);
  });
}

std::string truncate_utf8(std::string_view text, size_t max_bytes, std::string_view note) {
  if (text.size() <= max_bytes) return std::string(text);
  size_t cut = max_bytes > note.size() ? max_bytes - note.size() : 0;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // not inside a character
  std::string out(text.substr(0, cut));
  out.append(note.substr(0, max_bytes - cut));
  return out;
}

namespace {

// UTF-16 code units of the UTF-8 sequence that starts with `lead`: 2 for a four-byte sequence, 0 for a continuation
// byte (counted with its lead), 1 otherwise.
size_t utf16_units(unsigned char lead) {
  if ((lead & 0xC0) == 0x80) return 0;
  return lead >= 0xF0 ? 2 : 1;
}

}  // namespace

size_t utf16_length(std::string_view text) {
  size_t n = 0;
  for (const char c : text) n += utf16_units(static_cast<unsigned char>(c));
  return n;
}

std::string truncate_utf16(std::string_view text, size_t max_units, std::string_view note) {
  if (utf16_length(text) <= max_units) return std::string(text);
  const size_t note_units = utf16_length(note);
  const size_t room = max_units > note_units ? max_units - note_units : 0;
  size_t used = 0;
  size_t cut = 0;
  for (; cut < text.size(); ++cut) {
    const size_t units = utf16_units(static_cast<unsigned char>(text[cut]));
    if (units != 0 && used + units > room) break;  // a character starts here that does not fit
    used += units;
  }
  std::string out(text.substr(0, cut));
  // As much of the note as fits, whole characters only.
  size_t i = 0;
  for (size_t note_used = 0; i < note.size(); ++i) {
    const size_t units = utf16_units(static_cast<unsigned char>(note[i]));
    if (units != 0 && used + note_used + units > max_units) break;
    note_used += units;
  }
  out.append(note.substr(0, i));
  return out;
}

std::string base64_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

namespace {

// The 6-bit value of a base64 character, or -1. `url`: the base64url alphabet ('-', '_') is accepted too.
int base64_value(char c, bool url) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || (url && c == '-')) return 62;
  if (c == '/' || (url && c == '_')) return 63;
  return -1;
}

}  // namespace

std::optional<std::string> base64_decode_strict(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  size_t pad = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '=') {
      if (i + 2 < text.size()) return std::nullopt;
      ++pad;
      continue;
    }
    if (pad != 0) return std::nullopt;
    const int v = base64_value(c, false);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  if (base64_encode(out) != text) return std::nullopt;
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (const char c : text) {
    if (c == '=') break;
    const int v = base64_value(c, true);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

void append_json_string(std::string& out, std::string_view text) {
  out.push_back('"');
  size_t run = 0;  // start of the pending run of bytes that need no escaping
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\n': out.append("\\n"); break;
      case '\t': out.append("\\t"); break;
      case '\r': out.append("\\r"); break;
      case '\b': out.append("\\b"); break;
      case '\f': out.append("\\f"); break;
      default: {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out.append(buf);
      }
    }
  }
  out.append(text.data() + run, text.size() - run);
  out.push_back('"');
}

}  // namespace treeprint
