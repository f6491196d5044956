"""Shared helpers for the end-to-end tests: run the real treeprint binary on real trees."""

import base64
import json
import os
import shutil
import subprocess
import tempfile
import unittest

BIN = os.environ.get("TREEPRINT_BIN") or os.path.join(
    os.path.dirname(__file__), "..", "..", "build", "treeprint")
SOURCE_DIR = os.environ.get("TREEPRINT_SOURCE_DIR") or os.path.join(os.path.dirname(__file__), "..", "..")


def run(args, timeout=300, check=None, cwd=None):
    """Runs treeprint; returns CompletedProcess with bytes stdout/stderr."""
    proc = subprocess.run([BIN] + [os.fsencode(a) if isinstance(a, str) else a for a in args],
                          capture_output=True, timeout=timeout, cwd=cwd)
    if check is not None and proc.returncode != check:
        raise AssertionError("treeprint %r exited %d (wanted %d)\nstderr:\n%s" % (
            args, proc.returncode, check, proc.stderr.decode(errors="replace")))
    return proc


def load_manifest(path):
    with open(path, "rb") as f:
        raw = f.read()
    return json.loads(raw.decode("utf-8", errors="strict"))  # must be valid UTF-8


def raw_path(entry, key="path"):
    """The raw bytes of an entry's path, decoding the lossless scheme for names that are not UTF-8."""
    if key in entry:
        return entry[key].encode("utf-8")
    return base64.b64decode(entry[key + "_base64"], validate=True)


class TreeTest(unittest.TestCase):
    """A test with a scratch directory `self.tmp` (bytes path), removed afterwards."""

    def setUp(self):
        self.tmp = os.fsencode(tempfile.mkdtemp(prefix="treeprint-e2e-"))

    def tearDown(self):
        for root, dirs, _ in os.walk(self.tmp):
            for d in dirs:
                try:
                    os.chmod(os.path.join(root, d), 0o755)
                except OSError:
                    pass
        shutil.rmtree(self.tmp, ignore_errors=True)

    def path(self, *parts):
        return os.path.join(self.tmp, *[os.fsencode(p) for p in parts])

    def write(self, rel, data=b"", mode=0o644):
        full = self.path(rel)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as f:
            f.write(data)
        os.chmod(full, mode)
        return full
