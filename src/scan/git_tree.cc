#include "scan/git_tree.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>

#include "git/config.h"
#include "git/file.h"
#include "util/format.h"
#include "util/sha256.h"

namespace treeprint {

namespace {

// Attributes that never change the bytes git writes for a blob. Anything else (text, eol, crlf, ident, filter,
// working-tree-encoding, a macro, an attribute this list does not know) may.
constexpr std::array<std::string_view, 10> k_harmless_attributes = {
    "binary",   "diff",    "merge", "whitespace", "export-ignore", "export-subst", "delta", "conflict-marker-size",
    "encoding", "lockable"};

std::string join_path(std::string_view a, std::string_view b) {
  if (a.empty()) return std::string(b);
  if (b.empty()) return std::string(a);
  std::string out(a);
  out.push_back('/');
  out.append(b);
  return out;
}

bool is_below(std::string_view path, std::string_view dir) {
  return dir.empty() || (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/');
}

std::string_view base_of(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string_view dir_of(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// Whether one attribute token ("text", "-diff", "eol=crlf", "!filter") may change the checked-out bytes.
bool may_convert_token(std::string_view token, const std::vector<std::string>& macros) {
  if (token.empty() || token[0] == '-' || token[0] == '!') return false;  // unset or unspecified: never adds one
  const std::string_view name = token.substr(0, token.find('='));
  if (std::find(macros.begin(), macros.end(), name) != macros.end()) return true;  // a user macro may set anything
  if (name.substr(0, 9) == "linguist-") return false;
  return std::find(k_harmless_attributes.begin(), k_harmless_attributes.end(), name) == k_harmless_attributes.end();
}

// Appends the rules of one attributes file that may set a conversion attribute. `base`: the file's directory in the
// work tree ("" for the root and for files outside it).
void add_conversion_rules(std::string_view text, const std::string& base, std::vector<RuleSet>* rules,
                          bool* everything) {
  std::vector<std::string> macros;
  std::vector<std::pair<std::string_view, std::string_view>> lines;  // pattern, attributes
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    while (!line.empty() && is_space(line.front())) line.remove_prefix(1);
    if (line.empty() || line[0] == '#') continue;
    if (line.substr(0, 6) == "[attr]") {
      std::string_view rest = line.substr(6);
      const size_t end = std::min(rest.size(), rest.find_first_of(" \t\r"));
      macros.emplace_back(rest.substr(0, end));
      continue;
    }
    if (line[0] == '"') {  // a C-quoted pattern: not worth parsing, assume it matches everything it could
      *everything = true;
      continue;
    }
    const size_t end = std::min(line.size(), line.find_first_of(" \t\r"));
    lines.emplace_back(line.substr(0, end), line.substr(end));
  }
  for (auto [pattern, attributes] : lines) {
    if (pattern.empty() || pattern[0] == '!') continue;  // git rejects negative patterns
    bool converts = false;
    while (!attributes.empty() && !converts) {
      while (!attributes.empty() && is_space(attributes.front())) attributes.remove_prefix(1);
      const size_t end = std::min(attributes.size(), attributes.find_first_of(" \t\r"));
      converts = may_convert_token(attributes.substr(0, end), macros);
      attributes.remove_prefix(end);
    }
    if (!converts) continue;
    RuleSet set = RuleSet::parse_gitignore("", base, "", nullptr);
    if (!set.add(pattern, false)) {
      *everything = true;  // a pattern our globs cannot read: assume it matches
      continue;
    }
    rules->push_back(std::move(set));
  }
}

void digest_field(Sha256& h, std::string_view kind, std::string_view name, const std::optional<std::string>& value) {
  h.update(kind);
  h.update("\0", 1);
  h.update(name);
  h.update("\0", 1);
  if (value) {
    h.update(std::to_string(value->size()));
    h.update(":", 1);
    h.update(*value);
  } else {
    h.update("absent", 6);
  }
  h.update("\n", 1);
}

}  // namespace

std::optional<std::string> read_in_tree_file(const std::string& path, uint64_t limit, bool* too_big) {
  if (too_big != nullptr) *too_big = false;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
  if (fd < 0) return std::nullopt;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return std::nullopt;
  }
  if (static_cast<uint64_t>(st.st_size) > limit) {
    ::close(fd);
    if (too_big != nullptr) *too_big = true;
    return std::nullopt;
  }
  std::string text(static_cast<size_t>(st.st_size), '\0');
  size_t used = 0;
  while (used < text.size()) {
    const ssize_t n = ::read(fd, text.data() + used, text.size() - used);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    used += static_cast<size_t>(n);
  }
  ::close(fd);
  text.resize(used);
  return text;
}

Result<std::unique_ptr<GitTree>> GitTree::open(git::Repository repo, std::string scan_base, const Options& options,
                                               std::vector<std::string>* warnings) {
  using R = Result<std::unique_ptr<GitTree>>;
  auto index = git::Index::read(repo.index_path(), repo.format);
  if (!index) return R::failure(index.error());
  std::unique_ptr<GitTree> tree(new GitTree());
  tree->m_index.emplace(std::move(*index));
  tree->m_repo = std::move(repo);
  tree->m_scan_base = std::move(scan_base);
  tree->m_top = options.top;
  tree->m_listed.reset(new std::atomic<uint8_t>[tree->m_index->size()]());
  if (options.read_ignore_rules) tree->read_ignore_rules(warnings);
  tree->read_conversion_inputs(options);
  return tree;
}

std::string GitTree::work_path(std::string_view scan_path) const {
  std::string_view rest = scan_path;
  if (!m_scan_base.empty()) rest.remove_prefix(std::min(rest.size(), m_scan_base.size() + 1));
  return join_path(m_repo.prefix, rest);
}

std::optional<size_t> GitTree::tracked(std::string_view work_path) const {
  if (auto at = m_index->find(work_path, 0)) return at;
  const size_t at = m_index->lower_bound(work_path);
  if (at < m_index->size() && m_index->path(at) == work_path) return at;  // unmerged: stages 1-3
  return std::nullopt;
}

GitTree::Range GitTree::tracked_below(std::string_view work_dir) const {
  if (work_dir.empty()) return {0, m_index->size()};
  // Every path below "dir" sorts from "dir/" up to (and not including) "dir0", '0' being the byte after '/'.
  std::string bound(work_dir);
  bound.push_back('/');
  const size_t begin = m_index->lower_bound(bound);
  bound.back() = '0';
  return {begin, m_index->lower_bound(bound, begin, m_index->size())};
}

void GitTree::tracked_in(std::string_view work_dir, Range below, std::vector<TrackedName>* out) const {
  out->clear();
  const size_t skip = work_dir.empty() ? 0 : work_dir.size() + 1;  // "dir/"
  std::string bound;
  for (size_t i = below.begin; i < below.end;) {
    const std::string_view rest = m_index->path(i).substr(skip);
    const size_t slash = rest.find('/');
    if (slash == std::string_view::npos) {
      // The first entry at a path is its stage-0 one when there is one (stages sort in order), else its first
      // unmerged stage: what tracked(work_path) gives. Its other stages follow it.
      if (out->empty() || out->back().name != rest) out->push_back({rest, static_cast<uint32_t>(i)});
      ++i;
      continue;
    }
    // A subdirectory's entries run from "dir/sub/" up to (and not including) "dir/sub0", '0' being the byte after '/'.
    bound.assign(m_index->path(i).substr(0, skip + slash));
    bound.push_back('0');
    i = m_index->lower_bound(bound, i + 1, below.end);
  }
}

std::optional<size_t> GitTree::find_name(const std::vector<TrackedName>& names, std::string_view name) {
  const auto it = std::lower_bound(names.begin(), names.end(), name,
                                   [](const TrackedName& t, std::string_view n) { return t.name < n; });
  if (it == names.end() || it->name != name) return std::nullopt;
  return it->position;
}

bool GitTree::has_tracked_below(std::string_view work_dir) const {
  const std::string prefix = work_dir.empty() ? std::string() : std::string(work_dir) + "/";
  const size_t at = m_index->lower_bound(prefix);
  return at < m_index->size() && m_index->path(at).substr(0, prefix.size()) == prefix;
}

void GitTree::read_ignore_rules(std::vector<std::string>* warnings) {
  auto add_file = [&](const std::string& path, std::string_view shown, std::string base, bool follow) {
    bool too_big = false;
    std::optional<std::string> text;
    if (follow) {
      bool missing = false;
      struct stat st {};
      if (::stat(path.c_str(), &st) == 0 && static_cast<uint64_t>(st.st_size) > k_git_pattern_file_max) {
        too_big = true;
      } else if (auto r = git::read_whole_file(path, k_git_pattern_file_max, nullptr, &missing)) {
        text = std::move(*r);
      }
    } else {
      text = read_in_tree_file(path, k_git_pattern_file_max, &too_big);
    }
    if (too_big && warnings != nullptr) {
      warnings->push_back(std::string(shown) + ": ignoring excessively large pattern file (over 100 MiB), as git does");
    }
    if (!text) return;
    RuleSet rules = RuleSet::parse_gitignore(*text, std::move(base), shown, warnings);
    if (!rules.empty()) m_start_ignore = std::make_shared<IgnoreChain>(std::move(rules), m_start_ignore);
  };
  add_file(m_repo.info_exclude_path(), "info/exclude", "", true);
  // The ancestors of the scanned directory, from the work tree's root down; each one's own rules decide whether the
  // next is ignored (git does not look inside an ignored directory, so neither do its rules).
  std::string dir;
  std::string_view rest = m_repo.prefix;
  while (!rest.empty()) {  // the scanned directory's own .gitignore is read by the walk
    add_file(join_path(m_repo.work_tree, join_path(dir, ".gitignore")), join_path(dir, ".gitignore"), dir, false);
    const size_t slash = rest.find('/');
    const std::string_view name = rest.substr(0, slash);
    dir = join_path(dir, name);
    rest.remove_prefix(slash == std::string_view::npos ? rest.size() : slash + 1);
    if (IgnoreChain::is_ignored(m_start_ignore.get(), dir, name, true)) {
      m_start_ignored = true;
      break;
    }
  }
}

void GitTree::read_conversion_inputs(const Options& options) {
  Sha256 h;
  h.update("treeprint checkout conversion v1\n");
  digest_field(h, "format", "", std::string(git::format_name(m_repo.format)));
  bool known = true;
  auto env = [&](const char* name) -> std::optional<std::string> {
    return options.env ? options.env(name) : std::nullopt;
  };
  for (const char* name :
       {"GIT_CONFIG_PARAMETERS", "GIT_CONFIG_COUNT", "GIT_CONFIG", "GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM"}) {
    if (env(name)) known = false;  // configuration this reader does not follow
  }
  const std::optional<std::string> home = env("HOME");
  const std::optional<std::string> xdg = env("XDG_CONFIG_HOME");
  const std::string xdg_git = xdg && !xdg->empty() ? *xdg + "/git" : home ? *home + "/.config/git" : std::string();

  // Config, lowest precedence first, as git reads it.
  std::vector<std::string> config_files = {"/etc/gitconfig"};
  if (!xdg_git.empty()) config_files.push_back(xdg_git + "/config");
  if (home) config_files.push_back(*home + "/.gitconfig");
  config_files.push_back(m_repo.common_dir + "/config");
  config_files.push_back(m_repo.git_dir + "/config.worktree");
  std::optional<std::string> autocrlf;
  std::optional<std::string> attributes_file;
  for (const auto& file : config_files) {
    auto config = git::Config::read(file);
    if (!config) {
      known = false;
      continue;
    }
    for (const auto& v : config->variables()) {
      const std::string& key = v.key;
      const bool relevant =
          key == "core.autocrlf" || key == "core.eol" || key == "core.attributesfile" || key.substr(0, 7) == "filter.";
      if (key.substr(0, 8) == "include." || key.substr(0, 9) == "includeif.") known = false;
      if (!relevant) continue;
      digest_field(h, "config", key, v.value.value_or("(no value)"));
      if (key == "core.autocrlf") autocrlf = v.value.value_or("true");
      if (key == "core.attributesfile" && v.value) attributes_file = *v.value;
    }
  }
  if (autocrlf) {
    std::string value = *autocrlf;
    std::transform(value.begin(), value.end(), value.begin(), [](unsigned char c) { return std::tolower(c); });
    if (value != "false" && value != "no" && value != "off" && value != "0" && !value.empty()) {
      m_convert_everything = true;  // true or input: every text file may differ from its blob
    }
  }

  // Attributes outside the tree: system, global, info/attributes (symlinks followed, as git follows them).
  auto outside = [&](const std::string& kind, const std::string& path) {
    if (path.empty()) return;
    bool missing = false;
    auto text = git::read_whole_file(path, k_git_pattern_file_max, nullptr, &missing);
    if (!text && !missing) known = false;
    // The content counts, not where it lives (a clone's git directory is elsewhere).
    digest_field(h, kind, "", text ? std::optional<std::string>(*text) : std::nullopt);
    if (text) add_conversion_rules(*text, "", &m_conversion_rules, &m_convert_everything);
  };
  outside("system", "/etc/gitattributes");
  std::string global = attributes_file.value_or(xdg_git.empty() ? std::string() : xdg_git + "/attributes");
  if (global.substr(0, 2) == "~/" && home) global = *home + global.substr(1);
  outside("global", global);
  outside("info", m_repo.common_dir + "/info/attributes");

  // In the tree: every tracked .gitattributes, and those of the scanned directory's ancestors even when untracked.
  std::vector<std::string> in_tree;
  for (const uint32_t i : m_index->attribute_files()) {
    const std::string_view p = m_index->path(i);
    if (in_tree.empty() || in_tree.back() != p) in_tree.emplace_back(p);
  }
  std::string dir;
  std::string_view rest = m_repo.prefix;
  for (;;) {
    in_tree.push_back(join_path(dir, ".gitattributes"));
    if (rest.empty()) break;
    const size_t slash = rest.find('/');
    dir = join_path(dir, rest.substr(0, slash));
    rest.remove_prefix(slash == std::string_view::npos ? rest.size() : slash + 1);
  }
  std::sort(in_tree.begin(), in_tree.end());
  in_tree.erase(std::unique(in_tree.begin(), in_tree.end()), in_tree.end());
  for (const auto& p : in_tree) {
    bool too_big = false;
    auto text = read_in_tree_file(join_path(m_repo.work_tree, p), k_git_pattern_file_max, &too_big);
    if (too_big) known = false;
    digest_field(h, "tree", p, text);
    if (text) add_conversion_rules(*text, std::string(dir_of(p)), &m_conversion_rules, &m_convert_everything);
  }
  const Digest d = h.finish();
  m_conversion_digest = known ? to_hex(d) : std::string();
  if (!known) m_convert_everything = true;
}

bool GitTree::may_convert(std::string_view work_path) const {
  if (m_convert_everything) return true;
  const std::string_view name = base_of(work_path);
  for (const RuleSet& rules : m_conversion_rules) {
    if (!is_below(work_path, rules.base())) continue;
    if (rules.match(work_path, name, false) != RuleMatch::none) return true;
  }
  return false;
}

uint64_t GitTree::missing_count() const {
  const std::string prefix = m_repo.prefix.empty() ? std::string() : m_repo.prefix + "/";
  uint64_t n = 0;
  for (size_t i = m_index->lower_bound(prefix); i < m_index->size(); ++i) {
    if (m_index->path(i).substr(0, prefix.size()) != prefix) break;
    if (m_listed[i].load(std::memory_order_relaxed) != 0) continue;  // the common case: no entry to decode
    const git::IndexEntry e = m_index->entry(i);
    if (e.stage() != 0 || e.mode == git::k_mode_gitlink || e.skip_worktree()) continue;
    ++n;
  }
  return n;
}

uint64_t GitTree::unmerged_count() const {
  if (m_index->unmerged_count() == 0) return 0;
  const std::string prefix = m_repo.prefix.empty() ? std::string() : m_repo.prefix + "/";
  uint64_t n = 0;
  std::string_view last;
  for (size_t i = m_index->lower_bound(prefix); i < m_index->size(); ++i) {
    const git::IndexEntry e = m_index->entry(i);
    if (e.path.substr(0, prefix.size()) != prefix) break;
    if (e.stage() != 0 && e.path != last) {
      ++n;
      last = e.path;
    }
  }
  return n;
}

}  // namespace treeprint
