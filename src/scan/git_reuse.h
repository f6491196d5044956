#pragma once
// The digests the git fast path may reuse (docs/git.md, "The fast path"): an earlier manifest's files that carry a
// `git_blob`, matched once against the index of the work tree being scanned.
//
// A baseline entry is kept when the index has a stage-0 entry for the same path whose blob id equals the entry's
// git_blob; what is kept is its sha256 and size, by the index entry's position. The walker already has that position
// for every tracked file it lists, so a lookup during the walk is an array access: no path index, no copy of the
// baseline's entries. A file now clean by git's stat rule whose size equals the kept size takes the kept sha256
// without being opened, when the conversion digests are equal and no conversion may apply to its path (the walker
// checks those).
//
// Entries are fed in the manifest's order (bytewise by path), as the reader gives them and as Manifest::files holds
// them, so matching them against the index (sorted the same way) is one merge; an entry out of order is found by
// binary search instead. Memory: 40 bytes and one bit per index entry, whatever the baseline's size; the baseline
// itself need not be kept.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "manifest/entry.h"
#include "util/digest.h"

namespace treeprint {

class GitTree;

class GitReuse {
 public:
  /// Matches baseline entries against `tree`'s index. `conversion` and `object_format` are the baseline's git
  /// summary's (conversion "" means nothing may be reused: add() then keeps nothing). `tree` must outlive the
  /// feeding (add() calls), not the GitReuse.
  GitReuse(const GitTree& tree, std::string conversion, std::string object_format);

  /// Offers one baseline file entry (its path relative to the scanned directory, as in the manifest).
  void add(const FileEntry& before);
  /// A GitReuse fed with every file of `baseline`; null when it has no git summary or no conversion digest.
  static std::unique_ptr<GitReuse> from(const Manifest& baseline, const GitTree& tree);

  /// The baseline digest for the file at index position `position`, when its blob id equals the index entry's and
  /// its size is `size`; null otherwise.
  const Digest* find(size_t position, uint64_t size) const {
    if (position >= m_kept.size() || !m_kept[position] || m_slots[position].size != size) return nullptr;
    return &m_slots[position].sha256;
  }
  /// Whether this was matched against `index` (the fast path applies to that work tree only).
  bool matches(const void* index) const { return index == m_index; }
  const std::string& conversion() const { return m_conversion; }
  std::string_view object_format() const { return m_format; }
  /// How many baseline entries were kept.
  size_t size() const { return m_count; }
  size_t memory_bytes() const { return m_slots.capacity() * sizeof(Slot) + m_kept.capacity() / 8; }

 private:
  struct Slot {
    Digest sha256{};
    uint64_t size = 0;
  };
  const GitTree* m_tree;  // while being fed
  const void* m_index;
  std::string m_conversion;
  std::string m_format;
  std::vector<Slot> m_slots;  // by index position; allocated with the first entry kept
  std::vector<bool> m_kept;
  size_t m_count = 0;
  size_t m_cursor = 0;      // the merge's position in the index
  std::string m_work_path;  // scratch
};

}  // namespace treeprint
