#include "manifest/entry_source.h"

namespace treeprint {

namespace {

class ManifestSource final : public EntrySource {
 public:
  explicit ManifestSource(const Manifest& manifest) : m_manifest(manifest) {}
  Status open() override { return ok_status(); }
  const std::vector<SymlinkEntry>& symlinks() const override { return m_manifest.symlinks; }
  const std::vector<ErrorEntry>& errors() const override { return m_manifest.errors; }
  Result<const FileEntry*> next_file() override {
    if (m_next == m_manifest.files.size()) {
      return static_cast<const FileEntry*>(nullptr);
    }
    return m_manifest.files[m_next++];
  }

 private:
  const Manifest& m_manifest;
  size_t m_next = 0;
};

}  // namespace

std::unique_ptr<EntrySource> manifest_source(const Manifest& manifest) {
  return std::make_unique<ManifestSource>(manifest);
}

}  // namespace treeprint
