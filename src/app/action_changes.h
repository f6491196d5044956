#pragma once
// The action's change outputs: what the next step of a workflow consumes. From the diff with the baseline (or, with
// no baseline, every entry as added), the change lists and the `filters` results, the `hash-files` hash over the
// workspace, the complete changes file written atomically beside the manifest (by the same place rules), and the
// step outputs through the runner, with a warning for every list an output could not hold whole. All of it is
// local: it runs before the network is touched. docs/changed.md documents the outputs and the file.

#include <optional>
#include <string>
#include <vector>

#include "inputs/action_settings.h"
#include "inputs/path_trust.h"
#include "manifest/changes.h"
#include "manifest/diff.h"
#include "util/atomic_file.h"
#include "util/result.h"

namespace treeprint {

class Runner;

struct ActionChangesContext {
  const ActionSettings* settings = nullptr;
  const TreeDiff* diff = nullptr;      // null: no baseline was compared
  std::string baseline;                // what was compared ("run 41 (0123456789ab)"), "" for none
  std::string workspace;               // absolute: where hash-files patterns are resolved
  const OutputPlace* manifest_place = nullptr;  // the manifest's directory, open; the changes file goes there
  std::optional<FileOwner> owner;      // who the changes file belongs to (a root container's output)
};

struct ActionChanges {
  ChangeLists lists;
  std::vector<FilterResult> filters;
  std::string changes_path;  // the changes file as written, "" when it could not be
};

/// The changes file's name beside the manifest: "manifest.json" -> "manifest.changes.json", "m" -> "m.changes.json".
std::string changes_file_name(const std::string& manifest_base_name);

/// Computes, writes and publishes the changes of `scanned` (the manifest written by this run). Fails, with a message
/// naming the input, only when `hash-files` cannot be computed (a pattern or a matched file hashFiles() would fail
/// on too); a changes file or an output that cannot be written is a warning.
Result<ActionChanges> publish_action_changes(const Manifest& scanned, const ActionChangesContext& context,
                                             Runner& runner);

}  // namespace treeprint
