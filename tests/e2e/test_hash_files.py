"""`treeprint changed --hash-files` against @actions/glob's hashFiles(), the code behind GitHub's hashFiles()
expression: the same hash for the same patterns on the same tree, and a failure where it fails.

Needs Node.js and tests/servers/node_modules (npm ci in tests/servers)."""

import json
import os
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from helpers import BIN, SOURCE_DIR, TreeTest  # noqa: E402

NODE = os.environ.get("TREEPRINT_NODE") or shutil.which("node") or "node"
JUDGE = os.path.join(SOURCE_DIR, "tests", "servers", "hash-files-judge.mjs")


def judge(workspace, patterns, follow=False):
    proc = subprocess.run([NODE, JUDGE, workspace, "true" if follow else "false"] + patterns,
                          capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        raise AssertionError("judge failed: %s" % proc.stderr)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def treeprint(workspace, patterns, follow=False):
    args = [BIN, "changed", "", workspace, "--format", "json", "-q"]
    if follow:
        args.append("--hash-files=--follow-symbolic-links")
    for p in patterns:
        args.append("--hash-files=" + p)
    proc = subprocess.run(args, capture_output=True, text=True, timeout=120)
    if proc.returncode == 2:
        return {"error": proc.stderr}
    if proc.returncode != 1:  # no baseline: everything counts as added, so "changed"
        raise AssertionError("treeprint exited %d: %s" % (proc.returncode, proc.stderr))
    return {"hash": json.loads(proc.stdout)["hash"]}


class HashFilesAgainstActionsGlob(TreeTest):
    def setUp(self):
        super().setUp()
        self.ws = os.path.realpath(os.fsdecode(self.path("ws")))
        os.makedirs(self.ws)
        files = {
            "package-lock.json": b"{}\n",
            "README.md": b"readme\n",
            ".env": b"SECRET=no\n",
            ".github/workflows/ci.yml": b"on: push\n",
            "src/main.c": b"int main(void) { return 0; }\n",
            "src/util/str.c": b"/* str */\n",
            "src/util/.hidden.c": b"/* hidden */\n",
            "src/empty.c": b"",
            "web/package-lock.json": b"{\"web\": 1}\n",
            "web/node_modules/dep/package-lock.json": b"{\"dep\": 1}\n",
            "a-c": b"dash\n",       # sorts before "a/" bytewise, after "a" as a name: the order is per directory
            "a/b": b"slash\n",
            "a.txt": b"dot\n",
            "x[1].txt": b"brackets\n",
            "caf\u00e9.txt".encode(): b"accent\n",
            "deep/1/2/3/4/leaf.lock": b"leaf\n",
            "deep/1/top.lock": b"top\n",
        }
        for rel, data in files.items():
            full = os.path.join(self.ws, os.fsdecode(rel) if isinstance(rel, bytes) else rel)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "wb") as f:
                f.write(data)
        os.symlink("src/main.c", os.path.join(self.ws, "link-to-file.c"))
        os.symlink("src", os.path.join(self.ws, "link-to-dir"))

    def same(self, patterns, follow=False, expect_match=True):
        want = judge(self.ws, patterns, follow)
        got = treeprint(self.ws, patterns, follow)
        self.assertNotIn("error", want, "the judge failed on %r: %s" % (patterns, want.get("error")))
        self.assertEqual(got, want, "patterns %r (follow=%s)" % (patterns, follow))
        if expect_match:
            self.assertEqual(len(want["hash"]), 64, patterns)
        return want["hash"]

    def test_everything(self):
        self.same(["**"])

    def test_lock_files_anywhere(self):
        self.same(["**/package-lock.json"])

    def test_negation_and_reinclusion(self):
        self.same(["**/package-lock.json", "!**/node_modules/**"])
        self.same(["**/*.c", "!src/util", "src/util/str.c"])

    def test_hidden_files_are_matched(self):
        h = self.same(["**/*.c"])
        self.assertNotEqual(h, self.same(["**/*.c", "!**/.*"]))
        self.same([".env"])

    def test_nested_globstar_and_directory_pattern(self):
        self.same(["deep/**/*.lock"])
        self.same(["deep/**/4/**"])
        self.same(["src"])   # a directory: everything below
        self.same(["src/"])  # a trailing slash: the same through the implicit descendants pattern

    def test_order_follows_pattern_order_and_per_directory_names(self):
        one = self.same(["src/**", "web/**"])
        two = self.same(["web/**", "src/**"])
        self.assertNotEqual(one, two)  # the digests go in search-path order
        self.same(["a*", "a/**"])

    def test_symlinks(self):
        self.same(["link-to-file.c"])  # hashed with its target's content
        self.same(["link-to-dir/**"], expect_match=False)  # not descended: no match
        self.same(["**"], follow=True)
        self.same(["link-to-dir/**"], follow=True)

    def test_empty_and_special_names(self):
        self.same(["src/empty.c"])
        self.same(["x[[]1].txt"])
        self.same(["x?1?.txt"])
        self.same(["caf?.txt"])
        self.same(["[a-c].txt"])
        self.same(["# a comment\n  README.md  \n\n\t", "!#x"])

    def test_a_file_matches_its_own_globstar_pattern(self):
        self.same(["README.md/**"])

    def test_no_match_is_empty(self):
        self.assertEqual(self.same(["nothing/**"], expect_match=False), "")
        self.assertEqual(self.same(["*.nothing"], expect_match=False), "")
        self.assertEqual(self.same(["**", "!**"], expect_match=False), "")

    def test_absolute_and_dot_patterns(self):
        self.same(["./src/**"])
        self.same([self.ws + "/src/*.c"])

    def test_failures_agree(self):
        os.symlink("missing", os.path.join(self.ws, "broken"))
        for patterns in (["broken"], ["../x"], ["src/../README.md"]):
            want = judge(self.ws, patterns)
            got = treeprint(self.ws, patterns)
            self.assertIn("error", want, patterns)
            self.assertIn("error", got, patterns)
        # Following links, a broken one is left out instead.
        self.same(["**"], follow=True)


if __name__ == "__main__":
    unittest.main()
