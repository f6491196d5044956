#include "publish/job_summary.h"

#include <algorithm>
#include <string_view>
#include <unordered_map>

#include "util/format.h"
#include "util/text.h"

namespace treeprint {

namespace {

struct DirTotal {
  std::string_view name;  // "src" (without the slash), or "" for files at the top level
  uint64_t files = 0;
  uint64_t bytes = 0;
};

void append_line(std::string& out, std::string_view text) {
  out.append(text);
  out += '\n';
}

void append_totals(std::string& out, const Manifest& m, const Digest& root, const JobSummaryOptions& o) {
  append_line(out, "| Files | Bytes | Symlinks | Skipped | Errors |");
  append_line(out, "|---:|---:|---:|---:|---:|");
  out += "| " + with_commas(m.files.size()) + " | " + human_bytes(m.total_bytes) + " | " +
         with_commas(m.symlinks.size()) + " | " + with_commas(m.skipped.size()) + " | " + with_commas(m.errors.size()) +
         " |\n\n";
  out += "**Root digest:** `sha256:" + to_hex(root) + "`\n";
  if (m.git) {
    const GitSummary& g = *m.git;
    const std::string base = !g.head.empty()   ? "commit `" + g.head.substr(0, 12) + "`'s tree"
                             : !g.tree.empty() ? "tree `" + g.tree.substr(0, 12) + "`"
                                               : std::string("the index");
    out += "\n**Git:** " + base + " + " + with_commas(g.untracked) + " untracked + " + with_commas(g.modified) +
           " modified";
    if (o.git_reused != 0) out += "; " + with_commas(o.git_reused) + " digests reused from the baseline unread";
    out += "\n";
  }
  if (o.manifest.empty()) return;
  out += "\n**Manifest:** ";
  if (o.manifest_artifact.empty()) {
    out += md_text(o.manifest) + "\n";
    return;
  }
  const std::string artifact = md_code(truncate_utf8(o.manifest_artifact, o.max_name_bytes), false);
  out += md_code(truncate_utf8(o.manifest, o.max_name_bytes), false) + " in the artifact " +
         (o.manifest_artifact_url.empty() ? artifact : "[" + artifact + "](" + o.manifest_artifact_url + ")") + "\n";
}

void append_examples(std::string& out, std::string_view label, const ChangeExamples& kind, const JobSummaryOptions& o) {
  if (kind.count == 0 || kind.examples.empty()) return;
  out += "<details><summary>" + std::string(label) + " (" + with_commas(kind.count) + ")</summary>\n\n";
  const size_t shown = std::min(kind.examples.size(), o.max_examples);
  for (size_t i = 0; i < shown; ++i) {
    const auto& e = kind.examples[i];
    out += "- ";
    if (!e.from.empty()) out += md_code(truncate_utf8(e.from, o.max_name_bytes), false) + " \xe2\x86\x92 ";
    out += md_code(truncate_utf8(e.path, o.max_name_bytes), false) + "\n";
  }
  if (kind.count > shown) out += "- \xe2\x80\xa6 and " + with_commas(kind.count - shown) + " more\n";
  out += "\n</details>\n\n";
}

void append_changes(std::string& out, const ChangeSummary& c, const JobSummaryOptions& o) {
  out += "\n### Changes since " + (c.baseline.empty() ? std::string("the baseline") : md_text(c.baseline)) + "\n\n";
  if (c.total() == 0) {
    append_line(out, "No changes: every file matches the baseline.");
    return;
  }
  const std::pair<const char*, const ChangeExamples*> kinds[] = {
      {"Added", &c.added},     {"Removed", &c.removed},           {"Modified", &c.modified},
      {"Renamed", &c.renamed}, {"Mode changed", &c.mode_changed}, {"Type changed", &c.type_changed},
  };
  append_line(out, "| Change | Count |");
  append_line(out, "|---|---:|");
  for (const auto& [label, kind] : kinds) {
    if (kind->count != 0) out += "| " + std::string(label) + " | " + with_commas(kind->count) + " |\n";
  }
  out += '\n';
  for (const auto& [label, kind] : kinds) append_examples(out, label, *kind, o);
}

void append_filters(std::string& out, const std::vector<FilterResult>& filters, bool has_baseline,
                    const JobSummaryOptions& o) {
  out += "\n### Changes by filter\n\n";
  if (!has_baseline) append_line(out, "No baseline was compared: every file counts as added.\n");
  std::string unmatched;
  bool any = false;
  for (const FilterResult& f : filters) {
    if (!f.matched()) {
      unmatched += (unmatched.empty() ? "" : ", ") + md_code(truncate_utf8(f.name, o.max_name_bytes), false);
      continue;
    }
    if (!any) {
      append_line(out, "| Filter | Changed files |");
      append_line(out, "|---|---:|");
      any = true;
    }
    out += "| " + md_code(truncate_utf8(f.name, o.max_name_bytes), true) + " | " + with_commas(f.files.size()) + " |\n";
  }
  if (any) out += '\n';
  for (const FilterResult& f : filters) {
    if (!f.matched()) continue;
    out += "<details><summary>" + md_code(truncate_utf8(f.name, o.max_name_bytes), false) + " (" +
           with_commas(f.files.size()) + ")</summary>\n\n";
    const size_t shown = std::min(f.files.size(), o.max_examples);
    for (size_t i = 0; i < shown; ++i) out += "- " + md_code(truncate_utf8(f.files[i], o.max_name_bytes), false) + "\n";
    if (f.files.size() > shown) out += "- \xe2\x80\xa6 and " + with_commas(f.files.size() - shown) + " more\n";
    out += "\n</details>\n\n";
  }
  if (!unmatched.empty()) out += "No changes for: " + unmatched + "\n";
}

void append_largest(std::string& out, const Manifest& m, const JobSummaryOptions& o) {
  if (m.files.empty() || o.largest_files == 0) return;
  std::vector<const FileEntry*> files(m.files.begin(), m.files.end());
  const size_t n = std::min(files.size(), o.largest_files);
  std::partial_sort(files.begin(), files.begin() + static_cast<std::ptrdiff_t>(n), files.end(),
                    [](const FileEntry* a, const FileEntry* b) {
                      return a->size != b->size ? a->size > b->size : a->path < b->path;
                    });
  out += "\n### Largest files\n\n";
  append_line(out, "| Size | File |");
  append_line(out, "|---:|---|");
  for (size_t i = 0; i < n; ++i) {
    out += "| " + human_bytes(files[i]->size) + " | " + md_code(truncate_utf8(files[i]->path, o.max_name_bytes), true) +
           " |\n";
  }
}

void append_directories(std::string& out, const Manifest& m, const JobSummaryOptions& o) {
  if (m.files.empty() || o.top_directories == 0) return;
  std::unordered_map<std::string_view, DirTotal> by_name;
  for (const FileEntry* f : m.files) {
    const size_t slash = f->path.find('/');
    const std::string_view top = slash == std::string_view::npos ? std::string_view() : f->path.substr(0, slash);
    DirTotal& t = by_name[top];
    t.name = top;
    ++t.files;
    t.bytes += f->size;
  }
  std::vector<DirTotal> dirs;
  dirs.reserve(by_name.size());
  for (const auto& [name, total] : by_name) dirs.push_back(total);
  std::sort(dirs.begin(), dirs.end(), [](const DirTotal& a, const DirTotal& b) {
    return a.bytes != b.bytes ? a.bytes > b.bytes : a.name < b.name;
  });
  out += "\n### Bytes by top-level directory\n\n";
  append_line(out, "| Directory | Files | Bytes |");
  append_line(out, "|---|---:|---:|");
  const size_t shown = std::min(dirs.size(), o.top_directories);
  for (size_t i = 0; i < shown; ++i) {
    const DirTotal& d = dirs[i];
    const std::string name = d.name.empty() ? std::string("(files at the top level)")
                                            : md_code(truncate_utf8(std::string(d.name) + "/", o.max_name_bytes), true);
    out += "| " + name + " | " + with_commas(d.files) + " | " + human_bytes(d.bytes) + " |\n";
  }
  if (dirs.size() > shown) {
    DirTotal other;
    for (size_t i = shown; i < dirs.size(); ++i) {
      other.files += dirs[i].files;
      other.bytes += dirs[i].bytes;
    }
    const size_t count = dirs.size() - shown;
    out += "| other (" + with_commas(count) + (count == 1 ? " directory" : " directories") + ") | " +
           with_commas(other.files) + " | " + human_bytes(other.bytes) + " |\n";
  }
}

void append_errors(std::string& out, const Manifest& m, const JobSummaryOptions& o) {
  if (m.errors.empty() || o.max_errors == 0) return;
  const size_t shown = std::min(m.errors.size(), o.max_errors);
  out += "\n### Errors";
  if (shown < m.errors.size()) out += " (the first " + with_commas(shown) + " of " + with_commas(m.errors.size()) + ")";
  out += "\n\n";
  append_line(out, "| Path | Error |");
  append_line(out, "|---|---|");
  for (size_t i = 0; i < shown; ++i) {
    const ErrorEntry& e = m.errors[i];
    out += "| " + md_code(truncate_utf8(e.path, o.max_name_bytes), true) + " | " +
           md_text(truncate_utf8(e.message, 4 * o.max_name_bytes)) + " |\n";
  }
  if (shown < m.errors.size()) {
    out += "\nAll " + with_commas(m.errors.size()) + " errors are in the manifest's `errors` list.\n";
  }
}

}  // namespace

std::string build_job_summary(const Manifest& manifest, const Digest& root, const JobSummaryOptions& options) {
  std::string out = "## treeprint";
  if (!options.repository.empty()) out += " \xc2\xb7 " + md_text(truncate_utf8(options.repository, options.max_name_bytes));
  if (!options.scanned.empty()) out += ": " + md_code(truncate_utf8(options.scanned, options.max_name_bytes), false);
  if (!options.compared_commit.empty()) {
    out += " compared with " + md_code(options.compared_commit.substr(0, 12), false);
  }
  out += "\n\n";
  append_totals(out, manifest, root, options);
  if (options.changes != nullptr) append_changes(out, *options.changes, options);
  if (options.filters != nullptr) append_filters(out, *options.filters, options.changes != nullptr, options);
  append_largest(out, manifest, options);
  append_directories(out, manifest, options);
  append_errors(out, manifest, options);
  return fit_markdown(out, options.max_bytes, "The manifest has every entry.");
}

}  // namespace treeprint
