#include "publish/github_api.h"

#include <simdjson.h>

#include <algorithm>
#include <cctype>

#include "manifest/path_encoding.h"
#include "publish/rest_json.h"
#include "util/format.h"
#include "util/json.h"
#include "util/sha256.h"
#include "util/text.h"

namespace treeprint {
namespace {

constexpr int k_max_pages = 50;         // 5,000 comments or artifacts: far more than any real pull request
constexpr int k_max_runs_checked = 20;  // candidate artifacts whose run is looked up
constexpr const char* k_truncated_note = "\n\n*(cut: longer than GitHub allows)*";

// The JSON helpers and the error text are shared with the other forges (publish/rest_json.h).
// A text field: GitHub takes UTF-8 only, so anything else is repaired first.
void add_string(JsonWriter& out, std::string_view key, std::string_view value) {
  out.field(key, utf8_replacing_invalid(value));
}
std::string get_string(simdjson::dom::element e, const char* key) { return json_string(e, key); }
int64_t get_int(simdjson::dom::element e, const char* key) { return json_int(e, key); }
std::string github_message(const std::string& body) { return forge_error_text(body); }

void annotation_json(JsonWriter& out, const CheckAnnotation& a) {
  out.begin_object();
  add_string(out, "path", a.path);
  out.field("start_line", int64_t{a.start_line});
  out.field("end_line", int64_t{std::max(a.end_line, a.start_line)});
  add_string(out, "annotation_level", a.level);
  add_string(out, "message", truncate_utf8(utf8_replacing_invalid(a.message), k_annotation_message_max, "..."));
  if (!a.title.empty())
    add_string(out, "title", truncate_utf8(utf8_replacing_invalid(a.title), k_annotation_title_max, "..."));
  out.end_object();
}

/// The "output" object of a check run, with annotations [from, to).
void output_json(JsonWriter& out, const CheckRun& run, size_t from, size_t to) {
  out.begin_object();
  add_string(out, "title", run.title.empty() ? run.name : run.title);
  // GitHub counts characters: a text built to fit (build_job_summary with max_characters) passes unchanged; anything
  // longer is cut, a last resort that may end inside a Markdown block.
  add_string(out, "summary", truncate_utf16(utf8_replacing_invalid(run.summary), k_check_output_max, k_truncated_note));
  if (!run.text.empty())
    add_string(out, "text", truncate_utf16(utf8_replacing_invalid(run.text), k_check_output_max, k_truncated_note));
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

size_t GitHubApi::comment_text_max(const std::string& key) {
  return k_comment_body_max - utf16_length(comment_marker(key)) - 1;  // the text, a line break, the marker
}

std::string GitHubApi::comment_marker(const std::string& key) { return sticky_marker(key); }

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

Result<HttpResponse> GitHubApi::call(const std::string& what, const HttpRequest& req, bool allow_redirect,
                                     int* status) {
  if (status != nullptr) *status = 0;
  if (!valid_repository(m_repository)) {
    return Result<HttpResponse>::failure(what + ": '" + printable(m_repository) +
                                         "' is not a repository name of the form owner/repo");
  }
  auto r = m_http.send(req);
  if (!r) return Result<HttpResponse>::failure(m_http.redact(what + ": " + r.error()));
  if (r->status / 100 == 2 || (allow_redirect && r->status / 100 == 3)) return r;
  if (status != nullptr) *status = r->status;
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
    return R::failure("creating check run '" + printable(run.name) + "': " + api_name() +
                      "'s answer has no check run id");
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
  const std::string body_text = sticky_body(text, marker, k_comment_body_max, k_truncated_note);
  const std::string what = "updating the comment on pull request #" + std::to_string(issue_number);

  // Only a comment the token itself wrote is ours to update: anyone can post one with the (predictable) marker.
  const auto login = token_login();
  StickyComment result;
  StickySearch search{marker, login ? std::optional<std::string>(*login) : std::nullopt};
  int64_t existing = 0;
  std::string url = "/repos/" + m_repository + "/issues/" + std::to_string(issue_number) + "/comments" +
                    (m_gitea ? "" : "?per_page=100");
  for (int page = 0; !url.empty() && existing == 0; ++page) {
    if (page == k_max_pages)
      return R::failure(what + ": more than " + std::to_string(k_max_pages) + " pages of comments");
    auto r = call(what + ": listing comments", request("GET", url));
    if (!r) return R::failure(r.error());
    simdjson::dom::parser parser;
    simdjson::dom::array comments;
    if (parser.parse(r->body).get_array().get(comments)) {
      return R::failure(what + ": listing comments: " + api_name() + "'s answer is not a list of comments");
    }
    for (simdjson::dom::element c : comments) {
      const std::string body = get_string(c, "body");
      simdjson::dom::element user;
      std::optional<std::string> author;
      if (!c["user"].get(user)) author = get_string(user, "login");
      if (search.consider({get_int(c, "id"), body, author})) break;
    }
    existing = search.found;
    const std::string* link = r->header("Link");
    url = link ? next_link(*link) : "";
    if (!url.empty() && !same_api_origin(url)) {
      return R::failure(m_http.redact(what + ": the next page of comments is on another host (" +
                                      printable(url.substr(0, url.find('?'))) + "); not sending the token there"));
    }
  }

  result.foreign_markers = search.foreign;
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
    return R::failure(what + ": " + api_name() + "'s answer has no comment id");
  }
  result.created = true;
  return result;
}

Result<std::string> GitHubApi::token_login() {
  using R = Result<std::string>;
  if (!m_login.empty()) return m_login;
  if (!m_gitea && m_token.rfind("ghs_", 0) == 0) return std::string(k_actions_bot_login);
  auto r = call("asking who the token belongs to (GET /user)", request("GET", "/user"));
  if (!r) return R::failure(r.error());
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::string login;
  if (parser.parse(r->body).get(doc) || (login = get_string(doc, "login")).empty()) {
    return R::failure("asking who the token belongs to (GET /user): " + api_name() + "'s answer has no login");
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
    add_string(json, "description",
               truncate_utf8(utf8_replacing_invalid(status.description), k_status_description_max, "..."));
  }
  if (!status.target_url.empty()) add_string(json, "target_url", status.target_url);
  std::string body = json.end_object().take();
  HttpRequest req = request("POST", "/repos/" + m_repository + "/statuses/" + url_encode(status.sha), std::move(body));
  req.idempotent = true;  // setting the same status twice changes nothing
  auto r = call("setting commit status '" + printable(status.context) + "'", req);
  if (!r) return Status::failure(r.error());
  return ok_status();
}

Result<std::string> GitHubApi::download_artifact(int64_t artifact_id, const BaselineQuery& query, int* status) {
  // Answers 302 to blob storage on another host: the client follows it without the Authorization header.
  HttpRequest req =
      request("GET", "/repos/" + m_repository + "/actions/artifacts/" + std::to_string(artifact_id) + "/zip");
  req.max_body = query.max_download;
  auto r = call("downloading artifact " + std::to_string(artifact_id), req, false, status);
  if (!r) return Result<std::string>::failure(r.error());
  return std::move(r->body);
}

std::optional<int64_t> parse_rfc3339(std::string_view t) {
  // YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)
  const auto digits = [&](size_t at, size_t n, int* out) {
    if (at + n > t.size()) return false;
    int v = 0;
    for (size_t i = at; i < at + n; ++i) {
      if (t[i] < '0' || t[i] > '9') return false;
      v = v * 10 + (t[i] - '0');
    }
    *out = v;
    return true;
  };
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!digits(0, 4, &y) || t.size() < 19 || t[4] != '-' || !digits(5, 2, &mo) || t[7] != '-' || !digits(8, 2, &d) ||
      (t[10] != 'T' && t[10] != 't' && t[10] != ' ') || !digits(11, 2, &h) || t[13] != ':' || !digits(14, 2, &mi) ||
      t[16] != ':' || !digits(17, 2, &sec)) {
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  size_t at = 19;
  if (at < t.size() && t[at] == '.') {
    ++at;
    const size_t from = at;
    while (at < t.size() && t[at] >= '0' && t[at] <= '9') ++at;
    if (at == from) return std::nullopt;
  }
  int64_t offset = 0;
  if (at < t.size() && (t[at] == 'Z' || t[at] == 'z')) {
    ++at;
  } else if (at < t.size() && (t[at] == '+' || t[at] == '-')) {
    int oh = 0, om = 0;
    if (!digits(at + 1, 2, &oh) || at + 3 >= t.size() || t[at + 3] != ':' || !digits(at + 4, 2, &om) || oh > 23 ||
        om > 59) {
      return std::nullopt;
    }
    offset = (t[at] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
    at += 6;
  } else {
    return std::nullopt;
  }
  if (at != t.size()) return std::nullopt;
  // Days from the civil date (proleptic Gregorian), after H. Hinnant's well-known formula.
  const int yy = y - (mo <= 2 ? 1 : 0);
  const int era = (yy >= 0 ? yy : yy - 399) / 400;
  const int yoe = yy - era * 400;
  const int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const int64_t days = static_cast<int64_t>(era) * 146097 + doe - 719468;
  return days * 86400 + h * 3600 + mi * 60 + sec - offset;
}

Result<MergeBase> GitHubApi::merge_base(const std::string& base, const std::string& head) {
  using R = Result<MergeBase>;
  const std::string what = "finding the merge base of " + printable(base.substr(0, 12)) + " and " +
                           printable(head.substr(0, 12)) + " (GET compare)";
  // One commit per page: the answer still carries merge_base_commit, without the list of up to 250 commits.
  auto r = call(what, request("GET", "/repos/" + m_repository + "/compare/" + url_encode(base) + "..." +
                                         url_encode(head) + "?per_page=1"));
  if (!r) return R::failure(r.error());
  simdjson::dom::parser parser;
  simdjson::dom::element doc, commit;
  MergeBase mb;
  if (parser.parse(r->body).get(doc) || doc["merge_base_commit"].get(commit) ||
      (mb.sha = get_string(commit, "sha")).empty()) {
    return R::failure(what + ": " + api_name() + "'s answer has no merge_base_commit");
  }
  std::string_view date;
  if (!commit["commit"]["committer"]["date"].get_string().get(date)) mb.committed_at = std::string(date);
  return mb;
}

Result<BaselineArtifact> GitHubApi::find_baseline(const BaselineQuery& query) {
  using R = Result<BaselineArtifact>;
  const std::string what = "looking for the baseline artifact '" + printable(query.artifact_name) + "' on branch '" +
                           printable(query.branch) + "'";
  std::vector<std::string> notes;
  const auto failure = [&](const std::string& message) {
    std::string text = message;
    for (const std::string& n : notes) text += "; " + n;
    return R::failure(text);
  };

  // The commit whose run is wanted first, and for a pull request the newest commit time a fallback may have.
  std::string wanted = query.commit;
  std::string wanted_is = "the commit before the push";
  std::optional<int64_t> no_newer_than;
  if (!query.pull_base_sha.empty() && !query.pull_head_sha.empty()) {
    auto mb = merge_base(query.pull_base_sha, query.pull_head_sha);
    if (mb) {
      wanted = mb->sha;
      wanted_is = "the merge base";
      no_newer_than = parse_rfc3339(mb->committed_at);
    } else {
      wanted.clear();
      notes.push_back("the merge base is unknown (" + mb.error() + "): comparing with the newest successful run on '" +
                      printable(query.branch) + "'");
    }
  }
  const std::string wanted_short = printable(wanted.substr(0, 12));

  struct Candidate {
    int64_t id = 0;
    int64_t run_id = 0;
    std::string created_at;
    std::string head_sha;
    std::string digest;
    bool on_branch = false;
  };
  std::vector<Candidate> candidates;
  size_t seen = 0, wanted_expired = 0;
  std::string url =
      "/repos/" + m_repository + "/actions/artifacts?name=" + url_encode(query.artifact_name) + "&per_page=100";
  for (int page = 0; !url.empty(); ++page) {
    if (page == k_max_pages) break;
    auto r = call(what, request("GET", url));
    if (!r) return failure(r.error());
    simdjson::dom::parser parser;
    simdjson::dom::array artifacts;
    if (parser.parse(r->body)["artifacts"].get_array().get(artifacts)) {
      return failure(what + ": " + api_name() + "'s answer has no list of artifacts");
    }
    for (simdjson::dom::element a : artifacts) {
      ++seen;
      bool expired = true;
      simdjson::dom::element run;
      if (get_string(a, "name") != query.artifact_name || a["workflow_run"].get(run)) continue;
      // A fork's pull-request run wrote its artifact with the fork's code: never a baseline.
      const int64_t repo_id = get_int(run, "repository_id");
      const int64_t head_repo_id = get_int(run, "head_repository_id");
      if (repo_id != 0 && head_repo_id != 0 && repo_id != head_repo_id) continue;
      Candidate c{get_int(a, "id"),
                  get_int(run, "id"),
                  get_string(a, "created_at"),
                  get_string(run, "head_sha"),
                  get_string(a, "digest"),
                  get_string(run, "head_branch") == query.branch};
      if (c.run_id == query.current_run_id && c.run_id != 0) continue;
      const bool is_wanted = !wanted.empty() && c.head_sha == wanted;
      if (a["expired"].get_bool().get(expired) || expired) {
        if (is_wanted) ++wanted_expired;
        continue;
      }
      if (is_wanted || c.on_branch) candidates.push_back(std::move(c));
    }
    const std::string* link = r->header("Link");
    url = link ? next_link(*link) : "";
    if (!url.empty() && !same_api_origin(url)) {
      return failure(m_http.redact(what + ": the next page of artifacts is on another host; not following it"));
    }
  }
  // The wanted commit's artifacts first, then the branch's; each newest first (RFC 3339 UTC times sort as text).
  std::stable_sort(candidates.begin(), candidates.end(), [&](const Candidate& a, const Candidate& b) {
    const bool aw = !wanted.empty() && a.head_sha == wanted, bw = !wanted.empty() && b.head_sha == wanted;
    if (aw != bw) return aw;
    return a.created_at != b.created_at ? a.created_at > b.created_at : a.id > b.id;
  });
  int checked = 0;
  bool wanted_said = wanted.empty();  // a failed compare call was said above
  const auto say_wanted_missing = [&] {
    if (wanted_said) return;
    wanted_said = true;
    std::string why = "no successful run of " + wanted_is + " " + wanted_short + " with an unexpired artifact";
    if (wanted_expired != 0) why += " (" + std::to_string(wanted_expired) + " expired)";
    notes.push_back(why + ": comparing with the newest successful run on '" + printable(query.branch) + "'" +
                    (no_newer_than ? " no newer than it" : ""));
  };
  for (const Candidate& c : candidates) {
    if (c.id <= 0 || c.run_id <= 0) continue;
    const bool is_wanted = !wanted.empty() && c.head_sha == wanted;
    if (!is_wanted) say_wanted_missing();
    if (++checked > k_max_runs_checked) break;
    auto r = call(what + ": reading workflow run " + std::to_string(c.run_id),
                  request("GET", "/repos/" + m_repository + "/actions/runs/" + std::to_string(c.run_id)));
    if (!r) return failure(r.error());
    simdjson::dom::parser parser;
    simdjson::dom::element run;
    if (parser.parse(r->body).get(run)) {
      return failure(what + ": " + api_name() + "'s answer for the run is not JSON");
    }
    if (get_string(run, "status") != "completed" || get_string(run, "conclusion") != "success") continue;
    if (!is_wanted && no_newer_than) {
      // A base-branch run of a commit made after the merge base would show its changes as the pull request's.
      std::string when;
      simdjson::dom::element head;
      if (!run["head_commit"].get(head) && head.is_object()) when = get_string(head, "timestamp");
      if (when.empty()) when = get_string(run, "created_at");
      const auto t = parse_rfc3339(when);
      if (!t || *t > *no_newer_than) continue;
    }

    int status = 0;
    auto zip = download_artifact(c.id, query, &status);
    if (!zip && status == 410) {  // expired since it was listed
      notes.push_back("artifact " + std::to_string(c.id) + " of run " + std::to_string(c.run_id) +
                      " has expired: taking the next");
      continue;
    }
    if (!zip) return failure(what + ": " + zip.error());
    if (c.digest.rfind("sha256:", 0) == 0) {
      const std::string have = to_hex(Sha256::of(*zip));
      if (have != c.digest.substr(7)) {
        return failure(what + ": artifact " + std::to_string(c.id) + " does not match its digest (" +
                       printable(c.digest) + ", downloaded sha256:" + have + ")");
      }
    }
    BaselineArtifact b;
    Status content = ok_status();
    if (query.content_sink) {
      content = read_zip_entry_to(*zip, query.file_name, query.zip_limits, query.content_sink);
    } else if (auto inflated = read_zip_entry(*zip, query.file_name, query.zip_limits)) {
      b.content = std::move(*inflated);
    } else {
      content = Status::failure(inflated.error());
    }
    std::string().swap(*zip);  // the archive is not kept beside its inflated entry while that is parsed
    if (!content) return failure(what + ": artifact " + std::to_string(c.id) + ": " + content.error());
    b.artifact_id = c.id;
    b.run_id = c.run_id;
    b.created_at = c.created_at;
    b.head_sha = c.head_sha;
    b.chosen = is_wanted ? "the run of " + wanted_is
                         : "the newest successful run on '" + printable(query.branch) + "'" +
                               (no_newer_than ? " no newer than the merge base" : "");
    b.notes = std::move(notes);
    return b;
  }
  say_wanted_missing();
  return failure(what + ": none found from a successful run (" + std::to_string(seen) + " artifacts listed, " +
                 std::to_string(candidates.size()) + " unexpired on that branch)");
}

}  // namespace treeprint
