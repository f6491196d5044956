#pragma once
// The command table: parses the command line, runs the command with the given seams, returns the exit code.

#include <cstdio>

#include "util/env.h"
#include "util/fs.h"

namespace treeprint {

/// Exit codes, documented in README.md and `treeprint --help`.
enum ExitCode : int {
  k_exit_ok = 0,       // everything was read
  k_exit_partial = 1,  // finished, but some entries could not be read (each is in the manifest's "errors")
  k_exit_differ = 1,   // diff, verify: the trees differ (or an entry could not be compared)
  k_exit_fatal = 2,    // usage error, or the scan could not run (DIR missing, output not writable)
};

struct AppContext {
  FileSystem& fs;
  std::FILE* out;
  std::FILE* err;
  EnvLookup env = process_environment();
};

int run_app(int argc, const char* const* argv, AppContext& ctx);

}  // namespace treeprint
