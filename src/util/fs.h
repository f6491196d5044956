#pragma once
// The filesystem seam. The walker and hasher reach the disk only through this interface, relative to directory file
// descriptors (openat/fstatat/getdents64), so no full path is ever resolved again per file and trees deeper than
// PATH_MAX work; the manifest reader (pread), AtomicFile (create, write, rename) and verify's checks use it too.
// Every call returns a value >= 0 on success or -errno: this is the one layer that speaks errno, everything above
// it returns Result/Status. RealFileSystem makes the system calls; tests wrap it to inject faults (a file vanishing,
// growing while read, EACCES, EIO in the middle of a manifest, ENOSPC while one is written, a failing rename).

#include <sys/stat.h>
#include <sys/types.h>

#include <cstddef>
#include <cstdint>

namespace treeprint {

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  /// Opens a directory, `name` relative to `dir_fd` (AT_FDCWD for the root). With `follow` false a symlink is not
  /// followed (ELOOP/ENOTDIR).
  virtual int open_dir(int dir_fd, const char* name, bool follow) = 0;
  /// Reads raw linux_dirent64 records into `buf` (getdents64). 0 at the end.
  virtual long read_dir(int fd, void* buf, size_t size) = 0;
  /// Opens a file for reading: never follows a final symlink, never blocks on a FIFO, never becomes a tty.
  virtual int open_file(int dir_fd, const char* name, bool follow) = 0;
  virtual int stat_at(int dir_fd, const char* name, struct stat* st, bool follow) = 0;
  virtual int fstat(int fd, struct stat* st) = 0;
  virtual long read(int fd, void* buf, size_t size) = 0;
  /// Reads only what is already in the page cache (preadv2 RWF_NOWAIT): -EAGAIN when the data must come from disk.
  /// Lets the hasher learn that the cache is cold without a syscall more per file when it is warm.
  virtual long read_cached(int fd, void* buf, size_t size) = 0;
  /// Moves the file offset back to the start.
  virtual int rewind(int fd) = 0;
  /// readlink(2) relative to a directory fd; returns the length (not NUL-terminated).
  virtual long read_link(int dir_fd, const char* name, char* buf, size_t size) = 0;
  /// Absolute path of what an open fd refers to (through /proc/self/fd), for the symlink containment check.
  virtual long fd_path(int fd, char* buf, size_t size) = 0;
  /// Starts reading the first `length` bytes into the page cache without waiting (posix_fadvise WILLNEED).
  virtual void prefetch(int fd, uint64_t length) = 0;
  virtual void close(int fd) = 0;

  /// pread(2): up to `size` bytes at `offset`, 0 at the end; retried on EINTR.
  virtual long read_at(int fd, void* buf, size_t size, uint64_t offset) = 0;
  /// Creates a new file `name` in `dir_fd` for writing (O_CREAT|O_EXCL, never through a symlink), with `mode`.
  virtual int create_file(int dir_fd, const char* name, mode_t mode) = 0;
  /// Opens an existing file for writing in place (a device or FIFO written through, as `-o /dev/stdout` is).
  virtual int open_for_write(int dir_fd, const char* name) = 0;
  /// write(2): how many bytes were written (maybe fewer than `size`); retried on EINTR.
  virtual long write(int fd, const void* buf, size_t size) = 0;
  /// pwrite(2): how many bytes were written at `offset` (maybe fewer than `size`); retried on EINTR.
  virtual long write_at(int fd, const void* buf, size_t size, uint64_t offset) = 0;
  /// renameat(2) within or between directories.
  virtual int rename_at(int from_dir_fd, const char* from, int to_dir_fd, const char* to) = 0;
  /// unlinkat(2) of a file.
  virtual int unlink_at(int dir_fd, const char* name) = 0;
  /// close(2), with its result (a write error can first show up here).
  virtual int close_checked(int fd) = 0;
};

class RealFileSystem final : public FileSystem {
 public:
  int open_dir(int dir_fd, const char* name, bool follow) override;
  long read_dir(int fd, void* buf, size_t size) override;
  int open_file(int dir_fd, const char* name, bool follow) override;
  int stat_at(int dir_fd, const char* name, struct stat* st, bool follow) override;
  int fstat(int fd, struct stat* st) override;
  long read(int fd, void* buf, size_t size) override;
  long read_cached(int fd, void* buf, size_t size) override;
  int rewind(int fd) override;
  long read_link(int dir_fd, const char* name, char* buf, size_t size) override;
  long fd_path(int fd, char* buf, size_t size) override;
  void prefetch(int fd, uint64_t length) override;
  void close(int fd) override;
  long read_at(int fd, void* buf, size_t size, uint64_t offset) override;
  int create_file(int dir_fd, const char* name, mode_t mode) override;
  int open_for_write(int dir_fd, const char* name) override;
  long write(int fd, const void* buf, size_t size) override;
  long write_at(int fd, const void* buf, size_t size, uint64_t offset) override;
  int rename_at(int from_dir_fd, const char* from, int to_dir_fd, const char* to) override;
  int unlink_at(int dir_fd, const char* name) override;
  int close_checked(int fd) override;
};

/// The process's RealFileSystem, for callers given no other.
FileSystem& real_file_system();

/// Raises the soft open-file limit to the hard one; returns the new soft limit.
uint64_t raise_open_file_limit();

}  // namespace treeprint
