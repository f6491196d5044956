#pragma once
// The progress line: about once a second on long scans, on stderr. On a terminal it rewrites one line; in a CI log
// (not a tty) it prints whole lines, so each is readable on its own.

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>

#include "scan/walk.h"

namespace treeprint {

/// One progress line from the counters; `elapsed_s` since the scan started. Shows an ETA once every directory has
/// been listed (the total number of files is then known).
std::string progress_line(const WalkProgress& p, double elapsed_s);

class ProgressReporter {
 public:
  ProgressReporter(const WalkProgress& progress, std::FILE* out, bool enabled);
  ~ProgressReporter();  // stops the thread; ends a terminal line
  ProgressReporter(const ProgressReporter&) = delete;
  ProgressReporter& operator=(const ProgressReporter&) = delete;

 private:
  void run();

  const WalkProgress& m_progress;
  std::FILE* m_out;
  bool m_tty = false;
  bool m_printed = false;
  std::chrono::steady_clock::time_point m_start;
  std::mutex m_mu;
  std::condition_variable m_cv;
  bool m_stop = false;
  std::thread m_thread;
};

}  // namespace treeprint
