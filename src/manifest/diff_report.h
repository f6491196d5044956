#pragma once
// How a TreeDiff reads: for people (text, one line per change; Markdown, a table for a pull request or a job
// summary) and for programs (JSON). `treeprint diff` and `verify` print these; the action summarises with them.

#include <string>

#include "manifest/diff.h"

namespace treeprint {

enum class DiffFormat { text, json, markdown };

/// "10 B -> 12 B", "0644 -> 0755", "file -> symlink", "from old/path": what a change consists of.
std::string change_details(const Change& change);
/// "2 added, 1 modified", or "no changes".
std::string change_counts_text(const TreeDiff& diff);
/// The whole diff in `format`; `title` heads the Markdown.
std::string render_diff(const TreeDiff& diff, DiffFormat format, const std::string& title);

}  // namespace treeprint
