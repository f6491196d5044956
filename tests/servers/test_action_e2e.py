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
import re
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


HERE = os.path.dirname(os.path.abspath(__file__))
NODE = os.environ.get("TREEPRINT_NODE") or shutil.which("node") or "node"


def control(path, data=None):
    return fake_control(FAKE, path, data)


def judge_hash(workspace, patterns):
    """What @actions/glob's hashFiles() (the runner's own) returns for `patterns` in `workspace`."""
    p = subprocess.run([NODE, os.path.join(HERE, "hash-files-judge.mjs"), workspace, "false"] + patterns,
                       capture_output=True, timeout=120)
    assert p.returncode == 0, p.stderr
    answer = json.loads(p.stdout.decode().strip().split("\n")[-1])  # after @actions/core's ::debug:: lines
    assert "error" not in answer, answer
    return answer["hash"]


def declared_outputs():
    """The names under `outputs:` in action.yml."""
    with open(os.path.join(HERE, "..", "..", "action.yml")) as f:
        text = f.read()
    section = text.split("\noutputs:\n", 1)[1].split("\nruns:", 1)[0]
    return set(re.findall(r"^  ([a-z0-9-]+):$", section, re.M))


def utf16_units(text):
    return len(text.encode("utf-16-le")) // 2



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
        lists = ["all-changed-files", "added-files", "modified-files", "removed-files", "renamed-files",
                 "unreadable-files"]
        self.assertEqual(list(out), ["any-changed", "changes", "changes-path"] +
                         [name + suffix for name in lists for suffix in ("", "-json", "-count", "-truncated")] +
                         ["manifest-path", "sha256sum-path", "digest", "files", "bytes", "errors",
                          "changed", "added", "removed", "git-tree", "worktree-clean", "summary-url"])
        # Every output the step sets is declared in action.yml (the runner drops the others for `uses:` callers).
        self.assertLessEqual(set(out) | {"hash", "artifact-id", "artifact-url"}, declared_outputs())
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
        # The change outputs, and the heading naming the repository and the compared commit.
        self.assertEqual((out["any-changed"], out["added-files"], out["removed-files"]), ("true", "src/new.c", "data.bin"))
        heading = summary.split("\n", 1)[0]
        self.assertIn("octo/repo", heading)
        self.assertIn("aaaaaaaaaaaa", heading)
        self.assertNotIn(self.tmp, summary)  # the manifest is named by its file, not by a path on the runner
        blob = control("log")["blob"]
        self.assertTrue(blob and all(b["authorization"] is None for b in blob), blob)

    def publish_previous(self, manifest_bytes, artifacts, runs=None, **state):
        """Makes the fake hold `artifacts` (each a zip of `manifest_bytes`, with its digest) and their runs."""
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("manifest.json", manifest_bytes)
        digest = "sha256:" + hashlib.sha256(buf.getvalue()).hexdigest()
        listed = []
        for a in artifacts:
            item = {"name": "treeprint-scan-1", "expired": False, "digest": digest}
            item.update(a)
            listed.append(item)
        control("state", dict({"zip": base64.b64encode(buf.getvalue()).decode(), "artifacts": listed,
                               "runs": runs or {}}, **state))

    def push_event(self, before, default_branch="main"):
        with open(self.event, "w") as f:
            json.dump({"ref": "refs/heads/main", "before": before, "after": SHA,
                       "repository": {"default_branch": default_branch}}, f)
        return {"GITHUB_EVENT_PATH": self.event, "GITHUB_EVENT_NAME": "push"}

    def git_repo(self, path):
        genv = dict(os.environ, HOME=self.tmp, GIT_CONFIG_NOSYSTEM="1", GIT_AUTHOR_NAME="t",
                    GIT_AUTHOR_EMAIL="t@example.com", GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com")
        return lambda *a: subprocess.run(["git", "-C", path] + list(a), check=True, env=genv,  # noqa: E731
                                         capture_output=True).stdout.decode().strip()

    def test_previous_run_in_a_fresh_clone_reuses_digests_and_gives_the_same_manifest(self):
        repo = os.path.join(self.ws, "repo")
        for i in range(40):
            self.write("src/file%02d.c" % i, b"/* %d */\n" % i * (i + 1))
        git = self.git_repo(repo)
        git("init", "-q", "-b", "main")
        git("add", "-A")
        git("commit", "-qm", "one")
        first = git("rev-parse", "HEAD")
        time.sleep(1.1)
        git("status", "--porcelain")  # refreshes the index: its entries are no longer racily clean
        p, _, _, _, _, _ = self.run_action({"summary": "none"})
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(os.path.join(self.tmp, "treeprint", "manifest.json"), "rb") as f:
            before = f.read()
        tracked = len(git("ls-files").split("\n"))
        self.assertEqual(before.count(b'"git_blob"'), tracked)
        # The next job: a fresh clone (new inodes and ctimes: no stat data can match), one file changed.
        clone = os.path.join(self.ws, "clone")
        self.git_repo(self.ws)("clone", "-q", "--no-local", repo, clone)
        cgit = self.git_repo(clone)
        with open(os.path.join(clone, "README"), "ab") as f:
            f.write(b"changed\n")
        time.sleep(1.1)
        cgit("status", "--porcelain")
        self.publish_previous(before, [{"id": 99, "workflow_run": {"id": 41, "head_branch": "main",
                                                                     "head_sha": first}}])
        env = self.push_event(first)
        p, stdout, stderr, outputs, summary, _ = self.run_action(
            {"summary": "none", "baseline": "previous-run", "path": "clone"}, api=FAKE, extra_env=env)
        self.assertEqual(p.returncode, 0, stdout + stderr)
        with open(os.path.join(self.tmp, "treeprint", "manifest.json"), "rb") as f:
            reused = f.read()
        # Every clean tracked file but the changed one kept its digest unread; the log and the summary say so.
        self.assertIn("treeprint: baseline: comparing with commit %s, the manifest of run 41 (the run of the commit "
                      "before the push)" % first, stderr)
        self.assertIn("treeprint: baseline: %d digests taken from run 41 (%s) without reading the files" %
                      (tracked - 1, first[:12]), stderr)
        self.assertIn("; %d digests reused from the baseline unread" % (tracked - 1), summary)
        self.assertIn(first[:12], summary.split("\n", 1)[0])
        out = parse_outputs(outputs)
        self.assertEqual((out["changed"], out["modified-files"]), ("1", "README"))
        # Byte for byte what a full scan of the same clone writes.
        p, _, stderr2, _, summary2, _ = self.run_action({"summary": "none", "path": "clone"})
        self.assertEqual(p.returncode, 0, stderr2)
        with open(os.path.join(self.tmp, "treeprint", "manifest.json"), "rb") as f:
            full = f.read()
        self.assertEqual(reused, full)
        self.assertNotIn("digests taken from", stderr2)
        self.assertNotIn("reused from the baseline unread", summary2)

    def baseline_case(self, artifacts, env, runs=None, **state):
        """Runs with `baseline: previous-run` against the fake holding `artifacts`; returns (stdout, stderr,
        outputs, summary)."""
        self.run_action({"summary": "none"})
        with open(os.path.join(self.tmp, "treeprint", "manifest.json"), "rb") as f:
            before = f.read()
        self.publish_previous(before, artifacts, runs, **state)
        self.write("src/new.c", b"/* new */\n")
        p, stdout, stderr, outputs, summary, log = self.run_action({"summary": "none", "baseline": "previous-run"},
                                                                   api=FAKE, extra_env=env)
        self.assertEqual(p.returncode, 0, stdout + stderr)
        out = parse_outputs(outputs)
        self.assertEqual((out["changed"], out["added-files"]), ("1", "src/new.c"), stdout + stderr)
        return stdout, stderr, out, summary, log

    def test_force_push_compares_with_the_newest_run_on_the_branch(self):
        stdout, stderr, _, summary, _ = self.baseline_case(
            [{"id": 98, "workflow_run": {"id": 40, "head_branch": "main", "head_sha": "b" * 40}}],
            self.push_event("c" * 40))  # the commit before the push was rewritten away: no run has it
        self.assertIn("::notice::baseline: no successful run of the commit before the push cccccccccccc with an "
                      "unexpired artifact: comparing with the newest successful run on 'main'", stdout)
        self.assertIn("comparing with commit %s, the manifest of run 40 (the newest successful run on 'main')" %
                      ("b" * 40), stderr)
        self.assertIn("bbbbbbbbbbbb", summary.split("\n", 1)[0])

    def test_new_branch_compares_with_the_default_branch(self):
        env = dict(self.push_event("0" * 40, default_branch="trunk"), GITHUB_REF_NAME="topic")
        stdout, stderr, _, summary, _ = self.baseline_case(
            [{"id": 97, "workflow_run": {"id": 39, "head_branch": "topic", "head_sha": "e" * 40}},
             {"id": 98, "workflow_run": {"id": 40, "head_branch": "trunk", "head_sha": "d" * 40}}], env)
        self.assertIn("::notice::baseline: a new branch: comparing with the newest successful run on the default "
                      "branch 'trunk'", stdout)
        self.assertIn("comparing with commit %s" % ("d" * 40), stderr)
        self.assertIn("dddddddddddd", summary.split("\n", 1)[0])

    def test_new_branch_without_a_default_branch_says_so(self):
        self.push_event("0" * 40, default_branch="")
        p, stdout, _, outputs, _, log = self.run_action({"summary": "none", "baseline": "previous-run"}, api=FAKE,
                                                        extra_env={"GITHUB_EVENT_PATH": self.event})
        self.assertEqual(p.returncode, 0, stdout)
        self.assertIn("::notice::baseline: a new branch, and the event does not name the repository's default "
                      "branch; no comparison made", stdout)
        self.assertEqual(parse_outputs(outputs)["any-changed"], "true")
        self.assertEqual(log, [])

    def test_expired_artifacts_are_skipped_for_the_next(self):
        before = "f" * 40
        stdout, stderr, _, _, _ = self.baseline_case(
            [{"id": 95, "created_at": "2024-05-01T00:00:00Z",
              "workflow_run": {"id": 37, "head_branch": "main", "head_sha": "1" * 40}},
             {"id": 96, "expired": True, "created_at": "2024-04-01T00:00:00Z",
              "workflow_run": {"id": 38, "head_branch": "main", "head_sha": before}},
             {"id": 94, "created_at": "2024-03-01T00:00:00Z",
              "workflow_run": {"id": 36, "head_branch": "main", "head_sha": "2" * 40}}],
            self.push_event(before), gone=[95])
        self.assertIn("::notice::baseline: no successful run of the commit before the push ffffffffffff with an "
                      "unexpired artifact (1 expired): comparing with the newest successful run on 'main'", stdout)
        self.assertIn("::notice::baseline: artifact 95 of run 37 has expired: taking the next", stdout)
        self.assertIn("comparing with commit %s, the manifest of run 36" % ("2" * 40), stderr)

    def pull_event(self, base, head):
        with open(self.event, "w") as f:
            json.dump({"pull_request": {"number": 7, "head": {"sha": head, "ref": "feature"},
                                        "base": {"sha": base, "ref": "main"}}}, f)
        return {"GITHUB_EVENT_PATH": self.event, "GITHUB_EVENT_NAME": "pull_request", "GITHUB_BASE_REF": "main",
                "GITHUB_REF_NAME": "7/merge"}

    def test_pull_request_compares_with_the_merge_base(self):
        base, mb = "3" * 40, "4" * 40
        stdout, stderr, _, summary, log = self.baseline_case(
            [{"id": 93, "created_at": "2024-05-01T00:00:00Z",
              "workflow_run": {"id": 35, "head_branch": "main", "head_sha": base}},
             {"id": 92, "created_at": "2024-04-01T00:00:00Z",
              "workflow_run": {"id": 34, "head_branch": "main", "head_sha": mb}}],
            self.pull_event(base, PR_HEAD), merge_bases={base + "..." + PR_HEAD: [mb, "2024-04-01T00:00:00Z"]})
        self.assertNotIn("::notice::baseline", stdout)
        self.assertIn("comparing with commit %s, the manifest of run 34 (the run of the merge base)" % mb, stderr)
        self.assertIn("444444444444", summary.split("\n", 1)[0])
        self.assertIn(("GET", "/repos/octo/repo/compare/%s...%s?per_page=1" % (base, PR_HEAD)),
                      [(r["method"], r["path"]) for r in log])

    def test_pull_request_whose_compare_fails_falls_back_with_a_notice(self):
        base = "5" * 40
        stdout, stderr, _, _, _ = self.baseline_case(
            [{"id": 91, "workflow_run": {"id": 33, "head_branch": "main", "head_sha": base}}],
            self.pull_event(base, PR_HEAD))  # no merge base known: the compare call answers 404
        self.assertIn("::notice::baseline: the merge base is unknown (finding the merge base of 555555555555 and "
                      "fedcba987654 (GET compare): HTTP 404", stdout)
        self.assertIn("comparing with commit %s, the manifest of run 33 (the newest successful run on 'main')" % base,
                      stderr)

    def test_no_baseline_is_a_notice(self):
        p, stdout, _, outputs, _, _ = self.run_action({"summary": "none", "baseline": "previous-run"})
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("::notice::baseline: no earlier manifest found", stdout)
        out = parse_outputs(outputs)
        self.assertEqual(out["changed"], "")
        # No baseline: every file counts as added, and any-changed is true (the safe direction).
        self.assertEqual(out["any-changed"], "true")
        self.assertEqual(out["added-files"].split("\n"), ["README", "data.bin", "src/main.c"])
        self.assertEqual(json.loads(out["all-changed-files-json"]), ["README", "data.bin", "src/main.c"])

    def write(self, name, data):
        path = os.path.join(self.ws, "repo", name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)

    FILTERS = "\n".join([
        "sources:", "  - 'src/**'",
        "docs:", "  - '*.md'", "  - 'docs/**'",
        "gone:", "  - removed: '**'",
        "fresh:", "  - added: ['**/*.c', '**/*.h']",
        "nothing:", "  - 'no/such/dir/**'",
    ]) + "\n"

    def test_every_change_and_filter_output(self):
        self.write("src/util.c", b"/* util */\n" * 20)
        self.write("docs/old.txt", b"a document that will move\n" * 10)
        self.run_action({"summary": "none"})
        shutil.copy(os.path.join(self.tmp, "treeprint", "manifest.json"), os.path.join(self.ws, "before.json"))
        # Every kind of change: added, modified (content), modified (mode), removed, renamed.
        self.write("src/new.h", b"#pragma once\n")
        self.write("README", b"hello, changed\n")
        os.chmod(os.path.join(self.ws, "repo", "src", "util.c"), 0o755)
        os.unlink(os.path.join(self.ws, "repo", "data.bin"))
        os.rename(os.path.join(self.ws, "repo", "docs", "old.txt"), os.path.join(self.ws, "repo", "docs", "new.md"))
        self.write("web/package-lock.json", b'{"lock": 1}\n')
        p, stdout, stderr, outputs, summary, log = self.run_action(
            {"summary": "none", "baseline": "before.json", "filters": self.FILTERS,
             "hash-files": "**/package-lock.json\n**/*.c"})
        self.assertEqual(p.returncode, 0, stdout + stderr)
        self.assertEqual(log, [])
        out = parse_outputs(outputs)
        self.assertEqual(out["any-changed"], "true")
        expect = {"added-files": ["src/new.h", "web/package-lock.json"], "modified-files": ["README", "src/util.c"],
                  "removed-files": ["data.bin"], "renamed-files": ["docs/old.txt\tdocs/new.md"],
                  "all-changed-files": ["README", "docs/new.md", "src/new.h", "src/util.c", "web/package-lock.json"],
                  "unreadable-files": []}
        for name, lines in expect.items():
            self.assertEqual(out[name], "\n".join(lines), name)
            self.assertEqual(out[name + "-count"], str(len(lines)), name)
            self.assertEqual(out[name + "-truncated"], "false", name)
        self.assertEqual(json.loads(out["renamed-files-json"]), [{"from": "docs/old.txt", "to": "docs/new.md"}])
        for name in ("added-files", "modified-files", "removed-files", "all-changed-files"):
            self.assertEqual(json.loads(out[name + "-json"]), expect[name], name)
        filters = {"sources": ["src/new.h", "src/util.c"], "docs": ["docs/new.md"], "gone": ["data.bin"],
                   "fresh": ["src/new.h"], "nothing": []}
        for name, files in filters.items():
            self.assertEqual(out[name], "true" if files else "false", name)
            self.assertEqual(out[name + "-files"], "\n".join(files), name)
            self.assertEqual(json.loads(out[name + "-files-json"]), files, name)
            self.assertEqual(out[name + "-count"], str(len(files)), name)
            self.assertEqual(out[name + "-files-truncated"], "false", name)
        self.assertEqual(json.loads(out["changes"]), ["sources", "docs", "gone", "fresh"])
        # hash equals what the runner's hashFiles() gives for the same patterns on the same workspace.
        self.assertEqual(out["hash"], judge_hash(self.ws, ["**/package-lock.json", "**/*.c"]))
        self.assertRegex(out["hash"], "^[0-9a-f]{64}$")
        # The changes file sits beside the manifest and holds the same lists.
        self.assertEqual(out["changes-path"], os.path.join(self.tmp, "treeprint", "manifest.changes.json"))
        with open(out["changes-path"]) as f:
            changes = json.load(f)
        self.assertEqual(changes["hash"], out["hash"])
        self.assertIn("before.json", json.dumps(changes))
        # The summary: changes by filter, kinds with no change left out.
        self.assertIn("### Changes by filter", summary)
        self.assertIn("`sources` (2)", summary)
        self.assertIn("No changes for: `nothing`", summary)
        self.assertNotIn("| Type changed |", summary)
        self.assertIn("| Renamed | 1 |", summary)

    def test_a_change_too_big_for_the_outputs_is_cut_and_complete_in_the_file(self):
        big = os.path.join(self.ws, "repo", "generated")
        os.makedirs(big)
        names = ["generated/a-long-directory-name-for-budget/file-%06d.txt" % i for i in range(100000)]
        os.makedirs(os.path.join(self.ws, "repo", "generated", "a-long-directory-name-for-budget"))
        for n in names:
            open(os.path.join(self.ws, "repo", n), "wb").close()
        p, stdout, stderr, outputs, summary, log = self.run_action(
            {"summary": "none", "filters": "gen: ['generated/**']\n"})
        self.assertEqual(p.returncode, 0, stdout[-2000:] + stderr[-2000:])
        out = parse_outputs(outputs)
        # Within GitHub's 1 MB of outputs per job (UTF-16), names and values together.
        self.assertLessEqual(sum(utf16_units(k) + utf16_units(v) for k, v in out.items()), 1024 * 1024)
        self.assertEqual(out["added-files-count"], str(len(names) + 3))
        self.assertEqual(out["all-changed-files-truncated"], "true")
        self.assertEqual(out["added-files-truncated"], "true")
        self.assertEqual(out["gen-count"], str(len(names)))
        self.assertEqual(out["gen-files-truncated"], "true")
        self.assertEqual(out["gen"], "true")
        shown = json.loads(out["all-changed-files-json"])
        self.assertEqual(out["all-changed-files"].split("\n"), shown)
        self.assertLess(len(shown), len(names))
        self.assertIn("::warning::", stdout)
        self.assertIn("left out", stdout)
        with open(out["changes-path"]) as f:
            changes = json.load(f)
        want = sorted(names + ["README", "data.bin", "src/main.c"])
        self.assertEqual(changes["added"], want)
        self.assertEqual(changes["all_changed"], want)
        self.assertEqual(changes["filters"]["gen"]["files"], sorted(names))
        self.assertIn("and 99,990 more", summary)

    def test_bad_change_inputs_fail_before_any_work(self):
        cases = [
            ({"filters": "- src/**\n- docs/**\n"}, "filters", "must be a map"),
            ({"filters": "src: ['src/[abc']\n"}, "filters", "src"),
            ({"filters": "src: []\n"}, "filters", "src"),
            ({"filters": "hash: ['**']\n"}, "filters", "reserved"),
            ({"filters": "added-files: ['**']\n"}, "filters", "reserved"),
            ({"filters": "'9lives': ['**']\n"}, "filters", "not a valid output name"),
            ({"filters": "'a b': ['**']\n"}, "filters", "not a valid output name"),
            ({"hash-files": "# only a comment\n"}, "hash-files", "no pattern"),
            ({"hash-files": "--follow-symbolic-links\n"}, "hash-files", "no pattern"),
        ]
        for inputs, name, what in cases:
            with self.subTest(inputs=inputs):
                p, stdout, _, outputs, _, log = self.run_action(dict(inputs, summary="check-run"))
                self.assertEqual(p.returncode, 2, stdout)
                errors = [line for line in stdout.split("\n") if line.startswith("::error::")]
                self.assertTrue(errors, stdout)
                self.assertTrue(errors[0].startswith("::error::" + name + " (INPUT_" + name.upper() + ")"), errors)
                self.assertIn(what, errors[0])
                self.assertEqual((outputs, log), ("", []))
                self.assertFalse(os.path.exists(os.path.join(self.tmp, "treeprint", "manifest.json")))

    def test_bad_input_fails_before_any_request(self):
        p, stdout, _, outputs, _, log = self.run_action({"summary": "sometimes"})
        self.assertEqual(p.returncode, 2)
        self.assertIn("::error::summary (INPUT_SUMMARY): 'sometimes' is not one of", stdout)
        self.assertEqual((outputs, log), ("", []))
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "treeprint", "manifest.json")))


if __name__ == "__main__":
    unittest.main(verbosity=2)
