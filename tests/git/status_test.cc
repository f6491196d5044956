#include "git/status.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <functional>

#include "git/git_repo.h"
#include "git/repository.h"

namespace treeprint::git {
namespace {

using testing::GitRepo;

IndexEntry recorded() {
  IndexEntry e;
  e.path = "f";
  e.mode = k_mode_file;
  e.size = 5;
  e.mtime = {1000, 500};
  e.ctime = {1001, 600};
  e.dev = 7;
  e.ino = 8;
  e.uid = 9;
  e.gid = 10;
  e.id = hash_object(ObjectFormat::sha1, "blob", "12345");
  return e;
}

struct stat on_disk() {
  struct stat st {};
  st.st_mode = S_IFREG | 0644;
  st.st_size = 5;
  st.st_mtim = {1000, 500};
  st.st_ctim = {1001, 600};
  st.st_dev = 7;
  st.st_ino = 8;
  st.st_uid = 9;
  st.st_gid = 10;
  return st;
}

constexpr IndexTime k_index_written{2000, 0};

struct Case {
  const char* name;
  std::function<void(IndexEntry&, struct stat&)> change;
  StatMatch expected;
};

TEST(MatchStat, Table) {
  const std::vector<Case> cases = {
      {"identical", [](IndexEntry&, struct stat&) {}, StatMatch::clean},
      {"unmerged", [](IndexEntry& e, struct stat&) { e.flags |= 0x2000; }, StatMatch::unmerged},
      {"intent to add", [](IndexEntry& e, struct stat&) { e.extended_flags |= k_extended_intent_to_add; },
       StatMatch::intent_to_add},
      {"gitlink", [](IndexEntry& e, struct stat& st) { e.mode = k_mode_gitlink; st.st_mode = S_IFDIR | 0755; },
       StatMatch::gitlink},
      {"now a directory", [](IndexEntry&, struct stat& st) { st.st_mode = S_IFDIR | 0755; },
       StatMatch::type_changed},
      {"now a symlink", [](IndexEntry&, struct stat& st) { st.st_mode = S_IFLNK | 0777; }, StatMatch::type_changed},
      {"symlink now a file", [](IndexEntry& e, struct stat&) { e.mode = k_mode_symlink; }, StatMatch::type_changed},
      {"symlink", [](IndexEntry& e, struct stat& st) { e.mode = k_mode_symlink; st.st_mode = S_IFLNK | 0777; },
       StatMatch::clean},
      {"became executable", [](IndexEntry&, struct stat& st) { st.st_mode = S_IFREG | 0744; },
       StatMatch::mode_changed},
      {"lost its x bit", [](IndexEntry& e, struct stat&) { e.mode = k_mode_executable; }, StatMatch::mode_changed},
      {"executable", [](IndexEntry& e, struct stat& st) { e.mode = k_mode_executable; st.st_mode = S_IFREG | 0755; },
       StatMatch::clean},
      {"group and other bits do not count", [](IndexEntry&, struct stat& st) { st.st_mode = S_IFREG | 0611; },
       StatMatch::clean},
      {"size", [](IndexEntry&, struct stat& st) { st.st_size = 6; }, StatMatch::size_changed},
      {"size beyond 4 GiB compares its low 32 bits",
       [](IndexEntry&, struct stat& st) { st.st_size = (off_t{1} << 32) + 5; }, StatMatch::clean},
      {"mtime seconds", [](IndexEntry&, struct stat& st) { st.st_mtim.tv_sec += 1; }, StatMatch::mtime_changed},
      {"mtime nanoseconds", [](IndexEntry&, struct stat& st) { st.st_mtim.tv_nsec += 1; }, StatMatch::mtime_changed},
      {"mtime nanoseconds not recorded", [](IndexEntry& e, struct stat&) { e.mtime.nanoseconds = 0; },
       StatMatch::mtime_changed},
      {"ctime seconds", [](IndexEntry&, struct stat& st) { st.st_ctim.tv_sec += 1; }, StatMatch::ctime_changed},
      {"ctime nanoseconds", [](IndexEntry&, struct stat& st) { st.st_ctim.tv_nsec -= 1; }, StatMatch::ctime_changed},
      {"inode", [](IndexEntry&, struct stat& st) { st.st_ino = 80; }, StatMatch::inode_changed},
      {"device", [](IndexEntry&, struct stat& st) { st.st_dev = 70; }, StatMatch::device_changed},
      {"uid", [](IndexEntry&, struct stat& st) { st.st_uid = 0; }, StatMatch::owner_changed},
      {"gid", [](IndexEntry&, struct stat& st) { st.st_gid = 0; }, StatMatch::owner_changed},
      {"smudged to size 0", [](IndexEntry& e, struct stat& st) { e.size = 0; st.st_size = 0; }, StatMatch::smudged},
      {"empty blob of size 0",
       [](IndexEntry& e, struct stat& st) {
         e.size = 0;
         st.st_size = 0;
         e.id = empty_blob_id(ObjectFormat::sha1);
       },
       StatMatch::clean},
      {"modified in the second the index was written",
       [](IndexEntry& e, struct stat& st) {
         e.mtime = {k_index_written.seconds, 100};
         st.st_mtim = {k_index_written.seconds, 100};
       },
       StatMatch::racy},
      {"modified after the index was written",
       [](IndexEntry& e, struct stat& st) {
         e.mtime = {k_index_written.seconds + 5, 0};
         st.st_mtim = {k_index_written.seconds + 5, 0};
       },
       StatMatch::racy},
      {"modified the second before",
       [](IndexEntry& e, struct stat& st) {
         e.mtime = {k_index_written.seconds - 1, 999999999};
         st.st_mtim = {k_index_written.seconds - 1, 999999999};
       },
       StatMatch::clean},
      {"assume-unchanged is not trusted",
       [](IndexEntry& e, struct stat& st) {
         e.flags |= k_flag_assume_valid;
         st.st_size = 99;
       },
       StatMatch::size_changed},
      {"skip-worktree is not trusted",
       [](IndexEntry& e, struct stat& st) {
         e.extended_flags |= k_extended_skip_worktree;
         st.st_ino = 1;
       },
       StatMatch::inode_changed},
  };
  for (const auto& c : cases) {
    IndexEntry e = recorded();
    struct stat st = on_disk();
    c.change(e, st);
    const StatMatch got = match_stat(e, st, k_index_written);
    EXPECT_EQ(got, c.expected) << c.name << ": got " << stat_match_name(got) << ", expected "
                               << stat_match_name(c.expected);
  }
}

// Real files in a real repository, judged against git's own view of them.
class MatchStatOnDisk : public ::testing::Test {
 protected:
  void SetUp() override {
    m_repo.init();
    m_repo.write("same.txt", "12345\n");
    m_repo.write("other.txt", "other\n");
    // Files older than the index: git records them, and they are not racily clean.
    m_repo.git("add -A && touch -d '2020-01-01 00:00:00' same.txt other.txt && git add -A && git commit -q -m c");
  }

  StatMatch judge(const std::string& path) {
    auto repo = discover_repository(m_repo.root());
    EXPECT_TRUE(repo.ok() && *repo) << repo.error();
    auto index = Index::read((*repo)->index_path(), (*repo)->format);
    EXPECT_TRUE(index.ok()) << index.error();
    struct stat st {};
    EXPECT_EQ(::lstat((m_repo.root() + "/" + path).c_str(), &st), 0);
    const auto pos = index->find(path);
    EXPECT_TRUE(pos.has_value()) << path;
    return match_stat(index->entry(*pos), st, index->file_mtime());
  }

  // The file's content is not the entry's blob: calling it clean would be wrong.
  bool content_differs(const std::string& path) {
    return m_repo.git("hash-object " + path) != m_repo.git("rev-parse :" + path);
  }

  GitRepo m_repo;
};

TEST_F(MatchStatOnDisk, UntouchedFilesAreClean) {
  EXPECT_EQ(judge("same.txt"), StatMatch::clean);
  EXPECT_EQ(judge("other.txt"), StatMatch::clean);
}

// git built without USE_NSEC (Debian's) compares ctime in whole seconds and misses this edit when it happens in the
// second the file was added; the nanoseconds catch it.
TEST_F(MatchStatOnDisk, SameSizeRewriteWithTheMtimeRestoredIsCaughtByCtime) {
  m_repo.sh("cp -p same.txt ref && printf '54321\\n' > same.txt && touch -r ref same.txt && rm ref");
  EXPECT_EQ(judge("same.txt"), StatMatch::ctime_changed);
  EXPECT_TRUE(content_differs("same.txt"));
  EXPECT_EQ(judge("other.txt"), StatMatch::clean);
}

TEST_F(MatchStatOnDisk, OtherSizeWithTheMtimeRestoredIsCaughtBySize) {
  m_repo.sh("cp -p same.txt ref && printf 'longer\\n' > same.txt && touch -r ref same.txt && rm ref");
  EXPECT_EQ(judge("same.txt"), StatMatch::size_changed);
  EXPECT_TRUE(content_differs("same.txt"));
}

TEST_F(MatchStatOnDisk, SameSizeRewriteIsCaughtByMtime) {
  m_repo.write("same.txt", "54321\n");
  EXPECT_EQ(judge("same.txt"), StatMatch::mtime_changed);
  EXPECT_TRUE(content_differs("same.txt"));
}

TEST_F(MatchStatOnDisk, ChmodIsAModeChange) {
  m_repo.sh("chmod +x same.txt");
  EXPECT_EQ(judge("same.txt"), StatMatch::mode_changed);
  EXPECT_NE(m_repo.git("diff-files --name-only"), "");  // git sees it too
}

TEST_F(MatchStatOnDisk, ReplacedByADirectoryIsATypeChange) {
  m_repo.sh("rm other.txt && mkdir other.txt");
  EXPECT_EQ(judge("other.txt"), StatMatch::type_changed);
}

TEST_F(MatchStatOnDisk, WrittenInTheSameSecondAsTheIndexIsRacy) {
  // A file git recorded, and an index whose mtime is in the same second as the file's: git writes an index just
  // after adding files all the time. Make the seconds equal for sure by giving the index the file's mtime.
  m_repo.write("fresh.txt", "fresh\n");
  m_repo.git("add fresh.txt && touch -r fresh.txt .git/index");
  EXPECT_EQ(judge("fresh.txt"), StatMatch::racy);
  EXPECT_EQ(judge("same.txt"), StatMatch::clean);  // older than the index: trusted
  // One second later, the same entry would have been trusted.
  m_repo.sh("touch -d @$(( $(stat -c %Y fresh.txt) + 1 )) .git/index");
  EXPECT_EQ(judge("fresh.txt"), StatMatch::clean);
}

}  // namespace
}  // namespace treeprint::git
