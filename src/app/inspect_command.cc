#include "app/inspect_command.h"

#include "manifest/manifest.h"
#include "manifest/path_encoding.h"
#include "manifest/reader.h"
#include "util/format.h"
#include "util/json.h"

namespace treeprint {

int run_inspect(const InspectOptions& o, AppContext& ctx) {
  auto source = open_byte_source(o.manifest, ctx.fs);
  ManifestHeader h;
  ManifestVisitor ignore_entries;  // the reader checks every entry; inspect keeps none
  Status read = source ? read_manifest(**source, ignore_entries, &h) : Status::failure(source.error());
  if (!read) {
    std::fprintf(ctx.err, "treeprint: error: %s: %s\n", printable(o.manifest).c_str(), printable(read.error()).c_str());
    return k_exit_fatal;
  }
  const ManifestTotals& t = h.totals;
  if (o.json) {
    JsonWriter out(JsonWriter::Style::spaced);
    out.begin_object().field("valid", true).field("schema", k_manifest_schema).field("tool_version", h.tool_version);
    out.field("root_digest", "sha256:" + to_hex(h.root_digest));
    out.key("totals").begin_object();
    out.field("files", t.files).field("bytes", t.bytes).field("symlinks", t.symlinks).field("skipped", t.skipped);
    out.field("errors", t.errors).end_object();
    if (h.shard) {
      out.key("shard").begin_object().field("index", h.shard->index).field("count", h.shard->count).end_object();
    }
    if (h.git) {
      const GitSummary& g = *h.git;
      out.key("git").begin_object().field("object_format", g.object_format);
      if (!g.head.empty()) out.field("head", g.head);
      if (!g.tree.empty()) out.field("tree", g.tree);
      out.field("clean", g.clean).field("tracked", g.tracked).field("modified", g.modified);
      out.field("untracked", g.untracked).field("ignored_tracked", g.ignored_tracked).end_object();
    }
    const std::string text = out.end_object().take() + "\n";
    std::fputs(text.c_str(), ctx.out);
  } else {
    std::fprintf(ctx.out, "%s: valid (%s, written by treeprint %s)\n", printable(o.manifest).c_str(), k_manifest_schema,
                 printable(h.tool_version).c_str());
    std::fprintf(ctx.out, "files:    %s (%s, %s bytes)\n", with_commas(t.files).c_str(), human_bytes(t.bytes).c_str(),
                 with_commas(t.bytes).c_str());
    std::fprintf(ctx.out, "symlinks: %s\nskipped:  %s\nerrors:   %s\n", with_commas(t.symlinks).c_str(),
                 with_commas(t.skipped).c_str(), with_commas(t.errors).c_str());
    if (h.shard) std::fprintf(ctx.out, "shard:    %u of %u\n", h.shard->index, h.shard->count);
    if (h.git) {
      const GitSummary& g = *h.git;
      std::fprintf(ctx.out, "git:      %s, HEAD %s, tree %s, %s\n", g.object_format.c_str(),
                   g.head.empty() ? "(unborn)" : g.head.c_str(), g.tree.empty() ? "(undefined)" : g.tree.c_str(),
                   g.clean ? "clean" : "not clean");
      std::fprintf(ctx.out, "          %s tracked, %s modified, %s untracked, %s tracked although ignored\n",
                   with_commas(g.tracked).c_str(), with_commas(g.modified).c_str(), with_commas(g.untracked).c_str(),
                   with_commas(g.ignored_tracked).c_str());
    }
    std::fprintf(ctx.out, "root:     sha256:%s\n", to_hex(h.root_digest).c_str());
  }
  return std::fflush(ctx.out) == 0 ? k_exit_ok : k_exit_fatal;
}

}  // namespace treeprint
