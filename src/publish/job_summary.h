#pragma once
// The Markdown job summary for one scan: totals, the root digest, the largest files, bytes per top-level directory,
// the first errors, when a baseline was compared what changed (kinds with no change left out), and the changed
// files grouped by filter. The heading names the repository and the compared commit; lists are collapsible and
// capped with "and N more". Every name is rendered safely (md_code).
//
// The whole text stays within the limit of the place it goes to: GitHub's 1 MiB for a step summary (max_bytes), and
// for a pull-request comment or a check run also a number of characters (max_characters, counted as utf16_length
// counts them). When the summary as asked for is longer, every list is made shorter, step by step (each still ends in
// "and N more", so no table row or <details> block is ever cut), then names, and a note says the lists were
// shortened. Only a limit too small for even the shortest lists cuts the text (at a line, open blocks closed, with a
// note).

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "manifest/changes.h"
#include "manifest/entry.h"
#include "publish/markdown.h"

namespace treeprint {

/// One kind of change: how many, and some of the paths (the caller may pass all of them; the summary shows at most
/// JobSummaryOptions::max_examples).
struct ChangeExamples {
  uint64_t count = 0;
  struct Example {
    std::string path;
    std::string from;  // renamed: the old path; otherwise ""
  };
  std::vector<Example> examples;
};

/// The result of comparing this scan with a baseline, as the summary needs it.
struct ChangeSummary {
  std::string baseline;  // what was compared against, shown as text ("run #41", "main.json")
  ChangeExamples added;
  ChangeExamples removed;
  ChangeExamples modified;
  ChangeExamples renamed;
  ChangeExamples mode_changed;
  ChangeExamples type_changed;

  uint64_t total() const {
    return added.count + removed.count + modified.count + renamed.count + mode_changed.count + type_changed.count;
  }
};

struct JobSummaryOptions {
  std::string scanned;          // the scanned directory, shown in the heading ("" to leave it out)
  std::string repository;       // "owner/name", shown in the heading ("" to leave it out)
  std::string compared_commit;  // the baseline's commit, shown (shortened) in the heading ("" to leave it out)
  uint64_t git_reused = 0;      // digests taken from the baseline without reading the files (on the git line)
  /// The manifest: its file name in `manifest_artifact` (linked to `manifest_artifact_url` when given), or, with no
  /// artifact, where it is. "" to leave it out.
  std::string manifest;
  std::string manifest_artifact;
  std::string manifest_artifact_url;
  const ChangeSummary* changes = nullptr;  // null: no baseline section
  /// Each filter's changed files; null: no filter section. With `changes` null every file counts as added.
  const std::vector<FilterResult>* filters = nullptr;
  size_t largest_files = 10;
  size_t top_directories = 15;
  size_t max_errors = 20;
  size_t max_examples = 10;     // per kind of change
  size_t max_name_bytes = 300;  // longer names are shortened with "…" (after escaping)
  size_t max_filters = SIZE_MAX;  // filters listed in the filter section; the rest are counted in one row
  size_t max_bytes = k_step_summary_limit;
  size_t max_characters = 0;  // 0: no limit in characters
  /// The limit, as the note about shortened lists names it.
  std::string limit_name = "GitHub's 1 MiB limit for a step summary";
};

std::string build_job_summary(const Manifest& manifest, const Digest& root, const JobSummaryOptions& options);

}  // namespace treeprint
