#pragma once
// A writer for small JSON documents (request bodies, `inspect --json`, reports): objects, arrays, keys, strings,
// numbers and booleans, with commas and escaping done in one place. Strings go through append_json_string (UTF-8
// expected, '"', '\' and control characters escaped). The manifest has its own, hand-tuned writer
// (manifest/json_writer.h).
//
// compact writes `{"a":1,"b":[true]}` (what an API receives); spaced writes `{"a": 1, "b": [true]}` (what a person
// reads). An object or array begun with Layout::lines puts each of its items on a line of its own, indented two
// spaces per level, and its closing bracket on a line after them (`[]` stays `[]`):
//
//   {
//     "changes": [
//       {"path": "a"}
//     ],
//     "unreadable": []
//   }

#include <concepts>
#include <type_traits>
#include <utility>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace treeprint {

class JsonWriter {
 public:
  enum class Style { compact, spaced };
  enum class Layout { inline_items, lines };
  explicit JsonWriter(Style style = Style::compact) : m_style(style) {}

  JsonWriter& begin_object(Layout layout = Layout::inline_items);
  JsonWriter& end_object();
  JsonWriter& begin_array(Layout layout = Layout::inline_items);
  JsonWriter& end_array();
  /// The key of the next value, inside an object.
  JsonWriter& key(std::string_view name);

  JsonWriter& string(std::string_view text);
  JsonWriter& boolean(bool value);
  JsonWriter& null();
  template <std::integral T>
  JsonWriter& number(T value) {
    if constexpr (std::is_same_v<T, bool>) {
      return boolean(value);
    } else if constexpr (std::is_signed_v<T>) {
      return literal(std::to_string(static_cast<int64_t>(value)));
    } else {
      return literal(std::to_string(static_cast<uint64_t>(value)));
    }
  }
  /// A value already rendered as JSON by this writer (or another), inserted as it is.
  JsonWriter& raw(std::string_view json) { return literal(json); }

  /// key(name) and the value, for the common case.
  JsonWriter& field(std::string_view name, std::string_view text) { return key(name).string(text); }
  JsonWriter& field(std::string_view name, const char* text) { return key(name).string(text); }
  JsonWriter& field(std::string_view name, bool value) { return key(name).boolean(value); }
  template <std::integral T>
    requires(!std::is_same_v<T, bool>)
  JsonWriter& field(std::string_view name, T value) {
    return key(name).number(value);
  }

  /// The document so far.
  const std::string& text() const { return m_out; }
  std::string take() { return std::move(m_out); }

 private:
  struct Open {
    bool lines = false;      // Layout::lines
    bool has_items = false;  // something was written in it
  };
  JsonWriter& open(char bracket, Layout layout);
  JsonWriter& close(char bracket);
  JsonWriter& literal(std::string_view json);
  void before_value();

  Style m_style;
  std::string m_out;
  std::vector<Open> m_open;  // the objects and arrays not closed yet, outermost first
  bool m_after_key = false;
};

}  // namespace treeprint
