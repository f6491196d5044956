#include "manifest/verify.h"

#include <unordered_set>

#include "manifest/diff_report.h"
#include "util/format.h"

namespace treeprint {

uint64_t VerifyReport::failed() const {
  return diff.counts[static_cast<size_t>(ChangeKind::modified)] +
         diff.counts[static_cast<size_t>(ChangeKind::mode_changed)] +
         diff.counts[static_cast<size_t>(ChangeKind::type_changed)];
}

uint64_t VerifyReport::missing() const { return diff.counts[static_cast<size_t>(ChangeKind::removed)]; }

uint64_t VerifyReport::added() const { return diff.counts[static_cast<size_t>(ChangeKind::added)]; }

VerifyReport verify_tree(const Manifest& expected, const Manifest& actual, bool allow_new) {
  VerifyReport r;
  r.new_allowed = allow_new;
  r.diff = diff_trees(expected, actual, /*detect_renames=*/false);
  std::vector<ErrorEntry> tree_errors;
  std::unordered_set<std::string_view> unreadable_now;
  for (const ErrorEntry& e : actual.errors) unreadable_now.insert(e.path);
  for (ErrorEntry& e : r.diff.unreadable) {
    if (unreadable_now.contains(e.path)) {
      tree_errors.push_back(std::move(e));
    } else {
      ++r.manifest_gaps;
    }
  }
  r.diff.unreadable = std::move(tree_errors);
  if (allow_new) {
    std::erase_if(r.diff.changes, [](const Change& c) { return c.kind == ChangeKind::added; });
    r.diff.counts[static_cast<size_t>(ChangeKind::added)] = 0;
  }
  return r;
}

std::string render_verify_text(const VerifyReport& report) {
  std::string out;
  for (const Change& c : report.diff.changes) {
    const char* what = c.kind == ChangeKind::added     ? "NEW (not in the manifest)"
                       : c.kind == ChangeKind::removed ? "MISSING"
                                                       : "FAILED";
    out += printable(c.path) + ": " + what;
    if (c.kind != ChangeKind::added && c.kind != ChangeKind::removed) {
      out += " (" + std::string(change_name(c.kind)) + ": " + change_details(c) + ")";
    }
    out += "\n";
  }
  for (const ErrorEntry& e : report.diff.unreadable) {
    out += printable(e.path) + ": FAILED open or read (" + printable(e.message) + ")\n";
  }
  return out;
}

std::string verify_summary(const VerifyReport& r) {
  return std::string("verify: ") + (r.ok() ? "OK" : "FAILED") + "; " + with_commas(r.failed()) + " differ, " +
         with_commas(r.missing()) + " missing, " + with_commas(r.added()) + " new" +
         (r.new_allowed ? " (allowed)" : "") + ", " + with_commas(r.diff.unreadable.size()) + " unreadable";
}

}  // namespace treeprint
