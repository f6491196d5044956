#pragma once
// Builds zip archives for the tests with minizip's writer, names and sizes as hostile as a test needs.

#include <zip.h>

#include <string>
#include <utility>
#include <vector>

#include "test_support.h"

namespace treeprint::testing {

/// A zip holding `entries` (name, content), deflated.
inline std::string make_zip(const std::vector<std::pair<std::string, std::string>>& entries) {
  TempDir dir;
  const std::string path = dir / "a.zip";
  zipFile z = zipOpen64(path.c_str(), APPEND_STATUS_CREATE);
  for (const auto& [name, content] : entries) {
    zip_fileinfo info{};
    zipOpenNewFileInZip64(z, name.c_str(), &info, nullptr, 0, nullptr, 0, nullptr, Z_DEFLATED, Z_DEFAULT_COMPRESSION,
                          content.size() > 0xffffffffu);
    zipWriteInFileInZip(z, content.data(), static_cast<unsigned>(content.size()));
    zipCloseFileInZip(z);
  }
  zipClose(z, nullptr);
  return read_file(path);
}

}  // namespace treeprint::testing
