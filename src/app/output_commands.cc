#include "app/output_commands.h"

#include <algorithm>
#include <memory>

#include "app/output.h"
#include "manifest/export.h"
#include "manifest/json_writer.h"
#include "manifest/manifest.h"
#include "manifest/merge.h"
#include "manifest/reader.h"
#include "manifest/sha256sum_writer.h"
#include "util/atomic_file.h"
#include "util/format.h"

namespace treeprint {

int run_merge(const MergeOptions& o, AppContext& ctx) {
  auto fail = [&](const std::string& message) {
    std::fprintf(ctx.err, "treeprint: error: %s\n", printable(message).c_str());
    return k_exit_fatal;
  };
  std::vector<ShardPart> parts;
  for (const std::string& path : o.parts) {
    ShardPart& part = parts.emplace_back();
    part.name = path;
    Status loaded = load_manifest(path, &part.manifest, &part.header, ctx.fs);
    if (!loaded) return fail(loaded.error());
  }
  auto result = merge_shards(std::move(parts));
  if (!result) return fail(result.error());
  const Manifest& merged = result->manifest;
  const std::string& version = result->tool_version;
  const uint32_t count = result->shard_count;
  const Digest root = root_digest(merged);
  if (!write_output(
          o.output, [&](const Sink& sink) { write_manifest_json(merged, root, version, sink, 1); }, ctx)) {
    return k_exit_fatal;
  }
  if (!o.sha256sum_path.empty() &&
      !write_output(
          o.sha256sum_path, [&](const Sink& sink) { write_sha256sum(merged, sink); }, ctx)) {
    return k_exit_fatal;
  }
  if (!o.quiet) {
    std::fprintf(ctx.err, "treeprint: merged %u shards: %s files (%s), %zu errors; root sha256:%s -> %s\n", count,
                 with_commas(merged.files.size()).c_str(), human_bytes(merged.total_bytes).c_str(),
                 merged.errors.size(), to_hex(root).c_str(), printable(o.output).c_str());
  }
  return merged.errors.empty() ? k_exit_ok : k_exit_partial;
}

int run_export(const ExportOptions& o, AppContext& ctx) {
  Manifest m;
  ManifestHeader h;
  Status loaded = load_manifest(o.manifest, &m, &h, ctx.fs);
  if (!loaded) {
    std::fprintf(ctx.err, "treeprint: error: %s\n", printable(loaded.error()).c_str());
    return k_exit_fatal;
  }
  ExportResult r;
  const char* what = "";
  switch (o.format) {
    case ExportFormat::sha256sum: r = export_sha256sum(m), what = "sha256sum"; break;
    case ExportFormat::subject_checksums: r = export_subject_checksums(m), what = "subject-checksums"; break;
    case ExportFormat::base64_subjects: r = export_base64_subjects(m), what = "base64-subjects"; break;
    case ExportFormat::in_toto: r = export_in_toto(m, h.root_digest, h.tool_version), what = "in-toto"; break;
  }
  if (o.format == ExportFormat::subject_checksums && r.text.size() > k_subject_checksums_max) {
    std::fprintf(ctx.err,
                 "treeprint: error: the subject-checksums text for %s files is %s bytes; actions/attest reads at most "
                 "%s: narrow the subjects (scan with --include) or use --format in-toto\n",
                 with_commas(m.files.size() - r.left_out.size()).c_str(), with_commas(r.text.size()).c_str(),
                 with_commas(k_subject_checksums_max).c_str());
    return k_exit_fatal;
  }
  if (!write_output(
          o.output, [&](const Sink& sink) { sink(r.text); }, ctx))
    return k_exit_fatal;
  if (r.left_out.empty()) return k_exit_ok;
  for (size_t i = 0; i < r.left_out.size() && i < 20; ++i) {
    std::fprintf(ctx.err, "treeprint: left out of %s: '%s' (the format cannot carry this name)\n", what,
                 printable(r.left_out[i]).c_str());
  }
  if (r.left_out.size() > 20) std::fprintf(ctx.err, "treeprint: ... and %zu more left out\n", r.left_out.size() - 20);
  return k_exit_partial;
}

}  // namespace treeprint
