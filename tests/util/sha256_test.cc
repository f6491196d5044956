#include "util/sha256.h"

#include <gtest/gtest.h>

#include "util/format.h"

namespace treeprint {
namespace {

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(to_hex(Sha256::of("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(to_hex(Sha256::of("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(to_hex(Sha256::of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256, StreamingEqualsOneShotAndObjectIsReusable) {
  Sha256 h;
  h.update("ab");
  h.update("c");
  EXPECT_EQ(h.finish(), Sha256::of("abc"));
  h.reset();
  std::string million(1'000'000, 'a');
  h.update(million);
  EXPECT_EQ(to_hex(h.finish()), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

}  // namespace
}  // namespace treeprint
