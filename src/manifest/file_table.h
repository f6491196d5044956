#pragma once
// FileTable: the storage behind a Manifest's files. It owns FileEntry objects and the bytes of their paths at stable
// addresses, so `Manifest::files` (the sorted view) can point into it; tables are appended to one another in time
// proportional to their chunk count, not their size (a walker's per-thread tables, the parts of a merge).
//
// And the one canonical order every writer and reader agrees on (docs/manifest.md): bytewise by path; for errors,
// by path, then message.

#include <cstddef>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

namespace treeprint {

// manifest/entry.h holds a FileTable in every Manifest, so this header only declares the entry types.
struct FileEntry;
struct SymlinkEntry;
struct SkippedEntry;
struct ErrorEntry;
struct Manifest;

class FileTable {
 public:
  FileTable();
  ~FileTable();
  FileTable(FileTable&&) noexcept;
  FileTable& operator=(FileTable&&) noexcept;
  FileTable(const FileTable&) = delete;
  FileTable& operator=(const FileTable&) = delete;

  /// A new entry whose path is a copy of `path`, stored NUL-terminated (so its name can be passed to openat); the
  /// other fields are zero.
  FileEntry* add(std::string_view path);
  /// A copy of `entry`, path and git blob id included.
  FileEntry* add(const FileEntry& entry);
  /// Gives `entry` a copy of `id` as its git blob id, stored with this table's paths: `entry` must be one of this
  /// table's, or of a table that will live as long (one absorbed together with it).
  void set_git_blob(FileEntry* entry, std::span<const unsigned char> id);
  /// Takes over every entry of `other` (their addresses do not change); `other` is left empty.
  void absorb(FileTable&& other);
  size_t size() const { return m_count; }
  /// Bytes of the chunks held (entries and text), used or not.
  size_t memory_bytes() const;

 private:
  // Chunks of k_entries_per_chunk, allocated raw and constructed entry by entry: the pages of a chunk's unused tail
  // are never touched, so they cost no memory.
  struct ChunkDelete {
    void operator()(FileEntry* chunk) const;
  };
  std::vector<std::unique_ptr<FileEntry, ChunkDelete>> m_entries;
  size_t m_entries_used = 0;  // in the last chunk
  size_t m_count = 0;
  char* allocate_text(size_t n);

  std::vector<std::unique_ptr<char[]>> m_text;
  size_t m_text_used = 0;  // in the last text chunk
  size_t m_text_cap = 0;
};

/// Sorts `files` into the canonical order. With `threads` > 1 and enough entries, slices are sorted in parallel and
/// then merged.
void sort_canonical(std::vector<const FileEntry*>& files, unsigned threads = 1);
void sort_canonical(std::vector<SymlinkEntry>& symlinks);
void sort_canonical(std::vector<SkippedEntry>& skipped);
void sort_canonical(std::vector<ErrorEntry>& errors);
/// Sorts every list of `manifest`.
void sort_canonical(Manifest& manifest, unsigned threads = 1);

}  // namespace treeprint
