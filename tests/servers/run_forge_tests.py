#!/usr/bin/env python3
"""Runs the Gitea and GitLab tests: starts, on free loopback ports, the fake forge (fake_forge.py) and `prism proxy
--errors` in front of it with Gitea's API description (forges/gitea-subset.json), which checks every request to the
Gitea routes and every answer of the fake against that description (a request that breaks it gets 422); then runs
the given command with their URLs in its environment, and stops everything by PID.

  TREEPRINT_FORGE_FAKE_URL    the fake itself (GitLab's routes, and the control endpoints)
  TREEPRINT_GITEA_PROXY_URL   Prism in front of the fake, for Gitea's routes (/api/v1/...)
"""

import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from launch import free_port, print_logs, stop, wait_ready  # noqa: E402
import fake_forge  # noqa: E402


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: run_forge_tests.py COMMAND [ARG...]")
    prism = os.path.join(HERE, "node_modules", ".bin", "prism")
    node = shutil.which("node")
    if not node or not os.path.exists(prism):
        sys.exit("Prism is not installed: run scripts/install-deps.sh --test")
    _, server = fake_forge.start()
    fake_url = "http://127.0.0.1:%d" % server.server_address[1]
    proxy_port = free_port()
    proxy_url = "http://127.0.0.1:%d" % proxy_port
    logs = tempfile.mkdtemp(prefix="treeprint-forge-")
    procs = []
    try:
        log_path = os.path.join(logs, "gitea-proxy.log")
        cmd = [node, prism, "proxy", "--errors", "-h", "127.0.0.1", "-p", str(proxy_port),
               os.path.join(HERE, "forges", "gitea-subset.json"), fake_url]
        procs.append((subprocess.Popen(cmd, stdout=open(log_path, "w"), stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL), log_path))
        wait_ready(proxy_url + "/", procs[0][0], log_path)
        env = dict(os.environ, TREEPRINT_FORGE_FAKE_URL=fake_url, TREEPRINT_GITEA_PROXY_URL=proxy_url)
        for k in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
            env.pop(k, None)
        rc = subprocess.call(sys.argv[1:], env=env)
        if rc != 0:
            print_logs(procs)
        return rc
    finally:
        stop(procs)
        server.shutdown()
        shutil.rmtree(logs, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
