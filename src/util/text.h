#pragma once
// Text helpers every layer uses, each written once: UTF-8 checking, repair and truncation, base64, JSON string
// escaping. Names say the policy: `..._replacing_invalid` turns bytes that are not UTF-8 into U+FFFD (for text a
// service shows, which must be UTF-8), `..._escaping_invalid` into \xNN (for logs, where nothing may be lost);
// util/format.h's printable() also escapes control bytes, for log lines built from hostile names.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace treeprint {

/// Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF (simdjson's validator).
bool is_valid_utf8(std::string_view bytes);

/// The length of the well-formed UTF-8 sequence starting at `text[i]` (1 for ASCII), or 0 when the bytes there are
/// not one.
size_t utf8_sequence_length(std::string_view text, size_t i);

/// `text` with each byte that is not part of a well-formed sequence replaced by U+FFFD.
std::string utf8_replacing_invalid(std::string_view text);
/// `text` with each byte that is not part of a well-formed sequence written as \xNN.
std::string utf8_escaping_invalid(std::string_view text);

/// `text` cut to at most `max_bytes` bytes, never inside a character, ending in `note` (or as much of it as fits)
/// when anything was cut.
std::string truncate_utf8(std::string_view text, size_t max_bytes, std::string_view note = "\xe2\x80\xa6");

/// The length of valid UTF-8 `text` in UTF-16 code units: a character above U+FFFF counts 2, any other 1. GitHub
/// limits a comment body and a check run's text in "characters"; this count is never below the number of code points
/// and never above the number of bytes, so a text within a limit by it is within it by either reading.
size_t utf16_length(std::string_view text);

/// `text` (valid UTF-8) cut to at most `max_units` UTF-16 code units, never inside a character, ending in `note` (or
/// as much of it as fits) when anything was cut.
std::string truncate_utf16(std::string_view text, size_t max_units, std::string_view note);

/// Standard base64 (RFC 4648 section 4, with padding).
std::string base64_encode(std::string_view bytes);
/// Decodes canonical padded base64: the standard alphabet, padding, and nothing that re-encodes differently.
std::optional<std::string> base64_decode_strict(std::string_view text);
/// Decodes base64url (RFC 4648 section 5) as JWTs carry it: padding optional, the standard alphabet's '+' and '/'
/// accepted too.
std::optional<std::string> base64url_decode(std::string_view text);

/// Appends `text` (valid UTF-8) as a JSON string literal, quotes included. Escapes '"', '\' and control characters
/// only, so the output is deterministic and stays readable.
void append_json_string(std::string& out, std::string_view text);

}  // namespace treeprint
