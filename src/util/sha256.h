#pragma once
// SHA-256 through OpenSSL's EVP interface, which picks the SHA-NI / AVX2 code paths the CPU offers.

#include <openssl/evp.h>

#include <cstddef>
#include <string_view>

#include "util/digest.h"

namespace treeprint {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  /// Starts a new digest; an object is reused for many files.
  void reset();
  void update(const void* data, size_t size);
  void update(std::string_view data) { update(data.data(), data.size()); }
  Digest finish();

  static Digest of(std::string_view data);

 private:
  EVP_MD_CTX* m_ctx;
};

}  // namespace treeprint
