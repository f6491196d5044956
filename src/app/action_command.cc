#include "app/action_command.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <thread>

#include "app/action_changes.h"
#include "app/action_gitlab.h"
#include "app/ci_environment.h"
#include "app/restore_command.h"
#include "app/scan_command.h"
#include "app/version.h"
#include "inputs/action_settings.h"
#include "inputs/ci_system.h"
#include "inputs/event.h"
#include "inputs/path_trust.h"
#include "manifest/diff.h"
#include "manifest/reader.h"
#include "manifest/restore.h"
#include "publish/artifact_upload.h"
#include "publish/github_api.h"
#include "publish/gitlab_api.h"
#include "publish/http_client.h"
#include "publish/job_summary.h"
#include "publish/rest_json.h"
#include "publish/runner.h"
#include "scan/stat_cache.h"
#include "util/format.h"
#include "util/text.h"

namespace treeprint {

namespace {

constexpr const char* k_check_name = "treeprint";

std::string env_or(const EnvLookup& env, const std::string& name, std::string fallback = {}) {
  auto v = env(name);
  return v && !v->empty() ? *v : fallback;
}

std::string trim_space(std::string s) {
  const auto is_space = [](char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
  };
  while (!s.empty() && is_space(s.back())) s.pop_back();
  size_t start = 0;
  while (start < s.size() && is_space(s[start])) ++start;
  return s.substr(start);
}

std::string base_name_of(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

ChangeExamples examples_of(const TreeDiff& d, ChangeKind kind) {
  ChangeExamples e;
  e.count = d.counts[static_cast<size_t>(kind)];
  for (const Change& c : d.changes) {
    if (c.kind == kind && e.examples.size() < 100) e.examples.push_back({c.path, c.old_path});
  }
  return e;
}

ChangeSummary change_summary(const TreeDiff& d, std::string label) {
  ChangeSummary s;
  s.baseline = std::move(label);
  s.added = examples_of(d, ChangeKind::added);
  s.removed = examples_of(d, ChangeKind::removed);
  s.modified = examples_of(d, ChangeKind::modified);
  s.renamed = examples_of(d, ChangeKind::renamed);
  s.mode_changed = examples_of(d, ChangeKind::mode_changed);
  s.type_changed = examples_of(d, ChangeKind::type_changed);
  return s;
}

// Joins the scanned directory and a manifest path, as a path relative to the workspace (for annotations).
std::string workspace_path(const std::string& dir, const std::string& path) {
  if (dir.empty() || dir == ".") return path;
  std::string d = dir;
  while (d.size() > 2 && d.compare(0, 2, "./") == 0) d.erase(0, 2);
  return d.back() == '/' ? d + path : d + "/" + path;
}

class Action {
 public:
  Action(const EnvLookup& env, AppContext& ctx)
      : m_env(env), m_ctx(ctx), m_runner(ci_runner_environment(env), ctx.out) {}

  int run() {
    // The token is masked before anything else can be printed, even when the inputs turn out not to be valid, and
    // exactly as it is sent: trimmed, as the settings read it.
    for (const char* name : {"INPUT_TOKEN", "PLUGIN_TOKEN"}) m_runner.add_mask(trim_space(env_or(m_env, name)));
    // Paths in the inputs are relative to the workspace, whatever directory the step was started in (a container
    // action starts there anyway; a plain `docker run` may not).
    const std::string& ws = m_runner.environment().workspace;
    if (!ws.empty() && ::chdir(ws.c_str()) != 0) {
      m_runner.error("cannot enter the workspace '" + printable(ws) + "': " + errno_text(errno));
      return k_exit_fatal;
    }
    auto loaded = load_action_settings(m_env);
    if (auto* errors = std::get_if<std::vector<SettingsError>>(&loaded)) {
      for (const SettingsError& e : *errors) m_runner.error(e.message);
      std::fprintf(m_ctx.err, "treeprint: %zu input(s) not valid; nothing was scanned\n", errors->size());
      return k_exit_fatal;
    }
    m_settings = std::get<ActionSettings>(std::move(loaded));
    const ActionSettings& s = m_settings;  // s.token is one of the values masked above (never from the file)
    for (const std::string& w : s.warnings) m_runner.warning(w);
    if (!s.restore_dir.empty()) return restore();

    // Where every path leads is settled here, by who wrote it (inputs/path_trust.h), before any work.
    const PathRoots roots = path_roots(m_env);
    std::optional<FileOwner> owner;
    if (struct stat st{}; !ws.empty() && ::stat(ws.c_str(), &st) == 0 && st.st_uid != ::geteuid()) {
      owner = FileOwner{st.st_uid, st.st_gid};  // files a root container writes must belong to the workspace's owner
    }
    const auto give_owner = [&](int fd, const std::string& created) {
      if (owner && ::fchown(fd, owner->uid, owner->gid) != 0) {
        std::fprintf(m_ctx.err, "treeprint: note: cannot give '%s' the workspace's owner: %s\n",
                     printable(created).c_str(), errno_text(errno).c_str());
      }
    };
    ScanOptions options = to_scan_options(s);
    const struct {
      const char* input;
      const std::string* path;
      const SettingOrigin* origin;
      OutputAt* at;
      OutputPlace* place;
    } outputs[] = {
        {"manifest-path", &s.manifest_path, &s.manifest_path_origin, &options.output_at, &m_manifest_place},
        {"sha256sum-path", &s.sha256sum_path, &s.sha256sum_path_origin, &options.sha256sum_at, &m_sums_place}};
    for (const auto& o : outputs) {
      if (o.path->empty()) continue;
      auto place = place_output(roots, *o.path, o.origin->source, give_owner);
      if (!place) {
        m_runner.error(std::string(o.input) + (o.origin->where.empty() ? "" : " (" + o.origin->where + ")") +
                       ": cannot write " + place.error());
        return k_exit_fatal;
      }
      *o.place = std::move(*place);
      o.at->dir_fd = o.place->dir.get();
      o.at->base_name = o.place->base_name;
      o.at->file.allow_special = false;
      o.at->file.owner = owner;
    }
    auto root = open_trusted(roots, s.path, s.path_origin.source, /*directory=*/true);
    if (!root) {
      m_runner.error("path" + (s.path_origin.where.empty() ? std::string() : " (" + s.path_origin.where + ")") +
                     ": cannot scan " + root.error());
      return k_exit_fatal;
    }
    // The baseline is read once: the scan reuses its digests (the git fast path, and the stat cache when a stat file
    // lies beside a baseline path), and the comparison after it diffs against the same manifest. A previous run's
    // (no stat file, so of use to the git fast path alone) is downloaded and read on a thread of its own while the
    // scan runs, and the walk waits for it only once it has listed the tree; a baseline path is read first, as its
    // stat file must be known before the walk. Not getting it is a notice or a warning and a plain scan, never a
    // failed step.
    const bool beside_scan = s.baseline == BaselineKind::previous_run;
    std::once_flag baseline_once;
    const auto load = [&] { std::call_once(baseline_once, [&] { load_baseline(roots); }); };
    std::jthread baseline_loader;  // m_baseline is only read once load() has returned on this thread
    if (beside_scan) {
      baseline_loader = std::jthread(load);
    } else {
      load();
    }

    options.output = s.manifest_path;
    options.sha256sum_path = s.sha256sum_path;
    options.dir_fd = root->get();
    ScanReuse reuse;
    bool offer_reuse = beside_scan;
    if (beside_scan) {
      if (m_settings.git) {
        reuse.load_git_baseline = [&]() -> const Manifest* {
          load();
          return m_baseline ? &m_baseline->before() : nullptr;
        };
      }
    } else if (m_baseline) {
      offer_reuse = true;
      reuse.stat_cache = m_baseline->stat_cache.get();
      if (m_settings.git) reuse.git_baseline = &m_baseline->before();
    }
    const auto scan_started = std::chrono::steady_clock::now();
    m_runner.group("treeprint: scanning " + printable(options.dir));
    ScanResult scan = scan_and_write(options, m_ctx, offer_reuse ? &reuse : nullptr);
    m_runner.end_group();
    load();  // waits for the loader (the scan may not have: not a work tree, or every file rehashed)
    resume_network_deadline(scan_started);
    if (!scan.ran || !scan.written) {
      m_runner.error("the scan could not run: " +
                     (scan.fatal_error.empty() ? std::string("see the log above") : printable(scan.fatal_error)));
      return k_exit_fatal;
    }

    warn_hidden(scan.manifest);
    if (m_baseline && scan.git_reused != 0) {
      std::fprintf(m_ctx.err, "treeprint: baseline: %s digests taken from %s without reading the files\n",
                   with_commas(scan.git_reused).c_str(), printable(m_baseline->label).c_str());
    }

    std::optional<TreeDiff> diff;
    std::string baseline_label;
    if (m_baseline) {
      diff = diff_trees(m_baseline->before(), scan.manifest);
      baseline_label = m_baseline->label;
    }
    std::optional<ChangeSummary> changes;
    if (diff) changes = change_summary(*diff, baseline_label);
    auto published = publish_changes(scan.manifest, diff ? &*diff : nullptr, baseline_label, roots, owner);
    if (!published) return k_exit_fatal;

    annotate_errors(scan.manifest, options.dir);
    const std::string summary_md = job_summary(scan, changes ? &*changes : nullptr, published->filters);
    if (Status written = m_runner.append_summary(summary_md); !written) {
      m_runner.warning("could not write the job summary: " + written.error());
    }

    // Everything local is written before the network is touched again (only the baseline's download came before
    // the scan, and its failure cost nothing but the comparison): a slow or failing upload or API call costs
    // nothing but its own outputs.
    bool failed = fails(scan.manifest, changes ? &*changes : nullptr);
    set_outputs(scan, changes ? &*changes : nullptr);
    failed = !upload() || failed;
    set_output("summary-url", post_summary(scan, failed, changes ? &*changes : nullptr, published->filters));
    return failed ? k_exit_partial : k_exit_ok;
  }

 private:
  // The consumer's side: a downloaded copy of a tree is restored from its manifest and verified; nothing is scanned
  // or uploaded. Exit codes as `treeprint restore`.
  int restore() {
    const ActionSettings& s = m_settings;
    RestoreOptions o;
    o.manifest = s.restore_manifest;
    o.dir = s.restore_dir;
    o.scan = to_scan_options(s);
    o.scan.dir = s.restore_dir;
    o.scan.output.clear();
    o.scan.sha256sum_path.clear();
    m_runner.group("treeprint: restoring " + printable(o.dir) + " from " + printable(o.manifest));
    // The report names files of the downloaded tree: none of them may be read as a workflow command.
    const std::string token = m_runner.environment().on_actions ? random_delimiter() : std::string();
    if (!token.empty()) {
      std::fprintf(m_ctx.out, "::stop-commands::%s\n", token.c_str());
      std::fflush(m_ctx.out);
    }
    RestoreCounts n;
    const int code = run_restore(o, m_ctx, &n);
    if (!token.empty()) {
      std::fprintf(m_ctx.out, "::%s::\n", token.c_str());
      std::fflush(m_ctx.out);
    }
    m_runner.end_group();
    if (code == k_exit_fatal) {
      m_runner.error("restore: " + printable(o.dir) + " was not restored (see the log above); nothing was changed");
      return code;
    }
    const std::pair<const char*, uint64_t> outputs[] = {
        {"restored", n.restored}, {"failed", n.verify.failed}, {"missing", n.verify.missing}, {"new", n.verify.added}};
    for (const auto& [name, value] : outputs) set_output(name, std::to_string(value));
    const std::string counts = with_commas(n.restored) + " restored, " + with_commas(n.not_restored) +
                               " not restored; " + with_commas(n.verify.failed) + " failed, " +
                               with_commas(n.verify.missing) + " missing, " + with_commas(n.verify.added) + " new";
    const std::string md = "### treeprint restore\n\n`" + printable(o.dir) +
                           "`: " + (code == k_exit_ok ? "**OK**" : "**FAILED**") + " (" + counts + ")\n";
    if (Status written = m_runner.append_summary(md); !written) {
      m_runner.warning("could not write the job summary: " + written.error());
    }
    if (code != k_exit_ok) {
      m_runner.error("restore: " + printable(o.dir) + " does not match the manifest (" + counts +
                     "); each path is listed in the log");
    }
    return code;
  }

  // The upload side: hidden files are left out by actions/upload-artifact unless it is told otherwise, and no
  // manifest can bring them back, so say so while the upload can still be fixed. Only for a scan of a part of the
  // workspace (`path: dist`): that is what gets uploaded; the whole checkout (with its .github/ and .gitignore) is not.
  void warn_hidden(const Manifest& m) {
    const std::string& path = m_settings.path;
    if (path.empty() || path == "." || path == "./" || path == env_or(m_env, "GITHUB_WORKSPACE", "\n")) return;
    const std::vector<std::string_view> hidden = hidden_paths(m);
    if (hidden.empty()) return;
    std::string names;
    for (size_t i = 0; i < hidden.size() && i < 3; ++i) names += (i == 0 ? "" : ", ") + printable(hidden[i]);
    if (hidden.size() > 3) names += ", ...";
    m_runner.warning(with_commas(hidden.size()) + (hidden.size() == 1 ? " hidden file" : " hidden files") + " (" +
                     names +
                     ") would be left out by actions/upload-artifact's defaults: upload this tree with "
                     "`include-hidden-files: true`, or `treeprint restore` reports them MISSING");
  }

  bool fails(const Manifest& m, const ChangeSummary* changes) const {
    switch (m_settings.fail_on) {
      case FailOn::never: return false;
      case FailOn::errors: return !m.errors.empty();
      case FailOn::changes: return !m.errors.empty() || (changes != nullptr && changes->total() != 0);
    }
    return false;
  }

  // The manifest compared with, read once before the scan.
  struct LoadedBaseline {
    // One load of the baseline serves the stat cache, the git fast path (matched against the scan's index, nothing
    // copied) and the comparison after the scan.
    Manifest manifest;                      // when stat_cache is null
    std::unique_ptr<StatCache> stat_cache;  // made from the manifest (then it holds it) when a stat file matched
    std::string label;
    const Manifest& before() const { return stat_cache ? stat_cache->manifest() : manifest; }
  };

  // What the baseline input names, read into m_baseline; on any failure a notice or warning says why, and there is
  // no baseline.
  void load_baseline(const PathRoots& roots) {
    const ActionSettings& s = m_settings;
    if (s.baseline == BaselineKind::off) return;
    auto b = std::make_unique<LoadedBaseline>();
    ManifestHeader header;
    std::unique_ptr<ByteSource> source;
    if (s.baseline == BaselineKind::path) {
      auto file = open_trusted(roots, s.baseline_path, s.baseline_origin.source, /*directory=*/false);
      if (!file) {
        m_runner.warning("baseline (" + s.baseline_origin.where + "): cannot read " + file.error() +
                         " (no comparison made)");
        return;
      }
      auto opened = fd_byte_source(file->release(), s.baseline_path, m_ctx.fs);
      const Status loaded = opened ? load_manifest(**opened, &b->manifest, &header) : Status::failure(opened.error());
      if (!loaded) {
        m_runner.warning("baseline: " + printable(s.baseline_path) + ": " + loaded.error() + " (no comparison made)");
        return;
      }
      source = std::move(*opened);
      b->label = base_name_of(s.baseline_path);
      std::fprintf(m_ctx.err, "treeprint: baseline: comparing with %s\n", printable(s.baseline_path).c_str());
    } else if (detect_ci_system(m_env) == CiSystem::gitlab) {
      auto found = gitlab_previous_run(http(), m_env, s, m_runner);
      if (!found) return;  // said why
      source = memory_source(found->content);
      if (const Status loaded = load_manifest(*source, &b->manifest, &header); !loaded) {
        m_runner.warning("baseline: the artifact's manifest is not valid: " + loaded.error() + " (no comparison made)");
        return;
      }
      b->label = found->label;
    } else {
      // The inflated manifest goes to an unnamed file among the runner's temporary files when one can be made, not
      // to memory: only its parse is held (beside the walk's table, as it is read while the scan runs), and the
      // kernel may write its bytes back.
      const int spill = open_spill_file();
      auto found = fetch_previous_run(spill);
      if (!found) {
        if (spill >= 0) ::close(spill);
        return;  // said why
      }
      if (spill >= 0) {
        auto opened = fd_byte_source(spill, "the artifact's manifest", m_ctx.fs);
        if (!opened) {
          m_runner.warning("baseline: " + opened.error() + " (no comparison made)");
          return;
        }
        source = std::move(*opened);
      } else {
        source = memory_source(found->content);
      }
      if (const Status loaded = load_manifest(*source, &b->manifest, &header); !loaded) {
        m_runner.warning("baseline: the artifact's manifest is not valid: " + loaded.error() + " (no comparison made)");
        return;
      }
      b->label = "run " + std::to_string(found->run_id) + " (" + found->head_sha.substr(0, 12) + ")";
      m_baseline_commit = found->head_sha;
    }
    if (s.baseline == BaselineKind::path && !attach_stat_file(roots, header, source.get(), b.get())) return;
    m_baseline = std::move(b);
  }

  // A stat file beside a baseline path (written by `treeprint scan --baseline`) lets unchanged files keep their
  // digest by their stat data; one that does not match is a note, and only the git fast path applies.
  // False when the baseline was lost on the way (said why).
  bool attach_stat_file(const PathRoots& roots, const ManifestHeader& header, ByteSource* source, LoadedBaseline* b) {
    const ActionSettings& s = m_settings;
    const std::string stat_path = stat_file_path(s.baseline_path);
    struct stat st {};
    if (::stat(stat_path.c_str(), &st) != 0) return true;  // none: nothing to say
    std::string bytes;
    auto file = open_trusted(roots, stat_path, s.baseline_origin.source, /*directory=*/false);
    Status read = file ? Status(std::monostate{}) : Status::failure(file.error());
    if (read) {
      auto stats = fd_byte_source(file->release(), stat_path, m_ctx.fs);
      if (!stats) {
        read = Status::failure(stats.error());
      } else {
        bytes.resize((*stats)->size());
        read = (*stats)->read_at(0, bytes.data(), bytes.size());
      }
    }
    if (!read) {
      std::fprintf(m_ctx.err, "treeprint: note: not reading '%s': %s\n", printable(stat_path).c_str(),
                   printable(read.error()).c_str());
      return true;
    }
    auto cache = StatCache::from(std::move(b->manifest), header.root_digest, bytes);
    if (cache) {
      b->stat_cache = std::move(*cache);
      return true;
    }
    std::fprintf(m_ctx.err, "treeprint: note: not reusing '%s': %s\n", printable(stat_path).c_str(),
                 printable(cache.error()).c_str());
    // The failed cache took the manifest with it: read it again from the same open file.
    b->manifest = Manifest();
    ManifestHeader again;
    if (const Status loaded = load_manifest(*source, &b->manifest, &again); !loaded) {
      m_runner.warning("baseline: " + printable(s.baseline_path) + ": " + loaded.error() + " (no comparison made)");
      return false;
    }
    return true;
  }

  // An unnamed file (O_TMPFILE) in RUNNER_TEMP, or -1 (no RUNNER_TEMP, or a filesystem without unnamed files).
  int open_spill_file() const {
    const std::string dir = env_or(m_env, "RUNNER_TEMP");
    if (dir.empty()) return -1;
    const int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    return fd >= 0 ? fd : -1;
  }

  // `baseline: previous-run`: the earlier run's manifest that GitHubApi::find_baseline chooses for this event
  // (docs/action-inputs.md, "Which run is compared"). The log names the run and its commit; each fallback is a notice.
  // With `spill` (an open file, or -1) the manifest is written there instead of BaselineArtifact::content.
  std::optional<BaselineArtifact> fetch_previous_run(int spill) {
    const ActionSettings& s = m_settings;
    auto api = make_api();
    if (!api) {
      m_runner.notice("baseline: previous-run needs a token and GITHUB_REPOSITORY; no comparison made");
      return std::nullopt;
    }
    const WorkflowEvent event = read_event(m_env);
    BaselineQuery q;
    q.artifact_name = s.artifact_name;
    q.file_name = base_name_of(s.manifest_path);
    q.current_run_id = std::atoll(env_or(m_env, "GITHUB_RUN_ID", "0").c_str());
    q.branch = env_or(m_env, "GITHUB_BASE_REF", env_or(m_env, "GITHUB_REF_NAME"));
    if (event.pull_request && !event.pull_request->base_sha.empty() && !event.pull_request->head_sha.empty()) {
      q.pull_base_sha = event.pull_request->base_sha;
      q.pull_head_sha = event.pull_request->head_sha;
      if (!event.pull_request->base_ref.empty()) q.branch = event.pull_request->base_ref;
    } else if (is_null_commit(event.before)) {
      // A new branch has no run of its own yet: its starting point is best guessed by the default branch.
      if (event.default_branch.empty()) {
        m_runner.notice(
            "baseline: a new branch, and the event does not name the repository's default branch; no "
            "comparison made");
        return std::nullopt;
      }
      m_runner.notice("baseline: a new branch: comparing with the newest successful run on the default branch '" +
                      printable(event.default_branch) + "'");
      q.branch = event.default_branch;
    } else {
      q.commit = event.before;
    }
    if (spill >= 0) {
      q.content_sink = [this, spill](std::string_view piece) {
        while (!piece.empty()) {
          const long n = m_ctx.fs.write(spill, piece.data(), piece.size());
          if (n <= 0) {
            return Status::failure("cannot write the inflated manifest to RUNNER_TEMP: " +
                                   errno_text(n < 0 ? static_cast<int>(-n) : EIO));
          }
          piece.remove_prefix(static_cast<size_t>(n));
        }
        return ok_status();
      };
    }
    auto found = api->find_baseline(q);
    if (!found) {
      m_runner.notice("baseline: no earlier manifest found (" + found.error() + "); no comparison made");
      return std::nullopt;
    }
    for (const std::string& note : found->notes) m_runner.notice("baseline: " + note);
    std::fprintf(m_ctx.err, "treeprint: baseline: comparing with commit %s, the manifest of run %lld (%s)\n",
                 printable(found->head_sha).c_str(), static_cast<long long>(found->run_id),
                 printable(found->chosen).c_str());
    return std::move(*found);
  }

  void annotate_errors(const Manifest& m, const std::string& dir) {
    if (m.errors.empty()) return;
    std::vector<Annotation> list;
    for (const ErrorEntry& e : m.errors) {
      list.push_back({printable(e.message), "treeprint: not hashed", workspace_path(dir, printable(e.path)), 0});
    }
    m_runner.annotate_all(AnnotationLevel::error, list, "all of them are in the manifest's \"errors\"");
  }

  // The change lists, filters, hash and changes file (app/action_changes.h): local, so before the network. Fails only
  // when hash-files cannot be computed, which fails the step as hashFiles() would.
  std::optional<ActionChanges> publish_changes(const Manifest& scanned, const TreeDiff* diff, const std::string& label,
                                               const PathRoots& roots, const std::optional<FileOwner>& owner) {
    ActionChangesContext c;
    c.settings = &m_settings;
    c.diff = diff;
    c.baseline = label;
    c.workspace = roots.workspace;
    c.manifest_place = &m_manifest_place;
    c.owner = owner;
    auto done = publish_action_changes(scanned, c, m_runner);
    if (!done) {
      m_runner.error(done.error());
      return std::nullopt;
    }
    return std::move(*done);
  }

  // The job summary; with `max_characters` (a comment or a check run) also within that many characters, its lists
  // shortened to fit rather than the text cut.
  std::string job_summary(const ScanResult& scan, const ChangeSummary* changes,
                          const std::vector<FilterResult>& filters, size_t max_characters = 0,
                          std::string limit_name = {}) const {
    JobSummaryOptions o;
    if (max_characters != 0) {
      o.max_characters = max_characters;
      o.limit_name = std::move(limit_name);
    }
    o.scanned = m_settings.path;
    o.repository = env_or(m_env, "GITHUB_REPOSITORY");
    o.compared_commit = m_baseline_commit;
    o.git_reused = scan.git_reused;
    // The runner's file system is gone when the summary is read: name the manifest by its artifact.
    if (artifact_runtime_from_env(m_env)) {
      o.manifest_artifact = m_settings.artifact_name;
      o.manifest_artifact_url = run_url().empty() ? "" : run_url() + "#artifacts";
      o.manifest = base_name_of(m_settings.manifest_path);
    } else {
      o.manifest = m_settings.manifest_path;
    }
    o.changes = changes;
    o.filters = m_settings.filters.empty() ? nullptr : &filters;
    return build_job_summary(scan.manifest, scan.root, o);
  }

  HttpClient& http() {
    if (!m_http) {
      HttpClientOptions o;
      o.user_agent = std::string("treeprint/") + k_version;
      o.log = [this](const std::string& line) { std::fprintf(m_ctx.err, "treeprint: http: %s\n", line.c_str()); };
      m_http = std::make_unique<HttpClient>(o);
      if (!m_settings.token.empty()) m_http->add_secret(m_settings.token);
      // The network part as a whole has a deadline, counted from its first request.
      m_network_started = std::chrono::steady_clock::now();
      m_http->set_deadline(m_network_started + std::chrono::seconds(m_settings.api_timeout));
    }
    return *m_http;
  }

  // The scan between the baseline's download and the upload is not network time: what the download used is taken
  // from the deadline, the scan is not.
  void resume_network_deadline(std::chrono::steady_clock::time_point scan_started) {
    if (!m_http) return;
    const auto scanning = std::chrono::steady_clock::now() - scan_started;
    m_http->set_deadline(m_network_started + std::chrono::seconds(m_settings.api_timeout) + scanning);
  }

  std::unique_ptr<GitHubApi> make_api() {
    const std::string repo = env_or(m_env, "GITHUB_REPOSITORY");
    if (m_settings.token.empty() || repo.empty()) return nullptr;
    auto api = std::make_unique<GitHubApi>(http(), env_or(m_env, "GITHUB_API_URL", "https://api.github.com"),
                                           m_settings.token, repo);
    const CiSystem system = detect_ci_system(m_env);
    api->set_gitea(system == CiSystem::gitea || system == CiSystem::forgejo);
    return api;
  }

  // Uploads the manifest (and the sha256sum file) as a workflow artifact when the runner gave the means to (GitHub
  // passes ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL into container actions). A failure is a warning, or an
  // error when `fail-on` is not `never`; returns false then.
  bool upload() {
    const ActionSettings& s = m_settings;
    const auto runtime = artifact_runtime_from_env(m_env);
    if (!runtime) {
      std::fprintf(m_ctx.err,
                   "treeprint: not on a GitHub runner with artifact access: nothing uploaded; the manifest is %s\n",
                   printable(s.manifest_path).c_str());
      return true;
    }
    ArtifactUpload up;
    up.fs = &m_ctx.fs;
    up.name = s.artifact_name;
    up.retention_days = s.retention_days;
    up.overwrite = s.overwrite;
    up.files.push_back({s.manifest_path, base_name_of(s.manifest_path)});
    if (!s.sha256sum_path.empty() && base_name_of(s.sha256sum_path) != base_name_of(s.manifest_path)) {
      up.files.push_back({s.sha256sum_path, base_name_of(s.sha256sum_path)});
    }
    auto done = upload_artifact(http(), up, *runtime);
    if (!done) {
      const std::string message = "artifact: the manifest was not uploaded (it is still at " +
                                  printable(s.manifest_path) + "): " + done.error();
      if (s.fail_on == FailOn::never) {
        m_runner.warning(message);
        return true;
      }
      m_runner.error(message);
      return false;
    }
    set_output("artifact-id", std::to_string(done->id));
    set_output("artifact-url", done->url.value_or(""));
    std::fprintf(m_ctx.err, "treeprint: uploaded artifact '%s' (%s, %s)\n", printable(s.artifact_name).c_str(),
                 human_bytes(done->size).c_str(), done->digest.c_str());
    return true;
  }

  std::string run_url() const {
    const std::string server = env_or(m_env, "GITHUB_SERVER_URL", "https://github.com");
    const std::string repo = env_or(m_env, "GITHUB_REPOSITORY");
    const std::string run = env_or(m_env, "GITHUB_RUN_ID");
    return repo.empty() || run.empty() ? "" : server + "/" + repo + "/actions/runs/" + run;
  }

  // Posts the summary through the REST API as the `summary` input says. Any failure is a warning: the manifest, the
  // outputs and the job summary do not depend on it. Returns the URL of what was posted, or "".
  std::string post_summary(const ScanResult& scan, bool failed, const ChangeSummary* changes,
                           const std::vector<FilterResult>& filters) {
    const ActionSettings& s = m_settings;
    // What the CI system offers decides (inputs/ci_system.h): a mode it lacks is a warning, never a failed step.
    const CiSystem system = detect_ci_system(m_env);
    const SummaryChoice choice =
        choose_summary(system, s.summary, system == CiSystem::gitlab && gitlab_merge_request_pipeline(m_env));
    if (!choice.warning.empty()) m_runner.warning(choice.warning);
    if (choice.mode == SummaryMode::none) return "";
    const Manifest& m = scan.manifest;
    std::string headline = with_commas(m.files.size()) + " files, " + human_bytes(m.total_bytes) + ", " +
                           std::to_string(m.errors.size()) + " errors";
    if (changes != nullptr) headline += ", " + std::to_string(changes->total()) + " changes";
    if (system == CiSystem::gitlab) {
      const std::string key = "treeprint:" + s.artifact_name;
      const std::string markdown =
          job_summary(scan, changes, filters, k_gitlab_note_max - utf16_length(sticky_marker(key)) - 1,
                      "GitLab's limit of " + with_commas(k_gitlab_note_max) + " characters for a note");
      const GitLabSummaryRequest request{choice.mode, markdown, headline, failed, key};
      return post_gitlab_summary(http(), m_env, s, request, m_runner);
    }
    auto api = make_api();
    if (!api) {
      m_runner.warning(std::string("summary: ") + to_string(choice.mode) +
                       " needs a token and GITHUB_REPOSITORY; only the job summary was written");
      return "";
    }
    const auto pr = read_event(m_env).pull_request;
    const std::string sha = pr && !pr->head_sha.empty() ? pr->head_sha : env_or(m_env, "GITHUB_SHA");
    switch (choice.mode) {
      case SummaryMode::check_run: {
        if (sha.empty()) {
          m_runner.warning("summary: check-run needs GITHUB_SHA; only the job summary was written");
          return "";
        }
        CheckRun run;
        run.name = k_check_name;
        run.head_sha = sha;
        run.conclusion = failed ? "failure" : "success";
        run.details_url = run_url();
        run.title = headline;
        run.summary =
            job_summary(scan, changes, filters, k_check_output_max,
                        "GitHub's limit of " + with_commas(k_check_output_max) + " characters for a check run");
        for (const ErrorEntry& e : m.errors) {
          CheckAnnotation a;
          a.path = workspace_path(s.path, printable(e.path));
          a.level = "failure";
          a.title = "not hashed";
          a.message = printable(e.message);
          run.annotations.push_back(std::move(a));
        }
        auto created = api->create_check_run(run);
        if (!created) {
          m_runner.warning("summary: could not create the check run: " + created.error());
          return "";
        }
        return created->html_url;
      }
      case SummaryMode::comment: {
        if (!pr) {
          m_runner.notice("summary: comment needs a pull_request event; only the job summary was written");
          return "";
        }
        const std::string key = "treeprint:" + s.artifact_name;
        const std::string markdown =
            job_summary(scan, changes, filters, GitHubApi::comment_text_max(key),
                        "GitHub's limit of " + with_commas(k_comment_body_max) + " characters for a comment");
        auto posted = api->upsert_sticky_comment(pr->number, key, markdown);
        if (!posted) {
          m_runner.warning("summary: could not post the pull-request comment: " + posted.error());
          return "";
        }
        if (posted->foreign_markers != 0) {
          m_runner.notice("summary: " + std::to_string(posted->foreign_markers) +
                          " comment(s) on the pull request carry treeprint's marker but were not written by this "
                          "token's identity; they were left alone");
        }
        return env_or(m_env, "GITHUB_SERVER_URL", "https://github.com") + "/" + env_or(m_env, "GITHUB_REPOSITORY") +
               (system == CiSystem::gitea || system == CiSystem::forgejo ? "/pulls/" : "/pull/") +
               std::to_string(pr->number) + "#issuecomment-" + std::to_string(posted->id);
      }
      case SummaryMode::status: {
        if (sha.empty()) {
          m_runner.warning("summary: status needs GITHUB_SHA; only the job summary was written");
          return "";
        }
        CommitStatus st;
        st.sha = sha;
        st.state = failed ? "failure" : "success";
        st.context = k_check_name;
        st.description = headline;
        st.target_url = run_url();
        auto done = api->create_commit_status(st);
        if (!done) {
          m_runner.warning("summary: could not set the commit status: " + done.error());
          return "";
        }
        return st.target_url;
      }
      case SummaryMode::automatic:
      case SummaryMode::none: break;
    }
    return "";
  }

  void set_output(const std::string& name, const std::string& value) {
    if (Status set = m_runner.set_output(name, value); !set) {
      m_runner.warning("could not set output " + name + ": " + set.error());
    }
  }

  void set_outputs(const ScanResult& scan, const ChangeSummary* changes) {
    const Manifest& m = scan.manifest;
    const std::pair<const char*, std::string> outputs[] = {
        {"manifest-path", m_settings.manifest_path},
        {"sha256sum-path", m_settings.sha256sum_path},
        {"digest", "sha256:" + to_hex(scan.root)},
        {"files", std::to_string(m.files.size())},
        {"bytes", std::to_string(m.total_bytes)},
        {"errors", std::to_string(m.errors.size())},
        {"changed", changes ? std::to_string(changes->total()) : ""},
        {"added", changes ? std::to_string(changes->added.count) : ""},
        {"removed", changes ? std::to_string(changes->removed.count) : ""},
        {"git-tree", m.git ? m.git->tree : ""},
        {"worktree-clean", m.git ? (m.git->clean ? "true" : "false") : ""},
    };
    for (const auto& [name, value] : outputs) set_output(name, value);
  }

  const EnvLookup& m_env;
  AppContext& m_ctx;
  Runner m_runner;
  ActionSettings m_settings;
  OutputPlace m_manifest_place;
  OutputPlace m_sums_place;
  std::unique_ptr<LoadedBaseline> m_baseline;
  std::string m_baseline_commit;  // the compared run's head commit, when the baseline came from a run
  std::unique_ptr<HttpClient> m_http;
  std::chrono::steady_clock::time_point m_network_started;
};

}  // namespace

int run_action(const EnvLookup& env, AppContext& ctx) {
  Action action(env, ctx);
  return action.run();
}

bool runs_as_action(const EnvLookup& env) {
  return env_or(env, "GITHUB_ACTIONS") == "true" || env_or(env, "DRONE") == "true" || env_or(env, "CI") == "woodpecker";
}

}  // namespace treeprint
