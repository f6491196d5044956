#pragma once
// Manifests from short descriptions, for the tests of what reads them (diff, verify, changes, restore): files with
// their content (the digest is computed), symlinks with their target, unreadable and special entries.

#include <algorithm>
#include <string>

#include "manifest/entry.h"
#include "util/sha256.h"

namespace treeprint::testing {

class TreeBuilder {
 public:
  TreeBuilder& file(const std::string& path, const std::string& content, bool exec = false) {
    FileEntry* f = m.table.add(path);
    f->size = content.size();
    f->sha256 = Sha256::of(content);
    f->executable = exec;
    m.files.push_back(f);
    m.total_bytes += f->size;
    m_last = f;
    return *this;
  }
  /// The last file gets a git blob id (its first byte `id`, the rest zero).
  TreeBuilder& blob(unsigned char id) {
    std::array<unsigned char, 20> bytes{};
    bytes[0] = id;
    m.table.set_git_blob(m_last, bytes);
    return *this;
  }
  TreeBuilder& link(std::string path, std::string target) {
    m.symlinks.push_back({std::move(path), std::move(target), ""});
    return *this;
  }
  TreeBuilder& error(std::string path, std::string message = "cannot open: Permission denied") {
    m.errors.push_back({std::move(path), std::move(message)});
    return *this;
  }
  TreeBuilder& special(std::string path, std::string type = "fifo") {
    m.skipped.push_back({std::move(path), std::move(type)});
    return *this;
  }
  /// The manifest, its lists in the canonical order.
  const Manifest& manifest() {
    std::sort(m.files.begin(), m.files.end(), [](auto* a, auto* b) { return a->path < b->path; });
    std::sort(m.symlinks.begin(), m.symlinks.end(), [](auto& a, auto& b) { return a.path < b.path; });
    std::sort(m.skipped.begin(), m.skipped.end(), [](auto& a, auto& b) { return a.path < b.path; });
    std::sort(m.errors.begin(), m.errors.end(), [](auto& a, auto& b) { return a.path < b.path; });
    return m;
  }

 private:
  Manifest m;
  FileEntry* m_last = nullptr;
};

}  // namespace treeprint::testing
