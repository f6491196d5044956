#include "publish/markdown.h"

#include "util/format.h"
#include "util/text.h"

namespace treeprint {

std::string md_code(std::string_view raw, bool in_table) {
  const std::string text = printable(raw);
  // The fence must be longer than any run of backticks inside.
  size_t longest = 0, run = 0;
  for (char c : text) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  const std::string fence(longest + 1, '`');
  // A span that starts or ends with a backtick needs a space of padding; so does one that starts and ends with a
  // space (Markdown strips one space from each side of such a span).
  const bool all_spaces = text.find_first_not_of(' ') == std::string::npos;
  const bool pad = !text.empty() && (text.front() == '`' || text.back() == '`' ||
                                     (!all_spaces && text.front() == ' ' && text.back() == ' '));
  std::string out = fence;
  if (pad) out += ' ';
  for (char c : text) {
    if (in_table && c == '|') out += '\\';
    out += c;
  }
  if (pad) out += ' ';
  out += fence;
  return out;
}

std::string md_text(std::string_view raw) {
  const std::string text = printable(raw);
  std::string out;
  out.reserve(text.size() + text.size() / 4);
  for (char c : text) {
    switch (c) {
      case '\\':
      case '`':
      case '*':
      case '_':
      case '{':
      case '}':
      case '[':
      case ']':
      case '<':
      case '>':
      case '(':
      case ')':
      case '#':
      case '+':
      case '-':
      case '.':
      case '!':
      case '|':
      case '~':
      case '&':
      case '"':
      case '\'':
      case ':':
      case '@':
      case '=': out += '\\'; break;
      default: break;
    }
    out += c;
  }
  return out;
}

std::string fit_markdown(std::string_view markdown, size_t max_bytes, std::string_view where_else,
                         std::string_view limit_name) {
  if (markdown.size() <= max_bytes) return std::string(markdown);
  const auto note_for = [&](size_t left_out) {
    return "\n> [!NOTE]\n> This summary was cut here: " + with_commas(left_out) + " bytes are left out to stay within " +
           std::string(limit_name) + "." + (where_else.empty() ? std::string() : " " + std::string(where_else)) +
           "\n";
  };
  static constexpr std::string_view k_close_fence = "```\n";
  static constexpr std::string_view k_close_details = "\n</details>\n";
  // The note's length depends on the number in it; the longest possible number bounds it.
  const size_t note_max = note_for(markdown.size()).size();
  size_t room = max_bytes >= note_max ? max_bytes - note_max : 0;
  if (note_max > max_bytes) return {};
  for (;;) {
    size_t cut = markdown.rfind('\n', room);
    cut = cut == std::string_view::npos || room == 0 ? 0 : cut + 1;
    std::string out(markdown.substr(0, cut));
    // Close a code fence left open by the cut, or the note would render as code; then the open <details> blocks.
    bool in_fence = false;
    size_t open_details = 0;
    for (size_t pos = 0; pos < out.size();) {
      const size_t end = out.find('\n', pos);
      const std::string_view line = std::string_view(out).substr(pos, end - pos);
      const size_t indent = line.find_first_not_of(' ');
      if (indent != std::string_view::npos && indent < 4 && line.substr(indent).starts_with("```")) {
        in_fence = !in_fence;
      } else if (!in_fence && line.starts_with("<details>")) {
        ++open_details;
      } else if (!in_fence && line.starts_with("</details>") && open_details != 0) {
        --open_details;
      }
      if (end == std::string::npos) break;
      pos = end + 1;
    }
    if (in_fence) out += k_close_fence;
    for (size_t i = 0; i < open_details; ++i) out += k_close_details;
    if (out.size() + note_max <= max_bytes || cut == 0) {
      out += note_for(markdown.size() - cut);
      return out.size() <= max_bytes ? out : std::string();
    }
    room = cut >= 2 ? cut - 2 : 0;  // the closing lines did not fit: cut a line earlier
  }
}

}  // namespace treeprint
