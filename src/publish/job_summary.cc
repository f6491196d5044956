#include "publish/job_summary.h"

#include <algorithm>
#include <string_view>
#include <unordered_map>

#include "util/format.h"
#include "util/text.h"

namespace treeprint {

namespace {

constexpr size_t k_shortest_name_bytes = 40;  // names are not shortened further than this to fit a limit

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
  if (kind.count == 0 || kind.examples.empty() || o.max_examples == 0) return;  // the count is in the table
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
  size_t unmatched_count = 0;
  size_t matched_count = 0;
  uint64_t files_not_shown = 0;
  for (const FilterResult& f : filters) {
    if (!f.matched()) {
      if (unmatched_count++ < o.max_filters) {
        unmatched += (unmatched.empty() ? "" : ", ") + md_code(truncate_utf8(f.name, o.max_name_bytes), false);
      }
      continue;
    }
    if (matched_count == 0) {
      append_line(out, "| Filter | Changed files |");
      append_line(out, "|---|---:|");
    }
    if (matched_count++ < o.max_filters) {
      out += "| " + md_code(truncate_utf8(f.name, o.max_name_bytes), true) + " | " + with_commas(f.files.size()) +
             " |\n";
    } else {
      files_not_shown += f.files.size();
    }
  }
  if (matched_count > o.max_filters) {
    const size_t rest = matched_count - o.max_filters;
    out += "| \xe2\x80\xa6 and " + with_commas(rest) + (rest == 1 ? " more filter" : " more filters") + " | " +
           with_commas(files_not_shown) + " |\n";
  }
  if (matched_count != 0) out += '\n';
  size_t listed = 0;
  for (const FilterResult& f : filters) {
    if (!f.matched() || o.max_examples == 0) continue;
    if (listed++ == o.max_filters) break;
    out += "<details><summary>" + md_code(truncate_utf8(f.name, o.max_name_bytes), false) + " (" +
           with_commas(f.files.size()) + ")</summary>\n\n";
    const size_t shown = std::min(f.files.size(), o.max_examples);
    for (size_t i = 0; i < shown; ++i) out += "- " + md_code(truncate_utf8(f.files[i], o.max_name_bytes), false) + "\n";
    if (f.files.size() > shown) out += "- \xe2\x80\xa6 and " + with_commas(f.files.size() - shown) + " more\n";
    out += "\n</details>\n\n";
  }
  if (!unmatched.empty()) {
    out += "No changes for: " + unmatched;
    if (unmatched_count > o.max_filters) out += " and " + with_commas(unmatched_count - o.max_filters) + " more";
    out += "\n";
  }
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


// The summary with the lists as long as `options` allow.
std::string render(const Manifest& manifest, const Digest& root, const JobSummaryOptions& options) {
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
  return out;
}

bool fits(const std::string& markdown, size_t trailer, const JobSummaryOptions& o) {
  return markdown.size() + trailer <= o.max_bytes &&
         (o.max_characters == 0 || utf16_length(markdown) + trailer <= o.max_characters);
}

// Halves `cap` (capped first at what there is to show, `count`), down to `floor`; false when that changes nothing.
bool halve(size_t* cap, size_t count, size_t floor) {
  const size_t now = std::min(*cap, count);
  const size_t next = std::max(now / 2, floor);
  if (next >= now) return false;
  *cap = next;
  return true;
}

// One step less detail: every list half as long (each still ends in "and N more"), then shorter names. False when
// there is nothing left to shorten.
bool shrink(JobSummaryOptions& o, const Manifest& m) {
  size_t examples = 0;
  if (o.changes != nullptr) {
    for (const ChangeExamples* k : {&o.changes->added, &o.changes->removed, &o.changes->modified, &o.changes->renamed,
                                    &o.changes->mode_changed, &o.changes->type_changed}) {
      examples = std::max(examples, k->examples.size());
    }
  }
  const size_t filters = o.filters != nullptr ? o.filters->size() : 0;
  if (o.filters != nullptr) {
    for (const FilterResult& f : *o.filters) examples = std::max(examples, f.files.size());
  }
  bool changed = halve(&o.max_examples, examples, 0);
  changed |= halve(&o.max_filters, filters, 1);
  changed |= halve(&o.max_errors, m.errors.size(), 1);
  changed |= halve(&o.largest_files, m.files.size(), 1);
  changed |= halve(&o.top_directories, m.files.size(), 1);
  if (!changed) changed = halve(&o.max_name_bytes, o.max_name_bytes, k_shortest_name_bytes);
  return changed;
}

}  // namespace

std::string build_job_summary(const Manifest& manifest, const Digest& root, const JobSummaryOptions& options) {
  std::string out = render(manifest, root, options);
  if (fits(out, 0, options)) return out;
  const std::string note = "\n> [!NOTE]\n> Lists are shortened to stay within " + options.limit_name +
                           ". The manifest has every entry.\n";
  const size_t trailer = note.size();  // bytes, never fewer than its characters
  JobSummaryOptions o = options;
  while (shrink(o, manifest)) {
    out = render(manifest, root, o);
    if (fits(out, trailer, o)) return out + note;
  }
  // The shortest lists fit, but not the note: the "and N more" lines and counts say it.
  if (fits(out, 0, o)) return out;
  // Even the shortest lists do not fit (a limit of a few hundred bytes): cut at a line, blocks closed, and say so.
  const size_t limit = options.max_characters == 0 ? options.max_bytes : std::min(options.max_bytes, options.max_characters);
  return fit_markdown(out, limit, "The manifest has every entry.", options.limit_name);
}

}  // namespace treeprint
