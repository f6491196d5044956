#include "scan/walk.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <type_traits>

#include "scan/pseudo_fs.h"
#include "util/format.h"
#include "util/sha256.h"

namespace treeprint {

namespace {

constexpr size_t k_batch = 16;                // files per job: enough reads in flight, fine-grained enough to balance
constexpr size_t k_read_buffer = 128 << 10;   // per thread; small enough to stay in L2 between copy and hash
constexpr size_t k_dents_buffer = 64 << 10;   // per thread
constexpr uint64_t k_prefetch_max = 8 << 20;  // WILLNEED at most this much of a file; readahead does the rest
constexpr uint64_t k_gitignore_max = 100 << 20;  // git refuses larger ignore files too
constexpr size_t k_records_per_chunk = 4096;
constexpr uint64_t k_report_bytes = 8 << 20;  // progress granularity within big files
constexpr uint64_t k_big_file = 4 << 20;      // hashing takes milliseconds: let other threads take the rest
constexpr size_t k_text_chunk = 256 << 10;

enum class RecordState : uint8_t { pending, ok, failed, filtered };

struct FileRecord {
  FileEntry entry;  // first: the manifest points at entries, and the stats are found from them
  RecordState state = RecordState::pending;
  uint64_t ino = 0;
  int64_t ctime_ns = 0;
};
static_assert(std::is_standard_layout_v<FileRecord>);

// Per-worker storage with stable addresses: records are filled in by whichever worker hashes them.
class Arena {
 public:
  FileRecord* new_record() {
    if (m_records.empty() || m_record_used == k_records_per_chunk) {
      m_records.emplace_back(new FileRecord[k_records_per_chunk]);
      m_record_used = 0;
    }
    return &m_records.back()[m_record_used++];
  }

  // Stores "dir/name" followed by a NUL (so the name can be passed to openat) and returns it without the NUL.
  std::string_view store_path(std::string_view path) {
    const size_t need = path.size() + 1;
    if (m_text.empty() || m_text_cap - m_text_used < need) {
      m_text_cap = std::max(k_text_chunk, need);
      m_text.emplace_back(new char[m_text_cap]);
      m_text_used = 0;
    }
    char* p = m_text.back().get() + m_text_used;
    std::memcpy(p, path.data(), path.size());
    p[path.size()] = '\0';
    m_text_used += need;
    return {p, path.size()};
  }

  template <typename F>
  void for_each(F&& f) const {
    for (size_t c = 0; c < m_records.size(); ++c) {
      const size_t n = c + 1 == m_records.size() ? m_record_used : k_records_per_chunk;
      for (size_t i = 0; i < n; ++i) f(m_records[c][i]);
    }
  }

 private:
  std::vector<std::unique_ptr<FileRecord[]>> m_records;
  size_t m_record_used = 0;
  std::vector<std::unique_ptr<char[]>> m_text;
  size_t m_text_used = 0;
  size_t m_text_cap = 0;
};

// An open directory, shared by the jobs that still need its fd.
struct DirRef {
  FileSystem* fs;
  int fd;
  std::atomic<uint64_t>* open_count;
  DirRef(FileSystem* f, int d, std::atomic<uint64_t>* count) : fs(f), fd(d), open_count(count) {
    open_count->fetch_add(1, std::memory_order_relaxed);
  }
  ~DirRef() {
    fs->close(fd);
    open_count->fetch_sub(1, std::memory_order_relaxed);
  }
  DirRef(const DirRef&) = delete;
  DirRef& operator=(const DirRef&) = delete;
};

// (dev, ino) of a directory and its ancestors: how --follow-symlinks recognises a link back up the tree.
struct DirIdentity {
  dev_t dev;
  ino_t ino;
  std::shared_ptr<const DirIdentity> parent;
};

struct DirJob {
  std::shared_ptr<DirRef> parent;  // the directory holding this one; null when `fd` is already open
  int fd = -1;                     // already opened (the root, a followed symlink)
  std::string name;                // name within `parent`
  std::string rel;                 // path from the root, "" for the root
  std::shared_ptr<const IgnoreChain> ignore;
  std::shared_ptr<const DirIdentity> ancestors;
  bool included = false;  // this directory (or one above it) matched an --include
};

struct FileJob {
  std::shared_ptr<DirRef> dir;
  uint32_t count = 0;
  std::array<FileRecord*, k_batch> records{};
};

const char* type_name(mode_t mode) {
  switch (mode & S_IFMT) {
    case S_IFIFO: return "fifo";
    case S_IFSOCK: return "socket";
    case S_IFCHR: return "char-device";
    case S_IFBLK: return "block-device";
    default: return "unknown";
  }
}

int64_t mtime_ns(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

std::string_view base_name(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string join(std::string_view dir, std::string_view name) {
  std::string out;
  out.reserve(dir.size() + name.size() + 1);
  if (!dir.empty()) {
    out.append(dir);
    out.push_back('/');
  }
  out.append(name);
  return out;
}

bool prefetch_enabled() {
  const char* v = std::getenv("TREEPRINT_PREFETCH");
  return v == nullptr || std::strcmp(v, "0") != 0;
}

class Walker;

// What hashing a file in a batch tells the batch, as soon as it is known.
struct HashHooks {
  bool probe_cache = false;    // try the first read from the page cache only (RWF_NOWAIT), to learn it is cold
  std::function<void()> cold;  // a read found the data not in the page cache
  std::function<void()> big;   // the file is big: hashing it will take a while
};

struct Worker {
  std::mutex mu;
  std::deque<DirJob> dirs;
  std::deque<FileJob> files;

  Arena arena;
  std::vector<SymlinkEntry> symlinks;
  std::vector<SkippedEntry> skipped;
  std::vector<ErrorEntry> errors;
  std::vector<std::string> warnings;
  std::unique_ptr<char[]> read_buffer{new char[k_read_buffer]};
  std::unique_ptr<char[]> dents_buffer{new char[k_dents_buffer]};
  Sha256 hasher;
  uint64_t unreported_files = 0;
  uint64_t unreported_bytes = 0;

  struct Listed {
    uint32_t name_offset;
    uint32_t name_size;
    unsigned char type;
  };
  std::vector<Listed> listed;  // scratch: the directory being read
  std::string names;           // scratch: its names, NUL-separated
};

class Walker {
 public:
  Walker(FileSystem& fs, const WalkOptions& options, unsigned threads)
      : m_fs(fs), m_options(options), m_prefetch(prefetch_enabled()) {
    for (unsigned i = 0; i < threads; ++i) m_workers.emplace_back(std::make_unique<Worker>());
    const uint64_t limit = raise_open_file_limit();
    // Directory fds stay open while their files wait to be hashed; keep a margin for file batches and the rest.
    m_dir_fd_cap = std::clamp<uint64_t>(limit / 4, 64, 8192);
    // Filesystem timestamps come from a coarse clock and may lag; two seconds of margin cover that.
    struct timespec now {};
    clock_gettime(CLOCK_REALTIME, &now);
    m_racy_after_ns =
        options.racy_after_ns.value_or((static_cast<int64_t>(now.tv_sec) - 2) * 1'000'000'000 + now.tv_nsec);
  }

  bool start(const std::string& root, std::string* fatal_error);
  void run();
  void collect(Manifest* manifest);

 private:
  void worker_loop(size_t index);
  bool pop(size_t index, DirJob* dir, FileJob* files, bool* is_dir);
  void push_dir(Worker& w, DirJob job);
  void push_files(Worker& w, FileJob job);
  void notify();
  void finish_job();

  void list_dir(Worker& w, DirJob job);
  void hash_batch(Worker& w, FileJob& job);
  /// `hooks` (may be null) lets the batch react to what the first reads reveal.
  bool hash_open_file(Worker& w, int fd, std::string_view path, FileRecord* rec, const HashHooks* hooks);
  void follow_link(Worker& w, const std::shared_ptr<DirRef>& dir, const std::shared_ptr<const DirIdentity>& identity,
                   std::string_view name, const std::string& path, const std::shared_ptr<const IgnoreChain>& ignore,
                   bool in_included_dir);
  void add_symlink(Worker& w, int dir_fd, std::string_view name, const std::string& path, std::string not_followed);
  /// Whether the filters and ignore files keep an entry. `in_included_dir`: a directory above it matched an include;
  /// `included` tells the same for a directory's children.
  bool keep(const IgnoreChain* ignore, std::string_view path, std::string_view name, bool is_dir, bool in_included_dir,
            bool* included) const;
  std::shared_ptr<const IgnoreChain> read_ignore_file(Worker& w, int dir_fd, const char* name, std::string base,
                                                      std::string_view shown_path,
                                                      std::shared_ptr<const IgnoreChain> parent);
  std::optional<std::string> read_small_file(int dir_fd, const char* name, uint64_t max, int* err);
  // Progress counters are shared between threads; each worker adds its counts once per batch (or every few MB).
  void report_progress(Worker& w);
  void error(Worker& w, std::string path, std::string message) {
    w.errors.push_back({std::move(path), std::move(message)});
  }

  FileSystem& m_fs;
  const WalkOptions& m_options;
  bool m_prefetch;
  std::vector<std::unique_ptr<Worker>> m_workers;
  std::atomic<int64_t> m_pending{0};
  std::atomic<uint32_t> m_epoch{0};
  std::atomic<uint64_t> m_open_dirs{0};
  uint64_t m_dir_fd_cap = 256;
  // The baseline, fetched by the first batch (see WalkOptions::baseline); null if on another device than the root.
  const Baseline* baseline() {
    std::call_once(m_baseline_once, [&] {
      const Baseline* b = m_options.baseline ? m_options.baseline() : nullptr;
      if (b != nullptr && b->root_dev() == m_root_dev) m_baseline = b;
    });
    return m_baseline;
  }
  std::once_flag m_baseline_once;
  const Baseline* m_baseline = nullptr;
  uint64_t m_root_dev = 0;
  int64_t m_racy_after_ns = 0;  // files with a ctime at or after this are checked twice (see hash_open_file)
  std::string m_root_real;      // for --follow-symlinks: absolute path of the root
  DirJob m_root_job;
};

bool Walker::start(const std::string& root, std::string* fatal_error) {
  const int fd = m_options.root_fd >= 0 ? ::fcntl(m_options.root_fd, F_DUPFD_CLOEXEC, 0)
                                        : m_fs.open_dir(AT_FDCWD, root.c_str(), /*follow=*/true);
  if (fd < 0 && m_options.root_fd >= 0) {
    *fatal_error = "cannot open directory '" + root + "': " + errno_text(errno);
    return false;
  }
  if (fd < 0) {
    struct stat st {};
    if (fd == -ENOTDIR || (m_fs.stat_at(AT_FDCWD, root.c_str(), &st, true) == 0 && !S_ISDIR(st.st_mode))) {
      *fatal_error = "'" + root + "' is not a directory; give the directory to scan";
    } else {
      *fatal_error = "cannot open directory '" + root + "': " + errno_text(-fd);
    }
    return false;
  }
  if (const char* pseudo = pseudo_filesystem(fd)) {
    m_fs.close(fd);
    *fatal_error = "'" + root + "' is on " + pseudo + ", whose files the kernel makes up as they are read (sizes that " +
                   "mean nothing, files that never end); refusing to scan it: give a directory on a real filesystem";
    return false;
  }
  m_root_job.fd = fd;
  if (m_options.baseline || m_options.root_dev != nullptr) {
    struct stat st {};
    if (m_fs.fstat(fd, &st) == 0) {
      m_root_dev = st.st_dev;
      if (m_options.root_dev != nullptr) *m_options.root_dev = st.st_dev;
    }
  }
  if (m_options.follow_symlinks) {
    struct stat st {};
    m_fs.fstat(fd, &st);
    m_root_job.ancestors = std::make_shared<DirIdentity>(DirIdentity{st.st_dev, st.st_ino, nullptr});
    std::string buf(8192, '\0');
    const long n = m_fs.fd_path(fd, buf.data(), buf.size());
    if (n > 0) m_root_real.assign(buf.data(), static_cast<size_t>(n));
  }
  if (m_options.gitignore) {
    // .git/info/exclude has the lowest precedence of the per-repository sources.
    Worker& w = *m_workers[0];
    const int git = m_fs.open_dir(fd, ".git", false);
    if (git >= 0) {
      const int info = m_fs.open_dir(git, "info", false);
      if (info >= 0) {
        m_root_job.ignore = read_ignore_file(w, info, "exclude", "", ".git/info/exclude", nullptr);
        m_fs.close(info);
      }
      m_fs.close(git);
    }
  }
  return true;
}

void Walker::run() {
  m_pending.store(1);
  if (m_options.progress) m_options.progress->dirs_pending.fetch_add(1, std::memory_order_relaxed);
  m_workers[0]->dirs.push_back(std::move(m_root_job));
  std::vector<std::jthread> threads;
  for (size_t i = 1; i < m_workers.size(); ++i) {
    threads.emplace_back([this, i] { worker_loop(i); });
  }
  worker_loop(0);
}

void Walker::notify() {
  m_epoch.fetch_add(1, std::memory_order_release);
  m_epoch.notify_all();
}

void Walker::finish_job() {
  if (m_pending.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    notify();  // the last job is done: wake everyone so they can exit
  }
}

void Walker::push_dir(Worker& w, DirJob job) {
  m_pending.fetch_add(1, std::memory_order_relaxed);
  if (m_options.progress) m_options.progress->dirs_pending.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard lock(w.mu);
  w.dirs.push_back(std::move(job));
}

void Walker::push_files(Worker& w, FileJob job) {
  m_pending.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard lock(w.mu);
  w.files.push_back(std::move(job));
}

bool Walker::pop(size_t index, DirJob* dir, FileJob* files, bool* is_dir) {
  const bool dirs_first = m_open_dirs.load(std::memory_order_relaxed) < m_dir_fd_cap;
  auto take = [&](Worker& w, bool own) {
    std::lock_guard lock(w.mu);
    // The owner pops its newest job (depth first, few open directories); a thief takes the oldest (the biggest
    // subtree, so it rarely needs to steal again).
    auto take_from = [own](auto& queue, auto* out) {
      if (queue.empty()) return false;
      if (own) {
        *out = std::move(queue.back());
        queue.pop_back();
      } else {
        *out = std::move(queue.front());
        queue.pop_front();
      }
      return true;
    };
    if (dirs_first && take_from(w.dirs, dir)) {
      *is_dir = true;
    } else if (take_from(w.files, files)) {
      *is_dir = false;
    } else if (!dirs_first && take_from(w.dirs, dir)) {
      *is_dir = true;
    } else {
      return false;
    }
    return true;
  };
  if (take(*m_workers[index], true)) return true;
  for (size_t k = 1; k < m_workers.size(); ++k) {
    if (take(*m_workers[(index + k) % m_workers.size()], false)) return true;
  }
  return false;
}

void Walker::worker_loop(size_t index) {
  Worker& w = *m_workers[index];
  DirJob dir;
  FileJob files;
  bool is_dir = false;
  for (;;) {
    const uint32_t epoch = m_epoch.load(std::memory_order_acquire);
    if (pop(index, &dir, &files, &is_dir)) {
      if (is_dir) {
        list_dir(w, std::move(dir));
        if (m_options.progress) m_options.progress->dirs_pending.fetch_sub(1, std::memory_order_relaxed);
        dir = DirJob{};
      } else {
        hash_batch(w, files);
        files = FileJob{};
      }
      finish_job();
      continue;
    }
    if (m_pending.load(std::memory_order_acquire) == 0) return;
    m_epoch.wait(epoch, std::memory_order_acquire);
  }
}

bool Walker::keep(const IgnoreChain* ignore, std::string_view path, std::string_view name, bool is_dir,
                  bool in_included_dir, bool* included) const {
  *included = in_included_dir;
  if (m_options.filters != nullptr) {
    switch (m_options.filters->match(path, name, is_dir)) {
      case RuleMatch::ignore: return false;
      case RuleMatch::keep: *included = true; return true;  // an explicit include beats .gitignore
      case RuleMatch::none:
        if (!is_dir && !in_included_dir && m_options.filters->has_includes()) return false;
        break;
    }
  }
  return !(m_options.gitignore && IgnoreChain::is_ignored(ignore, path, name, is_dir));
}

std::optional<std::string> Walker::read_small_file(int dir_fd, const char* name, uint64_t max, int* err) {
  const int fd = m_fs.open_file(dir_fd, name, false);
  if (fd < 0) {
    *err = -fd;
    return std::nullopt;
  }
  struct stat st {};
  if (m_fs.fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || static_cast<uint64_t>(st.st_size) > max) {
    m_fs.close(fd);
    *err = S_ISREG(st.st_mode) ? EFBIG : EINVAL;
    return std::nullopt;
  }
  std::string text;
  text.resize(static_cast<size_t>(st.st_size) + 1);
  size_t used = 0;
  for (;;) {
    if (used == text.size()) text.resize(text.size() * 2);
    const long n = m_fs.read(fd, text.data() + used, text.size() - used);
    if (n < 0) {
      m_fs.close(fd);
      *err = static_cast<int>(-n);
      return std::nullopt;
    }
    if (n == 0) break;
    used += static_cast<size_t>(n);
    if (used > max) break;
  }
  m_fs.close(fd);
  text.resize(used);
  return text;
}

std::shared_ptr<const IgnoreChain> Walker::read_ignore_file(Worker& w, int dir_fd, const char* name, std::string base,
                                                            std::string_view shown_path,
                                                            std::shared_ptr<const IgnoreChain> parent) {
  int err = 0;
  auto text = read_small_file(dir_fd, name, k_gitignore_max, &err);
  if (!text) {
    // Missing is normal. A symlinked .gitignore is not followed, as git (>= 2.32) does not follow it.
    if (err != ENOENT && err != ELOOP && err != EINVAL) {
      error(w, std::string(shown_path), "cannot read ignore file: " + errno_text(err));
    }
    return parent;
  }
  RuleSet rules = RuleSet::parse_gitignore(*text, std::move(base), shown_path, &w.warnings);
  if (rules.empty()) return parent;
  return std::make_shared<IgnoreChain>(std::move(rules), std::move(parent));
}

void Walker::list_dir(Worker& w, DirJob job) {
  int fd = job.fd;
  if (fd < 0) {
    fd = m_fs.open_dir(job.parent->fd, job.name.c_str(), false);
    if (fd < 0) {
      if (fd == -ENOENT) {
        error(w, job.rel, "directory vanished while being scanned");
      } else if (fd == -ELOOP || fd == -ENOTDIR) {
        error(w, job.rel, "directory was replaced during the scan (now a symlink or a file)");
      } else {
        error(w, job.rel, "cannot open directory: " + errno_text(-fd));
      }
      return;
    }
  }
  job.parent.reset();
  auto dir = std::make_shared<DirRef>(&m_fs, fd, &m_open_dirs);

  std::shared_ptr<const DirIdentity> identity;
  std::vector<std::string_view> leave_out;
  if (m_options.follow_symlinks || !m_options.leave_out.empty()) {
    struct stat st {};
    if (m_fs.fstat(fd, &st) == 0) {
      for (const auto& lo : m_options.leave_out) {
        if (lo.dir_dev == st.st_dev && lo.dir_ino == st.st_ino) leave_out.push_back(lo.name);
      }
      if (m_options.follow_symlinks) {
        identity = job.rel.empty() ? job.ancestors
                                   : std::make_shared<DirIdentity>(DirIdentity{st.st_dev, st.st_ino, job.ancestors});
      }
    }
  }

  // Read the whole listing first: a .gitignore here applies to every entry of this directory.
  w.listed.clear();
  w.names.clear();
  bool has_gitignore = false;
  for (;;) {
    const long n = m_fs.read_dir(fd, w.dents_buffer.get(), k_dents_buffer);
    if (n < 0) {
      error(w, job.rel.empty() ? "." : job.rel, "cannot read directory: " + errno_text(static_cast<int>(-n)));
      break;
    }
    if (n == 0) break;
    for (long off = 0; off < n;) {
      auto* d = reinterpret_cast<const struct dirent64*>(w.dents_buffer.get() + off);
      off += d->d_reclen;
      const char* name = d->d_name;
      if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'))) continue;
      const size_t len = std::strlen(name);
      if (len == 4 && std::memcmp(name, ".git", 4) == 0 && m_options.skip_dot_git) continue;
      if (len == 10 && std::memcmp(name, ".gitignore", 10) == 0 && (d->d_type == DT_REG || d->d_type == DT_UNKNOWN)) {
        has_gitignore = true;
      }
      w.listed.push_back({static_cast<uint32_t>(w.names.size()), static_cast<uint32_t>(len), d->d_type});
      w.names.append(name, len + 1);
    }
  }

  std::shared_ptr<const IgnoreChain> ignore = job.ignore;
  if (m_options.gitignore && has_gitignore) {
    ignore = read_ignore_file(w, fd, ".gitignore", job.rel, join(job.rel, ".gitignore"), std::move(ignore));
  }

  FileJob batch;
  batch.dir = dir;
  std::string path;
  uint64_t files_found = 0;
  for (const auto& item : w.listed) {
    const char* cname = w.names.data() + item.name_offset;
    const std::string_view name(cname, item.name_size);
    if (!leave_out.empty() && std::find(leave_out.begin(), leave_out.end(), name) != leave_out.end()) continue;
    path.assign(job.rel);
    if (!path.empty()) path.push_back('/');
    path.append(name);

    unsigned char type = item.type;
    if (type == DT_UNKNOWN) {
      struct stat st {};
      const int rc = m_fs.stat_at(fd, cname, &st, false);
      if (rc < 0) {
        if (rc != -ENOENT) error(w, path, "cannot stat: " + errno_text(-rc));
        continue;
      }
      type = static_cast<unsigned char>(IFTODT(st.st_mode));
    }
    if (type == DT_LNK && m_options.follow_symlinks) {
      follow_link(w, dir, identity, name, path, ignore, job.included);
      continue;
    }
    bool included = false;
    if (!keep(ignore.get(), path, name, type == DT_DIR, job.included, &included)) continue;
    switch (type) {
      case DT_DIR: push_dir(w, DirJob{dir, -1, std::string(name), path, ignore, identity, included}); break;
      case DT_REG: {
        if (m_options.shard_count > 1 && shard_of(path, m_options.shard_count) != m_options.shard_index) break;
        FileRecord* rec = w.arena.new_record();
        rec->entry.path = w.arena.store_path(path);
        batch.records[batch.count++] = rec;
        ++files_found;
        if (batch.count == k_batch) {
          push_files(w, std::move(batch));
          batch = FileJob{};
          batch.dir = dir;
        }
        break;
      }
      case DT_LNK: add_symlink(w, fd, name, path, ""); break;
      default: {
        w.skipped.push_back({path, type_name(DTTOIF(type))});
        break;
      }
    }
  }
  if (batch.count != 0) push_files(w, std::move(batch));
  if (m_options.progress) m_options.progress->files_found.fetch_add(files_found, std::memory_order_relaxed);
  notify();
}

void Walker::add_symlink(Worker& w, int dir_fd, std::string_view name, const std::string& path,
                         std::string not_followed) {
  const std::string cname(name);
  if (m_options.since_ns) {
    struct stat st {};
    const int rc = m_fs.stat_at(dir_fd, cname.c_str(), &st, false);
    if (rc < 0) {
      error(w, path, "cannot stat symlink: " + errno_text(-rc));
      return;
    }
    if (mtime_ns(st) < *m_options.since_ns) return;
  }
  std::string target(256, '\0');
  for (;;) {
    const long n = m_fs.read_link(dir_fd, cname.c_str(), target.data(), target.size());
    if (n < 0) {
      error(w, path, "cannot read symlink: " + errno_text(static_cast<int>(-n)));
      return;
    }
    if (static_cast<size_t>(n) < target.size()) {
      target.resize(static_cast<size_t>(n));
      break;
    }
    target.resize(target.size() * 4);
  }
  w.symlinks.push_back({path, std::move(target), std::move(not_followed)});
}

void Walker::follow_link(Worker& w, const std::shared_ptr<DirRef>& dir,
                         const std::shared_ptr<const DirIdentity>& identity, std::string_view name,
                         const std::string& path, const std::shared_ptr<const IgnoreChain>& ignore,
                         bool in_included_dir) {
  const std::string cname(name);
  std::string reason;
  const int fd = m_fs.open_file(dir->fd, cname.c_str(), /*follow=*/true);
  struct stat st {};
  if (fd < 0) {
    reason = fd == -ELOOP ? "loop" : fd == -ENOENT ? "dangling" : errno_text(-fd);
  } else if (m_fs.fstat(fd, &st) != 0) {
    reason = "cannot stat target";
  } else {
    // Check where the opened file really is (not where the link text says): no race with a changing link.
    std::string where(8192, '\0');
    const long n = m_fs.fd_path(fd, where.data(), where.size());
    if (n <= 0 || m_root_real.empty()) {
      reason = "cannot verify the target stays inside the root (no /proc?)";
    } else {
      where.resize(static_cast<size_t>(n));
      const bool inside = m_root_real == "/" || where == m_root_real ||
                          (where.size() > m_root_real.size() &&
                           where.compare(0, m_root_real.size(), m_root_real) == 0 && where[m_root_real.size()] == '/');
      if (!inside) reason = "outside root";
    }
    if (reason.empty() && S_ISDIR(st.st_mode)) {
      for (const DirIdentity* a = identity.get(); a != nullptr; a = a->parent.get()) {
        if (a->dev == st.st_dev && a->ino == st.st_ino) {
          reason = "loop";
          break;
        }
      }
    }
  }
  bool included = false;
  if (!reason.empty()) {
    if (fd >= 0) m_fs.close(fd);
    if (keep(ignore.get(), path, name, false, in_included_dir, &included)) {
      add_symlink(w, dir->fd, name, path, std::move(reason));
    }
    return;
  }
  const bool is_dir = S_ISDIR(st.st_mode);
  if (!keep(ignore.get(), path, name, is_dir, in_included_dir, &included)) {
    m_fs.close(fd);
    return;
  }
  if (is_dir) {
    push_dir(w, DirJob{nullptr, fd, std::string(name), path, ignore, identity, included});
    return;
  }
  if (!S_ISREG(st.st_mode)) {
    m_fs.close(fd);
    w.skipped.push_back({path, type_name(st.st_mode)});
    return;
  }
  if ((m_options.since_ns && mtime_ns(st) < *m_options.since_ns) ||
      (m_options.shard_count > 1 && shard_of(path, m_options.shard_count) != m_options.shard_index)) {
    m_fs.close(fd);
    return;
  }
  FileRecord* rec = w.arena.new_record();
  rec->entry.path = w.arena.store_path(path);
  if (m_options.progress) m_options.progress->files_found.fetch_add(1, std::memory_order_relaxed);
  hash_open_file(w, fd, rec->entry.path, rec, nullptr);
  m_fs.close(fd);
  report_progress(w);
}

// Hashes one open file. The usual case costs four system calls (open, read, fstat, close): a short read ends the
// loop and one fstat afterwards confirms that the size read is the file's size. Whether the file changed while it
// was read is decided the way git decides "racy" index entries: a file whose ctime is older than the scan's start
// cannot have been written during the read, since every write moves ctime to the current time. A file changed
// recently is read a second time between two fstat calls, and kept only if nothing moved.
bool Walker::hash_open_file(Worker& w, int fd, std::string_view path, FileRecord* rec, const HashHooks* hooks) {
  struct stat st {};
  uint64_t got = 0;
  auto fail = [&](std::string message) {
    rec->state = RecordState::failed;
    error(w, std::string(path), std::move(message));
    return false;
  };
  constexpr int k_endless = -1;  // not an errno: the file yields far more than its size
  // Reads to the end, hashing; leaves the file's final fstat in `st`. Returns an errno, k_endless or 0.
  auto hash_pass = [&](bool first_pass, bool allow_cold_probe) -> int {
    got = 0;
    w.hasher.reset();
    bool have_stat = false;
    uint64_t known_size = 0;  // the size at the last fstat
    bool read_on_after_short = false;
    bool probe = allow_cold_probe;
    for (;;) {
      long n;
      bool from_cache_probe = false;
      if (probe) {
        probe = false;
        n = m_fs.read_cached(fd, w.read_buffer.get(), k_read_buffer);
        if (n == -EAGAIN) {
          hooks->cold();
          n = m_fs.read(fd, w.read_buffer.get(), k_read_buffer);
        } else {
          from_cache_probe = true;
        }
      } else {
        n = m_fs.read(fd, w.read_buffer.get(), k_read_buffer);
      }
      if (n < 0) return static_cast<int>(-n);
      if (n == 0) break;
      w.hasher.update(w.read_buffer.get(), static_cast<size_t>(n));
      got += static_cast<uint64_t>(n);
      if (got > known_size + k_over_read_max) {
        // Past the size by more than a growing file plausibly adds: look again, and give up if it still holds.
        if (const int rc = m_fs.fstat(fd, &st); rc != 0) return -rc;
        known_size = static_cast<uint64_t>(st.st_size);
        if (got > known_size + k_over_read_max) return k_endless;
      }
      if (first_pass) {  // progress counts each byte of the tree once
        w.unreported_bytes += static_cast<uint64_t>(n);
        if (w.unreported_bytes >= k_report_bytes) report_progress(w);
      }
      const bool short_read = static_cast<size_t>(n) < k_read_buffer;
      if (short_read || got == k_read_buffer) {
        // After a short read (the end of a regular file) or the first full buffer (a big file: make sure it is
        // still a regular file before reading on), look at the metadata.
        if (const int rc = m_fs.fstat(fd, &st); rc != 0) return -rc;
        if (!S_ISREG(st.st_mode)) return 0;
        known_size = static_cast<uint64_t>(st.st_size);
        if (first_pass && !short_read && hooks != nullptr && static_cast<uint64_t>(st.st_size) >= k_big_file) {
          hooks->big();
        }
        have_stat = got == static_cast<uint64_t>(st.st_size);
        if (have_stat) break;
        if (short_read) {
          // Fewer bytes than the size: the cache probe found only part of the file cached, or the file grew after
          // the read. Read on, once: a file that keeps growing is reported by the caller, and one that grew once is
          // read again anyway (its ctime is recent), so no digest of a state that never existed is kept.
          if (read_on_after_short) break;
          read_on_after_short = true;
          if (from_cache_probe) hooks->cold();
        }
      }
    }
    if (!have_stat) {
      if (const int rc = m_fs.fstat(fd, &st); rc != 0) return -rc;
    }
    return 0;
  };

  const auto pass_failed = [&](int err) {
    if (err == k_endless) {
      return fail("yields more bytes than its size (" + std::to_string(st.st_size) + ") says: " +
                  std::to_string(got) + " bytes read and no end (a file the kernel makes up, as in procfs or " +
                  "sysfs?); not hashed");
    }
    return fail("read failed: " + errno_text(err));
  };
  if (const int err = hash_pass(true, hooks != nullptr && hooks->probe_cache); err != 0) return pass_failed(err);
  if (!S_ISREG(st.st_mode)) {  // replaced by a FIFO or device since it was listed; O_NONBLOCK kept us safe
    rec->state = RecordState::failed;
    w.skipped.push_back({std::string(path), type_name(st.st_mode)});
    return false;
  }
  const int64_t changed_ns = static_cast<int64_t>(st.st_ctim.tv_sec) * 1'000'000'000 + st.st_ctim.tv_nsec;
  if (got == static_cast<uint64_t>(st.st_size) && changed_ns >= m_racy_after_ns) {
    const struct stat before = st;
    const uint64_t got_before = got;
    const int rc = m_fs.rewind(fd);
    const int err = rc == 0 ? hash_pass(false, false) : -rc;
    if (err != 0) return pass_failed(err);
    if (got != got_before || st.st_size != before.st_size || mtime_ns(st) != mtime_ns(before) ||
        st.st_ctim.tv_sec != before.st_ctim.tv_sec || st.st_ctim.tv_nsec != before.st_ctim.tv_nsec) {
      return fail("file changed while it was being hashed (size " + std::to_string(before.st_size) + ", then " +
                  std::to_string(st.st_size) + "); no digest recorded, scan again");
    }
  }
  if (got != static_cast<uint64_t>(st.st_size)) {
    return fail("file changed while it was being hashed (" + std::to_string(got) + " bytes read, size now " +
                std::to_string(st.st_size) + "); no digest recorded, scan again");
  }
  if (m_options.since_ns && mtime_ns(st) < *m_options.since_ns) {
    rec->state = RecordState::filtered;
    return false;
  }
  rec->entry.size = got;
  rec->entry.mtime_ns = mtime_ns(st);
  rec->entry.executable = (st.st_mode & S_IXUSR) != 0;
  rec->entry.sha256 = w.hasher.finish();
  rec->ino = st.st_ino;
  rec->ctime_ns = ctime_ns(st);
  rec->state = RecordState::ok;
  ++w.unreported_files;
  return true;
}

void Walker::hash_batch(Worker& w, FileJob& job) {
  std::array<int, k_batch> fds;
  const int dir_fd = job.dir->fd;
  for (uint32_t i = 0; i < job.count; ++i) {
    fds[i] = -1;
    FileRecord* rec = job.records[i];
    const std::string_view path = rec->entry.path;
    const char* name = path.data() + (path.size() - base_name(path).size());  // NUL-terminated in the arena
    if (m_options.since_ns || (m_options.baseline && baseline() != nullptr)) {
      // lstat first: files outside the --since window are never opened, and unchanged ones keep their digest.
      struct stat st {};
      const int rc = m_fs.stat_at(dir_fd, name, &st, false);
      if (rc == 0 && S_ISREG(st.st_mode) && m_options.since_ns && mtime_ns(st) < *m_options.since_ns) {
        rec->state = RecordState::filtered;
        ++w.unreported_files;
        continue;
      }
      if (rc == 0 && m_baseline != nullptr) {
        if (const FileEntry* before = m_baseline->reusable(path, st)) {
          rec->entry.size = before->size;
          rec->entry.mtime_ns = before->mtime_ns;
          rec->entry.executable = before->executable;
          rec->entry.sha256 = before->sha256;
          rec->ino = st.st_ino;
          rec->ctime_ns = ctime_ns(st);
          rec->state = RecordState::ok;
          ++w.unreported_files;
          continue;
        }
      }
    }
    const int fd = m_fs.open_file(dir_fd, name, false);
    if (fd < 0) {
      rec->state = RecordState::failed;
      if (fd == -ENOENT) {
        error(w, std::string(path), "file vanished after it was listed (deleted during the scan)");
      } else if (fd == -ELOOP) {
        error(w, std::string(path), "file was replaced by a symlink during the scan");
      } else {
        error(w, std::string(path), "cannot open: " + errno_text(-fd));
      }
      continue;
    }
    fds[i] = fd;
  }
  // Warm cache: every read is served from memory and no prefetch is needed. The first time a read would block, ask
  // the kernel to start reading the rest of the batch, so they load while this one is hashed.
  // A big file keeps this thread busy for a while: hand the rest of the batch back, so an idle thread can take it.
  bool prefetched = !m_prefetch;
  uint32_t current = 0;
  HashHooks hooks;
  hooks.cold = [&] {
    if (prefetched) return;
    prefetched = true;
    for (uint32_t k = current + 1; k < job.count; ++k) {
      if (fds[k] >= 0) m_fs.prefetch(fds[k], k_prefetch_max);
    }
  };
  hooks.big = [&] {
    FileJob rest;
    rest.dir = job.dir;
    for (uint32_t k = current + 1; k < job.count; ++k) {
      if (fds[k] < 0) continue;
      m_fs.close(fds[k]);
      fds[k] = -1;
      rest.records[rest.count++] = job.records[k];
    }
    job.count = current + 1;
    if (rest.count != 0) {
      push_files(w, std::move(rest));
      notify();
    }
  };
  for (; current < job.count; ++current) {
    if (fds[current] < 0) continue;
    hooks.probe_cache = !prefetched;
    hash_open_file(w, fds[current], job.records[current]->entry.path, job.records[current], &hooks);
    m_fs.close(fds[current]);
  }
  report_progress(w);
}

void Walker::report_progress(Worker& w) {
  if (m_options.progress != nullptr) {
    m_options.progress->files_done.fetch_add(w.unreported_files, std::memory_order_relaxed);
    m_options.progress->bytes_done.fetch_add(w.unreported_bytes, std::memory_order_relaxed);
  }
  w.unreported_files = 0;
  w.unreported_bytes = 0;
}

// Sorts by path bytewise; with several threads, slices are sorted in parallel and then merged.
void sort_files(std::vector<const FileEntry*>& files, unsigned threads) {
  const auto by_path = [](const FileEntry* a, const FileEntry* b) { return a->path < b->path; };
  constexpr size_t k_min_slice = 16384;
  const size_t cpus = std::max(1u, std::thread::hardware_concurrency());
  const size_t slices = std::min({static_cast<size_t>(threads), cpus, std::max<size_t>(1, files.size() / k_min_slice)});
  if (slices <= 1) {
    std::sort(files.begin(), files.end(), by_path);
    return;
  }
  std::vector<size_t> bounds;
  for (size_t i = 0; i <= slices; ++i) bounds.push_back(files.size() * i / slices);
  {
    std::vector<std::jthread> sorters;
    for (size_t i = 1; i < slices; ++i) {
      sorters.emplace_back([&, i] { std::sort(files.begin() + bounds[i], files.begin() + bounds[i + 1], by_path); });
    }
    std::sort(files.begin(), files.begin() + bounds[1], by_path);
  }
  for (size_t i = 2; i <= slices; ++i) {
    std::inplace_merge(files.begin(), files.begin() + bounds[i - 1], files.begin() + bounds[i], by_path);
  }
}

struct WalkStorage {
  std::vector<std::unique_ptr<Worker>> workers;
};

void Walker::collect(Manifest* m) {
  size_t n = 0;
  for (auto& w : m_workers) w->arena.for_each([&](const FileRecord& r) { n += r.state == RecordState::ok; });
  m->files.reserve(n);
  for (auto& w : m_workers) {
    w->arena.for_each([&](const FileRecord& r) {
      if (r.state == RecordState::ok) {
        m->files.push_back(&r.entry);
        m->total_bytes += r.entry.size;
      }
    });
    std::move(w->symlinks.begin(), w->symlinks.end(), std::back_inserter(m->symlinks));
    std::move(w->skipped.begin(), w->skipped.end(), std::back_inserter(m->skipped));
    std::move(w->errors.begin(), w->errors.end(), std::back_inserter(m->errors));
    if (m_options.warnings) {
      std::move(w->warnings.begin(), w->warnings.end(), std::back_inserter(*m_options.warnings));
    }
    w->symlinks = {};
    w->skipped = {};
    w->errors = {};
    w->listed = {};
    w->names = {};
    w->read_buffer.reset();
    w->dents_buffer.reset();
  }
  if (m_options.shard_count > 1) {
    const auto other_shard = [&](const auto& e) {
      return shard_of(e.path, m_options.shard_count) != m_options.shard_index;
    };
    std::erase_if(m->symlinks, other_shard);
    std::erase_if(m->skipped, other_shard);
    std::erase_if(m->errors, other_shard);
  }
  sort_files(m->files, static_cast<unsigned>(m_workers.size()));
  if (m_options.stats != nullptr) {
    m_options.stats->clear();
    m_options.stats->reserve(m->files.size());
    for (const FileEntry* e : m->files) {
      const auto* r = reinterpret_cast<const FileRecord*>(e);
      m_options.stats->push_back({r->ino, r->ctime_ns});
    }
  }
  std::sort(m->symlinks.begin(), m->symlinks.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
  std::sort(m->skipped.begin(), m->skipped.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
  std::sort(m->errors.begin(), m->errors.end(),
            [](const auto& a, const auto& b) { return a.path != b.path ? a.path < b.path : a.message < b.message; });
  if (m_options.warnings) std::sort(m_options.warnings->begin(), m_options.warnings->end());
  auto storage = std::make_shared<WalkStorage>();
  storage->workers = std::move(m_workers);
  m->storage.push_back(std::move(storage));
}

}  // namespace

uint32_t shard_of(std::string_view path, uint32_t count) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (const char c : path) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ull;
  }
  return static_cast<uint32_t>(h % count) + 1;
}

bool walk_tree(FileSystem& fs, const std::string& root, const WalkOptions& options, Manifest* manifest,
               std::string* fatal_error) {
  Walker walker(fs, options, std::max(1u, options.threads));
  if (!walker.start(root, fatal_error)) return false;
  walker.run();
  walker.collect(manifest);
  return true;
}

}  // namespace treeprint
