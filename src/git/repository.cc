#include "git/repository.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <vector>

#include "git/config.h"
#include "git/file.h"
#include "util/format.h"

namespace treeprint::git {

namespace {

constexpr size_t k_max_small_file = 64 << 10;       // HEAD, a loose ref, a .git file, commondir
constexpr size_t k_max_packed_refs = 512u << 20;    // packed-refs of the largest monorepos are tens of MB
constexpr int k_max_symref_depth = 5;               // git's SYMREF_MAXDEPTH

using Found = Result<std::optional<Repository>>;

Found fail(std::string message) { return Found::failure(std::move(message)); }

std::string quoted(const std::string& path) { return "'" + printable(path) + "'"; }

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool starts_with_path(const std::string& path, const std::string& root) {
  if (path == root) return true;
  if (root == "/") return path.size() > 1 && path[0] == '/';
  return path.size() > root.size() && path.compare(0, root.size(), root) == 0 && path[root.size()] == '/';
}

std::string parent_of(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

std::string join(const std::string& dir, std::string_view name) {
  return dir == "/" ? "/" + std::string(name) : dir + "/" + std::string(name);
}

// `value` relative to `base` unless absolute, then resolved to a real path.
Result<std::string> resolve_path(const std::string& base, std::string_view value, const std::string& what) {
  const std::string path = !value.empty() && value[0] == '/' ? std::string(value) : join(base, value);
  char buffer[PATH_MAX];
  if (::realpath(path.c_str(), buffer) == nullptr) {
    return Result<std::string>::failure(what + " names " + quoted(path) + ": " + errno_text(errno));
  }
  return std::string(buffer);
}

bool is_per_worktree_ref(std::string_view name) {
  return name.starts_with("refs/bisect/") || name.starts_with("refs/worktree/") ||
         name.starts_with("refs/rewritten/");
}

struct RefLookup {
  const Repository& repo;
  bool packed_loaded = false;
  std::string packed;  // the packed-refs text, "" when there is none
};

Result<std::optional<ObjectId>> resolve_ref(RefLookup& lookup, const std::string& name, int depth);

Result<std::optional<ObjectId>> find_packed(RefLookup& lookup, const std::string& name) {
  using R = Result<std::optional<ObjectId>>;
  const std::string path = lookup.repo.common_dir + "/packed-refs";
  if (!lookup.packed_loaded) {
    bool missing = false;
    auto text = read_whole_file(path, k_max_packed_refs, nullptr, &missing);
    if (!text && !missing) return R::failure(text.error());
    lookup.packed = text ? std::move(*text) : std::string();
    lookup.packed_loaded = true;
  }
  std::string_view rest = lookup.packed;
  unsigned line_number = 0;
  while (!rest.empty()) {
    const size_t eol = rest.find('\n');
    std::string_view line = rest.substr(0, eol);
    rest.remove_prefix(eol == std::string_view::npos ? rest.size() : eol + 1);
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] == '#' || line[0] == '^') continue;  // the header; a peeled tag's target
    const size_t space = line.find(' ');
    if (space == std::string_view::npos) {
      return R::failure(quoted(path) + " line " + std::to_string(line_number) + " is not '<object id> <ref>'");
    }
    if (line.substr(space + 1) != name) continue;
    auto id = ObjectId::from_hex(lookup.repo.format, line.substr(0, space));
    if (!id) {
      return R::failure(quoted(path) + " line " + std::to_string(line_number) + ": '" +
                        printable(std::string(line.substr(0, space))) + "' is not a " +
                        std::string(format_name(lookup.repo.format)) + " object id");
    }
    return R(*id);
  }
  return R(std::nullopt);
}

Result<std::optional<ObjectId>> resolve_ref(RefLookup& lookup, const std::string& name, int depth) {
  using R = Result<std::optional<ObjectId>>;
  if (depth > k_max_symref_depth) {
    return R::failure("more than " + std::to_string(k_max_symref_depth) + " symbolic refs from HEAD to '" +
                      printable(name) + "'");
  }
  if (!is_valid_ref_name(name)) return R::failure("'" + printable(name) + "' is not a valid ref name");
  const std::string path =
      join(is_per_worktree_ref(name) ? lookup.repo.git_dir : lookup.repo.common_dir, name);
  if (is_directory(path)) return find_packed(lookup, name);
  bool missing = false;
  auto text = read_whole_file(path, k_max_small_file, nullptr, &missing);
  if (!text) {
    if (missing) return find_packed(lookup, name);
    return R::failure(text.error());
  }
  const std::string_view content = trim(*text);
  if (content.starts_with("ref:")) {
    return resolve_ref(lookup, std::string(trim(content.substr(4))), depth + 1);
  }
  auto id = ObjectId::from_hex(lookup.repo.format, content);
  if (!id) {
    return R::failure("ref '" + printable(name) + "' (" + quoted(path) + ") holds neither 'ref: <name>' nor a " +
                      std::string(format_name(lookup.repo.format)) + " object id");
  }
  return R(*id);
}

// HEAD: "ref: refs/..." or an object id.
Status read_head(Repository& repo) {
  const std::string path = repo.git_dir + "/HEAD";
  auto text = read_whole_file(path, k_max_small_file);
  if (!text) return Status::failure(text.error());
  const std::string_view content = trim(*text);
  RefLookup lookup{repo, false, {}};
  if (content.starts_with("ref:")) {
    const std::string target(trim(content.substr(4)));
    if (!target.starts_with("refs/") || !is_valid_ref_name(target)) {
      return Status::failure(quoted(path) + " points at '" + printable(target) + "', not a ref under refs/");
    }
    repo.head_ref = target;
    auto id = resolve_ref(lookup, target, 1);
    if (!id) return Status::failure("resolving HEAD (" + quoted(path) + "): " + id.error());
    repo.head_commit = *id;
    return ok_status();
  }
  auto id = ObjectId::from_hex(repo.format, content);
  if (!id) {
    return Status::failure(quoted(path) + " holds neither 'ref: refs/...' nor a " +
                           std::string(format_name(repo.format)) + " object id");
  }
  repo.head_commit = *id;
  return ok_status();
}

// A `.git` file: "gitdir: PATH".
Result<std::string> read_git_file(const std::string& work_dir, const std::string& path) {
  auto text = read_whole_file(path, k_max_small_file);
  if (!text) return Result<std::string>::failure(text.error());
  std::string_view content = *text;
  while (!content.empty() && (content.back() == '\n' || content.back() == '\r')) content.remove_suffix(1);
  if (!content.starts_with("gitdir: ")) {
    return Result<std::string>::failure(quoted(path) + " is a file but does not start with 'gitdir: '");
  }
  content.remove_prefix(8);
  if (content.empty()) return Result<std::string>::failure(quoted(path) + " names no git directory");
  return resolve_path(work_dir, content, quoted(path));
}

// The repository format and the keys that move or remove the work tree.
Status read_format(Repository& repo, bool has_common, std::optional<std::string>* work_tree_setting, bool* bare) {
  auto config = Config::read(repo.common_dir + "/config");
  if (!config) return Status::failure(config.error());
  auto version = config->get_int("core.repositoryformatversion");
  if (!version) return Status::failure(version.error());
  const int64_t v = version->value_or(0);
  if (v != 0 && v != 1) {
    return Status::failure("unknown repository format version " + std::to_string(v) + " in " +
                           quoted(config->origin()) + " (git knows 0 and 1)");
  }
  repo.format_version = static_cast<int>(v);
  bool worktree_config = false;
  if (v == 0) {
    // git ignores extensions in a version 0 repository, except those only version 1 defines, which it refuses.
    for (const auto& var : config->variables()) {
      if (var.key == "extensions.objectformat" || var.key == "extensions.noop-v1") {
        return Status::failure("repository format version 0, but " + var.key + " (a version 1 extension) in " +
                               quoted(config->origin()));
      }
    }
  } else {
    for (const auto& var : config->variables()) {
      if (!var.key.starts_with("extensions.") || var.key.find('.', 11) != std::string::npos) continue;
      const std::string ext = var.key.substr(11);
      if (ext == "objectformat") {
        auto format = parse_format_name(var.value.value_or(""));
        if (!format) {
          return Status::failure("extensions.objectformat is '" + printable(var.value.value_or("")) + "' in " +
                                 quoted(config->origin()) + ": only sha1 and sha256 are known");
        }
        repo.format = *format;
      } else if (ext == "worktreeconfig") {
        auto on = config->get_bool(var.key);
        if (!on) return Status::failure(on.error());
        worktree_config = on->value_or(false);
      } else if (ext != "noop" && ext != "noop-v1" && ext != "preciousobjects" && ext != "partialclone") {
        return Status::failure("unknown repository extension '" + printable(ext) + "' in " +
                               quoted(config->origin()));
      }
    }
  }
  if (has_common) return ok_status();  // a linked worktree: core.worktree and core.bare of the common config do not apply
  std::vector<const Config*> sources{&*config};
  Result<Config> per_worktree = Config::parse("", "");
  if (worktree_config) {
    per_worktree = Config::read(repo.git_dir + "/config.worktree");
    if (!per_worktree) return Status::failure(per_worktree.error());
    sources.push_back(&*per_worktree);
  }
  for (const Config* source : sources) {
    auto is_bare = source->get_bool("core.bare");
    if (!is_bare) return Status::failure(is_bare.error());
    if (*is_bare) *bare = **is_bare;
    if (auto wt = source->get("core.worktree")) {
      if (!wt->has_value()) return Status::failure("core.worktree has no value in " + quoted(source->origin()));
      *work_tree_setting = **wt;
    }
  }
  return ok_status();
}

}  // namespace

bool is_valid_ref_name(std::string_view name) {
  if (name.empty() || name == "@" || name.back() == '/' || name.back() == '.') return false;
  if (name.find("..") != std::string_view::npos || name.find("@{") != std::string_view::npos) return false;
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find('/', start);
    if (end == std::string_view::npos) end = name.size();
    const std::string_view part = name.substr(start, end - start);
    if (part.empty() || part[0] == '.' || part.ends_with(".lock")) return false;
    for (char c : part) {
      const auto u = static_cast<unsigned char>(c);
      if (u < 0x20 || u == 0x7f || c == ' ' || c == '~' || c == '^' || c == ':' || c == '?' || c == '*' ||
          c == '[' || c == '\\') {
        return false;
      }
    }
    start = end + 1;
  }
  return true;
}

Result<std::optional<Repository>> discover_repository(const std::string& dir) {
  char buffer[PATH_MAX];
  if (::realpath(dir.c_str(), buffer) == nullptr) {
    return fail("cannot resolve " + quoted(dir) + ": " + errno_text(errno));
  }
  const std::string real_dir = buffer;
  struct stat st {};
  if (::stat(real_dir.c_str(), &st) != 0) return fail("cannot stat " + quoted(real_dir) + ": " + errno_text(errno));
  const dev_t device = st.st_dev;

  Repository repo;
  std::string d = real_dir;
  std::string dot_git;
  for (;;) {
    dot_git = join(d, ".git");
    if (::stat(dot_git.c_str(), &st) == 0) break;
    if (errno != ENOENT && errno != ENOTDIR) return fail("cannot stat " + quoted(dot_git) + ": " + errno_text(errno));
    if (d == "/") return Found(std::nullopt);
    const std::string parent = parent_of(d);
    if (::stat(parent.c_str(), &st) != 0 || st.st_dev != device) return Found(std::nullopt);  // a mount point
    d = parent;
  }
  repo.work_tree = d;
  if (S_ISDIR(st.st_mode)) {
    auto real = resolve_path(d, ".git", quoted(dot_git));
    if (!real) return fail(real.error());
    repo.git_dir = *real;
  } else if (S_ISREG(st.st_mode)) {
    auto target = read_git_file(d, dot_git);
    if (!target) return fail(target.error());
    repo.git_dir = *target;
    repo.linked = true;
  } else {
    return fail(quoted(dot_git) + " is neither a directory nor a file");
  }

  // What git's is_git_directory asks: a HEAD, and objects/ and refs/ in the common directory.
  repo.common_dir = repo.git_dir;
  bool missing = false;
  const std::string commondir_file = repo.git_dir + "/commondir";
  auto commondir = read_whole_file(commondir_file, k_max_small_file, nullptr, &missing);
  if (commondir) {
    auto real = resolve_path(repo.git_dir, trim(*commondir), quoted(commondir_file));
    if (!real) return fail(real.error());
    repo.common_dir = *real;
  } else if (!missing) {
    return fail(commondir.error());
  }
  const std::string what = repo.linked ? quoted(repo.git_dir) + " (named by " + quoted(dot_git) + ")"
                                       : quoted(repo.git_dir);
  if (!is_regular_file(repo.git_dir + "/HEAD")) return fail(what + " is not a git directory: it has no HEAD file");
  if (!is_directory(repo.common_dir + "/objects")) {
    return fail(what + " is not a git directory: " + quoted(repo.common_dir + "/objects") + " is not a directory");
  }
  if (!is_directory(repo.common_dir + "/refs")) {
    return fail(what + " is not a git directory: " + quoted(repo.common_dir + "/refs") + " is not a directory");
  }

  std::optional<std::string> work_tree_setting;
  bool bare = false;
  if (auto format = read_format(repo, repo.common_dir != repo.git_dir || commondir.ok(), &work_tree_setting, &bare);
      !format) {
    return fail(format.error());
  }
  if (work_tree_setting) {
    auto real = resolve_path(repo.git_dir, *work_tree_setting, "core.worktree of " + quoted(repo.git_dir));
    if (!real) return fail(real.error());
    repo.work_tree = *real;
  } else if (bare) {
    return fail(quoted(repo.git_dir) + " is a bare repository (core.bare = true): it has no work tree");
  }
  if (starts_with_path(real_dir, repo.git_dir) || starts_with_path(real_dir, repo.common_dir)) {
    return fail(quoted(real_dir) + " is inside the git directory " + quoted(repo.git_dir) + ", not in a work tree");
  }
  if (!starts_with_path(real_dir, repo.work_tree)) {
    return fail(quoted(real_dir) + " is outside the work tree " + quoted(repo.work_tree) + " of " +
                quoted(repo.git_dir));
  }
  if (real_dir != repo.work_tree) repo.prefix = real_dir.substr(repo.work_tree == "/" ? 1 : repo.work_tree.size() + 1);

  if (auto head = read_head(repo); !head) return fail(head.error());
  return Found(std::move(repo));
}

}  // namespace treeprint::git
