#pragma once
// Properties of a whole manifest that every format agrees on: the root digest and the timestamp text.

#include <string>

#include "manifest/entry.h"
#include "util/sha256.h"

namespace treeprint {

inline constexpr const char* k_manifest_schema = "treeprint/manifest/v1";

/// The root digest, fed one entry at a time in bytewise path order (files and symlinks interleaved), for readers
/// that stream a manifest instead of holding it.
class RootDigestBuilder {
 public:
  void add_file(const FileEntry& f);
  /// The same record, with the digest given as its 64 lower-case hex digits (a reader holds them already).
  void add_file(const FileEntry& f, std::string_view sha256_hex);
  void add_symlink(std::string_view path, std::string_view target);
  Digest finish();

 private:
  // Records are gathered and hashed a few kilobytes at a time: one hash update per record costs more than the
  // record.
  void flush_if_full() {
    if (m_pending.size() >= k_flush) {
      m_hash.update(m_pending);
      m_pending.clear();
    }
  }
  static constexpr size_t k_flush = 16 << 10;
  Sha256 m_hash;
  std::string m_pending;
};

/// SHA-256 over the canonical list of entries (docs/manifest.md, "Root digest"): files and symlinks merged in
/// bytewise path order; mtimes do not take part, so the same content checked out at another time has the same digest.
Digest root_digest(const Manifest& manifest);

/// "2024-01-02T03:04:05.123456789Z": RFC 3339, UTC, always nine fractional digits.
std::string format_timestamp_ns(int64_t ns_since_epoch);
void append_timestamp_ns(std::string& out, int64_t ns_since_epoch);

/// "0755" when the owner may execute the file, else "0644" (the executable bit is the one git keeps).
inline const char* mode_text(bool executable) { return executable ? "0755" : "0644"; }

}  // namespace treeprint
