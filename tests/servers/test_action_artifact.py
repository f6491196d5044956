#!/usr/bin/env python3
"""End to end: the real binary, run as a container action with the runtime variables GitHub passes
(ACTIONS_RUNTIME_TOKEN, ACTIONS_RESULTS_URL), uploads its manifest and sha256sum file as a workflow artifact; then
GitHub's own client (@actions/artifact) finds it, downloads it with its digest checked, and the files equal the local
ones byte for byte.

Run by run_artifact_tests.py, which starts Azurite and the fake Results service and passes TREEPRINT_RESULTS_URL,
TREEPRINT_NODE and TREEPRINT_ARTIFACT_CLIENT; TREEPRINT_BIN is the binary."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_artifact_tests import jwt  # noqa: E402
from runner_files import parse_outputs  # noqa: E402

BIN = os.environ["TREEPRINT_BIN"]
RESULTS = os.environ["TREEPRINT_RESULTS_URL"] + "/"
NODE = os.environ["TREEPRINT_NODE"]
CLIENT = os.environ["TREEPRINT_ARTIFACT_CLIENT"]


class ActionArtifact(unittest.TestCase):
    def setUp(self):
        self.ws = tempfile.mkdtemp(prefix="treeprint-action-artifact-")
        os.makedirs(os.path.join(self.ws, "tree", "sub"))
        for i in range(200):
            with open(os.path.join(self.ws, "tree", "sub", "f%03d" % i), "wb") as f:
                f.write(os.urandom(100 + i))
        self.token = jwt("run-action-%d" % os.getpid(), "job-1")

    def tearDown(self):
        shutil.rmtree(self.ws, ignore_errors=True)

    def run_action(self, name, extra=None):
        out = os.path.join(self.ws, "output")
        open(out, "w").close()
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": self.ws,
               "RUNNER_TEMP": os.path.join(self.ws, "_temp"), "GITHUB_OUTPUT": out, "GITHUB_REPOSITORY": "octo/hello",
               "GITHUB_RUN_ID": "4242", "GITHUB_SERVER_URL": "https://github.com", "ACTIONS_RUNTIME_TOKEN": self.token,
               "ACTIONS_RESULTS_URL": RESULTS, "INPUT_PATH": "tree", "INPUT_SUMMARY": "none",
               "INPUT_SHA256SUM-PATH": "_temp/sums.txt", "INPUT_ARTIFACT-NAME": name}
        env.update(extra or {})
        p = subprocess.run([BIN], env=env, cwd=self.ws, capture_output=True, timeout=120)
        with open(out) as f:
            outputs = parse_outputs(f.read())
        self.assertNotIn(self.token, p.stdout.decode() + p.stderr.decode())
        return p, outputs

    def official_download(self, name, dest):
        env = dict(os.environ, ACTIONS_RUNTIME_TOKEN=self.token, ACTIONS_RESULTS_URL=RESULTS)
        p = subprocess.run([NODE, CLIENT, "download", name, dest], env=env, capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stdout[-5000:] + p.stderr[-5000:])
        return json.loads(p.stdout.strip().splitlines()[-1])

    def test_upload_is_downloaded_by_the_official_client(self):
        p, out = self.run_action("treeprint-e2e")
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.assertRegex(out["artifact-id"], r"^[1-9][0-9]*$")
        self.assertEqual(out["artifact-url"],
                         "https://github.com/octo/hello/actions/runs/4242/artifacts/" + out["artifact-id"])
        dest = os.path.join(self.ws, "down")
        report = self.official_download("treeprint-e2e", dest)
        self.assertFalse(report["digestMismatch"])
        self.assertEqual(str(report["id"]), out["artifact-id"])
        self.assertEqual(report["files"], ["manifest.json", "sums.txt"])
        for name, local in (("manifest.json", out["manifest-path"]), ("sums.txt", out["sha256sum-path"])):
            with open(os.path.join(dest, name), "rb") as a, open(os.path.join(self.ws, local), "rb") as b:
                self.assertEqual(a.read(), b.read(), name)

    def test_duplicate_name_needs_overwrite_and_nothing_is_lost(self):
        p, _ = self.run_action("treeprint-dup")
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        with open(os.path.join(self.ws, "tree", "new"), "w") as f:
            f.write("new")
        p, out = self.run_action("treeprint-dup")
        self.assertEqual(p.returncode, 1)  # fail-on: errors (the default) makes a failed upload an error
        self.assertIn(b"::error::artifact: the manifest was not uploaded", p.stdout)
        self.assertIn(b"already exists in this run", p.stdout)
        self.assertEqual(out["files"], "201")  # the outputs and the manifest are there all the same
        self.assertTrue(os.path.exists(os.path.join(self.ws, out["manifest-path"])))
        p, out = self.run_action("treeprint-dup", {"INPUT_OVERWRITE": "true"})
        self.assertEqual(p.returncode, 0, p.stdout.decode())
        dest = os.path.join(self.ws, "down2")
        self.official_download("treeprint-dup", dest)
        with open(os.path.join(dest, "manifest.json"), "rb") as a, open(out["manifest-path"], "rb") as b:
            self.assertEqual(a.read(), b.read())

    def test_without_runtime_variables_nothing_is_uploaded(self):
        p, out = self.run_action("treeprint-none", {"ACTIONS_RUNTIME_TOKEN": ""})
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.assertIn(b"nothing uploaded; the manifest is", p.stderr)
        self.assertNotIn("artifact-id", out)


if __name__ == "__main__":
    unittest.main(verbosity=2)
