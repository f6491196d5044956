#pragma once
// What `treeprint scan` was asked to do, validated. Built from CLI flags today; the action's INPUT_* / PLUGIN_* and
// YAML config sources fill the same struct.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace treeprint {

struct FilterPattern {
  bool include;  // --include (true) or --exclude (false)
  std::string pattern;
};

struct ScanOptions {
  std::string dir = ".";
  std::string output;                  // -o; "" writes no manifest, "-" writes it to stdout
  std::string sha256sum_path;          // --sha256sum
  unsigned threads = 0;                // 0: one per CPU
  std::vector<FilterPattern> filters;  // in command-line order
  bool gitignore = true;
  bool scan_git_dir = false;
  std::optional<int64_t> since_ns;
  bool follow_symlinks = false;
  bool quiet = false;
};

}  // namespace treeprint
