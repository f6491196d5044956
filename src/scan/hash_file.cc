#include "scan/hash_file.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>

#include "util/format.h"

namespace treeprint {

namespace {

HashResult failure(std::string message) {
  HashResult r;
  r.outcome = HashOutcome::failed;
  r.message = std::move(message);
  return r;
}

constexpr int k_over_read = -1;  // Pass::error when a file yielded more than k_over_read_max bytes past its size

}  // namespace

// One read of one file to its end, a chunk per step(), without hashing: the caller hashes what each step returns
// (one lane of a pair, or alone). Ends with the file's final fstat in `st`.
struct FileHasher::Pass {
  FileSystem* fs = nullptr;
  int fd = -1;
  bool first = true;  // the first pass reports progress and may probe the cache; a second pass does neither
  const HashHooks* hooks = nullptr;
  struct stat st {};
  uint64_t got = 0;
  bool done = false;
  int error = 0;  // an errno, or k_over_read
  bool have_stat = false;
  bool read_on_after_short = false;
  bool probe = false;

  Pass(FileSystem& f, int file, bool first_pass, const HashHooks* h)
      : fs(&f), fd(file), first(first_pass), hooks(first_pass ? h : nullptr) {
    probe = hooks != nullptr && hooks->probe_cache;
  }

  // Reads the next chunk into `buf` (k_read_buffer bytes); returns how many bytes to hash (possibly 0). Sets `done`
  // when the file is read to its end or failed (the bytes returned with `done` still belong to the file).
  size_t step(char* buf) {
    long n;
    bool from_cache_probe = false;
    if (probe) {
      probe = false;
      n = fs->read_cached(fd, buf, k_read_buffer);
      if (n == -EAGAIN) {
        if (hooks->cold) hooks->cold();
        n = fs->read(fd, buf, k_read_buffer);
      } else {
        from_cache_probe = true;
      }
    } else {
      n = fs->read(fd, buf, k_read_buffer);
    }
    if (n < 0) return end(static_cast<int>(-n), 0);
    if (n == 0) return end(0, 0);
    const auto size = static_cast<size_t>(n);
    got += size;
    if (hooks != nullptr && hooks->read) hooks->read(size);
    const bool short_read = size < k_read_buffer;
    if (short_read || got == k_read_buffer) {
      // After a short read (the end of a regular file) or the first full buffer (a big file: make sure it is still
      // a regular file before reading on), look at the metadata.
      if (const int rc = fs->fstat(fd, &st); rc != 0) return end(-rc, size);
      if (!S_ISREG(st.st_mode)) return end(0, size);
      if (!short_read && hooks != nullptr && hooks->big && static_cast<uint64_t>(st.st_size) >= k_big_file) {
        hooks->big();
      }
      have_stat = got == static_cast<uint64_t>(st.st_size);
      if (have_stat) return end(0, size);
      if (short_read) {
        // Fewer bytes than the size: the cache probe found only part of the file cached, or the file grew after the
        // read. Read on, once: a file that keeps growing is reported, and one that grew once is read again anyway
        // (its ctime is recent), so no digest of a state that never existed is kept.
        if (read_on_after_short) return end(0, size);
        read_on_after_short = true;
        if (from_cache_probe && hooks->cold) hooks->cold();
      }
    }
    // A pseudo-file (procfs, sysfs) reports a size of 0 or 4096 and yields whatever it likes: stop after a bounded
    // over-read rather than follow it forever.
    if (got > static_cast<uint64_t>(st.st_size) + k_over_read_max && got > k_read_buffer) {
      // Past the size by more than a growing file plausibly adds: look again, and give up if it still holds.
      if (const int rc = fs->fstat(fd, &st); rc != 0) return end(-rc, size);
      if (got > static_cast<uint64_t>(st.st_size) + k_over_read_max) return end(k_over_read, size);
    }
    return size;
  }

  size_t end(int err, size_t size) {
    error = err;
    done = true;
    if (error == 0 && !have_stat) {
      if (const int rc = fs->fstat(fd, &st); rc != 0) error = -rc;
    }
    return size;
  }
};

FileHasher::FileHasher() {
  m_buffers[0].reset(new char[k_read_buffer]);
  auto pair = std::make_unique<Sha256Pair>();
  if (pair->uses_sha_instructions()) {
    m_pair = std::move(pair);
    m_buffers[1].reset(new char[k_read_buffer]);
  }
}

FileHasher::~FileHasher() = default;

bool FileHasher::pairs_files() const { return m_pair != nullptr; }

void FileHasher::single_pass(Pass& pass, char* buffer) {
  m_sha.reset();
  while (!pass.done) {
    const size_t n = pass.step(buffer);
    m_sha.update(buffer, n);
  }
}

// What a first pass that ended (with `digest` over its bytes) means: a digest, a failure, a second pass for a file
// changed recently, a file of another type, or one outside --since.
// A second pass reads into `buffer`: the concluding lane's own, never the other lane's, which may still hold bytes
// read but not yet hashed.
HashResult FileHasher::conclude(FileSystem& fs, int fd, const HashPolicy& policy, Pass& pass, const Digest& digest,
                                char* buffer) {
  const struct stat& st = pass.st;
  auto over_read = [&](uint64_t got, off_t size) {
    return failure("read " + std::to_string(got) + " bytes, more than its size of " + std::to_string(size) +
                   " (a pseudo-file on procfs or sysfs, or a file still growing); no digest recorded");
  };
  if (pass.error == k_over_read) return over_read(pass.got, st.st_size);
  if (pass.error != 0) return failure("read failed: " + errno_text(pass.error));
  if (!S_ISREG(st.st_mode)) {  // replaced by a FIFO or device since it was listed; O_NONBLOCK kept us safe
    HashResult r;
    r.outcome = HashOutcome::not_regular;
    r.type = st.st_mode & S_IFMT;
    return r;
  }
  Digest sha = digest;
  if (pass.got == static_cast<uint64_t>(st.st_size) && ctime_ns(st) >= policy.racy_after_ns) {
    if (const int rc = fs.rewind(fd); rc != 0) return failure("read failed: " + errno_text(-rc));
    Pass again(fs, fd, false, nullptr);
    single_pass(again, buffer);
    if (again.error == k_over_read) return over_read(again.got, again.st.st_size);
    if (again.error != 0) return failure("read failed: " + errno_text(again.error));
    if (again.got != pass.got || again.st.st_size != st.st_size || mtime_ns(again.st) != mtime_ns(st) ||
        again.st.st_ctim.tv_sec != st.st_ctim.tv_sec || again.st.st_ctim.tv_nsec != st.st_ctim.tv_nsec) {
      return failure("file changed while it was being hashed (size " + std::to_string(st.st_size) + ", then " +
                     std::to_string(again.st.st_size) + "); no digest recorded, scan again");
    }
    sha = m_sha.finish();
  }
  if (pass.got != static_cast<uint64_t>(st.st_size)) {
    return failure("file changed while it was being hashed (" + std::to_string(pass.got) + " bytes read, size now " +
                   std::to_string(st.st_size) + "); no digest recorded, scan again");
  }
  HashResult r;
  if (policy.since_ns && mtime_ns(st) < *policy.since_ns) {
    r.outcome = HashOutcome::filtered;
    return r;
  }
  r.outcome = HashOutcome::hashed;
  r.file.size = pass.got;
  r.file.mtime_ns = mtime_ns(st);
  r.file.executable = (st.st_mode & S_IXUSR) != 0;
  r.file.sha256 = sha;
  r.file.ino = st.st_ino;
  r.file.ctime_ns = ctime_ns(st);
  r.st = st;
  return r;
}

HashResult FileHasher::hash(FileSystem& fs, int fd, const HashPolicy& policy, const HashHooks* hooks) {
  Pass pass(fs, fd, true, hooks);
  single_pass(pass, m_buffers[0].get());
  const Digest digest = m_sha.finish();
  return conclude(fs, fd, policy, pass, digest, m_buffers[0].get());
}

void FileHasher::hash_all(FileSystem& fs, const HashPolicy& policy,
                          const std::function<std::optional<HashJob>()>& next,
                          const std::function<void(size_t, HashResult)>& done, const HashHooks* hooks) {
  if (m_pair == nullptr) {
    while (const auto job = next()) {
      done(job->tag, hash(fs, job->fd, policy, job->hooks != nullptr ? job->hooks : hooks));
    }
    return;
  }
  // Each lane holds one file's pass and the bytes read but not yet hashed (in its own buffer). Bytes are hashed in
  // equal amounts from both lanes, so a big file's chunks pair with the small files passing through the other lane;
  // a lane hashes alone only while the other has no file, and a free lane asks for one again at every chunk.
  struct Lane {
    std::optional<Pass> pass;
    HashJob job;
    size_t offset = 0;
    size_t pending = 0;
  };
  Lane lanes[2];
  auto load = [&](size_t i) {
    if (auto job = next()) {
      lanes[i].job = *job;
      lanes[i].pass.emplace(fs, job->fd, true, job->hooks != nullptr ? job->hooks : hooks);
      lanes[i].offset = lanes[i].pending = 0;
      m_pair->reset(i);
    }
  };
  char* const buffers[2] = {m_buffers[0].get(), m_buffers[1].get()};
  for (;;) {
    for (size_t i = 0; i < 2; ++i) {
      if (!lanes[i].pass) load(i);
    }
    if (!lanes[0].pass && !lanes[1].pass) return;
    for (size_t i = 0; i < 2; ++i) {
      Lane& lane = lanes[i];
      if (lane.pass && lane.pending == 0 && !lane.pass->done) {
        lane.pending = lane.pass->step(buffers[i]);
        lane.offset = 0;
      }
    }
    if (lanes[0].pending != 0 && lanes[1].pending != 0) {
      const size_t n = std::min(lanes[0].pending, lanes[1].pending);
      m_pair->update_both(buffers[0] + lanes[0].offset, n, buffers[1] + lanes[1].offset, n);
      for (Lane& lane : lanes) {
        lane.offset += n;
        lane.pending -= n;
      }
    } else if (!lanes[0].pass || !lanes[1].pass) {
      for (size_t i = 0; i < 2; ++i) {
        Lane& lane = lanes[i];
        m_pair->update(i, buffers[i] + lane.offset, lane.pending);
        lane.offset += lane.pending;
        lane.pending = 0;
      }
    }
    const bool ended[2] = {lanes[0].pass && lanes[0].pass->done && lanes[0].pending == 0,
                           lanes[1].pass && lanes[1].pass->done && lanes[1].pending == 0};
    Digest digest[2];
    if (ended[0] && ended[1]) {
      const auto both = m_pair->finish_both();
      digest[0] = both[0];
      digest[1] = both[1];
    } else {
      for (size_t i = 0; i < 2; ++i) {
        if (ended[i]) digest[i] = m_pair->finish(i);
      }
    }
    for (size_t i = 0; i < 2; ++i) {
      if (!ended[i]) continue;
      Lane& lane = lanes[i];
      // The lane's own buffer is empty now (the other lane's may still hold bytes): a second pass reads into it.
      HashResult result = conclude(fs, lane.job.fd, policy, *lane.pass, digest[i], buffers[i]);
      lane.pass.reset();
      done(lane.job.tag, std::move(result));
    }
  }
}

}  // namespace treeprint
