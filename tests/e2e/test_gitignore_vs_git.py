"""Differential test: on generated trees with nested .gitignore files and .git/info/exclude, the files treeprint keeps
must be exactly the untracked, not-ignored files git itself lists (`git ls-files --others --exclude-standard`)."""

import os
import random
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from helpers import TreeTest, raw_path, run  # noqa: E402

NAMES = ["a", "b", "c", "build", "src", "x.log", "keep.log", "y.txt", "z.o", ".hidden", "doc", "deep",
         "#hash", "!bang", "sp ace", "tr ", "a.b", "[x]", "*"]
PATTERNS = ["*.log", "!keep.log", "/build", "build/", "a/**/c", "**/deep", "*.txt", "!*.txt", "b/", "[ab]",
            "?.o", "a/b", "\\#hash", "\\!bang", "src/*", "*", "!*/", "!src/", "c", "**/x.log", "deep/**",
            "doc/", "/a", "sp\\ ace", "tr\\ ", "tr ", "a.b", "\\[x]", "[[]x]", "\\*", "!a", "x.log/", "*/y.txt",
            "/*/z.o", "**", "a/**", "!deep/**/keep.log", "# comment", "", "build/**/z.o", "[!a-c]*", ".hidden",
            "[a", "b/c/", "doc/*.txt", "*.[ot]"]


def make_tree(root, rng, depth=0):
    for name in rng.sample(NAMES, rng.randint(2, 7)):
        path = os.path.join(root, name)
        if os.path.lexists(path):
            continue
        if depth < 3 and rng.random() < 0.4:
            os.mkdir(path)
            make_tree(path, rng, depth + 1)
        else:
            with open(path, "w") as f:
                f.write(name)
    if rng.random() < 0.6:
        lines = [rng.choice(PATTERNS) for _ in range(rng.randint(1, 6))]
        eol = "\r\n" if rng.random() < 0.1 else "\n"
        with open(os.path.join(root, ".gitignore"), "w") as f:
            f.write(eol.join(lines) + (eol if rng.random() < 0.8 else ""))


def git_untracked(root, env):
    out = subprocess.run(["git", "-C", root, "ls-files", "-z", "--others", "--exclude-standard"],
                         capture_output=True, check=True, env=env).stdout
    return sorted(p for p in out.split(b"\0") if p)


class GitignoreVsGitTest(TreeTest):
    def test_generated_trees_agree_with_git(self):
        env = dict(os.environ, HOME=os.fsdecode(self.tmp), XDG_CONFIG_HOME=os.fsdecode(self.tmp),
                   GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL="/dev/null")
        seeds = int(os.environ.get("TREEPRINT_GITIGNORE_SEEDS", "150"))
        compared = 0
        for seed in range(seeds):
            rng = random.Random(seed)
            root = os.path.join(self.tmp, b"t%d" % seed)
            os.mkdir(root)
            subprocess.run(["git", "init", "-q", root], check=True, env=env)
            make_tree(os.fsdecode(root), rng)
            if rng.random() < 0.3:
                with open(os.path.join(root, b".git", b"info", b"exclude"), "a") as f:
                    f.write("\n".join(rng.choice(PATTERNS) for _ in range(2)) + "\n")
            expected = git_untracked(root, env)
            p = run(["scan", root, "-o", "-", "-q"], check=0)
            import json
            m = json.loads(p.stdout)
            got = sorted([raw_path(e) for e in m["files"]] + [raw_path(e) for e in m["symlinks"]])
            if got != expected:
                ignores = subprocess.run(["sh", "-c", "find . -name .gitignore -print -exec cat -A {} \\;; "
                                          "cat -A .git/info/exclude"], cwd=root, capture_output=True).stdout
                self.fail("seed %d: treeprint and git disagree\nonly treeprint: %r\nonly git: %r\n%s" % (
                    seed, sorted(set(got) - set(expected)), sorted(set(expected) - set(got)),
                    ignores.decode(errors="replace")))
            compared += len(expected)
        self.assertGreater(compared, seeds)  # the trees were not all empty

    def test_check_ignore_agrees_on_hand_picked_cases(self):
        env = dict(os.environ, HOME=os.fsdecode(self.tmp), GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL="/dev/null")
        subprocess.run(["git", "init", "-q", self.tmp], check=True, env=env)
        self.write(".gitignore", b"*.log\n!important.log\nlogs/\n/root-only\n**/gen/**\n!gen/keep\n")
        self.write("sub/.gitignore", b"!debug.log\n*.tmp\n")
        for rel in ("a.log", "important.log", "logs/x", "root-only", "sub/root-only", "gen/out", "x/gen/a/b",
                    "gen/keep", "sub/debug.log", "sub/x.tmp", "sub/y.log", "plain"):
            self.write(rel, b"x")
        files = ["a.log", "important.log", "logs/x", "root-only", "sub/root-only", "gen/out", "x/gen/a/b",
                 "gen/keep", "sub/debug.log", "sub/x.tmp", "sub/y.log", "plain"]
        ignored = subprocess.run(["git", "-C", self.tmp, "check-ignore", "--no-index", "--stdin"],
                                 input="\n".join(files).encode(), capture_output=True, env=env).stdout.split()
        p = run(["scan", self.tmp, "-o", "-", "-q"], check=0)
        import json
        kept = {raw_path(e) for e in json.loads(p.stdout)["files"]}
        for f in files:
            self.assertEqual(f.encode() in kept, f.encode() not in ignored, f)


if __name__ == "__main__":
    unittest.main()
