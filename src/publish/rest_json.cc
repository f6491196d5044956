#include "publish/rest_json.h"

#include <cctype>

#include "util/format.h"
#include "util/text.h"

namespace treeprint {

std::string json_string(simdjson::dom::element e, const char* key) {
  std::string_view v;
  if (e[key].get_string().get(v)) return "";
  return std::string(v);
}

int64_t json_int(simdjson::dom::element e, const char* key) {
  int64_t v = 0;
  if (e[key].get_int64().get(v)) return 0;
  return v;
}

namespace {

std::string string_of(simdjson::dom::element e) {
  std::string_view v;
  return e.get_string().get(v) ? std::string() : std::string(v);
}

}  // namespace

std::string forge_error_text(const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (body.empty() || parser.parse(body).get(doc) || !doc.is_object()) {
    return body.empty() ? "" : printable(truncate_utf8(body, 200, "..."));
  }
  std::string msg;
  simdjson::dom::element message;
  if (!doc["message"].get(message)) {
    if (message.is_string()) {
      msg = string_of(message);
    } else if (simdjson::dom::object fields; !message.get_object().get(fields)) {
      // GitLab's validation errors: {"field": ["is invalid", ...]}
      for (const auto& field : fields) {
        std::string details;
        simdjson::dom::array list;
        if (!field.value.get_array().get(list)) {
          for (simdjson::dom::element d : list) details += (details.empty() ? "" : ", ") + string_of(d);
        } else {
          details = string_of(field.value);
        }
        msg += (msg.empty() ? "" : "; ") + std::string(field.key) + " " + details;
      }
    }
  }
  if (msg.empty()) {  // an OAuth error, as GitLab answers for a token without the scope
    msg = json_string(doc, "error");
    const std::string description = json_string(doc, "error_description");
    if (!description.empty()) msg += (msg.empty() ? "" : ": ") + description;
  }
  simdjson::dom::array errors;
  if (!doc["errors"].get_array().get(errors)) {
    for (simdjson::dom::element e : errors) {
      std::string detail = e.is_string() ? string_of(e) : json_string(e, "message");
      if (detail.empty() && e.is_object()) detail = json_string(e, "field") + " " + json_string(e, "code");
      if (!detail.empty()) msg += "; " + detail;
    }
  }
  return printable(truncate_utf8(msg, 500, "..."));
}

std::string sticky_marker(const std::string& key) {
  std::string safe;
  for (const char c : key) {
    const bool keep = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '/';
    safe.push_back(keep ? c : '_');
  }
  return "<!-- treeprint-comment:" + safe + " -->";
}

std::string sticky_body(std::string_view text, const std::string& marker, size_t max_chars, std::string_view cut_note) {
  return truncate_utf16(utf8_replacing_invalid(text), max_chars - utf16_length(marker) - 1, cut_note) + "\n" + marker;
}

bool StickySearch::consider(const MarkedCandidate& c) {
  if (c.id <= 0 || c.body.find(marker) == std::string_view::npos) return false;
  if (own && c.author && *c.author == *own) {
    found = c.id;
    return true;
  }
  ++foreign;
  return false;
}

}  // namespace treeprint
