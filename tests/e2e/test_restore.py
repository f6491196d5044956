#!/usr/bin/env python3
"""`treeprint restore` on the real binary: hostile manifests are refused before anything changes, a link that would
leave the tree is never made, a symlink planted in the copy is never followed, and --dry-run changes nothing.
(The round trip through a real artifact is tests/servers/test_restore_round_trip.py.)"""

import hashlib
import json
import os
import stat
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from helpers import TreeTest, load_manifest, run  # noqa: E402


def root_digest(files, links):
    """docs/manifest.md, "Root digest"."""
    records = [(f["path"].encode(), b"f\0%s\0%s\0%d\0%s\0" % (f["path"].encode(), f["mode"].encode(), f["size"],
                                                             f["sha256"].encode())) for f in files]
    records += [(l["path"].encode(), b"l\0%s\0%s\0" % (l["path"].encode(), l["target"].encode())) for l in links]
    h = hashlib.sha256()
    for _, r in sorted(records):
        h.update(r)
    return "sha256:" + h.hexdigest()


class Restore(TreeTest):
    def setUp(self):
        super().setUp()
        self.outside = self.path("outside")
        self.write("outside/tool", b"t", 0o644)
        self.copy = self.path("copy")
        self.write("copy/bin/tool", b"t", 0o644)  # executable in every manifest below

    def craft(self, files, links):
        """A manifest with these entries (and a correct root digest and totals), as a hostile party could write."""
        empty = self.path("empty")
        os.makedirs(empty, exist_ok=True)
        out = self.path("skeleton.json")
        run(["scan", empty, "-o", out, "-q"], check=0)
        m = load_manifest(out)
        m["files"] = [{"path": p, "size": len(c), "mtime": "2024-01-01T00:00:00.000000000Z",
                       "mode": "0755" if x else "0644", "sha256": hashlib.sha256(c).hexdigest()}
                      for p, c, x in files]
        m["symlinks"] = [{"path": p, "target": t} for p, t in links]
        m["totals"].update(files=len(files), bytes=sum(len(c) for _, c, _ in files), symlinks=len(links))
        m["root_digest"] = root_digest(m["files"], m["symlinks"])
        path = self.path("crafted.json")
        with open(path, "w") as f:
            json.dump(m, f)
        return path

    def restore(self, manifest, *extra):
        return run(["restore", manifest, self.copy] + list(extra))

    def mode(self, *parts):
        return stat.S_IMODE(os.lstat(os.path.join(*parts)).st_mode)

    def test_a_manifest_that_checks_out_is_accepted(self):
        # The crafting itself is right: the same entries without the hostile one are restored.
        m = self.craft([("bin/tool", b"t", True)], [("zlink", "bin/tool")])
        p = self.restore(m)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual(self.mode(self.copy, b"bin/tool"), 0o755)
        self.assertEqual(os.readlink(os.path.join(self.copy, b"zlink")), b"bin/tool")

    def test_hostile_manifests_are_refused_before_anything_changes(self):
        cases = {
            "a '..' path": ([("../outside/tool", b"t", True)], [], b"is not a clean relative path"),
            "an absolute path": ([("/tmp/tool", b"t", True)], [], b"is not a clean relative path"),
            "a path twice": ([("bin/tool", b"t", True), ("bin/tool", b"t", True)], [], b"appears twice"),
            "a file and a link": ([("bin/tool", b"t", True), ("dup", b"x", False)], [("dup", "bin/tool")],
                                  b"is both a file and a symlink"),
            "a path through a symlinked directory": (
                [("bin/tool", b"t", True), ("d/tool", b"t", True)], [("d", "../outside")],
                b"the manifest lists 'd/tool' below 'd', which it lists as a symlink"),
        }
        for name, (files, links, message) in cases.items():
            with self.subTest(name):
                if not any(p == "bin/tool" for p, _, _ in files):
                    files = [("bin/tool", b"t", True)] + files
                m = self.craft(sorted(files), sorted(links + [("zlink", "bin/tool")]))
                p = self.restore(m)
                self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
                self.assertIn(message, p.stderr)
                self.assertIn(b"nothing was changed", p.stderr)
                self.assertEqual(p.stdout, b"")
                self.assertEqual(self.mode(self.copy, b"bin/tool"), 0o644)
                self.assertFalse(os.path.lexists(os.path.join(self.copy, b"zlink")))
                self.assertFalse(os.path.lexists(os.path.join(self.copy, b"d")))
                self.assertEqual(self.mode(self.outside, b"tool"), 0o644)

    def test_a_link_whose_target_leaves_the_tree_is_never_made(self):
        self.write("copy/abs", b"t")  # a dereferenced copy of /.../outside/tool
        m = self.craft([("bin/tool", b"t", True)],
                       [("abs", os.fsdecode(self.outside) + "/tool"), ("bin/up", "../../outside/tool"),
                        ("ok", "bin/tool")])
        p = self.restore(m)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn(b"bin/up: NOT RESTORED (link not made: its target '../../outside/tool' leaves the tree)\n",
                      p.stdout)
        self.assertIn(b"abs: NOT RESTORED (kept as it is: the link's target '", p.stdout)
        self.assertIn(b"bin/up: MISSING\n", p.stdout)
        self.assertIn(b"abs: FAILED (type-changed: symlink -> file)\n", p.stdout)
        self.assertFalse(os.path.lexists(os.path.join(self.copy, b"bin/up")))
        self.assertTrue(stat.S_ISREG(os.lstat(os.path.join(self.copy, b"abs")).st_mode))
        self.assertEqual(os.readlink(os.path.join(self.copy, b"ok")), b"bin/tool")

    def test_a_symlink_planted_in_the_copy_is_never_followed(self):
        orig = self.path("orig")
        self.write("orig/bin/tool", b"t", 0o755)
        self.write("orig/script", b"t", 0o755)
        out = self.path("m.json")
        run(["scan", orig, "-o", out, "-q"], check=0)
        os.unlink(os.path.join(self.copy, b"bin/tool"))
        os.rmdir(os.path.join(self.copy, b"bin"))
        os.symlink(self.outside, os.path.join(self.copy, b"bin"))  # bin/tool would be outside/tool
        os.symlink(os.path.join(self.outside, b"tool"), os.path.join(self.copy, b"script"))
        p = self.restore(out)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn(b"bin/tool: NOT RESTORED (mode not set: something that is not a directory (a symlink?) is on "
                      b"its way)\n", p.stdout)
        self.assertIn(b"bin/tool: MISSING\n", p.stdout)
        self.assertIn(b"script: FAILED (type-changed: file -> symlink)\n", p.stdout)
        self.assertEqual(self.mode(self.outside, b"tool"), 0o644)

    def test_dry_run_says_what_would_change_and_changes_nothing(self):
        self.write("copy/link", b"t")
        m = self.craft([("bin/tool", b"t", True)], [("link", "bin/tool"), ("new-link", "bin/tool")])
        p = self.restore(m, "--dry-run")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual(p.stdout, b"bin/tool: would restore mode 0755\n"
                                   b"link: would restore symlink -> bin/tool (in place of the copy of its target)\n"
                                   b"new-link: would restore symlink -> bin/tool\n")
        self.assertIn(b"restore (dry run): 3 to change, 0 not restored", p.stderr)
        self.assertEqual(self.mode(self.copy, b"bin/tool"), 0o644)
        self.assertTrue(stat.S_ISREG(os.lstat(os.path.join(self.copy, b"link")).st_mode))
        self.assertFalse(os.path.lexists(os.path.join(self.copy, b"new-link")))

    def test_usage_errors(self):
        p = run(["restore"])
        self.assertEqual(p.returncode, 2)
        self.assertIn(b"MANIFEST is required", p.stderr)
        p = run(["restore", self.path("nope.json"), self.copy])
        self.assertEqual(p.returncode, 2)
        self.assertIn(b"nothing was changed", p.stderr)
        m = self.craft([("bin/tool", b"t", True)], [])
        p = run(["restore", m, self.path("not-a-dir")])
        self.assertEqual(p.returncode, 2)
        self.assertIn(b"is not a directory", p.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
