#include "manifest/verify.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "manifest/tree_builder.h"

namespace treeprint {
namespace {

using ::testing::HasSubstr;

using Tree = testing::TreeBuilder;

TEST(Verify, ClassifiesFailedMissingNewAndUnreadable) {
  Tree expected, actual;
  expected.file("same", "x").file("changed", "old").file("chmod", "c").file("gone", "g").file("locked", "l");
  actual.file("same", "x").file("changed", "new").file("chmod", "c", true).file("extra", "e").error("locked");
  const VerifyReport r = verify_tree(expected.manifest(), actual.manifest(), false);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.failed(), 2u);  // content and mode
  EXPECT_EQ(r.missing(), 1u);  // "gone"; "locked" is unreadable now: nothing is known of it, so not missing
  EXPECT_EQ(r.added(), 1u);
  ASSERT_EQ(r.diff.unreadable.size(), 1u);
  EXPECT_EQ(r.diff.unreadable[0].path, "locked");
  EXPECT_EQ(r.manifest_gaps, 0u);
  const std::string text = render_verify_text(r);
  EXPECT_THAT(text, HasSubstr("changed: FAILED (modified: 3 B -> 3 B)\n"));
  EXPECT_THAT(text, HasSubstr("chmod: FAILED (mode-changed: 0644 -> 0755)\n"));
  EXPECT_THAT(text, HasSubstr("gone: MISSING\n"));
  EXPECT_THAT(text, HasSubstr("extra: NEW (not in the manifest)\n"));
  EXPECT_THAT(text, HasSubstr("locked: FAILED open or read (cannot open: Permission denied)\n"));
  EXPECT_EQ(verify_summary(r), "verify: FAILED; 2 differ, 1 missing, 1 new, 1 unreadable");
}

TEST(Verify, NewFilesCanBeAllowed) {
  Tree expected, actual;
  expected.file("a", "1");
  actual.file("a", "1").file("b", "2");
  EXPECT_FALSE(verify_tree(expected.manifest(), actual.manifest(), false).ok());
  const VerifyReport r = verify_tree(expected.manifest(), actual.manifest(), true);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.added(), 0u);
  EXPECT_EQ(verify_summary(r), "verify: OK; 0 differ, 0 missing, 0 new (allowed), 0 unreadable");
}

TEST(Verify, WhatTheManifestCouldNotReadIsNotTheTreesFault) {
  Tree expected, actual;
  expected.file("a", "1").error("was-locked");
  actual.file("a", "1").file("was-locked", "now readable");
  const VerifyReport r = verify_tree(expected.manifest(), actual.manifest(), true);
  EXPECT_TRUE(r.ok()) << render_verify_text(r);
  EXPECT_EQ(r.manifest_gaps, 1u);
}

TEST(Verify, RenamesAreReportedAsMissingAndNew) {
  Tree expected, actual;
  expected.file("old", "content");
  actual.file("new", "content");
  const VerifyReport r = verify_tree(expected.manifest(), actual.manifest(), false);
  EXPECT_EQ(r.missing(), 1u);
  EXPECT_EQ(r.added(), 1u);
}

}  // namespace
}  // namespace treeprint
