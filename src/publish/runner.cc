#include "publish/runner.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>

#include "manifest/path_encoding.h"
#include "publish/change_outputs.h"
#include "publish/markdown.h"
#include "util/format.h"
#include "util/text.h"

namespace treeprint {

namespace {

constexpr std::string_view k_delimiter_prefix = "ghadelimiter_";

/// Valid UTF-8 kept as is; each byte of an invalid sequence becomes the text \xNN. The runner reads the log as
/// UTF-8 and would otherwise replace such bytes silently.
std::string escape(std::string_view text, bool property) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '%': out += "%25"; break;
      case '\r': out += "%0D"; break;
      case '\n': out += "%0A"; break;
      case ':': out += property ? "%3A" : ":"; break;
      case ',': out += property ? "%2C" : ","; break;
      default: out += c;
    }
  }
  return out;
}

bool write_all(int fd, std::string_view data, int* err) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      *err = errno;
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

/// Appends `data` to `path` in one write (O_APPEND), so a reader never sees half a record from us.
Status append_file(const std::string& path, std::string_view data, const char* what) {
  const int fd = open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0666);
  if (fd < 0) {
    return Status::failure(std::string("cannot open ") + what + " file '" + printable(path) +
                           "': " + errno_text(errno));
  }
  int err = 0;
  const bool ok = write_all(fd, data, &err);
  if (close(fd) != 0 && ok) err = errno;
  if (!ok || err != 0) {
    return Status::failure(std::string("writing ") + what + " file '" + printable(path) +
                           "' failed: " + errno_text(err));
  }
  return ok_status();
}

/// Replaces `path` with `data`: written to a new file beside it, then renamed over it, so a reader sees the old or
/// the new content, and a link at `path` is replaced rather than followed.
Status replace_file(const std::string& path, std::string_view data, const char* what) {
  const std::string temp = path + ".tmp" + std::to_string(::getpid());
  const int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0644);
  if (fd < 0) {
    return Status::failure(std::string("cannot create ") + what + " file '" + printable(temp) +
                           "': " + errno_text(errno));
  }
  int err = 0;
  bool ok = write_all(fd, data, &err);
  if (close(fd) != 0 && ok) {
    err = errno;
    ok = false;
  }
  if (ok && ::rename(temp.c_str(), path.c_str()) != 0) {
    err = errno;
    ok = false;
  }
  if (!ok) {
    ::unlink(temp.c_str());
    return Status::failure(std::string("writing ") + what + " file '" + printable(path) +
                           "' failed: " + errno_text(err));
  }
  return ok_status();
}

const char* level_name(AnnotationLevel level) {
  switch (level) {
    case AnnotationLevel::error: return "error";
    case AnnotationLevel::warning: return "warning";
    case AnnotationLevel::notice: return "notice";
  }
  return "error";
}

}  // namespace

RunnerEnvironment runner_environment(const EnvLookup& env) {
  RunnerEnvironment r;
  r.output_file = env("GITHUB_OUTPUT").value_or("");
  r.summary_file = env("GITHUB_STEP_SUMMARY").value_or("");
  r.workspace = env("GITHUB_WORKSPACE").value_or("");
  r.on_actions = env("GITHUB_ACTIONS").value_or("") == "true";
  return r;
}

std::string env_file_key(std::string_view output_name) {
  std::string key = "TREEPRINT_";
  for (char c : output_name) key += c == '-' ? '_' : c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
  return key;
}

std::string shell_single_quoted(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string escape_command_data(std::string_view text) { return escape(text, false); }
std::string escape_command_property(std::string_view text) { return escape(text, true); }

std::string random_delimiter() {
  unsigned char bytes[16];
  size_t got = 0;
  while (got < sizeof bytes) {
    const ssize_t n = getrandom(bytes + got, sizeof bytes - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return {};  // no kernel randomness: a predictable delimiter would be unsafe, so there is none
    }
    got += static_cast<size_t>(n);
  }
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0F) | 0x40);  // version 4
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3F) | 0x80);  // RFC 4122 variant
  const std::string hex = to_hex(bytes);
  return std::string(k_delimiter_prefix) + hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

Runner::Runner(RunnerEnvironment env, std::FILE* commands, std::function<std::string()> make_delimiter)
    : m_env(std::move(env)), m_out(commands), m_make_delimiter(std::move(make_delimiter)) {}

void Runner::command(std::string_view name, std::string_view properties, std::string_view data) {
  if (!m_env.on_actions) return;  // only a runner reads workflow commands; elsewhere they are noise, or worse
  std::string line = "::";
  line += name;
  if (!properties.empty()) {
    line += ' ';
    line += properties;
  }
  line += "::";
  line += escape_command_data(utf8_escaping_invalid(data));
  line += '\n';
  write_line(line);
}

void Runner::write_line(std::string_view line) {
  std::fwrite(line.data(), 1, line.size(), m_out);
  std::fflush(m_out);
}

Status Runner::set_output(std::string_view name, std::string_view value) {
  const std::string what = "output '" + printable(name) + "'";
  if (name.empty()) {
    return Status::failure("an output needs a name");
  }
  if (name.find_first_of("=\r\n") != std::string_view::npos || name.find("<<") != std::string_view::npos) {
    return Status::failure(what + ": a name cannot contain '=', '<<' or a line break");
  }
  if (!is_valid_utf8(name) || !is_valid_utf8(value)) {
    return Status::failure(what + ": the runner reads outputs as UTF-8, and this one is not");
  }
  if (m_env.output_file.empty()) {
    if (m_env.on_actions) {
      // A runner too old for GITHUB_OUTPUT still reads the legacy command.
      command("set-output", "name=" + escape_command_property(name), value);
    } else {
      write_line("treeprint: output " + printable(name) + "=" + printable(value) + "\n");
    }
    return m_env.env_file.empty() ? ok_status() : keep_in_env_file(name, value);
  }
  const std::string delimiter = m_make_delimiter();
  if (delimiter.empty()) {
    return Status::failure(what + ": no random source for the delimiter (getrandom failed); refusing to write it");
  }
  if (name.find(delimiter) != std::string_view::npos || value.find(delimiter) != std::string_view::npos) {
    return Status::failure(what + ": the name or value contains the delimiter '" + delimiter +
                           "'; refusing to write it");
  }
  std::string record;
  record.reserve(name.size() + value.size() + 2 * delimiter.size() + 5);
  record.append(name).append("<<").append(delimiter).append("\n");
  record.append(value).append("\n");
  record.append(delimiter).append("\n");
  return append_file(m_env.output_file, record, "GITHUB_OUTPUT");
}

Status Runner::keep_in_env_file(std::string_view name, std::string_view value) {
  std::vector<std::pair<std::string, std::string>> values = m_env_values;
  const std::string key = env_file_key(name);
  bool replaced = false;
  for (auto& [k, v] : values) {
    if (k == key) {
      v = std::string(value);
      replaced = true;
    }
  }
  if (!replaced) values.emplace_back(key, std::string(value));
  std::string text;
  if (m_env.env_dotenv) {
    std::vector<OutputValue> vars;
    for (const auto& [k, v] : values) vars.push_back({k, v});
    auto rendered = render_dotenv_values(vars);
    if (!rendered) {
      return Status::failure(rendered.error() + "; " + key + " is not in " + printable(m_env.env_file));
    }
    text = std::move(*rendered);
  } else {
    for (const auto& [k, v] : values) text += k + "=" + shell_single_quoted(v) + "\n";
  }
  Status replaced_file = replace_file(m_env.env_file, text, "outputs");
  if (!replaced_file) return replaced_file;
  m_env_values = std::move(values);
  return ok_status();
}

Status Runner::append_summary(std::string_view markdown) {
  if (m_env.summary_file.empty() && !m_env.markdown_file.empty() && !markdown.empty()) {
    m_markdown += markdown;
    return replace_file(m_env.markdown_file, m_markdown, "summary");
  }
  if (m_env.summary_file.empty() || markdown.empty()) return ok_status();
  struct stat st {};
  size_t used = 0;
  if (stat(m_env.summary_file.c_str(), &st) == 0 && S_ISREG(st.st_mode)) used = static_cast<size_t>(st.st_size);
  const size_t room = used < k_step_summary_limit ? k_step_summary_limit - used : 0;
  const std::string fitted = fit_markdown(markdown, room, "The manifest, uploaded as an artifact, has every entry.");
  if (fitted.empty()) {
    return Status::failure("the step summary is already at GitHub's 1 MiB limit; " + with_commas(markdown.size()) +
                           " bytes of summary were not written");
  }
  return append_file(m_env.summary_file, fitted, "GITHUB_STEP_SUMMARY");
}

void Runner::annotate(AnnotationLevel level, const Annotation& a) {
  if (!m_env.on_actions) {
    // A plain log line: no one turns it into an annotation, and no text in it can become a command.
    std::string line = std::string("treeprint: ") + level_name(level) + ": ";
    if (!a.file.empty()) line += log_safe(a.file) + (a.line != 0 ? ":" + std::to_string(a.line) : "") + ": ";
    if (!a.title.empty()) line += log_safe(a.title) + ": ";
    std::string message = log_safe(a.message);
    if (message.size() > k_annotation_message_limit) message = truncate_utf8(message, k_annotation_message_limit);
    write_line(line + message + "\n");
    ++m_emitted[static_cast<size_t>(level)];
    return;
  }
  std::string properties;
  const auto add = [&](std::string_view key, std::string_view value) {
    if (!properties.empty()) properties += ',';
    properties.append(key).append("=").append(escape_command_property(utf8_escaping_invalid(value)));
  };
  if (!a.file.empty()) add("file", a.file);
  if (a.line != 0) add("line", std::to_string(a.line));
  if (!a.title.empty()) add("title", a.title);
  std::string message = utf8_escaping_invalid(a.message);
  if (message.size() > k_annotation_message_limit) message = truncate_utf8(message, k_annotation_message_limit);
  command(level_name(level), properties, message);
  ++m_emitted[static_cast<size_t>(level)];
}

size_t Runner::annotate_all(AnnotationLevel level, std::span<const Annotation> annotations,
                            std::string_view where_rest) {
  const size_t used = annotations_emitted(level);
  const size_t room = used < k_annotations_per_level ? k_annotations_per_level - used : 0;
  if (annotations.size() <= room) {
    for (const auto& a : annotations) annotate(level, a);
    return annotations.size();
  }
  // One slot goes to the note about the rest, so that the note is an annotation too.
  const size_t shown = room == 0 ? 0 : room - 1;
  for (size_t i = 0; i < shown; ++i) annotate(level, annotations[i]);
  const size_t rest = annotations.size() - shown;
  std::string message = with_commas(rest) + (shown == 0 ? " " : " more ") + level_name(level) +
                        (rest == 1 ? " is" : "s are") + " not shown as annotations";
  if (!where_rest.empty()) message += std::string("; ") + std::string(where_rest);
  annotate(level, {message, "treeprint", {}, 0});
  return shown;
}

void Runner::group(std::string_view title) {
  if (m_env.log_sections) {
    if (!m_open_section.empty()) end_group();  // GitLab sections do not nest here
    m_open_section = "treeprint_" + std::to_string(++m_sections);
    write_line("\x1b[0Ksection_start:" + std::to_string(std::time(nullptr)) + ":" + m_open_section +
               "[collapsed=true]\r\x1b[0K" + log_safe(title) + "\n");
  } else if (m_env.on_actions) {
    command("group", {}, title);
  } else {
    write_line(log_safe(title) + "\n");
  }
}

void Runner::end_group() {
  if (m_env.log_sections) {
    if (m_open_section.empty()) return;
    write_line("\x1b[0Ksection_end:" + std::to_string(std::time(nullptr)) + ":" + m_open_section + "\r\x1b[0K\n");
    m_open_section.clear();
    return;
  }
  command("endgroup", {}, {});
}

void Runner::add_mask(std::string_view secret) {
  // Off a runner nothing masks the log, so there the line would be the secret in clear: never print it.
  if (!m_env.on_actions) return;
  if (secret.find_first_not_of(" \t\r\n") == std::string_view::npos) return;
  command("add-mask", {}, secret);
}

}  // namespace treeprint
