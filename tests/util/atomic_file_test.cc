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

}  // namespace
}  // namespace treeprint
