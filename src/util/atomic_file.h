#pragma once
// A file that appears at its final path whole or not at all.
//
// The content goes to a temporary file in the same directory, and commit() renames it over the target: rename(2) is
// atomic, so every reader sees the old file or the new one. There is no fsync: a manifest is cheap to make again after
// a power cut, an fsync per run is not. Destroying an uncommitted AtomicFile removes the temporary file, so a failed
// run never leaves half a manifest behind and never replaces a good one. A target that is a device or pipe
// (/dev/stdout, a FIFO) cannot be renamed over and is written in place. Writes are buffered.
//
// The temporary file is created with O_EXCL in a directory fd and renamed with renameat, so a symlink at the final
// name is replaced, never followed; create_in() takes a directory the caller opened by its own rules (see
// inputs/path_trust.h) and can refuse anything but a regular file, and give the file an owner through the fd it
// wrote.

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "util/fs.h"
#include "util/result.h"

namespace treeprint {

struct FileOwner {
  uid_t uid = 0;
  gid_t gid = 0;
};

struct AtomicFileOptions {
  /// Write in place to a device or FIFO at the final name, even through a symlink (`-o /dev/stdout`). Off: such a
  /// target is refused, and a symlink there is replaced like any file.
  bool allow_special = true;
  /// fchown the file to this owner (on the fd written, before it is renamed into place).
  std::optional<FileOwner> owner;
  /// Where the file is written (null: the real filesystem). Tests fault it: a write or the rename failing.
  FileSystem* fs = nullptr;
};

class AtomicFile {
 public:
  /// Creates the temporary file next to `path` (its directory is opened as named). A failure names the path
  /// ("cannot write 'out/m.json': Permission denied").
  static Result<std::unique_ptr<AtomicFile>> create(const std::string& path, const AtomicFileOptions& options = {});
  /// The same in the open directory `dir_fd` (duplicated; the caller keeps its own), under `base_name`; `shown` is
  /// the path for messages.
  static Result<std::unique_ptr<AtomicFile>> create_in(int dir_fd, const std::string& base_name,
                                                       const std::string& shown, const AtomicFileOptions& options);

  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(std::string_view data);
  void put(char c) {
    if (m_used == k_buffer_size) {
      flush_buffer();
    }
    m_buffer[m_used++] = c;
  }

  /// Whether the content goes to a temporary regular file renamed into place, not to a device or pipe written in
  /// place: only such a file can be patched.
  bool is_regular_file() const { return !m_temp_path.empty(); }
  /// Overwrites bytes [offset, offset + size) of what was written so far, in place: a header field whose value is
  /// known only once the rest is written (a manifest's root digest). A range past what was written, or a file that
  /// is not regular, is a failed write (commit() then fails and names it).
  void patch(uint64_t offset, std::string_view data);

  /// Flushes and renames into place; fails if any write failed or the rename did.
  Status commit();

  const std::string& path() const { return m_path; }
  /// The temporary file's name (basename), so a scan of the directory it is in can leave it out.
  const std::string& temp_name() const { return m_temp_name; }
  /// Identity of the directory the file is written to.
  dev_t dir_dev() const { return m_dir_dev; }
  ino_t dir_ino() const { return m_dir_ino; }
  const std::string& base_name() const { return m_base_name; }

 private:
  AtomicFile() = default;
  void flush_buffer();

  static constexpr size_t k_buffer_size = 256 << 10;
  std::string m_path;
  int m_dir_fd = -1;
  std::string m_temp_path;
  std::string m_temp_name;
  std::string m_base_name;
  dev_t m_dir_dev = 0;
  ino_t m_dir_ino = 0;
  FileSystem* m_fs = nullptr;
  int m_fd = -1;
  int m_write_errno = 0;
  bool m_committed = false;
  std::unique_ptr<char[]> m_buffer;
  size_t m_used = 0;
  uint64_t m_flushed = 0;  // bytes handed to write(2) before the buffer's
};

}  // namespace treeprint
