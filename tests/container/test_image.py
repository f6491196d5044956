#!/usr/bin/env python3
"""The image run the way the GitHub runner runs a container action (and the way Woodpecker runs a plugin), with
podman: `--workdir /github/workspace`, the workspace, runner-temp, home, workflow and file-commands mounts, every
variable passed as `-e NAME` with its value in podman's own environment, no --user. The REST API is the fake of
tests/servers behind Prism on the host (run by run_contract_tests.py), reached over the host network.

Checks the GITHUB_OUTPUT records, the job summary, the manifest's digest against the host binary's scan of the same
tree, who owns what the action wrote into the workspace, and the requests the API saw.

Environment: TREEPRINT_IMAGE (the image), TREEPRINT_BIN (a host binary), TREEPRINT_PRISM_PROXY_URL and
TREEPRINT_FAKE_URL (from run_contract_tests.py), CONTAINERS_CONF (optional)."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "servers"))
from runner_files import fake_control, parse_outputs  # noqa: E402

IMAGE = os.environ["TREEPRINT_IMAGE"]
BIN = os.environ["TREEPRINT_BIN"]
PROXY = os.environ["TREEPRINT_PRISM_PROXY_URL"]
FAKE = os.environ["TREEPRINT_FAKE_URL"]
TOKEN = "ghs_containerSecretTokenValue0123456789"
SHA = "89abcdef0123456789abcdef0123456789abcdef"
RUNNER_UID, RUNNER_GID = 1001, 121  # the hosted runner's user: files it cannot change would break later steps


def control(path, data=None):
    return fake_control(FAKE, path, data)



def podman(args, env, timeout=300):
    """podman run with each variable as `-e NAME`: the value travels in podman's environment, as the runner does."""
    cmd = ["podman", "run", "--rm", "--network", "host", "--name", "treeprint_test_" + uuid.uuid4().hex[:6]]
    for k in env:
        cmd += ["-e", k]
    penv = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    if "CONTAINERS_CONF" in os.environ:
        penv["CONTAINERS_CONF"] = os.environ["CONTAINERS_CONF"]
    penv.update(env)
    return subprocess.run(cmd + args + [IMAGE], env=penv, capture_output=True, timeout=timeout)


class Runner:
    """The runner's directory layout on the host: _work/<repo>/<repo>, _work/_temp/{_github_home,...}."""

    def __init__(self, base):
        self.work = os.path.join(base, "_work")
        self.ws = os.path.join(self.work, "repo", "repo")
        self.temp = os.path.join(self.work, "_temp")
        self.home = os.path.join(self.temp, "_github_home")
        self.workflow = os.path.join(self.temp, "_github_workflow")
        self.commands = os.path.join(self.temp, "_runner_file_commands")
        for d in (self.ws, self.home, self.workflow, self.commands):
            os.makedirs(d)
        files = {"src/main.c": b"int main(void) { return 0; }\n", "src/util/a b.h": b"#pragma once\n",
                 "README.md": b"# fixture\n", "data.bin": bytes(range(256)) * 40, "debug.log": b"noise\n",
                 ".gitignore": b"build/\n", "build/out.o": b"\x7fELF", "docs/guide.txt": b"read me\n"}
        for name, data in files.items():
            path = os.path.join(self.ws, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)
        os.symlink("src/main.c", os.path.join(self.ws, "main-link"))
        with open(os.path.join(self.workflow, "event.json"), "w") as f:
            json.dump({"after": SHA}, f)
        for root, dirs, names in os.walk(self.work):
            for n in dirs + names:
                os.lchown(os.path.join(root, n), RUNNER_UID, RUNNER_GID)
        os.lchown(self.work, RUNNER_UID, RUNNER_GID)
        self.step = 0

    def mounts(self):
        return ["--workdir", "/github/workspace",
                "-v", self.temp + ":/github/runner_temp",
                "-v", self.home + ":/github/home",
                "-v", self.workflow + ":/github/workflow",
                "-v", self.commands + ":/github/file_commands",
                "-v", self.ws + ":/github/workspace"]

    def run(self, inputs, extra=None):
        """One step: fresh file-command files, INPUT_* as the runner names them (upper case, hyphens kept)."""
        self.step += 1
        guid = str(uuid.uuid4())
        self.output, self.summary = "set_output_" + guid, "step_summary_" + guid
        for name in (self.output, self.summary):
            path = os.path.join(self.commands, name)
            open(path, "w").close()
            os.chown(path, RUNNER_UID, RUNNER_GID)
        env = {"GITHUB_ACTIONS": "true", "CI": "true", "HOME": "/github/home", "GITHUB_WORKSPACE": "/github/workspace",
               "RUNNER_TEMP": "/github/runner_temp", "GITHUB_EVENT_PATH": "/github/workflow/event.json",
               "GITHUB_OUTPUT": "/github/file_commands/" + self.output,
               "GITHUB_STEP_SUMMARY": "/github/file_commands/" + self.summary,
               "GITHUB_REPOSITORY": "octo/repo", "GITHUB_SHA": SHA, "GITHUB_REF_NAME": "main",
               "GITHUB_EVENT_NAME": "push", "GITHUB_RUN_ID": "9001", "GITHUB_RUN_ATTEMPT": "1", "GITHUB_JOB": "scan",
               "GITHUB_API_URL": PROXY, "GITHUB_SERVER_URL": "https://github.com", "RUNNER_OS": "Linux",
               "INPUT_TOKEN": TOKEN}
        env.update({"INPUT_" + k.upper(): v for k, v in inputs.items()})
        env.update(extra or {})
        p = podman(self.mounts(), env)
        with open(os.path.join(self.commands, self.output)) as f:
            outputs = parse_outputs(f.read())
        with open(os.path.join(self.commands, self.summary)) as f:
            summary = f.read()
        return p, outputs, summary


def host_digest(tree, *args):
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "m.json")
        subprocess.run([BIN, "scan", tree, "-q", "-o", out, *args], check=True)
        with open(out) as f:
            return json.load(f)["root_digest"]


class GitHubRunner(unittest.TestCase):
    def setUp(self):
        control("reset")
        self.base = tempfile.mkdtemp(prefix="treeprint-image-")
        self.r = Runner(self.base)

    def tearDown(self):
        shutil.rmtree(self.base, ignore_errors=True)

    def owner(self, path):
        st = os.lstat(path)
        return st.st_uid, st.st_gid

    def test_check_run_outputs_summary_and_ownership(self):
        want = host_digest(self.r.ws, "--exclude", "*.log")
        p, out, summary = self.r.run({"path": ".", "exclude": "*.log\n", "sha256sum-path": "out/sums.txt",
                                      "summary": "check-run"})
        stdout, stderr = p.stdout.decode(), p.stderr.decode()
        self.assertEqual(p.returncode, 0, stdout + stderr)
        self.assertEqual(out["digest"], want)
        self.assertEqual((out["files"], out["errors"]), ("6", "0"))  # build/ ignored, debug.log excluded
        self.assertEqual(out["manifest-path"], "/github/runner_temp/treeprint/manifest.json")
        self.assertEqual(out["sha256sum-path"], "out/sums.txt")
        self.assertTrue(out["summary-url"].startswith("https://"), out)
        self.assertIn(want, summary)
        # What the action wrote is the runner user's, not root's: later steps can change and delete it.
        for path in (os.path.join(self.r.ws, "out"), os.path.join(self.r.ws, "out", "sums.txt")):
            self.assertEqual(self.owner(path), (RUNNER_UID, RUNNER_GID), path)
        manifest = os.path.join(self.r.temp, "treeprint", "manifest.json")
        with open(manifest) as f:
            self.assertEqual(json.load(f)["root_digest"], want)
        # The sha256sum file checks out against the workspace, with the host's sha256sum.
        subprocess.run(["sha256sum", "--strict", "--quiet", "-c", os.path.join(self.r.ws, "out", "sums.txt")],
                       cwd=self.r.ws, check=True)
        log = control("log")["api"]
        self.assertTrue(log, stdout + stderr)
        self.assertEqual((log[0]["method"], log[0]["path"]), ("POST", "/repos/octo/repo/check-runs"))
        for req in log:
            self.assertEqual({k.lower(): v for k, v in req["headers"].items()}["authorization"], "Bearer " + TOKEN)
        self.assertIn("::add-mask::" + TOKEN, stdout)
        self.assertNotIn(TOKEN, stderr + json.dumps(out) + summary)

    def test_baseline_and_fail_on_changes(self):
        p, out, _ = self.r.run({"summary": "none", "manifest-path": "/github/runner_temp/base.json"})
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(os.path.join(self.r.ws, "README.md"), "ab") as f:
            f.write(b"changed\n")
        os.remove(os.path.join(self.r.ws, "docs", "guide.txt"))
        p, out2, summary = self.r.run({"summary": "none", "baseline": "/github/runner_temp/base.json",
                                       "fail-on": "changes"})
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)  # the outputs are there all the same
        self.assertEqual((out2["changed"], out2["removed"], out2["added"]), ("2", "1", "0"))
        self.assertNotEqual(out2["digest"], out["digest"])
        self.assertEqual(out2["digest"], host_digest(self.r.ws))
        self.assertEqual(control("log")["api"], [])

    def test_bad_input_fails_before_any_work(self):
        p, out, _ = self.r.run({"fail-on": "sometimes"})
        self.assertEqual(p.returncode, 2)
        self.assertIn("::error", p.stdout.decode() + p.stderr.decode())
        self.assertIn("INPUT_FAIL-ON", p.stdout.decode() + p.stderr.decode())
        self.assertEqual(out, {})
        self.assertFalse(os.path.exists(os.path.join(self.r.temp, "treeprint")))


class WoodpeckerPlugin(unittest.TestCase):
    def test_plugin_settings(self):
        base = tempfile.mkdtemp(prefix="treeprint-image-")
        try:
            r = Runner(base)
            env = {"CI": "woodpecker", "CI_WORKSPACE": "/woodpecker/src", "PLUGIN_PATH": "src",
                   "PLUGIN_MANIFEST_PATH": "/woodpecker/src/treeprint.json", "PLUGIN_SUMMARY": "none",
                   "PLUGIN_EXCLUDE": "*.h,*.txt"}
            p = podman(["--workdir", "/woodpecker/src", "-v", r.ws + ":/woodpecker/src"], env)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
            with open(os.path.join(r.ws, "treeprint.json")) as f:
                m = json.load(f)
            self.assertEqual([e["path"] for e in m["files"]], ["main.c"])
            self.assertEqual(m["root_digest"], host_digest(os.path.join(r.ws, "src"), "--exclude", "*.h"))
        finally:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    unittest.main(verbosity=2)
