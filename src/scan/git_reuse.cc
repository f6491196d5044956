#include "scan/git_reuse.h"

#include <algorithm>

#include "git/index.h"
#include "scan/git_tree.h"

namespace treeprint {

namespace {

// Index entries stepped over one by one before a binary search takes over (a baseline much sparser than the index).
constexpr size_t k_merge_steps = 8;

}  // namespace

GitReuse::GitReuse(const GitTree& tree, std::string conversion, std::string object_format)
    : m_tree(&tree), m_index(&tree.index()), m_conversion(std::move(conversion)), m_format(std::move(object_format)) {}

void GitReuse::add(const FileEntry& before) {
  if (before.git_blob_size == 0 || m_conversion.empty()) return;
  const git::Index& index = m_tree->index();
  const std::string& prefix = m_tree->repository().prefix;
  std::string_view work_path = before.path;
  if (!prefix.empty()) {
    m_work_path.assign(prefix);
    m_work_path.push_back('/');
    m_work_path.append(before.path);
    work_path = m_work_path;
  }
  const size_t n = index.size();
  const auto before_wanted = [&](size_t i) { return index.path(i) < work_path; };
  if (m_cursor > n || (m_cursor > 0 && !before_wanted(m_cursor - 1))) {
    m_cursor = index.lower_bound(work_path);  // out of order: the merge starts again from here
  } else {
    for (size_t steps = 0; m_cursor < n && before_wanted(m_cursor); ++m_cursor) {
      if (++steps == k_merge_steps) {
        m_cursor = index.lower_bound(work_path);
        break;
      }
    }
  }
  if (m_cursor >= n || index.path(m_cursor) != work_path) return;
  const git::IndexEntry e = index.entry(m_cursor);
  if (e.stage() != 0 || (e.mode != git::k_mode_file && e.mode != git::k_mode_executable)) return;
  const auto id = e.id.bytes();
  const auto blob = before.git_blob_id();
  if (!std::equal(id.begin(), id.end(), blob.begin(), blob.end())) {
    return;
  }
  if (m_slots.empty()) {
    m_slots.resize(n);
    m_kept.resize(n);
  }
  if (!m_kept[m_cursor]) ++m_count;
  m_kept[m_cursor] = true;
  m_slots[m_cursor] = {before.sha256, before.size};
}

std::unique_ptr<GitReuse> GitReuse::from(const Manifest& baseline, const GitTree& tree) {
  if (!baseline.git || baseline.git->conversion.empty()) return nullptr;
  auto reuse = std::make_unique<GitReuse>(tree, baseline.git->conversion, baseline.git->object_format);
  for (const FileEntry* f : baseline.files) reuse->add(*f);
  return reuse;
}

}  // namespace treeprint
