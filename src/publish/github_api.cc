#include "publish/github_api.h"

#include <simdjson.h>

#include <algorithm>
#include <cctype>

#include "manifest/path_encoding.h"
#include "util/format.h"
#include "util/json.h"
#include "util/sha256.h"
#include "util/text.h"

namespace treeprint {
namespace {

constexpr int k_max_pages = 50;         // 5,000 comments or artifacts: far more than any real pull request
constexpr int k_max_runs_checked = 20;  // candidate artifacts whose run is looked up
constexpr const char* k_truncated_note = "\n\n*(cut: longer than GitHub allows)*";

/// `text` with every byte sequence that is not UTF-8 replaced by U+FFFD, so the JSON GitHub receives is valid.
// A text field: GitHub takes UTF-8 only, so anything else is repaired first.
void add_string(JsonWriter& out, std::string_view key, std::string_view value) {
  out.field(key, utf8_replacing_invalid(value));
}

std::string get_string(simdjson::dom::element e, const char* key) {
  std::string_view v;
  if (e[key].get_string().get(v)) return "";
  return std::string(v);
}

int64_t get_int(simdjson::dom::element e, const char* key) {
  int64_t v = 0;
  if (e[key].get_int64().get(v)) return 0;
  return v;
}

/// GitHub's error text: "message", then the "errors" details when there are any.
std::string github_message(const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (body.empty() || parser.parse(body).get(doc) || !doc.is_object()) {
    return body.empty() ? "" : printable(truncate_utf8(body, 200, "..."));
  }
  std::string msg = get_string(doc, "message");
  simdjson::dom::array errors;
  if (!doc["errors"].get_array().get(errors)) {
    for (simdjson::dom::element e : errors) {
      std::string detail =
          e.is_string() ? std::string(std::string_view(e.get_string().value_unsafe())) : get_string(e, "message");
      if (detail.empty() && e.is_object()) detail = get_string(e, "field") + " " + get_string(e, "code");
      if (!detail.empty()) msg += "; " + detail;
    }
  }
  return printable(truncate_utf8(msg, 500, "..."));
}

void annotation_json(JsonWriter& out, const CheckAnnotation& a) {
  out.begin_object();
  add_string(out, "path", a.path);
  out.field("start_line", int64_t{a.start_line});
  out.field("end_line", int64_t{std::max(a.end_line, a.start_line)});
  add_string(out, "annotation_level", a.level);
  add_string(out, "message", truncate_utf8(utf8_replacing_invalid(a.message), k_annotation_message_max, "..."));
  if (!a.title.empty()) add_string(out, "title", truncate_utf8(utf8_replacing_invalid(a.title), k_annotation_title_max, "..."));
  out.end_object();
}

/// The "output" object of a check run, with annotations [from, to).
void output_json(JsonWriter& out, const CheckRun& run, size_t from, size_t to) {
  out.begin_object();
  add_string(out, "title", run.title.empty() ? run.name : run.title);
  add_string(out, "summary", truncate_utf8(utf8_replacing_invalid(run.summary), k_check_output_max, k_truncated_note));
  if (!run.text.empty())
    add_string(out, "text", truncate_utf8(utf8_replacing_invalid(run.text), k_check_output_max, k_truncated_note));
  if (to > from) {
    out.key("annotations").begin_array();
    for (size_t i = from; i < to; ++i) annotation_json(out, run.annotations[i]);
    out.end_array();
  }
  out.end_object();
}

/// "owner/repo" with GitHub's characters only, so it can go into a path as it is.
bool valid_repository(std::string_view r) {
  const size_t slash = r.find('/');
  if (slash == 0 || slash == std::string_view::npos || slash + 1 == r.size() || r.find('/', slash + 1) != r.npos) {
    return false;
  }
  const std::string_view owner = r.substr(0, slash);
  const std::string_view name = r.substr(slash + 1);
  if (owner == "." || owner == ".." || name == "." || name == "..") return false;
  return std::all_of(r.begin(), r.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '/';
  });
}

}  // namespace

std::string next_link(std::string_view header) {
  // <url>; rel="next", <url>; rel="last"
  while (!header.empty()) {
    const size_t open = header.find('<');
    const size_t close = header.find('>', open);
    if (open == std::string_view::npos || close == std::string_view::npos) return "";
    const std::string_view url = header.substr(open + 1, close - open - 1);
    const size_t end = header.find(',', close);
    const std::string_view params = header.substr(close + 1, end == std::string_view::npos ? end : end - close - 1);
    if (params.find("rel=\"next\"") != std::string_view::npos || params.find("rel=next") != std::string_view::npos) {
      return std::string(url);
    }
    if (end == std::string_view::npos) return "";
    header.remove_prefix(end + 1);
  }
  return "";
}

GitHubApi::GitHubApi(HttpClient& http, std::string api_url, std::string token, std::string repository)
    : m_http(http), m_api_url(std::move(api_url)), m_token(std::move(token)), m_repository(std::move(repository)) {
  while (!m_api_url.empty() && m_api_url.back() == '/') m_api_url.pop_back();
  m_http.add_secret(m_token);
}

std::string GitHubApi::comment_marker(const std::string& key) {
  std::string safe;
  for (const char c : key) {
    safe.push_back(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '/' ? c
                                                                                                               : '_');
  }
  return "<!-- treeprint-comment:" + safe + " -->";
}

HttpRequest GitHubApi::request(std::string method, const std::string& path_or_url, std::string body) const {
  HttpRequest r;
  r.method = std::move(method);
  r.url = path_or_url.rfind("http", 0) == 0 ? path_or_url : m_api_url + path_or_url;
  r.headers = {{"Accept", "application/vnd.github+json"}, {"X-GitHub-Api-Version", "2022-11-28"}};
  if (!m_token.empty()) r.headers.emplace_back("Authorization", "Bearer " + m_token);
  if (r.method != "GET" && r.method != "HEAD") r.headers.emplace_back("Content-Type", "application/json");
  r.body = std::move(body);
  return r;
}

bool GitHubApi::same_api_origin(const std::string& url) const {
  auto a = parse_url(m_api_url);
  auto b = parse_url(url);
  return a && b && a->origin() == b->origin();
}

Result<HttpResponse> GitHubApi::call(const std::string& what, const HttpRequest& req, bool allow_redirect) {
  if (!valid_repository(m_repository)) {
    return Result<HttpResponse>::failure(what + ": '" + printable(m_repository) +
                                         "' is not a repository name of the form owner/repo");
  }
  auto r = m_http.send(req);
  if (!r) return Result<HttpResponse>::failure(m_http.redact(what + ": " + r.error()));
  if (r->status / 100 == 2 || (allow_redirect && r->status / 100 == 3)) return r;
  std::string msg = what + ": HTTP " + std::to_string(r->status);
  const std::string gh = github_message(r->body);
  if (!gh.empty()) msg += ": " + gh;
  if (r->status == 403 && gh.find("Resource not accessible by integration") != std::string::npos) {
    msg +=
        " (the token may not do this: check the workflow's `permissions:`; on a pull request from a fork the "
        "token is read-only)";
  } else if (r->status == 401) {
    msg += " (the token was refused)";
  } else if (r->status == 404) {
    msg += " (not found, or the token cannot see it)";
  }
  return Result<HttpResponse>::failure(m_http.redact(msg));
}

Result<CheckRunCreated> GitHubApi::create_check_run(const CheckRun& given) {
  using R = Result<CheckRunCreated>;
  const CheckRun* capped = &given;
  CheckRun copy;
  if (given.annotations.size() > k_check_annotations_max) {
    copy = given;
    const size_t rest = copy.annotations.size() - k_check_annotations_max;
    copy.annotations.resize(k_check_annotations_max);
    copy.text = "*" + with_commas(rest) + " more " + (rest == 1 ? "entry is" : "entries are") +
                " not annotated (a check run gets at most " + std::to_string(k_check_annotations_max) +
                "); all of them are in the manifest's `errors`.*" + (copy.text.empty() ? "" : "\n\n" + copy.text);
    capped = &copy;
  }
  const CheckRun& run = *capped;
  const size_t total = run.annotations.size();
  const size_t first = std::min(total, k_check_annotations_per_request);
  JsonWriter create;
  create.begin_object();
  add_string(create, "name", run.name);
  add_string(create, "head_sha", run.head_sha);
  add_string(create, "status", run.status);
  if (run.status == "completed") add_string(create, "conclusion", run.conclusion);
  if (!run.details_url.empty()) add_string(create, "details_url", run.details_url);
  output_json(create.key("output"), run, 0, first);
  std::string body = create.end_object().take();

  const std::string base = "/repos/" + m_repository + "/check-runs";
  auto r = call("creating check run '" + printable(run.name) + "'", request("POST", base, std::move(body)));
  if (!r) return R::failure(r.error());
  CheckRunCreated created;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(r->body).get(doc) || (created.id = get_int(doc, "id")) <= 0) {
    return R::failure("creating check run '" + printable(run.name) + "': GitHub's answer has no check run id");
  }
  created.html_url = get_string(doc, "html_url");
  for (size_t from = first; from < total; from += k_check_annotations_per_request) {
    const size_t to = std::min(total, from + k_check_annotations_per_request);
    JsonWriter more;
    output_json(more.begin_object().key("output"), run, from, to);
    const std::string patch = more.end_object().take();
    auto p = call("adding annotations " + std::to_string(from + 1) + "-" + std::to_string(to) + " of " +
                      std::to_string(total) + " to check run " + std::to_string(created.id),
                  request("PATCH", base + "/" + std::to_string(created.id), patch));
    if (!p) return R::failure(p.error());
  }
  return created;
}

Result<StickyComment> GitHubApi::upsert_sticky_comment(int64_t issue_number, const std::string& key,
                                                       const std::string& text) {
  using R = Result<StickyComment>;
  const std::string marker = comment_marker(key);
  const std::string body_text =
      truncate_utf8(utf8_replacing_invalid(text), k_comment_body_max - marker.size() - 1, k_truncated_note) + "\n" + marker;
  const std::string what = "updating the comment on pull request #" + std::to_string(issue_number);

  // Only a comment the token itself wrote is ours to update: anyone can post one with the (predictable) marker.
  const auto login = token_login();
  StickyComment result;
  int64_t existing = 0;
  std::string url = "/repos/" + m_repository + "/issues/" + std::to_string(issue_number) + "/comments?per_page=100";
  for (int page = 0; !url.empty() && existing == 0; ++page) {
    if (page == k_max_pages)
      return R::failure(what + ": more than " + std::to_string(k_max_pages) + " pages of comments");
    auto r = call(what + ": listing comments", request("GET", url));
    if (!r) return R::failure(r.error());
    simdjson::dom::parser parser;
    simdjson::dom::array comments;
    if (parser.parse(r->body).get_array().get(comments)) {
      return R::failure(what + ": listing comments: GitHub's answer is not a list of comments");
    }
    for (simdjson::dom::element c : comments) {
      if (get_string(c, "body").find(marker) == std::string::npos || get_int(c, "id") <= 0) continue;
      simdjson::dom::element user;
      const bool ours = login && !c["user"].get(user) && get_string(user, "login") == *login;
      if (!ours) {
        ++result.foreign_markers;
        continue;
      }
      existing = get_int(c, "id");
      break;
    }
    const std::string* link = r->header("Link");
    url = link ? next_link(*link) : "";
    if (!url.empty() && !same_api_origin(url)) {
      return R::failure(m_http.redact(what + ": the next page of comments is on another host (" +
                                      printable(url.substr(0, url.find('?'))) + "); not sending the token there"));
    }
  }

  JsonWriter comment;
  add_string(comment.begin_object(), "body", body_text);
  std::string body = comment.end_object().take();
  if (existing != 0) {
    auto r = call(what, request("PATCH", "/repos/" + m_repository + "/issues/comments/" + std::to_string(existing),
                                std::move(body)));
    if (!r) return R::failure(r.error());
    result.id = existing;
    return result;
  }
  auto r = call(what + ": creating it",
                request("POST", "/repos/" + m_repository + "/issues/" + std::to_string(issue_number) + "/comments",
                        std::move(body)));
  if (!r) return R::failure(r.error());
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(r->body).get(doc) || (result.id = get_int(doc, "id")) <= 0) {
    return R::failure(what + ": GitHub's answer has no comment id");
  }
  result.created = true;
  return result;
}

Result<std::string> GitHubApi::token_login() {
  using R = Result<std::string>;
  if (!m_login.empty()) return m_login;
  if (m_token.rfind("ghs_", 0) == 0) return std::string(k_actions_bot_login);
  auto r = call("asking who the token belongs to (GET /user)", request("GET", "/user"));
  if (!r) return R::failure(r.error());
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::string login;
  if (parser.parse(r->body).get(doc) || (login = get_string(doc, "login")).empty()) {
    return R::failure("asking who the token belongs to (GET /user): GitHub's answer has no login");
  }
  m_login = login;
  return login;
}

Status GitHubApi::create_commit_status(const CommitStatus& status) {
  JsonWriter json;
  json.begin_object();
  add_string(json, "state", status.state);
  if (!status.context.empty()) add_string(json, "context", status.context);
  if (!status.description.empty()) {
    add_string(json, "description", truncate_utf8(utf8_replacing_invalid(status.description), k_status_description_max, "..."));
  }
  if (!status.target_url.empty()) add_string(json, "target_url", status.target_url);
  std::string body = json.end_object().take();
  HttpRequest req = request("POST", "/repos/" + m_repository + "/statuses/" + url_encode(status.sha), std::move(body));
  req.idempotent = true;  // setting the same status twice changes nothing
  auto r = call("setting commit status '" + printable(status.context) + "'", req);
  if (!r) return Status::failure(r.error());
  return ok_status();
}

Result<std::string> GitHubApi::download_artifact(int64_t artifact_id, const BaselineQuery& query) {
  // Answers 302 to blob storage on another host: the client follows it without the Authorization header.
  HttpRequest req =
      request("GET", "/repos/" + m_repository + "/actions/artifacts/" + std::to_string(artifact_id) + "/zip");
  req.max_body = query.max_download;
  auto r = call("downloading artifact " + std::to_string(artifact_id), req);
  if (!r) return Result<std::string>::failure(r.error());
  return std::move(r->body);
}

Result<BaselineArtifact> GitHubApi::find_baseline(const BaselineQuery& query) {
  using R = Result<BaselineArtifact>;
  const std::string what = "looking for the baseline artifact '" + printable(query.artifact_name) + "' on branch '" +
                           printable(query.branch) + "'";
  struct Candidate {
    int64_t id = 0;
    int64_t run_id = 0;
    std::string created_at;
    std::string head_sha;
    std::string digest;
  };
  std::vector<Candidate> candidates;
  size_t seen = 0;
  std::string url =
      "/repos/" + m_repository + "/actions/artifacts?name=" + url_encode(query.artifact_name) + "&per_page=100";
  for (int page = 0; !url.empty(); ++page) {
    if (page == k_max_pages) break;
    auto r = call(what, request("GET", url));
    if (!r) return R::failure(r.error());
    simdjson::dom::parser parser;
    simdjson::dom::array artifacts;
    if (parser.parse(r->body)["artifacts"].get_array().get(artifacts)) {
      return R::failure(what + ": GitHub's answer has no list of artifacts");
    }
    for (simdjson::dom::element a : artifacts) {
      ++seen;
      bool expired = true;
      simdjson::dom::element run;
      if (get_string(a, "name") != query.artifact_name || a["expired"].get_bool().get(expired) || expired ||
          a["workflow_run"].get(run) || get_string(run, "head_branch") != query.branch) {
        continue;
      }
      candidates.push_back({get_int(a, "id"), get_int(run, "id"), get_string(a, "created_at"),
                            get_string(run, "head_sha"), get_string(a, "digest")});
    }
    const std::string* link = r->header("Link");
    url = link ? next_link(*link) : "";
    if (!url.empty() && !same_api_origin(url)) {
      return R::failure(m_http.redact(what + ": the next page of artifacts is on another host; not following it"));
    }
  }
  // Newest first: RFC 3339 UTC times sort as text.
  std::stable_sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    return a.created_at != b.created_at ? a.created_at > b.created_at : a.id > b.id;
  });
  int checked = 0;
  for (const Candidate& c : candidates) {
    if (c.id <= 0 || c.run_id <= 0) continue;
    if (++checked > k_max_runs_checked) break;
    auto r = call(what + ": reading workflow run " + std::to_string(c.run_id),
                  request("GET", "/repos/" + m_repository + "/actions/runs/" + std::to_string(c.run_id)));
    if (!r) return R::failure(r.error());
    simdjson::dom::parser parser;
    simdjson::dom::element run;
    if (parser.parse(r->body).get(run)) return R::failure(what + ": GitHub's answer for the run is not JSON");
    if (get_string(run, "status") != "completed" || get_string(run, "conclusion") != "success") continue;

    auto zip = download_artifact(c.id, query);
    if (!zip) return R::failure(what + ": " + zip.error());
    if (c.digest.rfind("sha256:", 0) == 0) {
      const std::string have = to_hex(Sha256::of(*zip));
      if (have != c.digest.substr(7)) {
        return R::failure(what + ": artifact " + std::to_string(c.id) + " does not match its digest (" +
                          printable(c.digest) + ", downloaded sha256:" + have + ")");
      }
    }
    auto content = read_zip_entry(*zip, query.file_name, query.zip_limits);
    if (!content) return R::failure(what + ": artifact " + std::to_string(c.id) + ": " + content.error());
    BaselineArtifact b;
    b.artifact_id = c.id;
    b.run_id = c.run_id;
    b.created_at = c.created_at;
    b.head_sha = c.head_sha;
    b.content = std::move(*content);
    return b;
  }
  return R::failure(what + ": none found from a successful run (" + std::to_string(seen) + " artifacts listed, " +
                    std::to_string(candidates.size()) + " unexpired on that branch)");
}

}  // namespace treeprint
