#include "git/object_id.h"

#include <algorithm>
#include <cstdlib>
#include <new>

#include "util/format.h"

namespace treeprint::git {

namespace {

const EVP_MD* md_for(ObjectFormat format) {
  // Fetched once: OpenSSL 3's implicit lookup on every init takes a lock.
  static const EVP_MD* sha1 = [] {
    const EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA1", nullptr);
    return fetched != nullptr ? fetched : EVP_sha1();
  }();
  static const EVP_MD* sha256 = [] {
    const EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return fetched != nullptr ? fetched : EVP_sha256();
  }();
  return format == ObjectFormat::sha1 ? sha1 : sha256;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace

std::string_view format_name(ObjectFormat format) { return format == ObjectFormat::sha1 ? "sha1" : "sha256"; }

std::optional<ObjectFormat> parse_format_name(std::string_view name) {
  if (iequals(name, "sha1")) return ObjectFormat::sha1;
  if (iequals(name, "sha256")) return ObjectFormat::sha256;
  return std::nullopt;
}

ObjectId::ObjectId(ObjectFormat format, std::span<const unsigned char> raw) : m_format(format) {
  const size_t n = std::min(raw.size(), id_size(format));
  std::copy(raw.begin(), raw.begin() + static_cast<std::ptrdiff_t>(n), m_bytes.begin());
}

std::optional<ObjectId> ObjectId::from_hex(ObjectFormat format, std::string_view hex) {
  if (hex.size() != 2 * id_size(format)) return std::nullopt;
  ObjectId id;
  id.m_format = format;
  for (size_t i = 0; i < id_size(format); ++i) {
    const int hi = hex_value(hex[2 * i]);
    const int lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    id.m_bytes[i] = static_cast<unsigned char>(hi * 16 + lo);
  }
  return id;
}

std::string ObjectId::hex() const { return to_hex(bytes()); }

bool ObjectId::is_null() const {
  for (unsigned char b : bytes()) {
    if (b != 0) return false;
  }
  return true;
}

ObjectHasher::ObjectHasher(ObjectFormat format) : m_format(format), m_ctx(EVP_MD_CTX_new()) {
  if (m_ctx == nullptr) {
    throw std::bad_alloc();
  }
}

ObjectHasher::~ObjectHasher() { EVP_MD_CTX_free(m_ctx); }

void ObjectHasher::start(std::string_view type, size_t size) {
  if (EVP_DigestInit_ex(m_ctx, md_for(m_format), nullptr) != 1) {
    std::abort();  // only when OpenSSL is out of memory or lacks the digest
  }
  if (type.empty()) return;  // a raw digest: no object header
  std::string header(type);
  header += ' ';
  header += std::to_string(size);
  header += '\0';
  update(header);
}

void ObjectHasher::update(std::string_view data) {
  if (!data.empty() && EVP_DigestUpdate(m_ctx, data.data(), data.size()) != 1) {
    std::abort();
  }
}

ObjectId ObjectHasher::finish() {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(m_ctx, out.data(), &len) != 1 || len != id_size(m_format)) {
    std::abort();
  }
  return ObjectId(m_format, std::span<const unsigned char>(out.data(), len));
}

ObjectId hash_object(ObjectFormat format, std::string_view type, std::string_view body) {
  ObjectHasher h(format);
  h.start(type, body.size());
  h.update(body);
  return h.finish();
}

ObjectId empty_blob_id(ObjectFormat format) {
  static const ObjectId sha1 = hash_object(ObjectFormat::sha1, "blob", "");
  static const ObjectId sha256 = hash_object(ObjectFormat::sha256, "blob", "");
  return format == ObjectFormat::sha1 ? sha1 : sha256;
}

ObjectId hash_bytes(ObjectFormat format, std::string_view data) {
  ObjectHasher h(format);
  h.start("", 0);
  h.update(data);
  return h.finish();
}

}  // namespace treeprint::git
