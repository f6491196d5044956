#include "test_support.h"

#include <mutex>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace treeprint::testing {

namespace {

// Removes everything below `dir_fd` through fds, so trees deeper than PATH_MAX go too.
void remove_below(int dir_fd) {
  DIR* d = fdopendir(dir_fd);
  if (d == nullptr) {
    ::close(dir_fd);
    return;
  }
  std::vector<std::string> names;
  while (dirent* e = readdir(d)) {
    const std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  for (const auto& name : names) {
    if (unlinkat(dirfd(d), name.c_str(), 0) == 0) continue;
    fchmodat(dirfd(d), name.c_str(), 0755, 0);
    const int sub = openat(dirfd(d), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (sub >= 0) remove_below(sub);
    unlinkat(dirfd(d), name.c_str(), AT_REMOVEDIR);
  }
  closedir(d);
}

void mkdirs(const std::string& path) {
  for (size_t pos = 1; (pos = path.find('/', pos)) != std::string::npos; ++pos) {
    ::mkdir(path.substr(0, pos).c_str(), 0755);
  }
  ::mkdir(path.c_str(), 0755);
}

}  // namespace

TempDir::TempDir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string templ = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/treeprint-test-XXXXXX";
  if (mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  m_path = templ;
}

TempDir::~TempDir() {
  const int fd = ::open(m_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) remove_below(fd);
  ::rmdir(m_path.c_str());
}

void TempDir::write(const std::string& rel, const std::string& content, int mode) const {
  const std::string full = *this / rel;
  const size_t slash = full.rfind('/');
  mkdirs(full.substr(0, slash));
  const int fd = ::open(full.c_str(), O_WRONLY | O_CREAT | O_TRUNC, mode);
  if (fd < 0) throw std::runtime_error("cannot create " + full);
  if (::write(fd, content.data(), content.size()) != static_cast<ssize_t>(content.size())) {
    throw std::runtime_error("cannot write " + full);
  }
  ::fchmod(fd, static_cast<mode_t>(mode));
  ::close(fd);
}

void TempDir::mkdir(const std::string& rel) const { mkdirs(*this / rel); }

void TempDir::symlink(const std::string& target, const std::string& rel) const {
  if (::symlink(target.c_str(), (*this / rel).c_str()) != 0) throw std::runtime_error("symlink failed: " + rel);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int FaultFileSystem::open_dir(int dir_fd, const char* name, bool follow) {
  if (on_open_dir) {
    std::unique_lock lock(m_hook_mutex);  // the walker's threads call it at once: the hooks record without locks
    if (auto r = on_open_dir(name)) return *r;
  }
  return m_real.open_dir(dir_fd, name, follow);
}

int FaultFileSystem::open_file(int dir_fd, const char* name, bool follow) {
  if (on_open_file) {
    std::unique_lock lock(m_hook_mutex);
    if (auto r = on_open_file(name)) return *r;
  }
  return m_real.open_file(dir_fd, name, follow);
}

int FaultFileSystem::fstat(int fd, struct stat* st) {
  const int rc = m_real.fstat(fd, st);
  if (rc == 0 && after_fstat) after_fstat(fd, st);
  return rc;
}

long FaultFileSystem::read(int fd, void* buf, size_t size) {
  if (on_read) {
    if (auto r = on_read(fd, buf, size)) return *r;
  }
  const long n = m_real.read(fd, buf, size);
  if (n > 0 && after_read) after_read(fd, n);
  return n;
}

long FaultFileSystem::read_cached(int fd, void* buf, size_t size) {
  if (cached_limit < 0) return -EAGAIN;
  if (cached_limit > 0) size = std::min(size, static_cast<size_t>(cached_limit));
  if (on_read) {
    if (auto r = on_read(fd, buf, size)) return *r;
  }
  const long n = m_real.read_cached(fd, buf, size);
  if (n > 0 && after_read) after_read(fd, n);
  return n;
}

std::string fd_path(int fd) {
  char buf[4096];
  const ssize_t n = ::readlink(("/proc/self/fd/" + std::to_string(fd)).c_str(), buf, sizeof buf);
  return n < 0 ? std::string() : std::string(buf, static_cast<size_t>(n));
}

std::string sha256sum(const std::string& path) {
  std::string quoted = "'";
  for (const char c : path) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  quoted += "'";
  FILE* p = ::popen(("sha256sum -b " + quoted).c_str(), "r");
  if (p == nullptr) return "";
  char hex[65] = {};
  const size_t n = std::fread(hex, 1, 64, p);
  const int rc = ::pclose(p);
  return n == 64 && rc == 0 ? std::string(hex, 64) : std::string();
}

std::vector<std::string> file_paths(const Manifest& m) {
  std::vector<std::string> out;
  for (const FileEntry* f : m.files) out.emplace_back(f->path);
  return out;
}

std::vector<unsigned char> random_bytes(size_t size, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<unsigned char> out(size);
  for (auto& b : out) b = static_cast<unsigned char>(rng());
  return out;
}

Placed::Placed(const unsigned char* src, size_t size, size_t misalign)
    : m_block(new unsigned char[size + misalign]), m_data(m_block.get() + misalign), m_size(size) {
  if (size != 0) std::memcpy(m_data, src, size);
}

}  // namespace treeprint::testing
