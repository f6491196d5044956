#!/usr/bin/env python3
"""End to end: a tree goes through a workflow artifact and `restore` makes the download whole again.

The build side runs the real binary as a container action on the tree (it uploads the manifest and warns about hidden
files), and GitHub's own client (@actions/artifact) uploads the tree as upload-artifact does (symlinks followed,
with include-hidden-files: true). The consumer side downloads both with the same client - modes lost, links turned
into copies - and runs `restore`: checked with stat and readlink against the original, and by a fresh scan whose
root digest equals the original manifest's. A tampered download and links that leave the tree are reported, not
restored.

Run by run_artifact_tests.py (Azurite and the fake Results service); TREEPRINT_BIN is the binary."""

import json
import os
import shutil
import stat
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

FILES = {  # path: (content, mode)
    "bin/tool": (b"#!/bin/sh\necho tool\n", 0o755),
    "bin/run.sh": (b"#!/bin/sh\nexec ./tool\n", 0o755),
    "lib/libx.so.1": (b"\x7fELF" + bytes(range(256)) * 40, 0o644),
    "share/doc.txt": (b"documentation\n", 0o644),
    ".config/settings": (b"hidden=yes\n", 0o644),
}
LINKS = {"lib/libx.so": "libx.so.1", "current": "lib/libx.so"}  # a chain: current -> lib/libx.so -> libx.so.1


class RestoreRoundTrip(unittest.TestCase):
    def setUp(self):
        self.ws = tempfile.mkdtemp(prefix="treeprint-restore-")
        self.token = jwt("run-restore-%d" % os.getpid(), "job-1")
        self.dist = os.path.join(self.ws, "dist")
        for rel, (content, mode) in FILES.items():
            full = os.path.join(self.dist, rel)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "wb") as f:
                f.write(content)
            os.chmod(full, mode)
        for rel, target in LINKS.items():
            os.symlink(target, os.path.join(self.dist, rel))
        with open(os.path.join(self.ws, "outside.txt"), "wb") as f:
            f.write(b"outside the tree\n")

    def tearDown(self):
        shutil.rmtree(self.ws, ignore_errors=True)

    def add_escaping_links(self):
        os.symlink("../outside.txt", os.path.join(self.dist, "escape"))
        os.symlink(os.path.join(self.ws, "outside.txt"), os.path.join(self.dist, "abs"))

    def action(self, inputs):
        self.steps = getattr(self, "steps", 0) + 1
        out = os.path.join(self.ws, "_temp", "output-%d" % self.steps)
        os.makedirs(os.path.dirname(out), exist_ok=True)
        summary = out + ".md"
        open(out, "w").close()
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": self.ws,
               "RUNNER_TEMP": os.path.join(self.ws, "_temp"), "GITHUB_OUTPUT": out, "GITHUB_STEP_SUMMARY": summary,
               "GITHUB_REPOSITORY": "octo/hello", "GITHUB_RUN_ID": "4242", "ACTIONS_RUNTIME_TOKEN": self.token,
               "ACTIONS_RESULTS_URL": RESULTS, "INPUT_SUMMARY": "none"}
        env.update(inputs)
        p = subprocess.run([BIN], env=env, cwd=self.ws, capture_output=True, timeout=120)
        with open(out) as f:
            outputs = parse_outputs(f.read())
        return p, outputs

    def client(self, *args):
        env = dict(os.environ, ACTIONS_RUNTIME_TOKEN=self.token, ACTIONS_RESULTS_URL=RESULTS)
        p = subprocess.run([NODE, CLIENT] + list(args), env=env, capture_output=True, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stdout[-5000:] + p.stderr[-5000:])
        return json.loads(p.stdout.strip().splitlines()[-1])

    def round_trip(self, name):
        """The build job (scan + upload both), then the consumer's downloads. Returns (manifest, copy dir)."""
        p, out = self.action({"INPUT_PATH": "dist", "INPUT_ARTIFACT-NAME": name + "-manifest"})
        self.assertEqual(p.returncode, 0, p.stdout.decode() + p.stderr.decode())
        # The one hidden file is named where the upload can still be fixed.
        self.assertIn(b"::warning::1 hidden file (.config/settings) would be left out by actions/upload-artifact's "
                      b"defaults: upload this tree with `include-hidden-files: true`", p.stdout)
        self.original_digest = out["digest"]
        up = self.client("upload", name, self.dist)
        self.assertIn(".config/settings", up["files"])
        copy = os.path.join(self.ws, "consumer", "dist")
        got = self.client("download", name, copy)
        self.assertFalse(got["digestMismatch"])
        self.client("download", name + "-manifest", os.path.join(self.ws, "consumer", "m"))
        manifest = os.path.join(self.ws, "consumer", "m", "manifest.json")
        # What the trip did to the tree: executables are not executable, links are copies of their targets.
        self.assertFalse(os.stat(os.path.join(copy, "bin/tool")).st_mode & stat.S_IXUSR)
        for rel in LINKS:
            self.assertTrue(stat.S_ISREG(os.lstat(os.path.join(copy, rel)).st_mode), rel)
        return manifest, copy

    def assert_like_the_original(self, copy):
        for rel in FILES:
            a, b = os.lstat(os.path.join(self.dist, rel)), os.lstat(os.path.join(copy, rel))
            self.assertTrue(stat.S_ISREG(b.st_mode), rel)
            self.assertEqual(stat.S_IMODE(b.st_mode), stat.S_IMODE(a.st_mode), rel)
        for rel, target in LINKS.items():
            self.assertEqual(os.readlink(os.path.join(copy, rel)), target, rel)

    def fresh_scan_digest(self, copy):
        out = os.path.join(self.ws, "fresh.json")
        p = subprocess.run([BIN, "scan", copy, "-o", out, "-q"], capture_output=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(out) as f:
            return json.load(f)["root_digest"]

    def test_restore_makes_the_download_equal_to_the_original(self):
        manifest, copy = self.round_trip("clean")
        with open(manifest) as f:
            self.assertEqual(json.load(f)["root_digest"], self.original_digest)
        self.assertNotEqual(self.fresh_scan_digest(copy), self.original_digest)  # the download is not the tree
        p, out = self.action({"INPUT_RESTORE": "consumer/dist", "INPUT_RESTORE-MANIFEST": "consumer/m/manifest.json"})
        log = p.stdout.decode()
        self.assertEqual(p.returncode, 0, log + p.stderr.decode())
        self.assertEqual((out["restored"], out["failed"], out["missing"], out["new"]), ("4", "0", "0", "0"), log)
        self.assertIn("bin/tool: restored mode 0755\n", log)
        self.assertIn("current: restored symlink -> lib/libx.so (in place of the copy of its target)\n", log)
        self.assertIn("::stop-commands::", log)
        self.assertNotIn("artifact-id", out)  # restoring uploads nothing
        self.assert_like_the_original(copy)
        self.assertEqual(self.fresh_scan_digest(copy), self.original_digest)

    def test_links_that_leave_the_tree_stay_copies_and_are_reported(self):
        self.add_escaping_links()
        manifest, copy = self.round_trip("escaping")
        p = subprocess.run([BIN, "restore", manifest, copy], capture_output=True, text=True)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        for rel, target in (("escape", "../outside.txt"), ("abs", os.path.join(self.ws, "outside.txt"))):
            self.assertIn("%s: NOT RESTORED (kept as it is: the link's target '%s' leaves the tree)\n" % (rel, target),
                          p.stdout)
            self.assertIn("%s: FAILED (type-changed: symlink -> file)\n" % rel, p.stdout)
            self.assertTrue(stat.S_ISREG(os.lstat(os.path.join(copy, rel)).st_mode), rel)
        self.assert_like_the_original(copy)
        d = subprocess.run([BIN, "diff", manifest, copy, "--format", "json"], capture_output=True, text=True)
        changes = json.loads(d.stdout)["changes"]
        self.assertEqual([(c["change"], c["path"]) for c in changes], [("type-changed", "abs"),
                                                                       ("type-changed", "escape")])
        with open(os.path.join(self.ws, "outside.txt"), "rb") as f:
            self.assertEqual(f.read(), b"outside the tree\n")

    def test_a_tampered_download_is_reported_and_only_the_manifest_is_restored(self):
        manifest, copy = self.round_trip("tampered")
        with open(os.path.join(copy, "share/doc.txt"), "r+b") as f:
            f.write(b"D")  # one byte changed
        with open(os.path.join(copy, "lib/libx.so"), "r+b") as f:
            f.seek(100)
            f.write(b"!")  # the copy of a link's target, changed: it must not be replaced
        os.unlink(os.path.join(copy, "bin/run.sh"))
        with open(os.path.join(copy, "extra.sh"), "wb") as f:
            f.write(b"#!/bin/sh\n")
        os.chmod(os.path.join(copy, "extra.sh"), 0o644)
        p, out = self.action({"INPUT_RESTORE": "consumer/dist", "INPUT_RESTORE-MANIFEST": "consumer/m/manifest.json"})
        log = p.stdout.decode()
        self.assertEqual(p.returncode, 1, log + p.stderr.decode())
        self.assertEqual((out["failed"], out["missing"], out["new"]), ("2", "1", "1"), log)
        self.assertIn("share/doc.txt: FAILED (modified: ", log)
        self.assertIn("lib/libx.so: FAILED (type-changed: symlink -> file)\n", log)
        self.assertIn("lib/libx.so: NOT RESTORED (kept as it is: the file where the link was differs from its target "
                      "'libx.so.1')\n", log)
        self.assertIn("bin/run.sh: MISSING\n", log)
        self.assertIn("extra.sh: NEW (not in the manifest)\n", log)
        self.assertIn("::error::restore: consumer/dist does not match the manifest", log)
        self.assertEqual(stat.S_IMODE(os.stat(os.path.join(copy, "extra.sh")).st_mode), 0o644)
        self.assertTrue(stat.S_ISREG(os.lstat(os.path.join(copy, "lib/libx.so")).st_mode))
        self.assertEqual(stat.S_IMODE(os.stat(os.path.join(copy, "bin/tool")).st_mode), 0o755)
        self.assertFalse(os.path.lexists(os.path.join(copy, "bin/run.sh")))


if __name__ == "__main__":
    unittest.main(verbosity=2)
