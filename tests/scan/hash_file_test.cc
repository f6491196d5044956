#include "scan/hash_file.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstring>
#include <ctime>
#include <memory>
#include <string>
#include <vector>
#include <thread>

#include "test_support.h"
#include "util/format.h"
#include "util/sha256.h"

namespace treeprint {
namespace {

using ::testing::HasSubstr;
using testing::FaultFileSystem;
using testing::TempDir;

constexpr int64_t k_every_file_is_recent = 0;       // every ctime is at or after this: read twice
constexpr int64_t k_every_file_is_old = INT64_MAX;  // no ctime reaches this: read once

// One file of a TempDir, opened through `fs` the way the walker opens it, closed when done.
class OpenFile {
 public:
  OpenFile(FileSystem& fs, const TempDir& dir, const std::string& name) : m_fs(fs) {
    m_dir = fs.open_dir(AT_FDCWD, dir.path().c_str(), true);
    m_fd = fs.open_file(m_dir, name.c_str(), false);
  }
  ~OpenFile() {
    if (m_fd >= 0) m_fs.close(m_fd);
    if (m_dir >= 0) m_fs.close(m_dir);
  }
  OpenFile(const OpenFile&) = delete;
  OpenFile& operator=(const OpenFile&) = delete;
  int fd() const { return m_fd; }

 private:
  FileSystem& m_fs;
  int m_dir = -1;
  int m_fd = -1;
};

HashResult hash(FileSystem& fs, const TempDir& dir, const std::string& name, HashPolicy policy,
                const HashHooks* hooks = nullptr) {
  OpenFile f(fs, dir, name);
  EXPECT_GE(f.fd(), 0) << name;
  FileHasher hasher;
  return hasher.hash(fs, f.fd(), policy, hooks);
}

struct stat stat_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st;
}

void append(const std::string& path, std::string_view bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  ::close(fd);
}

void overwrite(const std::string& path, std::string_view bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::pwrite(fd, bytes.data(), bytes.size(), 0), static_cast<ssize_t>(bytes.size()));
  ::close(fd);
}

TEST(HashFile, HashesAndReportsWhatFstatSays) {
  TempDir dir;
  const std::string content(300000, 'q');  // several reads
  dir.write("f", content, 0755);
  RealFileSystem fs;
  for (const int64_t racy : {k_every_file_is_recent, k_every_file_is_old}) {
    const HashResult r = hash(fs, dir, "f", {.racy_after_ns = racy});
    ASSERT_EQ(r.outcome, HashOutcome::hashed) << r.message;
    const struct stat st = stat_of(dir / "f");
    EXPECT_EQ(r.file.sha256, Sha256::of(content));
    EXPECT_EQ(r.file.size, content.size());
    EXPECT_EQ(r.file.mtime_ns, mtime_ns(st));
    EXPECT_EQ(r.file.ctime_ns, ctime_ns(st));
    EXPECT_EQ(r.file.ino, st.st_ino);
    EXPECT_TRUE(r.file.executable);
    EXPECT_EQ(r.message, "");
  }
}

TEST(HashFile, OneHasherHashesManyFiles) {
  TempDir dir;
  dir.write("a", std::string(200000, 'a'));
  dir.write("b", "b");
  dir.write("empty", "");
  RealFileSystem fs;
  FileHasher hasher;
  for (const auto& [name, content] : {std::pair<std::string, std::string>{"a", std::string(200000, 'a')},
                                      {"b", "b"},
                                      {"empty", ""}}) {
    OpenFile f(fs, dir, name);
    const HashResult r = hasher.hash(fs, f.fd(), {.racy_after_ns = k_every_file_is_recent});
    ASSERT_EQ(r.outcome, HashOutcome::hashed) << name << ": " << r.message;
    EXPECT_EQ(r.file.sha256, Sha256::of(content)) << name;
    EXPECT_FALSE(r.file.executable);
  }
}

TEST(HashFile, FileThatKeepsGrowingWhileReadFails) {
  TempDir dir;
  dir.write("log", std::string(1000, 'a'));
  FaultFileSystem fs;
  fs.after_read = [&](int, long) { append(dir / "log", "more"); };  // a writer appending all the time
  for (const int64_t racy : {k_every_file_is_recent, k_every_file_is_old}) {
    const HashResult r = hash(fs, dir, "log", {.racy_after_ns = racy});
    EXPECT_EQ(r.outcome, HashOutcome::failed);
    EXPECT_THAT(r.message, HasSubstr("file changed while it was being hashed"));
    EXPECT_THAT(r.message, HasSubstr("no digest recorded"));
  }
}

TEST(HashFile, FileThatGrewOnceGetsTheDigestOfWhatItIsNow) {
  TempDir dir;
  dir.write("f", std::string(1000, 'a'));
  FaultFileSystem fs;
  int reads = 0;
  fs.after_read = [&](int, long) {
    if (++reads == 1) append(dir / "f", "more");
  };
  const HashResult r = hash(fs, dir, "f", {.racy_after_ns = k_every_file_is_recent});
  ASSERT_EQ(r.outcome, HashOutcome::hashed) << r.message;
  EXPECT_EQ(r.file.size, 1004u);
  EXPECT_EQ(r.file.sha256, Sha256::of(std::string(1000, 'a') + "more"));
}

TEST(HashFile, FileThatShrinksWhileReadFails) {
  TempDir dir;
  dir.write("f", std::string(600000, 'b'));  // more than one read
  FaultFileSystem fs;
  int reads = 0;
  fs.after_read = [&](int, long) {
    if (++reads == 1) {
      ASSERT_EQ(::truncate((dir / "f").c_str(), 1000), 0);
    }
  };
  for (const int64_t racy : {k_every_file_is_recent, k_every_file_is_old}) {
    reads = 0;
    dir.write("f", std::string(600000, 'b'));
    const HashResult r = hash(fs, dir, "f", {.racy_after_ns = racy});
    EXPECT_EQ(r.outcome, HashOutcome::failed);
    EXPECT_THAT(r.message, HasSubstr("file changed while it was being hashed"));
  }
}

TEST(HashFile, RecentFileRewrittenDuringTheFirstReadGetsTheDigestOfItsNewContent) {
  // Same size, rewritten after the first read but before the fstat that ends it: that fstat cannot tell. The ctime is
  // recent, so the file is read again between two fstat calls, and the digest kept is of the bytes it holds now.
  TempDir dir;
  dir.write("f", "aaaa");
  FaultFileSystem fs;
  int reads = 0;
  fs.after_read = [&](int, long) {
    if (++reads == 1) overwrite(dir / "f", "bbbb");
  };
  const HashResult r = hash(fs, dir, "f", {.racy_after_ns = k_every_file_is_recent});
  EXPECT_EQ(reads, 2);
  ASSERT_EQ(r.outcome, HashOutcome::hashed) << r.message;
  EXPECT_EQ(r.file.sha256, Sha256::of("bbbb"));
}

TEST(HashFile, RecentFileRewrittenDuringTheSecondReadFails) {
  TempDir dir;
  dir.write("f", "aaaa");
  FaultFileSystem fs;
  int reads = 0;
  fs.after_read = [&](int, long) {
    if (++reads == 2) {
      // Let the clock the filesystem stamps ctime with move on, so the rewrite shows.
      struct timespec pause = {0, 20'000'000};
      nanosleep(&pause, nullptr);
      overwrite(dir / "f", "bbbb");
    }
  };
  const HashResult r = hash(fs, dir, "f", {.racy_after_ns = k_every_file_is_recent});
  EXPECT_EQ(reads, 2);
  EXPECT_EQ(r.outcome, HashOutcome::failed);
  EXPECT_THAT(r.message, HasSubstr("file changed while it was being hashed (size 4, then 4)"));
}

TEST(HashFile, OnlyFilesChangedSinceTheRacyLineAreReadTwice) {
  TempDir dir;
  dir.write("f", "aaaa");
  const int64_t changed = ctime_ns(stat_of(dir / "f"));
  FaultFileSystem fs;
  int reads = 0;
  fs.after_read = [&](int, long) { ++reads; };
  struct Case {
    int64_t racy_after_ns;
    int reads;
  };
  // The line is inclusive: a ctime equal to it may be a write in the same clock tick as the scan's start.
  for (const Case c : {Case{changed, 2}, Case{changed + 1, 1}, Case{k_every_file_is_old, 1}, Case{0, 2}}) {
    reads = 0;
    const HashResult r = hash(fs, dir, "f", {.racy_after_ns = c.racy_after_ns});
    ASSERT_EQ(r.outcome, HashOutcome::hashed) << r.message;
    EXPECT_EQ(r.file.sha256, Sha256::of("aaaa"));
    EXPECT_EQ(reads, c.reads) << "racy_after_ns = ctime + " << c.racy_after_ns - changed;
  }
}

TEST(HashFile, FilesOlderThanSinceAreFiltered) {
  TempDir dir;
  dir.write("f", "x");
  const int64_t modified = mtime_ns(stat_of(dir / "f"));
  RealFileSystem fs;
  EXPECT_EQ(hash(fs, dir, "f", {.since_ns = modified + 1}).outcome, HashOutcome::filtered);
  const HashResult kept = hash(fs, dir, "f", {.since_ns = modified});  // since is inclusive
  ASSERT_EQ(kept.outcome, HashOutcome::hashed);
  EXPECT_EQ(kept.file.sha256, Sha256::of("x"));
}

TEST(HashFile, FifoIsNotRegular) {
  TempDir dir;
  ASSERT_EQ(mkfifo((dir / "fifo").c_str(), 0644), 0);  // as if a file were replaced by it after the listing
  RealFileSystem fs;
  const HashResult r = hash(fs, dir, "fifo", {.racy_after_ns = k_every_file_is_recent});
  EXPECT_EQ(r.outcome, HashOutcome::not_regular);
  EXPECT_EQ(r.type, static_cast<mode_t>(S_IFIFO));
}

TEST(HashFile, ReadErrorsAreReported) {
  TempDir dir;
  dir.write("f", std::string(300000, 'e'));
  FaultFileSystem fs;
  for (const int failing_read : {1, 2, 4}) {  // the first read, one in the middle, the second pass's first
    int reads = 0;
    fs.on_read = [&](int, void*, size_t) -> std::optional<long> {
      if (++reads == failing_read) return -EIO;
      return std::nullopt;
    };
    const HashResult r = hash(fs, dir, "f", {.racy_after_ns = k_every_file_is_recent});
    EXPECT_EQ(reads, failing_read);
    EXPECT_EQ(r.outcome, HashOutcome::failed);
    EXPECT_EQ(r.message, "read failed: " + std::string(std::strerror(EIO))) << failing_read;
  }
}

TEST(HashFile, PseudoFileThatNeverEndsIsReadABoundedAmount) {
  // Like a procfs or sysfs file: fstat says 0 bytes, and every read fills the buffer.
  TempDir dir;
  dir.write("f", "");
  FaultFileSystem fs;
  uint64_t served = 0;
  fs.on_read = [&](int, void* buf, size_t size) -> std::optional<long> {
    if (served >= (64u << 20)) return 0L;  // so that a hasher without the bound ends, and fails below
    std::memset(buf, 'p', size);
    served += size;
    return static_cast<long>(size);
  };
  fs.after_fstat = [](int, struct stat* st) { st->st_size = 0; };
  const HashResult r = hash(fs, dir, "f", {.racy_after_ns = k_every_file_is_recent});
  EXPECT_EQ(r.outcome, HashOutcome::failed);
  EXPECT_THAT(r.message, HasSubstr("more than its size of 0"));
  EXPECT_GT(served, k_over_read_max);
  EXPECT_LE(served, k_over_read_max + FileHasher::k_read_buffer);
}

TEST(HashFile, PseudoFileWithShortReadsThatNeverEndIsReported) {
  // A sysfs attribute: fstat says 4096, and each read returns a little more.
  TempDir dir;
  dir.write("f", "");
  FaultFileSystem fs;
  int reads = 0;
  fs.on_read = [&](int, void* buf, size_t) -> std::optional<long> {
    ++reads;
    std::memset(buf, 's', 100);
    return 100L;
  };
  fs.after_fstat = [](int, struct stat* st) { st->st_size = 4096; };
  const HashResult r = hash(fs, dir, "f", {.racy_after_ns = k_every_file_is_recent});
  EXPECT_EQ(r.outcome, HashOutcome::failed);
  EXPECT_THAT(r.message, HasSubstr("file changed while it was being hashed"));
  EXPECT_LE(reads, 2);  // a short read ends the file; one more is allowed for a file that grew once
}

TEST(HashFile, RealProcfsFileIsReportedNotHashed) {
  RealFileSystem fs;
  const int fd = fs.open_file(AT_FDCWD, "/proc/self/status", false);
  ASSERT_GE(fd, 0);
  FileHasher hasher;
  const HashResult r = hasher.hash(fs, fd, {.racy_after_ns = k_every_file_is_recent});
  fs.close(fd);
  EXPECT_EQ(r.outcome, HashOutcome::failed);
  EXPECT_THAT(r.message, HasSubstr("size now 0"));
}

TEST(HashFile, ColdHookFiresWhenTheCacheProbeMisses) {
  TempDir dir;
  dir.write("f", std::string(200000, 'c'));
  FaultFileSystem fs;
  fs.cached_limit = -1;  // nothing is in the page cache
  int cold = 0;
  HashHooks hooks;
  hooks.probe_cache = true;
  hooks.cold = [&] { ++cold; };
  HashResult r = hash(fs, dir, "f", {.racy_after_ns = k_every_file_is_recent}, &hooks);
  ASSERT_EQ(r.outcome, HashOutcome::hashed) << r.message;
  EXPECT_EQ(r.file.sha256, Sha256::of(std::string(200000, 'c')));
  EXPECT_EQ(cold, 1);
  hooks.probe_cache = false;  // no probe, so nothing to learn
  cold = 0;
  r = hash(fs, dir, "f", {.racy_after_ns = k_every_file_is_recent}, &hooks);
  ASSERT_EQ(r.outcome, HashOutcome::hashed) << r.message;
  EXPECT_EQ(cold, 0);
}

TEST(HashFile, ColdHookFiresWhenOnlyPartOfTheFileIsCached) {
  TempDir dir;
  dir.write("f", std::string(10000, 'c'));
  FaultFileSystem fs;
  int served = 0;
  fs.on_read = [&](int fd, void* buf, size_t size) -> std::optional<long> {
    if (served++ != 0) return std::nullopt;
    // The probe finds only the first page cached.
    const long n = ::read(fd, buf, std::min<size_t>(size, 4096));
    return n < 0 ? -errno : n;
  };
  int cold = 0;
  HashHooks hooks;
  hooks.probe_cache = true;
  hooks.cold = [&] { ++cold; };
  const HashResult r = hash(fs, dir, "f", {.racy_after_ns = k_every_file_is_old}, &hooks);
  ASSERT_EQ(r.outcome, HashOutcome::hashed) << r.message;
  EXPECT_EQ(r.file.sha256, Sha256::of(std::string(10000, 'c')));
  EXPECT_EQ(cold, 1);
}

TEST(HashFile, BigHookFiresForBigFilesOnly) {
  TempDir dir;
  dir.write("big", std::string(FileHasher::k_big_file, 'B'));
  dir.write("almost", std::string(FileHasher::k_big_file - 1, 'A'));
  dir.write("small", "s");
  RealFileSystem fs;
  for (const auto& [name, expect] : {std::pair<std::string, int>{"big", 1}, {"almost", 0}, {"small", 0}}) {
    int big = 0;
    HashHooks hooks;
    hooks.big = [&] { ++big; };
    const HashResult r = hash(fs, dir, name, {.racy_after_ns = k_every_file_is_recent}, &hooks);
    ASSERT_EQ(r.outcome, HashOutcome::hashed) << r.message;
    EXPECT_EQ(big, expect) << name;
  }
}

TEST(HashFile, ReadHookCountsTheFirstPassOnly) {
  TempDir dir;
  const std::string content(300001, 'r');
  dir.write("f", content);
  FaultFileSystem fs;
  int reads = 0;
  fs.after_read = [&](int, long) { ++reads; };
  uint64_t reported = 0;
  int calls = 0;
  HashHooks hooks;
  hooks.read = [&](uint64_t n) {
    reported += n;
    ++calls;
  };
  const HashResult r = hash(fs, dir, "f", {.racy_after_ns = k_every_file_is_recent}, &hooks);
  ASSERT_EQ(r.outcome, HashOutcome::hashed) << r.message;
  EXPECT_EQ(reads, 6);  // three reads a pass, two passes
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(reported, content.size());  // progress counts each byte once
}

// hash_all takes a batch two files at a time where the CPU has SHA-256 instructions: every file's result must be what hash()
// gives for it alone, whatever sizes meet in the two lanes (empty, under a block, exact blocks, several read buffers,
// big), and for files that fail, are recent (read twice) or are filtered.
TEST(HashFile, HashAllGivesEachFileWhatHashGivesIt) {
  TempDir dir;
  std::vector<std::string> names;
  std::vector<std::string> contents;
  const size_t sizes[] = {0,      1,      55,     56,     63,      64,      65,      127,    128,    1000,
                          4096,   65536,  131071, 131072, 131073,  300000,  5 << 20, 3,      262144, 17,
                          999999, 2,      64 * 3, 7,      1 << 20, 1 << 18, 12345,   (5 << 20) + 1};
  for (size_t i = 0; i < std::size(sizes); ++i) {
    std::string c(sizes[i], '\0');
    for (size_t k = 0; k < c.size(); ++k) c[k] = static_cast<char>((k * 131 + i * 7) & 0xff);
    names.push_back("f" + std::to_string(i));
    contents.push_back(c);
    dir.write(names.back(), c);
  }
  // Every other file changed later (chmod sets its ctime), and a racy line between the two groups: then a recent
  // file is read a second time while an older one in the other lane still has bytes waiting in its buffer.
  int64_t older_max = 0;
  int64_t newer_min = INT64_MAX;
  for (size_t i = 0; i < names.size(); i += 2) older_max = std::max(older_max, ctime_ns(stat_of(dir / names[i])));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // past the file system's timestamp granularity
  for (size_t i = 1; i < names.size(); i += 2) {
    ASSERT_EQ(::chmod((dir / names[i]).c_str(), 0600), 0);
    newer_min = std::min(newer_min, ctime_ns(stat_of(dir / names[i])));
  }
  ASSERT_GT(newer_min, older_max);
  ::mkfifo((dir / "fifo").c_str(), 0644);
  names.push_back("fifo");
  RealFileSystem fs;
  for (const int64_t racy : {k_every_file_is_recent, k_every_file_is_old, newer_min}) {
    SCOPED_TRACE(racy == newer_min ? "every other file recent" : racy == k_every_file_is_old ? "all old" : "all recent");
    const HashPolicy policy{.racy_after_ns = racy};
    std::vector<HashResult> alone;
    for (const std::string& n : names) alone.push_back(hash(fs, dir, n, policy));
    std::vector<std::unique_ptr<OpenFile>> open;
    for (const std::string& n : names) open.push_back(std::make_unique<OpenFile>(fs, dir, n));
    FileHasher hasher;
    size_t next = 0;
    std::vector<std::optional<HashResult>> together(names.size());
    std::vector<size_t> order;
    hasher.hash_all(
        fs, policy,
        [&]() -> std::optional<HashJob> {
          if (next == names.size()) return std::nullopt;
          const HashJob j{open[next]->fd(), next};
          ++next;
          return j;
        },
        [&](size_t tag, HashResult r) {
          together[tag] = std::move(r);
          order.push_back(tag);
        });
    ASSERT_EQ(order.size(), names.size());
    for (size_t i = 0; i < names.size(); ++i) {
      ASSERT_TRUE(together[i]) << names[i];
      EXPECT_EQ(together[i]->outcome, alone[i].outcome) << names[i];
      EXPECT_EQ(together[i]->file.sha256, alone[i].file.sha256) << names[i];
      EXPECT_EQ(together[i]->file.size, alone[i].file.size) << names[i];
      if (i < contents.size()) {
        EXPECT_EQ(together[i]->file.sha256, Sha256::of(contents[i])) << names[i];
      }
    }
    EXPECT_EQ(together.back()->outcome, HashOutcome::not_regular);
    if (hasher.pairs_files()) {
      // Files end out of order when they share the lanes: the small one after the big 5 MiB file ends first.
      EXPECT_NE(order, [&] {
        std::vector<size_t> v(names.size());
        for (size_t i = 0; i < v.size(); ++i) v[i] = i;
        return v;
      }());
    }
  }
}

// stops when there is no more, without losing the files it already started.
TEST(HashFile, HashAllFinishesWhatItStartedWhenTheBatchShrinks) {
  TempDir dir;
  for (int i = 0; i < 6; ++i) dir.write("f" + std::to_string(i), std::string(1000 + i, 'x'));
  RealFileSystem fs;
  std::vector<std::unique_ptr<OpenFile>> open;
  for (int i = 0; i < 6; ++i) open.push_back(std::make_unique<OpenFile>(fs, dir, "f" + std::to_string(i)));
  FileHasher hasher;
  size_t next = 0, limit = 6;
  std::vector<size_t> done;
  hasher.hash_all(
      fs, {.racy_after_ns = k_every_file_is_old},
      [&]() -> std::optional<HashJob> {
        if (next >= limit) return std::nullopt;
        const HashJob j{open[next]->fd(), next};
        ++next;
        limit = 3;  // after the first file, the rest of the batch went elsewhere but for two more
        return j;
      },
      [&](size_t tag, HashResult r) {
        EXPECT_EQ(r.outcome, HashOutcome::hashed);
        EXPECT_EQ(r.file.sha256, Sha256::of(std::string(1000 + tag, 'x')));
        done.push_back(tag);
      });
  std::sort(done.begin(), done.end());
  EXPECT_EQ(done, (std::vector<size_t>{0, 1, 2}));
}

// While one lane holds a big file, the free lane keeps asking: files that turn up only after `next` first said there
// were none (another batch, work another thread listed meanwhile) are hashed next to the big one, not after it.
TEST(HashFile, HashAllRefillsTheFreeLaneWhileTheOtherStillHashes) {
  TempDir dir;
  const size_t big_size = (5 << 20) + 3;
  std::string big(big_size, '\0');
  for (size_t k = 0; k < big.size(); ++k) big[k] = static_cast<char>((k * 7 + 1) & 0xff);
  dir.write("big", big);
  constexpr size_t k_small = 40;
  for (size_t i = 0; i < k_small; ++i) dir.write("s" + std::to_string(i), std::string(i * 997 % 70000, static_cast<char>('a' + i % 26)));
  RealFileSystem fs;
  std::vector<std::string> names{"big"};
  for (size_t i = 0; i < k_small; ++i) names.push_back("s" + std::to_string(i));
  std::vector<std::unique_ptr<OpenFile>> open;
  for (const std::string& n : names) open.push_back(std::make_unique<OpenFile>(fs, dir, n));
  FileHasher hasher;
  size_t next = 0, asked = 0;
  std::vector<std::optional<HashResult>> results(names.size());
  std::vector<size_t> order;
  hasher.hash_all(
      fs, {.racy_after_ns = k_every_file_is_old},
      [&]() -> std::optional<HashJob> {
        ++asked;
        // The big file first; then nothing for the next three asks, then the small files.
        if (next == names.size() || (next > 0 && asked < 5)) return std::nullopt;
        const HashJob j{open[next]->fd(), next};
        ++next;
        return j;
      },
      [&](size_t tag, HashResult r) {
        results[tag] = std::move(r);
        order.push_back(tag);
      });
  ASSERT_EQ(order.size(), names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    ASSERT_TRUE(results[i]) << names[i];
    ASSERT_EQ(results[i]->outcome, HashOutcome::hashed) << names[i];
    EXPECT_EQ(to_hex(results[i]->file.sha256), testing::sha256sum(dir / names[i])) << names[i];
  }
  if (hasher.pairs_files()) {
    EXPECT_EQ(order.back(), 0u) << "the small files waited for the big one";
  }
}

// A file changed recently is read a second time when its first pass ends; the other lane may still hold bytes read
// but not yet hashed, and they must survive that second read (a recent 200 KB file next to an old 300 KB one).
TEST(HashFile, SecondReadInOneLaneLeavesTheOtherLanesBytesAlone) {
  TempDir dir;
  const std::string old_text = [] {
    std::string t(300000, '\0');
    for (size_t k = 0; k < t.size(); ++k) t[k] = static_cast<char>((k * 13 + 5) & 0xff);
    return t;
  }();
  dir.write("old", old_text);
  dir.write("recent", std::string(200000, 'r'));
  testing::FaultFileSystem fs;
  OpenFile old_file(fs, dir, "old");
  OpenFile recent_file(fs, dir, "recent");
  // Files made by the test are all new: the policy's line is an hour from now, and "recent" claims a ctime after it.
  const int64_t line = (static_cast<int64_t>(std::time(nullptr)) + 3600) * 1'000'000'000;
  fs.after_fstat = [&](int fd, struct stat* st) {
    if (fd == recent_file.fd()) st->st_ctim = {std::time(nullptr) + 7200, 0};
  };
  FileHasher hasher;
  const HashJob jobs[] = {{old_file.fd(), 0}, {recent_file.fd(), 1}};
  size_t next = 0;
  std::optional<HashResult> results[2];
  hasher.hash_all(
      fs, {.racy_after_ns = line},
      [&]() -> std::optional<HashJob> {
        if (next == 2) return std::nullopt;
        return jobs[next++];
      },
      [&](size_t tag, HashResult r) { results[tag] = std::move(r); });
  ASSERT_TRUE(results[0] && results[1]);
  ASSERT_EQ(results[0]->outcome, HashOutcome::hashed) << results[0]->message;
  ASSERT_EQ(results[1]->outcome, HashOutcome::hashed) << results[1]->message;
  EXPECT_EQ(to_hex(results[0]->file.sha256), testing::sha256sum(dir / "old"));
  EXPECT_EQ(to_hex(results[1]->file.sha256), testing::sha256sum(dir / "recent"));
}

}  // namespace
}  // namespace treeprint
