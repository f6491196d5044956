#include "manifest/json_writer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "manifest/manifest.h"
#include "util/format.h"
#include "util/sha256.h"

namespace treeprint {
namespace {

std::string render(const Manifest& m) {
  std::string out;
  write_manifest_json(m, root_digest(m), "9.9.9", [&](std::string_view s) { out.append(s); });
  return out;
}

TEST(JsonWriter, ExactBytes) {
  FileEntry a;
  a.path = "dir/a b";
  a.size = 3;
  a.mtime_ns = 1704164645'000000001;
  a.executable = true;
  a.sha256 = Sha256::of("abc");
  FileEntry bad;
  bad.path = "x\xff";
  Manifest m;
  m.files = {&a, &bad};
  m.total_bytes = 3;
  m.symlinks.push_back({"l", "../out", "outside root"});
  m.skipped.push_back({"p", "fifo"});
  m.errors.push_back({"q", "cannot open: Permission denied"});
  const std::string want =
      "{\n"
      "  \"schema\": \"treeprint/manifest/v1\",\n"
      "  \"tool\": {\"name\": \"treeprint\", \"version\": \"9.9.9\"},\n"
      "  \"root_digest\": \"sha256:" +
      to_hex(root_digest(m)) +
      "\",\n"
      "  \"totals\": {\"files\": 2, \"bytes\": 3, \"symlinks\": 1, \"skipped\": 1, \"errors\": 1},\n"
      "  \"files\": [\n"
      "    {\"path\": \"dir/a b\", \"size\": 3, \"mtime\": \"2024-01-02T03:04:05.000000001Z\", \"mode\": \"0755\", "
      "\"sha256\": \"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\"},\n"
      "    {\"path_base64\": \"eP8=\", \"size\": 0, \"mtime\": \"1970-01-01T00:00:00.000000000Z\", \"mode\": \"0644\", "
      "\"sha256\": \"0000000000000000000000000000000000000000000000000000000000000000\"}\n"
      "  ],\n"
      "  \"symlinks\": [\n"
      "    {\"path\": \"l\", \"target\": \"../out\", \"not_followed\": \"outside root\"}\n"
      "  ],\n"
      "  \"skipped\": [\n"
      "    {\"path\": \"p\", \"type\": \"fifo\"}\n"
      "  ],\n"
      "  \"errors\": [\n"
      "    {\"path\": \"q\", \"message\": \"cannot open: Permission denied\"}\n"
      "  ]\n"
      "}\n";
  EXPECT_EQ(render(m), want);
}

// The offset returned is where the root digest's hex digits are: a placeholder written there and patched with the
// real digest gives the bytes of writing the real digest in the first place.
TEST(JsonWriter, TheRootDigestsOffsetIsReturnedForPatching) {
  FileEntry a;
  a.path = "a";
  a.sha256 = Sha256::of("a");
  Manifest m;
  m.files = {&a};
  std::string out;
  const size_t at = write_manifest_json(m, Digest{}, "1.2.3-long-version", [&](std::string_view s) { out.append(s); });
  ASSERT_LE(at + 64, out.size());
  EXPECT_EQ(out.substr(at - 7, 71), "sha256:" + std::string(64, '0'));
  out.replace(at, 64, to_hex(root_digest(m)));
  std::string direct;
  write_manifest_json(m, root_digest(m), "1.2.3-long-version", [&](std::string_view s) { direct.append(s); });
  EXPECT_EQ(out, direct);
}

TEST(JsonWriter, EmptyManifest) {
  Manifest m;
  const std::string out = render(m);
  EXPECT_NE(out.find("\"files\": [],\n  \"symlinks\": [],\n  \"skipped\": [],\n  \"errors\": []\n}\n"),
            std::string::npos)
      << out;
}

TEST(JsonWriter, ParallelRenderingGivesTheSameBytes) {
  std::vector<FileEntry> entries(30001);
  std::vector<std::string> names(entries.size());
  Manifest m;
  for (size_t i = 0; i < entries.size(); ++i) {
    names[i] = "dir/" + std::to_string(100000 + i);
    entries[i].path = names[i];
    entries[i].size = i;
    entries[i].mtime_ns = static_cast<int64_t>(i) * 999;
    m.files.push_back(&entries[i]);
  }
  auto render = [&](unsigned threads) {
    std::string out;
    write_manifest_json(
        m, root_digest(m), "1", [&](std::string_view s) { out.append(s); }, threads);
    return out;
  };
  const std::string one = render(1);
  EXPECT_EQ(render(2), one);
  EXPECT_EQ(render(3), one);
  EXPECT_EQ(render(8), one);
  // A slow sink: the renderers fill every slot of the ring and wait for the sink to free one.
  std::string slow;
  size_t calls = 0;
  write_manifest_json(
      m, root_digest(m), "1",
      [&](std::string_view s) {
        if (++calls % 4 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
        slow.append(s);
      },
      2);
  EXPECT_EQ(slow, one);
}

TEST(JsonWriter, LargeManifestIsStreamedInChunks) {
  std::vector<FileEntry> entries(20000);
  std::vector<std::string> names(entries.size());
  Manifest m;
  for (size_t i = 0; i < entries.size(); ++i) {
    names[i] = "file" + std::to_string(100000 + i);
    entries[i].path = names[i];
    m.files.push_back(&entries[i]);
  }
  size_t chunks = 0, biggest = 0, total = 0;
  write_manifest_json(m, root_digest(m), "1", [&](std::string_view s) {
    ++chunks;
    biggest = std::max(biggest, s.size());
    total += s.size();
  });
  EXPECT_GT(chunks, 10u);
  EXPECT_LT(biggest, 80u << 10);
  EXPECT_GT(total, 20000u * 100);
}

}  // namespace
}  // namespace treeprint
