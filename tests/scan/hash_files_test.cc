#include "scan/hash_files.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_support.h"
#include "util/format.h"
#include "util/sha256.h"

namespace treeprint {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// The runner's formula: SHA-256 over the concatenated SHA-256 digests of the files, in order.
std::string expected(const std::vector<std::string>& contents) {
  Sha256 total;
  for (const std::string& c : contents) {
    const Digest d = Sha256::of(c);
    total.update(d.data(), d.size());
  }
  return to_hex(total.finish());
}

class HashFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir.write("b/z.txt", "z");
    dir.write("b/.hidden", "h");
    dir.write("a-c", "dash");
    dir.write("a/b", "slash");
    dir.write("empty", "");
    dir.symlink("a/b", "link");
    dir.symlink("a", "dirlink");
  }
  Result<HashFilesResult> run(std::string_view patterns, bool follow = false) {
    return hash_files(dir.path(), patterns, HashFilesOptions{follow});
  }
  testing::TempDir dir;
};

TEST_F(HashFilesTest, DepthFirstWithNamesSortedPerDirectory) {
  auto r = run("**");
  ASSERT_TRUE(r.ok()) << r.error();
  // "a/b" before "a-c": each directory's names in byte order, descended as met (not a sort of whole paths).
  EXPECT_THAT(r->files, ElementsAre("a/b", "a-c", "b/.hidden", "b/z.txt", "empty", "link"));
  EXPECT_EQ(r->hash, expected({"slash", "dash", "h", "z", "", "slash"}));
}

TEST_F(HashFilesTest, PatternOrderDecidesTheSearchOrder) {
  auto r = run("b/**\na/**");
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r->files, ElementsAre("b/.hidden", "b/z.txt", "a/b"));
}

TEST_F(HashFilesTest, NegationDirectoriesAndSymlinks) {
  EXPECT_THAT(run("**\n!b\n!link\n!empty")->files, ElementsAre("a/b", "a-c"));
  EXPECT_THAT(run("**\n!b/**\nb/z.txt")->files, ElementsAre("a/b", "a-c", "b/z.txt", "empty", "link"));
  EXPECT_TRUE(run("dirlink/**")->files.empty());  // not descended without --follow-symbolic-links
  EXPECT_THAT(run("dirlink/**", true)->files, ElementsAre("dirlink/b"));
}

TEST_F(HashFilesTest, NoMatchIsEmpty) {
  auto r = run("nothing/**\n*.none");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->hash, "");
  EXPECT_EQ(run("")->hash, "");
}

TEST_F(HashFilesTest, WhatTheRunnerRejects) {
  EXPECT_THAT(run("../x").error(), HasSubstr("'..' is not allowed"));
  EXPECT_THAT(run("a/./b").error(), HasSubstr("'..' is not allowed"));
  dir.symlink("missing", "broken");
  EXPECT_THAT(run("broken").error(), HasSubstr("broken symlink"));
  EXPECT_TRUE(run("**", true).ok());  // following links, a broken one is left out
}

TEST(HashFilesArguments, AsTheRunnerTakesThem) {
  HashFilesOptions o;
  EXPECT_EQ(*hash_files_arguments({"--Follow-Symbolic-Links", "a/**", "b"}, &o), "a/**\nb");
  EXPECT_TRUE(o.follow_symlinks);
  HashFilesOptions p;
  EXPECT_EQ(*hash_files_arguments({"a", "--follow-symbolic-links"}, &p), "a\n--follow-symbolic-links");
  EXPECT_FALSE(p.follow_symlinks);
  EXPECT_THAT(hash_files_arguments({"--nope"}, &p).error(), HasSubstr("not a hashFiles() option"));
}

}  // namespace
}  // namespace treeprint
