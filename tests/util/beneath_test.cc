#include "util/beneath.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "test_support.h"

namespace treeprint {
namespace {

using testing::TempDir;

// Every case runs both ways: openat2 where the kernel has it, and the component-by-component walk.
class Beneath : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    force_resolve_walk(GetParam());
    m_dir.write("outside/secret", "s");
    m_dir.write("ws/sub/file", "f");
    m_dir.symlink("../../outside", "ws/sub/escape");
    m_dir.symlink("/etc", "ws/absolute");
    m_dir.symlink("sub", "ws/inside");
    m_dir.symlink("sub/../sub/file", "ws/file-link");
    m_dir.symlink("loop", "ws/loop");
    m_ws = ::open((m_dir / "ws").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ASSERT_GE(m_ws, 0);
  }
  void TearDown() override {
    ::close(m_ws);
    force_resolve_walk(false);
  }
  int open(const std::string& path, Resolve how = Resolve::beneath, int flags = O_RDONLY) {
    const int fd = open_resolved(m_ws, path, flags, how);
    if (fd >= 0) ::close(fd);
    return fd < 0 ? fd : 0;
  }
  TempDir m_dir;
  int m_ws = -1;
};

TEST_P(Beneath, InsideIsFine) {
  EXPECT_EQ(open("sub/file"), 0);
  EXPECT_EQ(open("./sub/../sub/file"), 0);
  EXPECT_EQ(open("inside/file"), 0);
  EXPECT_EQ(open("file-link"), 0);
  EXPECT_EQ(open(""), 0);
  EXPECT_EQ(open("sub/.."), 0);
  EXPECT_EQ(open("missing"), -ENOENT);
}

TEST_P(Beneath, NothingLeadsOut) {
  EXPECT_EQ(open(".."), -EXDEV);
  EXPECT_EQ(open("../outside/secret"), -EXDEV);
  EXPECT_EQ(open("sub/../../outside/secret"), -EXDEV);
  EXPECT_EQ(open("sub/escape/secret"), -EXDEV);
  EXPECT_EQ(open("absolute/passwd"), -EXDEV);
  EXPECT_EQ(open(m_dir / "outside/secret"), -EXDEV);
  EXPECT_EQ(open("loop"), -ELOOP);
  EXPECT_EQ(open("file-link", Resolve::beneath, O_RDONLY | O_NOFOLLOW), -ELOOP);  // not followed when asked
}

TEST_P(Beneath, InRootClampsAtTheRoot) {
  EXPECT_EQ(open("../../sub/file", Resolve::in_root), 0);  // `..` stops at the root
  EXPECT_EQ(open("/sub/file", Resolve::in_root), 0);
  EXPECT_EQ(open("absolute/passwd", Resolve::in_root), -ENOENT);  // /etc inside the root, which has none
}

TEST_P(Beneath, MagicLinksAreNotFollowed) {
  const int proc = ::open("/proc/self", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (proc < 0) GTEST_SKIP() << "no /proc";
  const int fd = open_resolved(proc, "cwd", O_RDONLY | O_DIRECTORY, Resolve::in_root);
  EXPECT_LT(fd, 0);
  if (fd >= 0) ::close(fd);
  ::close(proc);
}

TEST_P(Beneath, CreatesMissingDirectoriesOneAtATimeAndNeverThroughASymlink) {
  std::vector<std::string> created;
  const auto note = [&](int fd, const std::string& path) {
    struct stat st {};
    EXPECT_EQ(::fstat(fd, &st), 0);
    EXPECT_TRUE(S_ISDIR(st.st_mode));
    created.push_back(path);
  };
  int fd = open_dir_creating(m_ws, "a/b/c", Resolve::beneath, note);
  ASSERT_GE(fd, 0);
  ::close(fd);
  EXPECT_EQ(created, (std::vector<std::string>{"a", "a/b", "a/b/c"}));
  created.clear();
  fd = open_dir_creating(m_ws, "a/b", Resolve::beneath, note);  // there already: nothing created
  ASSERT_GE(fd, 0);
  ::close(fd);
  EXPECT_TRUE(created.empty());
  EXPECT_EQ(open_dir_creating(m_ws, "sub/escape/new", Resolve::beneath, note), -EXDEV);
  EXPECT_EQ(open_dir_creating(m_ws, "../made-outside", Resolve::beneath, note), -EXDEV);
  m_dir.symlink("nowhere", "ws/dangling");
  EXPECT_LT(open_dir_creating(m_ws, "dangling/x", Resolve::beneath, note), 0);
  struct stat st {};
  EXPECT_NE(::lstat((m_dir / "ws/nowhere").c_str(), &st), 0);  // the dangling link was not followed
  EXPECT_NE(::lstat((m_dir / "made-outside").c_str(), &st), 0);
  EXPECT_NE(::lstat((m_dir / "outside/new").c_str(), &st), 0);
  EXPECT_TRUE(created.empty());
}

INSTANTIATE_TEST_SUITE_P(BothWays, Beneath, ::testing::Values(false, true),
                         [](const auto& p) { return p.param ? "walk" : "openat2"; });

}  // namespace
}  // namespace treeprint
