#include "publish/gitlab_api.h"

#include <simdjson.h>

#include "publish/rest_json.h"
#include "util/format.h"
#include "util/json.h"
#include "util/text.h"

namespace treeprint {
namespace {

constexpr int k_max_pages = 50;  // 5,000 notes: far more than any real merge request
constexpr const char* k_truncated_note = "\n\n*(cut: longer than GitLab allows)*";

/// A path inside the artifacts, each segment encoded, the slashes kept (GitLab's `*artifact_path`).
std::string encode_path(const std::string& path) {
  std::string out;
  size_t start = 0;
  while (start <= path.size()) {
    const size_t slash = path.find('/', start);
    const size_t end = slash == std::string::npos ? path.size() : slash;
    if (end > start) {
      if (!out.empty()) out.push_back('/');
      out += url_encode(std::string_view(path).substr(start, end - start));
    }
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return out;
}

}  // namespace

GitLabApi::GitLabApi(HttpClient& http, std::string api_url, std::string token, GitLabTokenKind kind,
                     std::string project)
    : m_http(http), m_api_url(std::move(api_url)), m_token(std::move(token)), m_kind(kind),
      m_project(std::move(project)) {
  while (!m_api_url.empty() && m_api_url.back() == '/') m_api_url.pop_back();
  m_http.add_secret(m_token);
}

std::string GitLabApi::url(const std::string& path) const {
  return m_api_url + "/projects/" + url_encode(m_project) + path;
}

HttpRequest GitLabApi::request(std::string method, const std::string& url, std::string body) const {
  HttpRequest r;
  r.method = std::move(method);
  r.url = url;
  r.headers = {{"Accept", "application/json"}};
  if (!m_token.empty()) {
    if (m_kind == GitLabTokenKind::job) {
      r.headers.emplace_back("JOB-TOKEN", m_token);
    } else {
      r.headers.emplace_back("Authorization", "Bearer " + m_token);  // GitLab takes access tokens as OAuth does
    }
  }
  if (r.method != "GET" && r.method != "HEAD") r.headers.emplace_back("Content-Type", "application/json");
  r.body = std::move(body);
  return r;
}

std::optional<std::string> GitLabApi::refuse_job_token(const std::string& what) const {
  if (m_kind != GitLabTokenKind::job) return std::nullopt;
  return what +
         ": CI_JOB_TOKEN cannot do this (GitLab lets a job token read artifacts, not write notes or statuses); "
         "give a project access token with the `api` scope in a masked variable as the `token` input";
}

Result<HttpResponse> GitLabApi::call(const std::string& what, const HttpRequest& req) {
  if (m_project.empty()) return Result<HttpResponse>::failure(what + ": no project (CI_PROJECT_ID is not set)");
  auto r = m_http.send(req);
  if (!r) return Result<HttpResponse>::failure(m_http.redact(what + ": " + r.error()));
  if (r->status / 100 == 2) return r;
  std::string msg = what + ": HTTP " + std::to_string(r->status);
  const std::string text = forge_error_text(r->body);
  if (!text.empty()) msg += ": " + text;
  if (r->status == 401) {
    msg += " (the token was refused: expired, revoked, or not a GitLab token)";
  } else if (r->status == 403) {
    msg += " (the token may not do this: it needs the `api` scope, and the Reporter role for a note or Developer for "
           "a status)";
  } else if (r->status == 404) {
    msg += " (not found, or the token cannot see it)";
  }
  return Result<HttpResponse>::failure(m_http.redact(msg));
}

Result<int64_t> GitLabApi::token_user_id() {
  using R = Result<int64_t>;
  const std::string what = "asking who the token belongs to (GET /user)";
  if (m_user_id != 0) return m_user_id;
  if (auto no = refuse_job_token(what)) return R::failure(*no);
  auto r = call(what, request("GET", m_api_url + "/user"));
  if (!r) return R::failure(r.error());
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(r->body).get(doc) || (m_user_id = json_int(doc, "id")) <= 0) {
    m_user_id = 0;
    return R::failure(what + ": GitLab's answer has no user id");
  }
  return m_user_id;
}

Result<StickyComment> GitLabApi::upsert_merge_request_note(int64_t iid, const std::string& key,
                                                           const std::string& text) {
  using R = Result<StickyComment>;
  const std::string what = "updating the note on merge request !" + std::to_string(iid);
  if (auto no = refuse_job_token(what)) return R::failure(*no);
  const std::string marker = sticky_marker(key);
  const std::string notes = url("/merge_requests/" + std::to_string(iid) + "/notes");
  // Only a note the token's own user wrote is ours to update: the marker is predictable. Without the user's id no
  // note can be told to be ours, so the search would only count foreign ones: then nothing is posted at all, rather
  // than a new note on every push.
  auto user = token_user_id();
  if (!user) return R::failure(what + ": " + user.error());
  StickySearch search{marker, std::to_string(*user)};
  std::string next = "1";
  for (int page = 0; !next.empty() && search.found == 0; ++page) {
    if (page == k_max_pages) return R::failure(what + ": more than " + std::to_string(k_max_pages) + " pages of notes");
    auto r = call(what + ": listing notes", request("GET", notes + "?per_page=100&page=" + url_encode(next)));
    if (!r) return R::failure(r.error());
    simdjson::dom::parser parser;
    simdjson::dom::array list;
    if (parser.parse(r->body).get_array().get(list)) {
      return R::failure(what + ": listing notes: GitLab's answer is not a list of notes");
    }
    for (simdjson::dom::element n : list) {
      bool system = false;
      if (!n["system"].get_bool().get(system) && system) continue;  // GitLab's own "added 1 commit" notes
      const std::string body = json_string(n, "body");
      simdjson::dom::element author;
      std::optional<std::string> author_id;
      if (!n["author"].get(author) && json_int(author, "id") > 0) author_id = std::to_string(json_int(author, "id"));
      if (search.consider({json_int(n, "id"), body, author_id})) break;
    }
    // GitLab says the next page in X-Next-Page (empty on the last); the URL is built here, on the same API.
    const std::string* header = r->header("X-Next-Page");
    next = header ? *header : "";
    if (next.find_first_not_of("0123456789") != std::string::npos) next.clear();
  }
  StickyComment result;
  result.foreign_markers = search.foreign;
  JsonWriter note;
  note.begin_object().field("body", sticky_body(text, marker, k_gitlab_note_max, k_truncated_note));
  std::string body = note.end_object().take();
  if (search.found != 0) {
    auto r = call(what, request("PUT", notes + "/" + std::to_string(search.found), std::move(body)));
    if (!r) return R::failure(r.error());
    result.id = search.found;
    return result;
  }
  auto r = call(what + ": creating it", request("POST", notes, std::move(body)));
  if (!r) return R::failure(r.error());
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(r->body).get(doc) || (result.id = json_int(doc, "id")) <= 0) {
    return R::failure(what + ": GitLab's answer has no note id");
  }
  result.created = true;
  return result;
}

Status GitLabApi::create_commit_status(const GitLabStatus& status) {
  const std::string what = "setting commit status '" + printable(status.name) + "'";
  if (auto no = refuse_job_token(what)) return Status::failure(*no);
  JsonWriter w;
  w.begin_object().field("state", utf8_replacing_invalid(status.state));
  if (!status.name.empty()) w.field("name", utf8_replacing_invalid(status.name));
  if (!status.ref.empty()) w.field("ref", utf8_replacing_invalid(status.ref));
  if (!status.description.empty()) {
    w.field("description",
            truncate_utf8(utf8_replacing_invalid(status.description), k_gitlab_status_description_max, "..."));
  }
  if (!status.target_url.empty()) w.field("target_url", utf8_replacing_invalid(status.target_url));
  if (status.pipeline_id > 0) w.field("pipeline_id", int64_t{status.pipeline_id});
  std::string body = w.end_object().take();
  HttpRequest req = request("POST", url("/statuses/" + url_encode(status.sha)), std::move(body));
  req.idempotent = true;  // setting the same status twice changes nothing
  auto r = call(what, req);
  if (!r) return Status::failure(r.error());
  return ok_status();
}

Result<GitLabBaseline> GitLabApi::fetch_baseline(const GitLabBaselineQuery& query) {
  using R = Result<GitLabBaseline>;
  const std::string what = "reading '" + printable(query.artifact_path) + "' from job '" + printable(query.job) +
                           "' of the last successful pipeline on '" + printable(query.ref) + "'";
  if (query.ref.empty() || query.job.empty() || query.artifact_path.empty()) {
    return R::failure(what + ": needs a branch, a job name (CI_JOB_NAME) and the manifest's path");
  }
  // GitLab may answer with a redirect to object storage: the client follows it without the token.
  HttpRequest req = request("GET", url("/jobs/artifacts/" + url_encode(query.ref) + "/raw/" +
                                       encode_path(query.artifact_path) + "?job=" + url_encode(query.job)));
  req.max_body = query.max_download;
  auto r = call(what, req);
  if (!r) return R::failure(r.error());
  GitLabBaseline b;
  b.content = std::move(r->body);
  b.url = req.url.substr(0, req.url.find('?'));
  return b;
}

}  // namespace treeprint
