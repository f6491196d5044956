#include "scan/walk.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <climits>
#include <condition_variable>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "manifest/json_writer.h"
#include "manifest/manifest.h"
#include "scan/hash_file.h"
#include "test_support.h"
#include "util/format.h"
#include "util/sha256.h"

namespace treeprint {
namespace {

using ::testing::ElementsAre;
using testing::FaultFileSystem;
using testing::file_paths;
using ::testing::HasSubstr;
using testing::TempDir;

struct Scan {
  Manifest manifest;
  std::vector<std::string> warnings;
  bool ok = false;
  std::string fatal;
};

Scan scan(const std::string& root, WalkOptions options = {}, FileSystem* fs = nullptr) {
  RealFileSystem real;
  Scan s;
  options.warnings = &s.warnings;
  const Status walked = walk_tree(fs != nullptr ? *fs : real, root, options, &s.manifest);
  s.ok = walked.ok();
  s.fatal = walked.error();
  return s;
}

const FileEntry* find(const Manifest& m, std::string_view path) {
  for (const FileEntry* f : m.files) {
    if (f->path == path) return f;
  }
  return nullptr;
}

TEST(Walk, HashesEveryFileAndSortsBytewise) {
  TempDir dir;
  dir.write("a/b", "hello");
  dir.write("a.b", "dot");
  dir.write("run.sh", "#!/bin/sh\n", 0755);
  dir.write("empty", "");
  dir.write("z/y/x/deep", std::string(300000, 'q'));  // several reads
  const Scan s = scan(dir.path(), {.threads = 3});
  ASSERT_TRUE(s.ok) << s.fatal;
  EXPECT_THAT(file_paths(s.manifest), ElementsAre("a.b", "a/b", "empty", "run.sh", "z/y/x/deep"));
  EXPECT_EQ(find(s.manifest, "a/b")->sha256, Sha256::of("hello"));
  EXPECT_EQ(find(s.manifest, "z/y/x/deep")->sha256, Sha256::of(std::string(300000, 'q')));
  EXPECT_EQ(find(s.manifest, "z/y/x/deep")->size, 300000u);
  EXPECT_TRUE(find(s.manifest, "run.sh")->executable);
  EXPECT_FALSE(find(s.manifest, "a/b")->executable);
  EXPECT_EQ(s.manifest.total_bytes, 5u + 3 + 10 + 0 + 300000);
  EXPECT_TRUE(s.manifest.errors.empty());
}

TEST(Walk, RecordsMtimeWithNanoseconds) {
  TempDir dir;
  dir.write("f", "x");
  const struct timespec times[2] = {{1704164645, 123456789}, {1704164645, 123456789}};
  ASSERT_EQ(utimensat(AT_FDCWD, (dir / "f").c_str(), times, 0), 0);
  const Scan s = scan(dir.path());
  EXPECT_EQ(find(s.manifest, "f")->mtime_ns, 1704164645'123456789);
}

TEST(Walk, OutputDoesNotDependOnThreadCount) {
  TempDir dir;
  for (int i = 0; i < 400; ++i) {
    dir.write("d" + std::to_string(i % 7) + "/s" + std::to_string(i % 3) + "/f" + std::to_string(i), std::to_string(i));
  }
  dir.symlink("d1", "link");
  auto render = [&](unsigned threads) {
    Scan s = scan(dir.path(), {.threads = threads});
    std::string out;
    write_manifest_json(s.manifest, root_digest(s.manifest), "t", [&](std::string_view b) { out.append(b); });
    return out;
  };
  const std::string one = render(1);
  EXPECT_EQ(one, render(2));
  EXPECT_EQ(one, render(8));
}

TEST(Walk, SymlinksAreRecordedNotFollowed) {
  TempDir dir;
  dir.write("real/f", "x");
  dir.symlink("real", "to-dir");
  dir.symlink("real/f", "to-file");
  dir.symlink("/etc/passwd", "escape");
  dir.symlink("missing", "dangling");
  const Scan s = scan(dir.path());
  EXPECT_THAT(file_paths(s.manifest), ElementsAre("real/f"));
  ASSERT_EQ(s.manifest.symlinks.size(), 4u);
  EXPECT_EQ(s.manifest.symlinks[0].path, "dangling");
  EXPECT_EQ(s.manifest.symlinks[0].target, "missing");
  EXPECT_EQ(s.manifest.symlinks[1].path, "escape");
  EXPECT_EQ(s.manifest.symlinks[1].target, "/etc/passwd");
  EXPECT_EQ(s.manifest.symlinks[1].not_followed, "");
}

TEST(Walk, FollowSymlinksStaysInsideAndDetectsLoops) {
  TempDir dir;
  dir.write("real/f", "x");
  dir.write("real/sub/g", "y");
  dir.symlink("real", "to-dir");
  dir.symlink("real/f", "to-file");
  dir.symlink("/etc", "escape-abs");
  dir.symlink("../..", "real/escape-rel");
  dir.symlink("..", "real/sub/up");  // back to an ancestor: a loop
  dir.symlink("self", "self");       // ELOOP
  dir.symlink("missing", "dangling");
  const Scan s = scan(dir.path(), {.threads = 2, .follow_symlinks = true});
  ASSERT_TRUE(s.ok) << s.fatal;
  EXPECT_THAT(file_paths(s.manifest), ElementsAre("real/f", "real/sub/g", "to-dir/f", "to-dir/sub/g", "to-file"));
  EXPECT_EQ(find(s.manifest, "to-file")->sha256, Sha256::of("x"));
  std::vector<std::pair<std::string, std::string>> links;
  for (const auto& l : s.manifest.symlinks) links.emplace_back(l.path, l.not_followed);
  EXPECT_THAT(links, ElementsAre(std::pair<std::string, std::string>{"dangling", "dangling"},
                                 std::pair<std::string, std::string>{"escape-abs", "outside root"},
                                 std::pair<std::string, std::string>{"real/escape-rel", "outside root"},
                                 std::pair<std::string, std::string>{"real/sub/up", "loop"},
                                 std::pair<std::string, std::string>{"self", "loop"},
                                 std::pair<std::string, std::string>{"to-dir/escape-rel", "outside root"},
                                 std::pair<std::string, std::string>{"to-dir/sub/up", "loop"}));
}

TEST(Walk, SpecialFilesAreListedNeverOpened) {
  TempDir dir;
  dir.write("f", "x");
  ASSERT_EQ(mkfifo((dir / "fifo").c_str(), 0644), 0);
  const int sock = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::string sock_path = dir / "sock";
  ASSERT_LT(sock_path.size(), sizeof addr.sun_path);
  std::copy(sock_path.begin(), sock_path.end(), addr.sun_path);
  ASSERT_EQ(bind(sock, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  FaultFileSystem fs;
  std::vector<std::string> opened;
  fs.on_open_file = [&](const char* name) -> std::optional<int> {
    opened.emplace_back(name);
    return std::nullopt;
  };
  const Scan s = scan(dir.path(), {}, &fs);
  close(sock);
  EXPECT_THAT(file_paths(s.manifest), ElementsAre("f"));
  ASSERT_EQ(s.manifest.skipped.size(), 2u);
  EXPECT_EQ(s.manifest.skipped[0].path, "fifo");
  EXPECT_EQ(s.manifest.skipped[0].type, "fifo");
  EXPECT_EQ(s.manifest.skipped[1].type, "socket");
  EXPECT_THAT(opened, ElementsAre("f"));
}

TEST(Walk, UnreadableEntriesAreRecordedAndTheScanGoesOn) {
  TempDir dir;
  dir.write("ok", "fine");
  dir.write("secret", "x");
  dir.write("locked/inner", "y");
  dir.write("gone", "z");
  FaultFileSystem fs;
  fs.on_open_file = [](const char* name) -> std::optional<int> {
    if (std::string_view(name) == "secret") return -EACCES;
    if (std::string_view(name) == "gone") return -ENOENT;  // deleted between listing and opening
    return std::nullopt;
  };
  fs.on_open_dir = [](const char* name) -> std::optional<int> {
    if (std::string_view(name) == "locked") return -EACCES;
    return std::nullopt;
  };
  const Scan s = scan(dir.path(), {.threads = 2}, &fs);
  ASSERT_TRUE(s.ok);
  EXPECT_THAT(file_paths(s.manifest), ElementsAre("ok"));
  ASSERT_EQ(s.manifest.errors.size(), 3u);
  EXPECT_EQ(s.manifest.errors[0].path, "gone");
  EXPECT_EQ(s.manifest.errors[0].message, "file vanished after it was listed (deleted during the scan)");
  EXPECT_EQ(s.manifest.errors[1].path, "locked");
  EXPECT_EQ(s.manifest.errors[1].message, "cannot open directory: Permission denied");
  EXPECT_EQ(s.manifest.errors[2].path, "secret");
  EXPECT_EQ(s.manifest.errors[2].message, "cannot open: Permission denied");
}

// The file at `path` gets `action` applied to it after the first read of it.
struct ModifyAfterFirstRead {
  std::string path;
  std::function<void(int)> action;  // gets an fd opened for writing
  int calls = 0;
  void operator()(int, long) {
    if (calls++ != 0) return;
    const int fd = open(path.c_str(), O_WRONLY);
    action(fd);
    close(fd);
  }
};

// Each case runs with the page-cache probe answering (as on ext4) and refusing (as on overlayfs): same results.
class WalkChange : public ::testing::TestWithParam<long> {};

INSTANTIATE_TEST_SUITE_P(CacheProbe, WalkChange, ::testing::Values(0L, -1L));

TEST_P(WalkChange, FileThatKeepsGrowingWhileHashedIsAnErrorNotAWrongDigest) {
  TempDir dir;
  dir.write("growing", std::string(1000, 'a'));
  FaultFileSystem fs;
  fs.cached_limit = GetParam();
  fs.after_read = [&](int, long) {  // a writer appending all the time, like a log file
    const int fd = open((dir / "growing").c_str(), O_WRONLY | O_APPEND);
    ASSERT_EQ(write(fd, "more", 4), 4);
    close(fd);
  };
  const Scan s = scan(dir.path(), {}, &fs);
  EXPECT_TRUE(s.manifest.files.empty());
  ASSERT_EQ(s.manifest.errors.size(), 1u);
  EXPECT_EQ(s.manifest.errors[0].path, "growing");
  EXPECT_THAT(s.manifest.errors[0].message, HasSubstr("file changed while it was being hashed"));
}

TEST_P(WalkChange, FileThatGrewOnceGetsTheDigestOfWhatItIsNow) {
  TempDir dir;
  dir.write("grew", std::string(1000, 'a'));
  FaultFileSystem fs;
  fs.cached_limit = GetParam();
  ModifyAfterFirstRead modify{dir / "grew", [](int fd) {
                                lseek(fd, 0, SEEK_END);
                                ASSERT_EQ(write(fd, "more", 4), 4);
                              }};
  fs.after_read = [&](int fd, long n) { modify(fd, n); };
  const Scan s = scan(dir.path(), {}, &fs);
  // Changed since the scan started, so it was read again between two fstat calls: the digest is of a state that
  // held still, and matches the size recorded with it.
  EXPECT_TRUE(s.manifest.errors.empty());
  ASSERT_EQ(s.manifest.files.size(), 1u);
  EXPECT_EQ(s.manifest.files[0]->size, 1004u);
  EXPECT_EQ(s.manifest.files[0]->sha256, Sha256::of(std::string(1000, 'a') + "more"));
}

TEST(Walk, FileThatShrinksWhileHashedIsAnError) {
  TempDir dir;
  dir.write("big", std::string(600000, 'b'));  // more than one read
  FaultFileSystem fs;
  ModifyAfterFirstRead modify{dir / "big", [](int fd) { ASSERT_EQ(ftruncate(fd, 1000), 0); }};
  fs.after_read = [&](int fd, long n) { modify(fd, n); };
  const Scan s = scan(dir.path(), {}, &fs);
  EXPECT_TRUE(s.manifest.files.empty());
  ASSERT_EQ(s.manifest.errors.size(), 1u);
  EXPECT_THAT(s.manifest.errors[0].message, HasSubstr("file changed while it was being hashed"));
}

TEST(Walk, RecentlyChangedFileIsReadTwiceAndRewrittenContentIsCaught) {
  TempDir dir;
  dir.write("f", "aaaa");
  FaultFileSystem fs;
  int reads = 0;
  fs.after_read = [&](int, long) {
    // The file is new, so its ctime is after the scan's "racy" line: it is hashed twice. Rewrite it (same size)
    // during the second pass: that must be caught by the fstat after it.
    if (++reads == 2) {
      struct timespec t = {0, 0};
      nanosleep(&(t = {0, 20'000'000}), nullptr);
      const int fd = open((dir / "f").c_str(), O_WRONLY);
      ASSERT_EQ(pwrite(fd, "bbbb", 4, 0), 4);
      close(fd);
    }
  };
  const Scan s = scan(dir.path(), {}, &fs);
  EXPECT_GE(reads, 2);
  EXPECT_TRUE(s.manifest.files.empty());
  ASSERT_EQ(s.manifest.errors.size(), 1u);
  EXPECT_THAT(s.manifest.errors[0].message, HasSubstr("file changed while it was being hashed"));
}

TEST(Walk, OnlyRecentlyChangedFilesAreReadTwice) {
  TempDir dir;
  dir.write("f", "aaaa");
  FaultFileSystem fs;
  int reads = 0;
  fs.after_read = [&](int, long) { ++reads; };
  const Scan recent = scan(dir.path(), {}, &fs);  // just written: its ctime is after the scan's racy line
  EXPECT_EQ(reads, 2);
  ASSERT_EQ(recent.manifest.files.size(), 1u);
  EXPECT_EQ(recent.manifest.files[0]->sha256, Sha256::of("aaaa"));
  reads = 0;
  const Scan old = scan(dir.path(), {.racy_after_ns = INT64_MAX}, &fs);  // as if the file were older than the scan
  EXPECT_EQ(reads, 1);
  ASSERT_EQ(old.manifest.files.size(), 1u);
  EXPECT_EQ(old.manifest.files[0]->sha256, Sha256::of("aaaa"));
}

TEST(Walk, PartlyCachedFilesAreReadOnNotReportedAsChanged) {
  TempDir dir;
  for (int i = 0; i < 20; ++i) dir.write("f" + std::to_string(i), std::string(10000 + i, 'c'));
  FaultFileSystem fs;
  fs.cached_limit = 4096;  // the probe finds only the first page in the cache
  const Scan s = scan(dir.path(), {.threads = 2}, &fs);
  EXPECT_TRUE(s.manifest.errors.empty()) << s.manifest.errors[0].message;
  ASSERT_EQ(s.manifest.files.size(), 20u);
  EXPECT_EQ(find(s.manifest, "f7")->sha256, Sha256::of(std::string(10007, 'c')));
  EXPECT_GT(fs.prefetches, 0);  // the rest of each batch was asked for
}

TEST(Walk, ColdCacheStartsReadsForTheRestOfTheBatch) {
  TempDir dir;
  for (int i = 0; i < 10; ++i) dir.write("f" + std::to_string(i), "data");
  FaultFileSystem fs;
  fs.cached_limit = -1;  // nothing cached
  const Scan s = scan(dir.path(), {.threads = 1}, &fs);
  ASSERT_EQ(s.manifest.files.size(), 10u);
  // One batch: the first miss prefetches, once, every file the hasher has not started yet (it starts two at a time
  // where it pairs files).
  const int started = FileHasher().pairs_files() ? 2 : 1;
  EXPECT_EQ(fs.prefetches, 10 - started);
  EXPECT_EQ(find(s.manifest, "f3")->sha256, Sha256::of("data"));
}

TEST(Walk, NamesAreRawBytes) {
  TempDir dir;
  dir.write("caf\xe9", "latin1");
  dir.write("new\nline", "nl");
  dir.write("-rf", "dash");
  dir.write("back\\slash", "bs");
  const Scan s = scan(dir.path());
  EXPECT_THAT(file_paths(s.manifest), ElementsAre("-rf", "back\\slash", "caf\xe9", "new\nline"));
}

TEST(Walk, TreeDeeperThanPathMax) {
  TempDir dir;
  const std::string segment(50, 'd');
  int fd = open(dir.path().c_str(), O_RDONLY | O_DIRECTORY);
  std::string rel;
  const int depth = PATH_MAX / 50 + 20;
  for (int i = 0; i < depth; ++i) {
    ASSERT_EQ(mkdirat(fd, segment.c_str(), 0755), 0);
    const int next = openat(fd, segment.c_str(), O_RDONLY | O_DIRECTORY);
    close(fd);
    fd = next;
    rel += segment + "/";
  }
  const int f = openat(fd, "bottom", O_WRONLY | O_CREAT, 0644);
  ASSERT_EQ(write(f, "deep", 4), 4);
  close(f);
  close(fd);
  const Scan s = scan(dir.path(), {.threads = 2});
  ASSERT_TRUE(s.ok);
  EXPECT_TRUE(s.manifest.errors.empty());
  ASSERT_EQ(s.manifest.files.size(), 1u);
  EXPECT_GT(s.manifest.files[0]->path.size(), static_cast<size_t>(PATH_MAX));
  EXPECT_EQ(s.manifest.files[0]->path, rel + "bottom");
  EXPECT_EQ(s.manifest.files[0]->sha256, Sha256::of("deep"));
}

TEST(Walk, FiltersGitignoreSinceAndDotGit) {
  TempDir dir;
  dir.write(".gitignore", "*.log\nbuild/\n");
  dir.write("sub/.gitignore", "!keep.log\n");
  dir.write(".git/info/exclude", "secret\n");
  dir.write(".git/HEAD", "ref");
  dir.write("a.log", "");
  dir.write("sub/keep.log", "");
  dir.write("build/out", "");
  dir.write("secret", "");
  dir.write("src/main.c", "");
  dir.write("old.c", "");
  ASSERT_EQ(system(("touch -d 2001-01-01 '" + (dir / "old.c") + "'").c_str()), 0);
  EXPECT_THAT(file_paths(scan(dir.path()).manifest),
              ElementsAre(".gitignore", "old.c", "src/main.c", "sub/.gitignore", "sub/keep.log"));
  EXPECT_THAT(file_paths(scan(dir.path(), {.gitignore = false}).manifest),
              ElementsAre(".gitignore", "a.log", "build/out", "old.c", "secret", "src/main.c", "sub/.gitignore",
                          "sub/keep.log"));
  EXPECT_THAT(file_paths(scan(dir.path(), {.gitignore = false, .skip_dot_git = false}).manifest),
              ::testing::Contains(".git/HEAD"));
  EXPECT_THAT(file_paths(scan(dir.path(), {.since_ns = 1'500'000'000'000'000'000}).manifest),
              ElementsAre(".gitignore", "src/main.c", "sub/.gitignore", "sub/keep.log"));
  Filters filters;
  ASSERT_TRUE(filters.add_include("*.c"));
  ASSERT_TRUE(filters.add_exclude("/old.c"));
  EXPECT_THAT(file_paths(scan(dir.path(), {.filters = &filters}).manifest), ElementsAre("src/main.c"));
  Filters dir_include;  // an included directory keeps what is below it, .gitignore still applies there
  ASSERT_TRUE(dir_include.add_include("sub/"));
  EXPECT_THAT(file_paths(scan(dir.path(), {.filters = &dir_include}).manifest),
              ElementsAre("sub/.gitignore", "sub/keep.log"));
  Filters override_ignore;  // an explicit include beats .gitignore
  ASSERT_TRUE(override_ignore.add_include("a.log"));
  EXPECT_THAT(file_paths(scan(dir.path(), {.filters = &override_ignore}).manifest), ElementsAre("a.log"));
}

TEST(Walk, LeavesOutTheOutputFile) {
  TempDir dir;
  dir.write("manifest.json", "previous run");
  dir.write("data", "d");
  struct stat st {};
  ASSERT_EQ(stat(dir.path().c_str(), &st), 0);
  const Scan s = scan(dir.path(), {.leave_out = {{st.st_dev, st.st_ino, "manifest.json"}}});
  EXPECT_THAT(file_paths(s.manifest), ElementsAre("data"));
}

TEST(Walk, RootProblemsAreFatal) {
  TempDir dir;
  dir.write("file", "x");
  Scan s = scan(dir / "missing");
  EXPECT_FALSE(s.ok);
  EXPECT_EQ(s.fatal, "cannot open directory '" + (dir / "missing") + "': No such file or directory");
  s = scan(dir / "file");
  EXPECT_FALSE(s.ok);
  EXPECT_EQ(s.fatal, "'" + (dir / "file") + "' is not a directory; give the directory to scan");
}

}  // namespace
}  // namespace treeprint

namespace treeprint {
namespace {

TEST(Walk, ProgressCountersEndBalanced) {
  TempDir dir;
  for (int i = 0; i < 50; ++i) dir.write("d" + std::to_string(i % 5) + "/f" + std::to_string(i), "xyz");
  WalkProgress progress;
  const Scan s = scan(dir.path(), {.threads = 3, .progress = &progress});
  EXPECT_EQ(progress.files_found.load(), 50u);
  EXPECT_EQ(progress.files_done.load(), 50u);
  EXPECT_EQ(progress.bytes_done.load(), 150u);
  EXPECT_EQ(progress.dirs_pending.load(), 0u);  // every directory listed: the total is known
}

}  // namespace
}  // namespace treeprint

namespace treeprint {
namespace {

TEST(Walk, BigFilesHandTheRestOfTheirBatchToOtherThreads) {
  // Every file is big, so whichever the listing puts first in the (one) batch hands the others on. The second read
  // of the first file to get that far waits until another thread has read another file of the batch: only a
  // hand-off lets that happen. The wait has a deadline, so a walker without the hand-off fails instead of hanging.
  TempDir dir;
  constexpr size_t k_files = 3;
  const size_t size = FileHasher::k_big_file + 1;
  for (size_t i = 0; i < k_files; ++i)
    dir.write("big" + std::to_string(i), std::string(size, static_cast<char>('a' + i)));
  std::mutex mu;
  std::condition_variable cv;
  std::map<std::string, int> reads;                     // by file
  std::map<std::string, std::set<std::thread::id>> by;  // which threads read each file
  std::string held;                                     // the file whose read waits
  std::thread::id holder;
  bool other_read = false;  // another thread read another file while `held` waited
  bool waited = false;
  FaultFileSystem fs;
  fs.after_read = [&](int fd, long) {
    const std::string path = testing::fd_path(fd);
    std::unique_lock lock(mu);
    by[path].insert(std::this_thread::get_id());
    const int n = ++reads[path];
    if (!held.empty() && path != held && std::this_thread::get_id() != holder) {
      other_read = true;
      cv.notify_all();
    }
    if (n == 2 && held.empty()) {  // after the first full buffer and its fstat: the hand-off has happened or not
      held = path;
      holder = std::this_thread::get_id();
      waited = true;
      cv.wait_for(lock, std::chrono::seconds(20), [&] { return other_read; });
    }
  };
  const Scan s = scan(dir.path(), {.threads = 2}, &fs);
  EXPECT_TRUE(waited);
  EXPECT_TRUE(other_read) << held
                          << " kept the rest of its batch: no other thread read another file while it was hashed";
  std::set<std::thread::id> threads;
  for (const auto& [path, ids] : by) threads.insert(ids.begin(), ids.end());
  EXPECT_EQ(threads.size(), 2u);
  ASSERT_EQ(s.manifest.files.size(), k_files);
  EXPECT_TRUE(s.manifest.errors.empty());
  for (size_t i = 0; i < k_files; ++i) {
    EXPECT_EQ(find(s.manifest, "big" + std::to_string(i))->sha256,
              Sha256::of(std::string(size, static_cast<char>('a' + i))));
  }
}

}  // namespace
}  // namespace treeprint

namespace treeprint {
namespace {

TEST(Walk, RefusesARootOnProcfsOrSysfs) {
  for (const char* root : {"/proc/self", "/sys/kernel"}) {
    struct stat st {};
    if (::stat(root, &st) != 0) continue;
    const Scan s = scan(root);
    EXPECT_FALSE(s.ok) << root;
    EXPECT_THAT(s.fatal, HasSubstr("whose files the kernel makes up as they are read")) << s.fatal;
    EXPECT_THAT(s.fatal, HasSubstr(std::string(root) == "/proc/self" ? "is on procfs" : "is on sysfs"));
  }
}

// A file that yields far more than its size (as /proc/self/pagemap or a sysfs attribute can) is an error entry after
// a bounded over-read, not an endless read.
class EndlessFileSystem final : public FileSystem {
 public:
  int open_dir(int dir_fd, const char* name, bool follow) override { return m_real.open_dir(dir_fd, name, follow); }
  long read_dir(int fd, void* buf, size_t size) override { return m_real.read_dir(fd, buf, size); }
  int open_file(int dir_fd, const char* name, bool follow) override {
    const int fd = m_real.open_file(dir_fd, name, follow);
    if (fd >= 0 && std::string_view(name) == "endless") m_endless = fd;
    return fd;
  }
  int stat_at(int dir_fd, const char* name, struct stat* st, bool follow) override {
    return m_real.stat_at(dir_fd, name, st, follow);
  }
  int fstat(int fd, struct stat* st) override { return m_real.fstat(fd, st); }
  long read(int fd, void* buf, size_t size) override {
    if (fd != m_endless) return m_real.read(fd, buf, size);
    if (m_given >= k_give_up) return 0;  // only so that the test ends if the walker does not stop
    std::memset(buf, 'x', size);
    m_given += size;
    return static_cast<long>(size);
  }
  long read_cached(int fd, void* buf, size_t size) override { return read(fd, buf, size); }
  int rewind(int fd) override { return m_real.rewind(fd); }
  long read_link(int dir_fd, const char* name, char* buf, size_t size) override {
    return m_real.read_link(dir_fd, name, buf, size);
  }
  long fd_path(int fd, char* buf, size_t size) override { return m_real.fd_path(fd, buf, size); }
  void prefetch(int, uint64_t) override {}
  void close(int fd) override {
    if (fd == m_endless) m_endless = -1;
    m_real.close(fd);
  }
  long read_at(int fd, void* buf, size_t size, uint64_t offset) override {
    return m_real.read_at(fd, buf, size, offset);
  }
  int create_file(int dir_fd, const char* name, mode_t mode) override { return m_real.create_file(dir_fd, name, mode); }
  int open_for_write(int dir_fd, const char* name) override { return m_real.open_for_write(dir_fd, name); }
  long write(int fd, const void* buf, size_t size) override { return m_real.write(fd, buf, size); }
  long write_at(int fd, const void* buf, size_t size, uint64_t offset) override {
    return m_real.write_at(fd, buf, size, offset);
  }
  int rename_at(int from_dir_fd, const char* from, int to_dir_fd, const char* to) override {
    return m_real.rename_at(from_dir_fd, from, to_dir_fd, to);
  }
  int unlink_at(int dir_fd, const char* name) override { return m_real.unlink_at(dir_fd, name); }
  int close_checked(int fd) override { return m_real.close_checked(fd); }

  static constexpr uint64_t k_give_up = 256ull << 20;
  uint64_t m_given = 0;

 private:
  RealFileSystem m_real;
  int m_endless = -1;
};

TEST(Walk, AFileThatNeverEndsIsAnErrorAfterABoundedOverRead) {
  TempDir dir;
  dir.write("endless", "");  // size 0, as procfs and sysfs files say
  dir.write("ok", "fine");
  EndlessFileSystem fs;
  const Scan s = scan(dir.path(), {}, &fs);
  ASSERT_TRUE(s.ok) << s.fatal;
  ASSERT_EQ(s.manifest.errors.size(), 1u);
  EXPECT_EQ(s.manifest.errors[0].path, "endless");
  EXPECT_THAT(s.manifest.errors[0].message, HasSubstr("more than its size of 0"));
  EXPECT_LE(fs.m_given, k_over_read_max + (1u << 20));  // read a little past the bound, not on and on
  EXPECT_EQ(file_paths(s.manifest), std::vector<std::string>{"ok"});
}

}  // namespace
}  // namespace treeprint

namespace treeprint {
namespace {

// Tiny and big files in several directories, so batches end while big files are still being read and the lanes
// take files from other batches: every digest is sha256sum's, on one thread and two. A file that grows and one that
// shrinks while read (both big, so a lane holds them across batches) give what the single-file rules give.
TEST(Walk, MixOfTinyAndBigFilesGivesSha256sumsDigestsWhateverPairsThem) {
  TempDir dir;
  std::vector<std::string> paths;
  const size_t big = FileHasher::k_big_file;
  for (int d = 0; d < 5; ++d) {
    for (int i = 0; i < 37; ++i) {
      const std::string path = "d" + std::to_string(d) + "/f" + std::to_string(i);
      size_t size = static_cast<size_t>(i * 1031 + d * 17) % 9000;
      if (i == 3 || (d == 2 && i == 30)) size = big + static_cast<size_t>(d) * 100003;  // a big file per directory
      if (i == 20 && d % 2 == 0) size = 131072 * 3 + 1;
      std::string text(size, '\0');
      for (size_t k = 0; k < size; ++k) text[k] = static_cast<char>((k * 31 + static_cast<size_t>(i * 7 + d)) & 0xff);
      dir.write(path, text);
      paths.push_back(path);
    }
  }
  dir.write("d1/grows", std::string(big + 5, 'g'));
  dir.write("d3/shrinks", std::string(big + 7, 's'));
  for (const unsigned threads : {1u, 2u}) {
    SCOPED_TRACE(threads);
    dir.write("d1/grows", std::string(big + 5, 'g'));
    dir.write("d3/shrinks", std::string(big + 7, 's'));
    FaultFileSystem fs;
    std::mutex mu;
    bool grew = false, shrank = false;
    fs.after_read = [&](int fd, long) {
      const std::string path = testing::fd_path(fd);
      std::lock_guard lock(mu);
      if (path == dir / "d1/grows" && !grew) {
        grew = true;
        const int w = open(path.c_str(), O_WRONLY | O_APPEND);
        ASSERT_EQ(write(w, "more", 4), 4);
        close(w);
      } else if (path == dir / "d3/shrinks" && !shrank) {
        shrank = true;
        ASSERT_EQ(truncate(path.c_str(), 1000), 0);
      }
    };
    const Scan s = scan(dir.path(), {.threads = threads}, &fs);
    ASSERT_TRUE(s.ok) << s.fatal;
    EXPECT_TRUE(grew && shrank);
    // The grown file changed after the scan started, so it was read again and its digest is of what it holds now.
    ASSERT_EQ(s.manifest.files.size(), paths.size() + 1);
    for (const std::string& path : paths) {
      const FileEntry* f = find(s.manifest, path);
      ASSERT_NE(f, nullptr) << path;
      EXPECT_EQ(to_hex(f->sha256), testing::sha256sum(dir / path)) << path;
    }
    const FileEntry* grown = find(s.manifest, "d1/grows");
    ASSERT_NE(grown, nullptr);
    EXPECT_EQ(grown->size, big + 9);
    EXPECT_EQ(to_hex(grown->sha256), testing::sha256sum(dir / "d1/grows"));
    ASSERT_EQ(s.manifest.errors.size(), 1u);
    EXPECT_EQ(s.manifest.errors[0].path, "d3/shrinks");
    EXPECT_THAT(s.manifest.errors[0].message, HasSubstr("file changed while it was being hashed"));
  }
}

}  // namespace
}  // namespace treeprint
