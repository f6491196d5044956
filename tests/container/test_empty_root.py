#!/usr/bin/env python3
"""The static binary in an empty root, as it lives in the scratch image: a chroot holding only the binary,
/etc/hosts, /etc/resolv.conf, a CA bundle and a workspace. It runs as the action (summary: status) against a local
HTTPS fake of the REST API whose certificate comes from a throwaway CA made with `openssl` here, reached through a
made-up host name that only /etc/hosts knows.

Checks: the name resolves through /etc/hosts with no NSS libraries; TLS is verified with SSL_CERT_FILE and with the
default bundle path; a bundle without the test CA, or a name that does not resolve, is a warning and nothing is sent;
the outputs match a scan of the same tree outside the chroot.

Needs root (chroot) and a statically linked TREEPRINT_BIN; otherwise it is skipped (exit 77) with the reason."""

import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import unittest
from http.server import ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "servers"))
import fake_github  # noqa: E402

BIN = os.environ.get("TREEPRINT_BIN", "")
HOST = "api.treeprint-chroot.test"
TOKEN = "ghs_chrootSecretTokenValue0123456789"
SHA = "0123456789abcdef0123456789abcdef01234567"
SKIP = 77


def is_static(path):
    """No PT_INTERP and no PT_DYNAMIC program header (ELF64 little-endian)."""
    with open(path, "rb") as f:
        head = f.read(64)
        if head[:4] != b"\x7fELF" or head[4] != 2:
            return False
        phoff = int.from_bytes(head[32:40], "little")
        phentsize = int.from_bytes(head[54:56], "little")
        phnum = int.from_bytes(head[56:58], "little")
        f.seek(phoff)
        table = f.read(phentsize * phnum)
    types = {int.from_bytes(table[i * phentsize:i * phentsize + 4], "little") for i in range(phnum)}
    return not types & {2, 3}  # PT_DYNAMIC, PT_INTERP


def why_skip():
    if not BIN or not os.path.exists(BIN):
        return "TREEPRINT_BIN is not set or missing"
    if os.geteuid() != 0:
        return "needs root for chroot (run the suite as root, or in the container build)"
    if not is_static(BIN):
        return "%s is not statically linked (a sanitizer build?)" % BIN
    if not shutil.which("openssl"):
        return "the openssl command is not installed"
    probe = tempfile.mkdtemp(prefix="treeprint-chroot-probe-")
    try:
        pid = os.fork()
        if pid == 0:
            try:
                os.chroot(probe)
                os._exit(0)
            except OSError:
                os._exit(1)
        _, status = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            return "chroot is not permitted here (no CAP_SYS_CHROOT)"
    finally:
        shutil.rmtree(probe, ignore_errors=True)
    return None


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, env={"PATH": os.environ["PATH"]})


def make_pki(d):
    """A throwaway CA, a server certificate for HOST signed by it, and an unrelated CA."""
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=treeprint test CA",
            "-keyout", "ca.key", "-out", "ca.crt", cwd=d)
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=" + HOST, "-keyout", "server.key",
            "-out", "server.csr", cwd=d)
    with open(os.path.join(d, "ext.cnf"), "w") as f:
        f.write("subjectAltName=DNS:%s\nextendedKeyUsage=serverAuth\n" % HOST)
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
            "-days", "2", "-extfile", "ext.cnf", "-out", "server.crt", cwd=d)
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=some other CA",
            "-keyout", "other.key", "-out", "other.crt", cwd=d)


def parse_outputs(text):
    out, lines, i = {}, text.split("\n"), 0
    while i < len(lines) - 1:
        name, delim = lines[i].split("<<", 1)
        end = lines.index(delim, i + 1)
        out[name] = "\n".join(lines[i + 1:end])
        i = end + 1
    return out


class EmptyRoot(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="treeprint-chroot-")
        cls.pki = os.path.join(cls.dir, "pki")
        os.makedirs(cls.pki)
        make_pki(cls.pki)
        with open(os.path.join(HERE, "..", "servers", "github-subset.json")) as f:
            spec = json.load(f)
        cls.fake = fake_github.Fake(spec, None)
        cls.server = ThreadingHTTPServer(("127.0.0.1", 0), fake_github.make_handler(cls.fake))
        cls.server.daemon_threads = True
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(os.path.join(cls.pki, "server.crt"), os.path.join(cls.pki, "server.key"))
        cls.server.socket = ctx.wrap_socket(cls.server.socket, server_side=True)
        cls.port = cls.server.server_address[1]
        cls.fake.public_url = "https://%s:%d" % (HOST, cls.port)
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def make_root(self, ca="ca.crt", hosts=True):
        root = tempfile.mkdtemp(prefix="root-", dir=self.dir)
        for d in ("etc/ssl/certs", "github/workspace/src", "github/file_commands", "github/runner_temp", "tmp"):
            os.makedirs(os.path.join(root, d))
        shutil.copy2(BIN, os.path.join(root, "treeprint"))
        with open(os.path.join(root, "etc/hosts"), "w") as f:
            f.write("127.0.0.1 localhost\n" + ("127.0.0.1 %s\n" % HOST if hosts else ""))
        with open(os.path.join(root, "etc/resolv.conf"), "w") as f:
            f.write("nameserver 127.0.0.1\noptions timeout:1 attempts:1\n")
        shutil.copy(os.path.join(self.pki, ca), os.path.join(root, "etc/ssl/certs/ca-certificates.crt"))
        for name, data in (("src/main.c", b"int main(void) { return 0; }\n"), ("README", b"hello\n")):
            with open(os.path.join(root, "github/workspace", name), "wb") as f:
                f.write(data)
        for name in ("output", "summary"):
            open(os.path.join(root, "github/file_commands", name), "w").close()
        return root

    def run_in_root(self, root, cert_env=True):
        env = {"GITHUB_ACTIONS": "true", "CI": "true", "HOME": "/github/home",
               "GITHUB_WORKSPACE": "/github/workspace", "RUNNER_TEMP": "/github/runner_temp",
               "GITHUB_OUTPUT": "/github/file_commands/output", "GITHUB_STEP_SUMMARY": "/github/file_commands/summary",
               "GITHUB_REPOSITORY": "octo/repo", "GITHUB_SHA": SHA, "GITHUB_RUN_ID": "77", "GITHUB_JOB": "scan",
               "GITHUB_API_URL": "https://%s:%d" % (HOST, self.port), "GITHUB_SERVER_URL": "https://github.com",
               "INPUT_TOKEN": TOKEN, "INPUT_SUMMARY": "status"}
        if cert_env:
            env["SSL_CERT_FILE"] = "/etc/ssl/certs/ca-certificates.crt"

        def enter():
            os.chroot(root)
            os.chdir("/github/workspace")

        self.fake.reset()
        p = subprocess.run(["/treeprint"], env=env, preexec_fn=enter, capture_output=True, timeout=60)
        with open(os.path.join(root, "github/file_commands/output")) as f:
            outputs = parse_outputs(f.read())
        with self.fake.lock:
            log = list(self.fake.log)
        return p, outputs, log

    def host_digest(self, root):
        out = os.path.join(self.dir, "host-manifest.json")
        subprocess.run([BIN, "scan", os.path.join(root, "github/workspace"), "-q", "-o", out], check=True)
        with open(out) as f:
            return json.load(f)["root_digest"]

    def assert_posted(self, p, outputs, log, root):
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual([(r["method"], r["path"]) for r in log], [("POST", "/repos/octo/repo/statuses/" + SHA)],
                         p.stdout + p.stderr)
        headers = {k.lower(): v for k, v in log[0]["headers"].items()}
        self.assertEqual(headers["authorization"], "Bearer " + TOKEN)
        self.assertEqual(headers["host"].split(":")[0], HOST)
        self.assertEqual(outputs["digest"], self.host_digest(root))
        self.assertEqual((outputs["files"], outputs["errors"]), ("2", "0"))
        self.assertTrue(os.path.exists(os.path.join(root, "github/runner_temp/treeprint/manifest.json")))

    def test_verified_tls_with_ssl_cert_file(self):
        root = self.make_root()
        self.assert_posted(*self.run_in_root(root), root)

    def test_default_bundle_path_without_ssl_cert_file(self):
        root = self.make_root()
        self.assert_posted(*self.run_in_root(root, cert_env=False), root)

    def test_unknown_ca_is_refused_and_nothing_is_sent(self):
        root = self.make_root(ca="other.crt")
        p, outputs, log = self.run_in_root(root)
        self.assertEqual(p.returncode, 0, p.stderr)  # an API failure is a warning; the outputs are there
        self.assertEqual(log, [])
        self.assertIn(b"::warning", p.stdout + p.stderr)
        self.assertEqual(outputs["digest"], self.host_digest(root))
        self.assertNotIn(TOKEN.encode(), p.stderr)

    def test_name_not_in_hosts_is_a_warning(self):
        root = self.make_root(hosts=False)
        p, outputs, log = self.run_in_root(root)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(log, [])
        self.assertIn(b"::warning", p.stdout + p.stderr)
        self.assertEqual(outputs["files"], "2")


if __name__ == "__main__":
    reason = why_skip()
    if reason:
        print("SKIPPED: " + reason)
        sys.exit(SKIP)
    sys.exit(0 if unittest.main(exit=False, verbosity=2).result.wasSuccessful() else 1)
