#include "app/compare_commands.h"

#include <fcntl.h>
#include <sys/stat.h>

#include "app/scan_command.h"
#include "manifest/diff.h"
#include "manifest/diff_report.h"
#include "manifest/manifest.h"
#include "manifest/reader.h"
#include "manifest/verify.h"
#include "util/format.h"

namespace treeprint {

bool load_side(const std::string& path, const ScanOptions& settings, AppContext& ctx, Manifest* out) {
  struct stat st {};
  if (ctx.fs.stat_at(AT_FDCWD, path.c_str(), &st, true) == 0 && S_ISDIR(st.st_mode)) {
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
  if (header.shard) {
    std::fprintf(ctx.err,
                 "treeprint: warning: %s holds shard %u of %u only: merge the shards first for a whole-tree "
                 "comparison\n",
                 printable(path).c_str(), header.shard->index, header.shard->count);
  }
  return true;
}

namespace {

bool emit(const std::string& text, AppContext& ctx) {
  const bool ok = std::fwrite(text.data(), 1, text.size(), ctx.out) == text.size() && std::fflush(ctx.out) == 0;
  if (!ok) std::fprintf(ctx.err, "treeprint: error: writing the report to standard output failed\n");
  return ok;
}

}  // namespace

int run_diff(const DiffOptions& o, AppContext& ctx) {
  Manifest before, after;
  if (!load_side(o.old_side, o.scan, ctx, &before) || !load_side(o.new_side, o.scan, ctx, &after)) return k_exit_fatal;
  const TreeDiff d = diff_trees(before, after);
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
