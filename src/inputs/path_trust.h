#pragma once
// Where a path-valued setting may lead, by who wrote it. The config file sits in the checkout, so on a pull request
// its author writes it; the workflow's inputs (INPUT_*, PLUGIN_*) and the defaults are written by the workflow's
// author.
//
//   - A relative path is relative to the workspace (GITHUB_WORKSPACE, else the current directory), and a path
//     inside the workspace stays inside it, whoever wrote it: `..` and symlinks are resolved by the kernel
//     (util/beneath.h) and may not lead out. A symlink a pull request plants cannot redirect an input either.
//   - An output (manifest-path, sha256sum-path) may also be under RUNNER_TEMP, with the same rule there.
//   - Any other absolute path only from the workflow: a value from the config file is refused.
//   - A file is always written as a new file renamed over the name (AtomicFile::create_in): a symlink at the final
//     name is replaced, never followed, and directories are created one at a time, never through a symlink.

#include <functional>
#include <string>

#include "util/env.h"
#include "util/result.h"

namespace treeprint {

enum class PathSource {
  workflow,    // INPUT_* / PLUGIN_* or a default
  repository,  // the config file
};

/// The directories the rules refer to: absolute, without a trailing slash; runner_temp may be "".
struct PathRoots {
  std::string workspace;
  std::string runner_temp;
};

/// GITHUB_WORKSPACE (else the current directory) and RUNNER_TEMP.
PathRoots path_roots(const EnvLookup& env);

/// An fd that is closed with its owner.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : m_fd(fd) {}
  ~UniqueFd();
  UniqueFd(UniqueFd&& other) noexcept : m_fd(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  int get() const { return m_fd; }
  int release() {
    const int fd = m_fd;
    m_fd = -1;
    return fd;
  }

 private:
  int m_fd = -1;
};

/// Opens a file to read (`directory` false) or a directory to scan by the rules above. The error is the sentence
/// after "<input> (<origin>): " ("'../x' leads outside the workspace ...").
Result<UniqueFd> open_trusted(const PathRoots& roots, const std::string& path, PathSource source, bool directory);

/// Where an output goes: its directory, open, and the file's name in it.
struct OutputPlace {
  UniqueFd dir;
  std::string base_name;
};

/// Opens the directory of the output `path` by the rules above, creating the missing directories; each one created
/// is passed, open, to `created` (to give it an owner), with its path.
Result<OutputPlace> place_output(const PathRoots& roots, const std::string& path, PathSource source,
                                 const std::function<void(int fd, const std::string& path)>& created);

}  // namespace treeprint
