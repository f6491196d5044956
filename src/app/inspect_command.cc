#include "app/inspect_command.h"

#include "manifest/manifest.h"
#include "manifest/path_encoding.h"
#include "manifest/reader.h"
#include "util/format.h"

namespace treeprint {

int run_inspect(const InspectOptions& o, AppContext& ctx) {
  auto source = open_byte_source(o.manifest);
  ManifestHeader h;
  ManifestVisitor ignore_entries;  // the reader checks every entry; inspect keeps none
  Status read = source ? read_manifest(**source, ignore_entries, &h) : Status::failure(source.error());
  if (!read) {
    std::fprintf(ctx.err, "treeprint: error: %s: %s\n", printable(o.manifest).c_str(), printable(read.error()).c_str());
    return k_exit_fatal;
  }
  const ManifestTotals& t = h.totals;
  if (o.json) {
    std::string out = "{\"valid\": true, \"schema\": \"";
    out.append(k_manifest_schema).append("\", \"tool_version\": ");
    append_json_string(out, h.tool_version);
    out.append(", \"root_digest\": \"sha256:").append(to_hex(h.root_digest)).append("\"");
    out.append(", \"totals\": {\"files\": ").append(std::to_string(t.files));
    out.append(", \"bytes\": ").append(std::to_string(t.bytes));
    out.append(", \"symlinks\": ").append(std::to_string(t.symlinks));
    out.append(", \"skipped\": ").append(std::to_string(t.skipped));
    out.append(", \"errors\": ").append(std::to_string(t.errors)).append("}");
    if (h.shard) {
      out.append(", \"shard\": {\"index\": ").append(std::to_string(h.shard->index));
      out.append(", \"count\": ").append(std::to_string(h.shard->count)).append("}");
    }
    if (h.git) {
      const GitSummary& g = *h.git;
      out.append(", \"git\": {\"object_format\": ");
      append_json_string(out, g.object_format);
      if (!g.head.empty()) out.append(", \"head\": \"").append(g.head).append("\"");
      if (!g.tree.empty()) out.append(", \"tree\": \"").append(g.tree).append("\"");
      out.append(", \"clean\": ").append(g.clean ? "true" : "false");
      out.append(", \"tracked\": ").append(std::to_string(g.tracked));
      out.append(", \"modified\": ").append(std::to_string(g.modified));
      out.append(", \"untracked\": ").append(std::to_string(g.untracked));
      out.append(", \"ignored_tracked\": ").append(std::to_string(g.ignored_tracked)).append("}");
    }
    out.append("}\n");
    std::fputs(out.c_str(), ctx.out);
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
