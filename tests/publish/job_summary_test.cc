#include "publish/job_summary.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <deque>
#include <memory>

#include "manifest/path_encoding.h"
#include "util/text.h"

namespace treeprint {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

/// Builds a Manifest whose entries live in its own FileTable.
class ManifestBuilder {
 public:
  ManifestBuilder& file(std::string path, uint64_t size) {
    m_files.push_back({std::move(path), size});
    return *this;
  }
  ManifestBuilder& error(std::string path, std::string message) {
    m_manifest.errors.push_back({std::move(path), std::move(message)});
    return *this;
  }
  ManifestBuilder& symlink(std::string path) {
    m_manifest.symlinks.push_back({std::move(path), "target", ""});
    return *this;
  }
  Manifest build() {
    std::sort(m_files.begin(), m_files.end());
    Manifest m;
    m.errors = m_manifest.errors;
    m.symlinks = m_manifest.symlinks;
    for (const auto& [path, size] : m_files) {
      FileEntry* e = m.table.add(path);
      e->size = size;
      m.files.push_back(e);
      m.total_bytes += size;
    }
    return m;
  }

 private:
  std::vector<std::pair<std::string, uint64_t>> m_files;
  Manifest m_manifest;
};

Digest digest_of(unsigned char b) {
  Digest d;
  d.fill(b);
  return d;
}

/// The lines of `text` from the one equal to `heading` up to the next blank line after the table.
std::vector<std::string> section(const std::string& text, const std::string& heading) {
  std::vector<std::string> out;
  size_t pos = text.find("\n" + heading + "\n");
  if (pos == std::string::npos) return out;
  pos = text.find('\n', pos + 1) + 1;
  if (text[pos] == '\n') ++pos;  // the blank line after the heading
  while (pos < text.size() && text[pos] != '\n') {
    const size_t nl = text.find('\n', pos);
    out.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return out;
}

TEST(JobSummary, TotalsAndDigest) {
  Manifest m = ManifestBuilder().file("a", 1000).file("b/c", 500).file("d", 0).symlink("l").error("x", "EIO").build();
  m.skipped.push_back({"fifo", "fifo"});
  JobSummaryOptions o;
  o.scanned = "src";
  o.manifest = "artifact treeprint-build-1";
  const std::string md = build_job_summary(m, digest_of(0xab), o);
  EXPECT_TRUE(
      md.starts_with("## treeprint: `src`\n\n| Files | Bytes | Symlinks | Skipped | Errors |\n"
                     "|---:|---:|---:|---:|---:|\n| 3 | 1.5 kB | 1 | 1 | 1 |\n"))
      << md;
  EXPECT_THAT(md,
              HasSubstr("**Root digest:** `sha256:abababababababababababababababababababababababababababababababab`"));
  EXPECT_THAT(md, HasSubstr("\n**Manifest:** artifact treeprint\\-build\\-1\n"));
  EXPECT_THAT(md, Not(HasSubstr("Changes since")));
}

TEST(JobSummary, RootDigestIsTheHexOfTheDigest) {
  Digest d{};
  d[0] = 0x01;
  d[31] = 0xfe;
  const std::string md = build_job_summary(ManifestBuilder().build(), d, {});
  EXPECT_THAT(md, HasSubstr("`sha256:01" + std::string(60, '0') + "fe`"));
  EXPECT_THAT(md, Not(HasSubstr("### Largest files")));  // nothing to list
}

TEST(JobSummary, LargestFiles) {
  ManifestBuilder b;
  for (int i = 0; i < 12; ++i) b.file("f" + std::to_string(i), static_cast<uint64_t>(i) * 1000);
  b.file("tie-b", 11000).file("tie-a", 11000);
  const std::string md = build_job_summary(b.build(), {}, {});
  EXPECT_THAT(
      section(md, "### Largest files"),
      ::testing::ElementsAre("| Size | File |", "|---:|---|", "| 11.0 kB | `f11` |", "| 11.0 kB | `tie-a` |",
                             "| 11.0 kB | `tie-b` |", "| 10.0 kB | `f10` |", "| 9.0 kB | `f9` |", "| 8.0 kB | `f8` |",
                             "| 7.0 kB | `f7` |", "| 6.0 kB | `f6` |", "| 5.0 kB | `f5` |", "| 4.0 kB | `f4` |"));
}

TEST(JobSummary, BytesByTopLevelDirectory) {
  ManifestBuilder b;
  for (int i = 1; i <= 20; ++i) {
    b.file("d" + std::to_string(100 + i) + "/x", static_cast<uint64_t>(i) * 100);
    b.file("d" + std::to_string(100 + i) + "/deep/y", static_cast<uint64_t>(i) * 100);
  }
  b.file("top-level-file", 3700);
  const auto rows = section(build_job_summary(b.build(), {}, {}), "### Bytes by top-level directory");
  ASSERT_EQ(rows.size(), 2u + 15u + 1u);
  EXPECT_EQ(rows[0], "| Directory | Files | Bytes |");
  EXPECT_EQ(rows[2], "| `d120/` | 2 | 4.0 kB |");
  EXPECT_EQ(rows[3], "| `d119/` | 2 | 3.8 kB |");
  EXPECT_EQ(rows[4], "| (files at the top level) | 1 | 3.7 kB |");
  EXPECT_EQ(rows[16], "| `d107/` | 2 | 1.4 kB |");
  // d101..d106: 6 directories, 12 files, 2 * 100 * (1+2+...+6) bytes.
  EXPECT_EQ(rows[17], "| other (6 directories) | 12 | 4.2 kB |");
}

TEST(JobSummary, ErrorsAreEscaped) {
  const Manifest m = ManifestBuilder()
                         .error("a|b`c\nd<img src=x onerror=alert(1)>", "read failed | <b>EIO</b> *now*")
                         .error("bad\xff\xfename", "gone")
                         .build();
  const std::string md = build_job_summary(m, {}, {});
  EXPECT_THAT(
      section(md, "### Errors"),
      ::testing::ElementsAre("| Path | Error |", "|---|---|",
                             "| ``a\\|b`c\\x0ad<img src=x onerror=alert(1)>`` | read failed \\| \\<b\\>EIO\\</b\\> "
                             "\\*now\\* |",
                             "| `bad\\xff\\xfename` | gone |"));
  EXPECT_TRUE(is_valid_utf8(md));
}

TEST(JobSummary, FirstErrorsOnly) {
  ManifestBuilder b;
  for (int i = 0; i < 25; ++i) b.error("e" + std::to_string(100 + i), "EACCES");
  const std::string md = build_job_summary(b.build(), {}, {});
  EXPECT_EQ(section(md, "### Errors (the first 20 of 25)").size(), 22u);
  EXPECT_THAT(md, HasSubstr("`e119`"));
  EXPECT_THAT(md, Not(HasSubstr("`e120`")));
  EXPECT_THAT(md, HasSubstr("All 25 errors are in the manifest's `errors` list."));
}

TEST(JobSummary, NamesThatAreNotUtf8RenderSafely) {
  const Manifest m = ManifestBuilder().file("dir\xff/caf\xc3\xa9\x80", 10).file("\xc0\xaf/x", 5).build();
  const std::string md = build_job_summary(m, {}, {});
  EXPECT_TRUE(is_valid_utf8(md));
  EXPECT_THAT(md, HasSubstr("| 10 B | `dir\\xff/caf\xc3\xa9\\x80` |"));
  EXPECT_THAT(md, HasSubstr("| `\\xc0\\xaf/` | 1 | 5 B |"));
}

TEST(JobSummary, LongNamesAreShortened) {
  const Manifest m = ManifestBuilder().file(std::string(5000, 'n'), 1).build();
  JobSummaryOptions o;
  o.max_name_bytes = 100;
  const std::string md = build_job_summary(m, {}, o);
  EXPECT_THAT(md, HasSubstr("| 1 B | `" + std::string(97, 'n') + "\xe2\x80\xa6` |"));
  EXPECT_THAT(md, Not(HasSubstr(std::string(98, 'n'))));
}

TEST(JobSummary, Changes) {
  ChangeSummary c;
  c.baseline = "run #41";
  c.added.count = 15;
  for (int i = 0; i < 15; ++i) c.added.examples.push_back({"new" + std::to_string(i), ""});
  c.removed.count = 1;
  c.removed.examples.push_back({"old|file", ""});
  c.renamed.count = 1;
  c.renamed.examples.push_back({"b.txt", "a.txt"});
  c.modified.count = 3;  // counted, no examples given
  JobSummaryOptions o;
  o.changes = &c;
  const std::string md = build_job_summary(ManifestBuilder().file("x", 1).build(), {}, o);
  EXPECT_THAT(
      section(md, "### Changes since run \\#41"),
      ::testing::ElementsAre("| Change | Count |", "|---|---:|", "| Added | 15 |", "| Removed | 1 |",
                             "| Modified | 3 |", "| Renamed | 1 |"));  // the kinds with no change are left out
  EXPECT_THAT(md, HasSubstr("<details><summary>Added (15)</summary>\n\n- `new0`\n"));
  EXPECT_THAT(md, HasSubstr("- `new9`\n- \xe2\x80\xa6 and 5 more\n\n</details>"));
  EXPECT_THAT(md, Not(HasSubstr("`new10`")));
  EXPECT_THAT(md, HasSubstr("<details><summary>Removed (1)</summary>\n\n- `old|file`\n\n</details>"));
  EXPECT_THAT(md, HasSubstr("- `a.txt` \xe2\x86\x92 `b.txt`\n"));
  EXPECT_THAT(md, Not(HasSubstr("<summary>Modified")));

  ChangeSummary none;
  none.baseline = "main.json";
  o.changes = &none;
  EXPECT_THAT(build_job_summary(ManifestBuilder().build(), {}, o),
              HasSubstr("### Changes since main\\.json\n\nNo changes: every file matches the baseline.\n"));
}

TEST(JobSummary, HeadingNamesTheRepositoryAndTheComparedCommit) {
  JobSummaryOptions o;
  o.scanned = "src";
  o.repository = "octo/repo";
  o.compared_commit = "0123456789abcdef0123456789abcdef01234567";
  const std::string md = build_job_summary(ManifestBuilder().build(), {}, o);
  EXPECT_TRUE(md.starts_with("## treeprint \xc2\xb7 octo/repo: `src` compared with `0123456789ab`\n\n")) << md;
}

TEST(JobSummary, ManifestIsNamedByItsArtifact) {
  JobSummaryOptions o;
  o.manifest = "manifest.json";
  o.manifest_artifact = "treeprint-scan-1";
  o.manifest_artifact_url = "https://github.com/o/r/actions/runs/7#artifacts";
  EXPECT_THAT(build_job_summary(ManifestBuilder().build(), {}, o),
              HasSubstr("\n**Manifest:** `manifest.json` in the artifact "
                        "[`treeprint-scan-1`](https://github.com/o/r/actions/runs/7#artifacts)\n"));
  o.manifest_artifact_url.clear();
  EXPECT_THAT(build_job_summary(ManifestBuilder().build(), {}, o),
              HasSubstr("\n**Manifest:** `manifest.json` in the artifact `treeprint-scan-1`\n"));
}

TEST(JobSummary, ChangesByFilter) {
  std::vector<FilterResult> filters(3);
  filters[0].name = "backend";
  for (int i = 0; i < 12; ++i) filters[0].files.push_back("src/f" + std::to_string(i) + ".c");
  filters[1].name = "docs";
  filters[2].name = "web";
  filters[2].files = {"web/index.html"};
  ChangeSummary c;
  JobSummaryOptions o;
  o.changes = &c;
  o.filters = &filters;
  const std::string md = build_job_summary(ManifestBuilder().build(), {}, o);
  EXPECT_THAT(section(md, "### Changes by filter"),
              ::testing::ElementsAre("| Filter | Changed files |", "|---|---:|", "| `backend` | 12 |", "| `web` | 1 |"));
  EXPECT_THAT(md, HasSubstr("<details><summary>`backend` (12)</summary>\n\n- `src/f0.c`\n"));
  EXPECT_THAT(md, HasSubstr("- `src/f9.c`\n- \xe2\x80\xa6 and 2 more\n\n</details>"));
  EXPECT_THAT(md, Not(HasSubstr("`src/f10.c`")));
  EXPECT_THAT(md, HasSubstr("<details><summary>`web` (1)</summary>\n\n- `web/index.html`\n\n</details>"));
  EXPECT_THAT(md, HasSubstr("No changes for: `docs`\n"));
  EXPECT_THAT(md, Not(HasSubstr("every file counts as added")));

  o.changes = nullptr;  // no baseline
  EXPECT_THAT(build_job_summary(ManifestBuilder().build(), {}, o),
              HasSubstr("### Changes by filter\n\nNo baseline was compared: every file counts as added.\n"));

  // Many filters with long names still fit the step summary's limit.
  std::vector<FilterResult> many(20000);
  for (size_t i = 0; i < many.size(); ++i) {
    many[i].name = "f" + std::to_string(i) + std::string(200, 'x');
    many[i].files = {std::string(250, 'p'), std::string(250, 'q')};
  }
  o.filters = &many;
  const std::string big = build_job_summary(ManifestBuilder().build(), {}, o);
  EXPECT_LE(big.size(), k_step_summary_limit);
  EXPECT_THAT(big, HasSubstr("Lists are shortened to stay within GitHub's 1 MiB limit for a step summary."));
  EXPECT_THAT(big, HasSubstr(" more filters | "));
  EXPECT_THAT(big, Not(HasSubstr("This summary was cut here")));
}

TEST(JobSummary, StaysWithinTheLimitByShorteningLists) {
  ManifestBuilder b;
  for (int i = 0; i < 5000; ++i) b.error(std::to_string(i) + std::string(290, 'p'), "EIO");
  JobSummaryOptions o;
  o.max_errors = 5000;  // more than fits in 1 MiB
  const Manifest m = b.build();
  const std::string md = build_job_summary(m, {}, o);
  EXPECT_LE(md.size(), k_step_summary_limit);
  EXPECT_GT(md.size(), k_step_summary_limit / 4);
  EXPECT_THAT(md, HasSubstr("### Errors (the first "));
  EXPECT_THAT(md, HasSubstr("All 5,000 errors are in the manifest's `errors` list."));
  EXPECT_THAT(md, HasSubstr("Lists are shortened"));
  EXPECT_THAT(md, Not(HasSubstr("This summary was cut here")));

  o.max_bytes = 2000;
  const std::string small = build_job_summary(m, {}, o);
  EXPECT_LE(small.size(), 2000u);
  EXPECT_THAT(small, HasSubstr("**Root digest:**"));
  EXPECT_THAT(small, HasSubstr("### Errors (the first "));
  EXPECT_THAT(small, HasSubstr(" of 5,000)\n"));
  EXPECT_THAT(small, HasSubstr("Lists are shortened"));

  // A limit too small for even the shortest lists: cut at a line, with a note naming the limit.
  o.max_bytes = 300;
  o.limit_name = "a tiny limit";
  const std::string tiny = build_job_summary(m, {}, o);
  EXPECT_LE(tiny.size(), 300u);
  EXPECT_THAT(tiny, HasSubstr("bytes are left out to stay within a tiny limit."));
}

// The number of UTF-16 code units, as the limits in characters are counted.
size_t characters(const std::string& s) { return utf16_length(s); }

size_t count_of(const std::string& text, std::string_view part) {
  size_t n = 0;
  for (size_t pos = text.find(part); pos != std::string::npos; pos = text.find(part, pos + part.size())) ++n;
  return n;
}

// '|' that separate table cells (an escaped one, "\|", is inside a cell).
size_t cell_bars(std::string_view line) {
  size_t n = 0;
  for (size_t i = 0; i < line.size(); ++i) n += line[i] == '|' && (i == 0 || line[i - 1] != '\\');
  return n;
}

// What would make GitHub render the text wrong after a cut: a <details> left open or nested, a table whose rows
// do not all have the header's cells, a code span or a line cut in two.
void expect_whole_markdown(const std::string& md) {
  SCOPED_TRACE("summary of " + std::to_string(md.size()) + " bytes");
  EXPECT_FALSE(md.empty());
  EXPECT_EQ(md.back(), '\n');
  int open_details = 0;
  size_t header_bars = 0;  // in a table: the header's
  bool prev_blank = true;
  size_t pos = 0;
  while (pos < md.size()) {
    const size_t nl = md.find('\n', pos);
    const std::string line = md.substr(pos, nl - pos);
    pos = nl + 1;
    if (line.starts_with("<details>")) {
      EXPECT_EQ(open_details, 0) << line;
      ++open_details;
      EXPECT_TRUE(line.ends_with("</summary>")) << line;
    }
    if (line == "</details>") {
      EXPECT_EQ(open_details, 1);
      --open_details;
    }
    if (line.starts_with("|")) {
      if (header_bars == 0) {
        EXPECT_TRUE(prev_blank) << "a table starts after a blank line: " << line;
        header_bars = cell_bars(line);
      } else {
        EXPECT_EQ(cell_bars(line), header_bars) << line;
      }
      EXPECT_TRUE(line.ends_with("|")) << line;
    } else {
      header_bars = 0;
    }
    EXPECT_EQ(count_of(line, "`") % 2, 0u) << line;
    prev_blank = line.empty();
  }
  EXPECT_EQ(open_details, 0);
  EXPECT_EQ(md.find("This summary was cut here"), std::string::npos);
}

// The count that an "and N more" line gives for the <details> block headed `summary`, and the items shown above it.
std::pair<size_t, uint64_t> shown_and_more(const std::string& md, const std::string& summary) {
  size_t pos = md.find("<details><summary>" + summary + "</summary>\n\n");
  if (pos == std::string::npos) return {0, 0};
  pos = md.find("\n\n", pos) + 2;
  size_t shown = 0;
  uint64_t more = 0;
  while (md.compare(pos, 2, "- ") == 0) {
    const size_t nl = md.find('\n', pos);
    const std::string item = md.substr(pos, nl - pos);
    if (item.starts_with("- \xe2\x80\xa6 and ")) {
      std::string digits;
      for (char c : item.substr(std::string("- \xe2\x80\xa6 and ").size())) {
        if (c == ',') continue;
        if (c < '0' || c > '9') break;
        digits += c;
      }
      more = std::stoull(digits);
    } else {
      ++shown;
    }
    pos = nl + 1;
  }
  return {shown, more};
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// 100,000 changes with long names, non-ASCII (three bytes a character in UTF-8) among them, grouped by 40 filters:
// each place gets a summary within its limit whose lists are shorter, never a cut one.
TEST(JobSummary, HundredThousandChangesFitEachPlace) {
  const std::string cjk = "\xe6\x96\x87\xe4\xbb\xb6";  // two characters, six bytes
  const auto name = [&](const char* kind, int i) {
    std::string n = std::string("packages/") + kind + "/" + std::to_string(i) + "/";
    for (int k = 0; k < 40; ++k) n += cjk;
    return n + ".txt";
  };
  ChangeSummary c;
  c.baseline = "run #7";
  const std::pair<ChangeExamples*, int> kinds[] = {{&c.added, 40000},   {&c.removed, 20000}, {&c.modified, 30000},
                                                  {&c.renamed, 9000},  {&c.mode_changed, 900}, {&c.type_changed, 100}};
  for (auto [kind, n] : kinds) {
    kind->count = static_cast<uint64_t>(n);
    for (int i = 0; i < n; ++i) {
      kind->examples.push_back({name("k", i), kind == &c.renamed ? name("old", i) : std::string()});
    }
  }
  ASSERT_EQ(c.total(), 100000u);
  std::vector<FilterResult> filters(80);
  for (size_t f = 0; f < filters.size(); ++f) {
    filters[f].name = "filter-" + std::to_string(f) + "-" + cjk;
    for (int i = 0; i < 2500; ++i) filters[f].files.push_back(name("f", i));
  }
  ManifestBuilder b;
  for (int i = 0; i < 2000; ++i) b.file(name("m", i), static_cast<uint64_t>(i));
  for (int i = 0; i < 100; ++i) b.error(name("e", i), "Permission denied");
  const Manifest m = b.build();

  struct Place {
    const char* what;
    size_t max_characters;
    std::string limit_name;
  };
  const Place places[] = {
      {"step summary", 0, "GitHub's 1 MiB limit for a step summary"},
      {"check run", 65535, "GitHub's limit of 65,535 characters for a check run"},
      {"comment", 65536 - 60, "GitHub's limit of 65,536 characters for a comment"},
  };
  for (const Place& place : places) {
    SCOPED_TRACE(place.what);
    JobSummaryOptions o;
    o.changes = &c;
    o.filters = &filters;
    o.max_characters = place.max_characters;
    o.limit_name = place.limit_name;
    const std::string md = build_job_summary(m, {}, o);
    EXPECT_LE(md.size(), k_step_summary_limit);
    if (place.max_characters != 0) {
      EXPECT_LE(characters(md), place.max_characters);
      EXPECT_GT(md.size(), place.max_characters);  // counted in bytes it would not have fit
      EXPECT_TRUE(contains(md, "Lists are shortened to stay within " + place.limit_name + "."));
    } else {
      EXPECT_FALSE(contains(md, "Lists are shortened"));  // 1 MiB holds the lists as asked
    }
    expect_whole_markdown(md);
    // Every kind keeps its row with the full count.
    EXPECT_TRUE(contains(md, "| Added | 40,000 |\n| Removed | 20,000 |\n| Modified | 30,000 |\n| Renamed | 9,000 |\n"
                              "| Mode changed | 900 |\n| Type changed | 100 |\n"));
    // Whatever is listed ends in "and N more" with the rest counted exactly.
    for (const auto& [label, count] : {std::pair<std::string, uint64_t>{"Added (40,000)", 40000},
                                       {"Modified (30,000)", 30000}, {"Renamed (9,000)", 9000}}) {
      const auto [shown, more] = shown_and_more(md, label);
      if (shown != 0) {
        EXPECT_EQ(shown + more, count) << label;
      }
    }
    const auto [shown, more] = shown_and_more(md, "`filter-0-" + cjk + "` (2,500)");
    if (shown != 0) {
      EXPECT_EQ(shown + more, 2500u);
    }
    EXPECT_TRUE(contains(md, "| `filter-0-" + cjk + "` | 2,500 |"));
    EXPECT_TRUE(contains(md, "### Errors (the first "));
  }
}
}  // namespace
}  // namespace treeprint
