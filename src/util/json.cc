#include "util/json.h"

#include "util/text.h"

namespace treeprint {

void JsonWriter::before_value() {
  if (m_after_key) {
    m_after_key = false;
    return;
  }
  if (m_open.empty()) return;
  Open& top = m_open.back();
  if (top.has_items) m_out.append(top.lines || m_style == Style::compact ? "," : ", ");
  if (top.lines) {
    m_out.push_back('\n');
    m_out.append(2 * m_open.size(), ' ');
  }
  top.has_items = true;
}

JsonWriter& JsonWriter::open(char bracket, Layout layout) {
  before_value();
  m_out.push_back(bracket);
  m_open.push_back(Open{layout == Layout::lines, false});
  return *this;
}

JsonWriter& JsonWriter::close(char bracket) {
  if (m_open.back().lines && m_open.back().has_items) {
    m_out.push_back('\n');
    m_out.append(2 * (m_open.size() - 1), ' ');
  }
  m_open.pop_back();
  m_out.push_back(bracket);
  return *this;
}

JsonWriter& JsonWriter::begin_object(Layout layout) { return open('{', layout); }
JsonWriter& JsonWriter::end_object() { return close('}'); }
JsonWriter& JsonWriter::begin_array(Layout layout) { return open('[', layout); }
JsonWriter& JsonWriter::end_array() { return close(']'); }

JsonWriter& JsonWriter::key(std::string_view name) {
  before_value();
  append_json_string(m_out, name);
  m_out.append(m_style == Style::spaced ? ": " : ":");
  m_after_key = true;
  return *this;
}

JsonWriter& JsonWriter::string(std::string_view text) {
  before_value();
  append_json_string(m_out, text);
  return *this;
}

JsonWriter& JsonWriter::boolean(bool value) { return literal(value ? "true" : "false"); }

JsonWriter& JsonWriter::null() { return literal("null"); }

JsonWriter& JsonWriter::literal(std::string_view json) {
  before_value();
  m_out.append(json);
  return *this;
}

}  // namespace treeprint
