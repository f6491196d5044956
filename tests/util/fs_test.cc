#include "util/fs.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/magic.h>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_support.h"

namespace treeprint {
namespace {

using testing::TempDir;

TEST(RealFileSystem, OpeningAFifoNeverBlocks) {
  TempDir dir;
  ASSERT_EQ(mkfifo((dir / "fifo").c_str(), 0644), 0);
  RealFileSystem fs;
  const int d = fs.open_dir(AT_FDCWD, dir.path().c_str(), true);
  ASSERT_GE(d, 0);
  const int fd = fs.open_file(d, "fifo", false);  // O_NONBLOCK: returns at once, with no writer
  ASSERT_GE(fd, 0);
  struct stat st {};
  ASSERT_EQ(fs.fstat(fd, &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  fs.close(fd);
  fs.close(d);
}

TEST(RealFileSystem, SymlinksAreNotFollowedUnlessAsked) {
  TempDir dir;
  dir.write("real/f", "x");
  dir.symlink("real", "link-dir");
  dir.symlink("real/f", "link-file");
  RealFileSystem fs;
  const int d = fs.open_dir(AT_FDCWD, dir.path().c_str(), true);
  EXPECT_EQ(fs.open_dir(d, "link-dir", false), -ENOTDIR);  // O_DIRECTORY | O_NOFOLLOW on a link
  EXPECT_EQ(fs.open_file(d, "link-file", false), -ELOOP);
  const int fd = fs.open_file(d, "link-file", true);
  ASSERT_GE(fd, 0);
  char where[4096];
  const long n = fs.fd_path(fd, where, sizeof where);
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(where, static_cast<size_t>(n)).substr(static_cast<size_t>(n) - 7), "/real/f");
  fs.close(fd);
  char target[64];
  EXPECT_EQ(fs.read_link(d, "link-dir", target, sizeof target), 4);
  EXPECT_EQ(std::string(target, 4), "real");
  fs.close(d);
}

TEST(RealFileSystem, ReadCachedThenReadAndRewind) {
  TempDir dir;
  dir.write("f", "hello world");
  RealFileSystem fs;
  const int d = fs.open_dir(AT_FDCWD, dir.path().c_str(), true);
  const int fd = fs.open_file(d, "f", false);
  char buf[64];
  // Just written, so in the page cache: the RWF_NOWAIT read is served where the filesystem supports it, as ext4 and
  // XFS do (overlayfs, as in container builds, answers EAGAIN: "not cached" is always a safe answer).
  const long cached = fs.read_cached(fd, buf, 5);
  struct statfs where {};
  ASSERT_EQ(fstatfs(fd, &where), 0);
  if (where.f_type == EXT4_SUPER_MAGIC || where.f_type == XFS_SUPER_MAGIC) {
    ASSERT_EQ(cached, 5) << "a cached file on ext4 or XFS must be served without blocking";
  } else {
    ASSERT_TRUE(cached == 5 || cached == -EAGAIN) << cached;
  }
  const long offset = cached == 5 ? 5 : 0;
  EXPECT_EQ(fs.read(fd, buf + offset, sizeof buf - offset), 11 - offset);
  EXPECT_EQ(std::string(buf, 11), "hello world");
  EXPECT_EQ(fs.rewind(fd), 0);
  EXPECT_EQ(fs.read(fd, buf, sizeof buf), 11);
  fs.close(fd);
  fs.close(d);
}

TEST(RealFileSystem, OpenFileLimitIsRaisedToTheHardLimit) {
  struct rlimit saved {};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &saved), 0);
  if (saved.rlim_max <= 64) GTEST_SKIP() << "hard limit " << saved.rlim_max << " leaves no room to lower the soft one";
  // Lower the soft limit first, so that only raise_open_file_limit can bring it back up.
  struct rlimit lowered = saved;
  lowered.rlim_cur = 64;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &lowered), 0);
  const uint64_t reported = raise_open_file_limit();
  struct rlimit now {};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &now), 0);
  setrlimit(RLIMIT_NOFILE, &saved);
  EXPECT_EQ(now.rlim_cur, saved.rlim_max);
  EXPECT_EQ(reported, saved.rlim_max == RLIM_INFINITY ? uint64_t{1} << 20 : static_cast<uint64_t>(saved.rlim_max));
}

}  // namespace
}  // namespace treeprint
