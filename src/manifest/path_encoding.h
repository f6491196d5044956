#pragma once
// How raw path bytes become text: JSON string escaping, the lossless scheme for names that are not UTF-8, and the
// escaping coreutils' sha256sum uses. See docs/manifest.md.

#include <string>
#include <string_view>

namespace treeprint {

/// Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
bool is_valid_utf8(std::string_view bytes);

/// Standard base64 (RFC 4648, with padding).
std::string base64_encode(std::string_view bytes);

/// Appends `text` (valid UTF-8) as a JSON string literal, quotes included. Escapes '"', '\' and control characters
/// only, so the output is deterministic and stays readable.
void append_json_string(std::string& out, std::string_view text);

/// Appends `"key": "value"` for a path-like field: `"path": "..."` when the bytes are UTF-8, otherwise
/// `"path_base64": "..."` with the raw bytes in base64. Nothing is lost either way.
void append_json_name(std::string& out, std::string_view key, std::string_view raw);

/// coreutils' escaping of a file name in a checksum line: returns true (and the escaped name) when the line must
/// start with a backslash because the name holds '\', LF or CR.
bool escape_checksum_name(std::string_view name, std::string* escaped);

}  // namespace treeprint
