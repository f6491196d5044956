#include "manifest/manifest_stream.h"

#include "util/format.h"

namespace treeprint {

// Passes reads through until the stream is stopped; then every read fails, and read_manifest returns at its next one.
class ManifestStream::StoppableSource final : public ByteSource {
 public:
  StoppableSource(ByteSource& inner, const std::atomic<bool>& stop) : m_inner(inner), m_stop(stop) {}
  uint64_t size() const override { return m_inner.size(); }
  Status read_at(uint64_t offset, char* buf, size_t n) override {
    if (m_stop.load(std::memory_order_relaxed)) {
      return Status::failure("reading was stopped");
    }
    return m_inner.read_at(offset, buf, n);
  }

 private:
  ByteSource& m_inner;
  const std::atomic<bool>& m_stop;
};

class ManifestStream::Visitor final : public ManifestVisitor {
 public:
  explicit Visitor(ManifestStream& stream) : m_stream(stream) {}
  void symlink(const SymlinkEntry& e) override {
    if (m_stream.m_prelude_signalled) {
      m_stream.m_out_of_order = true;
      return;
    }
    m_stream.m_symlinks.push_back(e);
  }
  void error(const ErrorEntry& e) override {
    if (m_stream.m_prelude_signalled) {
      m_stream.m_out_of_order = true;
      return;
    }
    m_stream.m_errors.push_back(e);
  }
  void file(const FileEntry& f) override { m_stream.add_file(f); }

 private:
  ManifestStream& m_stream;
};

ManifestStream::ManifestStream(std::unique_ptr<ByteSource> source, std::string name, Limits limits)
    : m_source(std::move(source)), m_name(std::move(name)), m_limits(limits) {
  if (m_limits.files_per_batch == 0) m_limits.files_per_batch = 1;
  if (m_limits.queued_batches == 0) m_limits.queued_batches = 1;
  m_thread = std::thread([this] { run(); });
}

ManifestStream::~ManifestStream() {
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_stop.store(true, std::memory_order_relaxed);
  }
  m_room.notify_all();
  m_thread.join();
}

void ManifestStream::run() {
  Visitor visitor(*this);
  StoppableSource source(*m_source, m_stop);
  ManifestHeader header;
  // One thread per side: the two sides of a comparison already keep two cores busy, and a second parsing thread
  // per side would only add its parser's memory (bench/changed.sh's inputs: 34 MiB peak against 18).
  ReadOptions options;
  options.parallel = false;
  Status read = read_manifest(source, visitor, &header, options);
  if (read && m_out_of_order) {
    read = Status::failure("the reader gave a symlink or an unreadable entry after the files");
  }
  std::lock_guard<std::mutex> lock(m_mutex);
  if (read && m_filling && !m_filling->files.empty()) {
    m_full.push_back(std::move(m_filling));
  }
  m_result = read ? ok_status() : Status::failure(printable(m_name) + ": " + read.error());
  m_header = std::move(header);
  m_prelude_done = true;
  m_finished = true;
  m_ready.notify_all();
}

std::unique_ptr<ManifestStream::Batch> ManifestStream::take_batch() {
  if (!m_spare.empty()) {
    std::unique_ptr<Batch> b = std::move(m_spare.back());
    m_spare.pop_back();
    return b;
  }
  auto b = std::make_unique<Batch>();
  b->files.reserve(m_limits.files_per_batch);
  b->paths.reserve(m_limits.path_bytes_per_batch);
  return b;
}

void ManifestStream::add_file(const FileEntry& f) {
  if (m_stop.load(std::memory_order_relaxed)) return;
  if (!m_prelude_signalled) {
    m_prelude_signalled = true;
    std::lock_guard<std::mutex> lock(m_mutex);
    m_prelude_done = true;
    m_ready.notify_all();
  }
  if (!m_filling) {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_filling = take_batch();
  }
  if (!m_filling->files.empty() &&
      (m_filling->files.size() >= m_limits.files_per_batch ||
       m_filling->paths.capacity() - m_filling->paths.size() < f.path.size() + f.git_blob_size)) {
    hand_over();
    if (!m_filling) return;  // stopped
  }
  // Appending within the capacity never moves the bytes the batch's paths point at; a path longer than the
  // capacity comes only into an empty batch, where nothing points yet.
  Batch& b = *m_filling;
  const size_t at = b.paths.size();
  b.paths.append(f.path);
  b.paths.append(f.git_blob_bytes());
  b.files.push_back(f);
  FileEntry& kept = b.files.back();
  kept.path = std::string_view(b.paths.data() + at, f.path.size());
  if (f.git_blob_size != 0) kept.git_blob = reinterpret_cast<const unsigned char*>(b.paths.data() + at + f.path.size());
}

void ManifestStream::hand_over() {
  std::unique_lock<std::mutex> lock(m_mutex);
  m_room.wait(lock, [&] { return m_full.size() < m_limits.queued_batches || m_stop.load(std::memory_order_relaxed); });
  if (m_stop.load(std::memory_order_relaxed)) {
    m_filling.reset();
    return;
  }
  m_full.push_back(std::move(m_filling));
  m_ready.notify_all();
  m_filling = take_batch();
}

Status ManifestStream::open() {
  if (!m_opened) {
    std::unique_lock<std::mutex> lock(m_mutex);
    m_ready.wait(lock, [&] { return m_prelude_done; });
    m_opened = m_finished && !m_result ? m_result : ok_status();
  }
  return *m_opened;
}

Result<const FileEntry*> ManifestStream::next_file() {
  if (m_current && m_next < m_current->files.size()) {
    return &m_current->files[m_next++];
  }
  std::unique_lock<std::mutex> lock(m_mutex);
  if (m_current) {
    m_current->files.clear();
    m_current->paths.clear();
    m_spare.push_back(std::move(m_current));
  }
  m_ready.wait(lock, [&] { return !m_full.empty() || m_finished; });
  if (m_finished && !m_result) {
    return Result<const FileEntry*>::failure(m_result.error());
  }
  if (m_full.empty()) {
    return static_cast<const FileEntry*>(nullptr);
  }
  m_current = std::move(m_full.front());
  m_full.pop_front();
  m_room.notify_all();
  lock.unlock();
  m_next = 0;
  return &m_current->files[m_next++];
}

const ManifestHeader* ManifestStream::header() const {
  std::lock_guard<std::mutex> lock(m_mutex);
  return m_finished && m_result ? &m_header : nullptr;
}

Result<std::unique_ptr<ManifestStream>> open_manifest_stream(const std::string& path, FileSystem& fs,
                                                             ManifestStream::Limits limits) {
  Result<std::unique_ptr<ByteSource>> source = open_byte_source(path, fs);
  if (!source) {
    return Result<std::unique_ptr<ManifestStream>>::failure(source.error());
  }
  return std::make_unique<ManifestStream>(std::move(*source), path, limits);
}

}  // namespace treeprint
