#pragma once
// The Markdown job summary for one scan: totals, the root digest, the largest files, bytes per top-level directory,
// the first errors, when a baseline was compared what changed (kinds with no change left out), and the changed
// files grouped by filter. The heading names the repository and the compared commit; lists are collapsible and
// capped with "and N more". Every name is rendered safely (md_code), and the
// whole text stays within GitHub's 1 MiB step summary limit, with a visible note when it had to be cut.

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
  size_t max_bytes = k_step_summary_limit;
};

std::string build_job_summary(const Manifest& manifest, const Digest& root, const JobSummaryOptions& options);

}  // namespace treeprint
