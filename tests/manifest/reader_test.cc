#include "manifest/reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <set>

#include "manifest/json_writer.h"
#include "manifest/manifest.h"
#include "test_support.h"
#include "util/format.h"
#include "util/sha256.h"

namespace treeprint {
namespace {

using ::testing::HasSubstr;

std::string render(const Manifest& m, std::string_view version = "1.2.3") {
  std::string out;
  write_manifest_json(m, root_digest(m), version, [&](std::string_view s) { out.append(s); });
  return out;
}

class Collect final : public ManifestVisitor {
 public:
  std::vector<std::string> order;
  void symlink(const SymlinkEntry& e) override { order.push_back("l:" + e.path + ">" + e.target); }
  void skipped(const SkippedEntry& e) override { order.push_back("s:" + e.path + ":" + e.type); }
  void error(const ErrorEntry& e) override { order.push_back("e:" + e.path + ":" + e.message); }
  void file(const FileEntry& e) override { order.push_back("f:" + std::string(e.path)); }
};

// Reads `text`; returns the error ("" when valid).
std::string read_error(std::string_view text, ManifestHeader* header = nullptr) {
  auto source = memory_source(text);
  ManifestVisitor ignore;
  ManifestHeader h;
  Status read = read_manifest(*source, ignore, header ? header : &h);
  EXPECT_EQ(read.ok(), read.error().empty());
  return read ? "" : read.error();
}

struct Sample {
  std::vector<FileEntry> files;
  Manifest m;
  Sample() {
    const char* names[] = {"a b/c", "bin/run", "caf\xe9", "dir/\"quoted\"\\and\ttab", "z"};
    files.resize(5);
    for (int i = 0; i < 5; ++i) {
      files[i].path = names[i];
      files[i].size = static_cast<uint64_t>(i * 100);
      files[i].mtime_ns = 1'700'000'000'123'456'789 + i;
      files[i].executable = i == 1;
      files[i].sha256 = Sha256::of(names[i]);
      m.files.push_back(&files[i]);
      m.total_bytes += files[i].size;
    }
    m.symlinks.push_back({"link", "bin/run", ""});
    m.symlinks.push_back({"odd\xff", "t\xfe", "outside root"});
    m.skipped.push_back({"pipe", "fifo"});
    m.errors.push_back({"locked", "cannot open: Permission denied"});
  }
};

TEST(Reader, RoundTripGivesTheSameBytes) {
  Sample s;
  s.m.shard = ShardSpec{2, 3};
  const std::string text = render(s.m);
  testing::TempDir dir;
  dir.write("m.json", text);
  Manifest back;
  ManifestHeader h;
  Status loaded = load_manifest(dir / "m.json", &back, &h);
  ASSERT_TRUE(loaded) << loaded.error();
  EXPECT_EQ(h.tool_version, "1.2.3");
  EXPECT_EQ(h.root_digest, root_digest(s.m));
  ASSERT_TRUE(h.shard.has_value());
  EXPECT_EQ(h.shard->index, 2u);
  EXPECT_EQ(h.totals.files, 5u);
  EXPECT_EQ(h.totals.bytes, 1000u);
  ASSERT_EQ(back.files.size(), 5u);
  EXPECT_EQ(back.files[2]->path, "caf\xe9");
  EXPECT_EQ(back.files[1]->executable, true);
  EXPECT_EQ(back.files[4]->mtime_ns, 1'700'000'000'123'456'793);
  EXPECT_EQ(back.symlinks[1].target, "t\xfe");
  EXPECT_EQ(back.symlinks[1].not_followed, "outside root");
  EXPECT_EQ(render(back), text);
}

TEST(Reader, GitMembersRoundTrip) {
  Sample s;
  GitSummary g;
  g.object_format = "sha1";
  g.head = std::string(40, 'a');
  g.tree = std::string(40, 'b');
  g.clean = false;
  g.tracked = 4;
  g.modified = 1;
  g.untracked = 1;
  g.ignored_tracked = 2;
  g.conversion = std::string(64, 'c');
  s.m.git = g;
  std::array<unsigned char, 20> blob;
  blob.fill(0xab);
  s.files[1].git_blob = blob.data();
  s.files[1].git_blob_size = 20;
  const std::string text = render(s.m);
  EXPECT_THAT(text, HasSubstr("\"git_blob\": \"abababababababababababababababababababab\""));
  auto source = memory_source(text);
  Manifest back;
  ManifestHeader h;
  Status loaded = load_manifest(*source, &back, &h);
  ASSERT_TRUE(loaded) << loaded.error();
  ASSERT_TRUE(back.git.has_value());
  EXPECT_EQ(*back.git, g);
  EXPECT_EQ(back.files[1]->git_blob_size, 20u);
  EXPECT_EQ(back.files[1]->git_blob_id()[19], 0xab);
  EXPECT_EQ(back.files[0]->git_blob_size, 0u);
  EXPECT_EQ(render(back), text);
  // The root digest does not depend on the git members.
  Sample plain;
  EXPECT_EQ(root_digest(back), root_digest(plain.m));
  // Without them the bytes are today's: no "git" anywhere.
  EXPECT_THAT(render(plain.m), ::testing::Not(HasSubstr("git")));
}

TEST(Reader, GitMembersAreChecked) {
  Sample s;
  GitSummary g;
  g.object_format = "sha256";
  s.m.git = g;
  const std::string good = render(s.m);
  EXPECT_EQ(read_error(good), "");
  auto replaced = [&](std::string_view from, std::string_view to) {
    std::string t = good;
    const size_t at = t.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return t.replace(at, from.size(), to);
  };
  EXPECT_THAT(read_error(replaced("\"sha256\", \"clean\"", "\"md5\", \"clean\"")),
              HasSubstr("\"object_format\" must be \"sha1\" or \"sha256\""));
  EXPECT_THAT(read_error(replaced("\"clean\": false", "\"clean\": 0")), HasSubstr("\"clean\" must be true or false"));
  EXPECT_THAT(read_error(replaced("\"clean\": false", "\"dirty\": false")), HasSubstr("unknown member \"dirty\""));
  EXPECT_THAT(read_error(replaced("\"clean\": false, ", "")), HasSubstr("member \"clean\" is missing"));
  EXPECT_THAT(read_error(replaced("\"clean\": false", "\"clean\": false, \"head\": \"abcd\"")),
              HasSubstr("must be 64 hex digits in sha256"));
  // A git_blob of the other format's length, and one without a "git" object.
  std::string text =
      replaced("\"sha256\": \"" + to_hex(s.files[0].sha256) + "\"",
               "\"sha256\": \"" + to_hex(s.files[0].sha256) + "\", \"git_blob\": \"" + std::string(40, 'e') + "\"");
  EXPECT_THAT(read_error(text), HasSubstr("git_blob's length does not match git.object_format"));
  Sample p;
  std::string plain = render(p.m);
  const std::string digest = "\"sha256\": \"" + to_hex(p.files[0].sha256) + "\"";
  plain.replace(plain.find(digest), digest.size(), digest + ", \"git_blob\": \"" + std::string(40, 'e') + "\"");
  EXPECT_THAT(read_error(plain), HasSubstr("git_blob needs the top-level \"git\" object"));
}

TEST(Reader, VisitsLinksSkippedErrorsThenFiles) {
  Sample s;
  const std::string text = render(s.m);
  auto source = memory_source(text);
  Collect c;
  ManifestHeader h;
  Status read = read_manifest(*source, c, &h);
  ASSERT_TRUE(read) << read.error();
  EXPECT_THAT(c.order, ::testing::ElementsAre("l:link>bin/run", "l:odd\xff>t\xfe", "s:pipe:fifo",
                                              "e:locked:cannot open: Permission denied", "f:a b/c", "f:bin/run",
                                              "f:caf\xe9", "f:dir/\"quoted\"\\and\ttab", "f:z"));
}

TEST(Reader, AnyLayoutOfTheSameJsonIsRead) {
  // Keys in another order, no whitespace, an escaped key and escaped characters: still the same manifest.
  Sample s;
  s.m.symlinks.clear();
  s.m.skipped.clear();
  s.m.errors.clear();
  const Digest root = root_digest(s.m);
  std::string files = "[";
  for (size_t i = 0; i < s.m.files.size(); ++i) {
    const FileEntry& f = *s.m.files[i];
    std::string one = "{\"sha256\":\"" + to_hex(f.sha256) + "\",\"mode\":\"" + mode_text(f.executable) +
                      "\",\"si\\u007ae\":" + std::to_string(f.size) + ",\"mtime\":\"" +
                      format_timestamp_ns(f.mtime_ns) + "\",";
    std::string p(f.path);
    if (p == "caf\xe9") {
      one += "\"path_base64\":\"Y2Fm6Q==\"}";
    } else {
      std::string esc;
      for (char c : p) {
        if (c == '"' || c == '\\') esc += '\\';
        if (c == '\t') {
          esc += "\\t";
          continue;
        }
        esc += c;
      }
      one += "\"path\":\"" + esc + "\"}";
    }
    files += (i ? "," : "") + one;
  }
  files += "]";
  const std::string text =
      "\r\n\t{\"errors\":[],\"files\":" + files +
      ",\"totals\":{\"errors\":0,\"skipped\":0,\"symlinks\":0,\"bytes\":1000,\"files\":5},"
      "\"skipped\":[],\"symlinks\":[],\"root_digest\":\"sha256:" +
      to_hex(root) + "\",\"tool\":{\"version\":\"x\",\"name\":\"treeprint\"},\"schema\":\"treeprint/manifest/v1\"}\n";
  EXPECT_EQ(read_error(text), "");
}

TEST(Reader, BatchesOfManyEntriesAndExactErrorOffsets) {
  // Enough entries for several parse batches; then one bad entry far in, reported with its index and byte offset.
  std::vector<FileEntry> files(40000);
  std::vector<std::string> names(files.size());
  Manifest m;
  for (size_t i = 0; i < files.size(); ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "d%02zu/file%06zu", i % 97, i);
    names[i] = name;
  }
  std::sort(names.begin(), names.end());
  for (size_t i = 0; i < files.size(); ++i) {
    files[i].path = names[i];
    files[i].size = i;
    files[i].sha256 = Sha256::of(names[i]);
    m.files.push_back(&files[i]);
    m.total_bytes += i;
  }
  std::string text = render(m);
  EXPECT_GT(text.size(), 4u << 20);
  EXPECT_EQ(read_error(text), "");
  const size_t at = text.find("{\"path\": \"" + names[31234] + "\"");
  ASSERT_NE(at, std::string::npos);
  const size_t mode = text.find("\"0644\"", at);
  text.replace(mode, 6, "\"0640\"");
  EXPECT_EQ(read_error(text), "files[31234] (byte " + std::to_string(at) + "): mode must be \"0644\" or \"0755\"");
}

// A valid manifest of two files to break in various ways.
std::string two_files() {
  static Sample* s = new Sample;
  Manifest m;
  m.files = {s->m.files[0], s->m.files[1]};
  m.total_bytes = s->m.files[0]->size + s->m.files[1]->size;
  m.symlinks.push_back({"link", "bin/run", ""});
  return render(m);
}

std::string replace(std::string text, std::string_view from, std::string_view to) {
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

TEST(Reader, HostileManifestsGetClearErrors) {
  const std::string good = two_files();
  ASSERT_EQ(read_error(good), "");
  struct Case {
    std::string text;
    std::string expect;
  };
  const std::string first = "{\"path\": \"a b/c\"";
  const std::string second = "{\"path\": \"bin/run\"";
  const Case cases[] = {
      {"", "the manifest is empty"},
      {"[]", "a manifest is a JSON object"},
      {good + "x", "unexpected text after the manifest's closing '}'"},
      {good.substr(0, good.size() / 2), "ends early (truncated?)"},
      {replace(good, second, first), "appears twice"},
      {replace(replace(good, "\"a b/c\"", "\"zz\""), "\"bin/run\", \"size\"", "\"bin/run\", \"size\""), "not sorted"},
      {replace(good, "\"a b/c\"", "\"../etc/passwd\""), "not a clean relative path"},
      {replace(good, "\"a b/c\"", "\"/etc/passwd\""), "not a clean relative path"},
      {replace(good, "\"a b/c\"", "\"a//c\""), "not a clean relative path"},
      {replace(good, "\"a b/c\"", "\"a\\u0000c\""), "not a clean relative path"},
      {replace(good, "\"size\": 0", "\"size\": 0, \"size\": 0"), "member \"size\" appears twice"},
      {replace(good, "\"size\": 0", "\"size\": \"0\""), "size must be an unsigned integer"},
      {replace(good, "\"size\": 0", "\"size\": -1"), "size must be an unsigned integer"},
      {replace(good, "\"size\": 0", "\"size\": 0, \"owner\": 1"), "unexpected member \"owner\""},
      {replace(good, "\"mode\": \"0644\"", "\"mode\": 420"), "mode must be"},
      {replace(good, ".123456789Z", ".1234Z"), "mtime must be a timestamp"},
      {replace(good, "T", "t"), "mtime must be a timestamp"},
      {replace(good, "\"sha256\": \"", "\"sha256\": \"A"), "sha256 must be 64 lower-case hex digits"},
      {replace(good, "\"files\": 2", "\"files\": 3"), "totals.files says 3 but the manifest has 2"},
      {replace(good, "\"bytes\": 100", "\"bytes\": 101"), "totals.bytes says 101"},
      {replace(good, "treeprint/manifest/v1", "treeprint/manifest/v2"), "is not a schema this version reads"},
      {replace(good, "\"errors\": []", "\"errors\": [], \"extra\": 1"), "not a treeprint manifest (byte "},
      {replace(good, "\"errors\": []", "\"errors\": [], \"errors\": []"), "the key \"errors\" appears twice"},
      {replace(good, ",\n  \"errors\": []", ""), "the required key \"errors\" is missing"},
      {replace(good, "\"a b/c\"", "\"a \xff\""), "not valid JSON"},
      {replace(good, "{\"path\": \"a b/c\"", "{\"path_base64\": \"YWI=\""), "holds valid UTF-8"},
      {replace(good, "{\"path\": \"a b/c\"", "{\"path_base64\": \"YW=\""), "not canonical padded base64"},
      {replace(good, "{\"path\": \"a b/c\"", "{\"path\": \"a b/c\", \"path_base64\": \"/w==\""), "exactly one"},
      {replace(good, "\"link\"", "\"bin/run\""), "is both a file and a symlink"},
      {replace(good, "\"target\": \"bin/run\"", "\"target\": \"x\""), "root_digest is sha256:"},
      {replace(good, "\"root_digest\": \"sha256:", "\"root_digest\": \"sha1:"), "expected \"sha256:\""},
      {replace(good, "\"files\": [", "\"files\": [1, "), "files[0]: expected an object"},
      {replace(good, "\n  ],\n  \"symlinks\"", ",\n  ],\n  \"symlinks\""), "(a ',' before ']')"},
      {replace(good, "},\n    {\"path\": \"bin", "}\n    {\"path\": \"bin"), "expected ',' or ']' after files[0]"},
      {replace(good, "\"files\": [", "\"files\": {"), "\"files\" must be an array"},
      {replace(good, "\"tool\": {\"name\": \"treeprint\"", "\"tool\": {\"name\": \"other\""), "name must be"},
      {replace(good, "\"errors\": 0}", "\"errors\": 0, \"files\": 1}"), "member \"files\" appears twice"},
      {replace(good, "\"size\": 0", "\"size\": [[[[[[[[[[[[[[[[[[[[0]]]]]]]]]]]]]]]]]]]"), "nesting deeper than"},
      {replace(good, "\"size\": 0", "\"size\": [}"), "mismatched '}'"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(read_error(c.text), HasSubstr(c.expect)) << c.text.substr(0, 400);
  }
}

// Pointed at a file that is not a manifest (a config, a secrets file), the reader says so and quotes none of it.
TEST(Reader, AFileThatIsNotAManifestIsNotQuoted) {
  const std::string good = two_files();
  for (const std::string& text : {
           std::string(R"({"AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI"})"),
           std::string(R"({"schema": "AWS_SECRET_ACCESS_KEY wJalrXUtnFEMI"})"),
           std::string(R"({"schema": ["AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI"]})"),
           replace(good, "\"schema\": \"treeprint/manifest/v1\"", "\"schema\": \"AWS_SECRET_ACCESS_KEY\""),
           replace(good, "\"errors\": []", "\"errors\": [], \"AWS_SECRET_ACCESS_KEY\": \"wJalrXUtnFEMI\""),
           std::string("AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI\n"),
       }) {
    const std::string error = read_error(text);
    EXPECT_THAT(error, HasSubstr("not a treeprint manifest")) << text;
    EXPECT_THAT(error, ::testing::Not(HasSubstr("AWS_SECRET"))) << error;
    EXPECT_THAT(error, ::testing::Not(HasSubstr("wJalr"))) << error;
  }
}

// Serves a manifest whose first entry holds a path of `n` bytes, without ever holding it.
class HugeStringSource final : public ByteSource {
 public:
  explicit HugeStringSource(uint64_t n) : m_n(n) {}
  uint64_t size() const override { return m_prefix.size() + m_n + m_suffix.size(); }
  Status read_at(uint64_t offset, char* buf, size_t n) override {
    for (size_t i = 0; i < n; ++i) {
      const uint64_t o = offset + i;
      if (o < m_prefix.size()) {
        buf[i] = m_prefix[o];
      } else if (o < m_prefix.size() + m_n) {
        buf[i] = 'a';
      } else {
        buf[i] = m_suffix[o - m_prefix.size() - m_n];
      }
    }
    max_read = std::max(max_read, n);
    return ok_status();
  }
  size_t max_read = 0;

 private:
  uint64_t m_n;
  std::string m_prefix = "{\"schema\": \"treeprint/manifest/v1\", \"files\": [{\"path\": \"";
  std::string m_suffix = "\"}], \"symlinks\": [], \"skipped\": [], \"errors\": []}";
};

TEST(Reader, GibibyteStringIsRefusedWithoutBeingHeld) {
  HugeStringSource source(1ull << 30);
  ManifestVisitor ignore;
  ManifestHeader h;
  Status read = read_manifest(source, ignore, &h);
  EXPECT_FALSE(read);
  EXPECT_THAT(read.error(), HasSubstr("files[0] is larger than"));
  EXPECT_LE(source.max_read, 1u << 20);
}

TEST(Reader, DeepNestingIsRefused) {
  std::string deep = "{\"schema\": " + std::string(100000, '[') + std::string(100000, ']') + "}";
  EXPECT_THAT(read_error(deep), HasSubstr("nesting deeper than"));
  std::string deep_entry = "{\"files\": [{\"path\": " + std::string(100000, '{');
  EXPECT_THAT(read_error(deep_entry), HasSubstr("nesting deeper than"));
}

TEST(Reader, EveryTruncationFailsCleanly) {
  const std::string good = two_files();
  for (size_t n = 0; n < good.size(); n += 7) {
    // The final newline is optional; everything shorter than the closing brace is not a manifest.
    if (n >= good.size() - 1) break;
    EXPECT_NE(read_error(good.substr(0, n)), "") << n;
  }
}

TEST(Reader, MissingFileNamesThePath) {
  Manifest m;
  ManifestHeader h;
  Status loaded = load_manifest("/nonexistent/m.json", &m, &h);
  EXPECT_FALSE(loaded);
  EXPECT_THAT(loaded.error(), HasSubstr("cannot open '/nonexistent/m.json'"));
}

// The disk fails while the entries are read back (the first pass has read the file once): the error names the path
// and the cause, and nothing is half-loaded silently.
TEST(Reader, AReadErrorMidManifestNamesThePath) {
  Sample s;
  testing::TempDir dir;
  dir.write("m.json", render(s.m));
  testing::FaultFileSystem fs;
  int reads = 0;
  fs.on_read_at = [&](int, size_t, uint64_t) -> std::optional<long> {
    if (++reads == 2) return -EIO;
    return std::nullopt;
  };
  Manifest m;
  ManifestHeader h;
  const Status loaded = load_manifest(dir / "m.json", &m, &h, fs);
  EXPECT_EQ(loaded.error(), (dir / "m.json") + ": cannot read '" + (dir / "m.json") + "': Input/output error");
  EXPECT_EQ(reads, 2);
}

TEST(Reader, TimestampsParseExactlyWhatIsWritten) {
  for (const int64_t ns : {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{1'700'000'000'123'456'789},
                           int64_t{-9'000'000'000'000'000'000}, int64_t{9'000'000'000'000'000'000}}) {
    EXPECT_EQ(parse_timestamp_ns(format_timestamp_ns(ns)), ns) << ns;
  }
  EXPECT_FALSE(parse_timestamp_ns("2024-02-30T00:00:00.000000000Z"));
  EXPECT_FALSE(parse_timestamp_ns("2024-01-01T24:00:00.000000000Z"));
  EXPECT_FALSE(parse_timestamp_ns("2024-01-01T00:00:60.000000000Z"));
  EXPECT_FALSE(parse_timestamp_ns("2024-01-01T00:00:00.000000000+00:00"));
  EXPECT_FALSE(parse_timestamp_ns("9999-12-31T23:59:59.999999999Z"));  // past 64-bit nanoseconds
}

TEST(Reader, TimestampDatesAgreeWithTheCalendar) {
  // Every day from 1677 to 2262 (the years 64-bit nanoseconds reach) against std::chrono's civil calendar, and
  // every day of a few other years: days that do not exist (February 29th of a common year, day 31 of a 30-day
  // month, day 0, month 13) are refused.
  using namespace std::chrono;
  char text[64];
  for (int y : {1678, 1700, 1800, 1900, 1969, 1970, 2000, 2023, 2024, 2100, 2261}) {
    for (unsigned mo = 0; mo <= 13; ++mo) {
      for (unsigned d = 0; d <= 32; ++d) {
        std::snprintf(text, sizeof text, "%04d-%02u-%02uT12:34:56.000000007Z", y, mo, d);
        const year_month_day ymd{year{y}, month{mo}, day{d}};
        const auto got = parse_timestamp_ns(text);
        ASSERT_EQ(got.has_value(), ymd.ok()) << text;
        if (got) {
          const int64_t secs = sys_days{ymd}.time_since_epoch().count() * 86400 + 12 * 3600 + 34 * 60 + 56;
          ASSERT_EQ(*got, secs * 1'000'000'000 + 7) << text;
        }
      }
    }
  }
  for (sys_days day = sys_days{year{1677} / 9 / 22}; day < sys_days{year{2262} / 4 / 11}; day += days{1}) {
    const int64_t ns = duration_cast<nanoseconds>(day.time_since_epoch()).count() + 999'999'999;
    ASSERT_EQ(parse_timestamp_ns(format_timestamp_ns(ns)), ns) << format_timestamp_ns(ns);
  }
}

// Names full of what the first pass must track inside strings (brackets, quotes, backslashes: escapes) at every
// position relative to the 64-byte windows it looks at; then a stray bracket outside the strings, at every offset
// too, is found at its byte.
TEST(Reader, BracketsQuotesAndEscapesAtEveryOffset) {
  std::vector<std::string> names;
  for (size_t n = 1; n <= 140; ++n) {
    std::string name = "n" + std::to_string(1000 + n) + "/";
    const char* fill = n % 3 == 0 ? "{[]" : n % 3 == 1 ? "]}\\" : "\\\"][";
    while (name.size() < n + 6) name += fill[name.size() % 3];
    names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  std::vector<FileEntry> files(names.size());
  Manifest m;
  for (size_t i = 0; i < names.size(); ++i) {
    files[i].path = names[i];
    files[i].size = i;
    files[i].sha256 = Sha256::of(names[i]);
    m.files.push_back(&files[i]);
    m.total_bytes += i;
  }
  m.symlinks.push_back({"\"{[", "]}\\", ""});
  const std::string text = render(m);
  auto source = memory_source(text);
  Collect got;
  ManifestHeader h;
  ASSERT_TRUE(read_manifest(*source, got, &h).ok());
  ASSERT_EQ(got.order.size(), names.size() + 1);
  EXPECT_EQ(got.order[0], "l:\"{[>]}\\");
  for (size_t i = 0; i < names.size(); ++i) EXPECT_EQ(got.order[i + 1], "f:" + names[i]);
  for (size_t i = 0; i < names.size(); ++i) {
    const size_t size = text.find("\"size\": ", text.find(names[i].substr(0, 6))) + 8;
    std::string broken = text;
    broken[size] = ']';
    EXPECT_EQ(read_error(broken), "not a treeprint manifest (byte " + std::to_string(size) + ": mismatched ']')") << i;
  }
}

}  // namespace
}  // namespace treeprint

namespace treeprint {
namespace {

// What a read gives: every entry visited, in order, and the error.
std::pair<std::vector<std::string>, std::string> read_all(std::string_view text, bool parallel) {
  class Everything final : public ManifestVisitor {
   public:
    std::vector<std::string> seen;
    void symlink(const SymlinkEntry& e) override {
      seen.push_back("l:" + e.path + ">" + e.target + ":" + e.not_followed);
    }
    void skipped(const SkippedEntry& e) override { seen.push_back("s:" + e.path + ":" + e.type); }
    void error(const ErrorEntry& e) override { seen.push_back("e:" + e.path + ":" + e.message); }
    void file(const FileEntry& e) override {
      seen.push_back("f:" + std::string(e.path) + ":" + std::to_string(e.size) + ":" + std::to_string(e.mtime_ns) +
                     ":" + (e.executable ? "x" : "-") + ":" + to_hex(e.sha256));
    }
  } visitor;
  auto source = memory_source(text);
  ManifestHeader h;
  ReadOptions options;
  options.parallel = parallel;
  const Status read = read_manifest(*source, visitor, &h, options);
  return {visitor.seen, read ? "" : read.error()};
}

// A manifest of several parse batches, with symlinks among the files.
std::string many_batches(size_t count) {
  static std::vector<FileEntry>* files = new std::vector<FileEntry>;
  static std::vector<std::string>* names = new std::vector<std::string>;
  files->assign(count, FileEntry{});
  names->assign(count, "");
  Manifest m;
  for (size_t i = 0; i < count; ++i) {
    char name[48];
    std::snprintf(name, sizeof name, "dir%02zu/sub/file-%07zu.txt", i % 31, i);
    (*names)[i] = name;
  }
  std::sort(names->begin(), names->end());
  for (size_t i = 0; i < count; ++i) {
    FileEntry& f = (*files)[i];
    f.path = (*names)[i];
    f.size = i * 7;
    f.mtime_ns = 1'700'000'000'000'000'000 + static_cast<int64_t>(i);
    f.executable = i % 5 == 0;
    f.sha256 = Sha256::of((*names)[i]);
    m.files.push_back(&f);
    m.total_bytes += f.size;
  }
  for (int i = 0; i < 40; ++i) m.symlinks.push_back({"dir" + std::to_string(10 + i) + "/link", "target", ""});
  m.skipped.push_back({"pipe", "fifo"});
  m.errors.push_back({"locked", "cannot open: Permission denied"});
  return render(m);
}

TEST(Reader, ParallelReadGivesTheSameEntriesAndTheSameFirstError) {
  const std::string good = many_batches(14000);
  ASSERT_GT(good.size(), 2u << 20);  // three batches
  const auto whole = read_all(good, false);
  ASSERT_EQ(whole.second, "");
  ASSERT_EQ(whole.first.size(), 14000u + 42u);
  EXPECT_EQ(read_all(good, true), whole);

  // Damage at many places: a byte changed to one that breaks JSON, a member, a digest, a number or the order.
  uint64_t seed = 0x9e3779b97f4a7c15;
  auto next = [&] {
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return seed;
  };
  const std::string replacements = "\"{}[],:0aZ\\ x/.";
  const size_t files_begin = good.find("\"files\"");
  std::set<std::string> kinds;
  for (int round = 0; round < 60; ++round) {
    std::string bad = good;
    const size_t at = files_begin + next() % (good.size() - files_begin);
    bad[at] = replacements[next() % replacements.size()];
    const auto single = read_all(bad, false);
    const auto parallel = read_all(bad, true);
    ASSERT_EQ(parallel.second, single.second) << "byte " << at;
    ASSERT_EQ(parallel.first, single.first) << "byte " << at;
    kinds.insert(single.second.substr(single.second.find(": ") + 1, 12));
  }
  EXPECT_GE(kinds.size(), 4u);  // the damage was varied

  // Errors that need the entries before (across a batch boundary), and one that is local but comes after the
  // order check.
  const size_t second_batch = good.find("{\"path\": ", good.find("{\"path\": ") + (1u << 20));
  const size_t before = good.rfind("{\"path\": ", second_batch - 1);
  const std::string first_name = good.substr(second_batch + 10, good.find('"', second_batch + 10) - second_batch - 10);
  const std::string previous_name = good.substr(before + 10, good.find('"', before + 10) - before - 10);
  for (const std::string& bad : {
           replace(good, "\"" + first_name + "\"", "\"" + previous_name + "\""),  // a duplicate at the boundary
           replace(good, "\"" + first_name + "\"", "\"a\""),                      // out of order at the boundary
           replace(good, "\"dir10/link\"", "\"" + first_name + "\""),             // a file that is also a link
       }) {
    const auto single = read_all(bad, false);
    EXPECT_NE(single.second, "");
    EXPECT_EQ(read_all(bad, true), single);
  }
  {
    // Out of order and without "mode": the order is reported, as a single-threaded read checks it first.
    std::string bad = replace(good, "\"" + first_name + "\"", "\"a\"");
    const size_t mode = bad.find("\"mode\": ", second_batch);
    bad.erase(mode, 16);
    const auto single = read_all(bad, false);
    EXPECT_THAT(single.second, HasSubstr("entries are not sorted by path ('a' after"));
    EXPECT_EQ(read_all(bad, true), single);
    // In order, the missing member is reported.
    std::string missing = good;
    missing.erase(good.find("\"mode\": ", second_batch), 16);
    const auto local = read_all(missing, false);
    EXPECT_THAT(local.second, HasSubstr("needs \"size\", \"mtime\", \"mode\" and \"sha256\""));
    EXPECT_EQ(read_all(missing, true), local);
  }
}

// What reading the manifest at `path` through `fs` fails with, on one thread or two.
std::string read_error_through(const std::string& path, FileSystem& fs, bool parallel) {
  ReadOptions options;
  options.parallel = parallel;
  ManifestVisitor ignore;
  ManifestHeader h;
  auto source = open_byte_source(path, fs);
  if (!source) return "cannot open: " + source.error();
  return read_manifest(**source, ignore, &h, options).error();
}

// The disk fails under a batch that a parallel read loads ahead, after a batch with damage in it: the damage is the
// first error, as in a read that loads one batch at a time; without the damage, the read error is reported.
TEST(Reader, AReadErrorAheadOfADamagedBatchComesAfterIt) {
  const std::string good = many_batches(14000);
  const size_t damage = good.find("\"mode\": \"", good.find("\"files\"")) + 9;
  std::string bad = good;
  bad[damage] = '1';
  testing::TempDir dir;
  dir.write("good.json", good);
  dir.write("bad.json", bad);
  testing::FaultFileSystem fs;
  // Batch reads start at entries, the first pass's at multiples of its block: fail the last batch of files (the
  // lists after it are read first).
  const size_t links = good.find("\"symlinks\": [");
  fs.on_read_at = [&](int, size_t, uint64_t offset) -> std::optional<long> {
    if (offset > (2u << 20) && offset < links && offset % (1u << 20) != 0) return -EIO;
    return std::nullopt;
  };
  for (const bool parallel : {false, true}) {
    EXPECT_EQ(read_error_through(dir / "bad.json", fs, parallel),
              "files[0] (byte " + std::to_string(good.find("{\"path\"")) + "): mode must be \"0644\" or \"0755\"")
        << parallel;
    EXPECT_EQ(read_error_through(dir / "good.json", fs, parallel),
              "cannot read '" + (dir / "good.json") + "': Input/output error")
        << parallel;
  }
}

// The same in the first pass: a block read ahead fails after a block whose structure is broken.
TEST(Reader, AReadErrorAheadOfABrokenStructureComesAfterIt) {
  const std::string good = many_batches(14000);
  const size_t size = good.find("\"size\": ", good.find("\"files\"")) + 8;
  std::string bad = good;
  bad[size] = ']';
  testing::TempDir dir;
  dir.write("good.json", good);
  dir.write("bad.json", bad);
  testing::FaultFileSystem fs;
  fs.on_read_at = [&](int, size_t, uint64_t offset) -> std::optional<long> {
    if (offset == (2u << 20)) return -EIO;  // the first pass's third block
    return std::nullopt;
  };
  for (const bool parallel : {false, true}) {
    EXPECT_EQ(read_error_through(dir / "bad.json", fs, parallel),
              "not a treeprint manifest (byte " + std::to_string(size) + ": mismatched ']')")
        << parallel;
    EXPECT_EQ(read_error_through(dir / "good.json", fs, parallel),
              "cannot read '" + (dir / "good.json") + "': Input/output error")
        << parallel;
  }
}

}  // namespace
}  // namespace treeprint
