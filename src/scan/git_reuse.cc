#include "scan/git_reuse.h"

namespace treeprint {

GitReuse::GitReuse(const Manifest& baseline) {
  if (!baseline.git || baseline.git->conversion.empty()) return;
  m_conversion = baseline.git->conversion;
  m_format = baseline.git->object_format;
  for (const FileEntry* f : baseline.files) {
    if (f->git_blob_size == 0) continue;
    const FileEntry* copy = m_table.add(*f);
    m_by_path.emplace(copy->path, copy);
  }
}

const FileEntry* GitReuse::find(std::string_view path) const {
  const auto it = m_by_path.find(path);
  return it == m_by_path.end() ? nullptr : it->second;
}

}  // namespace treeprint
