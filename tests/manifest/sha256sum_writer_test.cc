#include "manifest/sha256sum_writer.h"

#include <gtest/gtest.h>

#include "util/format.h"
#include "util/sha256.h"

namespace treeprint {
namespace {

TEST(Sha256sumWriter, CoreutilsFormatWithEscapes) {
  FileEntry plain, nasty;
  plain.path = "-dash name";
  plain.sha256 = Sha256::of("x");
  nasty.path = "a\\b\nc";
  nasty.sha256 = Sha256::of("y");
  Manifest m;
  m.files = {&plain, &nasty};
  std::string out;
  write_sha256sum(m, [&](std::string_view s) { out.append(s); });
  EXPECT_EQ(out, to_hex(Sha256::of("x")) + "  -dash name\n\\" + to_hex(Sha256::of("y")) + "  a\\\\b\\nc\n");
}

}  // namespace
}  // namespace treeprint
