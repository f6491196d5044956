#include "manifest/manifest.h"

#include <gtest/gtest.h>

#include "util/format.h"
#include "util/sha256.h"

namespace treeprint {
namespace {

FileEntry file(std::string_view path, std::string_view content, int64_t mtime = 0, bool exec = false) {
  FileEntry f;
  f.path = path;
  f.size = content.size();
  f.mtime_ns = mtime;
  f.executable = exec;
  f.sha256 = Sha256::of(content);
  return f;
}

TEST(RootDigest, IsTheDocumentedCanonicalForm) {
  const FileEntry a = file("a", "x");
  Manifest m;
  m.files = {&a};
  m.symlinks.push_back({"b", "a", ""});
  const std::string canonical = std::string(
                                    "f\0a\0"
                                    "0644\0"
                                    "1\0",
                                    11) +
                                to_hex(Sha256::of("x")) + std::string("\0l\0b\0a\0", 7);
  EXPECT_EQ(to_hex(root_digest(m)), to_hex(Sha256::of(canonical)));
}

TEST(RootDigest, IgnoresMtimeButNotContentModeOrNames) {
  const FileEntry a = file("a", "x", 1), a_later = file("a", "x", 999), a_exec = file("a", "x", 1, true),
                  a_other = file("a", "y", 1), b = file("b", "x", 1);
  auto digest_of = [](const FileEntry& f) {
    Manifest m;
    m.files = {&f};
    return root_digest(m);
  };
  EXPECT_EQ(digest_of(a), digest_of(a_later));
  EXPECT_NE(digest_of(a), digest_of(a_exec));
  EXPECT_NE(digest_of(a), digest_of(a_other));
  EXPECT_NE(digest_of(a), digest_of(b));
}

TEST(RootDigest, FilesAndSymlinksMergeInPathOrder) {
  const FileEntry a = file("a", "1"), c = file("c", "2");
  Manifest m1;
  m1.files = {&a, &c};
  m1.symlinks.push_back({"b", "t", ""});
  Manifest m2;  // the same entries, but "b" as the last file would be a different tree
  m2.files = {&a, &c};
  m2.symlinks.push_back({"d", "t", ""});
  EXPECT_NE(root_digest(m1), root_digest(m2));
}

TEST(Timestamp, NineFractionalDigitsUtc) {
  EXPECT_EQ(format_timestamp_ns(0), "1970-01-01T00:00:00.000000000Z");
  EXPECT_EQ(format_timestamp_ns(1704164645'123456789), "2024-01-02T03:04:05.123456789Z");
  EXPECT_EQ(format_timestamp_ns(-1), "1969-12-31T23:59:59.999999999Z");
  EXPECT_EQ(format_timestamp_ns(951782400'000000000), "2000-02-29T00:00:00.000000000Z");
}

}  // namespace
}  // namespace treeprint
