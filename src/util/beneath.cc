#include "util/beneath.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <deque>
#include <vector>

namespace treeprint {

namespace {

constexpr int k_max_symlinks = 40;  // as the kernel's MAXSYMLINKS

std::atomic<int> g_openat2{-1};  // -1 unknown, 0 missing, 1 there
std::atomic<bool> g_force_walk{false};

long call_openat2(int dir_fd, const char* path, int flags, uint64_t resolve) {
  struct open_how how {};
  how.flags = static_cast<uint64_t>(flags);
  how.resolve = resolve;
  for (int tries = 0;; ++tries) {
    const long fd = ::syscall(SYS_openat2, dir_fd, path, &how, sizeof how);
    // EAGAIN: a rename or mount raced with the lookup; the kernel asks to try again.
    if (fd < 0 && errno == EAGAIN && tries < 8) continue;
    if (fd < 0 && errno == EINTR) continue;
    return fd < 0 ? -errno : fd;
  }
}

void split_into(std::string_view path, std::deque<std::string>* out, bool front) {
  std::vector<std::string> parts;
  while (!path.empty()) {
    const size_t slash = path.find('/');
    const std::string_view part = path.substr(0, slash);
    if (!part.empty() && part != ".") parts.emplace_back(part);
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  if (front) {
    out->insert(out->begin(), parts.begin(), parts.end());
  } else {
    out->insert(out->end(), parts.begin(), parts.end());
  }
}

class DirStack {
 public:
  explicit DirStack(int anchor) : m_anchor(anchor) {}
  ~DirStack() { clear(); }
  DirStack(const DirStack&) = delete;
  DirStack& operator=(const DirStack&) = delete;
  int top() const { return m_fds.empty() ? m_anchor : m_fds.back(); }
  bool at_anchor() const { return m_fds.empty(); }
  void push(int fd) { m_fds.push_back(fd); }
  void pop() {
    ::close(m_fds.back());
    m_fds.pop_back();
  }
  void clear() {
    while (!m_fds.empty()) pop();
  }

 private:
  int m_anchor;
  std::vector<int> m_fds;
};

// The same rules as openat2 RESOLVE_BENEATH / RESOLVE_IN_ROOT, one component at a time.
int walk(int anchor_fd, std::string_view path, int flags, Resolve how) {
  std::deque<std::string> todo;
  if (!path.empty() && path.front() == '/' && how == Resolve::beneath) return -EXDEV;
  split_into(path, &todo, false);
  DirStack dirs(anchor_fd);
  int links = 0;
  // A symlink met: its target replaces it in what is left to resolve.
  const auto follow = [&](int dir_fd, const std::string& name) -> int {
    if (++links > k_max_symlinks) return -ELOOP;
    std::string target(4096, '\0');
    const ssize_t n = ::readlinkat(dir_fd, name.c_str(), target.data(), target.size());
    if (n < 0) return -errno;
    if (static_cast<size_t>(n) >= target.size()) return -ENAMETOOLONG;
    target.resize(static_cast<size_t>(n));
    if (!target.empty() && target.front() == '/') {
      if (how == Resolve::beneath) return -EXDEV;
      dirs.clear();  // in_root: an absolute target starts again from the root
    }
    split_into(target, &todo, true);
    return 0;
  };
  while (!todo.empty()) {
    const std::string name = std::move(todo.front());
    todo.pop_front();
    if (name == "..") {
      if (dirs.at_anchor()) {
        if (how == Resolve::beneath) return -EXDEV;
        continue;  // in_root: the root's parent is the root
      }
      dirs.pop();
      continue;
    }
    if (!todo.empty()) {  // a directory on the way
      const int fd = ::openat(dirs.top(), name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0) return -errno;
      struct stat st {};
      if (::fstat(fd, &st) != 0) {
        const int err = errno;
        ::close(fd);
        return -err;
      }
      if (S_ISLNK(st.st_mode)) {
        ::close(fd);
        if (const int rc = follow(dirs.top(), name); rc != 0) return rc;
        continue;
      }
      if (!S_ISDIR(st.st_mode)) {
        ::close(fd);
        return -ENOTDIR;
      }
      dirs.push(fd);
      continue;
    }
    // The last component.
    const int fd = ::openat(dirs.top(), name.c_str(), flags | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd >= 0) return fd;
    const int err = errno;
    if ((err == ELOOP || err == ENOTDIR) && (flags & O_NOFOLLOW) == 0) {
      struct stat st {};
      if (::fstatat(dirs.top(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
        if (const int rc = follow(dirs.top(), name); rc != 0) return rc;
        continue;
      }
    }
    return -err;
  }
  // The path ended at a directory ("", ".", "a/.."): open it.
  const int fd = ::openat(dirs.top(), ".", (flags & ~O_NOFOLLOW) | O_CLOEXEC);
  return fd < 0 ? -errno : fd;
}

}  // namespace

bool have_openat2() {
  int known = g_openat2.load(std::memory_order_relaxed);
  if (known < 0) {
    const long fd = call_openat2(AT_FDCWD, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC, RESOLVE_BENEATH);
    known = fd >= 0 || (fd != -ENOSYS && fd != -EPERM) ? 1 : 0;
    if (fd >= 0) ::close(static_cast<int>(fd));
    g_openat2.store(known, std::memory_order_relaxed);
  }
  return known == 1;
}

void force_resolve_walk(bool on) { g_force_walk.store(on, std::memory_order_relaxed); }

int open_resolved(int anchor_fd, std::string_view path, int flags, Resolve how) {
  if (!g_force_walk.load(std::memory_order_relaxed) && have_openat2()) {
    const std::string p = path.empty() ? std::string(".") : std::string(path);
    const uint64_t resolve = RESOLVE_NO_MAGICLINKS | (how == Resolve::beneath ? RESOLVE_BENEATH : RESOLVE_IN_ROOT);
    const long fd = call_openat2(anchor_fd, p.c_str(), flags | O_CLOEXEC, resolve);
    if (fd != -ENOSYS && fd != -EPERM) return static_cast<int>(fd);
  }
  return walk(anchor_fd, path, flags, how);
}

int open_dir_creating(int anchor_fd, std::string_view path, Resolve how,
                      const std::function<void(int fd, const std::string& path)>& created) {
  const int fd = open_resolved(anchor_fd, path, O_RDONLY | O_DIRECTORY, how);
  if (fd != -ENOENT) return fd;
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  const size_t slash = path.rfind('/');
  const std::string_view parent = slash == std::string_view::npos ? std::string_view() : path.substr(0, slash + 1);
  const std::string last(slash == std::string_view::npos ? path : path.substr(slash + 1));
  if (last.empty() || last == "." || last == "..") return -ENOENT;
  const int parent_fd = open_dir_creating(anchor_fd, parent, how, created);
  if (parent_fd < 0) return parent_fd;
  const bool made = ::mkdirat(parent_fd, last.c_str(), 0777) == 0;
  if (!made && errno != EEXIST) {
    const int err = errno;
    ::close(parent_fd);
    return -err;
  }
  // Never through a symlink: whatever is there now must be a directory itself.
  const int dir = ::openat(parent_fd, last.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  const int err = errno;
  ::close(parent_fd);
  if (dir < 0) return -err;
  if (made && created) created(dir, std::string(parent) + last);
  return dir;
}

}  // namespace treeprint
