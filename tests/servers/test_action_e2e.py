#!/usr/bin/env python3
"""End to end: the real binary runs as a container action would (no arguments; GITHUB_*, INPUT_*, RUNNER_TEMP and the
runner's output files in the environment) against Prism, which checks every REST request against GitHub's OpenAPI
description, in front of the programmable fake (fake_github.py), which records every request.

Run by run_contract_tests.py, which starts the servers and passes their URLs in TREEPRINT_PRISM_PROXY_URL and
TREEPRINT_FAKE_URL; TREEPRINT_BIN is the binary."""

import base64
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from runner_files import fake_control, parse_outputs  # noqa: E402

BIN = os.environ["TREEPRINT_BIN"]
PROXY = os.environ["TREEPRINT_PRISM_PROXY_URL"]
FAKE = os.environ["TREEPRINT_FAKE_URL"]
TOKEN = "ghs_e2eSecretTokenValue0123456789"
SHA = "0123456789abcdef0123456789abcdef01234567"
PR_HEAD = "fedcba9876543210fedcba9876543210fedcba98"


def control(path, data=None):
    return fake_control(FAKE, path, data)



class ActionE2E(unittest.TestCase):
    def setUp(self):
        control("reset")
        self.ws = tempfile.mkdtemp(prefix="treeprint-action-")
        self.tmp = os.path.join(self.ws, "_temp")
        os.makedirs(os.path.join(self.ws, "repo", "src"))
        os.makedirs(self.tmp)
        for name, data in (("src/main.c", b"int main(void) { return 0; }\n"), ("README", b"hello\n"),
                           ("data.bin", b"\0" * 1000)):
            with open(os.path.join(self.ws, "repo", name), "wb") as f:
                f.write(data)
        self.event = os.path.join(self.ws, "event.json")
        with open(self.event, "w") as f:
            json.dump({"pull_request": {"number": 7, "head": {"sha": PR_HEAD}}}, f)

    def tearDown(self):
        shutil.rmtree(self.ws, ignore_errors=True)

    def run_action(self, inputs, api=PROXY, extra_env=None):
        for name in ("output", "summary"):
            open(os.path.join(self.ws, name), "w").close()
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "GITHUB_ACTIONS": "true", "CI": "true",
               "GITHUB_WORKSPACE": self.ws, "RUNNER_TEMP": self.tmp, "GITHUB_OUTPUT": os.path.join(self.ws, "output"),
               "GITHUB_STEP_SUMMARY": os.path.join(self.ws, "summary"), "GITHUB_REPOSITORY": "octo/repo",
               "GITHUB_API_URL": api, "GITHUB_SERVER_URL": "https://github.com", "GITHUB_SHA": SHA,
               "GITHUB_RUN_ID": "4242", "GITHUB_RUN_ATTEMPT": "1", "GITHUB_JOB": "scan", "GITHUB_REF_NAME": "main",
               "GITHUB_EVENT_NAME": "push", "INPUT_TOKEN": TOKEN, "INPUT_PATH": "repo"}
        env.update({"INPUT_" + k.upper(): v for k, v in inputs.items()})
        env.update(extra_env or {})
        p = subprocess.run([BIN], env=env, cwd="/", capture_output=True, timeout=120)
        with open(os.path.join(self.ws, "output")) as f:
            outputs = f.read()
        with open(os.path.join(self.ws, "summary")) as f:
            summary = f.read()
        log = control("log")["api"]
        # The token is only ever shown to the runner, to be masked; never anywhere else.
        stdout, stderr = p.stdout.decode(), p.stderr.decode()
        self.assertEqual(stdout.count(TOKEN), 1, stdout)
        self.assertIn("::add-mask::" + TOKEN, stdout)
        self.assertNotIn(TOKEN, stderr)
        self.assertNotIn(TOKEN, outputs + summary)
        return p, stdout, stderr, outputs, summary, log

    def check_headers(self, request):
        h = {k.lower(): v for k, v in request["headers"].items()}
        self.assertEqual(h["authorization"], "Bearer " + TOKEN)
        self.assertEqual(h["accept"], "application/vnd.github+json")
        self.assertEqual(h["x-github-api-version"], "2022-11-28")
        self.assertTrue(h["user-agent"].startswith("treeprint/"), h["user-agent"])

    def manifest(self):
        with open(os.path.join(self.tmp, "treeprint", "manifest.json")) as f:
            return json.load(f)

    def test_git_outputs_and_summary_line(self):
        repo = os.path.join(self.ws, "repo")
        genv = dict(os.environ, HOME=self.tmp, GIT_CONFIG_NOSYSTEM="1", GIT_AUTHOR_NAME="t",
                    GIT_AUTHOR_EMAIL="t@example.com", GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com")
        git = lambda *a: subprocess.run(["git", "-C", repo] + list(a), check=True, env=genv,  # noqa: E731
                                        capture_output=True).stdout.decode().strip()
        git("init", "-q")
        git("add", "-A")
        git("commit", "-qm", "one")
        time.sleep(1.1)
        git("status", "--porcelain")
        p, _, _, outputs, summary, _ = self.run_action({"summary": "none"})
        self.assertEqual(p.returncode, 0, p.stderr)
        out = parse_outputs(outputs)
        self.assertEqual(out["git-tree"], git("rev-parse", "HEAD^{tree}"))
        self.assertEqual(out["worktree-clean"], "true")
        self.assertIn("**Git:** commit `%s`'s tree + 0 untracked + 0 modified" % git("rev-parse", "HEAD")[:12], summary)
        with open(os.path.join(repo, "new.txt"), "w") as f:
            f.write("untracked\n")
        p, _, _, outputs, summary, _ = self.run_action({"summary": "none", "git": "auto"})
        self.assertEqual(parse_outputs(outputs)["worktree-clean"], "false")
        self.assertIn("+ 1 untracked + 0 modified", summary)
        p, _, _, outputs, _, _ = self.run_action({"summary": "none", "git": "off"})
        self.assertEqual(parse_outputs(outputs)["git-tree"], "")
        self.assertEqual(parse_outputs(outputs)["worktree-clean"], "")

    def test_check_run(self):
        p, stdout, _, outputs, summary, log = self.run_action({"summary": "check-run", "sha256sum-path": "sums.txt"})
        self.assertEqual(p.returncode, 0, p.stderr)
        m = self.manifest()
        out = parse_outputs(outputs)
        self.assertEqual(list(out), ["manifest-path", "sha256sum-path", "digest", "files", "bytes", "errors",
                                     "changed", "added", "removed", "git-tree", "worktree-clean",
                                     "summary-url"])
        self.assertEqual(out["manifest-path"], os.path.join(self.tmp, "treeprint", "manifest.json"))
        self.assertEqual(out["sha256sum-path"], "sums.txt")
        self.assertTrue(os.path.exists(os.path.join(self.ws, "sums.txt")))
        self.assertEqual(out["digest"], m["root_digest"])
        self.assertEqual((out["files"], out["bytes"], out["errors"]), ("3", "1035", "0"))
        self.assertEqual((out["changed"], out["added"], out["removed"]), ("", "", ""))
        self.assertTrue(out["summary-url"].startswith("https://"), out["summary-url"])
        self.assertIn(m["root_digest"], summary)
        self.assertIn("main.c", summary)
        self.assertEqual([(r["method"], r["path"]) for r in log], [("POST", "/repos/octo/repo/check-runs")])
        self.check_headers(log[0])
        body = json.loads(log[0]["body"])
        self.assertEqual((body["name"], body["head_sha"], body["status"], body["conclusion"]),
                         ("treeprint", SHA, "completed", "success"))
        self.assertIn(m["root_digest"], body["output"]["summary"])
        self.assertEqual(body["details_url"], "https://github.com/octo/repo/actions/runs/4242")

    def test_sticky_comment_is_updated_not_duplicated(self):
        env = {"GITHUB_EVENT_PATH": self.event, "GITHUB_EVENT_NAME": "pull_request"}
        p, _, _, outputs, _, log = self.run_action({"summary": "comment"}, extra_env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual([(r["method"], r["path"].split("?")[0]) for r in log],
                         [("GET", "/repos/octo/repo/issues/7/comments"), ("POST", "/repos/octo/repo/issues/7/comments")])
        for r in log:
            self.check_headers(r)
        url = parse_outputs(outputs)["summary-url"]
        self.assertRegex(url, r"^https://github.com/octo/repo/pull/7#issuecomment-\d+$")
        with open(os.path.join(self.ws, "repo", "README"), "ab") as f:
            f.write(b"more\n")
        p, _, _, outputs2, _, log2 = self.run_action({"summary": "comment"}, extra_env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        methods = [(r["method"], r["path"].split("?")[0]) for r in log2[len(log):]]
        self.assertEqual(methods[-1][0], "PATCH", methods)
        self.assertNotIn(("POST", "/repos/octo/repo/issues/7/comments"), methods)
        self.assertEqual(parse_outputs(outputs2)["summary-url"], url)

    def test_commit_status(self):
        env = {"GITHUB_EVENT_PATH": self.event}
        p, _, _, _, _, log = self.run_action({"summary": "status"}, extra_env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual([(r["method"], r["path"]) for r in log], [("POST", "/repos/octo/repo/statuses/" + PR_HEAD)])
        body = json.loads(log[0]["body"])
        self.assertEqual((body["state"], body["context"]), ("success", "treeprint"))
        self.assertLessEqual(len(body["description"]), 140)

    def test_read_only_token_is_a_warning_and_nothing_is_lost(self):
        control("script", {"method": "POST", "path": "/repos/octo/repo/check-runs",
                           "responses": [{"status": 403, "body": {"message": "Resource not accessible by integration"}}]})
        p, stdout, _, outputs, summary, log = self.run_action({"summary": "check-run"})
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("::warning::summary: could not create the check run", stdout)
        self.assertEqual(len(log), 1)  # a 403 that is not a rate limit is not retried
        out = parse_outputs(outputs)
        self.assertEqual(out["summary-url"], "")
        self.assertEqual(out["digest"], self.manifest()["root_digest"])
        self.assertIn(out["digest"], summary)

    def test_server_errors_are_retried(self):
        control("script", {"method": "POST", "path": "/repos/octo/repo/statuses/" + SHA,
                           "responses": [{"status": 502}, {"status": 500}]})
        p, _, stderr, _, _, log = self.run_action({"summary": "status"})
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual([r["method"] for r in log], ["POST"] * 3)
        self.assertIn("retry 1", stderr)

    def test_baseline_from_the_previous_run(self):
        # The previous run's artifact: a zip holding the manifest of the tree before this change.
        p, _, _, _, _, _ = self.run_action({"summary": "none"})
        with open(os.path.join(self.tmp, "treeprint", "manifest.json"), "rb") as f:
            before = f.read()
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("manifest.json", before)
        digest = "sha256:" + hashlib.sha256(buf.getvalue()).hexdigest()
        control("state", {"zip": base64.b64encode(buf.getvalue()).decode(),
                          "artifacts": [{"id": 99, "name": "treeprint-scan-1", "expired": False, "digest": digest,
                                         "workflow_run": {"id": 41, "head_branch": "main", "head_sha": "a" * 40}}],
                          "runs": {"41": "success"}})
        os.unlink(os.path.join(self.ws, "repo", "data.bin"))
        with open(os.path.join(self.ws, "repo", "src", "new.c"), "w") as f:
            f.write("/* new */\n")
        # Straight to the fake: Prism's proxy follows the download's redirect itself, with the token.
        p, stdout, _, outputs, summary, log = self.run_action({"summary": "none", "baseline": "previous-run",
                                                                "fail-on": "changes"}, api=FAKE)
        self.assertEqual(p.returncode, 1, stdout)
        out = parse_outputs(outputs)
        self.assertEqual((out["changed"], out["added"], out["removed"]), ("2", "1", "1"))
        self.assertIn("new.c", summary)
        blob = control("log")["blob"]
        self.assertTrue(blob and all(b["authorization"] is None for b in blob), blob)

    def test_no_baseline_is_a_notice(self):
        p, stdout, _, outputs, _, _ = self.run_action({"summary": "none", "baseline": "previous-run"})
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("::notice::baseline: no earlier manifest found", stdout)
        self.assertEqual(parse_outputs(outputs)["changed"], "")

    def test_bad_input_fails_before_any_request(self):
        p, stdout, _, outputs, _, log = self.run_action({"summary": "sometimes"})
        self.assertEqual(p.returncode, 2)
        self.assertIn("::error::summary (INPUT_SUMMARY): 'sometimes' is not one of", stdout)
        self.assertEqual((outputs, log), ("", []))
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "treeprint", "manifest.json")))


if __name__ == "__main__":
    unittest.main(verbosity=2)
