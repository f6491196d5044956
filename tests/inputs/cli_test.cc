#include "inputs/cli.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

namespace treeprint {
namespace {

Command parse(std::vector<const char*> args) {
  args.insert(args.begin(), "treeprint");
  return parse_command_line(static_cast<int>(args.size()), args.data());
}

TEST(Cli, ScanDefaults) {
  const Command c = parse({"scan"});
  const auto* o = std::get_if<ScanOptions>(&c);
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->dir, ".");
  EXPECT_EQ(o->output, "");
  EXPECT_TRUE(o->gitignore);
  EXPECT_FALSE(o->scan_git_dir);
  EXPECT_FALSE(o->follow_symlinks);
  EXPECT_FALSE(o->since_ns.has_value());
  EXPECT_EQ(o->threads, std::max(1u, std::thread::hardware_concurrency()));
}

TEST(Cli, EveryOption) {
  const Command c =
      parse({"scan", "src", "-o", "m.json", "--sha256sum", "s", "-j", "3", "--no-gitignore", "--scan-git-dir",
             "--since", "10", "-L", "-q", "--exclude", "a", "--include", "b", "--exclude=c"});
  const auto* o = std::get_if<ScanOptions>(&c);
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->dir, "src");
  EXPECT_EQ(o->output, "m.json");
  EXPECT_EQ(o->sha256sum_path, "s");
  EXPECT_EQ(o->threads, 3u);
  EXPECT_FALSE(o->gitignore);
  EXPECT_TRUE(o->scan_git_dir);
  EXPECT_EQ(o->since_ns, 10'000'000'000);
  EXPECT_TRUE(o->follow_symlinks);
  EXPECT_TRUE(o->quiet);
  ASSERT_EQ(o->filters.size(), 3u);  // in command-line order, across both flags
  EXPECT_FALSE(o->filters[0].include);
  EXPECT_EQ(o->filters[0].pattern, "a");
  EXPECT_TRUE(o->filters[1].include);
  EXPECT_EQ(o->filters[1].pattern, "b");
  EXPECT_EQ(o->filters[2].pattern, "c");
}

TEST(Cli, VersionAndHelp) {
  EXPECT_TRUE(std::holds_alternative<VersionCommand>(parse({"--version"})));
  const Command help = parse({"scan", "--help"});
  ASSERT_TRUE(std::holds_alternative<HelpCommand>(help));
  EXPECT_THAT(std::get<HelpCommand>(help).text, ::testing::HasSubstr("--follow-symlinks"));
}

TEST(Cli, ExtraPositionalIsAnError) {
  const Command c = parse({"scan", "a", "b"});
  ASSERT_TRUE(std::holds_alternative<UsageError>(c));
  EXPECT_THAT(std::get<UsageError>(c).message, ::testing::HasSubstr("b"));
}

}  // namespace
}  // namespace treeprint
