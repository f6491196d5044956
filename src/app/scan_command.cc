#include "app/scan_command.h"

#include <fcntl.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>

#include "app/output.h"
#include "app/progress.h"
#include "app/version.h"
#include "git/repository.h"
#include "git/tree.h"
#include "manifest/json_writer.h"
#include "manifest/manifest.h"
#include "manifest/reader.h"
#include "manifest/sha256sum_writer.h"
#include "scan/git_reuse.h"
#include "scan/git_tree.h"
#include "scan/stat_cache.h"
#include "scan/walk.h"
#include "util/atomic_file.h"
#include "util/env.h"
#include "util/format.h"

namespace treeprint {

namespace {

constexpr size_t k_errors_shown = 20;

// Opens an output file before any work, so an unwritable path fails fast, and tells the walker to leave it out.
bool open_output(const std::string& path, const OutputAt& at, std::unique_ptr<AtomicFile>* file, WalkOptions* walk,
                 AppContext& ctx, std::string* error) {
  if (path.empty() || path == "-") return true;
  AtomicFileOptions options = at.dir_fd >= 0 ? at.file : AtomicFileOptions{};
  options.fs = &ctx.fs;
  auto created = at.dir_fd >= 0 ? AtomicFile::create_in(at.dir_fd, at.base_name, path, options)
                                : AtomicFile::create(path, options);
  if (!created) {
    *error = created.error();
    std::fprintf(ctx.err, "treeprint: error: %s\n", printable(*error).c_str());
    return false;
  }
  *file = std::move(*created);
  if ((*file)->is_regular_file()) {
    walk->leave_out.push_back({(*file)->dir_dev(), (*file)->dir_ino(), (*file)->base_name()});
    walk->leave_out.push_back({(*file)->dir_dev(), (*file)->dir_ino(), (*file)->temp_name()});
  }
  return true;
}

WalkOptions walk_options(const ScanOptions& o, const Filters& filters, WalkProgress* progress,
                         std::vector<std::string>* warnings) {
  WalkOptions walk;
  walk.threads = o.threads;
  walk.follow_symlinks = o.follow_symlinks;
  walk.gitignore = o.gitignore;
  walk.skip_dot_git = !o.scan_git_dir;
  walk.since_ns = o.since_ns;
  walk.filters = filters.empty() ? nullptr : &filters;
  walk.progress = progress;
  walk.warnings = warnings;
  walk.shard = ShardFilter{o.shard_index, o.shard_count};
  walk.root_fd = o.dir_fd;
  return walk;
}

bool build_filters(const ScanOptions& o, Filters* filters, AppContext& ctx) {
  for (const auto& f : o.filters) {
    // patterns were validated when the options were read
    if (Status added = f.include ? filters->add_include(f.pattern) : filters->add_exclude(f.pattern); !added) {
      std::fprintf(ctx.err, "treeprint: error: %s '%s': %s\n", f.include ? "--include" : "--exclude",
                   printable(f.pattern).c_str(), added.error().c_str());
      return false;
    }
  }
  return true;
}

void print_problems(const std::vector<std::string>& warnings, const Manifest& manifest, AppContext& ctx) {
  for (const auto& w : warnings) std::fprintf(ctx.err, "treeprint: warning: %s\n", printable(w).c_str());
  for (size_t i = 0; i < manifest.errors.size() && i < k_errors_shown; ++i) {
    std::fprintf(ctx.err, "treeprint: error: '%s': %s\n", printable(manifest.errors[i].path).c_str(),
                 printable(manifest.errors[i].message).c_str());
  }
  if (manifest.errors.size() > k_errors_shown) {
    std::fprintf(ctx.err, "treeprint: ... and %zu more errors (all are in the manifest's \"errors\")\n",
                 manifest.errors.size() - k_errors_shown);
  }
}

// The git work tree DIR is in, with --git=auto; null for a plain scan. A repository that cannot be read is a notice
// naming what was wrong, and the plain scan: never a failure.
std::unique_ptr<GitTree> open_git(const ScanOptions& o, AppContext& ctx, std::vector<std::string>* warnings) {
  struct stat st {};
  if (!o.git || o.scan_git_dir || ::stat(o.dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return nullptr;  // the walk says what is wrong with DIR
  }
  auto found = git::discover_repository(o.dir);
  std::string why;
  if (!found) {
    why = found.error();
  } else if (!*found) {
    return nullptr;  // not in a work tree: today's plain scan
  } else {
    GitTree::Options options;
    options.read_ignore_rules = o.gitignore;
    options.env = process_environment();
    auto tree = GitTree::open(std::move(**found), "", options, warnings);
    if (tree) return std::move(*tree);
    why = tree.error();
  }
  if (!o.quiet) {
    std::fprintf(ctx.err,
                 "treeprint: notice: not reading the git repository (%s); scanning '%s' as a plain directory\n",
                 printable(why).c_str(), printable(o.dir).c_str());
  }
  return nullptr;
}

void set_git_walk(const GitTree* tree, GitWalkReport* report, WalkOptions* walk) {
  if (tree == nullptr) return;
  walk->git = tree;
  walk->git_report = report;
  walk->env = process_environment();
}

// The manifest's "git" object from what the walk found.
GitSummary git_summary(const GitTree& tree, const GitWalkReport& r) {
  GitSummary g;
  const git::Repository& repo = tree.repository();
  g.object_format = std::string(git::format_name(repo.format));
  if (repo.head_commit) g.head = repo.head_commit->hex();
  if (auto id = git::index_tree_id(tree.index())) g.tree = id->hex();
  g.tracked = r.tracked;
  g.untracked = r.untracked;
  g.ignored_tracked = r.ignored_tracked;
  g.modified = r.modified + r.missing;
  g.clean = g.modified == 0 && g.untracked == 0 && r.unmerged == 0;
  if (!r.untracked_attributes) g.conversion = tree.conversion_digest();
  return g;
}

std::string short_id(const std::string& hex) { return hex.substr(0, 12); }

int64_t now_ns() {
  struct timespec now {};
  clock_gettime(CLOCK_REALTIME, &now);
  return static_cast<int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

}  // namespace

bool scan_tree(const ScanOptions& o, AppContext& ctx, Manifest* manifest) {
  Filters filters;
  if (!build_filters(o, &filters, ctx)) return false;
  WalkProgress progress;
  std::vector<std::string> warnings;
  WalkOptions walk = walk_options(o, filters, &progress, &warnings);
  const std::unique_ptr<GitTree> git = open_git(o, ctx, &warnings);
  GitWalkReport git_report;
  set_git_walk(git.get(), &git_report, &walk);
  Status walked = ok_status();
  {
    ProgressReporter reporter(progress, ctx.err, !o.quiet);
    walked = walk_tree(ctx.fs, o.dir, walk, manifest);
  }
  if (!walked) {
    std::fprintf(ctx.err, "treeprint: error: %s\n", printable(walked.error()).c_str());
    return false;
  }
  if (git) manifest->git = git_summary(*git, git_report);
  if (!o.quiet) print_problems(warnings, *manifest, ctx);
  return true;
}

namespace {

// Feeds the files of a baseline being read to the git fast path, keeping nothing else of it.
class GitReuseVisitor final : public ManifestVisitor {
 public:
  GitReuseVisitor(const GitTree& tree, const ManifestHeader& header) : m_tree(tree), m_header(header) {}
  void file(const FileEntry& f) override {
    if (!m_started) {  // the header was read before the first entry
      m_started = true;
      if (m_header.git && !m_header.git->conversion.empty()) {
        m_reuse = std::make_unique<GitReuse>(m_tree, m_header.git->conversion, m_header.git->object_format);
      }
    }
    if (m_reuse) m_reuse->add(f);
  }
  std::unique_ptr<GitReuse> take() { return std::move(m_reuse); }

 private:
  const GitTree& m_tree;
  const ManifestHeader& m_header;
  bool m_started = false;
  std::unique_ptr<GitReuse> m_reuse;
};

}  // namespace

LoadedStatCache load_stat_cache(const std::string& manifest_path, const GitTree* git, FileSystem& fs) {
  LoadedStatCache out;
  const auto skip = [&](std::string why, bool warning) {
    out.cache.reset();
    out.note = std::move(why);
    out.warning = warning;
    return std::move(out);
  };
  struct stat st {};
  if (fs.stat_at(AT_FDCWD, manifest_path.c_str(), &st, true) == -ENOENT) {
    return skip(
        "no baseline at '" + printable(manifest_path) + "' yet: hashing every file (the next run can reuse this one)",
        false);
  }
  // The stat file first: without one, nothing of the baseline is kept but what the git fast path takes from it.
  const std::string stat_path = stat_file_path(manifest_path);
  std::string bytes;
  Status read = ok_status();
  if (auto source = open_byte_source(stat_path, fs); source) {
    bytes.resize((*source)->size());
    read = (*source)->read_at(0, bytes.data(), bytes.size());
  } else {
    read = Status::failure(source.error());
  }
  ManifestHeader header;
  if (!read) {
    auto source = open_byte_source(manifest_path, fs);
    Status loaded = source ? ok_status() : Status::failure(source.error());
    std::unique_ptr<GitReuse> reuse;
    // Read on this one thread: it runs beside the walk, whose threads already keep the cores busy, and a parser
    // thread of its own would only add its memory.
    ReadOptions one_thread;
    one_thread.parallel = false;
    if (source && git != nullptr) {
      GitReuseVisitor visitor(*git, header);
      loaded = read_manifest(**source, visitor, &header, one_thread);
      if (loaded) reuse = visitor.take();
    } else if (source) {
      ManifestVisitor checks_only;
      loaded = read_manifest(**source, checks_only, &header, one_thread);
    }
    if (!loaded) {
      const std::string why = source ? printable(manifest_path) + ": " + loaded.error() : loaded.error();
      return skip("ignoring the baseline: " + why, true);
    }
    if (reuse && reuse->size() != 0) {
      out.git_reuse = std::move(reuse);
      return skip(
          "no stat file next to the baseline (" + read.error() + "): reusing digests through the git index only",
          false);
    }
    return skip("ignoring the baseline: " + read.error() + " (it is written by `scan --baseline`; hashing every file)",
                true);
  }
  Manifest before;
  Status loaded = load_manifest(manifest_path, &before, &header, fs);
  if (!loaded) return skip("ignoring the baseline: " + loaded.error(), true);
  // One load of the baseline: the git fast path takes what it needs from the manifest the stat cache then holds.
  if (git != nullptr) out.git_reuse = GitReuse::from(before, *git);
  auto cache = StatCache::from(std::move(before), header.root_digest, bytes);
  if (!cache) return skip("ignoring '" + printable(stat_path) + "': " + cache.error() + "; hashing every file", true);
  out.cache = std::move(*cache);
  return out;
}

int run_scan(const ScanOptions& o, AppContext& ctx) { return scan_and_write(o, ctx).exit_code; }

ScanResult scan_and_write(const ScanOptions& o, AppContext& ctx, const ScanReuse* reuse) {
  ScanResult result;
  result.exit_code = k_exit_fatal;
  Filters filters;
  if (!build_filters(o, &filters, ctx)) {
    result.fatal_error = "a filter pattern is not valid";
    return result;
  }
  WalkProgress progress;
  std::vector<std::string> warnings;
  WalkOptions walk = walk_options(o, filters, &progress, &warnings);
  const std::unique_ptr<GitTree> git = open_git(o, ctx, &warnings);
  GitWalkReport git_report;
  set_git_walk(git.get(), &git_report, &walk);

  std::unique_ptr<AtomicFile> manifest_file, sums_file, stat_file;
  if (!open_output(o.output, o.output_at, &manifest_file, &walk, ctx, &result.fatal_error) ||
      !open_output(o.sha256sum_path, o.sha256sum_at, &sums_file, &walk, ctx, &result.fatal_error)) {
    return result;
  }
  // The stat file lives beside a manifest that is a file: one on standard output or a device has none (it was
  // "-.stat" in the working directory, or a file made in /dev).
  const std::string stat_path = !o.baseline.empty() && manifest_file && manifest_file->is_regular_file()
                                    ? stat_file_path(o.output)
                                    : std::string();
  if (!open_output(stat_path, OutputAt{}, &stat_file, &walk, ctx, &result.fatal_error)) return result;

  const auto start = std::chrono::steady_clock::now();
  // The racy threshold is fixed here so that the stat file can tell the next run which digests it may trust.
  StatHeader stat_header;
  stat_header.racy_after_ns = now_ns() - 2'000'000'000;
  walk.racy_after_ns = stat_header.racy_after_ns;
  std::unique_ptr<StatCache> stat_cache;
  std::unique_ptr<GitReuse> git_reuse;
  std::string baseline_note;
  bool baseline_warning = false;
  std::jthread baseline_loader;  // declared after what it writes: joined before they go
  if (!o.baseline.empty()) {
    if (!o.rehash_all) {
      // One load of the baseline serves both the stat cache and the git fast path. It starts on a thread of its own
      // now, while the walk lists the tree. A plain walk waits for it when it settles its first file; a git walk
      // does not wait: it sets aside what the baseline decides until it has listed the tree (walk.h, baseline_ready).
      auto once = std::make_shared<std::once_flag>();
      auto loaded_flag = std::make_shared<std::atomic<bool>>(false);
      auto load = [&, once, loaded_flag] {
        std::call_once(*once, [&] {
          LoadedStatCache loaded = load_stat_cache(o.baseline, git.get(), ctx.fs);
          stat_cache = std::move(loaded.cache);
          git_reuse = std::move(loaded.git_reuse);
          baseline_note = std::move(loaded.note);
          baseline_warning = loaded.warning;
          loaded_flag->store(true, std::memory_order_release);
        });
      };
      // With no stat file beside the baseline there is no stat cache to be had: the walk neither lstats nor sets
      // aside a file for one.
      struct stat beside {};
      if (ctx.fs.stat_at(AT_FDCWD, stat_file_path(o.baseline).c_str(), &beside, true) != -ENOENT) {
        walk.stat_cache = [&, load]() -> const StatCache* {
          load();
          return stat_cache.get();
        };
      }
      if (git) {
        walk.git_reuse = [&, load]() -> const GitReuse* {
          load();
          return git_reuse.get();
        };
        walk.baseline_ready = [loaded_flag] { return loaded_flag->load(std::memory_order_acquire); };
      }
      baseline_loader = std::jthread([load] { load(); });
    }
    walk.root_dev = &stat_header.root_dev;
  } else if (reuse != nullptr && !o.rehash_all) {
    if (const StatCache* cache = reuse->stat_cache) {
      walk.stat_cache = [cache] { return cache; };
    }
    if ((reuse->git_baseline != nullptr || reuse->load_git_baseline) && git) {
      // Matched against this scan's index (and first loaded, when the caller gave a way to) on a thread of its own
      // while the tree is listed; the walk does not wait.
      auto once = std::make_shared<std::once_flag>();
      auto matched = std::make_shared<std::atomic<bool>>(false);
      auto match = [&, reuse, once, matched] {
        std::call_once(*once, [&] {
          const Manifest* baseline = reuse->git_baseline;
          if (baseline == nullptr) baseline = reuse->load_git_baseline();
          if (baseline != nullptr) git_reuse = GitReuse::from(*baseline, *git);
          matched->store(true, std::memory_order_release);
        });
      };
      walk.git_reuse = [&, match]() -> const GitReuse* {
        match();
        return git_reuse.get();
      };
      walk.baseline_ready = [matched] { return matched->load(std::memory_order_acquire); };
      baseline_loader = std::jthread([match] { match(); });
    }
  }

  Manifest& manifest = result.manifest;
  Status walked = ok_status();
  {
    ProgressReporter reporter(progress, ctx.err, !o.quiet);
    walked = walk_tree(ctx.fs, o.dir, walk, &manifest);
  }
  if (baseline_loader.joinable()) baseline_loader.join();  // a walk that settled no file never waited for it
  if (!baseline_note.empty() && !o.quiet) {
    std::fprintf(ctx.err, "treeprint: %s: %s\n", baseline_warning ? "warning" : "note",
                 printable(baseline_note).c_str());
  }
  if (!walked) {
    std::fprintf(ctx.err, "treeprint: error: %s\n", printable(walked.error()).c_str());
    result.fatal_error = walked.error();
    return result;
  }
  result.ran = true;
  if (o.shard_count != 0) manifest.shard = ShardSpec{o.shard_index, o.shard_count};
  if (git) manifest.git = git_summary(*git, git_report);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.seconds = seconds;
  result.git_reused = git_report.reused;

  // The root digest (one SHA-256 stream over every entry) is computed on a thread of its own while the manifest is
  // rendered, unless one thread is asked for (--threads 1) or the manifest goes where its header cannot be patched
  // once the digest is known (standard output, a device); then it is computed first.
  Digest root{};
  std::jthread root_digester;
  if (o.threads != 1 && manifest_file && manifest_file->is_regular_file()) {
    root_digester = std::jthread([&] { root = root_digest(manifest); });
  } else {
    root = root_digest(manifest);
  }
  const auto await_root = [&] {
    if (root_digester.joinable()) root_digester.join();
  };
  const bool written =
      finish_output(
          o.output, manifest_file,
          [&](const Sink& sink) {
            const bool patch_root = root_digester.joinable();
            const Digest placeholder{};  // `root` is being written meanwhile
            const size_t root_at =
                write_manifest_json(manifest, patch_root ? placeholder : root, k_version, sink, o.threads);
            if (patch_root) {
              await_root();
              manifest_file->patch(root_at, to_hex(root));
            }
          },
          ctx) &&
      finish_output(
          o.sha256sum_path, sums_file, [&](const Sink& sink) { write_sha256sum(manifest, sink); }, ctx) &&
      finish_output(
          stat_path, stat_file,
          [&](const Sink& sink) {
            await_root();
            sink(encode_stat_file(root, stat_header, manifest));
          },
          ctx);

  await_root();  // a failed manifest write skips the rest
  result.root = root;
  if (!o.quiet) {
    print_problems(warnings, manifest, ctx);
    const double rate = seconds > 0 ? static_cast<double>(manifest.total_bytes) / seconds : 0;
    std::string where;
    if (!o.output.empty() && o.output != "-") where = " -> " + printable(o.output);
    std::string shard;
    if (manifest.shard) shard = " (shard " + std::to_string(o.shard_index) + "/" + std::to_string(o.shard_count) + ")";
    std::fprintf(
        ctx.err,
        "treeprint: %s files%s (%s) in %.2f s, %s/s; %zu symlinks, %zu skipped, %zu errors; root sha256:%s%s\n",
        with_commas(manifest.files.size()).c_str(), shard.c_str(), human_bytes(manifest.total_bytes).c_str(), seconds,
        human_bytes(static_cast<uint64_t>(rate)).c_str(), manifest.symlinks.size(), manifest.skipped.size(),
        manifest.errors.size(), to_hex(root).c_str(), where.c_str());
  }
  if (!o.quiet && manifest.git) {
    const GitSummary& g = *manifest.git;
    std::fprintf(ctx.err,
                 "treeprint: git: %s + %s untracked + %s modified (%s tracked, %s vouched for by the index, "
                 "%s reused from the baseline without reading; %s ignored but tracked)\n",
                 g.head.empty() ? (g.tree.empty() ? "the index" : ("tree " + short_id(g.tree)).c_str())
                                : ("commit " + short_id(g.head) + "'s tree").c_str(),
                 with_commas(g.untracked).c_str(), with_commas(g.modified).c_str(), with_commas(g.tracked).c_str(),
                 with_commas(git_report.vouched).c_str(), with_commas(git_report.reused).c_str(),
                 with_commas(g.ignored_tracked).c_str());
  }
  result.written = written;
  result.exit_code = !written ? k_exit_fatal : manifest.errors.empty() ? k_exit_ok : k_exit_partial;
  return result;
}

}  // namespace treeprint
