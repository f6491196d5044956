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

#include "git/repository.h"
#include "git/status.h"
#include "manifest/file_table.h"
#include "scan/hash_file.h"
#include "scan/pseudo_fs.h"
#include "util/format.h"

namespace treeprint {

namespace {

constexpr size_t k_batch = 16;                // files per job: enough reads in flight, fine-grained enough to balance
constexpr size_t k_dents_buffer = 64 << 10;   // per thread
constexpr uint64_t k_prefetch_max = 8 << 20;  // WILLNEED at most this much of a file; readahead does the rest
constexpr uint64_t k_gitignore_max = 100 << 20;  // git refuses larger ignore files too
constexpr uint64_t k_report_bytes = 8 << 20;     // progress granularity within big files

// An open directory, shared by the jobs that still need its fd.
struct DirRef {
  FileSystem* fs;
  int fd;
  std::atomic<uint64_t>* open_count;
  dev_t dev = 0;  // set when listed, where files may be set aside for the baseline (Walker::defer)
  ino_t ino = 0;
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
  bool included = false;         // this directory (or one above it) matched an --include
  const GitTree* git = nullptr;  // the work tree this directory is in (WalkOptions::git)
  bool git_ignored = false;      // an ignored directory, entered only for the tracked files below it
  bool attrs_unknown = false;    // below an untracked .gitattributes: the fast path is off
};

constexpr uint32_t k_untracked = UINT32_MAX;
constexpr size_t k_not_tracked = SIZE_MAX;

struct FileJob {
  std::shared_ptr<DirRef> dir;
  uint32_t count = 0;
  std::array<FileEntry*, k_batch> entries{};  // listed, not yet hashed
  const GitTree* git = nullptr;               // the directory's work tree, and each entry's index position
  bool attrs_unknown = false;
  std::array<uint32_t, k_batch> index_pos{};
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

// The directories last opened on the way down from the root to a directory opened again (Walker::reopen_dir), so
// that directories one after another share their parents' opens.
struct DirChain {
  std::vector<std::string> names;
  std::vector<int> fds;
};

struct Worker {
  size_t index = 0;  // in Walker::m_workers
  std::mutex mu;
  std::deque<DirJob> dirs;
  std::deque<FileJob> files;

  FileTable table;                     // every file this worker listed
  std::vector<const FileEntry*> kept;  // the ones it hashed (or took from the stat cache), in no order
  std::vector<SymlinkEntry> symlinks;
  std::vector<SkippedEntry> skipped;
  std::vector<ErrorEntry> errors;
  std::vector<std::string> warnings;
  std::unique_ptr<char[]> dents_buffer{new char[k_dents_buffer]};
  FileHasher hasher;
  GitWalkReport git;  // symlink counts and fast-path reuse; files are counted from their git_state at the end
  uint64_t unreported_files = 0;
  uint64_t unreported_bytes = 0;

  struct Listed {
    uint32_t name_offset;
    uint32_t name_size;
    unsigned char type;
  };
  std::vector<Listed> listed;                       // scratch: the directory being read
  std::string names;                                // scratch: its names, NUL-separated
  std::vector<GitTree::TrackedName> tracked_names;  // scratch: its index entries (GitTree::tracked_in)

  // Files set aside while the baseline was loading (WalkOptions::baseline_ready), in the order they were met: 12
  // bytes a file. A run of them from one directory shares one DeferredDir.
  std::vector<FileEntry*> deferred;
  std::vector<uint32_t> deferred_pos;  // each one's index position, or k_untracked
  struct DeferredDir {
    dev_t dev;
    ino_t ino;
    const GitTree* git;
    uint32_t begin;  // in `deferred`; the run ends where the next one begins
    bool attrs_unknown;
  };
  std::vector<DeferredDir> deferred_dirs;
};

class Walker {
 public:
  Walker(FileSystem& fs, const WalkOptions& options, unsigned threads) : m_fs(fs), m_options(options) {
    for (unsigned i = 0; i < threads; ++i) {
      m_workers.emplace_back(std::make_unique<Worker>());
      m_workers.back()->index = i;
    }
    const uint64_t limit = raise_open_file_limit();
    // Directory fds stay open while their files wait to be hashed; keep a margin for file batches and the rest.
    m_dir_fd_cap = std::clamp<uint64_t>(limit / 4, 64, 8192);
    // Filesystem timestamps come from a coarse clock and may lag; two seconds of margin cover that.
    struct timespec now {};
    clock_gettime(CLOCK_REALTIME, &now);
    m_policy.racy_after_ns =
        options.racy_after_ns.value_or((static_cast<int64_t>(now.tv_sec) - 2) * 1'000'000'000 + now.tv_nsec);
    m_policy.since_ns = options.since_ns;
  }

  ~Walker() {
    if (m_root_fd >= 0) m_fs.close(m_root_fd);
  }
  Walker(const Walker&) = delete;
  Walker& operator=(const Walker&) = delete;

  Status start(const std::string& root);
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
  /// Hashes `job`'s files, and as the hasher's lanes free up, the files of further file jobs taken from the
  /// queues (each finished here), so both lanes stay busy while there are files to hash.
  void hash_batch(Worker& w, FileJob& job);
  struct OpenBatch;
  /// Opens `batch`'s files (or settles them without opening: --since, the stat cache, the git fast path).
  void open_batch(Worker& w, OpenBatch& batch);
  /// Takes a file job: the newest of worker `index`'s own, else the oldest of another's.
  bool pop_files(size_t index, FileJob* files);
  /// Hashes `entry`'s open file and keeps the entry, or records why not. `hooks` (may be null) lets the batch react
  /// to what the first reads reveal.
  void hash_one(Worker& w, int fd, FileEntry* entry, const HashHooks* hooks);
  /// Keeps `entry` with what hashing it found, or records why not.
  void record(Worker& w, FileEntry* entry, const HashResult& result);
  void follow_link(Worker& w, const std::shared_ptr<DirRef>& dir, const std::shared_ptr<const DirIdentity>& identity,
                   std::string_view name, const std::string& path, const std::shared_ptr<const IgnoreChain>& ignore,
                   bool in_included_dir, const GitTree* git);
  void add_symlink(Worker& w, int dir_fd, std::string_view name, const std::string& path, std::string not_followed);
  /// Whether the filters and ignore files keep an entry. `in_included_dir`: a directory above it matched an include;
  /// `included` tells the same for a directory's children.
  /// `ignore_path` is `path` as the ignore rules see it (its work-tree path in a git scan).
  bool keep(const IgnoreChain* ignore, std::string_view path, std::string_view ignore_path, std::string_view name,
            bool is_dir, bool in_included_dir, bool* included) const;
  /// The git pre-check of a tracked file: lstat, git's clean rule, and the fast path. True when the entry is done.
  bool git_precheck(Worker& w, const FileJob& job, uint32_t i, const struct stat& st);
  /// git's clean rule on an lstat of a tracked file; when clean, the entry takes its blob id and that stat data.
  bool git_vouch(Worker& w, const FileJob& job, uint32_t i, const struct stat& st);
  /// The fast path for a file of `git` (at index position `position`) that git_vouch found clean: its digest from
  /// the baseline, when the rules allow (docs/git.md). True when the entry is done.
  bool git_take_from_baseline(Worker& w, const GitTree& git, bool attrs_unknown, uint32_t position, FileEntry* entry);
  /// Whether the fast path may apply to the tracked files of `job`, the baseline aside.
  bool git_fast_path_allowed(const FileJob& job) const {
    return job.git->top() && !job.attrs_unknown && m_options.git_reuse != nullptr;
  }
  /// Whether the fast path may reuse a baseline digest for a tracked file of `job`: only then is an lstat before
  /// opening it worth its system call.
  bool git_fast_path_possible(const FileJob& job) { return git_fast_path_allowed(job) && git_reuse() != nullptr; }
  /// Whether stat_cache() and git_reuse() answer without waiting (always, unless WalkOptions::baseline_ready says
  /// otherwise while the tree is being listed).
  bool baseline_ready() {
    if (!m_defer || m_baseline_ready.load(std::memory_order_acquire)) return true;
    if (!m_options.baseline_ready()) return false;
    m_baseline_ready.store(true, std::memory_order_release);
    return true;
  }
  /// Sets `job`'s file `i` aside until the baseline is loaded (its lstat taken, not opened).
  void defer(Worker& w, const FileJob& job, uint32_t i);
  /// Once the tree is listed and the baseline loaded: the files `w` set aside take their digests from it, or are
  /// queued to be hashed (their directories opened again); `w`'s list is freed.
  void settle_deferred(Worker& w);
  /// Opens the directory `rel` (relative to the root) again, one component at a time, following no symlink; `chain`
  /// keeps its parents open for the next call. An fd, or -errno.
  int reopen_dir(DirChain& chain, std::string_view rel);
  /// git's clean rule on the fstat taken after a tracked file was hashed, for a file no lstat was taken of: the
  /// index vouches for the bytes read when the file was, after they were read, still what the index recorded.
  void git_postcheck(Worker& w, const FileJob& job, uint32_t i, const struct stat& st);
  /// A directory with a `.git` below the root: its own work tree, or null (a warning says why) to go on as before.
  const GitTree* open_nested(Worker& w, const std::string& rel);
  const GitReuse* git_reuse() {
    std::call_once(m_git_reuse_once, [&] {
      const GitReuse* r = m_options.git_reuse ? m_options.git_reuse() : nullptr;
      if (r != nullptr && m_options.git != nullptr && !r->conversion().empty() &&
          r->conversion() == m_options.git->conversion_digest() &&
          r->object_format() == git::format_name(m_options.git->repository().format)) {
        m_git_reuse = r;
      }
    });
    return m_git_reuse;
  }
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
  std::vector<std::unique_ptr<Worker>> m_workers;
  std::atomic<int64_t> m_pending{0};
  std::atomic<uint32_t> m_epoch{0};
  std::atomic<uint64_t> m_open_dirs{0};
  uint64_t m_dir_fd_cap = 256;
  // The stat cache, fetched by the first batch (see WalkOptions::stat_cache); null if on another device than the root.
  const StatCache* stat_cache() {
    std::call_once(m_stat_cache_once, [&] {
      const StatCache* c = m_options.stat_cache ? m_options.stat_cache() : nullptr;
      if (c != nullptr && c->root_dev() == m_root_dev) m_stat_cache = c;
    });
    return m_stat_cache;
  }
  std::once_flag m_stat_cache_once;
  const StatCache* m_stat_cache = nullptr;
  uint64_t m_root_dev = 0;
  // Files may be set aside while the baseline loads (WalkOptions::baseline_ready); then the root stays open, to open
  // their directories again.
  bool m_defer = false;
  std::atomic<bool> m_baseline_ready{false};
  int m_root_fd = -1;
  HashPolicy m_policy;
  std::once_flag m_git_reuse_once;
  const GitReuse* m_git_reuse = nullptr;
  std::mutex m_trees_mu;
  std::vector<std::unique_ptr<GitTree>> m_trees;  // nested work trees opened during the walk
  std::atomic<bool> m_untracked_attributes{false};
  std::string m_root_real;  // for --follow-symlinks and nested work trees: absolute path of the root
  DirJob m_root_job;
};

Status Walker::start(const std::string& root) {
  const int fd = m_options.root_fd >= 0 ? ::fcntl(m_options.root_fd, F_DUPFD_CLOEXEC, 0)
                                        : m_fs.open_dir(AT_FDCWD, root.c_str(), /*follow=*/true);
  if (fd < 0 && m_options.root_fd >= 0) {
    return Status::failure("cannot open directory '" + root + "': " + errno_text(errno));
  }
  if (fd < 0) {
    struct stat st {};
    if (fd == -ENOTDIR || (m_fs.stat_at(AT_FDCWD, root.c_str(), &st, true) == 0 && !S_ISDIR(st.st_mode))) {
      return Status::failure("'" + root + "' is not a directory; give the directory to scan");
    }
    return Status::failure("cannot open directory '" + root + "': " + errno_text(-fd));
  }
  if (const char* pseudo = pseudo_filesystem(fd)) {
    m_fs.close(fd);
    return Status::failure("'" + root + "' is on " + pseudo +
                           ", whose files the kernel makes up as they are read (sizes that mean nothing, files that "
                           "never end); refusing to scan it: give a directory on a real filesystem");
  }
  m_root_job.fd = fd;
  if (m_options.baseline_ready && m_options.git != nullptr && m_options.git_reuse && !m_options.follow_symlinks) {
    m_root_fd = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
    m_defer = m_root_fd >= 0;
  }
  if (m_options.stat_cache || m_options.root_dev != nullptr) {
    struct stat st {};
    if (m_fs.fstat(fd, &st) == 0) {
      m_root_dev = st.st_dev;
      if (m_options.root_dev != nullptr) *m_options.root_dev = st.st_dev;
    }
  }
  if (m_options.git != nullptr && !m_options.follow_symlinks) {
    std::string buf(8192, '\0');
    const long n = m_fs.fd_path(fd, buf.data(), buf.size());
    if (n > 0) m_root_real.assign(buf.data(), static_cast<size_t>(n));
  }
  if (m_options.follow_symlinks) {
    struct stat st {};
    m_fs.fstat(fd, &st);
    m_root_job.ancestors = std::make_shared<DirIdentity>(DirIdentity{st.st_dev, st.st_ino, nullptr});
    std::string buf(8192, '\0');
    const long n = m_fs.fd_path(fd, buf.data(), buf.size());
    if (n > 0) m_root_real.assign(buf.data(), static_cast<size_t>(n));
  }
  if (m_options.git != nullptr) {
    // The repository's rules from above the root (info/exclude, the ancestors' .gitignore files) were read with it.
    m_root_job.git = m_options.git;
    if (m_options.gitignore) {
      m_root_job.ignore = m_options.git->start_ignore();
      m_root_job.git_ignored = m_options.git->start_ignored();
    }
  } else if (m_options.gitignore) {
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
  return ok_status();
}

void Walker::run() {
  m_pending.store(1);
  if (m_options.progress) m_options.progress->dirs_pending.fetch_add(1, std::memory_order_relaxed);
  m_workers[0]->dirs.push_back(std::move(m_root_job));
  {
    std::vector<std::jthread> threads;
    for (size_t i = 1; i < m_workers.size(); ++i) {
      threads.emplace_back([this, i] { worker_loop(i); });
    }
    worker_loop(0);
  }
  size_t deferred = 0;
  for (const auto& w : m_workers) deferred += w->deferred.size();
  if (deferred == 0) return;
  // The tree is listed: now the baseline is waited for (stat_cache() and git_reuse() block until it is loaded).
  m_baseline_ready.store(true, std::memory_order_release);
  if (m_options.on_deferred) m_options.on_deferred(deferred);
  // Each worker settles the files it set aside and queues the ones to hash, then all hash them; until a worker has
  // queued its own, its share of the pending count keeps the others from leaving.
  m_pending.store(static_cast<int64_t>(m_workers.size()));
  const auto settle_then_hash = [this](size_t i) {
    settle_deferred(*m_workers[i]);
    finish_job();
    worker_loop(i);
  };
  std::vector<std::jthread> threads;
  for (size_t i = 1; i < m_workers.size(); ++i) threads.emplace_back(settle_then_hash, i);
  settle_then_hash(0);
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

bool Walker::keep(const IgnoreChain* ignore, std::string_view path, std::string_view ignore_path, std::string_view name,
                  bool is_dir, bool in_included_dir, bool* included) const {
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
  return !(m_options.gitignore && IgnoreChain::is_ignored(ignore, ignore_path, name, is_dir));
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
    if (err == EFBIG && m_options.git != nullptr) {
      // As git: a pattern file over its cap is skipped with a warning.
      w.warnings.push_back(std::string(shown_path) +
                           ": ignoring excessively large pattern file (over 100 MiB), as git does");
    } else if (err != ENOENT && err != ELOOP && err != EINVAL) {
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
  if (m_options.follow_symlinks || !m_options.leave_out.empty() || m_defer) {
    struct stat st {};
    if (m_fs.fstat(fd, &st) == 0) {
      dir->dev = st.st_dev;
      dir->ino = st.st_ino;
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
  bool has_dot_git = false;
  bool has_gitattributes = false;
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
      if (len == 4 && std::memcmp(name, ".git", 4) == 0 && m_options.skip_dot_git) {
        has_dot_git = true;
        continue;
      }
      if (len == 14 && std::memcmp(name, ".gitattributes", 14) == 0) has_gitattributes = true;
      if (len == 10 && std::memcmp(name, ".gitignore", 10) == 0 && (d->d_type == DT_REG || d->d_type == DT_UNKNOWN)) {
        has_gitignore = true;
      }
      w.listed.push_back({static_cast<uint32_t>(w.names.size()), static_cast<uint32_t>(len), d->d_type});
      w.names.append(name, len + 1);
    }
  }

  const GitTree* git = job.git;
  if (git != nullptr && has_dot_git && !job.rel.empty()) {
    // A submodule, or a repository nested in this one: its own index and rules, the enclosing ones stop here.
    if (const GitTree* nested = open_nested(w, job.rel)) {
      git = nested;
      job.git_ignored = false;
      job.attrs_unknown = false;
      job.ignore = m_options.gitignore ? nested->start_ignore() : nullptr;
    }
  }
  const std::string dir_work_path = git != nullptr ? git->work_path(job.rel) : std::string();
  if (git != nullptr && has_gitattributes && job.rel != git->scan_base() &&
      !git->tracked(join(dir_work_path, ".gitattributes"))) {
    // Rules the conversion digest was not made from: no fast path below, and the manifest records no digest.
    job.attrs_unknown = true;
    if (git->top()) m_untracked_attributes.store(true, std::memory_order_relaxed);
  }

  std::shared_ptr<const IgnoreChain> ignore = job.ignore;
  if (m_options.gitignore && has_gitignore && !job.git_ignored) {
    ignore = read_ignore_file(w, fd, ".gitignore", git != nullptr ? dir_work_path : job.rel,
                              join(job.rel, ".gitignore"), std::move(ignore));
  }

  // The index entries directly in this directory: each name listed is looked up among them only.
  if (git != nullptr) git->tracked_in(dir_work_path, git->tracked_below(dir_work_path), &w.tracked_names);
  FileJob batch;
  batch.dir = dir;
  batch.git = git;
  batch.attrs_unknown = job.attrs_unknown;
  std::string work_path;
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
      follow_link(w, dir, identity, name, path, ignore, job.included, git);
      continue;
    }
    bool included = false;
    size_t tracked = k_not_tracked;  // the index position of the entry's path
    bool git_ignored_dir = false;    // for a directory: entered only for its tracked files
    bool ignored_but_tracked = false;
    if (git == nullptr) {
      if (!keep(ignore.get(), path, path, name, type == DT_DIR, job.included, &included)) continue;
    } else {
      // git's rules: a tracked path is never ignored (an explicit --exclude still is); an ignored directory is entered
      // only when the index has entries below it, and then only those are kept.
      work_path.assign(dir_work_path);
      if (!work_path.empty()) work_path.push_back('/');
      work_path.append(name);
      if (const auto at = GitTree::find_name(w.tracked_names, name)) tracked = *at;
      // A tracked file that became a directory is gone, and its directory untracked (a submodule the other way).
      if (tracked != k_not_tracked && (type == DT_DIR) != (git->index().mode(tracked) == git::k_mode_gitlink)) {
        tracked = k_not_tracked;
      }
      if (tracked != k_not_tracked) git->mark_listed(tracked);
      if (!keep(nullptr, path, work_path, name, type == DT_DIR, job.included, &included)) continue;
      const bool ignored = job.git_ignored || (m_options.gitignore &&
                                               IgnoreChain::is_ignored(ignore.get(), work_path, name, type == DT_DIR));
      if (type == DT_DIR) {
        if (ignored && tracked == k_not_tracked) {  // a tracked directory is a submodule, never ignored
          if (!git->has_tracked_below(work_path)) continue;
          git_ignored_dir = true;
        }
      } else if (ignored) {
        if (tracked == k_not_tracked) continue;
        ignored_but_tracked = true;
      }
    }
    switch (type) {
      case DT_DIR: {
        DirJob child{dir, -1, std::string(name), path, ignore, identity, included};
        child.git = git;
        child.git_ignored = git_ignored_dir;
        child.attrs_unknown = job.attrs_unknown;
        push_dir(w, std::move(child));
        break;
      }
      case DT_REG: {
        if (!m_options.shard.keeps(path)) break;
        FileEntry* entry = w.table.add(path);
        if (git != nullptr) entry->git_state = tracked == k_not_tracked ? 1 : ignored_but_tracked ? 3 : 2;
        batch.index_pos[batch.count] = tracked != k_not_tracked ? static_cast<uint32_t>(tracked) : k_untracked;
        batch.entries[batch.count++] = entry;
        ++files_found;
        if (batch.count == k_batch) {
          push_files(w, std::move(batch));
          batch = FileJob{};
          batch.dir = dir;
          batch.git = git;
          batch.attrs_unknown = job.attrs_unknown;
        }
        break;
      }
      case DT_LNK:
        if (git != nullptr && m_options.shard.keeps(path)) {
          ++(tracked == k_not_tracked ? w.git.untracked : w.git.tracked);
          if (ignored_but_tracked) ++w.git.ignored_tracked;
          struct stat st {};
          if (tracked != k_not_tracked &&
              (m_fs.stat_at(fd, cname, &st, false) != 0 ||
               !git::is_clean(git->index().entry(tracked), st, git->index().file_mtime()))) {
            ++w.git.modified;
          }
        }
        add_symlink(w, fd, name, path, "");
        break;
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
                         bool in_included_dir, const GitTree* git) {
  const std::string ignore_path = git != nullptr ? git->work_path(path) : path;
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
    if (keep(ignore.get(), path, ignore_path, name, false, in_included_dir, &included)) {
      add_symlink(w, dir->fd, name, path, std::move(reason));
    }
    return;
  }
  const bool is_dir = S_ISDIR(st.st_mode);
  if (!keep(ignore.get(), path, ignore_path, name, is_dir, in_included_dir, &included)) {
    m_fs.close(fd);
    return;
  }
  if (is_dir) {
    push_dir(w, DirJob{nullptr, fd, std::string(name), path, ignore, identity, included, git});
    return;
  }
  if (!S_ISREG(st.st_mode)) {
    m_fs.close(fd);
    w.skipped.push_back({path, type_name(st.st_mode)});
    return;
  }
  if ((m_options.since_ns && mtime_ns(st) < *m_options.since_ns) || !m_options.shard.keeps(path)) {
    m_fs.close(fd);
    return;
  }
  FileEntry* entry = w.table.add(path);
  if (m_options.progress) m_options.progress->files_found.fetch_add(1, std::memory_order_relaxed);
  hash_one(w, fd, entry, nullptr);
  m_fs.close(fd);
  report_progress(w);
}

void Walker::hash_one(Worker& w, int fd, FileEntry* entry, const HashHooks* hooks) {
  HashHooks progress;
  if (hooks == nullptr) {
    progress.read = [&](uint64_t n) { w.unreported_bytes += n; };
    hooks = &progress;
  }
  record(w, entry, w.hasher.hash(m_fs, fd, m_policy, hooks));
}

void Walker::record(Worker& w, FileEntry* entry, const HashResult& r) {
  switch (r.outcome) {
    case HashOutcome::hashed:
      if (entry->git_blob_size != 0 && (entry->size != r.file.size || entry->mtime_ns != r.file.mtime_ns ||
                                        entry->ino != r.file.ino || entry->ctime_ns != r.file.ctime_ns)) {
        entry->git_blob = nullptr;
        entry->git_blob_size = 0;
      }
      entry->size = r.file.size;
      entry->mtime_ns = r.file.mtime_ns;
      entry->executable = r.file.executable;
      entry->sha256 = r.file.sha256;
      entry->ino = r.file.ino;
      entry->ctime_ns = r.file.ctime_ns;
      w.kept.push_back(entry);
      ++w.unreported_files;
      return;
    case HashOutcome::failed: error(w, std::string(entry->path), r.message); return;
    case HashOutcome::not_regular: w.skipped.push_back({std::string(entry->path), type_name(r.type)}); return;
    case HashOutcome::filtered: return;
  }
}

// A file job being hashed: its files open, given to the hasher one by one.
struct Walker::OpenBatch {
  FileJob job;
  std::array<int, k_batch> fds;
  // Tracked files no lstat was taken of: the index is compared with the fstat the hasher takes after reading.
  std::array<bool, k_batch> postcheck{};
  uint32_t next = 0;     // the first file not yet given to the hasher
  uint32_t hashing = 0;  // given to the hasher and not yet done
  bool popped = false;   // taken by hash_batch from a queue: finished (finish_job) when its files are
  HashHooks hooks;

  // Whether every file was given to the hasher (skipping the ones that did not open).
  bool exhausted() {
    while (next < job.count && fds[next] < 0) ++next;
    return next >= job.count;
  }
};

bool Walker::pop_files(size_t index, FileJob* files) {
  for (size_t k = 0; k < m_workers.size(); ++k) {
    Worker& w = *m_workers[(index + k) % m_workers.size()];
    std::lock_guard lock(w.mu);
    if (w.files.empty()) continue;
    if (k == 0) {
      *files = std::move(w.files.back());
      w.files.pop_back();
    } else {
      *files = std::move(w.files.front());
      w.files.pop_front();
    }
    return true;
  }
  return false;
}

void Walker::open_batch(Worker& w, OpenBatch& b) {
  FileJob& job = b.job;
  const int dir_fd = job.dir->fd;
  // While the baseline loads, what it would decide waits for it (settle_deferred) rather than the walk.
  const bool ready = baseline_ready();
  for (uint32_t i = 0; i < job.count; ++i) {
    b.fds[i] = -1;
    FileEntry* entry = job.entries[i];
    const std::string_view path = entry->path;
    const char* name = path.data() + (path.size() - base_name(path).size());  // NUL-terminated in the table
    const bool git_tracked = job.git != nullptr && job.index_pos[i] != k_untracked;
    b.postcheck[i] = git_tracked;
    const bool lstat_first =
        ready ? m_options.since_ns || (m_options.stat_cache && stat_cache() != nullptr) ||
                    (git_tracked && git_fast_path_possible(job))
              : m_options.since_ns || m_options.stat_cache || (git_tracked && git_fast_path_allowed(job));
    if (lstat_first) {
      // lstat first: files outside the --since window are never opened, and unchanged ones keep their digest.
      struct stat st {};
      const int rc = m_fs.stat_at(dir_fd, name, &st, false);
      b.postcheck[i] = false;  // the index is compared with this lstat
      if (rc == 0 && S_ISREG(st.st_mode) && m_options.since_ns && mtime_ns(st) < *m_options.since_ns) {
        ++w.unreported_files;
        continue;
      }
      if (!ready) {
        // Clean by git's rule, the fast path may take its digest; else the stat cache may. Only the baseline says.
        const bool vouched = rc == 0 && git_tracked && git_vouch(w, job, i, st);
        if (rc == 0 && (m_options.stat_cache || (vouched && git_fast_path_allowed(job)))) {
          defer(w, job, i);
          continue;
        }
      }
      if (ready && rc == 0 && git_tracked && git_precheck(w, job, i, st)) continue;
      if (ready && rc == 0 && m_stat_cache != nullptr) {
        if (const FileEntry* before = m_stat_cache->reusable(path, st)) {
          entry->size = before->size;
          entry->mtime_ns = before->mtime_ns;
          entry->executable = before->executable;
          entry->sha256 = before->sha256;
          entry->ino = st.st_ino;
          entry->ctime_ns = ctime_ns(st);
          w.kept.push_back(entry);
          ++w.unreported_files;
          continue;
        }
      }
    }
    const int fd = m_fs.open_file(dir_fd, name, false);
    if (fd < 0) {
      if (fd == -ENOENT) {
        error(w, std::string(path), "file vanished after it was listed (deleted during the scan)");
      } else if (fd == -ELOOP) {
        error(w, std::string(path), "file was replaced by a symlink during the scan");
      } else {
        error(w, std::string(path), "cannot open: " + errno_text(-fd));
      }
      continue;
    }
    b.fds[i] = fd;
  }
  // Warm cache: every read is served from memory and no prefetch is needed. The first time a read would block, ask
  // the kernel to start reading the rest of the batch, so they load while these are hashed.
  // A big file keeps this thread busy for a while: hand the files not yet started back, so an idle thread can take
  // them (or this one, in its other lane, when no thread is idle).
  b.hooks.probe_cache = m_options.prefetch;
  b.hooks.read = [this, &w](uint64_t n) {  // progress counts each byte of the tree once
    w.unreported_bytes += n;
    if (w.unreported_bytes >= k_report_bytes) report_progress(w);
  };
  b.hooks.cold = [this, &b] {
    if (!b.hooks.probe_cache) return;
    b.hooks.probe_cache = false;
    for (uint32_t k = b.next; k < b.job.count; ++k) {
      if (b.fds[k] >= 0) m_fs.prefetch(b.fds[k], k_prefetch_max);
    }
  };
  b.hooks.big = [this, &w, &b] {
    // The job handed on keeps its work tree and index positions: a tracked file not yet compared with the index
    // (no lstat was taken) is compared after it is hashed, wherever that is.
    FileJob rest;
    rest.dir = b.job.dir;
    rest.git = b.job.git;
    rest.attrs_unknown = b.job.attrs_unknown;
    for (uint32_t k = b.next; k < b.job.count; ++k) {
      if (b.fds[k] < 0) continue;
      m_fs.close(b.fds[k]);
      b.fds[k] = -1;
      rest.index_pos[rest.count] = b.job.index_pos[k];
      rest.entries[rest.count++] = b.job.entries[k];
    }
    b.job.count = b.next;
    if (rest.count != 0) {
      push_files(w, std::move(rest));
      notify();
    }
  };
}

void Walker::hash_batch(Worker& w, FileJob& job) {
  // The batches with files still to give or still being hashed; a file's tag is its batch's slot * k_batch + its
  // place in the batch. Mostly two: the one a big file came from, and the one the other lane takes files from.
  std::vector<std::unique_ptr<OpenBatch>> slots;
  size_t current = 0;  // the slot files are given from
  auto start = [&](FileJob&& files, bool popped) {
    size_t slot = 0;
    while (slot < slots.size() && slots[slot] != nullptr) ++slot;
    if (slot == slots.size()) slots.emplace_back();
    slots[slot] = std::make_unique<OpenBatch>();
    OpenBatch& b = *slots[slot];
    b.job = std::move(files);
    b.popped = popped;
    open_batch(w, b);
    current = slot;
  };
  auto release_if_done = [&](size_t slot) {
    OpenBatch& b = *slots[slot];
    if (b.hashing != 0 || !b.exhausted()) return;
    const bool popped = b.popped;
    slots[slot].reset();
    report_progress(w);
    if (popped) finish_job();
  };
  start(std::move(job), false);
  w.hasher.hash_all(
      m_fs, m_policy,
      [&]() -> std::optional<HashJob> {
        for (;;) {
          if (current < slots.size() && slots[current] != nullptr) {
            OpenBatch& b = *slots[current];
            if (!b.exhausted()) {
              const uint32_t k = b.next++;
              ++b.hashing;
              return HashJob{b.fds[k], current * k_batch + k, &b.hooks};
            }
            release_if_done(current);
          }
          // Keep the free lane busy: the next file job of this worker's queue, or of another's.
          FileJob more;
          if (!pop_files(w.index, &more)) return std::nullopt;
          start(std::move(more), true);
        }
      },
      [&](size_t tag, HashResult r) {
        const size_t slot = tag / k_batch;
        const size_t k = tag % k_batch;
        OpenBatch& b = *slots[slot];
        record(w, b.job.entries[k], r);
        if (b.postcheck[k] && r.outcome == HashOutcome::hashed) git_postcheck(w, b.job, static_cast<uint32_t>(k), r.st);
        m_fs.close(b.fds[k]);
        b.fds[k] = -1;
        --b.hashing;
        release_if_done(slot);
      });
  for (size_t slot = 0; slot < slots.size(); ++slot) {
    if (slots[slot] != nullptr) release_if_done(slot);  // a batch all of whose files settled without opening
  }
  report_progress(w);
}

bool Walker::git_precheck(Worker& w, const FileJob& job, uint32_t i, const struct stat& st) {
  return git_vouch(w, job, i, st) &&
         git_take_from_baseline(w, *job.git, job.attrs_unknown, job.index_pos[i], job.entries[i]);
}

bool Walker::git_vouch(Worker& w, const FileJob& job, uint32_t i, const struct stat& st) {
  const git::Index& index = job.git->index();
  const git::IndexEntry ie = index.entry(job.index_pos[i]);
  if (git::match_stat(ie, st, index.file_mtime()) != git::StatMatch::clean) return false;
  // The index vouches for the file as it is now: its blob id describes these bytes (hash_one drops it again if the
  // file hashed turns out not to be the one this lstat saw).
  FileEntry* entry = job.entries[i];
  w.table.set_git_blob(entry, ie.id.bytes());
  entry->size = static_cast<uint64_t>(st.st_size);
  entry->mtime_ns = mtime_ns(st);
  entry->ino = st.st_ino;
  entry->ctime_ns = ctime_ns(st);
  entry->executable = (st.st_mode & S_IXUSR) != 0;
  return true;
}

bool Walker::git_take_from_baseline(Worker& w, const GitTree& git, bool attrs_unknown, uint32_t position,
                                    FileEntry* entry) {
  // The fast path (docs/git.md): same blob, same size, same conversion inputs, and no conversion for this path.
  if (!git.top() || attrs_unknown || m_options.git_reuse == nullptr) return false;
  const GitReuse* reuse = git_reuse();
  if (reuse == nullptr || !reuse->matches(&git.index())) return false;
  // Kept only where the baseline's blob id equals this index entry's (scan/git_reuse.h).
  const Digest* before = reuse->find(position, entry->size);
  if (before == nullptr) return false;
  if (!git.converts_nothing() && git.may_convert(git.work_path(entry->path))) return false;
  entry->sha256 = *before;
  w.kept.push_back(entry);
  ++w.unreported_files;
  ++w.git.reused;
  return true;
}

void Walker::defer(Worker& w, const FileJob& job, uint32_t i) {
  FileEntry* entry = job.entries[i];
  const std::string_view dir = entry->path.substr(0, entry->path.size() - base_name(entry->path).size());
  bool same_dir = false;
  if (!w.deferred_dirs.empty()) {
    const Worker::DeferredDir& last = w.deferred_dirs.back();
    const std::string_view last_path = w.deferred[last.begin]->path;
    same_dir = last.git == job.git && last.attrs_unknown == job.attrs_unknown && last_path.size() > dir.size() &&
               last_path.compare(0, dir.size(), dir) == 0 &&
               base_name(last_path).size() == last_path.size() - dir.size();
  }
  if (!same_dir) {
    w.deferred_dirs.push_back(
        {job.dir->dev, job.dir->ino, job.git, static_cast<uint32_t>(w.deferred.size()), job.attrs_unknown});
  }
  w.deferred.push_back(entry);
  w.deferred_pos.push_back(job.index_pos[i]);
}

void Walker::settle_deferred(Worker& w) {
  // First the digests the baseline has: git_take_from_baseline() waits for it. The others stay in the list (moved to
  // its front, their runs with them), to be hashed.
  auto& dirs = w.deferred_dirs;
  const auto run_end = [&](size_t d, size_t size) { return d + 1 < dirs.size() ? dirs[d + 1].begin : size; };
  size_t misses = 0;
  size_t miss_dirs = 0;
  for (size_t d = 0; d < dirs.size(); ++d) {
    const Worker::DeferredDir run = dirs[d];
    const size_t end = run_end(d, w.deferred.size());
    const size_t first_miss = misses;
    for (size_t k = run.begin; k < end; ++k) {
      FileEntry* entry = w.deferred[k];
      const uint32_t position = w.deferred_pos[k];
      // A blob id means git_vouch found the file clean when it was set aside.
      if (position != k_untracked && entry->git_blob_size != 0 && run.git != nullptr &&
          git_take_from_baseline(w, *run.git, run.attrs_unknown, position, entry)) {
        continue;
      }
      // Settled again from its lstat on, as if it had never been set aside.
      entry->git_blob = nullptr;
      entry->git_blob_size = 0;
      w.deferred[misses] = entry;
      w.deferred_pos[misses] = position;
      ++misses;
    }
    if (misses != first_miss) {
      dirs[miss_dirs] = run;
      dirs[miss_dirs].begin = static_cast<uint32_t>(first_miss);
      ++miss_dirs;
    }
  }
  dirs.resize(miss_dirs);
  report_progress(w);

  // Then the files to hash, by directory: opened again from the root, and only when it is the directory listed.
  DirChain chain;
  for (size_t d = 0; d < dirs.size(); ++d) {
    const Worker::DeferredDir& run = dirs[d];
    const size_t end = run_end(d, misses);
    const std::string_view first = w.deferred[run.begin]->path;
    std::string_view rel = first.substr(0, first.size() - base_name(first).size());
    if (!rel.empty()) rel.remove_suffix(1);  // the slash
    int fd = reopen_dir(chain, rel);
    struct stat st {};
    if (fd >= 0 && (m_fs.fstat(fd, &st) != 0 || st.st_dev != run.dev || st.st_ino != run.ino)) {
      m_fs.close(fd);
      fd = -ESTALE;  // another directory is there now
    }
    if (fd < 0) {
      std::string why;
      if (fd == -ENOENT) {
        why = "its directory vanished during the scan (not read)";
      } else if (fd == -ESTALE || fd == -ELOOP || fd == -ENOTDIR) {
        why = "its directory changed during the scan (replaced by a symlink, a file or another directory): not read";
      } else {
        why = "cannot open its directory again: " + errno_text(-fd);
      }
      for (size_t k = run.begin; k < end; ++k) error(w, std::string(w.deferred[k]->path), why);
      continue;
    }
    const auto dir = std::make_shared<DirRef>(&m_fs, fd, &m_open_dirs);
    FileJob job;
    for (size_t k = run.begin; k < end; ++k) {
      if (job.count == k_batch) {
        push_files(w, std::move(job));
        job = FileJob{};
      }
      if (job.count == 0) {
        job.dir = dir;
        job.git = run.git;
        job.attrs_unknown = run.attrs_unknown;
      }
      job.index_pos[job.count] = w.deferred_pos[k];
      job.entries[job.count++] = w.deferred[k];
    }
    push_files(w, std::move(job));
    notify();
    // Directories stay open while their files wait: past the cap, this worker hashes some of them first.
    while (m_open_dirs.load(std::memory_order_relaxed) >= m_dir_fd_cap) {
      FileJob more;
      if (!pop_files(w.index, &more)) break;
      hash_batch(w, more);
      finish_job();
    }
  }
  for (const int fd : chain.fds) m_fs.close(fd);
  std::vector<FileEntry*>().swap(w.deferred);
  std::vector<uint32_t>().swap(w.deferred_pos);
  std::vector<Worker::DeferredDir>().swap(dirs);
}

int Walker::reopen_dir(DirChain& chain, std::string_view rel) {
  std::vector<std::string_view> parts;
  for (size_t at = 0; at < rel.size();) {
    const size_t slash = std::min(rel.find('/', at), rel.size());
    parts.push_back(rel.substr(at, slash - at));
    at = slash + 1;
  }
  if (parts.empty()) return m_fs.open_dir(m_root_fd, ".", false);
  const size_t parents = parts.size() - 1;
  size_t common = 0;
  while (common < chain.names.size() && common < parents && chain.names[common] == parts[common]) ++common;
  while (chain.names.size() > common) {
    m_fs.close(chain.fds.back());
    chain.fds.pop_back();
    chain.names.pop_back();
  }
  for (size_t k = common; k < parents; ++k) {
    std::string name(parts[k]);
    const int fd = m_fs.open_dir(chain.fds.empty() ? m_root_fd : chain.fds.back(), name.c_str(), false);
    if (fd < 0) return fd;
    chain.fds.push_back(fd);
    chain.names.push_back(std::move(name));
  }
  const std::string last(parts.back());
  return m_fs.open_dir(chain.fds.empty() ? m_root_fd : chain.fds.back(), last.c_str(), false);
}

void Walker::git_postcheck(Worker& w, const FileJob& job, uint32_t i, const struct stat& st) {
  const git::Index& index = job.git->index();
  const git::IndexEntry ie = index.entry(job.index_pos[i]);
  if (git::match_stat(ie, st, index.file_mtime()) != git::StatMatch::clean) return;
  w.table.set_git_blob(job.entries[i], ie.id.bytes());
}

const GitTree* Walker::open_nested(Worker& w, const std::string& rel) {
  if (m_root_real.empty()) return nullptr;
  const std::string where = m_root_real == "/" ? "/" + rel : m_root_real + "/" + rel;
  auto found = git::discover_repository(where);
  std::string why;
  if (!found) {
    why = found.error();
  } else if (!*found || (*found)->work_tree != where) {
    why = "its .git is not a repository of its own";
  } else {
    GitTree::Options options;
    options.top = false;
    options.read_ignore_rules = m_options.gitignore;
    options.env = m_options.env;
    auto tree = GitTree::open(std::move(**found), rel, options, &w.warnings);
    if (tree) {
      std::lock_guard lock(m_trees_mu);
      m_trees.push_back(std::move(*tree));
      return m_trees.back().get();
    }
    why = tree.error();
  }
  w.warnings.push_back(rel + ": not scanned as a git work tree of its own (" + why +
                       "); scanned under the enclosing repository's rules");
  return nullptr;
}

void Walker::report_progress(Worker& w) {
  if (m_options.progress != nullptr) {
    m_options.progress->files_done.fetch_add(w.unreported_files, std::memory_order_relaxed);
    m_options.progress->bytes_done.fetch_add(w.unreported_bytes, std::memory_order_relaxed);
  }
  w.unreported_files = 0;
  w.unreported_bytes = 0;
}

void Walker::collect(Manifest* m) {
  if (GitWalkReport* g = m_options.git_report; g != nullptr && m_options.git != nullptr) {
    for (auto& w : m_workers) {
      g->tracked += w->git.tracked;
      g->untracked += w->git.untracked;
      g->ignored_tracked += w->git.ignored_tracked;
      g->reused += w->git.reused;
      g->modified += w->git.modified;
      for (const FileEntry* e : w->kept) {
        if (e->git_state == 1) ++g->untracked;
        if (e->git_state >= 2) ++g->tracked;
        if (e->git_state == 3) ++g->ignored_tracked;
        if (e->git_blob_size != 0) ++g->vouched;
        if (e->git_state >= 2 && e->git_blob_size == 0) ++g->modified;
      }
    }
    g->missing += m_options.git->missing_count();
    g->unmerged += m_options.git->unmerged_count();
    for (const auto& t : m_trees) {
      g->missing += t->missing_count();
      g->unmerged += t->unmerged_count();
    }
    g->nested = m_trees.size();
    g->untracked_attributes = m_untracked_attributes.load();
  }
  size_t n = 0;
  for (auto& w : m_workers) n += w->kept.size();
  m->files.reserve(n);
  for (auto& w : m_workers) {
    for (const FileEntry* e : w->kept) m->total_bytes += e->size;
    m->files.insert(m->files.end(), w->kept.begin(), w->kept.end());
    std::vector<const FileEntry*>().swap(w->kept);  // the peak of a scan's memory is near here: give it back now
    m->table.absorb(std::move(w->table));
    std::move(w->symlinks.begin(), w->symlinks.end(), std::back_inserter(m->symlinks));
    std::move(w->skipped.begin(), w->skipped.end(), std::back_inserter(m->skipped));
    std::move(w->errors.begin(), w->errors.end(), std::back_inserter(m->errors));
    if (m_options.warnings) {
      std::move(w->warnings.begin(), w->warnings.end(), std::back_inserter(*m_options.warnings));
    }
  }
  m_workers.clear();
  if (m_options.shard.active()) {
    const auto other_shard = [&](const auto& e) { return !m_options.shard.keeps(e.path); };
    std::erase_if(m->symlinks, other_shard);
    std::erase_if(m->skipped, other_shard);
    std::erase_if(m->errors, other_shard);
  }
  sort_canonical(*m, m_options.threads);
  if (m_options.warnings) std::sort(m_options.warnings->begin(), m_options.warnings->end());
}

}  // namespace

Status walk_tree(FileSystem& fs, const std::string& root, const WalkOptions& options, Manifest* manifest) {
  Walker walker(fs, options, std::max(1u, options.threads));
  if (Status started = walker.start(root); !started) return started;
  walker.run();
  walker.collect(manifest);
  return ok_status();
}

}  // namespace treeprint
