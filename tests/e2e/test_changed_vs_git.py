"""`treeprint changed` against `git diff --name-status -M` on generated repositories: every file tracked, every
kind of change. git is the judge of what was added, modified (content, mode, type), removed and renamed.

One difference is by design: treeprint pairs a rename only when the content is the same (same size and SHA-256),
so what git reports as a rename with edits (R<100) is, for treeprint, the old path removed and the new one added."""

import json
import os
import random
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from helpers import BIN, TreeTest  # noqa: E402


def git(repo, *args):
    env = dict(os.environ, GIT_CONFIG_GLOBAL="/dev/null", GIT_CONFIG_SYSTEM="/dev/null",
               GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com")
    return subprocess.run(["git", "-C", repo] + list(args), check=True, capture_output=True, env=env).stdout


class ChangedAgainstGit(TreeTest):
    def build_and_compare(self, seed):
        rng = random.Random(seed)
        repo = os.fsdecode(self.path("repo-%d" % seed))
        os.makedirs(repo)
        git(repo, "init", "-q")
        git(repo, "config", "core.fileMode", "true")
        dirs = ["", "src", "src/lib", "docs", "a/b/c", "tests/data"]
        paths = []
        for i in range(150):
            rel = os.path.join(rng.choice(dirs), "f%03d.%s" % (i, rng.choice(["c", "txt", "md"])))
            full = os.path.join(repo, rel)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "wb") as f:  # unique, non-empty contents: renames are unambiguous
                f.write(("file %d seed %d\n" % (i, seed)).encode() * rng.randint(1, 40))
            paths.append(rel)
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "one")
        old_manifest = os.fsdecode(self.path("old-%d.json" % seed))
        subprocess.run([BIN, "scan", repo, "-o", old_manifest, "-q"], check=True)

        rng.shuffle(paths)
        kinds = {"modify": paths[0:10], "chmod": paths[10:15], "retype": paths[15:18], "remove": paths[18:28],
                 "rename": paths[28:38], "rename_edit": paths[38:44]}
        for p in kinds["modify"]:
            with open(os.path.join(repo, p), "ab") as f:
                f.write(b"more\n")
        for p in kinds["chmod"]:
            os.chmod(os.path.join(repo, p), 0o755)
        for p in kinds["retype"]:  # file -> symlink: git says T
            os.remove(os.path.join(repo, p))
            os.symlink("elsewhere", os.path.join(repo, p))
        for p in kinds["remove"]:
            os.remove(os.path.join(repo, p))
        for i, p in enumerate(kinds["rename"]):
            new = os.path.join(rng.choice(dirs), "moved%d-%s" % (i, os.path.basename(p)))
            os.makedirs(os.path.join(repo, os.path.dirname(new)), exist_ok=True)
            os.rename(os.path.join(repo, p), os.path.join(repo, new))
        for i, p in enumerate(kinds["rename_edit"]):
            new = os.path.join("docs", "edited%d-%s" % (i, os.path.basename(p)))
            os.rename(os.path.join(repo, p), os.path.join(repo, new))
            with open(os.path.join(repo, new), "ab") as f:
                f.write(b"an edit\n")
        for i in range(7):
            with open(os.path.join(repo, "src", "new%d.c" % i), "wb") as f:
                f.write(b"new %d %d\n" % (i, seed))
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "two")

        # The judge.
        out = git(repo, "diff", "--name-status", "-M", "-z", "HEAD~1", "HEAD").split(b"\0")
        want = {"added": set(), "modified": set(), "removed": set(), "renamed": set()}
        git_partial_renames = 0
        i = 0
        while i < len(out) and out[i]:
            status = out[i].decode()
            if status.startswith("R"):
                old, new = out[i + 1].decode(), out[i + 2].decode()
                if status == "R100":
                    want["renamed"].add((old, new))
                else:  # renamed with edits: treeprint's rule is same content only
                    git_partial_renames += 1
                    want["removed"].add(old)
                    want["added"].add(new)
                i += 3
                continue
            path = out[i + 1].decode()
            {"A": want["added"], "M": want["modified"], "T": want["modified"], "D": want["removed"]}[status[0]].add(path)
            i += 2
        self.assertEqual(git_partial_renames, len(kinds["rename_edit"]), "the fixture has renames with edits")
        self.assertEqual(len(want["renamed"]), len(kinds["rename"]))

        proc = subprocess.run([BIN, "changed", old_manifest, repo, "--format", "json", "-q"], capture_output=True)
        self.assertEqual(proc.returncode, 1, proc.stderr)
        got = json.loads(proc.stdout)
        self.assertEqual(set(got["added"]), want["added"])
        self.assertEqual(set(got["modified"]), want["modified"])
        self.assertEqual(set(got["removed"]), want["removed"])
        self.assertEqual({(r["from"], r["to"]) for r in got["renamed"]}, want["renamed"])
        self.assertEqual(set(got["all_changed"]),
                         want["added"] | want["modified"] | {new for _, new in want["renamed"]})
        self.assertTrue(got["any_changed"])
        for key in ("added", "modified", "removed", "all_changed"):
            self.assertEqual(got[key], sorted(got[key], key=lambda s: s.encode()), key)

        # Against itself: nothing changed, exit 0.
        proc = subprocess.run([BIN, "changed", repo, repo, "--format", "json", "-q"], capture_output=True)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertFalse(json.loads(proc.stdout)["any_changed"])

    def test_seed_1(self):
        self.build_and_compare(1)

    def test_seed_2(self):
        self.build_and_compare(2)


class ChangedCommandLine(TreeTest):
    def setUp(self):
        super().setUp()
        self.write("tree/src/a.c", b"a\n")
        self.write("tree/docs/x.md", b"x\n")
        self.tree = os.fsdecode(self.path("tree"))

    def changed(self, *args):
        return subprocess.run([BIN, "changed"] + list(args), capture_output=True)

    def test_bad_filters_are_exit_2_naming_the_input(self):
        cases = {
            b"- src/**\n": b"must be a map",
            b"src: ['src/[ab']\n": b"filter 'src': pattern 'src/[ab'",
            b"docs: []\n": b"filter 'docs' has no pattern",
            b"all-changed-files: [x]\n": b"reserved",
            b"my filter: [x]\n": b"not a valid output name",
            b"src:\n  - touched: src/**\n": b"'touched' is not a change kind",
        }
        for text, message in cases.items():
            self.write("filters.yml", text)
            proc = self.changed("", self.tree, "--filters", os.fsdecode(self.path("filters.yml")))
            self.assertEqual(proc.returncode, 2, text)
            self.assertIn(b"--filters " + self.path("filters.yml"), proc.stderr, text)
            self.assertIn(message, proc.stderr, text)
            self.assertEqual(proc.stdout, b"", text)
        proc = self.changed("", self.tree, "--filters", os.fsdecode(self.path("missing.yml")))
        self.assertEqual(proc.returncode, 2)
        self.assertIn(b"missing.yml", proc.stderr)

    def test_missing_baseline_file_is_an_error_not_an_empty_baseline(self):
        proc = self.changed(os.fsdecode(self.path("nope.json")), self.tree)
        self.assertEqual(proc.returncode, 2)
        self.assertIn(b"nope.json", proc.stderr)

    def test_no_baseline_everything_added(self):
        proc = self.changed("", self.tree, "--format", "json", "-q")
        self.assertEqual(proc.returncode, 1)
        got = json.loads(proc.stdout)
        self.assertIsNone(got["baseline"])
        self.assertEqual(got["added"], ["docs/x.md", "src/a.c"])
        self.assertTrue(got["any_changed"])

    def test_github_and_dotenv_formats_with_the_changes_file(self):
        self.write("filters.yml", b"src: ['src/']\ndocs: ['docs/**']\n")
        changes = os.fsdecode(self.path("out", "changes.json"))
        os.makedirs(os.path.dirname(changes))
        proc = self.changed("", self.tree, "--filters", os.fsdecode(self.path("filters.yml")), "--format", "github",
                            "--changes-file", changes)
        self.assertEqual(proc.returncode, 1, proc.stderr)
        outputs, lines, i = {}, proc.stdout.decode().split("\n"), 0
        while i < len(lines) and lines[i]:
            name, delim = lines[i].split("<<")
            end = lines.index(delim, i + 1)
            outputs[name] = "\n".join(lines[i + 1:end])
            i = end + 1
        self.assertEqual(outputs["src"], "true")
        self.assertEqual(outputs["src-files"], "src/a.c")
        self.assertEqual(json.loads(outputs["changes"]), ["src", "docs"])
        self.assertEqual(outputs["changes-path"], changes)
        with open(changes) as f:
            self.assertEqual(json.load(f)["filters"]["docs"]["files"], ["docs/x.md"])
        proc = self.changed("", self.tree, "--filters", os.fsdecode(self.path("filters.yml")), "--format", "dotenv")
        self.assertEqual(proc.returncode, 1, proc.stderr)
        self.assertIn(b"TREEPRINT_FILTER_SRC=true\n", proc.stdout)
        for line in proc.stdout.decode().splitlines():
            self.assertRegex(line, r"^[A-Za-z0-9_]+=[^\r\n]*$")

    def scan(self, name, *extra):
        out = os.fsdecode(self.path(name))
        subprocess.run([BIN, "scan", self.tree, "-o", out, "-q"] + list(extra), check=True)
        return out

    def test_two_manifests_give_what_a_manifest_and_the_tree_give(self):
        for i in range(300):
            self.write("tree/src/gen/f%03d.c" % i, b"%d\n" % i)
        old = self.scan("old.json")
        self.write("tree/src/a.c", b"edited\n")
        os.rename(self.path("tree", "src", "gen", "f007.c"), self.path("tree", "docs", "f007.c"))
        os.remove(self.path("tree", "src", "gen", "f100.c"))
        os.remove(self.path("tree", "src", "gen", "f200.c"))  # a file, now a symlink
        os.symlink("a.c", self.path("tree", "src", "gen", "f200.c"))
        self.write("tree/new.txt", b"new\n")
        new = self.scan("new.json")
        streamed = self.changed(old, new, "--format", "json", "-q")
        scanned = self.changed(old, self.tree, "--format", "json", "-q")
        self.assertEqual(streamed.returncode, 1, streamed.stderr)
        self.assertEqual(scanned.returncode, 1, scanned.stderr)
        got = json.loads(streamed.stdout)
        self.assertEqual(got, json.loads(scanned.stdout))
        self.assertEqual(got["added"], ["new.txt"])
        self.assertEqual(got["modified"], ["src/a.c", "src/gen/f200.c"])
        self.assertEqual(got["removed"], ["src/gen/f100.c"])
        self.assertEqual(got["renamed"], [{"from": "src/gen/f007.c", "to": "docs/f007.c"}])
        same = self.changed(new, new, "--format", "json", "-q")
        self.assertEqual(same.returncode, 0, same.stderr)
        self.assertFalse(json.loads(same.stdout)["any_changed"])

    def test_a_manifest_found_bad_mid_files_is_exit_2_naming_it(self):
        for i in range(50):
            self.write("tree/f%02d" % i, b"%d" % i)
        good = self.scan("good.json")
        with open(good, "rb") as f:
            text = f.read()
        at = text.index(b'"path": "f40"')
        bad_text = text[:at] + text[at:].replace(b'"0644"', b'"0640"', 1)
        bad = os.fsdecode(self.path("bad.json"))
        with open(bad, "wb") as f:
            f.write(bad_text)
        changes = os.fsdecode(self.path("changes.json"))
        for args in ((bad, good), (good, bad)):
            proc = self.changed(*args, "--format", "json", "--changes-file", changes)
            self.assertEqual(proc.returncode, 2, proc.stderr)
            self.assertEqual(proc.stdout, b"")
            self.assertIn(os.fsencode(bad) + b": files[", proc.stderr)
            self.assertIn(b'mode must be \"0644\" or \"0755\"', proc.stderr)
            self.assertFalse(os.path.exists(changes))
        proc = subprocess.run([BIN, "diff", good, bad], capture_output=True)
        self.assertEqual(proc.returncode, 2, proc.stderr)
        self.assertIn(os.fsencode(bad) + b": files[", proc.stderr)

    def test_a_shard_is_compared_with_a_warning(self):
        for i in range(20):
            self.write("tree/f%02d" % i, b"%d" % i)
        whole = self.scan("whole.json")
        part = self.scan("part.json", "--shard", "1/2")
        proc = self.changed(whole, part, "--format", "json")
        self.assertEqual(proc.returncode, 1, proc.stderr)
        self.assertIn(os.fsencode(part) + b" holds shard 1 of 2 only", proc.stderr)
        self.assertNotIn(os.fsencode(whole) + b" holds", proc.stderr)


if __name__ == "__main__":
    unittest.main()
