#include "util/atomic_file.h"

#include <dirent.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "test_support.h"

namespace treeprint {
namespace {

using testing::TempDir;

size_t entries_in(const std::string& dir) {
  size_t n = 0;
  DIR* d = opendir(dir.c_str());
  while (dirent* e = readdir(d)) n += e->d_name[0] != '.' || (e->d_name[1] != '\0' && e->d_name[1] != '.');
  closedir(d);
  return n;
}

TEST(AtomicFile, CommitReplacesWhole) {
  TempDir dir;
  dir.write("out.json", "old");
  auto f = AtomicFile::create(dir / "out.json");
  ASSERT_TRUE(testing::succeeds(f));
  (*f)->write("new ");
  (*f)->write(std::string(3 << 20, 'x'));                  // more than the buffer
  EXPECT_EQ(testing::read_file(dir / "out.json"), "old");  // untouched until commit
  ASSERT_TRUE(testing::succeeds((*f)->commit()));
  EXPECT_EQ(testing::read_file(dir / "out.json").size(), 4u + (3u << 20));
  EXPECT_EQ(entries_in(dir.path()), 1u);
}

TEST(AtomicFile, AbandonedWriteLeavesTheOldFileAndNoTemporary) {
  TempDir dir;
  dir.write("out.json", "old");
  {
    auto f = AtomicFile::create(dir / "out.json");
    ASSERT_TRUE(f);
    (*f)->write("half");
  }
  EXPECT_EQ(testing::read_file(dir / "out.json"), "old");
  EXPECT_EQ(entries_in(dir.path()), 1u);
}

TEST(AtomicFile, UnwritablePathsAreClearErrors) {
  TempDir dir;
  EXPECT_EQ(AtomicFile::create(dir / "missing/out.json").error(), "cannot write '" + (dir / "missing/out.json") +
                                                                      "': directory '" + (dir / "missing") +
                                                                      "': No such file or directory");
  dir.mkdir("sub");
  EXPECT_EQ(AtomicFile::create(dir / "sub").error(),
            "output path '" + (dir / "sub") + "' is a directory; give a file name");
}

TEST(AtomicFile, DeviceIsWrittenInPlace) {
  auto f = AtomicFile::create("/dev/null");
  ASSERT_TRUE(testing::succeeds(f));
  (*f)->write("discarded");
  ASSERT_TRUE(testing::succeeds((*f)->commit()));
  struct stat st {};
  ASSERT_EQ(stat("/dev/null", &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));  // still the device, not replaced by a regular file
}

// The disk fills up half-way through: commit says so, the old file is still there whole, no temporary is left.
TEST(AtomicFile, NoSpaceHalfWayKeepsTheOldFileWhole) {
  TempDir dir;
  dir.write("out.json", "old");
  testing::FaultFileSystem fs;
  fs.on_write = [](int, size_t, uint64_t written) -> std::optional<long> {
    if (written >= (512u << 10)) return -ENOSPC;
    return std::nullopt;
  };
  AtomicFileOptions options;
  options.fs = &fs;
  {
    auto f = AtomicFile::create(dir / "out.json", options);
    ASSERT_TRUE(testing::succeeds(f));
    (*f)->write(std::string(3 << 20, 'x'));
    const Status committed = (*f)->commit();
    EXPECT_EQ(committed.error(), "writing '" + (dir / "out.json") + "' failed: No space left on device");
    EXPECT_EQ(fs.written, 512u << 10);  // real bytes went to the temporary file before the disk was full
    EXPECT_EQ(entries_in(dir.path()), 2u);
  }
  EXPECT_EQ(testing::read_file(dir / "out.json"), "old");
  EXPECT_EQ(entries_in(dir.path()), 1u);
}

// The rename that publishes the file fails: the old file stays, and the finished temporary is removed.
TEST(AtomicFile, AFailedRenameKeepsTheOldFile) {
  TempDir dir;
  dir.write("out.json", "old");
  testing::FaultFileSystem fs;
  int renames = 0;
  fs.on_rename = [&](const char*, const char* to) -> std::optional<int> {
    ++renames;
    EXPECT_STREQ(to, "out.json");
    return -EIO;
  };
  AtomicFileOptions options;
  options.fs = &fs;
  {
    auto f = AtomicFile::create(dir / "out.json", options);
    ASSERT_TRUE(testing::succeeds(f));
    (*f)->write("new");
    EXPECT_EQ((*f)->commit().error(),
              "cannot move the finished file into place at '" + (dir / "out.json") + "': Input/output error");
  }
  EXPECT_EQ(renames, 1);
  EXPECT_EQ(testing::read_file(dir / "out.json"), "old");
  EXPECT_EQ(entries_in(dir.path()), 1u);
}

}  // namespace
}  // namespace treeprint
