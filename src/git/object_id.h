#pragma once
// git's object ids: SHA-1 (20 bytes) or SHA-256 (32 bytes), as the repository's object format says
// (extensions.objectformat), and the object hash itself: "<type> <size>\0<body>" through that hash.

#include <openssl/evp.h>

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace treeprint::git {

enum class ObjectFormat { sha1, sha256 };

/// 20 or 32: the raw length of an id in that format.
constexpr size_t id_size(ObjectFormat format) { return format == ObjectFormat::sha1 ? 20 : 32; }
/// "sha1" or "sha256", the spelling of extensions.objectformat.
std::string_view format_name(ObjectFormat format);
/// The format extensions.objectformat names (case-insensitive, as git compares it), or nullopt.
std::optional<ObjectFormat> parse_format_name(std::string_view name);

class ObjectId {
 public:
  ObjectId() = default;
  /// `raw` must hold id_size(format) bytes.
  ObjectId(ObjectFormat format, std::span<const unsigned char> raw);
  /// Exactly 2 * id_size(format) hex digits (either case); nullopt otherwise.
  static std::optional<ObjectId> from_hex(ObjectFormat format, std::string_view hex);

  ObjectFormat format() const { return m_format; }
  std::span<const unsigned char> bytes() const { return {m_bytes.data(), id_size(m_format)}; }
  std::string hex() const;
  bool is_null() const;

  friend bool operator==(const ObjectId& a, const ObjectId& b) {
    return a.m_format == b.m_format && a.m_bytes == b.m_bytes;
  }

 private:
  std::array<unsigned char, 32> m_bytes{};
  ObjectFormat m_format = ObjectFormat::sha1;
};

/// A streaming object hash: start(type, size), then exactly `size` bytes of body, then finish().
class ObjectHasher {
 public:
  explicit ObjectHasher(ObjectFormat format);
  ~ObjectHasher();
  ObjectHasher(const ObjectHasher&) = delete;
  ObjectHasher& operator=(const ObjectHasher&) = delete;

  void start(std::string_view type, size_t size);
  void update(std::string_view data);
  ObjectId finish();

 private:
  ObjectFormat m_format;
  EVP_MD_CTX* m_ctx;
};

/// The id of the object of `type` ("blob", "tree", "commit") whose body is `body`.
ObjectId hash_object(ObjectFormat format, std::string_view type, std::string_view body);

/// The id of the empty blob (e69de29b... in SHA-1).
ObjectId empty_blob_id(ObjectFormat format);

/// The digest of `data` in `format`'s hash, without an object header (the index checksum).
ObjectId hash_bytes(ObjectFormat format, std::string_view data);

}  // namespace treeprint::git
