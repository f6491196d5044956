#include "scan/hash_file.h"

#include <sys/stat.h>

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

}  // namespace

FileHasher::FileHasher() : m_buffer(new char[k_read_buffer]) {}

// Reads to the end, hashing; leaves the file's final fstat in `st` and the bytes read in `got`. Returns an errno, 0,
// or -1 when the file yielded more than k_over_read_max bytes past its size.
int FileHasher::read_pass(FileSystem& fs, int fd, bool first_pass, const HashHooks* hooks, struct stat* st,
                          uint64_t* got) {
  *got = 0;
  m_sha.reset();
  bool have_stat = false;
  bool read_on_after_short = false;
  bool probe = first_pass && hooks != nullptr && hooks->probe_cache;
  for (;;) {
    long n;
    bool from_cache_probe = false;
    if (probe) {
      probe = false;
      n = fs.read_cached(fd, m_buffer.get(), k_read_buffer);
      if (n == -EAGAIN) {
        if (hooks->cold) hooks->cold();
        n = fs.read(fd, m_buffer.get(), k_read_buffer);
      } else {
        from_cache_probe = true;
      }
    } else {
      n = fs.read(fd, m_buffer.get(), k_read_buffer);
    }
    if (n < 0) return static_cast<int>(-n);
    if (n == 0) break;
    m_sha.update(m_buffer.get(), static_cast<size_t>(n));
    *got += static_cast<uint64_t>(n);
    if (first_pass && hooks != nullptr && hooks->read) hooks->read(static_cast<uint64_t>(n));
    const bool short_read = static_cast<size_t>(n) < k_read_buffer;
    if (short_read || *got == k_read_buffer) {
      // After a short read (the end of a regular file) or the first full buffer (a big file: make sure it is still
      // a regular file before reading on), look at the metadata.
      if (const int rc = fs.fstat(fd, st); rc != 0) return -rc;
      if (!S_ISREG(st->st_mode)) return 0;
      if (first_pass && !short_read && hooks != nullptr && hooks->big &&
          static_cast<uint64_t>(st->st_size) >= k_big_file) {
        hooks->big();
      }
      have_stat = *got == static_cast<uint64_t>(st->st_size);
      if (have_stat) break;
      if (short_read) {
        // Fewer bytes than the size: the cache probe found only part of the file cached, or the file grew after the
        // read. Read on, once: a file that keeps growing is reported by the caller, and one that grew once is read
        // again anyway (its ctime is recent), so no digest of a state that never existed is kept.
        if (read_on_after_short) break;
        read_on_after_short = true;
        if (from_cache_probe && hooks->cold) hooks->cold();
      }
    }
    // A pseudo-file (procfs, sysfs) reports a size of 0 or 4096 and yields whatever it likes: stop after a bounded
    // over-read rather than follow it forever.
    if (*got > static_cast<uint64_t>(st->st_size) + k_over_read_max && *got > k_read_buffer) return -1;
  }
  if (!have_stat) {
    if (const int rc = fs.fstat(fd, st); rc != 0) return -rc;
  }
  return 0;
}

HashResult FileHasher::hash(FileSystem& fs, int fd, const HashPolicy& policy, const HashHooks* hooks) {
  struct stat st {};
  uint64_t got = 0;
  auto over_read = [&] {
    return failure("read " + std::to_string(got) + " bytes, more than its size of " + std::to_string(st.st_size) +
                   " (a pseudo-file on procfs or sysfs, or a file still growing); no digest recorded");
  };
  if (const int err = read_pass(fs, fd, true, hooks, &st, &got); err != 0) {
    return err < 0 ? over_read() : failure("read failed: " + errno_text(err));
  }
  if (!S_ISREG(st.st_mode)) {  // replaced by a FIFO or device since it was listed; O_NONBLOCK kept us safe
    HashResult r;
    r.outcome = HashOutcome::not_regular;
    r.type = st.st_mode & S_IFMT;
    return r;
  }
  if (got == static_cast<uint64_t>(st.st_size) && ctime_ns(st) >= policy.racy_after_ns) {
    const struct stat before = st;
    const uint64_t got_before = got;
    const int rc = fs.rewind(fd);
    const int err = rc == 0 ? read_pass(fs, fd, false, nullptr, &st, &got) : -rc;
    if (err < 0 && rc == 0) return over_read();
    if (err != 0) return failure("read failed: " + errno_text(err < 0 ? -err : err));
    if (got != got_before || st.st_size != before.st_size || mtime_ns(st) != mtime_ns(before) ||
        st.st_ctim.tv_sec != before.st_ctim.tv_sec || st.st_ctim.tv_nsec != before.st_ctim.tv_nsec) {
      return failure("file changed while it was being hashed (size " + std::to_string(before.st_size) + ", then " +
                     std::to_string(st.st_size) + "); no digest recorded, scan again");
    }
  }
  if (got != static_cast<uint64_t>(st.st_size)) {
    return failure("file changed while it was being hashed (" + std::to_string(got) + " bytes read, size now " +
                   std::to_string(st.st_size) + "); no digest recorded, scan again");
  }
  HashResult r;
  if (policy.since_ns && mtime_ns(st) < *policy.since_ns) {
    r.outcome = HashOutcome::filtered;
    return r;
  }
  r.outcome = HashOutcome::hashed;
  r.file.size = got;
  r.file.mtime_ns = mtime_ns(st);
  r.file.executable = (st.st_mode & S_IXUSR) != 0;
  r.file.sha256 = m_sha.finish();
  r.file.ino = st.st_ino;
  r.file.ctime_ns = ctime_ns(st);
  return r;
}

}  // namespace treeprint
