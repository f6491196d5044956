#!/usr/bin/env python3
"""End to end: the commands that read manifests (inspect, diff, verify, merge, export) and incremental scans,
run as the real binary on real trees. sha256sum and this file's own reading of the documented formats judge."""

import base64
import hashlib
import json
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from helpers import BIN, TreeTest, load_manifest, raw_path, run  # noqa: E402

HOSTILE_NAMES = [b"plain.txt", b"with space", b"back\\slash", b"new\nline", b"-leading-dash", b"caf\xe9",
                 b"dir/nested/deep.bin", b"star*name", b"tab\tname"]


def root_digest(files, symlinks):
    """docs/manifest.md, "Root digest", implemented independently of the C++ code."""
    records = []
    for f in files:
        records.append((raw_path(f), b"f\0" + raw_path(f) + b"\0" + f["mode"].encode() + b"\0" +
                        str(f["size"]).encode() + b"\0" + f["sha256"].encode() + b"\0"))
    for s in symlinks:
        records.append((raw_path(s), b"l\0" + raw_path(s) + b"\0" + raw_path(s, "target") + b"\0"))
    h = hashlib.sha256()
    for _, rec in sorted(records):
        h.update(rec)
    return "sha256:" + h.hexdigest()


def write_manifest(path, files, symlinks=()):
    """A manifest with correct totals and root digest, whatever its paths say."""
    doc = {"schema": "treeprint/manifest/v1", "tool": {"name": "treeprint", "version": "0.0.0"},
           "root_digest": root_digest(files, symlinks),
           "totals": {"files": len(files), "bytes": sum(f["size"] for f in files), "symlinks": len(symlinks),
                      "skipped": 0, "errors": 0},
           "files": files, "symlinks": list(symlinks), "skipped": [], "errors": []}
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f)


def file_entry(path, content, mode="0644"):
    return {"path": path, "size": len(content), "mtime": "2024-01-02T03:04:05.000000000Z", "mode": mode,
            "sha256": hashlib.sha256(content).hexdigest()}


class ManifestTools(TreeTest):
    def make_tree(self):
        for i, name in enumerate(HOSTILE_NAMES):
            self.write(b"tree/" + name, b"content %d\n" % i * (i + 1))
        os.symlink(b"plain.txt", self.path("tree/link"))
        os.mkfifo(self.path("tree/fifo"))
        return self.path("tree")

    def scan(self, tree, out, *extra, check=0):
        return run(["scan", tree, "-o", out, "-q"] + list(extra), check=check)

    def test_inspect_reads_any_layout_and_reports_totals(self):
        tree = self.make_tree()
        m = self.path("m.json")
        self.scan(tree, m)
        doc = load_manifest(m)
        info = json.loads(run(["inspect", m, "--json"], check=0).stdout)
        self.assertTrue(info["valid"])
        self.assertEqual(info["totals"], doc["totals"])
        self.assertEqual(info["root_digest"], doc["root_digest"])
        self.assertEqual(root_digest(doc["files"], doc["symlinks"]), doc["root_digest"])
        # Any JSON layout of the same document is the same manifest.
        other = self.path("other.json")
        with open(other, "w", encoding="utf-8") as f:
            json.dump(doc, f, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
        self.assertEqual(json.loads(run(["inspect", other, "--json"], check=0).stdout), info)
        with open(m, "rb") as f:
            text = f.read()
        p = subprocess.run([BIN, "inspect", "-"],
                           input=text, capture_output=True)
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_inspect_rejects_a_tampered_manifest(self):
        tree = self.make_tree()
        m = self.path("m.json")
        self.scan(tree, m)
        doc = load_manifest(m)
        doc["files"][0]["sha256"] = "0" * 64
        bad = self.path("bad.json")
        with open(bad, "w", encoding="utf-8") as f:
            json.dump(doc, f)
        p = run(["inspect", bad], check=2)
        self.assertIn(b"root_digest is sha256:", p.stderr)
        self.assertIn(b"bad.json", p.stderr)

    def test_sharded_scans_merge_into_the_unsharded_bytes(self):
        tree = self.make_tree()
        for i in range(300):
            self.write("tree/many/f%03d" % i, b"%d" % i)
        whole, sums = self.path("whole.json"), self.path("whole.sums")
        self.scan(tree, whole, "--sha256sum", sums)
        for n in (1, 2, 5):
            parts = [self.path("p%d-%d.json" % (n, i)) for i in range(1, n + 1)]
            for i, part in enumerate(parts, 1):
                self.scan(tree, part, "--shard", "%d/%d" % (i, n))
                self.assertEqual(load_manifest(part)["shard"], {"index": i, "count": n})
            merged, merged_sums = self.path("merged%d.json" % n), self.path("merged%d.sums" % n)
            run(["merge"] + parts + ["-o", merged, "--sha256sum", merged_sums, "-q"], check=0)
            with open(whole, "rb") as a, open(merged, "rb") as b:
                self.assertEqual(a.read(), b.read(), "merge of %d shards" % n)
            with open(sums, "rb") as a, open(merged_sums, "rb") as b:
                self.assertEqual(a.read(), b.read())
        parts = [self.path("p5-%d.json" % i) for i in range(1, 6)]
        self.assertIn(b"shard(s) 5 of 5 missing", run(["merge"] + parts[:4] + ["-o", self.path("x")], check=2).stderr)
        self.assertIn(b"are both shard 1", run(["merge", parts[0], parts[0], "-o", self.path("x")], check=2).stderr)
        mixed = run(["merge", parts[0], self.path("p2-1.json"), "-o", self.path("x")], check=2).stderr
        self.assertIn(b"one of 5", mixed)
        self.assertIn(b"is not a shard", run(["merge", whole, "-o", self.path("x")], check=2).stderr)
        self.assertFalse(os.path.exists(self.path("x")))
        run(["scan", tree, "--shard", "0/3"], check=2)
        run(["scan", tree, "--shard", "4/3"], check=2)

    def test_baseline_scan_equals_a_full_scan(self):
        tree = self.make_tree()
        full, inc = self.path("full.json"), self.path("inc.json")
        self.scan(tree, inc, "--baseline", inc)  # no baseline yet: a note, every file hashed
        self.assertTrue(os.path.exists(self.path("inc.json.stat")))
        self.scan(tree, inc, "--baseline", inc)
        self.scan(tree, full)
        with open(full, "rb") as a, open(inc, "rb") as b:
            self.assertEqual(a.read(), b.read())
        # Same size, mtime put back: only ctime tells; then a new file and a removed one.
        target = self.path("tree/plain.txt")
        st = os.stat(target)
        with open(target, "r+b") as f:
            f.write(b"X")
        os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))
        self.write("tree/added", b"new")
        os.unlink(self.path("tree/with space"))
        self.scan(tree, inc, "--baseline", inc)
        self.scan(tree, full)
        with open(full, "rb") as a, open(inc, "rb") as b:
            self.assertEqual(a.read(), b.read())
        with open(target, "rb") as f:
            want = hashlib.sha256(f.read()).hexdigest()
        got = [e["sha256"] for e in load_manifest(inc)["files"] if e.get("path") == "plain.txt"]
        self.assertEqual(got, [want])
        # A damaged sidecar costs only time.
        with open(self.path("inc.json.stat"), "r+b") as f:
            f.write(b"garbage")
        p = self.scan(tree, inc, "--baseline", inc)
        with open(full, "rb") as a, open(inc, "rb") as b:
            self.assertEqual(a.read(), b.read())
        p = run(["scan", tree, "-o", inc, "--baseline", inc], check=0)
        self.assertNotIn(b"warning", p.stderr)  # the run above rewrote a good sidecar
        run(["scan", tree, "--rehash-all"], check=2)

    def test_verify(self):
        tree = self.make_tree()
        m = self.path("m.json")
        self.scan(tree, m)
        run(["verify", m, tree, "-q"], check=0)
        self.write("tree/extra", b"x")
        out = run(["verify", m, tree, "-q"], check=1).stdout
        self.assertIn(b"extra: NEW", out)
        run(["verify", m, tree, "-q", "--allow-new"], check=0)
        with open(self.path("tree/plain.txt"), "ab") as f:
            f.write(b"changed")
        os.unlink(self.path("tree/star*name"))
        p = run(["verify", m, tree, "--allow-new"], check=1)
        self.assertIn(b"plain.txt: FAILED (modified", p.stdout)
        self.assertIn(b"star*name: MISSING", p.stdout)
        self.assertIn(b"verify: FAILED", p.stderr)
        report = json.loads(run(["verify", m, tree, "--format", "json", "-q"], check=1).stdout)
        self.assertEqual(report["counts"]["modified"], 1)
        self.assertEqual(report["counts"]["removed"], 1)

    def test_verify_refuses_paths_that_leave_the_tree(self):
        self.write("tree/a", b"a")
        self.write("secret", b"top secret")
        for bad in ("../secret", "/etc/passwd", "a/../../secret", "./a"):
            m = self.path("hostile.json")
            write_manifest(m, [file_entry(bad, b"top secret")])
            p = run(["verify", m, self.path("tree")], check=2)
            self.assertIn(b"not a clean relative path", p.stderr, bad)
            self.assertNotIn(b"secret: OK", p.stdout)

    def test_diff_between_a_manifest_and_a_directory(self):
        tree = self.make_tree()
        m = self.path("m.json")
        self.scan(tree, m)
        run(["diff", m, tree, "-q"], check=0)
        os.rename(self.path("tree/dir/nested/deep.bin"), self.path("tree/moved.bin"))
        os.chmod(self.path("tree/plain.txt"), 0o755)
        os.unlink(self.path("tree/link"))
        self.write("tree/link", b"now a file")
        report = json.loads(run(["diff", m, tree, "--format", "json", "-q"], check=1).stdout)
        kinds = {(c["change"], c["path"]) for c in report["changes"]}
        self.assertEqual(kinds, {("renamed", "moved.bin"), ("mode-changed", "plain.txt"), ("type-changed", "link")})
        md = run(["diff", m, tree, "--format", "markdown", "-q"], check=1).stdout
        self.assertIn(b"| renamed | <code>moved.bin</code> | <code>from dir/nested/deep.bin</code> |", md)
        run(["diff", m, self.path("nothing-here")], check=2)
        run(["diff", m, tree, "--format", "xml"], check=2)

    def test_export_formats(self):
        tree = self.make_tree()
        m = self.path("m.json")
        self.scan(tree, m)
        doc = load_manifest(m)
        digests = {raw_path(f): f["sha256"] for f in doc["files"]}

        # coreutils: sha256sum itself checks every file, escaped names included.
        sums = run(["export", m], check=0).stdout
        p = subprocess.run(["sha256sum", "--strict", "-c", "-"], input=sums, cwd=tree, capture_output=True)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

        # actions/attest: lines split on \r?\n, digest up to the first space, one leading '*' or ' ' dropped.
        p = run(["export", m, "--format", "subject-checksums"], check=1)
        subjects = {}
        for line in p.stdout.decode("utf-8").split("\n"):
            if " " not in line:
                continue
            digest, name = line.split(" ", 1)
            if name[:1] in ("*", " "):
                name = name[1:]
            self.assertRegex(digest, "^[0-9a-f]{64}$")
            subjects[name.encode()] = digest
        carried = {k: v for k, v in digests.items() if b"\n" not in k and b"\r" not in k and b"\xe9" not in k}
        self.assertEqual(subjects, carried)
        self.assertIn(b"left out of subject-checksums: 'new\\x0aline'", p.stderr)
        self.assertIn(b"caf\\xe9", p.stderr)

        # slsa-github-generator: base64 of sha256sum text; each line trimmed, split at the first space or tab.
        p = run(["export", m, "--format", "base64-subjects"], check=1)
        text = base64.b64decode(p.stdout.strip(), validate=True).decode("utf-8")
        slsa = {}
        for line in text.split("\n"):
            line = line.strip()
            if not line:
                continue
            cut = min(i for i in (line.find(" "), line.find("\t")) if i >= 0)
            slsa[line[cut:].strip().encode()] = line[:cut].lower()
        self.assertEqual(slsa, carried)

        # in-toto Statement v1.
        st = json.loads(run(["export", m, "--format", "in-toto"], check=1).stdout)
        self.assertEqual(st["_type"], "https://in-toto.io/Statement/v1")
        self.assertEqual(st["predicateType"], "urn:treeprint:manifest:v1")
        self.assertEqual(st["predicate"]["root_digest"], doc["root_digest"])
        named = {s["name"].encode(): s["digest"]["sha256"] for s in st["subject"]}
        self.assertEqual(named, {k: v for k, v in digests.items() if b"\xe9" not in k})

        # The 512 KiB cap of actions/attest: refused, nothing written.
        for i in range(6000):
            self.write("big/%s/%04d" % ("x" * 60, i), b"")
        big = self.path("big.json")
        self.scan(self.path("big"), big)
        out = self.path("subjects.txt")
        p = run(["export", big, "--format", "subject-checksums", "-o", out], check=2)
        self.assertIn(b"reads at most 524,288", p.stderr)
        self.assertFalse(os.path.exists(out))
        run(["export", m, "--format", "spdx"], check=2)


if __name__ == "__main__":
    unittest.main(verbosity=2)
