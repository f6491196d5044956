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
  using Layout = JsonWriter::Layout;
  JsonWriter s(JsonWriter::Style::spaced);
  s.begin_object(Layout::lines).field("_type", "https://in-toto.io/Statement/v1").key("subject");
  s.begin_array(Layout::lines);
  for (const FileEntry* f : m.files) {
    if (!is_valid_utf8(f->path)) {  // a subject name is a JSON string: raw bytes cannot be carried
      r.left_out.emplace_back(f->path);
      continue;
    }
    s.begin_object().field("name", f->path).key("digest").begin_object().field("sha256", to_hex(f->sha256));
    s.end_object().end_object();
  }
  s.end_array().field("predicateType", k_in_toto_predicate_type).key("predicate").begin_object();
  s.field("schema", k_manifest_schema).key("tool").begin_object().field("name", "treeprint");
  s.field("version", tool_version).end_object().field("root_digest", "sha256:" + to_hex(root));
  s.key("totals").begin_object().field("files", m.files.size()).field("bytes", m.total_bytes);
  s.field("symlinks", m.symlinks.size()).field("skipped", m.skipped.size()).field("errors", m.errors.size());
  s.end_object().end_object();
  r.text = s.end_object().take() + "\n";
  return r;
}

}  // namespace treeprint
