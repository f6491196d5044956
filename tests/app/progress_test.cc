#include "app/progress.h"

#include <gtest/gtest.h>

namespace treeprint {
namespace {

TEST(Progress, LineWithoutAndWithTotal) {
  WalkProgress p;
  p.files_found = 1000;
  p.files_done = 250;
  p.bytes_done = 50'000'000;
  p.dirs_pending = 3;  // still listing: no total, no ETA
  EXPECT_EQ(progress_line(p, 2.0), "treeprint: 250 files, 50.0 MB, 125 files/s, 25.0 MB/s");
  p.dirs_pending = 0;
  EXPECT_EQ(progress_line(p, 2.0), "treeprint: 250/1,000 files, 50.0 MB, 125 files/s, 25.0 MB/s, ETA 6 s");
}

}  // namespace
}  // namespace treeprint
