"""Real manifests validate against docs/manifest.schema.json (JSON Schema 2020-12, checked by python3-jsonschema)."""

import copy
import json
import os
import socket
import sys
import unittest

import jsonschema

sys.path.insert(0, os.path.dirname(__file__))
from helpers import SOURCE_DIR, TreeTest, run  # noqa: E402

with open(os.path.join(SOURCE_DIR, "docs", "manifest.schema.json")) as f:
    SCHEMA = json.load(f)
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


class SchemaTest(TreeTest):
    def manifest(self, *extra):
        p = run(["scan", self.tmp, "-o", "-", "-q", *extra])
        self.assertIn(p.returncode, (0, 1), p.stderr)
        return json.loads(p.stdout)

    def assert_valid(self, m):
        errors = sorted(VALIDATOR.iter_errors(m), key=lambda e: list(e.path))
        self.assertEqual([], ["%s: %s" % (list(e.path), e.message) for e in errors])

    def test_every_kind_of_entry_validates(self):
        jsonschema.Draft202012Validator.check_schema(SCHEMA)
        self.write("plain", b"x")
        self.write("bin/tool", b"#!", mode=0o755)
        self.write("weird \\ \"name\"\n", b"y")
        self.write(b"latin-\xe9", b"z")
        os.symlink(b"plain", self.path("link"))
        os.symlink(b"target-\xff", self.path("badlink"))
        os.symlink(b"/etc", self.path("escape"))
        os.mkfifo(self.path("fifo"))
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(self.path("sock"))
        try:
            plain = self.manifest()
            followed = self.manifest("--follow-symlinks")
        finally:
            sock.close()
        for m in (plain, followed):
            self.assert_valid(m)
        self.assertTrue(any("path_base64" in e for e in plain["files"]))
        self.assertTrue(any("target_base64" in e for e in plain["symlinks"]))
        self.assertTrue(any("not_followed" in e for e in followed["symlinks"]))
        self.assertEqual(len(plain["skipped"]), 2)

    def test_empty_tree_validates(self):
        self.assert_valid(self.manifest())

    def test_schema_rejects_broken_manifests(self):
        self.write("a", b"x")
        good = self.manifest()
        self.assert_valid(good)
        breakages = [
            lambda m: m.pop("root_digest"),
            lambda m: m["files"][0].update(sha256="XYZ"),
            lambda m: m["files"][0].update(path="../escape"),
            lambda m: m["files"][0].update(path="/abs"),
            lambda m: m["files"][0].update(mode="0777"),
            lambda m: m["files"][0].update(path_base64="YQ=="),  # both forms at once
            lambda m: m["totals"].update(files=-1),
            lambda m: m.update(extra=1),
            lambda m: m.update(schema="treeprint/manifest/v2"),
        ]
        for i, breakage in enumerate(breakages):
            m = copy.deepcopy(good)
            breakage(m)
            self.assertFalse(VALIDATOR.is_valid(m), "breakage %d was accepted" % i)


if __name__ == "__main__":
    unittest.main()
