#include "util/fs.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>

namespace treeprint {

namespace {

int result(long rc) { return rc < 0 ? -errno : static_cast<int>(rc); }

// O_NOATIME avoids an inode write per file read, but only the owner (or CAP_FOWNER) may use it; after the first EPERM
// we stop asking.
std::atomic<bool> g_noatime_allowed{true};

}  // namespace

int RealFileSystem::open_dir(int dir_fd, const char* name, bool follow) {
  const int flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW);
  return result(::openat(dir_fd, name, flags));
}

long RealFileSystem::read_dir(int fd, void* buf, size_t size) {
  const long rc = ::syscall(SYS_getdents64, fd, buf, size);
  return rc < 0 ? -errno : rc;
}

int RealFileSystem::open_file(int dir_fd, const char* name, bool follow) {
  const int flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | (follow ? 0 : O_NOFOLLOW);
  if (g_noatime_allowed.load(std::memory_order_relaxed)) {
    const int fd = ::openat(dir_fd, name, flags | O_NOATIME);
    if (fd >= 0 || errno != EPERM) {
      return result(fd);
    }
    g_noatime_allowed.store(false, std::memory_order_relaxed);
  }
  return result(::openat(dir_fd, name, flags));
}

int RealFileSystem::stat_at(int dir_fd, const char* name, struct stat* st, bool follow) {
  return result(::fstatat(dir_fd, name, st, follow ? 0 : AT_SYMLINK_NOFOLLOW));
}

int RealFileSystem::fstat(int fd, struct stat* st) { return result(::fstat(fd, st)); }

long RealFileSystem::read(int fd, void* buf, size_t size) {
  for (;;) {
    const ssize_t n = ::read(fd, buf, size);
    if (n >= 0 || errno != EINTR) {
      return n < 0 ? -errno : n;
    }
  }
}

long RealFileSystem::read_cached(int fd, void* buf, size_t size) {
  struct iovec iov {
    buf, size
  };
  for (;;) {
    const ssize_t n = ::preadv2(fd, &iov, 1, -1, RWF_NOWAIT);
    if (n >= 0) return n;
    if (errno == EOPNOTSUPP || errno == ENOSYS || errno == EINVAL) return -EAGAIN;  // no RWF_NOWAIT: assume cold
    if (errno != EINTR) return -errno;
  }
}

int RealFileSystem::rewind(int fd) { return ::lseek(fd, 0, SEEK_SET) == 0 ? 0 : -errno; }

long RealFileSystem::read_link(int dir_fd, const char* name, char* buf, size_t size) {
  const ssize_t n = ::readlinkat(dir_fd, name, buf, size);
  return n < 0 ? -errno : n;
}

long RealFileSystem::fd_path(int fd, char* buf, size_t size) {
  char proc[64];
  std::snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
  const ssize_t n = ::readlink(proc, buf, size);
  return n < 0 ? -errno : n;
}

void RealFileSystem::prefetch(int fd, uint64_t length) {
  ::posix_fadvise(fd, 0, static_cast<off_t>(length), POSIX_FADV_WILLNEED);
}

void RealFileSystem::close(int fd) { ::close(fd); }

long RealFileSystem::read_at(int fd, void* buf, size_t size, uint64_t offset) {
  for (;;) {
    const ssize_t n = ::pread(fd, buf, size, static_cast<off_t>(offset));
    if (n >= 0 || errno != EINTR) return n < 0 ? -errno : n;
  }
}

int RealFileSystem::create_file(int dir_fd, const char* name, mode_t mode) {
  return result(::openat(dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode));
}

int RealFileSystem::open_for_write(int dir_fd, const char* name) {
  return result(::openat(dir_fd, name, O_WRONLY | O_CLOEXEC | O_NOCTTY));
}

long RealFileSystem::write(int fd, const void* buf, size_t size) {
  for (;;) {
    const ssize_t n = ::write(fd, buf, size);
    if (n >= 0 || errno != EINTR) return n < 0 ? -errno : n;
  }
}

long RealFileSystem::write_at(int fd, const void* buf, size_t size, uint64_t offset) {
  for (;;) {
    const ssize_t n = ::pwrite(fd, buf, size, static_cast<off_t>(offset));
    if (n >= 0 || errno != EINTR) return n < 0 ? -errno : n;
  }
}

int RealFileSystem::rename_at(int from_dir_fd, const char* from, int to_dir_fd, const char* to) {
  return result(::renameat(from_dir_fd, from, to_dir_fd, to));
}

int RealFileSystem::unlink_at(int dir_fd, const char* name) { return result(::unlinkat(dir_fd, name, 0)); }

int RealFileSystem::close_checked(int fd) { return result(::close(fd)); }

FileSystem& real_file_system() {
  static RealFileSystem fs;
  return fs;
}

uint64_t raise_open_file_limit() {
  struct rlimit lim {};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) {
    return 1024;
  }
  if (lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
    getrlimit(RLIMIT_NOFILE, &lim);
  }
  return lim.rlim_cur == RLIM_INFINITY ? (1u << 20) : lim.rlim_cur;
}

}  // namespace treeprint
