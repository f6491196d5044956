#include "manifest/export.h"

#include "manifest/manifest.h"
#include "manifest/path_encoding.h"
#include "manifest/sha256sum_writer.h"
#include "util/format.h"

namespace treeprint {

namespace {

bool has_line_break(std::string_view name) { return name.find_first_of("\r\n") != std::string_view::npos; }

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

// "<hex>  <name>\n" for every file `carries` accepts; the others are listed in left_out.
template <typename Carries>
ExportResult plain_lines(const Manifest& m, Carries&& carries) {
  ExportResult r;
  for (const FileEntry* f : m.files) {
    if (!carries(f->path)) {
      r.left_out.emplace_back(f->path);
      continue;
    }
    append_hex(r.text, f->sha256);
    r.text.append("  ").append(f->path).push_back('\n');
  }
  return r;
}

}  // namespace

ExportResult export_sha256sum(const Manifest& m) {
  ExportResult r;
  write_sha256sum(m, [&](std::string_view s) { r.text.append(s); });
  return r;
}

ExportResult export_subject_checksums(const Manifest& m) {
  // actions/attest splits lines on \r?\n, takes the digest up to the first space and the name after it with one
  // leading '*' or ' ' removed, and reads the file as UTF-8.
  return plain_lines(m, [](std::string_view name) { return !has_line_break(name) && is_valid_utf8(name); });
}

ExportResult export_base64_subjects(const Manifest& m) {
  // slsa-github-generator trims each line and the name, and splits at the first space or tab.
  ExportResult r = plain_lines(m, [](std::string_view name) {
    return !has_line_break(name) && is_valid_utf8(name) && !is_space(name.front()) && !is_space(name.back());
  });
  r.text = base64_encode(r.text) + "\n";
  return r;
}

ExportResult export_in_toto(const Manifest& m, const Digest& root, std::string_view tool_version) {
  ExportResult r;
  std::string& s = r.text;
  s.append("{\n  \"_type\": \"https://in-toto.io/Statement/v1\",\n  \"subject\": [");
  bool first = true;
  for (const FileEntry* f : m.files) {
    if (!is_valid_utf8(f->path)) {  // a subject name is a JSON string: raw bytes cannot be carried
      r.left_out.emplace_back(f->path);
      continue;
    }
    s.append(first ? "\n    {\"name\": " : ",\n    {\"name\": ");
    first = false;
    append_json_string(s, f->path);
    s.append(", \"digest\": {\"sha256\": \"");
    append_hex(s, f->sha256);
    s.append("\"}}");
  }
  s.append(first ? "],\n" : "\n  ],\n");
  s.append("  \"predicateType\": \"").append(k_in_toto_predicate_type).append("\",\n");
  s.append("  \"predicate\": {\"schema\": \"")
      .append(k_manifest_schema)
      .append("\", \"tool\": {\"name\": \"treeprint\", ");
  s.append("\"version\": ");
  append_json_string(s, tool_version);
  s.append("}, \"root_digest\": \"sha256:").append(to_hex(root)).append("\", \"totals\": {\"files\": ");
  s.append(std::to_string(m.files.size())).append(", \"bytes\": ").append(std::to_string(m.total_bytes));
  s.append(", \"symlinks\": ").append(std::to_string(m.symlinks.size()));
  s.append(", \"skipped\": ").append(std::to_string(m.skipped.size()));
  s.append(", \"errors\": ").append(std::to_string(m.errors.size())).append("}}\n}\n");
  return r;
}

}  // namespace treeprint
