#include "manifest/file_table.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "manifest/entry.h"
#include "util/sha256.h"

namespace treeprint {
namespace {

using ::testing::ElementsAre;

std::string name_of(size_t i) { return "dir" + std::to_string(i % 37) + "/file-" + std::to_string(i); }

// An entry handed out by a table, and what it must still hold later.
struct Handed {
  FileEntry* entry;
  const char* bytes;
  std::string path;
  uint64_t size;
};

Handed add(FileTable& table, const std::string& path, uint64_t size) {
  FileEntry* e = table.add(path);
  e->size = size;
  return {e, e->path.data(), path, size};
}

// Every entry still at its address, with its path's bytes where they were, NUL-terminated, and its fields as set.
void expect_intact(const std::vector<Handed>& handed) {
  for (const Handed& h : handed) {
    ASSERT_EQ(h.entry->path.data(), h.bytes) << h.path;
    ASSERT_EQ(h.entry->path, h.path);
    ASSERT_EQ(h.bytes[h.path.size()], '\0') << h.path;
    ASSERT_EQ(h.entry->size, h.size) << h.path;
  }
}

// Fills freshly allocated memory with garbage, so that bytes a table had released would no longer read as before.
void scribble() {
  std::vector<std::unique_ptr<char[]>> blocks;
  for (size_t size : {size_t{4096} * sizeof(FileEntry), size_t{256} << 10, size_t{1} << 20}) {
    for (int i = 0; i < 8; ++i) {
      blocks.emplace_back(new char[size]);
      std::memset(blocks.back().get(), 0x5a, size);
    }
  }
}

TEST(FileTable, AddedEntriesKeepTheirAddressesAndBytes) {
  FileTable table;
  std::vector<Handed> handed;
  // Several entry chunks and text chunks, and paths longer than a text chunk in between.
  for (size_t i = 0; i < 20000; ++i) {
    if (i % 5000 == 17) {
      handed.push_back(add(table, std::string(300000 + i, static_cast<char>('a' + i % 26)), i));
    } else {
      handed.push_back(add(table, name_of(i), i));
    }
  }
  handed.push_back(add(table, "", 1));  // an empty path still gets its terminator
  EXPECT_EQ(table.size(), handed.size());
  expect_intact(handed);
  for (size_t i = 1; i < handed.size(); ++i) ASSERT_NE(handed[i].entry, handed[i - 1].entry);
}

TEST(FileTable, NewEntriesStartZeroed) {
  FileTable table;
  for (int i = 0; i < 5000; ++i) {
    const FileEntry* e = table.add("f" + std::to_string(i));
    ASSERT_EQ(e->size, 0u);
    ASSERT_EQ(e->mtime_ns, 0);
    ASSERT_FALSE(e->executable);
    ASSERT_EQ(e->sha256, Digest{});
    ASSERT_EQ(e->ino, 0u);
    ASSERT_EQ(e->ctime_ns, 0);
  }
}

TEST(FileTable, AddingAnEntryCopiesItAndItsPath) {
  FileTable table;
  std::string path = "some/where";
  FileEntry source;
  source.path = path;
  source.size = 7;
  source.mtime_ns = -5;
  source.executable = true;
  source.sha256 = Sha256::of("x");
  source.ino = 99;
  source.ctime_ns = 42;
  const FileEntry* copy = table.add(source);
  path.assign("overwritten");  // the copy does not point into the source's bytes
  EXPECT_EQ(copy->path, "some/where");
  EXPECT_EQ(copy->path.data()[copy->path.size()], '\0');
  EXPECT_EQ(copy->size, 7u);
  EXPECT_EQ(copy->mtime_ns, -5);
  EXPECT_TRUE(copy->executable);
  EXPECT_EQ(copy->sha256, Sha256::of("x"));
  EXPECT_EQ(copy->ino, 99u);
  EXPECT_EQ(copy->ctime_ns, 42);
}

TEST(FileTable, AddingAnEntryCopiesItsGitBlobId) {
  FileTable table;
  std::array<unsigned char, 20> id{};
  id.fill(0x5a);
  FileEntry source;
  source.path = "a";
  source.git_blob = id.data();
  source.git_blob_size = 20;
  const FileEntry* copy = table.add(source);
  id.fill(0);  // the copy does not point into the source's bytes
  ASSERT_EQ(copy->git_blob_size, 20u);
  EXPECT_NE(copy->git_blob, id.data());
  EXPECT_EQ(copy->git_blob_id()[0], 0x5a);
  EXPECT_EQ(copy->git_blob_id()[19], 0x5a);
  FileEntry plain;
  plain.path = "b";
  EXPECT_EQ(table.add(plain)->git_blob, nullptr);
}

// A walker thread can give git blob ids to files another thread listed: its table then holds text and no entries,
// and that text must be taken over with the rest.
TEST(FileTable, AbsorbTakesATableOfTextAlone) {
  FileTable lister;
  FileEntry* e = lister.add("listed/here");
  FileTable other;
  const std::array<unsigned char, 20> id{1, 2, 3};
  other.set_git_blob(e, id);
  ASSERT_EQ(other.size(), 0u);
  const size_t before = lister.memory_bytes();
  const size_t text = other.memory_bytes();
  ASSERT_GT(text, 0u);
  lister.absorb(std::move(other));
  EXPECT_EQ(lister.memory_bytes(), before + text);
  EXPECT_EQ(other.memory_bytes(), 0u);
  EXPECT_EQ(e->git_blob_id()[2], 3);

  FileTable empty;  // and the other way round: an empty table absorbing one of text alone
  FileTable text_only;
  text_only.set_git_blob(e, id);
  const size_t held = text_only.memory_bytes();
  empty.absorb(std::move(text_only));
  EXPECT_EQ(empty.memory_bytes(), held);
}

TEST(FileTable, AbsorbKeepsEveryAddressAndBothTablesCanGoOn) {
  FileTable into;
  std::vector<Handed> handed;
  for (size_t i = 0; i < 10; ++i) handed.push_back(add(into, name_of(i), i));  // a partly used last chunk
  {
    FileTable other;
    for (size_t i = 10; i < 9000; ++i) handed.push_back(add(other, name_of(i), i));  // and another one
    handed.push_back(add(other, std::string(300000, 'L'), 1));
    for (size_t i = 9000; i < 9100; ++i) handed.push_back(add(other, name_of(i), i));
    into.absorb(std::move(other));
    EXPECT_EQ(other.size(), 0u);
    EXPECT_EQ(into.size(), handed.size());
    // The emptied table is a table again.
    std::vector<Handed> again;
    for (size_t i = 0; i < 5000; ++i) again.push_back(add(other, "again" + std::to_string(i), i));
    expect_intact(again);
  }
  scribble();
  // Adding after absorbing fills the table's own last chunks, never over the absorbed entries or their paths.
  for (size_t i = 9100; i < 20000; ++i) handed.push_back(add(into, name_of(i), i));
  EXPECT_EQ(into.size(), handed.size());
  expect_intact(handed);
}

TEST(FileTable, AbsorbIntoAnEmptyTableAndOfAnEmptyTable) {
  FileTable empty_into, full;
  std::vector<Handed> handed;
  for (size_t i = 0; i < 100; ++i) handed.push_back(add(full, name_of(i), i));
  empty_into.absorb(std::move(full));
  EXPECT_EQ(empty_into.size(), 100u);
  FileTable nothing;
  empty_into.absorb(std::move(nothing));
  EXPECT_EQ(empty_into.size(), 100u);
  for (size_t i = 100; i < 5000; ++i) handed.push_back(add(empty_into, name_of(i), i));
  scribble();
  expect_intact(handed);
}

TEST(FileTable, MovedTableKeepsItsEntries) {
  FileTable table;
  std::vector<Handed> handed;
  for (size_t i = 0; i < 5000; ++i) handed.push_back(add(table, name_of(i), i));
  FileTable moved(std::move(table));
  FileTable assigned;
  assigned = std::move(moved);
  scribble();
  EXPECT_EQ(assigned.size(), 5000u);
  expect_intact(handed);
}

std::vector<std::string> paths(const std::vector<const FileEntry*>& files) {
  std::vector<std::string> out;
  for (const FileEntry* f : files) out.emplace_back(f->path);
  return out;
}

TEST(SortCanonical, FilesSortBytewise) {
  FileTable table;
  std::vector<const FileEntry*> files;
  // '.' 0x2e < '/' 0x2f < '0' 0x30 < 'B' 0x42 < 'a' 0x61 < 0xc3 0xa9 (é in UTF-8) < 0xff: a locale-aware, case-folding,
  // signed-char or path-component order would put some of these elsewhere.
  for (const char* p : {"caf\xc3\xa9", "a", "B", "a/b", "a.b", "a0", "\xff", "A", "a\x01", "_"}) {
    files.push_back(table.add(p));
  }
  sort_canonical(files);
  EXPECT_THAT(paths(files), ElementsAre("A", "B", "_", "a", "a\x01", "a.b", "a/b", "a0", "caf\xc3\xa9", "\xff"));
}

TEST(SortCanonical, ParallelSortGivesTheSameOrderAsOneThread) {
  FileTable table;
  std::vector<const FileEntry*> files;
  std::mt19937 rng(12345);
  std::uniform_int_distribution<int> byte(0, 255), length(0, 12);
  for (size_t i = 0; i < 16384 * 3 + 4321; ++i) {  // three slices' worth where there are three cores
    std::string p;
    const int n = length(rng);
    for (int k = 0; k < n; ++k) p.push_back(static_cast<char>(byte(rng)));
    p += "#" + std::to_string(i);  // unique, so the order is total
    files.push_back(table.add(p));
  }
  std::vector<const FileEntry*> expected = files;
  std::sort(expected.begin(), expected.end(), [](const FileEntry* a, const FileEntry* b) { return a->path < b->path; });
  for (const unsigned threads : {2u, 3u, 8u}) {
    std::vector<const FileEntry*> sorted = files;
    sort_canonical(sorted, threads);
    EXPECT_TRUE(sorted == expected) << threads << " threads";
  }
  std::vector<const FileEntry*> one = files;
  sort_canonical(one, 1);
  EXPECT_TRUE(one == expected);
}

// Paths over a tiny alphabet (NUL among it) with long shared prefixes: every way two paths can relate at an
// eight-byte boundary (one ends there, one goes on with a NUL, both go on) occurs, many times over.
TEST(SortCanonical, LongSharedPrefixesSortAsStrings) {
  FileTable table;
  std::vector<const FileEntry*> files;
  std::set<std::string> seen;
  std::mt19937 rng(777);
  std::uniform_int_distribution<int> pick(0, 3), length(0, 40);
  const std::string shared(37, 's');
  for (size_t i = 0; i < 40000; ++i) {
    std::string p = i % 3 == 0 ? std::string() : shared.substr(0, i % 38);
    const int n = length(rng);
    for (int k = 0; k < n; ++k) p.push_back("\0a/b"[pick(rng)]);
    if (seen.insert(p).second) files.push_back(table.add(p));
  }
  std::vector<const FileEntry*> expected = files;
  std::sort(expected.begin(), expected.end(), [](const FileEntry* a, const FileEntry* b) { return a->path < b->path; });
  for (const unsigned threads : {1u, 2u}) {
    std::vector<const FileEntry*> sorted = files;
    sort_canonical(sorted, threads);
    EXPECT_TRUE(sorted == expected) << threads << " threads";
  }
}

TEST(SortCanonical, OtherListsSortByPathAndErrorsThenByMessage) {
  std::vector<ErrorEntry> errors = {{"b", "z"}, {"a", "y"}, {"b", "a"}, {"a\xff", "m"}, {"a", "b"}};
  sort_canonical(errors);
  std::vector<std::string> got;
  for (const auto& e : errors) got.push_back(e.path + ":" + e.message);
  EXPECT_THAT(got, ElementsAre("a:b", "a:y", "a\xff:m", "b:a", "b:z"));

  std::vector<SymlinkEntry> links = {{"b", "1", ""}, {"a/b", "2", ""}, {"a.b", "3", ""}};
  sort_canonical(links);
  EXPECT_EQ(links[0].path, "a.b");
  EXPECT_EQ(links[1].path, "a/b");
  EXPECT_EQ(links[2].path, "b");

  std::vector<SkippedEntry> skipped = {{"z", "fifo"}, {"\xe9", "socket"}, {"Z", "fifo"}};
  sort_canonical(skipped);
  EXPECT_EQ(skipped[0].path, "Z");
  EXPECT_EQ(skipped[1].path, "z");
  EXPECT_EQ(skipped[2].path, "\xe9");
}

TEST(SortCanonical, ManifestSortsEveryList) {
  Manifest m;
  m.files = {m.table.add("b"), m.table.add("a")};
  m.symlinks = {{"d", "t", ""}, {"c", "t", ""}};
  m.skipped = {{"f", "fifo"}, {"e", "fifo"}};
  m.errors = {{"h", "x"}, {"g", "x"}};
  sort_canonical(m, 2);
  EXPECT_EQ(m.files[0]->path, "a");
  EXPECT_EQ(m.symlinks[0].path, "c");
  EXPECT_EQ(m.skipped[0].path, "e");
  EXPECT_EQ(m.errors[0].path, "g");
}

}  // namespace
}  // namespace treeprint
