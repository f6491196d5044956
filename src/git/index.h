#pragma once
// A reader of git's index file (the "dircache", gitformat-index(5)), versions 2, 3 and 4, in either object format.
//
// Layout: "DIRC", version, entry count (32-bit big-endian each); the entries; extensions; and the checksum of
// everything before it in the repository's hash. An entry: ctime and mtime (seconds, nanoseconds), dev, ino, mode,
// uid, gid, size (32-bit each), the object id, 16 bits of flags (assume-valid 0x8000, extended 0x4000, stage
// 0x3000, name length 0x0fff, 0x0fff meaning "longer"), in version 3 and later 16 more when extended
// (skip-worktree 0x4000, intent-to-add 0x2000, the rest reserved), then the path. Versions 2 and 3: the path, NUL,
// padding with NULs to a multiple of 8 bytes from the entry's start. Version 4: a varint N, the number of bytes to
// drop from the end of the previous path, then the rest of this path and a NUL, no padding.
//
// What is accepted and what is refused (every refusal is an error naming the file and the reason):
// - The checksum must match, or be all zeros (index.skipHash, which git 2.40 and later may write).
// - Entries must be sorted by path then stage, as git keeps them; paths relative, without empty, "." or ".."
//   components (a scan may stat them); modes 100644, 100755, 120000 or 160000; reserved extended bits clear.
// - Extensions: one whose signature starts with 'A'..'Z' is optional and skipped by its size; "TREE" (the cache
//   tree) is read for its root. Any other is required and refused: "link" (a split index: the entries are in
//   another file), "sdir" (a sparse index: directories stand for the files below them) and unknown ones.
// - A missing index file is an empty index, as git treats it (a repository with nothing added yet).
//
// Memory: the file is mapped read-only and kept, as git itself maps it (git replaces an index by renaming a new
// file over it, never by writing into it); an entry costs 12 bytes beyond it (its offset and its path's), plus, in
// version 4 only, its full path in an arena (prefix compression has to be undone to give a view). Entries are
// decoded on access. The checksum of a large index is computed on a second thread while its entries are parsed.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "git/object_id.h"
#include "util/result.h"

namespace treeprint::git {

struct IndexTime {
  uint32_t seconds = 0;
  uint32_t nanoseconds = 0;
  friend bool operator==(const IndexTime&, const IndexTime&) = default;
};

inline constexpr uint32_t k_mode_file = 0100644;
inline constexpr uint32_t k_mode_executable = 0100755;
inline constexpr uint32_t k_mode_symlink = 0120000;
inline constexpr uint32_t k_mode_gitlink = 0160000;

inline constexpr uint16_t k_flag_assume_valid = 0x8000;
inline constexpr uint16_t k_flag_extended = 0x4000;
inline constexpr uint16_t k_flag_stage_mask = 0x3000;
inline constexpr uint16_t k_flag_name_mask = 0x0fff;
inline constexpr uint16_t k_extended_skip_worktree = 0x4000;
inline constexpr uint16_t k_extended_intent_to_add = 0x2000;

/// One entry, decoded. `path` views the index's buffer or arena: valid while the Index lives.
struct IndexEntry {
  std::string_view path;
  IndexTime ctime;
  IndexTime mtime;
  uint32_t dev = 0;
  uint32_t ino = 0;
  uint32_t mode = 0;
  uint32_t uid = 0;
  uint32_t gid = 0;
  uint32_t size = 0;  // the low 32 bits of the size, as git records it
  ObjectId id;
  uint16_t flags = 0;           // as on disk (the name length bits included)
  uint16_t extended_flags = 0;  // 0 unless k_flag_extended

  int stage() const { return (flags & k_flag_stage_mask) >> 12; }
  /// `git update-index --assume-unchanged` (CE_VALID).
  bool assume_unchanged() const { return (flags & k_flag_assume_valid) != 0; }
  bool skip_worktree() const { return (extended_flags & k_extended_skip_worktree) != 0; }
  /// `git add -N`: the id is the empty blob's, not the file's.
  bool intent_to_add() const { return (extended_flags & k_extended_intent_to_add) != 0; }
};

class Index {
 public:
  /// Reads `path` (the git directory's "index"), mapping it; the object format is the repository's.
  static Result<Index> read(const std::string& path, ObjectFormat format);
  /// Parses index bytes; `origin` names them in errors.
  static Result<Index> parse(std::string data, ObjectFormat format, std::string_view origin = "index");

  uint32_t version() const { return m_version; }
  ObjectFormat format() const { return m_format; }
  size_t size() const { return m_slots.size(); }
  bool empty() const { return m_slots.empty(); }
  IndexEntry entry(size_t i) const;
  std::string_view path(size_t i) const;
  /// entry(i).mode, without decoding the rest of the entry.
  uint32_t mode(size_t i) const;
  /// The position of the entry for `path` at `stage`, by binary search.
  std::optional<size_t> find(std::string_view path, int stage = 0) const;
  /// The position of the first entry whose path is not less than `path` (bytewise), or size().
  size_t lower_bound(std::string_view path) const { return lower_bound(path, 0, m_slots.size()); }
  /// The same among the positions [begin, end) (which must hold a sorted run: every entry before `begin` is less
  /// than `path`, none from `end` on is); `end` when none is.
  size_t lower_bound(std::string_view path, size_t begin, size_t end) const;

  /// The index file's mtime when it was read (zero for parse()): what the racy-clean rule compares entries with.
  IndexTime file_mtime() const { return m_file_mtime; }
  bool file_exists() const { return m_file_exists; }

  /// The root of the cache tree (the TREE extension) when it is valid and covers every entry: the id of the tree
  /// the index describes, without computing it.
  const std::optional<ObjectId>& cache_tree_root() const { return m_cache_tree_root; }
  /// The positions of the entries named ".gitattributes" (any stage), in index order: found while parsing, so that
  /// the attribute files need no second pass over every path.
  const std::vector<uint32_t>& attribute_files() const { return m_attribute_files; }
  /// How many entries are unmerged (stage 1-3), intent-to-add, skip-worktree.
  size_t unmerged_count() const { return m_unmerged; }
  size_t intent_to_add_count() const { return m_intent_to_add; }
  size_t skip_worktree_count() const { return m_skip_worktree; }

  /// Bytes held: the file, the arena and the per-entry table.
  size_t memory_bytes() const;

 private:
  struct Slot {
    uint32_t entry;  // offset of the entry in m_data
    uint32_t path;   // offset of the path in m_data (v2, v3) or m_paths (v4)
    uint32_t path_length;
  };
  Index() = default;
  static Result<Index> parse_bytes(std::shared_ptr<const void> owner, std::string_view data, ObjectFormat format,
                                   std::string_view origin);
  static Result<Index> parse_entries(Index ix, std::string_view origin);

  std::shared_ptr<const void> m_owner;  // what m_data views: the mapping, or the bytes parse() was given
  std::string_view m_data;
  std::string m_paths;
  std::vector<Slot> m_slots;
  std::vector<uint32_t> m_attribute_files;
  ObjectFormat m_format = ObjectFormat::sha1;
  uint32_t m_version = 0;
  IndexTime m_file_mtime;
  bool m_file_exists = false;
  std::optional<ObjectId> m_cache_tree_root;
  size_t m_unmerged = 0;
  size_t m_intent_to_add = 0;
  size_t m_skip_worktree = 0;
};

}  // namespace treeprint::git
