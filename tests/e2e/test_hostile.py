"""Hostile trees: special files, names that are not UTF-8, symlink loops and escapes, depth beyond PATH_MAX, a huge
directory, a file over 4 GiB."""

import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from helpers import BIN, TreeTest, load_manifest, raw_path, run  # noqa: E402


class HostileTest(TreeTest):
    def scan(self, *extra, check=0):
        out = self.tmp + b".json"
        try:
            run(["scan", self.tmp, "-o", out, "-q", *extra], check=check, timeout=120)
            return load_manifest(out)
        finally:
            if os.path.exists(out):
                os.unlink(out)

    def test_fifo_socket_and_device_are_listed_never_opened(self):
        self.write("f", b"x")
        os.mkfifo(self.path("fifo"))  # opening it for reading would block forever
        s = socket.socket(socket.AF_UNIX)
        s.bind(self.path("sock"))
        kinds = {"fifo": "fifo", "sock": "socket"}
        if os.geteuid() == 0:
            os.mknod(self.path("null-dev"), stat.S_IFCHR | 0o666, os.makedev(1, 3))
            kinds["null-dev"] = "char-device"
        m = self.scan()
        s.close()
        self.assertEqual([e["path"] for e in m["files"]], ["f"])
        self.assertEqual({e["path"]: e["type"] for e in m["skipped"]}, kinds)
        self.assertEqual(m["totals"]["skipped"], len(kinds))

    def test_names_that_are_not_utf8_round_trip_losslessly(self):
        names = [b"latin1-caf\xe9", b"\xff\xfe", b"ok-\xc3\xa9", b"overlong-\xc0\xaf", b"surrogate-\xed\xa0\x80"]
        for n in names:
            self.write(n, n)
        os.symlink(b"target-\xe9", self.path("link-\xe9".encode("latin-1").decode("utf-8", "surrogateescape")))
        m = self.scan()
        self.assertEqual(sorted(raw_path(e) for e in m["files"]), sorted(names))
        for e in m["files"]:
            raw = raw_path(e)
            self.assertEqual("path" in e, raw == b"ok-\xc3\xa9")  # only the valid UTF-8 name is plain text
        self.assertEqual(raw_path(m["symlinks"][0]), b"link-\xe9")
        self.assertEqual(raw_path(m["symlinks"][0], "target"), b"target-\xe9")

    def test_symlink_loops_and_escapes(self):
        self.write("inside/f", b"f")
        os.symlink(b"..", self.path("inside/up"))
        os.symlink(b"loop-b", self.path("loop-a"))
        os.symlink(b"loop-a", self.path("loop-b"))
        os.symlink(b"/etc", self.path("abs-escape"))
        os.symlink(b"../../..", self.path("inside/rel-escape"))
        plain = self.scan()
        self.assertEqual([e["path"] for e in plain["files"]], ["inside/f"])
        self.assertEqual(len(plain["symlinks"]), 5)
        self.assertTrue(all("not_followed" not in e for e in plain["symlinks"]))
        followed = self.scan("--follow-symlinks")
        self.assertEqual([e["path"] for e in followed["files"]], ["inside/f"])
        self.assertEqual({e["path"]: e["not_followed"] for e in followed["symlinks"]},
                         {"abs-escape": "outside root", "inside/rel-escape": "outside root", "inside/up": "loop",
                          "loop-a": "loop", "loop-b": "loop"})

    def test_tree_deeper_than_path_max(self):
        seg = b"d" * 200
        depth = 40  # 40 * 201 bytes > PATH_MAX (4096)
        fd = os.open(self.tmp, os.O_RDONLY)
        for _ in range(depth):
            os.mkdir(seg, dir_fd=fd)
            nfd = os.open(seg, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = nfd
        f = os.open(b"leaf", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(f, b"bottom")
        os.close(f)
        os.close(fd)
        m = self.scan()
        self.assertEqual(len(m["files"]), 1)
        self.assertEqual(m["files"][0]["path"], "/".join([seg.decode()] * depth) + "/leaf")
        self.assertGreater(len(m["files"][0]["path"]), 4096)
        oracle = subprocess.run(["sha256sum"], input=b"bottom", capture_output=True, check=True).stdout.split()[0]
        self.assertEqual(m["files"][0]["sha256"], oracle.decode())
        self.assertEqual(m["errors"], [])

    def test_directory_with_100000_entries(self):
        big = self.path("big")
        os.mkdir(big)
        fd = os.open(big, os.O_RDONLY)
        for i in range(100_000):
            os.close(os.open("f%06d" % i, os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd))
        os.close(fd)
        m = self.scan("-j", "2")
        self.assertEqual(m["totals"]["files"], 100_000)
        self.assertEqual(m["files"][0]["path"], "big/f000000")
        self.assertEqual(m["files"][-1]["path"], "big/f099999")

    def test_file_over_4_gib(self):
        size = (4 << 30) + 12345
        with open(self.path("huge.bin"), "wb") as f:  # sparse: no disk space needed
            f.truncate(size - 5)
            f.seek(size - 5)
            f.write(b"tail!")
        m = self.scan()
        self.assertEqual(m["files"][0]["size"], size)
        with open(self.path("huge.bin"), "rb") as f:
            oracle = subprocess.run(["sha256sum"], stdin=f, capture_output=True, check=True).stdout.split()[0]
        self.assertEqual(m["files"][0]["sha256"], oracle.decode())

    def test_unreadable_entries_are_recorded_and_exit_1(self):
        self.write("ok", b"1")
        self.write("secret", b"2", mode=0o000)
        self.write("locked/inner", b"3")
        os.chmod(self.path("locked"), 0o000)
        os.chmod(self.tmp, 0o755)
        binary = os.fsencode(os.path.abspath(BIN))
        bin_dir = tempfile.mkdtemp(prefix="treeprint-bin-")
        try:
            if os.geteuid() == 0:  # root reads everything: drop to nobody so permissions apply
                # nobody may not be able to reach the build tree: run a copy from a directory it can enter.
                os.chmod(bin_dir, 0o755)
                shutil.copy(binary, os.path.join(bin_dir, "treeprint"))
                binary = os.fsencode(os.path.join(bin_dir, "treeprint"))
            cmd = [binary, b"scan", self.tmp, b"-o", b"-", b"-q"]
            if os.geteuid() == 0:
                cmd = [b"setpriv", b"--reuid=65534", b"--regid=65534", b"--clear-groups", b"--"] + cmd
            p = subprocess.run(cmd, capture_output=True, timeout=60)
        finally:
            shutil.rmtree(bin_dir, ignore_errors=True)
        self.assertEqual(p.returncode, 1, p.stderr)
        m = json.loads(p.stdout)
        self.assertEqual([e["path"] for e in m["files"]], ["ok"])
        self.assertEqual({e["path"]: e["message"] for e in m["errors"]},
                         {"locked": "cannot open directory: Permission denied",
                          "secret": "cannot open: Permission denied"})


if __name__ == "__main__":
    unittest.main()
