#include "manifest/manifest.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

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
  // Files a, c, e and symlinks 0, b, d, z: the documented order interleaves them, 0 a b c d e z. The expected digest
  // is built from the same records in that order, so only the interleaving decides (the first test pins the
  // records themselves).
  const FileEntry a = file("a", "1"), c = file("c", "2"), e = file("e", "3");
  Manifest m;
  m.files = {&a, &c, &e};
  m.symlinks = {{"0", "t0", ""}, {"b", "tb", ""}, {"d", "td", ""}, {"z", "tz", ""}};
  RootDigestBuilder in_path_order;
  in_path_order.add_symlink("0", "t0");
  in_path_order.add_file(a);
  in_path_order.add_symlink("b", "tb");
  in_path_order.add_file(c);
  in_path_order.add_symlink("d", "td");
  in_path_order.add_file(e);
  in_path_order.add_symlink("z", "tz");
  EXPECT_EQ(to_hex(root_digest(m)), to_hex(in_path_order.finish()));
  RootDigestBuilder files_first;  // what a writer that appended the symlinks would give: must differ
  files_first.add_file(a);
  files_first.add_file(c);
  files_first.add_file(e);
  for (const SymlinkEntry& l : m.symlinks) files_first.add_symlink(l.path, l.target);
  EXPECT_NE(to_hex(root_digest(m)), to_hex(files_first.finish()));
}

TEST(RootDigest, PathOrderIsBytewise) {
  // "a.b" < "a/b" < "a0" bytewise ('.' 0x2e, '/' 0x2f, '0' 0x30); a locale or path-component order would differ.
  const FileEntry dot = file("a.b", "1"), zero = file("a0", "2");
  Manifest m;
  m.files = {&dot, &zero};
  m.symlinks = {{"a/b", "t", ""}};
  RootDigestBuilder b;
  b.add_file(dot);
  b.add_symlink("a/b", "t");
  b.add_file(zero);
  EXPECT_EQ(to_hex(root_digest(m)), to_hex(b.finish()));
}

TEST(RootDigest, BuilderMatchesTheRecordsHashedInOneGo) {
  // Many records (past the builder's internal buffering), files given with and without their hex text.
  std::vector<std::string> names;
  for (int i = 0; i < 3000; ++i) names.push_back("dir/" + std::to_string(100000 + i) + std::string(i % 50, 'x'));
  std::string canonical;
  RootDigestBuilder from_bytes, from_hex;
  for (size_t i = 0; i < names.size(); ++i) {
    const FileEntry f = file(names[i], names[i], 0, i % 3 == 0);
    const std::string hex = to_hex(f.sha256);
    canonical += std::string("f\0", 2) + names[i] + '\0' + mode_text(f.executable) + '\0' + std::to_string(f.size) +
                 '\0' + hex + '\0';
    from_bytes.add_file(f);
    from_hex.add_file(f, hex);
    if (i % 7 == 0) {
      canonical += std::string("l\0", 2) + names[i] + "~" + '\0' + "target" + '\0';
      from_bytes.add_symlink(names[i] + "~", "target");
      from_hex.add_symlink(names[i] + "~", "target");
    }
  }
  const std::string expect = to_hex(Sha256::of(canonical));
  EXPECT_EQ(to_hex(from_bytes.finish()), expect);
  EXPECT_EQ(to_hex(from_hex.finish()), expect);
}

TEST(Timestamp, NineFractionalDigitsUtc) {
  EXPECT_EQ(format_timestamp_ns(0), "1970-01-01T00:00:00.000000000Z");
  EXPECT_EQ(format_timestamp_ns(1704164645'123456789), "2024-01-02T03:04:05.123456789Z");
  EXPECT_EQ(format_timestamp_ns(-1), "1969-12-31T23:59:59.999999999Z");
  EXPECT_EQ(format_timestamp_ns(951782400'000000000), "2000-02-29T00:00:00.000000000Z");
}

}  // namespace
}  // namespace treeprint
