#include "manifest/file_table.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <thread>
#include <type_traits>

#include "manifest/entry.h"

namespace treeprint {

namespace {

constexpr size_t k_entries_per_chunk = 4096;
constexpr size_t k_text_chunk = 256 << 10;

static_assert(std::is_trivially_destructible_v<FileEntry>, "chunks are freed without destroying their entries");

}  // namespace

void FileTable::ChunkDelete::operator()(FileEntry* chunk) const { ::operator delete(chunk); }

FileTable::FileTable() = default;
FileTable::~FileTable() = default;
FileTable::FileTable(FileTable&&) noexcept = default;
FileTable& FileTable::operator=(FileTable&&) noexcept = default;

FileEntry* FileTable::add(std::string_view path) {
  if (m_entries.empty() || m_entries_used == k_entries_per_chunk) {
    m_entries.emplace_back(static_cast<FileEntry*>(::operator new(sizeof(FileEntry) * k_entries_per_chunk)));
    m_entries_used = 0;
  }
  FileEntry* e = new (m_entries.back().get() + m_entries_used++) FileEntry();
  ++m_count;
  char* p = allocate_text(path.size() + 1);
  std::memcpy(p, path.data(), path.size());
  p[path.size()] = '\0';
  e->path = std::string_view(p, path.size());
  return e;
}

FileEntry* FileTable::add(const FileEntry& entry) {
  FileEntry* e = add(entry.path);
  const std::string_view path = e->path;
  *e = entry;
  e->path = path;
  e->git_blob = nullptr;
  e->git_blob_size = 0;
  if (entry.git_blob_size != 0) set_git_blob(e, entry.git_blob_id());
  return e;
}

void FileTable::set_git_blob(FileEntry* entry, std::span<const unsigned char> id) {
  char* p = allocate_text(id.size());
  std::memcpy(p, id.data(), id.size());
  entry->git_blob = reinterpret_cast<const unsigned char*>(p);
  entry->git_blob_size = static_cast<uint8_t>(id.size());
}

char* FileTable::allocate_text(size_t n) {
  if (m_text.empty() || m_text_cap - m_text_used < n) {
    m_text_cap = std::max(k_text_chunk, n);
    m_text.emplace_back(new char[m_text_cap]);
    m_text_used = 0;
  }
  char* p = m_text.back().get() + m_text_used;
  m_text_used += n;
  return p;
}

namespace {

// Moves `theirs` into `ours` before ours' last chunk, which may be partly used and stays the one filled next.
// False (nothing done) when `ours` is empty: then the caller takes `theirs` whole, with its fill level.
template <typename Chunks>
bool insert_before_last(Chunks& ours, Chunks& theirs) {
  if (ours.empty()) return false;
  auto last = std::move(ours.back());
  ours.pop_back();
  for (auto& c : theirs) ours.push_back(std::move(c));
  ours.push_back(std::move(last));
  return true;
}

}  // namespace

void FileTable::absorb(FileTable&& other) {
  // Entries and text are taken over each on its own: a table can hold text and no entries (the git blob ids a
  // walker thread gave to files another thread listed).
  if (!insert_before_last(m_entries, other.m_entries)) {
    m_entries = std::move(other.m_entries);
    m_entries_used = other.m_entries_used;
  }
  if (!insert_before_last(m_text, other.m_text)) {
    m_text = std::move(other.m_text);
    m_text_used = other.m_text_used;
    m_text_cap = other.m_text_cap;
  }
  m_count += other.m_count;
  other = FileTable{};
}

size_t FileTable::memory_bytes() const {
  size_t text = 0;
  for (size_t i = 0; i < m_text.size(); ++i) text += i + 1 == m_text.size() ? m_text_cap : k_text_chunk;
  return m_entries.size() * k_entries_per_chunk * sizeof(FileEntry) + text;
}

void sort_canonical(std::vector<const FileEntry*>& files, unsigned threads) {
  const auto by_path = [](const FileEntry* a, const FileEntry* b) { return a->path < b->path; };
  constexpr size_t k_min_slice = 16384;
  const size_t cpus = std::max(1u, std::thread::hardware_concurrency());
  const size_t slices =
      std::min({static_cast<size_t>(std::max(1u, threads)), cpus, std::max<size_t>(1, files.size() / k_min_slice)});
  if (slices <= 1) {
    std::sort(files.begin(), files.end(), by_path);
    return;
  }
  std::vector<size_t> bounds;
  for (size_t i = 0; i <= slices; ++i) bounds.push_back(files.size() * i / slices);
  {
    std::vector<std::jthread> sorters;
    for (size_t i = 1; i < slices; ++i) {
      sorters.emplace_back([&, i] { std::sort(files.begin() + bounds[i], files.begin() + bounds[i + 1], by_path); });
    }
    std::sort(files.begin(), files.begin() + bounds[1], by_path);
  }
  for (size_t i = 2; i <= slices; ++i) {
    std::inplace_merge(files.begin(), files.begin() + bounds[i - 1], files.begin() + bounds[i], by_path);
  }
}

void sort_canonical(std::vector<SymlinkEntry>& symlinks) {
  std::sort(symlinks.begin(), symlinks.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
}

void sort_canonical(std::vector<SkippedEntry>& skipped) {
  std::sort(skipped.begin(), skipped.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
}

void sort_canonical(std::vector<ErrorEntry>& errors) {
  std::sort(errors.begin(), errors.end(),
            [](const auto& a, const auto& b) { return a.path != b.path ? a.path < b.path : a.message < b.message; });
}

void sort_canonical(Manifest& m, unsigned threads) {
  sort_canonical(m.files, threads);
  sort_canonical(m.symlinks);
  sort_canonical(m.skipped);
  sort_canonical(m.errors);
}

}  // namespace treeprint
