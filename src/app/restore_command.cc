#include "app/restore_command.h"

#include <sys/stat.h>

#include "manifest/manifest.h"
#include "manifest/reader.h"
#include "manifest/restore.h"
#include "util/format.h"

namespace treeprint {

namespace {

std::string change_text(const RestoreChange& c) {
  switch (c.kind) {
    case RestoreKind::set_executable: return "mode 0755";
    case RestoreKind::clear_executable: return "mode 0644";
    case RestoreKind::create_link: return "symlink -> " + printable(c.target);
    case RestoreKind::replace_copy:
      return "symlink -> " + printable(c.target) + " (in place of the copy of its target)";
  }
  return "";
}

}  // namespace

int run_restore(const RestoreOptions& o, AppContext& ctx, RestoreCounts* counts) {
  RestoreCounts local;
  RestoreCounts& n = counts != nullptr ? *counts : local;
  n = {};
  Manifest manifest;
  ManifestHeader header;
  Status loaded = load_manifest(o.manifest, &manifest, &header, ctx.fs);
  if (!loaded) {
    std::fprintf(ctx.err, "treeprint: error: %s; nothing was changed\n", printable(loaded.error()).c_str());
    return k_exit_fatal;
  }
  struct stat st {};
  if (::stat(o.dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    std::fprintf(ctx.err, "treeprint: error: '%s' is not a directory; give the tree to restore\n",
                 printable(o.dir).c_str());
    return k_exit_fatal;
  }
  auto done = restore_tree(manifest, o.dir, o.dry_run);
  if (!done) {
    std::fprintf(ctx.err, "treeprint: error: restore from %s refused: %s\n", printable(o.manifest).c_str(),
                 done.error().c_str());
    return k_exit_fatal;
  }
  const char* verb = o.dry_run ? "would restore" : "restored";
  std::string out;
  for (const RestoreChange& c : done->changes) out += printable(c.path) + ": " + verb + " " + change_text(c) + "\n";
  for (const RestoreKept& k : done->kept) out += printable(k.path) + ": NOT RESTORED (" + k.reason + ")\n";
  if (std::fwrite(out.data(), 1, out.size(), ctx.out) != out.size() || std::fflush(ctx.out) != 0) {
    std::fprintf(ctx.err, "treeprint: error: writing the report to standard output failed\n");
    return k_exit_fatal;
  }
  n.restored = done->changes.size();
  n.not_restored = done->kept.size();
  if (!o.scan.quiet) {
    std::fprintf(ctx.err, "treeprint: restore%s: %s %s, %s not restored\n", o.dry_run ? " (dry run)" : "",
                 with_commas(n.restored).c_str(), o.dry_run ? "to change" : "changed",
                 with_commas(n.not_restored).c_str());
  }
  if (o.dry_run) return k_exit_ok;

  VerifyOptions verify;
  verify.manifest = o.manifest;
  verify.dir = o.dir;
  verify.scan = o.scan;
  return run_verify(verify, ctx, &n.verify);
}

}  // namespace treeprint
