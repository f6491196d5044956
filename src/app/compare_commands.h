#pragma once
// `treeprint diff OLD NEW` and `treeprint verify MANIFEST [DIR]`: both compare two trees, each read from a manifest
// or scanned from a directory, and report the differences as text, JSON or Markdown.

#include "app/app.h"
#include "inputs/scan_options.h"

namespace treeprint {

int run_diff(const DiffOptions& options, AppContext& ctx);
int run_verify(const VerifyOptions& options, AppContext& ctx);

}  // namespace treeprint
