#include "manifest/diff_report.h"

#include <cstdio>

#include "manifest/manifest.h"
#include "manifest/path_encoding.h"
#include "util/format.h"

namespace treeprint {

namespace {

constexpr size_t k_markdown_rows = 1000;

const char* type_text(EntryState::Type t) {
  return t == EntryState::Type::file ? "file" : t == EntryState::Type::symlink ? "symlink" : "none";
}

// "10 B -> 12 B", "0644 -> 0755", "file -> symlink", "-> target": what a change consists of, for people.
}  // namespace

std::string change_details(const Change& c) {
  const EntryState &a = c.before, &b = c.after;
  switch (c.kind) {
    case ChangeKind::added:
    case ChangeKind::removed: {
      const EntryState& s = c.kind == ChangeKind::added ? b : a;
      return s.type == EntryState::Type::symlink ? "symlink -> " + printable(s.target) : human_bytes(s.size);
    }
    case ChangeKind::modified:
      if (a.type == EntryState::Type::symlink) return "target " + printable(a.target) + " -> " + printable(b.target);
      return human_bytes(a.size) + " -> " + human_bytes(b.size) +
             (a.executable != b.executable
                  ? std::string(", ") + mode_text(a.executable) + " -> " + mode_text(b.executable)
                  : std::string());
    case ChangeKind::mode_changed: return std::string(mode_text(a.executable)) + " -> " + mode_text(b.executable);
    case ChangeKind::type_changed: return std::string(type_text(a.type)) + " -> " + type_text(b.type);
    case ChangeKind::renamed: return "from " + printable(c.old_path);
  }
  return "";
}

std::string change_counts_text(const TreeDiff& d) {
  std::string out;
  for (int k = 0; k < k_change_kinds; ++k) {
    if (d.counts[k] == 0) continue;
    if (!out.empty()) out += ", ";
    out += with_commas(d.counts[k]) + " " + change_name(static_cast<ChangeKind>(k));
  }
  return out.empty() ? "no changes" : out;
}

namespace {

void add_state(JsonWriter& out, const EntryState& s) {
  out.begin_object().field("type", type_text(s.type));
  if (s.type == EntryState::Type::file) {
    out.field("size", s.size).field("mode", mode_text(s.executable)).field("sha256", to_hex(s.sha256));
  } else if (s.type == EntryState::Type::symlink) {
    add_json_name(out, "target", s.target);
  }
  out.end_object();
}

std::string render_json(const TreeDiff& d) {
  using Layout = JsonWriter::Layout;
  JsonWriter out(JsonWriter::Style::spaced);
  out.begin_object(Layout::lines).field("identical", d.identical()).key("counts").begin_object();
  for (int k = 0; k < k_change_kinds; ++k) out.field(change_name(static_cast<ChangeKind>(k)), d.counts[k]);
  out.end_object().key("changes").begin_array(Layout::lines);
  for (const Change& c : d.changes) {
    out.begin_object().field("change", change_name(c.kind));
    add_json_name(out, "path", c.path);
    if (c.kind == ChangeKind::renamed) add_json_name(out, "old_path", c.old_path);
    if (c.before.type != EntryState::Type::none) add_state(out.key("before"), c.before);
    if (c.after.type != EntryState::Type::none) add_state(out.key("after"), c.after);
    out.end_object();
  }
  out.end_array().key("unreadable").begin_array(Layout::lines);
  for (const ErrorEntry& e : d.unreadable) {
    out.begin_object();
    add_json_name(out, "path", e.path);
    out.field("message", is_valid_utf8(e.message) ? e.message : printable(e.message)).end_object();
  }
  return out.end_array().end_object().take() + "\n";
}

// A path inside a Markdown table cell: HTML-escaped in <code>, so pipes, backticks and markup stay text.
std::string markdown_path(std::string_view raw) {
  std::string out = "<code>";
  for (const char c : printable(raw)) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '|': out += "&#124;"; break;
      case '`': out += "&#96;"; break;
      default: out += c;
    }
  }
  return out + "</code>";
}

std::string render_markdown(const TreeDiff& d, const std::string& title) {
  std::string out = "### " + title + "\n\n";
  if (d.identical() && d.unreadable.empty()) return out + "No changes.\n";
  out += "**" + change_counts_text(d) + "**\n\n";
  if (!d.changes.empty()) {
    out += "| change | path | details |\n|---|---|---|\n";
    for (size_t i = 0; i < d.changes.size() && i < k_markdown_rows; ++i) {
      const Change& c = d.changes[i];
      std::string det = markdown_path(change_details(c));
      out += std::string("| ") + change_name(c.kind) + " | " + markdown_path(c.path) + " | " + det + " |\n";
    }
    if (d.changes.size() > k_markdown_rows) {
      out += "\n… and " + with_commas(d.changes.size() - k_markdown_rows) + " more (use `--format json` for all).\n";
    }
  }
  if (!d.unreadable.empty()) {
    out += "\n" + with_commas(d.unreadable.size()) + " entries could not be read on one side and are not compared.\n";
  }
  return out;
}

std::string render_text(const TreeDiff& d) {
  std::string out;
  for (const Change& c : d.changes) {
    char kind[16];
    std::snprintf(kind, sizeof kind, "%-13s", change_name(c.kind));
    out += kind + printable(c.path);
    const std::string det = change_details(c);
    if (!det.empty()) out += "  (" + det + ")";
    out += "\n";
  }
  for (const ErrorEntry& e : d.unreadable)
    out += "unreadable   " + printable(e.path) + "  (" + printable(e.message) + ")\n";
  return out;
}

}  // namespace

std::string render_diff(const TreeDiff& d, DiffFormat format, const std::string& title) {
  switch (format) {
    case DiffFormat::json: return render_json(d);
    case DiffFormat::markdown: return render_markdown(d, title);
    case DiffFormat::text: return render_text(d);
  }
  return "";
}


}  // namespace treeprint
