#pragma once
// EntrySource: one side of a comparison, pulled in path order. The lists that come before the files (symlinks and
// the entries that could not be read) are handed over whole; the files come one at a time, so a source that reads
// a manifest as the comparison goes (manifest/manifest_stream.h) never holds them. diff_sources (manifest/diff.h)
// merge-joins two sources; manifest_source wraps a Manifest already in memory.

#include <memory>
#include <vector>

#include "manifest/entry.h"
#include "util/result.h"

namespace treeprint {

class EntrySource {
 public:
  virtual ~EntrySource() = default;
  /// Waits until the lists before the files are in. Calling it again gives the same answer.
  virtual Status open() = 0;
  /// After open(): the symlinks and the unreadable entries, each sorted by path.
  virtual const std::vector<SymlinkEntry>& symlinks() const = 0;
  virtual const std::vector<ErrorEntry>& errors() const = 0;
  /// After open(): the next file in path order, valid until the next call; nullptr when there is none left (for a
  /// source that validates what it reads: and the whole input was found valid). After a failure, nothing more.
  virtual Result<const FileEntry*> next_file() = 0;
};

/// `manifest`'s entries, which must outlive the source. It never fails.
std::unique_ptr<EntrySource> manifest_source(const Manifest& manifest);

}  // namespace treeprint
