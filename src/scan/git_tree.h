#pragma once
// One git work tree as the walker sees it: its index (what is tracked, and the stat data that say a file is
// unchanged), the ignore rules that apply from above the scanned directory, and the checkout-conversion facts that
// decide whether a digest from an earlier scan may be reused for a file without reading it (docs/git.md).
//
// Paths: the walker's are relative to the scanned directory DIR; the index's and the ignore rules' are relative to
// the work tree's root. A GitTree maps one to the other: the scan path `scan_base` (where the work tree's directory
// `repository().prefix` lies in the scan: "" for the tree DIR is in, "sub" for a submodule at DIR/sub) plus a
// relative rest becomes `prefix/rest`.
//
// Ignore rules, as `git ls-files --others --exclude-standard` applies them: the repository's info/exclude (followed
// if it is a symlink, as git follows it), then the .gitignore file of each directory from the work tree's root down
// to DIR (in-tree ignore files are never followed through a symlink), then the ones the walk finds. A pattern file
// larger than git's cap (100 MiB) is skipped with a warning, as git skips it. The user's global excludes file
// (core.excludesFile, ~/.config/git/ignore) is not read: the scan describes the repository, not whoever runs it.
//
// Checkout conversion (the fast path's safety rule, docs/git.md "The fast path"): the bytes git writes for a blob
// depend on .gitattributes (text, eol, crlf, ident, filter, working-tree-encoding, and macros that may set them) and
// on config (core.autocrlf, core.eol, filter drivers). A path "may convert" when any attribute line that could set
// one of those has a pattern matching it, or core.autocrlf is on, or a config source cannot be fully read (include,
// GIT_CONFIG_* in the environment); such a path never takes the fast path. The conversion digest hashes every input
// that decision was made from, so that a baseline is used only when it was made from the same inputs.

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "git/index.h"
#include "git/repository.h"
#include "scan/ignore.h"
#include "util/digest.h"
#include "util/env.h"
#include "util/result.h"

namespace treeprint {

/// git's cap on a pattern file (dir.c: larger ones are ignored with a warning).
inline constexpr uint64_t k_git_pattern_file_max = 100 << 20;

class GitTree {
 public:
  struct Options {
    bool top = true;                // the work tree DIR is in (false: a submodule or nested repository below it)
    bool read_ignore_rules = true;  // --no-gitignore: only the tracked set is used
    EnvLookup env;                  // where HOME, XDG_CONFIG_HOME and GIT_CONFIG_* come from (null: none)
  };

  /// Reads the index and the rules for `repo`'s work tree. Fails, saying what was wrong, when the index cannot be
  /// read (damaged, an unknown version, a split or sparse index). `warnings` receives notes on ignore files.
  static Result<std::unique_ptr<GitTree>> open(git::Repository repo, std::string scan_base, const Options& options,
                                               std::vector<std::string>* warnings);

  const git::Repository& repository() const { return m_repo; }
  const git::Index& index() const { return *m_index; }
  bool top() const { return m_top; }
  const std::string& scan_base() const { return m_scan_base; }

  /// The work-tree path of `scan_path` (relative to DIR, at or below scan_base()).
  std::string work_path(std::string_view scan_path) const;
  /// The index position of `work_path` when it is tracked: its stage-0 entry, or its first unmerged stage.
  std::optional<size_t> tracked(std::string_view work_path) const;
  /// The index positions [begin, end) of the entries below a directory: what the walker searches for the entries of
  /// a directory it lists, instead of the whole index.
  struct Range {
    size_t begin = 0;
    size_t end = 0;
  };
  Range tracked_below(std::string_view work_dir) const;
  /// An entry directly in a directory: its name there, and what tracked() gives for its path.
  struct TrackedName {
    std::string_view name;  // viewing the index
    uint32_t position;
  };
  /// The entries directly in `work_dir` (files, symlinks, submodules), whose tracked_below() is `below`, sorted by
  /// name (the index's order): what the walker looks each listed name up in. The entries of a subdirectory are
  /// stepped over a subdirectory at a time, not one by one.
  void tracked_in(std::string_view work_dir, Range below, std::vector<TrackedName>* out) const;
  /// The position of `name` in a tracked_in() list.
  static std::optional<size_t> find_name(const std::vector<TrackedName>& names, std::string_view name);
  /// Whether the index has an entry below the directory `work_dir` ("" is the root).
  bool has_tracked_below(std::string_view work_dir) const;

  /// The rules that apply at scan_base() from above it (info/exclude and the ancestors' .gitignore files).
  const std::shared_ptr<const IgnoreChain>& start_ignore() const { return m_start_ignore; }
  /// Whether scan_base() itself lies in a directory the ancestors' rules ignore (only tracked files are kept).
  bool start_ignored() const { return m_start_ignored; }

  /// Whether checkout conversion may apply to the file at `work_path` (see the header comment).
  bool may_convert(std::string_view work_path) const;
  /// Whether may_convert() is false for every path (no attribute line may convert, and nothing else forces it).
  bool converts_nothing() const { return !m_convert_everything && m_conversion_rules.empty(); }
  /// Hex SHA-256 of the conversion inputs; "" when they could not all be read (then nothing is reused).
  const std::string& conversion_digest() const { return m_conversion_digest; }

  /// Notes an index entry as seen on disk by the walk (each position is written by one thread at most).
  void mark_listed(size_t position) const { m_listed[position].store(1, std::memory_order_relaxed); }
  /// Tracked stage-0 entries below scan_base() that the walk never listed, not counting skip-worktree ones (a
  /// sparse checkout leaves them out on purpose) and submodules: files deleted from disk, or replaced by a directory.
  uint64_t missing_count() const;
  /// Unmerged paths below scan_base().
  uint64_t unmerged_count() const;

 private:
  GitTree() = default;
  void read_ignore_rules(std::vector<std::string>* warnings);
  void read_conversion_inputs(const Options& options);

  git::Repository m_repo;
  std::optional<git::Index> m_index;
  std::string m_scan_base;
  bool m_top = true;
  std::shared_ptr<const IgnoreChain> m_start_ignore;
  bool m_start_ignored = false;
  // Attribute lines that may set a conversion attribute, each as a one-pattern rule set based at its file's directory.
  std::vector<RuleSet> m_conversion_rules;
  bool m_convert_everything = false;
  std::string m_conversion_digest;
  std::unique_ptr<std::atomic<uint8_t>[]> m_listed;
};

/// Reads a file below the work tree without following a final symlink (git reads in-tree .gitignore and
/// .gitattributes so). nullopt when it is missing, not a regular file or unreadable; `too_big` when over `limit`.
std::optional<std::string> read_in_tree_file(const std::string& path, uint64_t limit, bool* too_big);

}  // namespace treeprint
