#include "util/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>

#include "util/format.h"

namespace treeprint {

std::unique_ptr<AtomicFile> AtomicFile::create(const std::string& path, std::string* error) {
  if (path.empty()) {
    *error = "output path is empty";
    return nullptr;
  }
  std::unique_ptr<AtomicFile> file(new AtomicFile());
  file->m_path = path;
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  file->m_base_name = slash == std::string::npos ? path : path.substr(slash + 1);
  if (file->m_base_name.empty()) {
    *error = "output path '" + path + "' names a directory, not a file";
    return nullptr;
  }
  struct stat st {};
  if (stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    *error = "output path '" + path + "' is a directory; give a file name";
    return nullptr;
  }
  if (stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    // A device or pipe (/dev/null, /dev/stdout, a FIFO) cannot be replaced by rename: write to it directly.
    file->m_fd = open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY);
    if (file->m_fd < 0) {
      *error = "cannot write '" + path + "': " + errno_text(errno);
      return nullptr;
    }
    file->m_buffer.reset(new char[k_buffer_size]);
    return file;
  }
  if (stat(dir.c_str(), &st) != 0) {
    *error = "cannot write '" + path + "': directory '" + dir + "': " + errno_text(errno);
    return nullptr;
  }
  file->m_dir_dev = st.st_dev;
  file->m_dir_ino = st.st_ino;
  std::string temp = dir + "/." + file->m_base_name + ".tmp-XXXXXX";
  file->m_fd = mkostemp(temp.data(), O_CLOEXEC);
  if (file->m_fd < 0) {
    *error = "cannot write '" + path + "': " + errno_text(errno);
    return nullptr;
  }
  file->m_temp_path = temp;
  file->m_temp_name = temp.substr(temp.rfind('/') + 1);
  // mkostemp creates 0600; a manifest is meant to be read by later steps, so use the usual 0666 & ~umask.
  const mode_t mask = umask(0);
  umask(mask);
  fchmod(file->m_fd, 0666 & ~mask);
  file->m_buffer.reset(new char[k_buffer_size]);
  return file;
}

AtomicFile::~AtomicFile() {
  if (m_fd >= 0) {
    close(m_fd);
  }
  if (!m_committed && !m_temp_path.empty()) {
    unlink(m_temp_path.c_str());
  }
}

void AtomicFile::flush_buffer() {
  size_t done = 0;
  while (done < m_used && m_write_errno == 0) {
    const ssize_t n = ::write(m_fd, m_buffer.get() + done, m_used - done);
    if (n < 0) {
      if (errno != EINTR) {
        m_write_errno = errno;
      }
      continue;
    }
    done += static_cast<size_t>(n);
  }
  m_used = 0;
}

void AtomicFile::write(std::string_view data) {
  while (!data.empty()) {
    if (m_used == k_buffer_size) {
      flush_buffer();
    }
    const size_t n = std::min(data.size(), k_buffer_size - m_used);
    std::copy_n(data.data(), n, m_buffer.get() + m_used);
    m_used += n;
    data.remove_prefix(n);
  }
}

bool AtomicFile::commit(std::string* error) {
  flush_buffer();
  if (m_write_errno != 0) {
    *error = "writing '" + m_path + "' failed: " + errno_text(m_write_errno);
    return false;
  }
  if (close(m_fd) != 0) {
    m_fd = -1;
    *error = "writing '" + m_path + "' failed: " + errno_text(errno);
    return false;
  }
  m_fd = -1;
  if (m_temp_path.empty()) {  // written in place (a device or pipe)
    m_committed = true;
    return true;
  }
  if (rename(m_temp_path.c_str(), m_path.c_str()) != 0) {
    *error = "cannot move the finished file into place at '" + m_path + "': " + errno_text(errno);
    return false;
  }
  m_committed = true;
  return true;
}

}  // namespace treeprint
