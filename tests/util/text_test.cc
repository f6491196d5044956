#include "util/text.h"

#include <gtest/gtest.h>

#include <vector>

namespace treeprint {
namespace {

TEST(Text, ValidUtf8IsStrict) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));      // a surrogate
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xe2\x82"));          // cut short
  EXPECT_FALSE(is_valid_utf8("\xff"));
}

TEST(Text, SequenceLength) {
  const std::string_view s = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\x80";
  EXPECT_EQ(utf8_sequence_length(s, 0), 1u);
  EXPECT_EQ(utf8_sequence_length(s, 1), 2u);
  EXPECT_EQ(utf8_sequence_length(s, 3), 3u);
  EXPECT_EQ(utf8_sequence_length(s, 6), 4u);
  EXPECT_EQ(utf8_sequence_length(s, 10), 0u);  // a lone continuation byte
  EXPECT_EQ(utf8_sequence_length("\xe2\x82", 0), 0u);
}

TEST(Text, RepairPolicies) {
  const std::string bad = "ok \xff caf\xc3\xa9 \xc0\xaf end\xe2\x82";
  EXPECT_EQ(utf8_replacing_invalid(bad), "ok \xEF\xBF\xBD caf\xc3\xa9 \xEF\xBF\xBD\xEF\xBF\xBD end\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(utf8_escaping_invalid(bad), "ok \\xff caf\xc3\xa9 \\xc0\\xaf end\\xe2\\x82");
  EXPECT_TRUE(is_valid_utf8(utf8_replacing_invalid(bad)));
  EXPECT_EQ(utf8_replacing_invalid("already fine\n"), "already fine\n");
}

TEST(Text, TruncateNeverCutsACharacter) {
  EXPECT_EQ(truncate_utf8("short", 10), "short");
  EXPECT_EQ(truncate_utf8("abcdefghij", 6, "..."), "abc...");
  // "é" is two bytes: a cut after 4 bytes would split it; the result stays valid and within the limit.
  const std::string t = truncate_utf8("abc\xc3\xa9xyz", 6, "..");
  EXPECT_EQ(t, "abc..");
  EXPECT_TRUE(is_valid_utf8(t));
  EXPECT_LE(truncate_utf8(std::string(100, 'x'), 10).size(), 10u);
  EXPECT_EQ(truncate_utf8("abcdef", 2, "...."), "..");  // the note itself cut to fit
}

TEST(Text, Base64RoundTripsAndStrictDecodingRefusesNonCanonicalText) {
  for (const std::string& s : std::vector<std::string>{"", "f", "fo", "foo", "foob", "fooba", "foobar",
                                                         std::string("\0\xff\x80", 3)}) {
    const std::string e = base64_encode(s);
    const auto d = base64_decode_strict(e);
    ASSERT_TRUE(d) << e;
    EXPECT_EQ(*d, s);
  }
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_FALSE(base64_decode_strict("Zm9vYmE"));    // no padding
  EXPECT_FALSE(base64_decode_strict("Zm9=YmE="));   // padding inside
  EXPECT_FALSE(base64_decode_strict("Zm9vYmF="));   // a non-zero bit after the last byte: not canonical
  EXPECT_FALSE(base64_decode_strict("Zm9v-mFy"));   // the url alphabet
}

TEST(Text, Base64UrlAcceptsBothAlphabetsWithoutPadding) {
  EXPECT_EQ(base64url_decode("eyJhIjoxfQ"), "{\"a\":1}");
  EXPECT_EQ(base64url_decode("-_8"), base64url_decode("+/8"));
  EXPECT_EQ(*base64url_decode("-_8"), std::string("\xfb\xff"));
  EXPECT_FALSE(base64url_decode("a b"));
}

TEST(Text, JsonStringEscapesOnlyWhatItMust) {
  std::string out;
  append_json_string(out, "a\"b\\c\nd\te\x01 caf\xc3\xa9 </script>");
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\nd\\te\\u0001 caf\xc3\xa9 </script>\"");
}

}  // namespace
}  // namespace treeprint
