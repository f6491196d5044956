#pragma once
// Hashing one open regular file, and deciding whether its digest describes a state the file really had.
//
// The usual case costs two system calls beyond open and close: reads to the end (a short read ends the loop), then
// one fstat that confirms the bytes read are the file's size. Whether the file changed while it was read is decided
// the way git decides "racy" index entries: a file whose ctime is older than the scan's start (`racy_after_ns`)
// cannot have been written during the read, since every write moves ctime to the current time. A file changed
// recently is read a second time between two fstat calls and kept only if nothing moved. A file that yields more
// bytes than its size (procfs, sysfs, a file growing while read) is read at most `k_over_read_max` bytes past the
// size fstat reported and then reported, never read without end.

#include <sys/stat.h>
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "util/fs.h"
#include "util/digest.h"
#include "util/sha256.h"
#include "util/sha256_x2.h"

namespace treeprint {

/// What the hasher learns about a file it read to the end.
struct HashedFile {
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  bool executable = false;
  Digest sha256{};
  uint64_t ino = 0;
  int64_t ctime_ns = 0;
};

enum class HashOutcome : uint8_t {
  hashed,       // `file` holds the digest
  failed,       // `message` says why ("read failed: EIO", "file changed while it was being hashed ...")
  not_regular,  // replaced by a FIFO, device or socket since it was listed: `type` names it
  filtered,     // its mtime is older than `since_ns`: not part of the scan
};

struct HashResult {
  HashOutcome outcome = HashOutcome::failed;
  HashedFile file;
  struct stat st {};  // hashed: the fstat taken after the bytes were read (what `file` was made from)
  std::string message;
  mode_t type = 0;
};

struct HashPolicy {
  int64_t racy_after_ns = 0;        // files with a ctime at or after this are read twice
  std::optional<int64_t> since_ns;  // keep files whose mtime >= since
};

/// What a batch of files learns while one of them is hashed, as soon as it is known. Every member may be empty.
struct HashHooks {
  bool probe_cache = false;          // try the first read from the page cache only, to learn it is cold
  std::function<void()> cold;        // a read found the data not in the page cache
  std::function<void()> big;         // the file is big: hashing it will take a while
  std::function<void(uint64_t)> read;  // bytes of the first pass read (progress)
};

/// How many bytes past its fstat size a file may yield before it is reported instead of hashed.
inline constexpr uint64_t k_over_read_max = 1 << 20;

/// One file for FileHasher::hash_all: its open fd, a tag the caller knows it by, and the hooks that serve it (null:
/// the hooks given to hash_all).
struct HashJob {
  int fd = -1;
  size_t tag = 0;
  const HashHooks* hooks = nullptr;
};

/// A hasher with its own read buffers; one per thread, reused for every file.
///
/// hash_all() hashes a stream of files two at a time where the CPU has SHA-256 instructions (SHA-NI, ARMv8 SHA-2;
/// util/sha256_x2.h): each lane holds one file, the two are read a chunk each in turn and their blocks compressed
/// together; when a file ends, the next one takes its lane, so small files pair with small files and a big file's
/// chunks pair with whatever else comes, another big file included. A lane hashes alone only while there is no
/// other file to give it. Every file's result is exactly what hash() gives for it alone.
class FileHasher {
 public:
  static constexpr size_t k_read_buffer = 128 << 10;  // small enough to stay in L2 between copy and hash
  static constexpr uint64_t k_big_file = 4 << 20;     // hashing takes milliseconds: the batch hands the rest on

  FileHasher();
  ~FileHasher();
  FileHasher(const FileHasher&) = delete;
  FileHasher& operator=(const FileHasher&) = delete;

  /// Hashes the file open as `fd` (positioned at its start) under `policy`. `hooks` may be null.
  HashResult hash(FileSystem& fs, int fd, const HashPolicy& policy, const HashHooks* hooks = nullptr);

  /// Hashes every file `next` gives and passes each result to `done` with its tag, in the order the files end.
  /// `next` is asked whenever a lane is free; while the other lane still holds a file it is asked again at every
  /// chunk (so work that turns up meanwhile fills the lane), and hash_all returns once both lanes are free and
  /// `next` gave nullopt. `hooks` (may be null) serves every job that names none; `probe_cache` is read as each file
  /// starts. `next` and `done` may call anything but this hasher.
  void hash_all(FileSystem& fs, const HashPolicy& policy, const std::function<std::optional<HashJob>()>& next,
                const std::function<void(size_t tag, HashResult)>& done, const HashHooks* hooks = nullptr);

  /// Whether hash_all pairs files (the CPU's SHA-256 instructions) or hashes them one after the other.
  bool pairs_files() const;

 private:
  struct Pass;
  // `buffer` (k_read_buffer bytes) is free for a second pass: no bytes of another file wait in it.
  HashResult conclude(FileSystem& fs, int fd, const HashPolicy& policy, Pass& pass, const Digest& digest, char* buffer);
  void single_pass(Pass& pass, char* buffer);

  std::unique_ptr<char[]> m_buffers[2];
  Sha256 m_sha;
  std::unique_ptr<Sha256Pair> m_pair;
};

inline int64_t mtime_ns(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

inline int64_t ctime_ns(const struct stat& st) {
  return static_cast<int64_t>(st.st_ctim.tv_sec) * 1'000'000'000 + st.st_ctim.tv_nsec;
}

}  // namespace treeprint
