#pragma once
// What GitHub's `hashFiles()` expression returns, computed here without its time limit: the runner's algorithm
// (actions/runner's hashFiles script on @actions/glob) on the same patterns and workspace gives the same string.
// docs/hash-files.md describes the algorithm and its edge cases.
//
// The pattern dialect is @actions/glob's, not gitignore's: one pattern per line, trimmed; empty lines and lines
// starting with '#' are skipped; a leading '!' (repeatable) negates; patterns are relative to the workspace unless
// absolute ('/', '~', './'); '.' may only be the first segment and '..' never; `*`, `?`, `[...]` never cross '/';
// `**` as a whole segment matches any number of directories; dot files match like any other; a pattern that is not
// `**`-terminated also matches everything below what it names; later patterns override earlier ones.

#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace treeprint {

struct HashFilesOptions {
  /// hashFiles('--follow-symbolic-links', ...): descend into symlinked directories (cycles cut, broken links
  /// left out). Off by default, as in hashFiles(): a symlink is then never descended, but a matched symlink to a
  /// file is hashed with its target's content, and a matched broken symlink is an error.
  bool follow_symlinks = false;
};

struct HashFilesResult {
  /// 64 lower-case hex digits, or "" when no file matched (what hashFiles() returns then).
  std::string hash;
  /// The files hashed, in the order their digests went in, relative to the workspace.
  std::vector<std::string> files;
};

/// Hashes the files of `workspace` (an absolute path) that `patterns` (newline-separated) select. A pattern that
/// @actions/glob rejects ('..', a '.' segment after the first) fails with a message naming it, as does a file that
/// cannot be read: hashFiles() fails the step in both cases.
Result<HashFilesResult> hash_files(const std::string& workspace, std::string_view patterns,
                                   const HashFilesOptions& options = {});

/// The patterns of a hashFiles() call's arguments as one string, with the '--follow-symbolic-links' first argument
/// taken out into `options`: {"--follow-symbolic-links", "a/**", "b"} -> "a/**\nb". Any other first argument
/// starting with "--" is an error, as it is for the runner.
Result<std::string> hash_files_arguments(const std::vector<std::string>& arguments, HashFilesOptions* options);

}  // namespace treeprint
