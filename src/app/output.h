#pragma once
// How commands write their files: atomically (a temporary file renamed into place) or to standard output for "-",
// with a message naming the path when that fails.

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "app/app.h"
#include "util/atomic_file.h"
#include "util/format.h"

namespace treeprint {

/// Writes what `write` produces (it is called with a sink) into `file`, created earlier, and renames it into place;
/// or to standard output when `path` is "-". Nothing to do when `file` is null. False with the message printed.
template <typename Write>
bool finish_output(const std::string& path, std::unique_ptr<AtomicFile>& file, Write&& write, AppContext& ctx) {
  if (path == "-") {
    bool ok = true;
    write([&](std::string_view s) { ok = ok && std::fwrite(s.data(), 1, s.size(), ctx.out) == s.size(); });
    ok = std::fflush(ctx.out) == 0 && ok;
    if (!ok) std::fprintf(ctx.err, "treeprint: error: writing to standard output failed\n");
    return ok;
  }
  if (!file) return true;
  write([&](std::string_view s) { file->write(s); });
  Status committed = file->commit();
  if (!committed) {
    std::fprintf(ctx.err, "treeprint: error: %s\n", printable(committed.error()).c_str());
    return false;
  }
  return true;
}

/// Creates `path` and writes it as finish_output does.
template <typename Write>
bool write_output(const std::string& path, Write&& write, AppContext& ctx) {
  std::unique_ptr<AtomicFile> file;
  if (path != "-") {
    AtomicFileOptions options;
    options.fs = &ctx.fs;
    auto created = AtomicFile::create(path, options);
    if (!created) {
      std::fprintf(ctx.err, "treeprint: error: %s\n", printable(created.error()).c_str());
      return false;
    }
    file = std::move(*created);
  }
  return finish_output(path, file, std::forward<Write>(write), ctx);
}

}  // namespace treeprint
