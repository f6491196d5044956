#include "app/compare_commands.h"

#include <sys/stat.h>

#include <unordered_set>

#include "app/scan_command.h"
#include "manifest/diff.h"
#include "manifest/manifest.h"
#include "manifest/path_encoding.h"
#include "manifest/reader.h"
#include "util/format.h"

namespace treeprint {

namespace {

constexpr size_t k_markdown_rows = 1000;

// A side of a comparison: a directory is scanned with `scan`'s settings, anything else is read as a manifest.
bool load_side(const std::string& path, const ScanOptions& settings, AppContext& ctx, Manifest* out) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    ScanOptions o = settings;
    o.dir = path;
    return scan_tree(o, ctx, out);
  }
  ManifestHeader header;
  std::string error;
  if (!load_manifest(path, out, &header, &error)) {
    std::fprintf(ctx.err, "treeprint: error: %s\n", printable(error).c_str());
    return false;
  }
  if (header.shard) {
    std::fprintf(ctx.err,
                 "treeprint: warning: %s holds shard %u of %u only: merge the shards first for a whole-tree "
                 "comparison\n",
                 printable(path).c_str(), header.shard->index, header.shard->count);
  }
  return true;
}

const char* type_text(EntryState::Type t) {
  return t == EntryState::Type::file ? "file" : t == EntryState::Type::symlink ? "symlink" : "none";
}

// "10 B -> 12 B", "0644 -> 0755", "file -> symlink", "-> target": what a change consists of, for people.
std::string details(const Change& c) {
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

std::string counts_text(const TreeDiff& d) {
  std::string out;
  for (int k = 0; k < k_change_kinds; ++k) {
    if (d.counts[k] == 0) continue;
    if (!out.empty()) out += ", ";
    out += with_commas(d.counts[k]) + " " + change_name(static_cast<ChangeKind>(k));
  }
  return out.empty() ? "no changes" : out;
}

void append_state(std::string& out, const EntryState& s) {
  out.append("{\"type\": \"").append(type_text(s.type)).append("\"");
  if (s.type == EntryState::Type::file) {
    out.append(", \"size\": ").append(std::to_string(s.size));
    out.append(", \"mode\": \"").append(mode_text(s.executable)).append("\", \"sha256\": \"");
    append_hex(out, s.sha256);
    out.append("\"");
  } else if (s.type == EntryState::Type::symlink) {
    out.append(", ");
    append_json_name(out, "target", s.target);
  }
  out.append("}");
}

std::string render_json(const TreeDiff& d) {
  std::string out = "{\n  \"identical\": ";
  out.append(d.identical() ? "true" : "false").append(",\n  \"counts\": {");
  for (int k = 0; k < k_change_kinds; ++k) {
    out.append(k == 0 ? "\"" : ", \"").append(change_name(static_cast<ChangeKind>(k))).append("\": ");
    out.append(std::to_string(d.counts[k]));
  }
  out.append("},\n  \"changes\": [");
  for (size_t i = 0; i < d.changes.size(); ++i) {
    const Change& c = d.changes[i];
    out.append(i == 0 ? "\n    {\"change\": \"" : ",\n    {\"change\": \"").append(change_name(c.kind)).append("\", ");
    append_json_name(out, "path", c.path);
    if (c.kind == ChangeKind::renamed) {
      out.append(", ");
      append_json_name(out, "old_path", c.old_path);
    }
    if (c.before.type != EntryState::Type::none) {
      out.append(", \"before\": ");
      append_state(out, c.before);
    }
    if (c.after.type != EntryState::Type::none) {
      out.append(", \"after\": ");
      append_state(out, c.after);
    }
    out.append("}");
  }
  out.append(d.changes.empty() ? "],\n  \"unreadable\": [" : "\n  ],\n  \"unreadable\": [");
  for (size_t i = 0; i < d.unreadable.size(); ++i) {
    out.append(i == 0 ? "\n    {" : ",\n    {");
    append_json_name(out, "path", d.unreadable[i].path);
    out.append(", \"message\": ");
    append_json_string(
        out, is_valid_utf8(d.unreadable[i].message) ? d.unreadable[i].message : printable(d.unreadable[i].message));
    out.append("}");
  }
  out.append(d.unreadable.empty() ? "]\n}\n" : "\n  ]\n}\n");
  return out;
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
  out += "**" + counts_text(d) + "**\n\n";
  if (!d.changes.empty()) {
    out += "| change | path | details |\n|---|---|---|\n";
    for (size_t i = 0; i < d.changes.size() && i < k_markdown_rows; ++i) {
      const Change& c = d.changes[i];
      std::string det = markdown_path(details(c));
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
    const std::string det = details(c);
    if (!det.empty()) out += "  (" + det + ")";
    out += "\n";
  }
  for (const ErrorEntry& e : d.unreadable)
    out += "unreadable   " + printable(e.path) + "  (" + printable(e.message) + ")\n";
  return out;
}

bool emit(const std::string& text, AppContext& ctx) {
  const bool ok = std::fwrite(text.data(), 1, text.size(), ctx.out) == text.size() && std::fflush(ctx.out) == 0;
  if (!ok) std::fprintf(ctx.err, "treeprint: error: writing the report to standard output failed\n");
  return ok;
}

std::string render(const TreeDiff& d, ReportFormat format, const std::string& title) {
  switch (format) {
    case ReportFormat::json: return render_json(d);
    case ReportFormat::markdown: return render_markdown(d, title);
    case ReportFormat::text: return render_text(d);
  }
  return "";
}

}  // namespace

int run_diff(const DiffOptions& o, AppContext& ctx) {
  Manifest before, after;
  if (!load_side(o.old_side, o.scan, ctx, &before) || !load_side(o.new_side, o.scan, ctx, &after)) return k_exit_fatal;
  const TreeDiff d = diff_trees(before, after);
  if (!emit(render(d, o.format, "treeprint diff"), ctx)) return k_exit_fatal;
  if (!o.scan.quiet) std::fprintf(ctx.err, "treeprint: %s\n", counts_text(d).c_str());
  return d.identical() && d.unreadable.empty() ? k_exit_ok : k_exit_partial;
}

int run_verify(const VerifyOptions& o, AppContext& ctx, VerifyCounts* counts) {
  Manifest expected, actual;
  if (!load_side(o.manifest, o.scan, ctx, &expected)) return k_exit_fatal;
  struct stat st {};
  if (::stat(o.dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    std::fprintf(ctx.err, "treeprint: error: '%s' is not a directory; give the tree to verify\n",
                 printable(o.dir).c_str());
    return k_exit_fatal;
  }
  if (!load_side(o.dir, o.scan, ctx, &actual)) return k_exit_fatal;
  TreeDiff d = diff_trees(expected, actual, /*detect_renames=*/false);

  // Entries the manifest itself could not read carry no digest: say so, but they are not the tree's fault.
  std::vector<ErrorEntry> tree_errors;
  size_t manifest_gaps = 0;
  std::unordered_set<std::string_view> unreadable_now;
  for (const ErrorEntry& e : actual.errors) unreadable_now.insert(e.path);
  for (ErrorEntry& e : d.unreadable) {
    if (unreadable_now.contains(e.path)) {
      tree_errors.push_back(std::move(e));
    } else {
      ++manifest_gaps;
    }
  }
  d.unreadable = std::move(tree_errors);
  if (o.allow_new) {
    std::erase_if(d.changes, [](const Change& c) { return c.kind == ChangeKind::added; });
    d.counts[static_cast<size_t>(ChangeKind::added)] = 0;
  }

  if (o.format == ReportFormat::text) {
    std::string out;
    for (const Change& c : d.changes) {
      const char* what = c.kind == ChangeKind::added     ? "NEW (not in the manifest)"
                         : c.kind == ChangeKind::removed ? "MISSING"
                                                         : "FAILED";
      out += printable(c.path) + ": " + what;
      if (c.kind != ChangeKind::added && c.kind != ChangeKind::removed)
        out += " (" + std::string(change_name(c.kind)) + ": " + details(c) + ")";
      out += "\n";
    }
    for (const ErrorEntry& e : d.unreadable)
      out += printable(e.path) + ": FAILED open or read (" + printable(e.message) + ")\n";
    if (!emit(out, ctx)) return k_exit_fatal;
  } else if (!emit(render(d, o.format, "treeprint verify"), ctx)) {
    return k_exit_fatal;
  }
  const bool ok = d.changes.empty() && d.unreadable.empty();
  const uint64_t failed = d.counts[static_cast<size_t>(ChangeKind::modified)] +
                          d.counts[static_cast<size_t>(ChangeKind::mode_changed)] +
                          d.counts[static_cast<size_t>(ChangeKind::type_changed)];
  if (counts != nullptr) {
    *counts = {failed + d.unreadable.size(), d.counts[static_cast<size_t>(ChangeKind::removed)],
               d.counts[static_cast<size_t>(ChangeKind::added)]};
  }
  if (!o.scan.quiet) {
    if (manifest_gaps != 0) {
      std::fprintf(ctx.err,
                   "treeprint: warning: %zu entries could not be read when the manifest was written: not verified\n",
                   manifest_gaps);
    }
    std::fprintf(ctx.err, "treeprint: verify: %s; %s differ, %s missing, %s new%s, %s unreadable\n",
                 ok ? "OK" : "FAILED", with_commas(failed).c_str(),
                 with_commas(d.counts[static_cast<size_t>(ChangeKind::removed)]).c_str(),
                 with_commas(d.counts[static_cast<size_t>(ChangeKind::added)]).c_str(), o.allow_new ? " (allowed)" : "",
                 with_commas(d.unreadable.size()).c_str());
  }
  return ok ? k_exit_ok : k_exit_partial;
}

}  // namespace treeprint
