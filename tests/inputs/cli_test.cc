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

std::string usage_error(std::vector<const char*> args) {
  const Command c = parse(std::move(args));
  const auto* e = std::get_if<UsageError>(&c);
  return e != nullptr ? e->message : "(no usage error)";
}

TEST(Cli, ScanBaselineAndShard) {
  const Command c = parse({"scan", "d", "-o", "m.json", "--baseline", "old.json", "--rehash-all", "--shard", "3/8"});
  const auto* o = std::get_if<ScanOptions>(&c);
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->baseline, "old.json");
  EXPECT_TRUE(o->rehash_all);
  EXPECT_EQ(o->shard_index, 3u);
  EXPECT_EQ(o->shard_count, 8u);
  for (const char* bad : {"0/3", "4/3", "3", "a/b", "1/0", "1/3x", "-1/3"}) {
    EXPECT_THAT(usage_error({"scan", "--shard", bad}), ::testing::HasSubstr("--shard")) << bad;
  }
  EXPECT_THAT(usage_error({"scan", "--rehash-all"}), ::testing::HasSubstr("--rehash-all needs --baseline"));
  EXPECT_THAT(usage_error({"scan", "--baseline", "m.json"}), ::testing::HasSubstr("--baseline needs -o"));
}

TEST(Cli, ManifestCommands) {
  {
    const Command c = parse({"diff", "old.json", "src", "--format", "markdown", "--exclude", "*.o", "-q"});
    const auto* o = std::get_if<DiffOptions>(&c);
    ASSERT_NE(o, nullptr);
    EXPECT_EQ(o->old_side, "old.json");
    EXPECT_EQ(o->new_side, "src");
    EXPECT_EQ(o->format, ReportFormat::markdown);
    ASSERT_EQ(o->scan.filters.size(), 1u);
    EXPECT_TRUE(o->scan.quiet);
  }
  {
    const Command c = parse({"verify", "m.json", "--allow-new"});
    const auto* o = std::get_if<VerifyOptions>(&c);
    ASSERT_NE(o, nullptr);
    EXPECT_EQ(o->dir, ".");
    EXPECT_TRUE(o->allow_new);
  }
  {
    const Command c = parse({"merge", "a.json", "b.json", "-o", "all.json"});
    const auto* o = std::get_if<MergeOptions>(&c);
    ASSERT_NE(o, nullptr);
    EXPECT_EQ(o->parts, (std::vector<std::string>{"a.json", "b.json"}));
    EXPECT_EQ(o->output, "all.json");
  }
  {
    const Command c = parse({"export", "m.json", "--format", "in-toto", "-o", "s.json"});
    const auto* o = std::get_if<ExportOptions>(&c);
    ASSERT_NE(o, nullptr);
    EXPECT_EQ(o->format, ExportFormat::in_toto);
    EXPECT_EQ(o->output, "s.json");
  }
  EXPECT_TRUE(std::holds_alternative<InspectOptions>(parse({"inspect", "m.json", "--json"})));
  EXPECT_THAT(usage_error({"diff", "a"}), ::testing::HasSubstr("NEW"));
  EXPECT_THAT(usage_error({"diff", "a", "b", "--format", "xml"}), ::testing::HasSubstr("text, json or markdown"));
  EXPECT_THAT(usage_error({"merge", "a.json"}), ::testing::HasSubstr("--output"));
  EXPECT_THAT(usage_error({"export", "m.json", "--format", "spdx"}), ::testing::HasSubstr("subject-checksums"));
  EXPECT_THAT(usage_error({"inspect"}), ::testing::HasSubstr("MANIFEST"));
}

}  // namespace
}  // namespace treeprint
