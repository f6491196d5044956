#include "manifest/path_encoding.h"

namespace treeprint {

void append_json_name(std::string& out, std::string_view key, std::string_view raw) {
  out.push_back('"');
  out.append(key);
  if (is_valid_utf8(raw)) {
    out.append("\": ");
    append_json_string(out, raw);
  } else {
    out.append("_base64\": \"");
    out.append(base64_encode(raw));
    out.push_back('"');
  }
}

void add_json_name(JsonWriter& out, std::string_view key, std::string_view raw) {
  if (is_valid_utf8(raw)) {
    out.field(key, raw);
  } else {
    out.field(std::string(key) + "_base64", base64_encode(raw));
  }
}

bool escape_checksum_name(std::string_view name, std::string* escaped) {
  if (name.find_first_of("\\\n\r") == std::string_view::npos) return false;
  escaped->clear();
  for (const char c : name) {
    switch (c) {
      case '\\': escaped->append("\\\\"); break;
      case '\n': escaped->append("\\n"); break;
      case '\r': escaped->append("\\r"); break;
      default: escaped->push_back(c);
    }
  }
  return true;
}

}  // namespace treeprint
