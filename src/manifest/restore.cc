#include "manifest/restore.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <deque>
#include <unordered_map>
#include <unordered_set>

#include "util/format.h"
#include "util/sha256.h"

namespace treeprint {

namespace {

// Symlinks followed while resolving one target, as the kernel's limit.
constexpr int k_max_link_hops = 40;

std::string quoted(std::string_view path) { return "'" + printable(path) + "'"; }

// What the manifest says is at each path: the lookups restore needs, built once.
class ManifestIndex {
 public:
  explicit ManifestIndex(const Manifest& m) {
    for (const FileEntry* f : m.files) add(f->path, Kind::file, f, nullptr);
    for (const SymlinkEntry& l : m.symlinks) add(l.path, Kind::symlink, nullptr, &l);
    for (const SkippedEntry& s : m.skipped) add(s.path, Kind::special, nullptr, nullptr);
  }

  enum class Kind : uint8_t { file, symlink, special };
  struct Item {
    Kind kind;
    const FileEntry* file;
    const SymlinkEntry* link;
  };

  /// The first problem found: a path in two lists, or an entry below a file, symlink or special file.
  Status check() const {
    if (!m_duplicate.empty()) {
      return Status::failure("the manifest lists " + quoted(m_duplicate) + " twice (as two kinds of entry)");
    }
    for (const std::string_view path : m_order) {
      for (size_t slash = path.find('/'); slash != std::string_view::npos; slash = path.find('/', slash + 1)) {
        const std::string_view parent = path.substr(0, slash);
        if (const Item* p = find(parent)) {
          const char* what = p->kind == Kind::symlink ? "a symlink"
                             : p->kind == Kind::file  ? "a file"
                                                      : "a special file";
          return Status::failure("the manifest lists " + quoted(path) + " below " + quoted(parent) +
                                 ", which it lists as " + what + ": a path through it could lead out of the tree");
        }
      }
    }
    return ok_status();
  }

  const Item* find(std::string_view path) const {
    const auto it = m_items.find(path);
    return it == m_items.end() ? nullptr : &it->second;
  }
  bool is_directory(std::string_view path) const { return path.empty() || m_dirs.contains(path); }

 private:
  void add(std::string_view path, Kind kind, const FileEntry* f, const SymlinkEntry* l) {
    if (!m_items.emplace(path, Item{kind, f, l}).second && m_duplicate.empty()) m_duplicate = path;
    m_order.push_back(path);
    for (size_t slash = path.find('/'); slash != std::string_view::npos; slash = path.find('/', slash + 1)) {
      m_dirs.insert(path.substr(0, slash));
    }
  }

  std::unordered_map<std::string_view, Item> m_items;
  std::vector<std::string_view> m_order;  // files, symlinks, special files, each in path order
  std::unordered_set<std::string_view> m_dirs;
  std::string_view m_duplicate;
};

// Where a symlink's target leads, resolved in the manifest's namespace as the kernel would in the original tree:
// components one by one, symlinks of the manifest replaced by their targets, '..' applied to what is resolved.
struct Resolution {
  enum class Kind : uint8_t { file, directory, absent, outside, loop } kind;
  const FileEntry* file = nullptr;  // kind == file
};

std::vector<std::string_view> split(std::string_view text) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t slash = text.find('/', start);
    if (slash == std::string_view::npos) slash = text.size();
    if (slash > start) out.push_back(text.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

std::string join(const std::vector<std::string_view>& parts) {
  std::string out;
  for (const std::string_view p : parts) {
    if (!out.empty()) out += '/';
    out += p;
  }
  return out;
}

Resolution resolve_target(const ManifestIndex& index, std::string_view link_path, std::string_view target) {
  if (target.empty() || target.front() == '/') return {Resolution::Kind::outside};
  std::vector<std::string_view> at = split(link_path);
  at.pop_back();  // the link's directory
  std::deque<std::string_view> rest;
  for (const std::string_view c : split(target)) rest.push_back(c);
  int hops = 0;
  while (!rest.empty()) {
    const std::string_view c = rest.front();
    rest.pop_front();
    if (c == ".") continue;
    if (c == "..") {
      if (at.empty()) return {Resolution::Kind::outside};
      at.pop_back();
      continue;
    }
    at.push_back(c);
    const ManifestIndex::Item* item = index.find(join(at));
    if (item == nullptr) continue;
    if (item->kind == ManifestIndex::Kind::symlink) {
      if (++hops > k_max_link_hops) return {Resolution::Kind::loop};
      const std::string_view next = item->link->target;
      if (next.empty() || next.front() == '/') return {Resolution::Kind::outside};
      at.pop_back();
      const std::vector<std::string_view> parts = split(next);
      rest.insert(rest.begin(), parts.begin(), parts.end());
    } else if (!rest.empty()) {
      // A component below a file: the kernel says ENOTDIR; nothing there.
      return {Resolution::Kind::absent};
    }
  }
  const std::string path = join(at);
  if (const ManifestIndex::Item* item = index.find(path); item != nullptr && item->kind == ManifestIndex::Kind::file) {
    return {Resolution::Kind::file, item->file};
  }
  return {index.is_directory(path) ? Resolution::Kind::directory : Resolution::Kind::absent};
}

class Fd {
 public:
  explicit Fd(int fd = -1) : m_fd(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& o) noexcept : m_fd(o.m_fd) { o.m_fd = -1; }
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      reset();
      m_fd = o.m_fd;
      o.m_fd = -1;
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return m_fd; }
  bool valid() const { return m_fd >= 0; }
  void reset() {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = -1;
  }

 private:
  int m_fd;
};

// The directories on the way to the current entry, each opened relative to the one above it with O_NOFOLLOW, so no
// symlink is ever followed. Entries come in path order, so the chain is mostly reused from one entry to the next.
class DirectoryChain {
 public:
  explicit DirectoryChain(int root_fd) : m_root(root_fd) {}

  /// The fd of `path`'s parent directory, or -errno (ENOENT: a directory is missing; ENOTDIR or ELOOP: something
  /// that is not a directory, a symlink perhaps, is in the way). `name` receives the last component.
  int parent_of(std::string_view path, std::string* name) {
    const std::vector<std::string_view> parts = split(path);
    *name = std::string(parts.back());
    size_t common = 0;
    while (common < m_names.size() && common + 1 < parts.size() && m_names[common] == parts[common]) ++common;
    m_names.resize(common);
    m_fds.resize(common);
    for (size_t i = common; i + 1 < parts.size(); ++i) {
      const int above = i == 0 ? m_root : m_fds.back().get();
      const std::string component(parts[i]);
      const int fd = ::openat(above, component.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0) return -errno;
      m_names.emplace_back(parts[i]);
      m_fds.emplace_back(fd);
    }
    return m_fds.empty() ? m_root : m_fds.back().get();
  }

 private:
  int m_root;
  std::vector<std::string> m_names;
  std::vector<Fd> m_fds;
};

std::string in_the_way(int err) {
  if (err == -ENOENT) return "its directory is missing";
  if (err == -ENOTDIR || err == -ELOOP) return "something that is not a directory (a symlink?) is on its way";
  return "its directory cannot be opened: " + errno_text(-err);
}

// The SHA-256 of an open regular file.
Result<Digest> hash_fd(int fd) {
  Sha256 hash;
  std::vector<char> buf(1 << 16);
  for (;;) {
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Result<Digest>::failure("read failed: " + errno_text(errno));
    }
    if (n == 0) break;
    hash.update(buf.data(), static_cast<size_t>(n));
  }
  return hash.finish();
}

class Restorer {
 public:
  Restorer(const Manifest& m, const ManifestIndex& index, int root_fd, bool dry_run)
      : m_manifest(m), m_index(index), m_chain(root_fd), m_dry_run(dry_run) {}

  RestoreResult run() {
    for (const FileEntry* f : m_manifest.files) restore_mode(*f);
    for (const SymlinkEntry& l : m_manifest.symlinks) restore_link(l);
    const auto by_path = [](const auto& a, const auto& b) { return a.path < b.path; };
    std::stable_sort(m_result.changes.begin(), m_result.changes.end(), by_path);
    std::stable_sort(m_result.kept.begin(), m_result.kept.end(), by_path);
    return std::move(m_result);
  }

 private:
  void keep(std::string_view path, std::string reason) {
    m_result.kept.push_back({std::string(path), std::move(reason)});
  }

  void restore_mode(const FileEntry& f) {
    std::string name;
    const int dir = m_chain.parent_of(f.path, &name);
    if (dir < 0) {
      if (dir != -ENOENT) keep(f.path, "mode not set: " + in_the_way(dir));
      return;  // a missing file is for verify to report
    }
    Fd fd(::openat(dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
    if (!fd.valid()) {
      if (errno != ENOENT && errno != ELOOP) keep(f.path, "mode not set: cannot open: " + errno_text(errno));
      return;  // missing, or a symlink where a file was: verify reports it
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return;
    if (((st.st_mode & S_IXUSR) != 0) == f.executable) return;
    const mode_t perm = st.st_mode & 07777;
    const mode_t want = f.executable ? perm | S_IXUSR | ((perm & (S_IRGRP | S_IROTH)) >> 2) : perm & ~mode_t{0111};
    if (!m_dry_run && ::fchmod(fd.get(), want) != 0) {
      keep(f.path, "mode not set: " + errno_text(errno));
      return;
    }
    m_result.changes.push_back(
        {f.executable ? RestoreKind::set_executable : RestoreKind::clear_executable, std::string(f.path), {}});
  }

  void restore_link(const SymlinkEntry& l) {
    const Resolution r = resolve_target(m_index, l.path, l.target);
    std::string name;
    const int dir = m_chain.parent_of(l.path, &name);
    if (dir < 0) {
      keep(l.path, "link not made: " + in_the_way(dir));
      return;
    }
    struct stat st {};
    if (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno != ENOENT) {
        keep(l.path, "link not made: " + errno_text(errno));
        return;
      }
      if (r.kind == Resolution::Kind::outside) {
        keep(l.path, "link not made: its target " + quoted(l.target) + " leaves the tree");
        return;
      }
      if (!m_dry_run && ::symlinkat(l.target.c_str(), dir, name.c_str()) != 0) {
        keep(l.path, "link not made: " + errno_text(errno));
        return;
      }
      m_result.changes.push_back({RestoreKind::create_link, l.path, l.target});
      return;
    }
    if (S_ISLNK(st.st_mode)) return;  // a link already: verify compares its target
    if (r.kind == Resolution::Kind::outside) {
      keep(l.path, "kept as it is: the link's target " + quoted(l.target) + " leaves the tree");
      return;
    }
    if (S_ISDIR(st.st_mode)) {
      keep(l.path, "kept as it is: a directory is where the link to " + quoted(l.target) +
                       " was (a copy of it?); restore never removes files the manifest does not list");
      return;
    }
    if (!S_ISREG(st.st_mode)) {
      keep(l.path, "kept as it is: a special file is where the link was");
      return;
    }
    if (r.kind != Resolution::Kind::file) {
      keep(l.path, "kept as it is: a file is where the link was, and its target " + quoted(l.target) +
                       " is not a file of the manifest, so the copy cannot be checked");
      return;
    }
    replace_copy(l, *r.file, dir, name, st);
  }

  // The regular file at the link's path holds the target's bytes: the link goes in its place.
  void replace_copy(const SymlinkEntry& l, const FileEntry& target, int dir, const std::string& name,
                    const struct stat& seen) {
    Fd fd(::openat(dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
    struct stat st {};
    if (!fd.valid() || ::fstat(fd.get(), &st) != 0) {
      keep(l.path, "kept as it is: cannot read the file where the link was: " + errno_text(errno));
      return;
    }
    if (st.st_ino != seen.st_ino || st.st_dev != seen.st_dev || !S_ISREG(st.st_mode)) {
      keep(l.path, "kept as it is: the file changed while it was checked");
      return;
    }
    if (static_cast<uint64_t>(st.st_size) != target.size) {
      keep(l.path, "kept as it is: the file where the link was differs from its target " + quoted(l.target));
      return;
    }
    const Result<Digest> digest = hash_fd(fd.get());
    if (!digest) {
      keep(l.path, "kept as it is: " + digest.error());
      return;
    }
    if (*digest != target.sha256) {
      keep(l.path, "kept as it is: the file where the link was differs from its target " + quoted(l.target));
      return;
    }
    if (m_dry_run) {
      m_result.changes.push_back({RestoreKind::replace_copy, l.path, l.target});
      return;
    }
    // The link is made under a temporary name beside the copy, then renamed over it: the path is never empty.
    std::string temp;
    for (int attempt = 0;; ++attempt) {
      temp = ".treeprint-restore-" + std::to_string(::getpid()) + "-" + std::to_string(m_temp_counter++);
      if (::symlinkat(l.target.c_str(), dir, temp.c_str()) == 0) break;
      if (errno != EEXIST || attempt == 100) {
        keep(l.path, "link not made: " + errno_text(errno));
        return;
      }
    }
    struct stat now {};
    if (::fstatat(dir, name.c_str(), &now, AT_SYMLINK_NOFOLLOW) != 0 || now.st_ino != seen.st_ino ||
        now.st_dev != seen.st_dev) {
      ::unlinkat(dir, temp.c_str(), 0);
      keep(l.path, "kept as it is: the file changed while it was checked");
      return;
    }
    if (::renameat(dir, temp.c_str(), dir, name.c_str()) != 0) {
      const int err = errno;
      ::unlinkat(dir, temp.c_str(), 0);
      keep(l.path, "link not made: " + errno_text(err));
      return;
    }
    m_result.changes.push_back({RestoreKind::replace_copy, l.path, l.target});
  }

  const Manifest& m_manifest;
  const ManifestIndex& m_index;
  DirectoryChain m_chain;
  bool m_dry_run;
  uint64_t m_temp_counter = 0;
  RestoreResult m_result;
};

}  // namespace

Status check_restorable(const Manifest& manifest) { return ManifestIndex(manifest).check(); }

Result<RestoreResult> restore_tree(const Manifest& manifest, const std::string& dir, bool dry_run) {
  const ManifestIndex index(manifest);
  if (Status s = index.check(); !s) return Result<RestoreResult>::failure(s.error() + "; nothing was changed");
  Fd root(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root.valid()) {
    return Result<RestoreResult>::failure("cannot open the directory " + quoted(dir) + ": " + errno_text(errno));
  }
  Restorer restorer(manifest, index, root.get(), dry_run);
  return restorer.run();
}

std::vector<std::string_view> hidden_paths(const Manifest& manifest) {
  const auto hidden = [](std::string_view path) {
    return path.front() == '.' || path.find("/.") != std::string_view::npos;
  };
  std::vector<std::string_view> out;
  for (const FileEntry* f : manifest.files) {
    if (hidden(f->path)) out.push_back(f->path);
  }
  for (const SymlinkEntry& l : manifest.symlinks) {
    if (hidden(l.path)) out.push_back(l.path);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace treeprint
