"""A small stateful stand-in for the Gitea and GitLab REST calls treeprint makes, for the contract tests and the
end-to-end tests, behind `prism proxy --errors` with each forge's own description (forges/gitea-subset.json and
forges/forgejo-subset.json in front of the same /api/v1 routes, forges/gitlab-subset.json): Prism checks every
request before it gets here and every answer given here. What the
descriptions do not say (paging headers, nested artifact paths, the OAuth-style 403) the tests read from this fake's
record of the requests.

Gitea, under /api/v1 (Authorization: "token X" or "Bearer X"):
  GET /user; GET, POST /repos/{o}/{r}/issues/{n}/comments (paged by `page`/`limit` when `limit` is given, with
  `Link` and `X-Total-Count`); PATCH /repos/{o}/{r}/issues/comments/{id}; POST /repos/{o}/{r}/statuses/{sha}.
GitLab, under /api/v4 (PRIVATE-TOKEN, or JOB-TOKEN: a job token may only read artifacts):
  GET /user; GET, POST /projects/{id}/merge_requests/{iid}/notes (paged by `page`/`per_page`, `X-Next-Page`);
  PUT .../notes/{note_id}; POST /projects/{id}/statuses/{sha}; GET /projects/{id}/jobs/artifacts/{ref}/raw/{path}?job=.

Tokens are set through the control endpoint: {"tokens": {"T": {"id": 7, "login": "bot", "write": true}}}; a token
with "write": false is refused writes with 403, as a read-only token is; an unknown token gets 401.

Control (not through Prism):
  POST /_fake/reset; POST /_fake/state {"tokens", "job_tokens": [...], "comments": {n: [{"body", "author"}]},
  "artifacts": [{"ref", "job", "path", "content"}], "page_size": N}; GET /_fake/log (every API request, and the
  state: comments and statuses).
"""

import json
import re
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Fake:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with self.lock:
            self.tokens = {}
            self.job_tokens = set()
            self.comments = {}  # issue/MR number -> [{"id", "body", "author": user id}]
            self.statuses = []
            self.artifacts = {}
            self.page_size = 20
            self.log = []
            self.next_id = 100

    def user(self, uid):
        for t in self.tokens.values():
            if t["id"] == uid:
                return t
        return {"id": uid, "login": "someone-%d" % uid}

    def add_comment(self, number, body, author):
        self.next_id += 1
        c = {"id": self.next_id, "body": body, "author": author}
        self.comments.setdefault(str(number), []).append(c)
        return c


def gitea_comment(fake, c):
    u = fake.user(c["author"])
    return {"id": c["id"], "body": c["body"], "user": {"id": u["id"], "login": u["login"]},
            "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z",
            "html_url": "http://gitea.test/o/r/pulls/1#issuecomment-%d" % c["id"]}


def gitlab_note(fake, c):
    u = fake.user(c["author"])
    return {"id": c["id"], "body": c["body"], "system": c.get("system", False),
            "author": {"id": u["id"], "username": u["login"]}, "noteable_type": "MergeRequest"}


def make_handler(fake):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def send(self, status, body=None, headers=None, raw=None):
            data = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
            self.send_response(status)
            if raw is None:
                self.send_header("Content-Type", "application/json")
            else:
                self.send_header("Content-Type", "application/octet-stream")
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def body(self):
            n = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(n) if n else b""

        def handle_any(self, method):
            url = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(url.query))
            raw = self.body()
            if url.path.startswith("/_fake/"):
                return self.control(method, url.path, raw)
            with fake.lock:
                fake.log.append({"method": method, "path": self.path, "headers": dict(self.headers.items()),
                                 "body": raw.decode("utf-8", "replace")})
            data = json.loads(raw) if raw and self.headers.get("Content-Type", "").startswith("application/json") \
                else None
            if url.path.startswith("/api/v1/"):
                return self.gitea(method, url.path[len("/api/v1"):], query, data)
            if url.path.startswith("/api/v4/"):
                return self.gitlab(method, url.path[len("/api/v4"):], query, data)
            return self.send(404, {"message": "Not Found"})

        def control(self, method, path, raw):
            if path == "/_fake/reset":
                fake.reset()
                return self.send(200, {})
            if path == "/_fake/state" and method == "POST":
                s = json.loads(raw or b"{}")
                with fake.lock:
                    fake.tokens.update(s.get("tokens", {}))
                    fake.job_tokens.update(s.get("job_tokens", []))
                    fake.page_size = s.get("page_size", fake.page_size)
                    for n, cs in s.get("comments", {}).items():
                        for c in cs:
                            fake.add_comment(n, c["body"], c["author"])
                            fake.comments[str(n)][-1]["system"] = c.get("system", False)
                    for a in s.get("artifacts", []):
                        fake.artifacts[(a["ref"], a["job"], a["path"])] = a["content"].encode()
                return self.send(200, {})
            if path == "/_fake/log":
                with fake.lock:
                    return self.send(200, {"api": fake.log, "comments": fake.comments, "statuses": fake.statuses})
            return self.send(404, {})

        # --- Gitea ---
        def gitea_token(self):
            a = self.headers.get("Authorization", "")
            m = re.match(r"(?i)(token|bearer) (.+)$", a)
            return fake.tokens.get(m.group(2)) if m else None

        def gitea(self, method, path, query, data):
            who = self.gitea_token()
            if who is None:
                return self.send(401, {"message": "token is required", "url": "http://gitea.test/api/swagger"})
            write = method != "GET"
            if write and not who.get("write", True):
                return self.send(403, {"message": "token does not have at least one of required scope(s): "
                                                  "[write:issue]", "url": "http://gitea.test/api/swagger"})
            if path == "/user" and method == "GET":
                return self.send(200, {"id": who["id"], "login": who["login"], "email": who["login"] + "@gitea.test"})
            m = re.match(r"^/repos/([^/]+)/([^/]+)/issues/(\d+)/comments$", path)
            if m and method == "GET":
                all_ = [gitea_comment(fake, c) for c in fake.comments.get(m.group(3), [])]
                if "limit" not in query:
                    return self.send(200, all_, {"X-Total-Count": str(len(all_))})
                limit, page = int(query["limit"]), int(query.get("page", "1"))
                chunk = all_[(page - 1) * limit:page * limit]
                headers = {"X-Total-Count": str(len(all_))}
                if page * limit < len(all_):
                    base = "http://%s/api/v1%s" % (self.headers["Host"], path)
                    headers["Link"] = '<%s?page=%d&limit=%d>; rel="next"' % (base, page + 1, limit)
                return self.send(200, chunk, headers)
            if m and method == "POST":
                with fake.lock:
                    c = fake.add_comment(m.group(3), data["body"], who["id"])
                return self.send(201, gitea_comment(fake, c))
            m = re.match(r"^/repos/([^/]+)/([^/]+)/issues/comments/(\d+)$", path)
            if m and method == "PATCH":
                for cs in fake.comments.values():
                    for c in cs:
                        if c["id"] == int(m.group(3)):
                            if c["author"] != who["id"]:
                                return self.send(403, {"message": "not the author", "url": ""})
                            c["body"] = data["body"]
                            return self.send(200, gitea_comment(fake, c))
                return self.send(404, {"message": "comment not found", "url": ""})
            m = re.match(r"^/repos/([^/]+)/([^/]+)/statuses/([^/]+)$", path)
            if m and method == "POST":
                with fake.lock:
                    fake.next_id += 1
                    st = dict(data, id=fake.next_id, sha=m.group(3))
                    fake.statuses.append(st)
                return self.send(201, {"id": st["id"], "status": st["state"], "context": st.get("context", ""),
                                       "description": st.get("description", ""), "target_url": st.get("target_url", "")})
            return self.send(404, {"message": "Not Found", "url": ""})

        # --- GitLab ---
        def gitlab(self, method, path, query, data):
            job = self.headers.get("JOB-TOKEN")
            private = self.headers.get("PRIVATE-TOKEN")
            bearer = re.match(r"Bearer (.+)$", self.headers.get("Authorization", ""))
            if private is None and bearer:
                private = bearer.group(1)  # GitLab takes an access token either way
            m = re.match(r"^/projects/([^/]+)/jobs/artifacts/([^/]+)/raw/(.+)$", path)
            if job is not None:
                if job not in fake.job_tokens:
                    return self.send(401, {"message": "401 Unauthorized"})
                if not (m and method == "GET"):
                    return self.send(403, {"message": "403 Forbidden"})
                who = None
            else:
                who = fake.tokens.get(private)
                if who is None:
                    return self.send(401, {"message": "401 Unauthorized"})
                if method != "GET" and not who.get("write", True):
                    return self.send(403, {"error": "insufficient_scope",
                                           "error_description": "The request requires higher privileges than "
                                                                "provided by the access token.", "scope": "api"})
            if m and method == "GET":
                key = (urllib.parse.unquote(m.group(2)), query.get("job", ""), urllib.parse.unquote(m.group(3)))
                content = fake.artifacts.get(key)
                if content is None:
                    return self.send(404, {"message": "404 Not found"})
                return self.send(200, raw=content)
            if path == "/user" and method == "GET":
                return self.send(200, {"id": who["id"], "username": who["login"], "bot": True})
            m = re.match(r"^/projects/([^/]+)/merge_requests/(\d+)/notes$", path)
            if m and method == "GET":
                notes = [gitlab_note(fake, c) for c in fake.comments.get(m.group(2), [])]
                per_page = min(int(query.get("per_page", "20")), fake.page_size)
                page = int(query.get("page", "1"))
                chunk = notes[(page - 1) * per_page:page * per_page]
                more = page * per_page < len(notes)
                return self.send(200, chunk, {"X-Next-Page": str(page + 1) if more else "", "X-Page": str(page),
                                              "X-Total": str(len(notes))})
            if m and method == "POST":
                with fake.lock:
                    c = fake.add_comment(m.group(2), data["body"], who["id"])
                return self.send(201, gitlab_note(fake, c))
            m = re.match(r"^/projects/([^/]+)/merge_requests/(\d+)/notes/(\d+)$", path)
            if m and method == "PUT":
                for c in fake.comments.get(m.group(2), []):
                    if c["id"] == int(m.group(3)):
                        if c["author"] != who["id"]:
                            return self.send(403, {"message": "403 Forbidden"})
                        c["body"] = data["body"]
                        return self.send(200, gitlab_note(fake, c))
                return self.send(404, {"message": "404 Note Not Found"})
            m = re.match(r"^/projects/([^/]+)/statuses/([^/]+)$", path)
            if m and method == "POST":
                if data.get("state") not in ("pending", "running", "success", "failed", "canceled", "skipped"):
                    return self.send(400, {"message": {"state": ["does not have a valid value"]}})
                with fake.lock:
                    fake.next_id += 1
                    st = dict(data, id=fake.next_id, sha=m.group(2), project=urllib.parse.unquote(m.group(1)))
                    fake.statuses.append(st)
                # As GitLab answers (201, an APIEntitiesCommitStatus): what was set, and GitLab's defaults.
                answer = {"id": st["id"], "sha": st["sha"], "ref": st.get("ref", "main"), "status": st["state"],
                          "name": st.get("name") or st.get("context") or "default", "pipeline_id":
                          st.get("pipeline_id", 1), "allow_failure": False, "created_at": "2026-01-01T00:00:00.000Z",
                          "author": {"id": who["id"], "username": who["login"]}}
                answer.update({k: st[k] for k in ("description", "target_url") if k in st})
                return self.send(201, answer)
            return self.send(404, {"message": "404 Not Found"})

        def do_GET(self):
            self.handle_any("GET")

        def do_POST(self):
            self.handle_any("POST")

        def do_PUT(self):
            self.handle_any("PUT")

        def do_PATCH(self):
            self.handle_any("PATCH")

    return Handler


def start():
    fake = Fake()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(fake))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return fake, server
