#include "manifest/manifest_stream.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <random>
#include <set>

#include "manifest/diff.h"
#include "manifest/json_writer.h"
#include "manifest/manifest.h"
#include "manifest/tree_builder.h"
#include "test_support.h"
#include "util/format.h"

namespace treeprint {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using Tree = testing::TreeBuilder;

// The JSON text of `m`; a manifest with git blob ids gets the top-level "git" object they need.
std::string render(const Manifest& m) {
  Manifest view;  // the same entries (the files stay in m's table)
  view.files = m.files;
  view.symlinks = m.symlinks;
  view.skipped = m.skipped;
  view.errors = m.errors;
  view.total_bytes = m.total_bytes;
  if (std::any_of(m.files.begin(), m.files.end(), [](const FileEntry* f) { return f->git_blob_size != 0; })) {
    view.git = GitSummary{"sha1", std::string(40, 'a'), std::string(40, 'b'), false, 1, 0, 0, 0, ""};
  }
  std::string out;
  write_manifest_json(view, root_digest(view), "1.2.3", [&](std::string_view s) { out.append(s); });
  return out;
}

std::string state_text(const EntryState& s) {
  switch (s.type) {
    case EntryState::Type::none: return "-";
    case EntryState::Type::symlink: return "link>" + s.target;
    case EntryState::Type::file:
      return "file:" + std::to_string(s.size) + (s.executable ? ":x:" : ":-:") + to_hex(s.sha256).substr(0, 8) + ":" +
             to_hex(std::span<const unsigned char>(reinterpret_cast<const unsigned char*>(s.git_blob.data()),
                                                   s.git_blob.size()));
  }
  return "?";
}

// Everything a TreeDiff says, one line per change, unreadable entry and count.
std::vector<std::string> describe(const TreeDiff& d) {
  std::vector<std::string> out;
  for (const Change& c : d.changes) {
    out.push_back(std::string(change_name(c.kind)) + " " + (c.old_path.empty() ? "" : c.old_path + "->") + c.path +
                  " [" + state_text(c.before) + " | " + state_text(c.after) + "]");
  }
  for (const ErrorEntry& e : d.unreadable) out.push_back("unreadable " + e.path + ": " + e.message);
  for (int k = 0; k < k_change_kinds; ++k) {
    out.push_back(std::string("count ") + change_name(static_cast<ChangeKind>(k)) + " " + std::to_string(d.counts[k]));
  }
  return out;
}

ManifestStream::Limits tiny(size_t files, size_t path_bytes = 16, size_t queued = 1) {
  ManifestStream::Limits l;
  l.files_per_batch = files;
  l.path_bytes_per_batch = path_bytes;
  l.queued_batches = queued;
  return l;
}

// The streaming diff of two manifests' JSON texts (which must outlive nothing: the streams are done on return).
Result<TreeDiff> stream_diff(const std::string& a, const std::string& b, ManifestStream::Limits limits = {},
                             bool renames = true) {
  ManifestStream before(memory_source(a), "before.json", limits), after(memory_source(b), "after.json", limits);
  return diff_sources(before, after, renames);
}

// A pair of trees with every kind of change, drawn from few names and few contents (so that renames have several
// candidates, with and without the same base name), some git blob ids, symlinks and unreadable entries.
void random_pair(uint32_t seed, Tree* a, Tree* b) {
  std::mt19937 rng(seed);
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  const std::array<const char*, 5> dirs = {"", "src/", "src/lib/", "docs/", "a/b/"};
  const std::array<const char*, 5> names = {"x.c", "y.c", "z.txt", "README", "m"};
  const std::array<const char*, 6> contents = {"", "one", "two", "three", "four", "five"};
  auto fresh_path = [&](std::set<std::string>& used) {
    for (;;) {
      std::string p = std::string(dirs[pick(dirs.size())]) + names[pick(names.size())];
      if (pick(3) != 0) p += std::to_string(pick(8));
      if (used.insert(p).second) return p;
    }
  };
  struct Entry {
    std::string path;
    bool link = false;
    std::string content;  // or the target
    bool exec = false;
    unsigned char blob = 0;
  };
  std::set<std::string> used_a, used_b;
  std::vector<Entry> olds;
  const size_t n = seed % 9 == 0 ? 0 : 5 + pick(40);
  for (size_t i = 0; i < n; ++i) {
    Entry e;
    e.path = fresh_path(used_a);
    e.link = pick(6) == 0;
    e.content = e.link ? "t" + std::to_string(pick(3)) : contents[pick(contents.size())];
    e.exec = !e.link && pick(4) == 0;
    e.blob = !e.link && pick(3) == 0 ? static_cast<unsigned char>(1 + pick(3)) : 0;
    olds.push_back(e);
  }
  auto put = [](Tree* t, const Entry& e) {
    if (e.link) {
      t->link(e.path, e.content);
    } else {
      t->file(e.path, e.content, e.exec);
      if (e.blob != 0) t->blob(e.blob);
    }
  };
  enum Action { keep, edit, chmod, retype, remove, move, unreadable_now, reblob, actions };
  std::vector<Action> what(olds.size());
  const bool after_empty = seed % 13 == 0;
  for (size_t i = 0; i < olds.size(); ++i) {
    what[i] = after_empty ? remove : static_cast<Action>(pick(actions + 3) % actions);
    if (what[i] != remove && what[i] != move) used_b.insert(olds[i].path);
  }
  for (size_t i = 0; i < olds.size(); ++i) {
    put(a, olds[i]);
    Entry e = olds[i];
    switch (what[i]) {
      case keep: break;
      case edit: e.content = e.link ? e.content + "2" : std::string(contents[pick(contents.size())]) + "!"; break;
      case chmod: e.exec = !e.exec && !e.link; break;
      case retype:
        e.link = !e.link;
        e.exec = false;
        e.blob = 0;
        break;
      case remove: continue;
      case move:
        // Half of the moves keep the base name in another directory.
        if (pick(2) == 0) {
          const std::string base = e.path.substr(e.path.rfind('/') == std::string::npos ? 0 : e.path.rfind('/') + 1);
          std::string p = std::string(dirs[pick(dirs.size())]) + base;
          e.path = used_b.insert(p).second ? p : fresh_path(used_b);
        } else {
          e.path = fresh_path(used_b);
        }
        if (pick(4) == 0) e.content += "~";  // moved and edited: removed plus added
        break;
      case unreadable_now: b->error(e.path); continue;
      case reblob:  // the same blob over other bytes (a checkout conversion), or another blob over the same bytes
        if (e.link) break;
        if (pick(2) == 0 && e.blob != 0) {
          e.content += "\r";
        } else {
          e.blob = static_cast<unsigned char>(e.blob + 1);
        }
        break;
      case actions: break;
    }
    put(b, e);
  }
  if (!after_empty) {
    for (size_t i = pick(8); i > 0; --i) {  // added, often with a removed file's content
      Entry e;
      e.path = fresh_path(used_b);
      e.link = pick(8) == 0;
      e.content = e.link ? "t9" : contents[pick(contents.size())];
      put(b, e);
    }
  }
  // Unreadable in the baseline: paths it does not list, some of which the current tree has.
  std::set<std::string> errors_a;
  for (size_t i = pick(3); i > 0; --i) {
    std::string p = fresh_path(used_a);
    if (pick(2) == 0 && !used_b.empty()) p = *std::next(used_b.begin(), static_cast<long>(pick(used_b.size())));
    if (errors_a.insert(p).second) a->error(p, "cannot open: Input/output error");
  }
}

TEST(ManifestStream, DiffOfTwoStreamsEqualsDiffTreesOnGeneratedPairs) {
  std::array<uint64_t, k_change_kinds> seen{};
  uint64_t unreadable = 0, empty_sides = 0;
  for (uint32_t seed = 0; seed < 300; ++seed) {
    Tree a, b;
    random_pair(seed, &a, &b);
    const Manifest& ma = a.manifest();
    const Manifest& mb = b.manifest();
    // Small batches and queues of several sizes, so that batch boundaries fall everywhere.
    const ManifestStream::Limits limits = tiny(1 + seed % 5, 4 + seed % 23, 1 + seed % 3);
    const bool renames = seed % 10 != 3;
    const TreeDiff expected = diff_trees(ma, mb, renames);
    const Result<TreeDiff> got = stream_diff(render(ma), render(mb), limits, renames);
    ASSERT_TRUE(testing::succeeds(got)) << "seed " << seed;
    ASSERT_EQ(describe(*got), describe(expected)) << "seed " << seed;
    for (int k = 0; k < k_change_kinds; ++k) seen[k] += expected.counts[k];
    unreadable += expected.unreadable.size();
    empty_sides += ma.files.empty() + mb.files.empty();
  }
  for (int k = 0; k < k_change_kinds; ++k) {
    EXPECT_GT(seen[k], 10u) << change_name(static_cast<ChangeKind>(k));
  }
  EXPECT_GT(unreadable, 10u);
  EXPECT_GT(empty_sides, 10u);
}

TEST(ManifestStream, RenameTiesAreBrokenAsDiffTreesBreaksThem) {
  // Three removed files with one content, two added: the same base name wins, then the first by path.
  Tree a, b;
  a.file("a/x.txt", "dup").file("b/y.txt", "dup").file("c/x.txt", "dup").file("keep", "k");
  b.file("d/x.txt", "dup").file("e/z.txt", "dup").file("keep", "k");
  const Result<TreeDiff> got = stream_diff(render(a.manifest()), render(b.manifest()), tiny(1));
  ASSERT_TRUE(testing::succeeds(got));
  EXPECT_EQ(describe(*got), describe(diff_trees(a.manifest(), b.manifest())));
  std::vector<std::string> kinds;
  for (const Change& c : got->changes)
    kinds.push_back(std::string(change_name(c.kind)) + " " + c.old_path + ">" + c.path);
  EXPECT_THAT(kinds, ::testing::ElementsAre("removed >c/x.txt", "renamed a/x.txt>d/x.txt", "renamed b/y.txt>e/z.txt"));
}

TEST(ManifestStream, FileAndSymlinkAtOnePathAndUnreadableEntries) {
  Tree a, b;
  a.file("f", "x").link("g", "f").file("h", "1").file("locked", "s").link("m", "t").error("gone-bad");
  b.link("f", "x").file("g", "f").file("h", "1").error("locked").link("m", "u").file("gone-bad", "now");
  const Result<TreeDiff> got = stream_diff(render(a.manifest()), render(b.manifest()), tiny(1, 1));
  ASSERT_TRUE(testing::succeeds(got));
  EXPECT_EQ(describe(*got), describe(diff_trees(a.manifest(), b.manifest())));
  EXPECT_EQ(got->counts[static_cast<size_t>(ChangeKind::type_changed)], 2u);
  EXPECT_EQ(got->counts[static_cast<size_t>(ChangeKind::modified)], 1u);
  ASSERT_EQ(got->unreadable.size(), 2u);
  EXPECT_EQ(got->unreadable[0].path, "gone-bad");
  EXPECT_EQ(got->unreadable[1].path, "locked");
}

TEST(ManifestStream, EmptySides) {
  Tree empty, some, other_empty;
  some.file("a", "1").link("b", "a").file("c", "");
  for (const auto& [x, y] :
       std::vector<std::pair<Tree*, Tree*>>{{&empty, &some}, {&some, &empty}, {&empty, &other_empty}}) {
    const Result<TreeDiff> got = stream_diff(render(x->manifest()), render(y->manifest()));
    ASSERT_TRUE(testing::succeeds(got));
    EXPECT_EQ(describe(*got), describe(diff_trees(x->manifest(), y->manifest())));
  }
  EXPECT_EQ(stream_diff(render(empty.manifest()), render(some.manifest()))->changes.size(), 3u);
}

// A manifest of `n` files, sorted, for the tests that need many parse batches (more than 4 MiB of JSON).
const Manifest& many_files(size_t n, Tree* t) {
  for (size_t i = 0; i < n; ++i) {
    char name[40];
    std::snprintf(name, sizeof name, "d%02zu/file%06zu", i % 97, i);
    t->file(name, std::string(name) + " content");
  }
  return t->manifest();
}

TEST(ManifestStream, ABadEntryMidStreamOnEitherSideFailsNamingTheManifest) {
  Tree big;
  const std::string good = render(many_files(40000, &big));
  // files[31234] gets a mode the reader refuses: found long after the first files were handed over.
  std::string bad = good;
  const size_t at = bad.find("\"path\": \"d");
  ASSERT_NE(at, std::string::npos);
  size_t entry = at;
  for (int i = 0; i < 31234; ++i) entry = bad.find("\"path\": \"d", entry + 1);
  const size_t mode = bad.find("\"0644\"", entry);
  bad.replace(mode, 6, "\"0640\"");
  for (const bool bad_first : {true, false}) {
    const Result<TreeDiff> got = bad_first ? stream_diff(bad, good, tiny(64, 4096, 2)) : stream_diff(good, bad);
    ASSERT_FALSE(got.ok());
    EXPECT_THAT(got.error(),
                StartsWith(bad_first ? "before.json: files[31234] (byte " : "after.json: files[31234] (byte "));
    EXPECT_THAT(got.error(), HasSubstr("mode must be \"0644\" or \"0755\""));
  }
}

TEST(ManifestStream, ARootDigestFoundWrongAfterTheLastFileFailsTheDiff) {
  // Every entry is valid; only the check after the last one finds that a digest was changed.
  Tree a, b;
  a.file("x", "1").file("y", "2");
  b.file("x", "1").file("y", "2");
  const std::string good = render(b.manifest());
  std::string tampered = good;
  const std::string digest = to_hex(Sha256::of("2"));
  tampered.replace(tampered.find(digest), 1, digest[0] == '0' ? "1" : "0");
  const Result<TreeDiff> got = stream_diff(render(a.manifest()), tampered, tiny(1));
  ASSERT_FALSE(got.ok());
  EXPECT_THAT(got.error(), StartsWith("after.json: root_digest is sha256:"));
  EXPECT_TRUE(testing::succeeds(stream_diff(render(a.manifest()), good, tiny(1))));
}

TEST(ManifestStream, NotAManifestFailsAtOpen) {
  ManifestStream s(memory_source("{\"password\": \"hunter2\"}"), "config.json");
  const Status opened = s.open();
  ASSERT_FALSE(opened.ok());
  EXPECT_THAT(opened.error(), StartsWith("config.json: not a treeprint manifest ("));
  EXPECT_THAT(opened.error(), ::testing::Not(HasSubstr("hunter2")));
  EXPECT_EQ(s.open().error(), opened.error());  // the same answer again
  EXPECT_EQ(s.header(), nullptr);
}

TEST(ManifestStream, HandsOverEveryEntryAndTheHeader) {
  Tree t;
  t.file("a", "1").file(std::string(100, 'b'), "2").file("c", "3").link("bb", "a").link("z", "c").error("e");
  const std::string text = render(t.manifest());
  ManifestStream s(memory_source(text), "m.json", tiny(2, 8, 1));  // one path longer than a batch's path bytes
  ASSERT_TRUE(testing::succeeds(s.open()));
  ASSERT_EQ(s.symlinks().size(), 2u);
  EXPECT_EQ(s.symlinks()[0].path, "bb");
  ASSERT_EQ(s.errors().size(), 1u);
  EXPECT_EQ(s.errors()[0].path, "e");
  std::vector<std::string> paths;
  for (;;) {
    Result<const FileEntry*> f = s.next_file();
    ASSERT_TRUE(testing::succeeds(f));
    if (*f == nullptr) break;
    paths.emplace_back((*f)->path);
  }
  EXPECT_THAT(paths, ::testing::ElementsAre("a", std::string(100, 'b'), "c"));
  ASSERT_NE(s.header(), nullptr);
  EXPECT_EQ(s.header()->totals.files, 3u);
  EXPECT_EQ(s.header()->root_digest, root_digest(t.manifest()));
}

// The disk fails while the files are read back: the comparison fails with the path and the cause.
TEST(ManifestStream, AReadErrorMidStreamNamesThePath) {
  testing::TempDir dir;
  Tree big, small;
  dir.write("big.json", render(many_files(40000, &big)));
  dir.write("small.json", render(small.file("d00/file000000", "d00/file000000 content").manifest()));
  // How many reads a whole read takes; then the last of them fails.
  testing::FaultFileSystem fs;
  std::atomic<int> reads{0}, fail_at{0};
  fs.on_read_at = [&](int, size_t, uint64_t) -> std::optional<long> {
    if (++reads == fail_at.load()) return -EIO;
    return std::nullopt;
  };
  {
    Manifest m;
    ManifestHeader h;
    ASSERT_TRUE(testing::succeeds(load_manifest(dir / "big.json", &m, &h, fs)));
  }
  ASSERT_GT(reads.load(), 2);
  fail_at = reads.load();
  reads = 0;
  auto before = open_manifest_stream(dir / "small.json");
  auto after = open_manifest_stream(dir / "big.json", fs);
  ASSERT_TRUE(before.ok() && after.ok());
  const Result<TreeDiff> got = diff_sources(**before, **after);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error(), (dir / "big.json") + ": cannot read '" + (dir / "big.json") + "': Input/output error");
  EXPECT_THAT(open_manifest_stream(dir / "missing.json").error(), HasSubstr("cannot open '" + (dir / "missing.json")));
}

// Counts the reads that reach the bytes.
class CountingSource final : public ByteSource {
 public:
  CountingSource(std::string_view bytes, std::atomic<int>* reads) : m_inner(memory_source(bytes)), m_reads(reads) {}
  uint64_t size() const override { return m_inner->size(); }
  Status read_at(uint64_t offset, char* buf, size_t n) override {
    ++*m_reads;
    return m_inner->read_at(offset, buf, n);
  }

 private:
  std::unique_ptr<ByteSource> m_inner;
  std::atomic<int>* m_reads;
};

// When one side fails early, the other stops reading at its next read instead of parsing to its end.
TEST(ManifestStream, StopsReadingWhenTheComparisonEndsEarly) {
  Tree big;
  const std::string text = render(many_files(40000, &big));
  ASSERT_GT(text.size(), 4u << 20);
  std::atomic<int> all_reads{0};
  {
    CountingSource whole(text, &all_reads);
    ManifestVisitor ignore;
    ManifestHeader h;
    ASSERT_TRUE(testing::succeeds(read_manifest(whole, ignore, &h)));
  }
  Tree one;
  std::string bad = render(one.file("a", "1").manifest());
  bad.replace(bad.find("\"0644\""), 6, "\"0640\"");
  std::atomic<int> reads{0};
  {
    ManifestStream before(memory_source(bad), "before.json", tiny(16));
    ManifestStream after(std::make_unique<CountingSource>(text, &reads), "after.json", tiny(16));
    const Result<TreeDiff> got = diff_sources(before, after);
    ASSERT_FALSE(got.ok());
    EXPECT_THAT(got.error(), StartsWith("before.json: files[0]"));
  }  // `after` is destroyed here, its reader stopped
  EXPECT_LT(reads.load(), all_reads.load());
}

}  // namespace
}  // namespace treeprint
