"""A small programmable stand-in for the GitHub REST API, put behind `prism proxy --errors` by the contract tests.

Prism checks every request against GitHub's OpenAPI description and every answer of ours too, so the answers here
are built from the examples in that description (github-subset.json), with the fields a test cares about replaced.

Control endpoints (called by the tests directly, not through Prism):
  POST /_fake/reset                    forget state and scripts
  POST /_fake/script  {"method", "path", "responses": [{"status", "headers", "body", "delay", "drop"}]}
                      the next requests to METHOD PATH get these answers, in turn ("drop": close without a word;
                      "delay": seconds to wait first); then the normal behaviour resumes
  POST /_fake/state   {"comments": {issue: [body or {"body": ..., "login": ...}]}, "artifacts": [...],
                       "runs": {id: conclusion or {"conclusion", "head_sha", "timestamp"}}, "zip": base64,
                       "gone": [artifact ids whose download answers 410], "merge_bases": {"base...head": [sha, date]}}
                      (a comparison not in merge_bases answers 404)
  GET  /_fake/log     every API request seen: method, path, headers, body
  GET  /blob/...      (on the second, "blob storage" port) the artifact zip; records whether Authorization came
"""

import base64
import copy
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


ACTIONS_BOT = "github-actions[bot]"  # whom a workflow's GITHUB_TOKEN (an installation token, ghs_) acts as
USER_LOGIN = "octo-user"  # whom any other token acts as (GET /user)


def spec_example(spec, path, method, status):
    content = spec["paths"][path][method]["responses"][str(status)]["content"]["application/json"]
    if "example" in content:
        return copy.deepcopy(content["example"])
    return copy.deepcopy(next(iter(content["examples"].values()))["value"])


class Fake:
    def __init__(self, spec, public_url):
        self.spec = spec
        self.public_url = public_url  # where clients reach us (the Prism proxy), for Link headers
        self.blob_url = None
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with self.lock:
            self.scripts = {}
            self.log = []
            self.blob_log = []
            self.comments = {}  # issue number -> list of comment dicts
            self.next_id = 1000
            self.artifacts = []
            self.runs = {}
            self.zip = b""
            self.gone = set()
            self.merge_bases = {}

    def comment(self, issue, body, login=ACTIONS_BOT):
        c = spec_example(self.spec, "/repos/{owner}/{repo}/issues/{issue_number}/comments", "post", 201)
        self.next_id += 1
        c["id"] = self.next_id
        c["body"] = body
        c["user"]["login"] = login
        c["issue_url"] = "https://api.github.com/repos/o/r/issues/%d" % issue
        return c


def make_handler(fake, blob=False):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def send(self, status, body=None, headers=None, content_type="application/json"):
            data = b"" if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
            self.send_response(status)
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            if body is not None:
                self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(data)
            self.close_connection = True

        def read_body(self):
            n = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(n) if n else b""

        def handle_any(self):
            path, _, query = self.path.partition("?")
            raw = self.read_body()
            if blob:
                with fake.lock:
                    fake.blob_log.append({"path": path, "authorization": self.headers.get("Authorization")})
                    data = fake.zip
                return self.send(200, data, content_type="application/zip")
            if path.startswith("/_fake/"):
                return self.control(path, raw)
            with fake.lock:
                fake.log.append({"method": self.command, "path": self.path, "headers": dict(self.headers.items()),
                                 "body": raw.decode("utf-8", "replace")})
                script = fake.scripts.get((self.command, path))
                step = script.pop(0) if script else None
            if step is not None:
                if step.get("delay"):
                    time.sleep(step["delay"])
                if step.get("drop"):
                    self.close_connection = True
                    self.connection.close()
                    return None
                return self.send(step.get("status", 200), step.get("body", {"message": "scripted"}),
                                 step.get("headers"))
            return self.api(path, query, raw)

        def control(self, path, raw):
            data = json.loads(raw or b"{}")
            if path == "/_fake/reset":
                fake.reset()
            elif path == "/_fake/script":
                with fake.lock:
                    fake.scripts[(data["method"], data["path"])] = list(data["responses"])
            elif path == "/_fake/state":
                with fake.lock:
                    for issue, bodies in data.get("comments", {}).items():
                        fake.comments[int(issue)] = [
                            fake.comment(int(issue), b) if isinstance(b, str) else
                            fake.comment(int(issue), b["body"], b.get("login", ACTIONS_BOT)) for b in bodies]
                    fake.artifacts = data.get("artifacts", fake.artifacts)
                    fake.runs = {int(k): v for k, v in data.get("runs", {}).items()}
                    if "zip" in data:
                        fake.zip = base64.b64decode(data["zip"])
                    fake.gone = set(data.get("gone", fake.gone))
                    fake.merge_bases = data.get("merge_bases", fake.merge_bases)
            elif path == "/_fake/log":
                with fake.lock:
                    return self.send(200, {"api": fake.log, "blob": fake.blob_log})
            else:
                return self.send(404, {"message": "no such control endpoint"})
            return self.send(200, {})

        def api(self, path, query, raw):
            spec = fake.spec
            params = dict(p.split("=", 1) for p in query.split("&") if "=" in p)
            if path == "/user" and self.command == "GET":
                user = spec_example(spec, "/user", "get", 200)
                user["login"] = USER_LOGIN
                return self.send(200, user)
            m = re.fullmatch(r"/repos/([^/]+)/([^/]+)(/.*)", path)
            if not m:
                return self.send(404, {"message": "Not Found"})
            rest = m.group(3)
            body = json.loads(raw) if raw else {}
            if self.command == "POST" and rest == "/check-runs":
                run = spec_example(spec, "/repos/{owner}/{repo}/check-runs", "post", 201)
                with fake.lock:
                    fake.next_id += 1
                    run["id"] = fake.next_id
                run["name"] = body.get("name", run["name"])
                run["head_sha"] = body.get("head_sha", run["head_sha"])
                return self.send(201, run)
            if self.command == "PATCH" and re.fullmatch(r"/check-runs/\d+", rest):
                run = spec_example(spec, "/repos/{owner}/{repo}/check-runs/{check_run_id}", "patch", 200)
                run["id"] = int(rest.rsplit("/", 1)[1])
                return self.send(200, run)
            if self.command == "POST" and rest.startswith("/statuses/"):
                return self.send(201, spec_example(spec, "/repos/{owner}/{repo}/statuses/{sha}", "post", 201))
            cm = re.fullmatch(r"/issues/(\d+)/comments", rest)
            if cm and self.command == "GET":
                issue = int(cm.group(1))
                per_page = int(params.get("per_page", 30))
                page = int(params.get("page", 1))
                with fake.lock:
                    all_comments = list(fake.comments.get(issue, []))
                chunk = all_comments[(page - 1) * per_page:page * per_page]
                headers = {}
                if page * per_page < len(all_comments):
                    headers["Link"] = '<%s/repos/%s/%s/issues/%d/comments?per_page=%d&page=%d>; rel="next"' % (
                        fake.public_url, m.group(1), m.group(2), issue, per_page, page + 1)
                return self.send(200, chunk, headers)
            if cm and self.command == "POST":
                issue = int(cm.group(1))
                # The author is whom the token belongs to: an installation token (ghs_) is the workflow's bot.
                token = self.headers.get("Authorization", "")
                login = ACTIONS_BOT if token.startswith("Bearer ghs_") else USER_LOGIN
                with fake.lock:
                    c = fake.comment(issue, body["body"], login)
                    fake.comments.setdefault(issue, []).append(c)
                return self.send(201, c)
            em = re.fullmatch(r"/issues/comments/(\d+)", rest)
            if em and self.command == "PATCH":
                wanted = int(em.group(1))
                with fake.lock:
                    for comments in fake.comments.values():
                        for c in comments:
                            if c["id"] == wanted:
                                c["body"] = body["body"]
                                return self.send(200, c)
                return self.send(404, {"message": "Not Found"})
            if self.command == "GET" and rest == "/actions/artifacts":
                template = spec_example(spec, "/repos/{owner}/{repo}/actions/artifacts", "get", 200)["artifacts"][0]
                out = []
                with fake.lock:
                    for a in fake.artifacts:
                        item = copy.deepcopy(template)
                        item.update({k: v for k, v in a.items() if k != "workflow_run"})
                        item["workflow_run"].update(a.get("workflow_run", {}))
                        if item.get("name") == params.get("name"):
                            out.append(item)
                return self.send(200, {"total_count": len(out), "artifacts": out})
            rm = re.fullmatch(r"/actions/runs/(\d+)", rest)
            if rm and self.command == "GET":
                run = spec_example(spec, "/repos/{owner}/{repo}/actions/runs/{run_id}", "get", 200)
                run["id"] = int(rm.group(1))
                with fake.lock:
                    given = fake.runs.get(run["id"], "success")
                given = given if isinstance(given, dict) else {"conclusion": given}
                run["status"] = "completed"
                run["conclusion"] = given.get("conclusion", "success")
                if "head_sha" in given:
                    run["head_sha"] = run["head_commit"]["id"] = given["head_sha"]
                if "timestamp" in given:
                    run["head_commit"]["timestamp"] = given["timestamp"]
                return self.send(200, run)
            cmp = re.fullmatch(r"/compare/([0-9A-Za-z_.-]+\.\.\.[0-9A-Za-z_.-]+)", rest)
            if cmp and self.command == "GET":
                with fake.lock:
                    found = fake.merge_bases.get(cmp.group(1))
                if not found:
                    return self.send(404, {"message": "Not Found", "documentation_url": "https://docs.github.com"})
                answer = spec_example(spec, "/repos/{owner}/{repo}/compare/{basehead}", "get", 200)
                answer["merge_base_commit"]["sha"] = found[0]
                answer["merge_base_commit"]["commit"]["committer"]["date"] = found[1]
                return self.send(200, answer)
            zm = re.fullmatch(r"/actions/artifacts/(\d+)/zip", rest)
            if zm and self.command == "GET":
                with fake.lock:
                    gone = int(zm.group(1)) in fake.gone
                if gone:
                    return self.send(410, {"message": "Artifact has expired"})
                return self.send(302, None, {"Location": "%s/blob/%s?sig=signed" % (fake.blob_url, zm.group(1))})
            return self.send(404, {"message": "Not Found"})

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = handle_any

    return Handler


def start(spec, public_url_fn):
    """Starts the fake API and the fake blob storage on free loopback ports; returns (fake, api_server, blob_server).
    public_url_fn(api_port) gives the URL clients use to reach the API (the proxy in front of it)."""
    fake = Fake(spec, None)
    api = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(fake))
    blob = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(fake, blob=True))
    fake.public_url = public_url_fn(api.server_address[1])
    fake.blob_url = "http://127.0.0.1:%d" % blob.server_address[1]
    for server in (api, blob):
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
    return fake, api, blob
