#pragma once
// The digests the git fast path may reuse: from an earlier manifest (`scan --baseline`), the files that carry a
// `git_blob`, by path, and the checkout-conversion digest they were taken under (docs/git.md, "The fast path").
//
// A file now clean by git's stat rule whose index blob id and size equal its baseline entry's takes that entry's
// sha256 without being opened, when the conversion digests are equal and no conversion may apply to its path.

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "manifest/entry.h"

namespace treeprint {

class GitReuse {
 public:
  /// Keeps what `baseline` offers. `conversion` is the baseline's git.conversion ("" means nothing is reusable).
  explicit GitReuse(const Manifest& baseline);

  /// The baseline entry for `path` when it carries a git blob; null otherwise.
  const FileEntry* find(std::string_view path) const;
  const std::string& conversion() const { return m_conversion; }
  std::string_view object_format() const { return m_format; }
  size_t size() const { return m_by_path.size(); }

 private:
  FileTable m_table;
  std::unordered_map<std::string_view, const FileEntry*> m_by_path;
  std::string m_conversion;
  std::string m_format;
};

}  // namespace treeprint
