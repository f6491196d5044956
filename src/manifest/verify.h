#pragma once
// Verifying a tree against a manifest, like `sha256sum -c` but for whole trees: which entries FAILED (content, mode
// or type differs), are MISSING, or are NEW (not in the manifest), and which could not be read now. Entries the
// manifest itself could not read carry no digest: they are counted apart, not held against the tree.

#include <cstddef>
#include <cstdint>
#include <string>

#include "manifest/diff.h"
#include "manifest/entry.h"

namespace treeprint {

struct VerifyReport {
  /// Only what the tree is to blame for: `changes` (no renames) and `unreadable`, the entries unreadable now.
  TreeDiff diff;
  /// Entries the manifest records as unreadable when it was written: not verified.
  size_t manifest_gaps = 0;
  bool new_allowed = false;

  uint64_t failed() const;   // modified, mode-changed or type-changed
  uint64_t missing() const;  // in the manifest, not in the tree
  uint64_t added() const;    // in the tree, not in the manifest (0 when allowed)
  bool ok() const { return diff.changes.empty() && diff.unreadable.empty(); }
};

/// Verifies `actual` (a scan of the tree) against `expected` (the manifest). With `allow_new`, entries not in the
/// manifest are no failure.
VerifyReport verify_tree(const Manifest& expected, const Manifest& actual, bool allow_new);

/// One line per problem: "path: FAILED (modified: 10 B -> 12 B)", "path: MISSING", "path: NEW (not in the
/// manifest)", "path: FAILED open or read (message)".
std::string render_verify_text(const VerifyReport& report);

/// "verify: OK; 0 differ, 0 missing, 0 new, 0 unreadable".
std::string verify_summary(const VerifyReport& report);

}  // namespace treeprint
