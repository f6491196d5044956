#pragma once
// ManifestStream: a manifest file read as a comparison goes (`changed`, `diff`), so that comparing two manifests
// holds neither's files. The push-style reader (manifest/reader.h) runs on a thread of its own and hands the files
// over in owned batches through a small bounded queue; while the queue is full it waits, so a few batches at most
// are in memory whatever the manifest's size. The symlinks and the unreadable entries come before the files and are
// kept whole: the reader itself keeps every symlink (path and target) for the root digest, and every unreadable
// entry is reported by the comparison anyway.
//
// The stream validates what the reader validates: a failure anywhere, also in the checks made after the last entry
// (the totals, the root digest), is the stream's answer, so a comparison never completes on a manifest that is not
// valid. Destroying the stream before the end stops the reader at its next read.

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "manifest/entry_source.h"
#include "manifest/reader.h"
#include "util/fs.h"

namespace treeprint {

class ManifestStream final : public EntrySource {
 public:
  /// How much is handed over at a time and how much may wait: a batch is closed at `files_per_batch` files or when
  /// its paths would pass `path_bytes_per_batch` bytes (a longer single path gets a batch of its own). At most
  /// `queued_batches` wait, one is being filled, one is being read, and the reader's last one is queued without
  /// waiting: with the defaults about 250 KB in all.
  struct Limits {
    size_t files_per_batch = 256;
    size_t path_bytes_per_batch = 16 << 10;
    size_t queued_batches = 2;
  };

  /// Starts reading `source` at once. `name` (the manifest's path) starts every message, as load_manifest's do.
  ManifestStream(std::unique_ptr<ByteSource> source, std::string name, Limits limits);
  ManifestStream(std::unique_ptr<ByteSource> source, std::string name)
      : ManifestStream(std::move(source), std::move(name), Limits()) {}
  ~ManifestStream() override;
  ManifestStream(const ManifestStream&) = delete;
  ManifestStream& operator=(const ManifestStream&) = delete;

  Status open() override;
  const std::vector<SymlinkEntry>& symlinks() const override { return m_symlinks; }
  const std::vector<ErrorEntry>& errors() const override { return m_errors; }
  Result<const FileEntry*> next_file() override;
  /// Once the whole manifest was read and found valid (at the latest when next_file() has given nullptr): its
  /// header; nullptr before, and after a failure.
  const ManifestHeader* header() const;

 private:
  struct Batch {
    std::vector<FileEntry> files;  // their paths point into `paths`, which never reallocates once filling starts
    std::string paths;
  };
  class Visitor;
  class StoppableSource;

  void run();                           // the reader thread
  void add_file(const FileEntry& f);    // the reader thread
  void hand_over();                     // the reader thread: the filling batch into the queue, waiting for room
  std::unique_ptr<Batch> take_batch();  // under m_mutex

  std::unique_ptr<ByteSource> m_source;
  std::string m_name;
  Limits m_limits;

  // Written by the reader thread until it sets m_prelude_done, read by the caller only after it has seen that.
  std::vector<SymlinkEntry> m_symlinks;
  std::vector<ErrorEntry> m_errors;

  mutable std::mutex m_mutex;
  std::condition_variable m_ready;  // the caller waits: a batch, the first file, or the end
  std::condition_variable m_room;   // the reader waits: room in the queue, or a stop
  std::deque<std::unique_ptr<Batch>> m_full;
  std::vector<std::unique_ptr<Batch>> m_spare;  // batches the caller is done with, for the reader to fill again
  bool m_prelude_done = false;                  // every symlink and unreadable entry is in
  bool m_finished = false;                      // read_manifest has returned: m_result and m_header hold its answer
  Status m_result = ok_status();
  ManifestHeader m_header;
  std::atomic<bool> m_stop{false};

  // The reader thread's own.
  std::unique_ptr<Batch> m_filling;
  bool m_prelude_signalled = false;
  bool m_out_of_order = false;  // a symlink or an unreadable entry came after the first file

  // The caller's own.
  std::optional<Status> m_opened;
  std::unique_ptr<Batch> m_current;
  size_t m_next = 0;

  std::thread m_thread;  // last: started once everything above is constructed
};

/// Opens `path` as open_byte_source does (a failure names the path) and starts a stream on it.
Result<std::unique_ptr<ManifestStream>> open_manifest_stream(const std::string& path,
                                                             FileSystem& fs = real_file_system(),
                                                             ManifestStream::Limits limits = {});

}  // namespace treeprint
