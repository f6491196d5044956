#pragma once
// What every forge adapter (publish/github_api.h, publish/gitlab_api.h) does the same way: small JSON bodies built
// by hand, fields read from an answer, the error text a forge puts in an answer, and the hidden marker a sticky
// comment or note is found by.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <simdjson.h>

namespace treeprint {

/// e[key] as a string, "" when absent or not a string.
std::string json_string(simdjson::dom::element e, const char* key);
/// e[key] as an integer, 0 when absent or not one.
int64_t json_int(simdjson::dom::element e, const char* key);

/// The readable error in a forge's answer body, printable and at most about 500 bytes: GitHub's "message" and its
/// "errors" details; GitLab's "message" (a string, or an object of field -> list of messages) and its OAuth
/// "error"/"error_description"; otherwise the start of the body.
std::string forge_error_text(const std::string& body);

/// The hidden HTML comment a sticky comment for `key` carries: "<!-- treeprint-comment:KEY -->", KEY reduced to
/// [A-Za-z0-9._/-].
std::string sticky_marker(const std::string& key);

/// `text` made valid UTF-8, cut to fit `max_chars` together with the marker (saying so with `cut_note`), then the
/// marker on a line of its own. Characters are counted as UTF-16 code units (utf16_length), never fewer than either
/// forge counts.
std::string sticky_body(std::string_view text, const std::string& marker, size_t max_chars, std::string_view cut_note);

/// One comment of a listing, as far as the sticky search cares.
struct MarkedCandidate {
  int64_t id = 0;
  std::string_view body;
  /// Who wrote it: a login or a numeric user id as text; nullopt when the answer did not say.
  std::optional<std::string> author;
};

/// The search for the comment to update: the first one with the marker written by `own` (when known); any other
/// comment with the marker is counted and left alone, since anyone can write the (predictable) marker.
struct StickySearch {
  std::string marker;
  std::optional<std::string> own;
  int64_t found = 0;
  size_t foreign = 0;

  /// Looks at one comment; returns true once the one to update is found.
  bool consider(const MarkedCandidate& c);
};

}  // namespace treeprint
