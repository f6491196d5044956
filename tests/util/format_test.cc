#include "util/format.h"

#include <gtest/gtest.h>

namespace treeprint {
namespace {

TEST(Format, Hex) {
  const unsigned char bytes[] = {0x00, 0x0f, 0xa5, 0xff};
  EXPECT_EQ(to_hex(bytes), "000fa5ff");
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
