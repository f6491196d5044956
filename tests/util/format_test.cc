#include "util/format.h"

#include <gtest/gtest.h>

namespace treeprint {
namespace {

TEST(Format, IsLowerHexTakesExactlyTheDigitsTheManifestWrites) {
  EXPECT_TRUE(is_lower_hex(""));
  EXPECT_TRUE(is_lower_hex("0123456789abcdef"));
  for (int byte = 0; byte < 256; ++byte) {
    const char c = static_cast<char>(byte);
    const bool lower_hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    EXPECT_EQ(is_lower_hex(std::string("ab") + c + "01"), lower_hex) << "byte " << byte;
  }
}

TEST(Format, Hex) {
  const unsigned char bytes[] = {0x00, 0x0f, 0xa5, 0xff};
  EXPECT_EQ(to_hex(bytes), "000fa5ff");
}

TEST(Format, DecodeLowerHexAcceptsOnlyLowerHexDigits) {
  // Every byte value at every position of a digest (the vector path) and of a short id's tail (the table path).
  const std::string good = "0123456789abcdef" "fedcba9876543210" "00ff10a5b6c7d8e9" "f0e1d2c3b4a59687";
  unsigned char out[40];
  ASSERT_TRUE(decode_lower_hex(good, out));
  EXPECT_EQ(to_hex(std::span<const unsigned char>(out, 32)), good);
  for (const size_t length : {size_t{64}, size_t{40}, size_t{2}}) {
    const std::string base = good.substr(0, length);
    for (size_t at = 0; at < length; ++at) {
      for (int byte = 0; byte < 256; ++byte) {
        const char c = static_cast<char>(byte);
        std::string hex = base;
        hex[at] = c;
        const bool lower_hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
        ASSERT_EQ(decode_lower_hex(hex, out), lower_hex) << "byte " << byte << " at " << at << " of " << length;
        if (lower_hex) {
          ASSERT_EQ(to_hex(std::span<const unsigned char>(out, length / 2)), hex);
        }
      }
    }
  }
  EXPECT_FALSE(decode_lower_hex("abc", out));  // odd length
  EXPECT_TRUE(decode_lower_hex("", out));
}

TEST(Format, HumanBytesAndCommas) {
  EXPECT_EQ(human_bytes(0), "0 B");
  EXPECT_EQ(human_bytes(999), "999 B");
  EXPECT_EQ(human_bytes(839214984), "839.2 MB");
  EXPECT_EQ(human_bytes(4'400'000'000), "4.4 GB");
  EXPECT_EQ(with_commas(0), "0");
  EXPECT_EQ(with_commas(999), "999");
  EXPECT_EQ(with_commas(50300), "50,300");
  EXPECT_EQ(with_commas(1000000), "1,000,000");
}

TEST(Format, PrintableEscapesWhatCouldForgeALogLine) {
  EXPECT_EQ(printable("plain/caf\xc3\xa9"), "plain/caf\xc3\xa9");
  EXPECT_EQ(printable("a\nb\rc\x1b[31m"), "a\\x0ab\\x0dc\\x1b[31m");
  EXPECT_EQ(printable("::error::x"), ":\\x3aerror:\\x3ax");  // never a workflow command, wherever it ends up
  EXPECT_EQ(printable("a ##[add-mask]b"), "a ##\\x5badd-mask]b");  // the legacy form counts anywhere in a line
  EXPECT_EQ(printable("bad\xff"
                      "byte\\"),
            "bad\\xffbyte\\\\");
}

TEST(Format, ErrnoText) { EXPECT_EQ(errno_text(ENOENT), "No such file or directory"); }

}  // namespace
}  // namespace treeprint
