#include "util/sha256.h"

#include <cstdlib>
#include <new>

namespace treeprint {

namespace {
const EVP_MD* sha256_md() {
  // An explicitly fetched method skips OpenSSL 3's implicit provider lookup (and its lock) on every init.
  static const EVP_MD* md = [] {
    const EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return fetched != nullptr ? fetched : EVP_sha256();
  }();
  return md;
}
}  // namespace

Sha256::Sha256() : m_ctx(EVP_MD_CTX_new()) {
  if (m_ctx == nullptr) {
    throw std::bad_alloc();
  }
  reset();
}

Sha256::~Sha256() { EVP_MD_CTX_free(m_ctx); }

void Sha256::reset() {
  if (EVP_DigestInit_ex(m_ctx, sha256_md(), nullptr) != 1) {
    std::abort();  // only fails when OpenSSL is out of memory or broken
  }
}

void Sha256::update(const void* data, size_t size) {
  if (size != 0 && EVP_DigestUpdate(m_ctx, data, size) != 1) {
    std::abort();
  }
}

Digest Sha256::finish() {
  Digest out{};
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(m_ctx, out.data(), &len) != 1 || len != out.size()) {
    std::abort();
  }
  return out;
}

Digest Sha256::of(std::string_view data) {
  Sha256 h;
  h.update(data);
  return h.finish();
}

}  // namespace treeprint
