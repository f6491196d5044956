#include "app/action_changes.h"

#include <algorithm>

#include "publish/change_outputs.h"
#include "publish/runner.h"
#include "scan/hash_files.h"
#include "util/format.h"

namespace treeprint {

namespace {

std::string dir_of(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return "";
  return slash == 0 ? "/" : path.substr(0, slash + 1);
}

// The whole file or none of it, at `base_name` in the manifest's directory. Returns "" after a warning on failure.
std::string write_changes_file(const std::string& json, const ActionChangesContext& c, Runner& runner) {
  const ActionSettings& s = *c.settings;
  if (c.manifest_place == nullptr || c.manifest_place->dir.get() < 0) return "";
  const std::string base = changes_file_name(c.manifest_place->base_name);
  std::string dir = dir_of(s.manifest_path);
  if (!dir.empty() && dir.back() != '/') dir += '/';
  const std::string shown = dir + base;
  AtomicFileOptions options;
  options.allow_special = false;
  options.owner = c.owner;
  auto file = AtomicFile::create_in(c.manifest_place->dir.get(), base, shown, options);
  Status written = file ? ok_status() : Status::failure(file.error());
  if (file) {
    (*file)->write(json);
    written = (*file)->commit();
    if (written) return shown;
  }
  runner.warning("changes file: " + printable(written.error()) +
                 "; the change outputs are set, the complete lists are not");
  return "";
}

}  // namespace

std::string changes_file_name(const std::string& manifest_base_name) {
  std::string stem = manifest_base_name;
  if (stem.size() > 5 && stem.ends_with(".json")) stem.resize(stem.size() - 5);
  return stem + ".changes.json";
}

Result<ActionChanges> publish_action_changes(const Manifest& scanned, const ActionChangesContext& c, Runner& runner) {
  const ActionSettings& s = *c.settings;
  ActionChanges out;
  out.lists = c.diff != nullptr ? change_lists(*c.diff) : change_lists_without_baseline(scanned);
  out.filters = evaluate_filters(s.filters, out.lists);

  ChangeOutputOptions options;
  if (!s.hash_files.empty()) {
    HashFilesOptions hash_options;
    hash_options.follow_symlinks = s.hash_follow_symlinks;
    Result<HashFilesResult> hashed = hash_files(c.workspace, s.hash_files, hash_options);
    if (!hashed) return Result<ActionChanges>::failure("hash-files: " + hashed.error());
    options.hash = hashed->hash;
    options.with_hash = true;
    if (hashed->hash.empty()) {
      runner.warning("hash-files: no file in the workspace matches the patterns; the hash output is empty, as "
                     "hashFiles() returns then");
    }
  }

  const std::string json = changes_json(out.lists, out.filters, c.baseline, options.hash, options.with_hash);
  out.changes_path = write_changes_file(json, c, runner);
  options.changes_path = out.changes_path;

  ChangeOutputs outputs = encode_change_outputs(out.lists, out.filters, options);
  const RunnerEnvironment& where = runner.environment();
  if (where.output_file.empty() && where.env_dotenv) {
    // GitLab keeps outputs in a dotenv report of at most 50 variables and 5 KB: the lists stay in the changes file
    // and the report gets what fits whatever changed (the flags, the counts, the paths, the hash).
    std::erase_if(outputs.outputs, [&](const OutputValue& o) {
      const bool fixed = o.name == "any-changed" || o.name == "changes" || o.name == "changes-path" || o.name == "hash";
      const bool count = o.name.ends_with("-count");
      const bool filter = std::any_of(out.filters.begin(), out.filters.end(),
                                      [&](const FilterResult& f) { return f.name == o.name; });
      return !(fixed || count || filter);
    });
    outputs.lists.clear();
  }
  if (const Status st = write_github_outputs(runner, outputs); !st.ok()) {
    runner.warning("change outputs: " + st.error());
  }
  for (const std::string& w : change_output_warnings(outputs, out.changes_path)) runner.warning(w);
  return out;
}

}  // namespace treeprint
