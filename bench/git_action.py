#!/usr/bin/env python3
"""The git fast path through the action, as a hosted runner meets it: `baseline: previous-run` on a fresh clone.

bench/git.sh calls this for each corpus size with the repository it committed and the fresh clone it changed:

    git_action.py TREEPRINT REPO CLONE RUNS SUMMARY

1. The action scans REPO (summary: none, no baseline) the way the previous workflow run did; its manifest becomes
   that run's artifact, held by the programmable fake GitHub API of the tests (tests/servers/fake_github.py, started
   here on loopback without Prism: the figures are the action's, not the contract checker's).
2. On CLONE the action runs RUNS times each way, measured like git.sh's rows (best wall, largest peak RSS):
     action-fast  baseline: previous-run (the push event's `before` is REPO's commit: the fake answers with
                  the artifact, which is downloaded, unzipped, read and used as the git fast path's baseline)
     action-full  no baseline (every file read)
   and the two manifests must be byte-identical.
Rows go to standard output and are appended to SUMMARY."""

import base64
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
SERVERS = os.path.join(HERE, "..", "tests", "servers")
sys.path.insert(0, SERVERS)
import fake_github  # noqa: E402
from runner_files import fake_control  # noqa: E402

TOKEN = "ghs_benchTokenValue0123456789"
SHA = "0123456789abcdef0123456789abcdef01234567"
GNU_TIME = shutil.which("time") or "/usr/bin/time"


def git(path, *args):
    return subprocess.run(["git", "-C", path] + list(args), check=True, capture_output=True).stdout.decode().strip()


class Action:
    def __init__(self, binary, api, workspace):
        self.binary, self.api, self.ws = binary, api, workspace
        self.tmp = os.path.join(workspace, "_temp")
        os.makedirs(self.tmp, exist_ok=True)

    def run(self, path, inputs, extra_env=None):
        """Runs the action once on WORKSPACE/path; returns (wall seconds, peak RSS KiB, manifest bytes)."""
        for name in ("output", "summary"):
            open(os.path.join(self.ws, name), "w").close()
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "GITHUB_ACTIONS": "true", "CI": "true",
               "GITHUB_WORKSPACE": self.ws, "RUNNER_TEMP": self.tmp, "GITHUB_OUTPUT": os.path.join(self.ws, "output"),
               "GITHUB_STEP_SUMMARY": os.path.join(self.ws, "summary"), "GITHUB_REPOSITORY": "octo/repo",
               "GITHUB_API_URL": self.api, "GITHUB_SERVER_URL": "https://github.com", "GITHUB_SHA": SHA,
               "GITHUB_RUN_ID": "4242", "GITHUB_RUN_ATTEMPT": "1", "GITHUB_JOB": "scan", "GITHUB_REF_NAME": "main",
               "GITHUB_EVENT_NAME": "push", "INPUT_TOKEN": TOKEN, "INPUT_PATH": path, "INPUT_SUMMARY": "none",
               "HOME": os.environ.get("HOME", "/"), "GIT_CONFIG_NOSYSTEM": "1"}
        env.update({"INPUT_" + k.upper(): v for k, v in inputs.items()})
        env.update(extra_env or {})
        start = time.perf_counter()
        p = subprocess.run([GNU_TIME, "-f", "%M", self.binary], env=env, cwd="/", capture_output=True, timeout=600)
        wall = time.perf_counter() - start
        stderr = p.stderr.decode(errors="replace")
        log = p.stdout.decode(errors="replace") + stderr  # workflow commands (::warning:: ...) go to stdout
        if p.returncode != 0:
            sys.exit("git_action: the action failed (%d):\n%s" % (p.returncode, log))
        rss = int(stderr.strip().rsplit("\n", 1)[-1])
        with open(os.path.join(self.tmp, "treeprint", "manifest.json"), "rb") as f:
            return wall, rss, f.read(), log


def main():
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    binary, repo, clone, runs, summary_path = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
    with open(os.path.join(SERVERS, "github-subset.json")) as f:
        spec = json.load(f)
    fake, api_server, blob_server = fake_github.start(spec, lambda port: "http://127.0.0.1:%d" % port)
    api = fake.public_url
    # The workspace is the folder that holds both trees (the action scans only below its workspace).
    ws = os.path.dirname(os.path.abspath(repo))
    if os.path.dirname(os.path.abspath(clone)) != ws:
        sys.exit("git_action: REPO and CLONE must be in the same folder")
    rows = []
    action = Action(binary, api, ws)
    try:
        fake_control(api, "reset")
        _, _, first, _ = action.run(os.path.basename(repo), {})
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("manifest.json", first)
        head = git(repo, "rev-parse", "HEAD")
        fake_control(api, "state", {
            "zip": base64.b64encode(buf.getvalue()).decode(),
            "artifacts": [{"id": 99, "name": "treeprint-scan-1", "expired": False,
                           "digest": "sha256:" + hashlib.sha256(buf.getvalue()).hexdigest(),
                           "workflow_run": {"id": 41, "head_branch": "main", "head_sha": head}}],
            "runs": {}})
        event = os.path.join(ws, "event.json")
        with open(event, "w") as f:
            json.dump({"ref": "refs/heads/main", "before": head, "after": SHA,
                       "repository": {"default_branch": "main"}}, f)
        push = {"GITHUB_EVENT_PATH": event, "GITHUB_EVENT_NAME": "push"}

        manifests = {}
        for name, inputs, env in (("action-fast", {"baseline": "previous-run"}, push), ("action-full", {}, None)):
            best, peak, note = None, 0, ""
            for _ in range(runs):
                wall, rss, manifest, log = action.run(os.path.basename(clone), inputs, env)
                best = wall if best is None else min(best, wall)
                peak = max(peak, rss)
                manifests[name] = manifest
                note = next((line for line in log.split("\n") if "digests taken from" in line), note)
            if name == "action-fast" and not note:
                sys.exit("git_action: the action took no digests from the previous run:\n" + log)
            rows.append("%-11s wall %7.3f s  peak RSS %6.1f MiB" % (name, best, peak / 1024.0))
            if note:
                rows.append(note.strip())
        same = "byte-identical" if manifests["action-fast"] == manifests["action-full"] else "DIFFERENT (a bug)"
        rows.append("action-fast vs action-full: %s" % same)
    finally:
        api_server.shutdown()
        blob_server.shutdown()
        shutil.rmtree(action.tmp, ignore_errors=True)
        for name in ("output", "summary", "event.json"):
            if os.path.exists(os.path.join(ws, name)):
                os.unlink(os.path.join(ws, name))
    with open(summary_path, "a") as f:
        for row in rows:
            print(row)
            f.write(row + "\n")
    return 0 if "DIFFERENT" not in rows[-1] else 1


if __name__ == "__main__":
    sys.exit(main())
