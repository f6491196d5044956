#include "app/changed_command.h"

#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "app/compare_commands.h"
#include "app/output.h"
#include "inputs/filters_file.h"
#include "manifest/changes.h"
#include "manifest/diff.h"
#include "publish/change_outputs.h"
#include "publish/runner.h"
#include "scan/hash_files.h"
#include "util/format.h"

namespace treeprint {

namespace {

void fail(AppContext& ctx, const std::string& message) {
  std::fprintf(ctx.err, "treeprint: error: %s\n", message.c_str());
}

Result<std::string> read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Result<std::string>::failure("cannot read '" + printable(path) + "'");
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool is_dir(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// GITHUB_OUTPUT records through the runner's own writer, into a scratch file, then to standard output.
bool emit_github(const ChangeOutputs& outputs, AppContext& ctx) {
  const char* tmpdir = std::getenv("TMPDIR");
  std::string path = std::string(tmpdir != nullptr && tmpdir[0] != '\0' ? tmpdir : "/tmp") + "/treeprint-out-XXXXXX";
  const int fd = ::mkstemp(path.data());
  if (fd < 0) {
    fail(ctx, "cannot create a scratch file for the output records: " + errno_text(errno));
    return false;
  }
  ::close(fd);
  RunnerEnvironment env;
  env.output_file = path;
  Runner runner(env, ctx.err);
  const Status st = write_github_outputs(runner, outputs);
  const Result<std::string> text = read_text(path);
  ::unlink(path.c_str());
  if (!st.ok()) {
    fail(ctx, st.error());
    return false;
  }
  if (!text) {
    fail(ctx, text.error());
    return false;
  }
  return std::fwrite(text->data(), 1, text->size(), ctx.out) == text->size() && std::fflush(ctx.out) == 0;
}

}  // namespace

int run_changed(const ChangedOptions& o, AppContext& ctx) {
  // Inputs first, before any scan: a bad filters file or pattern costs nothing.
  std::vector<ChangeFilter> filters;
  if (!o.filters_path.empty()) {
    const Result<std::string> text = read_text(o.filters_path);
    if (!text) {
      fail(ctx, "--filters: " + text.error());
      return k_exit_fatal;
    }
    Result<std::vector<ChangeFilter>> parsed = parse_filters(*text, "--filters " + printable(o.filters_path));
    if (!parsed) {
      fail(ctx, parsed.error());
      return k_exit_fatal;
    }
    filters = std::move(*parsed);
  }
  HashFilesOptions hash_options;
  std::string hash_patterns;
  if (!o.hash_files.empty()) {
    Result<std::string> patterns = hash_files_arguments(o.hash_files, &hash_options);
    if (!patterns) {
      fail(ctx, "--hash-files: " + patterns.error());
      return k_exit_fatal;
    }
    if (patterns->find_first_not_of(" \t\r\n") == std::string::npos) {
      fail(ctx, "--hash-files: no pattern given: pass the patterns hashFiles() would get, e.g. --hash-files '**/*.lock'");
      return k_exit_fatal;
    }
    if (!is_dir(o.current)) {
      fail(ctx, "--hash-files needs CURRENT to be a directory ('" + printable(o.current) + "' is not)");
      return k_exit_fatal;
    }
    hash_patterns = *patterns;
  }

  // Two manifests are compared as they are read, neither held whole: memory stays bounded as the reader's is.
  ChangeLists lists;
  if (!o.baseline.empty()) {
    const std::optional<TreeDiff> diff = diff_sides(o.baseline, o.current, o.scan, ctx);
    if (!diff) return k_exit_fatal;
    lists = change_lists(*diff);
  } else {
    Manifest current;
    if (!load_side(o.current, o.scan, ctx, &current)) return k_exit_fatal;
    lists = change_lists_without_baseline(current);
  }
  const std::vector<FilterResult> results = evaluate_filters(filters, lists);

  ChangeOutputOptions out_options;
  out_options.changes_path = o.changes_file;
  if (!o.hash_files.empty()) {
    char real[PATH_MAX];
    if (::realpath(o.current.c_str(), real) == nullptr) {
      fail(ctx, "cannot resolve '" + printable(o.current) + "': " + errno_text(errno));
      return k_exit_fatal;
    }
    Result<HashFilesResult> hashed = hash_files(real, hash_patterns, hash_options);
    if (!hashed) {
      fail(ctx, "--hash-files: " + hashed.error());
      return k_exit_fatal;
    }
    out_options.hash = hashed->hash;
    out_options.with_hash = true;
  }

  const std::string json = changes_json(lists, results, o.baseline, out_options.hash, out_options.with_hash);
  if (!o.changes_file.empty() && !write_output(o.changes_file, [&](auto&& sink) { sink(json); }, ctx)) {
    return k_exit_fatal;
  }

  bool ok = true;
  std::vector<std::string> warnings;
  switch (o.format) {
    case ChangedFormat::text: {
      const std::string text = render_changes_text(lists, results);
      ok = std::fwrite(text.data(), 1, text.size(), ctx.out) == text.size() && std::fflush(ctx.out) == 0;
      break;
    }
    case ChangedFormat::json:
      ok = std::fwrite(json.data(), 1, json.size(), ctx.out) == json.size() && std::fflush(ctx.out) == 0;
      break;
    case ChangedFormat::github: {
      const ChangeOutputs outputs = encode_change_outputs(lists, results, out_options);
      warnings = change_output_warnings(outputs, o.changes_file);
      if (!emit_github(outputs, ctx)) return k_exit_fatal;
      break;
    }
    case ChangedFormat::dotenv: {
      Result<std::string> env = render_dotenv(lists, results, out_options);
      if (!env) {
        fail(ctx, env.error());
        return k_exit_fatal;
      }
      ok = std::fwrite(env->data(), 1, env->size(), ctx.out) == env->size() && std::fflush(ctx.out) == 0;
      break;
    }
  }
  if (!ok) {
    fail(ctx, "writing to standard output failed");
    return k_exit_fatal;
  }
  if (!o.scan.quiet) {
    for (const std::string& w : warnings) std::fprintf(ctx.err, "treeprint: warning: %s\n", printable(w).c_str());
  }
  return lists.any_changed() ? k_exit_differ : k_exit_ok;
}

}  // namespace treeprint
