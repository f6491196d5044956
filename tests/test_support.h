#pragma once
// Helpers for tests: scratch directories on the real disk, and a FileSystem that injects faults into the real one.

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "manifest/entry.h"
#include "util/fs.h"
#include "util/result.h"

namespace treeprint::testing {

/// A fresh directory under $TMPDIR, removed (recursively, permissions restored) when destroyed.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return m_path; }
  /// Absolute path of `rel` inside the directory.
  std::string operator/(const std::string& rel) const { return m_path + "/" + rel; }
  /// Writes `content` to `rel`, creating parent directories.
  void write(const std::string& rel, const std::string& content, int mode = 0644) const;
  void mkdir(const std::string& rel) const;
  void symlink(const std::string& target, const std::string& rel) const;

 private:
  std::string m_path;
};

std::string read_file(const std::string& path);

/// For EXPECT_TRUE/ASSERT_TRUE on a Result or Status: a failure prints the error it carries.
template <typename T>
::testing::AssertionResult succeeds(const Result<T>& result) {
  if (result) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << result.error();
}

/// Delegates to RealFileSystem; the `on_...` hooks may replace a call's result to simulate a fault. Return
/// std::nullopt from a hook to let the real call happen.
/// on_open_file and on_open_dir are called one at a time (under a lock), so they may record what they see; the other
/// hooks run on the calling thread as it is, concurrently when several threads scan.
class FaultFileSystem final : public FileSystem {
 public:
  std::function<std::optional<int>(const char* name)> on_open_file;
  std::function<std::optional<int>(const char* name)> on_open_dir;
  /// Called before every stat_at (an lstat or stat of a name in a directory).
  std::function<void(const char* name)> on_stat_at;
  /// Called after every successful read of a file with the bytes read so far (can modify the file on disk).
  std::function<void(int fd, long n)> after_read;
  /// Replaces a read (read or read_cached) of `size` bytes into `buf` when it returns a value (bytes or -errno).
  std::function<std::optional<long>(int fd, void* buf, size_t size)> on_read;
  /// Called after every successful fstat; may change what it reports.
  std::function<void(int fd, struct stat* st)> after_fstat;
  /// Simulates a partly cached file: read_cached returns at most this many bytes (0: unlimited), or -EAGAIN when
  /// negative.
  long cached_limit = 0;
  std::atomic<int> prefetches{0};
  /// Replaces a positioned read (the manifest reader's) of `size` bytes at `offset`.
  std::function<std::optional<long>(int fd, size_t size, uint64_t offset)> on_read_at;
  /// Replaces a write of `size` bytes; `written` is what this filesystem has written so far (all files).
  std::function<std::optional<long>(int fd, size_t size, uint64_t written)> on_write;
  /// Replaces a rename.
  std::function<std::optional<int>(const char* from, const char* to)> on_rename;
  uint64_t written = 0;

  int open_dir(int dir_fd, const char* name, bool follow) override;
  long read_dir(int fd, void* buf, size_t size) override { return m_real.read_dir(fd, buf, size); }
  int open_file(int dir_fd, const char* name, bool follow) override;
  int stat_at(int dir_fd, const char* name, struct stat* st, bool follow) override {
    if (on_stat_at) on_stat_at(name);
    return m_real.stat_at(dir_fd, name, st, follow);
  }
  int fstat(int fd, struct stat* st) override;
  long read(int fd, void* buf, size_t size) override;
  long read_cached(int fd, void* buf, size_t size) override;
  int rewind(int fd) override { return m_real.rewind(fd); }
  long read_link(int dir_fd, const char* name, char* buf, size_t size) override {
    return m_real.read_link(dir_fd, name, buf, size);
  }
  long fd_path(int fd, char* buf, size_t size) override { return m_real.fd_path(fd, buf, size); }
  void prefetch(int fd, uint64_t length) override {
    ++prefetches;
    m_real.prefetch(fd, length);
  }
  void close(int fd) override { m_real.close(fd); }
  long read_at(int fd, void* buf, size_t size, uint64_t offset) override {
    if (on_read_at) {
      if (auto r = on_read_at(fd, size, offset)) return *r;
    }
    return m_real.read_at(fd, buf, size, offset);
  }
  int create_file(int dir_fd, const char* name, mode_t mode) override { return m_real.create_file(dir_fd, name, mode); }
  int open_for_write(int dir_fd, const char* name) override { return m_real.open_for_write(dir_fd, name); }
  long write(int fd, const void* buf, size_t size) override {
    if (on_write) {
      if (auto r = on_write(fd, size, written)) return *r;
    }
    const long n = m_real.write(fd, buf, size);
    if (n > 0) written += static_cast<uint64_t>(n);
    return n;
  }
  long write_at(int fd, const void* buf, size_t size, uint64_t offset) override {
    if (on_write) {
      if (auto r = on_write(fd, size, written)) return *r;
    }
    return m_real.write_at(fd, buf, size, offset);
  }
  int rename_at(int from_dir_fd, const char* from, int to_dir_fd, const char* to) override {
    if (on_rename) {
      if (auto r = on_rename(from, to)) return *r;
    }
    return m_real.rename_at(from_dir_fd, from, to_dir_fd, to);
  }
  int unlink_at(int dir_fd, const char* name) override { return m_real.unlink_at(dir_fd, name); }
  int close_checked(int fd) override { return m_real.close_checked(fd); }

 private:
  RealFileSystem m_real;
  std::mutex m_hook_mutex;
};

/// The path an open fd refers to (through /proc/self/fd), "" when unknown.
std::string fd_path(int fd);

/// What `sha256sum` (coreutils) prints as the digest of the file at `path`, hex; "" when it fails.
std::string sha256sum(const std::string& path);

/// Paths of a manifest's files, in order.
std::vector<std::string> file_paths(const Manifest& m);

/// `size` pseudo-random bytes, the same for the same seed.
std::vector<unsigned char> random_bytes(size_t size, uint64_t seed);

/// A copy of `size` bytes that ends exactly where its heap block ends and starts `misalign` bytes past the block's
/// (16-byte aligned) start, so that under AddressSanitizer a read past either end is caught and loads see every
/// alignment.
class Placed {
 public:
  Placed(const unsigned char* src, size_t size, size_t misalign);
  Placed(const std::vector<unsigned char>& src, size_t misalign) : Placed(src.data(), src.size(), misalign) {}
  const unsigned char* data() const { return m_data; }
  size_t size() const { return m_size; }

 private:
  std::unique_ptr<unsigned char[]> m_block;
  unsigned char* m_data;
  size_t m_size;
};

}  // namespace treeprint::testing
