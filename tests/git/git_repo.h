#pragma once
// Real git for the tests of src/git/: repositories generated in scratch directories, git's own answers read back.
// Every command runs with a private HOME and no system config, so the machine's settings cannot leak in.

#include <cstdint>
#include <string>

#include "test_support.h"

namespace treeprint::git::testing {

struct Command {
  int status = -1;  // the exit status, -1 when it did not run or was killed
  std::string out;  // standard output (standard error goes to the test log)
};

/// Runs `shell` (sh -c) in `dir` with the private git environment.
Command run_in(const std::string& dir, const std::string& shell);

/// The single-quoted shell form of `s`.
std::string shell_quote(const std::string& s);

/// A scratch directory holding a repository in "repo" (created by init()); `git(...)` runs git there.
class GitRepo {
 public:
  GitRepo() = default;
  /// `git init` with `object_format` ("sha1" or "sha256"), an identity, and core.autocrlf off.
  void init(const std::string& object_format = "sha1", const std::string& sub = "repo");

  const std::string& root() const { return m_root; }  // the work tree
  const treeprint::testing::TempDir& dir() const { return m_dir; }
  /// Writes a file below the work tree (parent directories created).
  void write(const std::string& rel, const std::string& content, int mode = 0644) const;
  /// `git ARGS` in the work tree; fails the test unless it exits 0. Returns standard output.
  std::string git(const std::string& args) const;
  /// The same, returning the status too, for commands that may fail (a conflicting merge).
  Command try_git(const std::string& args) const;
  /// A shell command in the work tree; fails the test unless it exits 0. Returns standard output.
  std::string sh(const std::string& shell) const;
  /// `git rev-parse ARGS`, trimmed.
  std::string rev_parse(const std::string& args) const;
  /// With everything so far committed on main: `path` is changed one way on a branch "side" and another on main,
  /// both committed, and side is merged into main; the merge fails, leaving `path` unmerged (stages 1, 2 and 3).
  void conflicting_merge(const std::string& path) const;

 private:
  treeprint::testing::TempDir m_dir;
  std::string m_root;
};

/// A tree with the shapes that test tree order and the index format: names differing around '/' ("a-b", "a.c",
/// "a/x", "a0"), nested directories, an executable, a symlink, an empty file, spaces, a newline and UTF-8 in names,
/// and a path longer than the 12-bit name length field. Everything committed.
void populate(GitRepo& repo);

// Index bytes by hand, for what git itself would never write.
std::string be32(uint32_t v);
/// "DIRC", version, count.
std::string header(uint32_t version, uint32_t count);
/// A version 2/3 entry (SHA-1, zero stat data, id 1111...) for `path`, with `flags_extra` or'ed into its flags.
std::string v2_entry(const std::string& path, uint32_t mode = 0100644, uint16_t flags_extra = 0);
/// `body` followed by its SHA-1: a complete index.
std::string finish(const std::string& body);

}  // namespace treeprint::git::testing
