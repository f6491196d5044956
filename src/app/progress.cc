#include "app/progress.h"

#include <unistd.h>

#include "util/format.h"

namespace treeprint {

std::string progress_line(const WalkProgress& p, double elapsed_s) {
  const uint64_t done = p.files_done.load(std::memory_order_relaxed);
  const uint64_t found = p.files_found.load(std::memory_order_relaxed);
  const uint64_t bytes = p.bytes_done.load(std::memory_order_relaxed);
  const bool total_known = p.dirs_pending.load(std::memory_order_relaxed) == 0;
  const double secs = elapsed_s > 0 ? elapsed_s : 1e-9;
  std::string line = "treeprint: " + with_commas(done) + (total_known ? "/" + with_commas(found) : "") + " files, " +
                     human_bytes(bytes) + ", " + with_commas(static_cast<uint64_t>(static_cast<double>(done) / secs)) +
                     " files/s, " + human_bytes(static_cast<uint64_t>(static_cast<double>(bytes) / secs)) + "/s";
  if (total_known && done > 0 && found >= done) {
    const double eta = static_cast<double>(found - done) * secs / static_cast<double>(done);
    line += ", ETA " + std::to_string(static_cast<uint64_t>(eta + 0.5)) + " s";
  }
  return line;
}

ProgressReporter::ProgressReporter(const WalkProgress& progress, std::FILE* out, bool enabled)
    : m_progress(progress), m_out(out), m_start(std::chrono::steady_clock::now()) {
  if (!enabled) return;
  m_tty = isatty(fileno(out)) != 0;
  m_thread = std::thread([this] { run(); });
}

ProgressReporter::~ProgressReporter() {
  if (!m_thread.joinable()) return;
  {
    std::lock_guard lock(m_mu);
    m_stop = true;
  }
  m_cv.notify_all();
  m_thread.join();
  if (m_tty && m_printed) std::fputs("\r\033[K", m_out);
}

void ProgressReporter::run() {
  std::unique_lock lock(m_mu);
  for (;;) {
    if (m_cv.wait_for(lock, std::chrono::seconds(1), [this] { return m_stop; })) return;
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
    const std::string line = progress_line(m_progress, elapsed);
    if (m_tty) {
      std::fprintf(m_out, "\r\033[K%s", line.c_str());
    } else {
      std::fprintf(m_out, "%s\n", line.c_str());
    }
    std::fflush(m_out);
    m_printed = true;
  }
}

}  // namespace treeprint
