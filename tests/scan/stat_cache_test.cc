#include "scan/stat_cache.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <ctime>

#include "app/scan_command.h"
#include "manifest/json_writer.h"
#include "manifest/manifest.h"
#include "scan/walk.h"
#include "test_support.h"
#include "util/format.h"
#include "util/sha256.h"

namespace treeprint {
namespace {

using testing::FaultFileSystem;
using ::testing::HasSubstr;
using testing::TempDir;

int64_t now_ns() {
  struct timespec t {};
  clock_gettime(CLOCK_REALTIME, &t);
  return static_cast<int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
}

std::string render(const Manifest& m) {
  std::string out;
  write_manifest_json(m, root_digest(m), "t", [&](std::string_view s) { out.append(s); });
  return out;
}

// Scans `root` the way `scan --baseline` does; writes MANIFEST and MANIFEST.stat into `out_dir` as `name`.
// `racy_after_ns` stands for the time the scan started: files changed after it are never trusted later.
struct ScanRun {
  std::string text;
  int opened = 0;
};
ScanRun scan_with_baseline(const std::string& root, const TempDir& out, const std::string& name,
                           const StatCache* baseline, int64_t racy_after_ns) {
  FaultFileSystem fs;
  ScanRun run;
  fs.on_open_file = [&](const char*) -> std::optional<int> {
    ++run.opened;
    return std::nullopt;
  };
  WalkOptions o;
  o.threads = 2;
  StatHeader header;
  header.racy_after_ns = racy_after_ns;
  o.root_dev = &header.root_dev;
  if (baseline != nullptr) o.stat_cache = [&] { return baseline; };
  Manifest m;
  const Status walked = walk_tree(fs, root, o, &m);
  EXPECT_TRUE(walked) << walked.error();
  run.text = render(m);
  out.write(name, run.text);
  out.write(name + ".stat", encode_stat_file(root_digest(m), header, m));
  return run;
}

TEST(StatCache, UnchangedFilesAreNotReadAndTheResultIsIdentical) {
  TempDir tree, out;
  for (int i = 0; i < 50; ++i)
    tree.write("d" + std::to_string(i % 5) + "/f" + std::to_string(i), "content " + std::to_string(i));
  // The first scan "happened" an hour from now: every file is older than it, so every digest may be reused.
  const ScanRun first = scan_with_baseline(tree.path(), out, "m.json", nullptr, now_ns() + 3600'000'000'000);
  EXPECT_EQ(first.opened, 50);
  LoadedStatCache loaded = load_stat_cache(out / "m.json");
  auto& baseline = loaded.cache;
  ASSERT_NE(baseline, nullptr) << loaded.note;
  EXPECT_FALSE(loaded.warning);
  EXPECT_EQ(baseline->size(), 50u);
  const ScanRun second = scan_with_baseline(tree.path(), out, "m2.json", baseline.get(), now_ns());
  EXPECT_EQ(second.opened, 0);
  EXPECT_EQ(second.text, first.text);
}

TEST(StatCache, ChangesThatKeepSizeAndMtimeAreStillCaught) {
  TempDir tree, out;
  tree.write("a", "aaaa");
  tree.write("b", "bbbb");
  scan_with_baseline(tree.path(), out, "m.json", nullptr, now_ns() + 3600'000'000'000);
  // Rewrite "a" with other bytes of the same size and put its mtime back: only ctime (and git's rule) can tell.
  struct stat before {};
  ASSERT_EQ(::stat((tree / "a").c_str(), &before), 0);
  tree.write("a", "AAAA");
  const struct timespec times[2] = {before.st_atim, before.st_mtim};
  ASSERT_EQ(::utimensat(AT_FDCWD, (tree / "a").c_str(), times, 0), 0);
  LoadedStatCache loaded = load_stat_cache(out / "m.json");
  auto& baseline = loaded.cache;
  ASSERT_NE(baseline, nullptr) << loaded.note;
  const ScanRun second = scan_with_baseline(tree.path(), out, "m2.json", baseline.get(), now_ns());
  EXPECT_EQ(second.opened, 1);
  EXPECT_EQ(second.text, scan_with_baseline(tree.path(), out, "full.json", nullptr, now_ns()).text);
  EXPECT_THAT(second.text, HasSubstr(to_hex(Sha256::of("AAAA"))));
}

TEST(StatCache, FilesChangedAroundTheEarlierScanAreNotTrusted) {
  TempDir tree, out;
  tree.write("a", "aaaa");
  // The earlier scan started before the file's last change (racy): its digest must not be reused.
  scan_with_baseline(tree.path(), out, "m.json", nullptr, now_ns() - 3600'000'000'000);
  LoadedStatCache loaded = load_stat_cache(out / "m.json");
  auto& baseline = loaded.cache;
  ASSERT_NE(baseline, nullptr);
  EXPECT_EQ(scan_with_baseline(tree.path(), out, "m2.json", baseline.get(), now_ns()).opened, 1);
}

TEST(StatCache, MissingOrMismatchedSidecarsAreIgnoredWithAReason) {
  TempDir tree, out;
  tree.write("a", "aaaa");
  LoadedStatCache loaded = load_stat_cache(out / "none.json");
  EXPECT_EQ(loaded.cache, nullptr);
  EXPECT_FALSE(loaded.warning);
  EXPECT_THAT(loaded.note, HasSubstr("no baseline at"));

  scan_with_baseline(tree.path(), out, "m.json", nullptr, now_ns());
  tree.write("b", "bbbb");
  scan_with_baseline(tree.path(), out, "other.json", nullptr, now_ns());
  // m.json with other.json's sidecar: bound to another root digest.
  out.write("m.json.stat", testing::read_file(out / "other.json.stat"));
  loaded = load_stat_cache(out / "m.json");
  EXPECT_EQ(loaded.cache, nullptr);
  EXPECT_TRUE(loaded.warning);
  EXPECT_THAT(loaded.note, HasSubstr("belongs to another manifest"));

  std::string damaged = testing::read_file(out / "other.json.stat");
  damaged[damaged.size() / 2] ^= 1;
  out.write("other.json.stat", damaged);
  loaded = load_stat_cache(out / "other.json");
  EXPECT_EQ(loaded.cache, nullptr);
  EXPECT_THAT(loaded.note, HasSubstr("checksum is wrong"));

  ASSERT_EQ(::unlink((out / "other.json.stat").c_str()), 0);
  loaded = load_stat_cache(out / "other.json");
  EXPECT_EQ(loaded.cache, nullptr);
  EXPECT_THAT(loaded.note, HasSubstr("cannot open"));

  out.write("bad.json", "{}");
  loaded = load_stat_cache(out / "bad.json");
  EXPECT_EQ(loaded.cache, nullptr);
  EXPECT_TRUE(loaded.warning);
  EXPECT_THAT(loaded.note, HasSubstr("ignoring the baseline"));
}

}  // namespace
}  // namespace treeprint
