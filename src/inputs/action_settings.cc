#include "inputs/action_settings.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <map>
#include <set>
#include <thread>

#include "inputs/filters_file.h"
#include "inputs/time_spec.h"
#include "scan/hash_files.h"
#include "scan/ignore.h"
#include "util/artifact_name.h"
#include "util/format.h"

namespace treeprint {

namespace {

enum class Type { text, list, boolean, number };

struct InputSpec {
  const char* name;
  Type type;
};

constexpr InputSpec k_inputs[] = {
    {"path", Type::text},
    {"include", Type::list},
    {"exclude", Type::list},
    {"gitignore", Type::boolean},
    {"git", Type::text},
    {"since", Type::text},
    {"follow-symlinks", Type::boolean},
    {"threads", Type::number},
    {"manifest-path", Type::text},
    {"sha256sum-path", Type::text},
    {"artifact-name", Type::text},
    {"retention-days", Type::number},
    {"overwrite", Type::boolean},
    {"baseline", Type::text},
    {"restore", Type::text},
    {"restore-manifest", Type::text},
    {"summary", Type::text},
    {"fail-on", Type::text},
    {"token", Type::text},
    {"api-timeout", Type::number},
    {"filters", Type::text},
    {"hash-files", Type::text},
    {"config", Type::text},
};

constexpr size_t k_max_config_bytes = 1 << 20;
// What the values of a config file may expand to: an alias repeats a whole node without repeating its text, so a
// small file can stand for gigabytes ("billion laughs").
constexpr size_t k_max_config_expansion = 1 << 20;
constexpr size_t k_max_config_items = 10'000;
constexpr unsigned k_max_api_timeout = 6 * 3600;
constexpr unsigned k_max_threads = 1024;
constexpr unsigned k_max_retention_days = 400;

struct Item {
  std::string text;
  std::string where;  // origin of this one item ("INPUT_INCLUDE line 2")
};

/// One input's value as found, before it is interpreted.
struct Raw {
  std::string origin;  // "INPUT_FAIL-ON", "PLUGIN_FAIL_ON", "treeprint.yml:3:10"
  bool from_config = false;
  std::string text;    // for single values
  std::vector<Item> items;
  bool present = false;
};

std::string_view trim(std::string_view s) {
  const auto is_space = [](char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
  };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

/// Trims a glob line but keeps a trailing space escaped with '\' (gitignore's way to end a pattern with a space).
std::string trim_glob(std::string_view s) {
  std::string_view t = trim(s);
  if (t.size() < s.size() && !t.empty() && t.back() == '\\') {
    const size_t end = static_cast<size_t>(t.data() - s.data()) + t.size();
    if (end < s.size() && s[end] == ' ') t = std::string_view(t.data(), t.size() + 1);
  }
  return std::string(t);
}

/// One glob per line; blank lines and lines starting with '#' are ignored.
std::vector<Item> split_lines(std::string_view text, const std::string& origin) {
  std::vector<Item> items;
  size_t line_no = 0;
  while (!text.empty() || line_no == 0) {
    ++line_no;
    const size_t nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    std::string glob = trim_glob(line);
    if (glob.empty() || glob.front() == '#') continue;
    items.push_back({std::move(glob), origin + " line " + std::to_string(line_no)});
  }
  return items;
}

/// Woodpecker's JSON arrays hold quoted strings: `["a", "b"]`. A glob such as `[ab]` or `[ab]c` is not one.
bool looks_like_json_array(std::string_view v) {
  if (v.size() < 2 || v.front() != '[' || v.back() != ']') return false;
  const std::string_view inner = trim(v.substr(1, v.size() - 2));
  return inner.empty() || inner.front() == '"';
}

std::string upper(std::string s) {
  for (char& c : s) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return s;
}

std::string quoted(std::string_view value) { return "'" + printable(value) + "'"; }

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

/// The closest of `candidates` to `word` (hyphens and underscores alike, case ignored), or "" when none is close.
std::string nearest(std::string_view word, const std::vector<std::string>& candidates) {
  std::string norm(word);
  for (char& c : norm) {
    if (c == '_') c = '-';
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  std::string best;
  size_t best_distance = std::max<size_t>(2, norm.size() / 3) + 1;
  for (const auto& candidate : candidates) {
    const size_t d = edit_distance(norm, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  return best;
}

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

std::string mark_text(const std::string& file, const YAML::Mark& mark) {
  if (mark.is_null()) return file;
  return file + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

const char* node_kind(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Null: return "nothing";
    default: return "a single value";
  }
}

const char* expected_kind(Type type) {
  switch (type) {
    case Type::list: return "a list of globs (a YAML sequence, or one glob per line)";
    case Type::boolean: return "true or false";
    case Type::number: return "a whole number";
    case Type::text: break;
  }
  return "a single text value";
}

class Loader {
 public:
  explicit Loader(const EnvLookup& env) : m_env(env), m_roots(path_roots(env)) {}

  SettingsResult run();

 private:
  void error(const std::string& input, const std::string& message) { m_errors.push_back({input, message}); }
  void error_at(const std::string& input, const Raw& raw, const std::string& problem) {
    error(input, input + " (" + raw.origin + "): " + problem);
  }

  std::optional<std::string> env(const std::string& name) const {
    auto value = m_env(name);
    if (value && trim(*value).empty()) return std::nullopt;  // an empty input is an unset input
    return value;
  }
  Raw from_environment(const InputSpec& spec) const;
  void read_config(const std::string& path);
  void read_config_value(const InputSpec& spec, const std::string& key, const YAML::Node& value,
                         const YAML::Mark& key_mark);
  Raw lookup(const InputSpec& spec) const;

  std::optional<bool> boolean(const std::string& input, const Raw& raw);
  std::optional<unsigned> number(const std::string& input, const Raw& raw, unsigned min, unsigned max,
                                 const std::string& hint);
  template <typename Enum>
  std::optional<Enum> choice(const std::string& input, const Raw& raw,
                             const std::vector<std::pair<const char*, Enum>>& allowed);
  std::vector<std::string> globs(const std::string& input, const Raw& raw, bool include);
  void hash_patterns(const Raw& raw, ActionSettings* s);
  /// Counts what config values expand to; false (with an error, once) past the limits.
  bool expand(size_t bytes, size_t items);
  static SettingOrigin origin_of(const Raw& raw) {
    return {raw.origin, raw.from_config ? PathSource::repository : PathSource::workflow};
  }

  const EnvLookup& m_env;
  PathRoots m_roots;
  size_t m_expanded_bytes = 0;
  size_t m_expanded_items = 0;
  bool m_expansion_exceeded = false;
  std::string m_config_file;
  std::map<std::string, Raw> m_config;        // input name -> value from the config file
  std::map<std::string, std::string> m_seen;  // config keys seen -> where
  std::vector<SettingsError> m_errors;
};

Raw Loader::from_environment(const InputSpec& spec) const {
  Raw raw;
  for (const std::string& var : {github_input_variable(spec.name), plugin_input_variable(spec.name)}) {
    const auto value = env(var);
    if (!value) continue;
    raw.present = true;
    raw.origin = var;
    if (spec.type != Type::list) {
      raw.text = std::string(trim(*value));
      return raw;
    }
    const std::string_view v = trim(*value);
    if (var.starts_with("PLUGIN_") && looks_like_json_array(v)) {
      // Woodpecker passes list settings as a JSON array; JSON is YAML flow syntax, so yaml-cpp reads it.
      try {
        const YAML::Node node = YAML::Load(std::string(v));
        if (node.IsSequence()) {
          size_t n = 0;
          for (const auto& element : node) {
            ++n;
            if (!element.IsScalar()) continue;
            std::string glob = trim_glob(element.Scalar());
            if (!glob.empty() && glob.front() != '#') raw.items.push_back({glob, var + " item " + std::to_string(n)});
          }
          return raw;
        }
      } catch (const YAML::Exception&) {
        // Not JSON after all: a glob may start with '['. Fall through and read it as text.
      }
    }
    if (var.starts_with("PLUGIN_") && v.find('\n') == std::string_view::npos) {
      // Drone joins list settings with commas.
      size_t n = 0;
      std::string_view rest = v;
      while (true) {
        const size_t comma = rest.find(',');
        ++n;
        std::string glob = trim_glob(rest.substr(0, comma));
        if (!glob.empty() && glob.front() != '#') raw.items.push_back({glob, var + " item " + std::to_string(n)});
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
      }
      return raw;
    }
    raw.items = split_lines(*value, var);
    return raw;
  }
  return raw;
}

bool Loader::expand(size_t bytes, size_t items) {
  m_expanded_bytes += bytes;
  m_expanded_items += items;
  if (m_expanded_bytes <= k_max_config_expansion && m_expanded_items <= k_max_config_items) return true;
  if (!m_expansion_exceeded) {
    m_expansion_exceeded = true;
    error("config", "config: " + quoted(m_config_file) + " expands to more than " +
                        (m_expanded_bytes > k_max_config_expansion ? std::string("1 MiB of values")
                                                                   : with_commas(k_max_config_items) + " list items") +
                        " (YAML aliases repeat a value each time they are used); write the values out, or use fewer");
  }
  return false;
}

void Loader::read_config(const std::string& path) {
  m_config_file = path;
  // The file is named by the workflow, but its content (and a symlink at its name) come from the checkout: a path
  // in the workspace is opened so that it cannot lead out of it.
  auto opened = open_trusted(m_roots, path, PathSource::workflow, /*directory=*/false);
  if (!opened) {
    error("config", "config: cannot read " + opened.error() +
                        "; give the path of a YAML file, relative to the workspace");
    return;
  }
  const int fd = opened->release();
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    error("config", "config: cannot read " + quoted(path) + ": " +
                        (S_ISDIR(st.st_mode) ? errno_text(EISDIR) : std::string("not a regular file")) +
                        "; give the path of a YAML file");
    return;
  }
  std::string text;
  char buf[16384];
  while (true) {
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      close(fd);
      error("config", "config: cannot read " + quoted(path) + ": " + errno_text(err));
      return;
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > k_max_config_bytes) {
      close(fd);
      error("config", "config: " + quoted(path) + " is larger than 1 MiB; is it the right file?");
      return;
    }
  }
  close(fd);

  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    error("config", "config: " + quoted(path) + " is not valid YAML: line " + std::to_string(e.mark.line + 1) +
                        ", column " + std::to_string(e.mark.column + 1) + ": " + e.msg);
    return;
  }
  if (root.IsNull()) return;  // an empty file sets nothing
  if (!root.IsMap()) {
    error("config", "config (" + mark_text(path, root.Mark()) + "): the file must be a mapping of input names to " +
                        "values (`fail-on: changes`), not " + node_kind(root));
    return;
  }
  for (const auto& pair : root) {
    const YAML::Node& key_node = pair.first;
    if (!key_node.IsScalar()) {
      error("config", "config (" + mark_text(path, key_node.Mark()) + "): a key must be an input name, not " +
                          node_kind(key_node));
      continue;
    }
    const std::string key = key_node.Scalar();
    const InputSpec* spec = nullptr;
    for (const auto& s : k_inputs) {
      if (key == s.name) spec = &s;
    }
    if (spec == nullptr) {
      const std::string suggestion = nearest(key, action_input_names());
      error("config", "config (" + mark_text(path, key_node.Mark()) + "): unknown key " + quoted(key) +
                          (suggestion.empty() ? "; the keys are: " + join(action_input_names())
                                              : "; did you mean '" + suggestion + "'?"));
      continue;
    }
    read_config_value(*spec, key, pair.second, key_node.Mark());
  }
}

void Loader::read_config_value(const InputSpec& spec, const std::string& key, const YAML::Node& value,
                               const YAML::Mark& key_mark) {
  if (key == "token" || key == "config") {
    error(key, key + " (" + mark_text(m_config_file, key_mark) + "): cannot be set in the config file" +
                   (key == "token" ? "; pass it as the action's `token` input (a secret does not belong in a file)"
                                   : "; name the config file with the `config` input"));
    return;
  }
  const std::string key_at = mark_text(m_config_file, key_mark);
  if (const auto [it, inserted] = m_seen.try_emplace(key, key_at); !inserted) {
    error(key, key + " (" + key_at + "): given twice in the config file (first at " + it->second + "); keep one");
    return;
  }
  if (value.IsNull()) return;  // `threads:` with no value: unset
  if (m_expansion_exceeded) return;
  Raw raw;
  raw.present = true;
  raw.from_config = true;
  raw.origin = mark_text(m_config_file, value.Mark());
  if (spec.type == Type::list && value.IsSequence()) {
    if (!expand(0, value.size())) return;
    for (const auto& element : value) {
      const std::string where = mark_text(m_config_file, element.Mark());
      if (!element.IsScalar()) {
        error(key, key + " (" + where + "): each item must be one glob, not " + node_kind(element));
        continue;
      }
      // Scalar() is a reference: its size is known before anything is copied.
      if (!expand(element.Scalar().size(), 0)) return;
      std::string glob = trim_glob(element.Scalar());
      if (!glob.empty() && glob.front() != '#') raw.items.push_back({std::move(glob), where});
    }
  } else if (key == "filters" && value.IsMap()) {
    // The filters are a YAML map in the file too: handed on as YAML text, read like the input.
    YAML::Emitter emitter;
    emitter << value;
    if (!expand(emitter.size(), 0)) return;
    raw.text = emitter.c_str();
  } else if (!value.IsScalar()) {
    error(key, key + " (" + raw.origin + "): expected " + expected_kind(spec.type) + ", got " + node_kind(value));
    return;
  } else if (!expand(value.Scalar().size(), 0)) {
    return;
  } else if (spec.type == Type::list) {
    raw.items = split_lines(value.Scalar(), raw.origin);
    if (!expand(0, raw.items.size())) return;
  } else {
    raw.text = std::string(trim(value.Scalar()));
    if (raw.text.empty()) return;
  }
  m_config[key] = std::move(raw);
}

Raw Loader::lookup(const InputSpec& spec) const {
  Raw raw = from_environment(spec);
  if (raw.present) return raw;
  const auto it = m_config.find(spec.name);
  return it == m_config.end() ? Raw{} : it->second;
}

std::optional<bool> Loader::boolean(const std::string& input, const Raw& raw) {
  // YAML 1.2 core schema, as the toolkit's getBooleanInput.
  for (const char* t : {"true", "True", "TRUE"}) {
    if (raw.text == t) return true;
  }
  for (const char* f : {"false", "False", "FALSE"}) {
    if (raw.text == f) return false;
  }
  error_at(input, raw, quoted(raw.text) + " is not a boolean; use true or false");
  return std::nullopt;
}

std::optional<unsigned> Loader::number(const std::string& input, const Raw& raw, unsigned min, unsigned max,
                                       const std::string& hint) {
  unsigned value = 0;
  const char* end = raw.text.data() + raw.text.size();
  const auto [ptr, ec] = std::from_chars(raw.text.data(), end, value);
  if (ec == std::errc() && ptr == end && value >= min && value <= max) return value;
  const bool is_number = ec != std::errc::invalid_argument && ptr == end;
  error_at(input, raw,
           quoted(raw.text) + (is_number ? " is out of range" : " is not a whole number") + "; give " + hint + " (" +
               std::to_string(min) + " to " + std::to_string(max) + ")");
  return std::nullopt;
}

template <typename Enum>
std::optional<Enum> Loader::choice(const std::string& input, const Raw& raw,
                                   const std::vector<std::pair<const char*, Enum>>& allowed) {
  std::vector<std::string> names;
  for (const auto& [name, value] : allowed) {
    if (raw.text == name) return value;
    names.push_back(name);
  }
  const std::string suggestion = nearest(raw.text, names);
  error_at(input, raw,
           quoted(raw.text) + " is not one of: " + join(names) +
               (suggestion.empty() ? "" : " (did you mean '" + suggestion + "'?)"));
  return std::nullopt;
}

std::vector<std::string> Loader::globs(const std::string& input, const Raw& raw, bool include) {
  std::vector<std::string> out;
  Filters check;
  for (const auto& item : raw.items) {
    if (Status added = include ? check.add_include(item.text) : check.add_exclude(item.text); !added) {
      error(input, input + " (" + item.where + "): " + quoted(item.text) + ": " + added.error() +
                       " (gitignore syntax; escape special characters with '\\')");
      continue;
    }
    out.push_back(item.text);
  }
  return out;
}

void Loader::hash_patterns(const Raw& raw, ActionSettings* s) {
  // hashFiles()'s arguments, one per line; the first may be its only option, `--follow-symbolic-links`.
  std::vector<std::string> lines;
  std::string_view rest = raw.text;
  while (!rest.empty()) {
    const size_t nl = rest.find('\n');
    const std::string_view line = trim(rest.substr(0, nl));
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    if (!line.empty()) lines.emplace_back(line);
  }
  HashFilesOptions options;
  Result<std::string> patterns = hash_files_arguments(lines, &options);
  if (!patterns) {
    error_at("hash-files", raw, patterns.error());
    return;
  }
  bool any = false;
  std::string_view text = *patterns;
  while (!text.empty() && !any) {
    const size_t nl = text.find('\n');
    const std::string_view line = trim(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    any = !line.empty() && line.front() != '#';
  }
  if (!any) {
    error_at("hash-files", raw,
             "no pattern given; list the patterns hashFiles() would get, one per line (e.g. `**/package-lock.json`)");
    return;
  }
  s->hash_files = std::move(*patterns);
  s->hash_follow_symlinks = options.follow_symlinks;
}

SettingsResult Loader::run() {
  ActionSettings s;
  const auto spec = [](const char* name) -> const InputSpec& {
    for (const auto& i : k_inputs) {
      if (std::string_view(i.name) == name) return i;
    }
    std::abort();  // a name not in k_inputs is a bug in this file
  };

  if (const Raw config = from_environment(spec("config")); config.present) {
    s.config_path = config.text;
    read_config(config.text);
  }

  if (Raw r = lookup(spec("path")); r.present) {
    s.path = r.text;
    s.path_origin = origin_of(r);  // opened by the action, by the rules of path_trust.h
  }
  if (Raw r = lookup(spec("include")); r.present) s.include = globs("include", r, true);
  if (Raw r = lookup(spec("exclude")); r.present) s.exclude = globs("exclude", r, false);
  if (Raw r = lookup(spec("gitignore")); r.present) s.gitignore = boolean("gitignore", r).value_or(s.gitignore);
  if (Raw r = lookup(spec("git")); r.present) {
    s.git = choice<bool>("git", r, {{"auto", true}, {"off", false}}).value_or(s.git);
  }
  if (Raw r = lookup(spec("since")); r.present) {
    if (auto since_ns = parse_time_spec(r.text); since_ns) {
      s.since_ns = *since_ns;
    } else {
      s.since_ns = std::nullopt;
      error_at("since", r, since_ns.error());
    }
  }
  if (Raw r = lookup(spec("follow-symlinks")); r.present) {
    s.follow_symlinks = boolean("follow-symlinks", r).value_or(s.follow_symlinks);
  }
  if (Raw r = lookup(spec("threads")); r.present) {
    s.threads = number("threads", r, 1, k_max_threads, "the number of worker threads").value_or(0);
  }
  if (Raw r = lookup(spec("manifest-path")); r.present) {
    s.manifest_path = r.text;
    s.manifest_path_origin = origin_of(r);
  } else {
    auto temp = env("RUNNER_TEMP");
    if (!temp) temp = env("TMPDIR");
    std::string dir = temp.value_or("/tmp");
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    s.manifest_path = dir + "/treeprint/manifest.json";
    s.manifest_path_is_default = true;
  }
  if (Raw r = lookup(spec("sha256sum-path")); r.present) {
    s.sha256sum_path = r.text;
    s.sha256sum_path_origin = origin_of(r);
  }
  if (!s.sha256sum_path.empty() && s.sha256sum_path == s.manifest_path) {
    error("sha256sum-path", "sha256sum-path: names the same file as manifest-path (" + quoted(s.manifest_path) +
                                "); give two different paths");
  }

  if (Raw r = lookup(spec("artifact-name")); r.present) {
    s.artifact_name = r.text;
    if (const std::string bad = forbidden_artifact_name_chars(r.text); !bad.empty()) {
      error_at("artifact-name", r,
               quoted(r.text) + " contains " + printable(bad) +
                   "; an artifact name cannot contain any of \" : < > | * ? \\ / or a line break");
    }
  } else {
    const auto job = env("GITHUB_JOB");
    std::string name = job ? "treeprint-" + *job + "-" + env("GITHUB_RUN_ATTEMPT").value_or("1") : "treeprint-manifest";
    for (char& c : name) {
      if (k_artifact_name_forbidden.find(c) != std::string_view::npos) c = '_';
    }
    s.artifact_name = name;
  }

  if (Raw r = lookup(spec("retention-days")); r.present) {
    s.retention_days = number("retention-days", r, 1, k_max_retention_days,
                              "the number of days to keep the artifact, or leave it unset for the repository default")
                           .value_or(0);
    unsigned cap = 0;
    if (const auto limit = env("GITHUB_RETENTION_DAYS")) {
      const std::string_view t = trim(*limit);
      const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), cap);
      if (ec != std::errc() || ptr != t.data() + t.size()) cap = 0;
    }
    if (cap != 0 && s.retention_days > cap) {
      s.warnings.push_back("retention-days " + std::to_string(s.retention_days) +
                           " is more than this repository allows; using " + std::to_string(cap));
      s.retention_days = cap;
    }
  }
  if (Raw r = lookup(spec("overwrite")); r.present) s.overwrite = boolean("overwrite", r).value_or(s.overwrite);

  if (Raw r = lookup(spec("baseline")); r.present) {
    if (r.text == "off") {
      s.baseline = BaselineKind::off;
    } else if (r.text == "previous-run") {
      s.baseline = BaselineKind::previous_run;
    } else {
      s.baseline = BaselineKind::path;
      s.baseline_path = r.text;
      s.baseline_origin = origin_of(r);
      if (auto file = open_trusted(m_roots, r.text, s.baseline_origin.source, /*directory=*/false); !file) {
        const std::string suggestion = nearest(r.text, {"off", "previous-run"});
        error_at("baseline", r,
                 "cannot read the manifest " + file.error() +
                     "; give off, previous-run or the path of a manifest" +
                     (suggestion.empty() ? "" : " (did you mean '" + suggestion + "'?)"));
      }
    }
  }
  const Raw restore = lookup(spec("restore"));
  const Raw restore_manifest = lookup(spec("restore-manifest"));
  if (restore.present) {
    s.restore_dir = restore.text;
    if (auto dir = open_trusted(m_roots, restore.text, origin_of(restore).source, /*directory=*/true); !dir) {
      error_at("restore", restore, "cannot open the directory " + dir.error());
    }
    if (!restore_manifest.present) {
      error("restore-manifest",
            "restore-manifest: not set; restore needs the manifest of the original tree (the "
            "manifest.json of the artifact the build job's treeprint step uploaded)");
    }
  }
  if (restore_manifest.present) {
    s.restore_manifest = restore_manifest.text;
    if (!restore.present) {
      error_at("restore-manifest", restore_manifest,
               "is set but restore is not; give restore the directory to restore");
    } else if (auto file = open_trusted(m_roots, restore_manifest.text, origin_of(restore_manifest).source,
                                        /*directory=*/false);
               !file) {
      error_at("restore-manifest", restore_manifest, "cannot read the manifest " + file.error());
    }
  }
  if (Raw r = lookup(spec("summary")); r.present) {
    s.summary = choice<SummaryMode>("summary", r,
                                    {{"auto", SummaryMode::automatic},
                                     {"check-run", SummaryMode::check_run},
                                     {"comment", SummaryMode::comment},
                                     {"status", SummaryMode::status},
                                     {"none", SummaryMode::none}})
                    .value_or(s.summary);
  }
  if (Raw r = lookup(spec("fail-on")); r.present) {
    s.fail_on = choice<FailOn>("fail-on", r,
                               {{"never", FailOn::never}, {"errors", FailOn::errors}, {"changes", FailOn::changes}})
                    .value_or(s.fail_on);
  }
  if (Raw r = lookup(spec("token")); r.present) s.token = r.text;
  if (Raw r = lookup(spec("api-timeout")); r.present) {
    s.api_timeout = number("api-timeout", r, 1, k_max_api_timeout,
                           "the seconds all network requests of the run may take together")
                        .value_or(s.api_timeout);
  }

  if (Raw r = lookup(spec("filters")); r.present) {
    // The value's own origin is the source of every message, so an error names the input and where it was set.
    Result<std::vector<ChangeFilter>> parsed = parse_filters(r.text, "filters (" + r.origin + ")");
    if (parsed) {
      s.filters = std::move(*parsed);
    } else {
      error("filters", parsed.error());
    }
  }
  if (Raw r = lookup(spec("hash-files")); r.present) hash_patterns(r, &s);

  if (!m_errors.empty()) return std::move(m_errors);
  return s;
}

}  // namespace

const std::vector<std::string>& action_input_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const auto& spec : k_inputs) v.emplace_back(spec.name);
    return v;
  }();
  return names;
}

std::string github_input_variable(const std::string& input) {
  std::string name = input;
  std::replace(name.begin(), name.end(), ' ', '_');
  return "INPUT_" + upper(name);
}

std::string plugin_input_variable(const std::string& input) {
  std::string name = input;
  std::replace(name.begin(), name.end(), '-', '_');
  std::replace(name.begin(), name.end(), ' ', '_');
  return "PLUGIN_" + upper(name);
}

SettingsResult load_action_settings(const EnvLookup& env) { return Loader(env).run(); }

ScanOptions to_scan_options(const ActionSettings& settings) {
  ScanOptions o;
  o.dir = settings.path;
  o.output = settings.manifest_path;
  o.sha256sum_path = settings.sha256sum_path;
  o.threads = settings.threads != 0 ? settings.threads : std::max(1u, std::thread::hardware_concurrency());
  for (const auto& g : settings.include) o.filters.push_back({true, g});
  for (const auto& g : settings.exclude) o.filters.push_back({false, g});
  o.gitignore = settings.gitignore;
  o.git = settings.git;
  o.since_ns = settings.since_ns;
  o.follow_symlinks = settings.follow_symlinks;
  return o;
}

const char* to_string(BaselineKind kind) {
  switch (kind) {
    case BaselineKind::off: return "off";
    case BaselineKind::previous_run: return "previous-run";
    case BaselineKind::path: return "path";
  }
  return "?";
}

const char* to_string(SummaryMode mode) {
  switch (mode) {
    case SummaryMode::automatic: return "auto";
    case SummaryMode::check_run: return "check-run";
    case SummaryMode::comment: return "comment";
    case SummaryMode::status: return "status";
    case SummaryMode::none: return "none";
  }
  return "?";
}

const char* to_string(FailOn fail_on) {
  switch (fail_on) {
    case FailOn::never: return "never";
    case FailOn::errors: return "errors";
    case FailOn::changes: return "changes";
  }
  return "?";
}

}  // namespace treeprint
