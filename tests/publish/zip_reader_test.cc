#include "publish/zip_reader.h"

#include <gtest/gtest.h>

#include <random>

#include "publish/github_api.h"
#include "publish/zip_fixture.h"
#include "util/format.h"

namespace treeprint {
namespace {

using testing::make_zip;

TEST(ZipReader, ReadsTheNamedFile) {
  const std::string zip = make_zip({{"other.txt", "no"}, {"manifest.json", "{\"files\":[]}\n"}, {"dir/x", "y"}});
  auto r = read_zip_entry(zip, "manifest.json");
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(*r, "{\"files\":[]}\n");
  auto nested = read_zip_entry(zip, "dir/x");
  ASSERT_TRUE(nested) << nested.error();
  EXPECT_EQ(*nested, "y");
}

// read_zip_entry_to hands the entry over in pieces, each checked against the limits before the sink sees it; a
// sink's failure is the result.
TEST(ZipReader, AnEntryIsHandedOverInPieces) {
  std::string content;
  for (int i = 0; i < 40000; ++i) content += "line " + std::to_string(i * 7919 % 100003) + "\n";
  const std::string zip = make_zip({{"m", content}});
  std::string joined;
  size_t pieces = 0;
  ASSERT_TRUE(read_zip_entry_to(zip, "m", ZipLimits{}, [&](std::string_view piece) {
    ++pieces;
    joined.append(piece);
    return ok_status();
  }));
  EXPECT_EQ(joined, content);
  EXPECT_GT(pieces, 1u);

  ZipLimits small;
  small.max_size = 100'000;
  uint64_t handed = 0;
  const Status big = read_zip_entry_to(zip, "m", small, [&](std::string_view piece) {
    handed += piece.size();
    return ok_status();
  });
  ASSERT_FALSE(big);
  EXPECT_NE(big.error().find("more than the limit of 100000"), std::string::npos) << big.error();
  EXPECT_LE(handed, small.max_size);  // nothing past the limit reached the sink

  const Status refused =
      read_zip_entry_to(zip, "m", ZipLimits{}, [](std::string_view) { return Status::failure("disk full"); });
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error(), "disk full");
}

TEST(ZipReader, MissingFileAndGarbageAreErrors) {
  auto missing = read_zip_entry(make_zip({{"a", "1"}}), "manifest.json");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error(), "'manifest.json' in the zip: no such file");
  auto garbage = read_zip_entry("this is not a zip archive", "manifest.json");
  ASSERT_FALSE(garbage);
  EXPECT_EQ(garbage.error(), "not a zip archive (25 bytes)");
}

TEST(ZipReader, UnsafeNamesRefuseTheWholeArchive) {
  for (const std::string bad : {"../escape", "a/../../escape", "/etc/passwd", "C:/x", "a\\..\\b"}) {
    auto r = read_zip_entry(make_zip({{"manifest.json", "ok"}, {bad, "evil"}}), "manifest.json");
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error(), "the zip holds an unsafe name '" + printable(bad) + "'; refusing the archive");
  }
  EXPECT_TRUE(is_safe_zip_name("a/b..c/..d"));
  EXPECT_FALSE(is_safe_zip_name(""));
}

TEST(ZipReader, SizeAndRatioBombsAreRefused) {
  ZipLimits limits;
  limits.max_size = 1000;
  auto big = read_zip_entry(make_zip({{"m", std::string(2000, 'a')}}), "m", limits);
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error(), "'m' in the zip is 2000 bytes uncompressed, more than the limit of 1000");

  // 8 MiB of zeros deflate to a few kilobytes: far past a ratio of 200.
  const std::string zeros(8 << 20, '\0');
  auto bomb = read_zip_entry(make_zip({{"m", zeros}}), "m");
  ASSERT_FALSE(bomb);
  EXPECT_NE(bomb.error().find("expands"), std::string::npos) << bomb.error();
  EXPECT_NE(bomb.error().find("more than the limit of 200"), std::string::npos) << bomb.error();

  limits = ZipLimits{};
  limits.max_ratio = 100'000;
  auto allowed = read_zip_entry(make_zip({{"m", zeros}}), "m", limits);
  ASSERT_TRUE(allowed) << allowed.error();
  EXPECT_EQ(*allowed, zeros);
}

// A baseline manifest of about 240,000 files (70 MB: digests are random hex, which deflates about 2:1, as real
// manifests' digests do) is past the generic 64 MiB limit and well within what a baseline may be.
TEST(ZipReader, ABaselineOfAQuarterMillionFilesIsWithinTheBaselineLimits) {
  std::string manifest(70'000'000, '\n');
  std::mt19937_64 random(7);
  static constexpr char k_hex[] = "0123456789abcdef";
  for (size_t i = 0; i < manifest.size(); ++i) {
    if (i % 80 != 79) manifest[i] = k_hex[random() & 15];
  }
  const std::string zip = make_zip({{"manifest.json", manifest}});
  auto generic = read_zip_entry(zip, "manifest.json");
  ASSERT_FALSE(generic);
  EXPECT_NE(generic.error().find("more than the limit of 67108864"), std::string::npos) << generic.error();
  auto baseline = read_zip_entry(zip, "manifest.json", BaselineQuery{}.zip_limits);
  ASSERT_TRUE(baseline) << baseline.error();
  EXPECT_EQ(*baseline, manifest);
  EXPECT_EQ(BaselineQuery{}.zip_limits.max_size, k_baseline_manifest_max);
}

TEST(ZipReader, TooManyEntries) {
  ZipLimits limits;
  limits.max_entries = 2;
  auto r = read_zip_entry(make_zip({{"a", "1"}, {"b", "2"}, {"c", "3"}}), "a", limits);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), "the zip holds 3 entries, more than the limit of 2");
}

}  // namespace
}  // namespace treeprint
