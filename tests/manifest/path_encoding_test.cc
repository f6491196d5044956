#include "manifest/path_encoding.h"

#include <gtest/gtest.h>

namespace treeprint {
namespace {

TEST(Utf8, AcceptsValidRejectsInvalid) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain/ascii"));
  EXPECT_TRUE(is_valid_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
  EXPECT_FALSE(is_valid_utf8("\xff"));
  EXPECT_FALSE(is_valid_utf8("latin1 caf\xe9"));
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xe2\x82"));          // truncated
}

TEST(Base64, Rfc4648Vectors) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode("\xff\xfe"), "//4=");
}

TEST(Json, EscapesOnlyWhatJsonRequires) {
  std::string out;
  append_json_string(out,
                     "a\"b\\c\nd\te\x01"
                     "f\x7f\xc3\xa9/");
  EXPECT_EQ(out,
            "\"a\\\"b\\\\c\\nd\\te\\u0001f\x7f"
            "\xc3\xa9/\"");
}

TEST(Json, NamesThatAreNotUtf8AreKeptLosslessly) {
  std::string out;
  append_json_name(out, "path", "ok/name");
  EXPECT_EQ(out, "\"path\": \"ok/name\"");
  out.clear();
  append_json_name(out, "path", "bad\xff");
  EXPECT_EQ(out, "\"path_base64\": \"YmFk/w==\"");
}

TEST(ChecksumNames, EscapedLikeCoreutils) {
  std::string escaped;
  EXPECT_FALSE(escape_checksum_name("plain name -x", &escaped));
  ASSERT_TRUE(escape_checksum_name("a\\b\nc\rd", &escaped));
  EXPECT_EQ(escaped, "a\\\\b\\nc\\rd");
}

}  // namespace
}  // namespace treeprint
