#include "inputs/time_spec.h"

#include <gtest/gtest.h>

namespace treeprint {
namespace {

int64_t ok(const char* text) {
  auto v = parse_time_spec(text);
  EXPECT_TRUE(v.ok()) << text << ": " << v.error();
  return v ? *v : 0;
}

TEST(TimeSpec, UnixSeconds) {
  EXPECT_EQ(ok("0"), 0);
  EXPECT_EQ(ok("1704164645"), 1704164645'000'000'000);
  EXPECT_EQ(ok("1704164645.25"), 1704164645'250'000'000);
  EXPECT_EQ(ok("-5"), -5'000'000'000);
}

TEST(TimeSpec, Rfc3339) {
  EXPECT_EQ(ok("2024-01-02T03:04:05Z"), 1704164645'000'000'000);
  EXPECT_EQ(ok("2024-01-02t03:04:05z"), 1704164645'000'000'000);
  EXPECT_EQ(ok("2024-01-02 03:04:05Z"), 1704164645'000'000'000);
  EXPECT_EQ(ok("2024-01-02T05:04:05+02:00"), 1704164645'000'000'000);
  EXPECT_EQ(ok("2024-01-01T22:04:05-05:00"), 1704164645'000'000'000);
  EXPECT_EQ(ok("2024-01-02T03:04:05.123456789Z"), 1704164645'123'456'789);
  EXPECT_EQ(ok("2024-01-02T03:04:05.5Z"), 1704164645'500'000'000);
  EXPECT_EQ(ok("1969-12-31T23:59:59Z"), -1'000'000'000);
  EXPECT_EQ(ok("2024-02-29T00:00:00Z"), 1709164800'000'000'000);
}

TEST(TimeSpec, RejectsWithAClearMessage) {
  EXPECT_EQ(parse_time_spec("yesterday").error(),
            "'yesterday' is not a time: use RFC 3339 (2024-01-02T03:04:05Z, 2024-01-02T03:04:05.5+02:00) or Unix "
            "seconds (1704164645)");
  EXPECT_EQ(parse_time_spec("2023-02-29T00:00:00Z").error(), "'2023-02-29T00:00:00Z' is not a valid date and time");
  EXPECT_FALSE(parse_time_spec("2024-01-02T03:04:05"));  // no zone
  EXPECT_FALSE(parse_time_spec("2024-01-02T25:00:00Z"));
  EXPECT_EQ(parse_time_spec("99999999999999999999").error(), "'99999999999999999999' is out of range");
  EXPECT_FALSE(parse_time_spec(""));
  EXPECT_FALSE(parse_time_spec("yesterday"));
}

}  // namespace
}  // namespace treeprint
