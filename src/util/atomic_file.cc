#include "util/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>

#include "util/format.h"

namespace treeprint {

namespace {
using Created = Result<std::unique_ptr<AtomicFile>>;
}  // namespace

Result<std::unique_ptr<AtomicFile>> AtomicFile::create(const std::string& path, const AtomicFileOptions& options) {
  FileSystem& fs = options.fs != nullptr ? *options.fs : real_file_system();
  if (path.empty()) {
    return Created::failure("output path is empty");
  }
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  if (base.empty()) {
    return Created::failure("output path '" + printable(path) + "' names a directory, not a file");
  }
  const int dir_fd = fs.open_dir(AT_FDCWD, dir.c_str(), true);
  if (dir_fd < 0) {
    return Created::failure("cannot write '" + printable(path) + "': directory '" + printable(dir) +
                            "': " + errno_text(-dir_fd));
  }
  auto file = create_in(dir_fd, base, path, options);
  fs.close(dir_fd);
  return file;
}

Result<std::unique_ptr<AtomicFile>> AtomicFile::create_in(int dir_fd, const std::string& base, const std::string& shown,
                                                          const AtomicFileOptions& options) {
  const std::string what = "'" + printable(shown) + "'";
  if (base.empty() || base == "." || base == ".." || base.find('/') != std::string::npos) {
    return Created::failure("output path " + what + " names a directory, not a file");
  }
  FileSystem& fs = options.fs != nullptr ? *options.fs : real_file_system();
  std::unique_ptr<AtomicFile> file(new AtomicFile());
  file->m_fs = &fs;
  file->m_path = shown;
  file->m_base_name = base;
  struct stat st {};
  if (fs.stat_at(dir_fd, base.c_str(), &st, false) == 0) {
    struct stat target = st;
    if (S_ISLNK(st.st_mode) && options.allow_special && fs.stat_at(dir_fd, base.c_str(), &target, true) != 0) {
      target = st;  // a dangling symlink: replaced below like a file
    }
    if (S_ISDIR(target.st_mode)) {
      return Created::failure("output path " + what + " is a directory; give a file name");
    }
    const bool special = !S_ISREG(target.st_mode) && !S_ISLNK(target.st_mode);
    if (special && !options.allow_special) {
      return Created::failure("output path " + what + " is not a regular file; refusing to write to it");
    }
    if (special) {
      // A device or pipe (/dev/null, /dev/stdout, a FIFO) cannot be replaced by rename: write to it directly.
      const int fd = fs.open_for_write(dir_fd, base.c_str());
      if (fd < 0) {
        return Created::failure("cannot write " + what + ": " + errno_text(-fd));
      }
      file->m_fd = fd;
      file->m_buffer.reset(new char[k_buffer_size]);
      return Created(std::move(file));
    }
  }
  if (const int rc = fs.fstat(dir_fd, &st); rc != 0) {
    return Created::failure("cannot write " + what + ": " + errno_text(-rc));
  }
  file->m_dir_dev = st.st_dev;
  file->m_dir_ino = st.st_ino;
  file->m_dir_fd = fcntl(dir_fd, F_DUPFD_CLOEXEC, 0);
  if (file->m_dir_fd < 0) {
    return Created::failure("cannot write " + what + ": " + errno_text(errno));
  }
  // mkostemp's way, in a directory fd: a random name, created with O_EXCL (which never follows a symlink).
  static const char k_chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  for (int attempt = 0; attempt < 100 && file->m_fd < 0; ++attempt) {
    unsigned char random[6];
    if (getentropy(random, sizeof random) != 0) {
      return Created::failure("cannot write " + what + ": no random source for a temporary name");
    }
    std::string name = "." + base + ".tmp-";
    for (unsigned char r : random) name.push_back(k_chars[r % (sizeof k_chars - 1)]);
    const int fd = fs.create_file(file->m_dir_fd, name.c_str(), 0600);
    if (fd == -EEXIST) continue;
    if (fd < 0) {
      return Created::failure("cannot write " + what + ": " + errno_text(-fd));
    }
    file->m_fd = fd;
    file->m_temp_name = name;
    file->m_temp_path = name;
  }
  if (file->m_fd < 0) {
    return Created::failure("cannot write " + what + ": no free temporary name");
  }
  // Created 0600; a manifest is meant to be read by later steps, so use the usual 0666 & ~umask.
  const mode_t mask = umask(0);
  umask(mask);
  fchmod(file->m_fd, 0666 & ~mask);
  if (options.owner) {
    // The file is ours (just created): give it the owner through the fd, never through a name.
    if (fchown(file->m_fd, options.owner->uid, options.owner->gid) != 0 && errno != EPERM) {
      return Created::failure("cannot give " + what + " its owner: " + errno_text(errno));
    }
  }
  file->m_buffer.reset(new char[k_buffer_size]);
  return Created(std::move(file));
}

AtomicFile::~AtomicFile() {
  if (m_fd >= 0) {
    m_fs->close(m_fd);
  }
  if (!m_committed && !m_temp_path.empty()) {
    m_fs->unlink_at(m_dir_fd, m_temp_path.c_str());
  }
  if (m_dir_fd >= 0) {
    m_fs->close(m_dir_fd);
  }
}

void AtomicFile::flush_buffer() {
  size_t done = 0;
  while (done < m_used && m_write_errno == 0) {
    const long n = m_fs->write(m_fd, m_buffer.get() + done, m_used - done);
    if (n < 0) {
      m_write_errno = static_cast<int>(-n);
      continue;
    }
    if (n == 0) {
      m_write_errno = EIO;  // write(2) made no progress: do not spin
      continue;
    }
    done += static_cast<size_t>(n);
  }
  m_flushed += m_used;
  m_used = 0;
}

void AtomicFile::patch(uint64_t offset, std::string_view data) {
  if (!is_regular_file() || offset > m_flushed + m_used || data.size() > m_flushed + m_used - offset) {
    if (m_write_errno == 0) m_write_errno = EINVAL;
    return;
  }
  // What is still buffered is changed there; what was written already, with pwrite.
  while (!data.empty() && offset < m_flushed && m_write_errno == 0) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(data.size(), m_flushed - offset));
    const long w = m_fs->write_at(m_fd, data.data(), n, offset);
    if (w <= 0) {
      m_write_errno = w < 0 ? static_cast<int>(-w) : EIO;
      return;
    }
    data.remove_prefix(static_cast<size_t>(w));
    offset += static_cast<uint64_t>(w);
  }
  if (!data.empty() && m_write_errno == 0) std::copy_n(data.data(), data.size(), m_buffer.get() + (offset - m_flushed));
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

Status AtomicFile::commit() {
  flush_buffer();
  if (m_write_errno != 0) {
    return Status::failure("writing '" + m_path + "' failed: " + errno_text(m_write_errno));
  }
  if (const int rc = m_fs->close_checked(m_fd); rc != 0) {
    m_fd = -1;
    return Status::failure("writing '" + m_path + "' failed: " + errno_text(-rc));
  }
  m_fd = -1;
  if (m_temp_path.empty()) {  // written in place (a device or pipe)
    m_committed = true;
    return ok_status();
  }
  if (const int rc = m_fs->rename_at(m_dir_fd, m_temp_path.c_str(), m_dir_fd, m_base_name.c_str()); rc != 0) {
    return Status::failure("cannot move the finished file into place at '" + m_path + "': " + errno_text(-rc));
  }
  m_committed = true;
  return ok_status();
}

}  // namespace treeprint
