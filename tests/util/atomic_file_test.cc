#include "util/atomic_file.h"

#include <dirent.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

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

// patch() rewrites bytes already written, whether they are still buffered or on disk; a range past the end, or a
// device written in place, is a failed write that commit() reports.
TEST(AtomicFile, PatchRewritesWrittenBytesInPlace) {
  TempDir dir;
  auto f = AtomicFile::create(dir / "out.json");
  ASSERT_TRUE(testing::succeeds(f));
  const std::string big(3 << 20, 'x');  // more than the buffer: the head is on disk, the tail still buffered
  (*f)->write("head:....;");
  (*f)->write(big);
  (*f)->write("tail:....;");
  (*f)->patch(5, "HEAD");
  (*f)->patch(10 + big.size() + 5, "TAIL");
  (*f)->patch(8, "d.");  // over part of the first patch
  ASSERT_TRUE(testing::succeeds((*f)->commit()));
  const std::string got = testing::read_file(dir / "out.json");
  EXPECT_EQ(got, "head:HEAd." + big + "tail:TAIL;");

  auto g = AtomicFile::create(dir / "past.json");
  ASSERT_TRUE(testing::succeeds(g));
  (*g)->write("short");
  (*g)->patch(3, "long");
  EXPECT_EQ((*g)->commit().error(), "writing '" + (dir / "past.json") + "' failed: Invalid argument");
  EXPECT_FALSE(std::filesystem::exists(dir / "past.json"));

  auto d = AtomicFile::create("/dev/null");
  ASSERT_TRUE(testing::succeeds(d));
  EXPECT_FALSE((*d)->is_regular_file());
  (*d)->write("x");
  (*d)->patch(0, "y");
  EXPECT_FALSE((*d)->commit());
}

// A patch of bytes already on disk goes through the filesystem's pwrite, and its failure is the commit's.
TEST(AtomicFile, AFailedPatchFailsTheCommit) {
  TempDir dir;
  dir.write("out.json", "old");
  testing::FaultFileSystem fs;
  bool fail = false;
  fs.on_write = [&](int, size_t, uint64_t) -> std::optional<long> {
    if (fail) return -EIO;
    return std::nullopt;
  };
  AtomicFileOptions options;
  options.fs = &fs;
  auto f = AtomicFile::create(dir / "out.json", options);
  ASSERT_TRUE(testing::succeeds(f));
  (*f)->write(std::string(1 << 20, 'x'));
  fail = true;
  (*f)->patch(0, "y");
  fail = false;
  EXPECT_EQ((*f)->commit().error(), "writing '" + (dir / "out.json") + "' failed: Input/output error");
  EXPECT_EQ(testing::read_file(dir / "out.json"), "old");
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
