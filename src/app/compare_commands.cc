#include "app/compare_commands.h"

#include <fcntl.h>
#include <sys/stat.h>

#include "app/scan_command.h"
#include "manifest/diff.h"
#include "manifest/diff_report.h"
#include "manifest/entry_source.h"
#include "manifest/manifest.h"
#include "manifest/manifest_stream.h"
#include "manifest/reader.h"
#include "manifest/verify.h"
#include "util/format.h"

namespace treeprint {

namespace {

bool is_directory(const std::string& path, AppContext& ctx) {
  struct stat st {};
  return ctx.fs.stat_at(AT_FDCWD, path.c_str(), &st, true) == 0 && S_ISDIR(st.st_mode);
}

void warn_if_shard(const std::string& path, const ManifestHeader& header, AppContext& ctx) {
  if (header.shard) {
    std::fprintf(ctx.err,
                 "treeprint: warning: %s holds shard %u of %u only: merge the shards first for a whole-tree "
                 "comparison\n",
                 printable(path).c_str(), header.shard->index, header.shard->count);
  }
}

}  // namespace

bool load_side(const std::string& path, const ScanOptions& settings, AppContext& ctx, Manifest* out) {
  if (is_directory(path, ctx)) {
    ScanOptions o = settings;
    o.dir = path;
    return scan_tree(o, ctx, out);
  }
  ManifestHeader header;
  Status loaded = load_manifest(path, out, &header, ctx.fs);
  if (!loaded) {
    std::fprintf(ctx.err, "treeprint: error: %s\n", printable(loaded.error()).c_str());
    return false;
  }
  warn_if_shard(path, header, ctx);
  return true;
}

namespace {

// One side of a comparison: a manifest file streamed, or a directory scanned into `scanned`.
struct ComparedSide {
  std::string path;
  Manifest scanned;
  std::unique_ptr<ManifestStream> stream;
  std::unique_ptr<EntrySource> memory;
  EntrySource& source() { return stream ? *stream : *memory; }
};

// Scans a directory, or opens a manifest and starts reading it in the background. False with the message printed.
bool start_side(const std::string& path, const ScanOptions& settings, AppContext& ctx, ComparedSide* out) {
  out->path = path;
  if (is_directory(path, ctx)) {
    ScanOptions o = settings;
    o.dir = path;
    if (!scan_tree(o, ctx, &out->scanned)) return false;
    out->memory = manifest_source(out->scanned);
    return true;
  }
  Result<std::unique_ptr<ManifestStream>> stream = open_manifest_stream(path, ctx.fs);
  if (!stream) {
    std::fprintf(ctx.err, "treeprint: error: %s\n", printable(stream.error()).c_str());
    return false;
  }
  out->stream = std::move(*stream);
  return true;
}

}  // namespace

std::optional<TreeDiff> diff_sides(const std::string& before_path, const std::string& after_path,
                                   const ScanOptions& settings, AppContext& ctx) {
  ComparedSide before, after;
  if (!start_side(before_path, settings, ctx, &before)) return std::nullopt;
  if (is_directory(after_path, ctx)) {
    // The lists before the files are in: a file that is not a manifest has failed by now, before the scan.
    if (const Status opened = before.source().open(); !opened) {
      std::fprintf(ctx.err, "treeprint: error: %s\n", printable(opened.error()).c_str());
      return std::nullopt;
    }
  }
  if (!start_side(after_path, settings, ctx, &after)) return std::nullopt;
  Result<TreeDiff> d = diff_sources(before.source(), after.source());
  if (!d) {
    std::fprintf(ctx.err, "treeprint: error: %s\n", printable(d.error()).c_str());
    return std::nullopt;
  }
  for (const ComparedSide* side : {&before, &after}) {
    if (side->stream && side->stream->header() != nullptr) warn_if_shard(side->path, *side->stream->header(), ctx);
  }
  return std::move(*d);
}

namespace {

bool emit(const std::string& text, AppContext& ctx) {
  const bool ok = std::fwrite(text.data(), 1, text.size(), ctx.out) == text.size() && std::fflush(ctx.out) == 0;
  if (!ok) std::fprintf(ctx.err, "treeprint: error: writing the report to standard output failed\n");
  return ok;
}

}  // namespace

int run_diff(const DiffOptions& o, AppContext& ctx) {
  const std::optional<TreeDiff> diffed = diff_sides(o.old_side, o.new_side, o.scan, ctx);
  if (!diffed) return k_exit_fatal;
  const TreeDiff& d = *diffed;
  if (!emit(render_diff(d, o.format, "treeprint diff"), ctx)) return k_exit_fatal;
  if (!o.scan.quiet) std::fprintf(ctx.err, "treeprint: %s\n", change_counts_text(d).c_str());
  return d.identical() && d.unreadable.empty() ? k_exit_ok : k_exit_differ;
}

int run_verify(const VerifyOptions& o, AppContext& ctx, VerifyCounts* counts) {
  Manifest expected, actual;
  if (!load_side(o.manifest, o.scan, ctx, &expected)) return k_exit_fatal;
  struct stat st {};
  if (ctx.fs.stat_at(AT_FDCWD, o.dir.c_str(), &st, true) != 0 || !S_ISDIR(st.st_mode)) {
    std::fprintf(ctx.err, "treeprint: error: '%s' is not a directory; give the tree to verify\n",
                 printable(o.dir).c_str());
    return k_exit_fatal;
  }
  if (!load_side(o.dir, o.scan, ctx, &actual)) return k_exit_fatal;
  const VerifyReport report = verify_tree(expected, actual, o.allow_new);
  const std::string out = o.format == ReportFormat::text ? render_verify_text(report)
                                                          : render_diff(report.diff, o.format, "treeprint verify");
  if (!emit(out, ctx)) return k_exit_fatal;
  const bool ok = report.ok();
  if (counts != nullptr) *counts = {report.failed() + report.diff.unreadable.size(), report.missing(), report.added()};
  if (!o.scan.quiet) {
    if (report.manifest_gaps != 0) {
      std::fprintf(ctx.err,
                   "treeprint: warning: %zu entries could not be read when the manifest was written: not verified\n",
                   report.manifest_gaps);
    }
    std::fprintf(ctx.err, "treeprint: %s\n", verify_summary(report).c_str());
  }
  return ok ? k_exit_ok : k_exit_differ;
}

}  // namespace treeprint
