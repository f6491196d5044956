#pragma once
// Reads a manifest (schema v1) back, validating every field as it goes: the schema id, required fields and their
// types, sorted unique paths (simdjson accepts duplicate keys and says nothing of order: we check both), totals,
// the lossless non-UTF-8 name scheme, and the root digest, recomputed and compared.
//
// Memory stays bounded whatever the manifest's size: a first pass finds the structure (the top-level keys and where
// each array's entries start and end) without holding the text, then the entries are read back in batches of about
// a megabyte and parsed with simdjson On-Demand. Nothing is kept unless the visitor keeps it.
//
// Errors name the byte offset and the entry ("files[12] at byte 3456: sha256 is not 64 lower-case hex digits").
// Until the schema is known to be treeprint's, an error is "not a treeprint manifest (...)" and quotes nothing of
// the file: pointed at some other file (a config, a secrets file), the reader does not print what is in it.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "manifest/entry.h"
#include "util/fs.h"
#include "util/result.h"

namespace treeprint {

struct ManifestTotals {
  uint64_t files = 0;
  uint64_t bytes = 0;
  uint64_t symlinks = 0;
  uint64_t skipped = 0;
  uint64_t errors = 0;
};

/// Everything in a manifest but its entries.
struct ManifestHeader {
  std::string tool_version;
  Digest root_digest{};
  ManifestTotals totals;
  std::optional<ShardSpec> shard;
  std::optional<GitSummary> git;
};

/// Receives the entries of a manifest. The lists come in this order: symlinks, skipped, errors, then files (the
/// root digest interleaves files with symlinks, so the links are read first). Within a list, entries come sorted by
/// path. Views passed in are valid only during the call.
class ManifestVisitor {
 public:
  virtual ~ManifestVisitor() = default;
  virtual void symlink(const SymlinkEntry&) {}
  virtual void skipped(const SkippedEntry&) {}
  virtual void error(const ErrorEntry&) {}
  virtual void file(const FileEntry&) {}
};

/// Where a manifest's bytes come from: a file read with pread (so it is never held whole), or memory.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual uint64_t size() const = 0;
  /// Reads exactly `n` bytes at `offset`, or fails naming the source and the cause.
  virtual Status read_at(uint64_t offset, char* buf, size_t n) = 0;
};

/// Opens `path` ("-" reads standard input into memory), or fails with a message naming the path. The file is read
/// through `fs`, which must outlive the source.
Result<std::unique_ptr<ByteSource>> open_byte_source(const std::string& path, FileSystem& fs = real_file_system());
/// A source over an open file (the caller hands `fd` over; it is closed, also on failure). `name` is for messages.
Result<std::unique_ptr<ByteSource>> fd_byte_source(int fd, const std::string& name,
                                                   FileSystem& fs = real_file_system());
/// A source over bytes the caller keeps alive.
std::unique_ptr<ByteSource> memory_source(std::string_view bytes);

/// How read_manifest works; whatever is chosen, the entries, the order they come in and the first error (its
/// message too) are the same.
struct ReadOptions {
  /// Find the structure and parse the batches of entries on a second thread (when the machine has more than one
  /// core) while the calling thread reads ahead, checks the parsed batches in order and computes the root digest; at
  /// most three blocks or batches of about a megabyte are in flight. The visitor and the source are called from the
  /// calling thread only.
  bool parallel = true;
};

/// Reads and validates a whole manifest. A failure says where and what; the visitor may have seen some entries by
/// then.
Status read_manifest(ByteSource& source, ManifestVisitor& visitor, ManifestHeader* header);
Status read_manifest(ByteSource& source, ManifestVisitor& visitor, ManifestHeader* header, const ReadOptions& options);

/// Reads `path` into `manifest` (entries and the storage behind them). Errors start with the path.
Status load_manifest(const std::string& path, Manifest* manifest, ManifestHeader* header,
                     FileSystem& fs = real_file_system());
Status load_manifest(ByteSource& source, Manifest* manifest, ManifestHeader* header);

/// Decodes the manifest's timestamp text (exactly as format_timestamp_ns writes it) into nanoseconds.
std::optional<int64_t> parse_timestamp_ns(std::string_view text);

}  // namespace treeprint
