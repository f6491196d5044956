#pragma once
// How raw path bytes become text in the manifest's formats: the lossless scheme for names that are not UTF-8, and
// the escaping coreutils' sha256sum uses. See docs/manifest.md. (The generic text helpers are util/text.h.)

#include <string>
#include <string_view>

#include "util/json.h"
#include "util/text.h"

namespace treeprint {

/// Appends `"key": "value"` for a path-like field: `"path": "..."` when the bytes are UTF-8, otherwise
/// `"path_base64": "..."` with the raw bytes in base64. Nothing is lost either way.
void append_json_name(std::string& out, std::string_view key, std::string_view raw);
/// The same member, through a JsonWriter.
void add_json_name(JsonWriter& out, std::string_view key, std::string_view raw);

/// coreutils' escaping of a file name in a checksum line: returns true (and the escaped name) when the line must
/// start with a backslash because the name holds '\', LF or CR.
bool escape_checksum_name(std::string_view name, std::string* escaped);

}  // namespace treeprint
