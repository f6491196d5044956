#include "git/file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "util/format.h"

namespace treeprint::git {

Result<int> open_regular_file(const std::string& path, size_t limit, struct stat* st, bool* missing) {
  using R = Result<int>;
  if (missing != nullptr) *missing = false;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) {
    const int err = errno;
    if (missing != nullptr && (err == ENOENT || err == ENOTDIR)) *missing = true;
    return R::failure("cannot open '" + printable(path) + "': " + errno_text(err));
  }
  struct stat local {};
  struct stat& s = st != nullptr ? *st : local;
  if (::fstat(fd, &s) != 0) {
    const int err = errno;
    ::close(fd);
    return R::failure("cannot stat '" + printable(path) + "': " + errno_text(err));
  }
  if (!S_ISREG(s.st_mode)) {
    ::close(fd);
    return R::failure("'" + printable(path) + "' is not a regular file");
  }
  if (static_cast<uint64_t>(s.st_size) > limit) {
    ::close(fd);
    return R::failure("'" + printable(path) + "' is " + with_commas(static_cast<uint64_t>(s.st_size)) +
                      " bytes, more than the " + with_commas(limit) + " accepted");
  }
  return fd;
}

Result<std::string> read_whole_file(const std::string& path, size_t limit, struct stat* st, bool* missing) {
  struct stat local {};
  struct stat& s = st != nullptr ? *st : local;
  const auto fd = open_regular_file(path, limit, &s, missing);
  if (!fd) return Result<std::string>::failure(fd.error());
  auto data = read_open_file(*fd, static_cast<size_t>(s.st_size), path);
  ::close(*fd);
  return data;
}

Result<std::string> read_open_file(int fd, size_t size, const std::string& path) {
  std::string data(size, '\0');
  size_t got = 0;
  while (got < data.size()) {
    const ssize_t n = ::read(fd, data.data() + got, data.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Result<std::string>::failure("cannot read '" + printable(path) + "': " + errno_text(errno));
    if (n == 0) break;  // shrank while being read: what was there is what we parse
    got += static_cast<size_t>(n);
  }
  data.resize(got);
  return data;
}

bool is_directory(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool is_regular_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace treeprint::git
