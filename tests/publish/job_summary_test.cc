#include "publish/job_summary.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <deque>
#include <memory>

#include "manifest/path_encoding.h"

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
  EXPECT_THAT(big, HasSubstr("This summary was cut here"));
}

TEST(JobSummary, StaysWithinTheLimit) {
  ManifestBuilder b;
  for (int i = 0; i < 5000; ++i) b.error(std::to_string(i) + std::string(290, 'p'), "EIO");
  JobSummaryOptions o;
  o.max_errors = 5000;  // more than fits in 1 MiB
  const std::string md = build_job_summary(b.build(), {}, o);
  EXPECT_LE(md.size(), k_step_summary_limit);
  EXPECT_GT(md.size(), k_step_summary_limit - 1000);
  EXPECT_THAT(md, HasSubstr("This summary was cut here"));
  EXPECT_THAT(md, HasSubstr("The manifest has every entry."));

  o.max_bytes = 2000;
  const std::string small = build_job_summary(b.build(), {}, o);
  EXPECT_LE(small.size(), 2000u);
  EXPECT_THAT(small, HasSubstr("**Root digest:**"));
  EXPECT_THAT(small, HasSubstr("This summary was cut here"));
}

}  // namespace
}  // namespace treeprint
