"""`treeprint scan` end to end: sha256sum as the judge of digests, determinism, filters, outputs, exit codes."""

import json
import os
import random
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from helpers import TreeTest, load_manifest, raw_path, run  # noqa: E402

HOSTILE_NAMES = [b"plain.txt", b"with space", b"back\\slash", b"new\nline", b"-leading-dash", b"--", b"tab\tname",
                 b"cr\rname", b"caf\xc3\xa9", b"not-utf8-\xff\xfe", b"emoji-\xf0\x9f\x98\x80", b"'quote\"", b"*star?"]


def oracle_digests(root, paths):
    """sha256sum's digest of every path (relative bytes), one process per path so no escaping is involved."""
    out = {}
    for p in paths:
        with open(os.path.join(root, p), "rb") as f:
            proc = subprocess.run(["sha256sum"], stdin=f, capture_output=True, check=True)
        out[p] = proc.stdout.split(b" ")[0].decode()
    return out


def all_files(root):
    found = []
    for dirpath, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d != b".git"]
        for name in files:
            full = os.path.join(dirpath, name)
            if os.path.isfile(full) and not os.path.islink(full):
                found.append(os.path.relpath(full, root))
    return sorted(found)


class ScanTest(TreeTest):
    def make_tree(self, seed=7, count=300):
        rng = random.Random(seed)
        for i in range(count):
            depth = rng.randint(0, 4)
            parts = [rng.choice([b"src", b"lib", b"a b", b"x\\y", b"-d", b"\xe9t\xe9"]) for _ in range(depth)]
            parts.append(rng.choice(HOSTILE_NAMES) + b"-" + str(i).encode())
            rel = os.path.join(*parts)
            size = rng.choice([0, 1, 100, 4095, 4096, 65537, 300000])
            self.write(rel, rng.randbytes(size), 0o755 if i % 5 == 0 else 0o644)
        for name in HOSTILE_NAMES:
            self.write(b"top/" + name, name * 3)

    def test_every_digest_equals_sha256sum(self):
        self.make_tree()
        root = self.tmp
        out = self.tmp + b".m.json"
        try:
            run(["scan", root, "-o", out, "-q"], check=0)
            m = load_manifest(out)
        finally:
            if os.path.exists(out):
                os.unlink(out)
        got = {raw_path(e): e["sha256"] for e in m["files"]}
        expected_paths = all_files(root)
        self.assertEqual(sorted(got), expected_paths)
        self.assertEqual(got, oracle_digests(root, expected_paths))
        sizes = {raw_path(e): e["size"] for e in m["files"]}
        for p in expected_paths:
            self.assertEqual(sizes[p], os.path.getsize(os.path.join(root, p)))
            mode = "0755" if os.stat(os.path.join(root, p)).st_mode & 0o100 else "0644"
            self.assertEqual([e["mode"] for e in m["files"] if raw_path(e) == p], [mode])
        self.assertEqual([raw_path(e) for e in m["files"]], sorted(raw_path(e) for e in m["files"]))  # bytewise
        self.assertEqual(m["totals"]["files"], len(expected_paths))
        self.assertEqual(m["totals"]["bytes"], sum(sizes.values()))

    def test_sha256sum_file_passes_sha256sum_check(self):
        self.make_tree(seed=3, count=120)
        sums = self.tmp + b".sums"
        try:
            run(["scan", self.tmp, "--sha256sum", sums, "-q"], check=0)
            with open(sums, "rb") as f:
                text = f.read()
            self.assertIn(b"\n\\", text)  # some lines are escaped (names with \\, LF or CR)
            check = subprocess.run(["sha256sum", "--strict", "-c", sums], cwd=self.tmp, capture_output=True)
            self.assertEqual(check.returncode, 0, check.stdout[-2000:] + check.stderr[-2000:])
            self.assertEqual(check.stdout.count(b": OK\n"), len(all_files(self.tmp)))
        finally:
            if os.path.exists(sums):
                os.unlink(sums)

    def test_bytes_do_not_depend_on_thread_count(self):
        self.make_tree(seed=11, count=400)
        outputs = []
        for threads in ("1", "2", "5", "16"):
            out = self.tmp + b".m" + threads.encode()
            sums = self.tmp + b".s" + threads.encode()
            run(["scan", self.tmp, "-j", threads, "-o", out, "--sha256sum", sums, "-q"], check=0)
            with open(out, "rb") as f, open(sums, "rb") as g:
                outputs.append((f.read(), g.read()))
            os.unlink(out)
            os.unlink(sums)
        for o in outputs[1:]:
            self.assertEqual(o, outputs[0])

    def test_output_inside_the_tree_is_never_hashed_and_rerun_is_stable(self):
        self.write("a", b"1")
        self.write("sub/b", b"2")
        out = self.path("sub/manifest.json")
        run(["scan", self.tmp, "-o", out, "--sha256sum", self.path("SUMS"), "-q"], check=0)
        with open(out, "rb") as f:
            first = f.read()
        run(["scan", self.tmp, "-o", out, "--sha256sum", self.path("SUMS"), "-q"], check=0)
        with open(out, "rb") as f:
            self.assertEqual(f.read(), first)
        self.assertEqual([e["path"] for e in load_manifest(out)["files"]], ["a", "sub/b"])
        self.assertEqual(sorted(os.listdir(self.path("sub"))), [b"b", b"manifest.json"])  # no temporary left

    def test_since_keeps_files_modified_at_or_after(self):
        for name, t in (("old", 1_000_000_000), ("edge", 1_600_000_000), ("new", 1_700_000_000)):
            self.write(name, b"x")
            os.utime(self.path(name), ns=(t * 10**9, t * 10**9))
        for since in ("1600000000", "2020-09-13T12:26:40Z", "2020-09-13T14:26:40+02:00"):
            p = run(["scan", self.tmp, "--since", since, "-o", "-", "-q"], check=0)
            names = [e["path"] for e in json.loads(p.stdout)["files"]]
            self.assertEqual(names, ["edge", "new"], since)

    def test_include_exclude_and_gitignore(self):
        for rel in ("src/a.c", "src/a.h", "src/gen/g.c", "docs/x.md", "build/o.c", "notes.c", ".gitignore"):
            self.write(rel, rel.encode())
        with open(self.path(".gitignore"), "wb") as f:
            f.write(b"build/\n")
        p = run(["scan", self.tmp, "-o", "-", "-q", "--include", "*.c", "--exclude", "src/gen/"], check=0)
        self.assertEqual([e["path"] for e in json.loads(p.stdout)["files"]], ["notes.c", "src/a.c"])
        p = run(["scan", self.tmp, "-o", "-", "-q", "--no-gitignore", "--include", "/build/"], check=0)
        self.assertEqual([e["path"] for e in json.loads(p.stdout)["files"]], ["build/o.c"])

    def test_summary_line(self):
        self.write("a", b"hello")
        p = run(["scan", self.tmp], check=0)
        self.assertRegex(p.stderr.decode(), r"^treeprint: 1 files \(5 B\) in [0-9.]+ s, .*/s; 0 symlinks, 0 skipped, "
                                             r"0 errors; root sha256:[0-9a-f]{64}\n$")


class ExitCodeTest(TreeTest):
    def test_missing_dir(self):
        p = run(["scan", self.path("nope"), "-o", self.path("m.json")], check=2)
        self.assertIn(b"cannot open directory '" + self.path("nope") + b"': No such file or directory", p.stderr)
        self.assertEqual(os.listdir(self.tmp), [])

    def test_not_a_directory(self):
        self.write("file", b"x")
        p = run(["scan", self.path("file")], check=2)
        self.assertIn(b"'" + self.path("file") + b"' is not a directory", p.stderr)

    def test_unwritable_output_fails_before_scanning(self):
        self.write("file", b"x")
        p = run(["scan", self.tmp, "-o", self.path("file", "m.json")], check=2)
        self.assertIn(b"cannot write '" + self.path("file", "m.json") + b"'", p.stderr)
        self.assertNotIn(b"files (", p.stderr)
        p = run(["scan", self.tmp, "-o", self.path("m.json"), "--sha256sum", self.path("nodir", "s")], check=2)
        self.assertEqual(sorted(os.listdir(self.tmp)), [b"file"])  # the first output's temp file is gone too

    def test_baseline_is_read_even_when_no_file_asks_for_it(self):
        """The baseline is read while the tree is listed, not when the first file is settled: a walk that settles
        none (an empty tree) still says what was wrong with it, and writes a valid manifest."""
        os.makedirs(self.path("tree"))
        self.write("bad.json", b"{}")
        p = run(["scan", self.path("tree"), "-o", self.path("m.json"), "--baseline", self.path("bad.json")], check=0)
        self.assertIn(b"warning: ignoring the baseline: " + self.path("bad.json"), p.stderr)
        self.assertEqual(load_manifest(self.path("m.json"))["files"], [])

    def test_usage_error(self):
        p = run(["scan", "--threads", "many"], check=2)
        self.assertIn(b"--threads", p.stderr)

    def test_help_documents_exit_codes(self):
        p = run(["scan", "--help"], check=0)
        self.assertIn(b"Exit status: 0", p.stdout)


if __name__ == "__main__":
    unittest.main()
