#include "manifest/merge.h"

#include <iterator>

#include "manifest/file_table.h"
#include "manifest/shard.h"

namespace treeprint {

Result<MergedManifest> merge_shards(std::vector<ShardPart> parts) {
  using R = Result<MergedManifest>;
  MergedManifest out;
  if (parts.empty()) return R::failure("nothing to merge: give the manifest of every shard");
  const std::string& first = parts.front().name;
  uint32_t count = 0;
  std::vector<const std::string*> seen;  // part name by shard index
  for (ShardPart& part : parts) {
    const ManifestHeader& h = part.header;
    if (!h.shard) {
      return R::failure(part.name + " is not a shard (no \"shard\" member): write parts with `scan --shard I/N`");
    }
    if (count == 0) {
      count = h.shard->count;
      out.tool_version = h.tool_version;
      seen.assign(count, nullptr);
    }
    if (h.shard->count != count) {
      return R::failure(part.name + " is shard " + std::to_string(h.shard->index) + " of " +
                        std::to_string(h.shard->count) + ", but " + first + " is one of " + std::to_string(count));
    }
    if (h.tool_version != out.tool_version) {
      return R::failure(part.name + " was written by treeprint " + h.tool_version + ", " + first + " by " +
                        out.tool_version + ": scan every shard with the same version");
    }
    const std::string*& where = seen[h.shard->index - 1];
    if (where != nullptr) {
      return R::failure(part.name + " and " + *where + " are both shard " + std::to_string(h.shard->index));
    }
    where = &part.name;
    std::string wrong;
    auto check = [&](std::string_view path) {
      if (wrong.empty() && shard_of(path, count) != h.shard->index) wrong = path;
    };
    Manifest& m = part.manifest;
    for (const FileEntry* f : m.files) check(f->path);
    for (const auto& e : m.symlinks) check(e.path);
    for (const auto& e : m.skipped) check(e.path);
    for (const auto& e : m.errors) check(e.path);
    if (!wrong.empty()) {
      return R::failure(part.name + ": '" + wrong + "' does not belong to shard " + std::to_string(h.shard->index) +
                        " of " + std::to_string(count));
    }
    Manifest& merged = out.manifest;
    merged.files.insert(merged.files.end(), m.files.begin(), m.files.end());
    std::move(m.symlinks.begin(), m.symlinks.end(), std::back_inserter(merged.symlinks));
    std::move(m.skipped.begin(), m.skipped.end(), std::back_inserter(merged.skipped));
    std::move(m.errors.begin(), m.errors.end(), std::back_inserter(merged.errors));
    merged.total_bytes += m.total_bytes;
    merged.table.absorb(std::move(m.table));
  }
  std::string missing;
  for (uint32_t i = 0; i < count; ++i) {
    if (seen[i] == nullptr) missing += (missing.empty() ? "" : ", ") + std::to_string(i + 1);
  }
  if (!missing.empty()) {
    return R::failure("shard(s) " + missing + " of " + std::to_string(count) + " missing: merge needs all of them");
  }
  sort_canonical(out.manifest);
  out.shard_count = count;
  return R(std::move(out));
}

}  // namespace treeprint
