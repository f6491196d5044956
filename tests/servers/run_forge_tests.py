#!/usr/bin/env python3
"""Runs the Gitea, Forgejo and GitLab tests: starts, on free loopback ports, the fake forge (fake_forge.py) and three
`prism proxy --errors` in front of it, one with Gitea's API description (forges/gitea-subset.json), one with
Forgejo's (forges/forgejo-subset.json) and one with GitLab's (forges/gitlab-subset.json); each checks every request
to its forge's routes and every answer of the fake against that description (a request that breaks it gets 422 and
never reaches the fake); then runs the given command with their URLs in its environment, and stops everything by PID.
Gitea and Forgejo share the fake's /api/v1 routes: the same requests and answers, checked against each description.

  TREEPRINT_FORGE_FAKE_URL     the fake itself (the control endpoints, and requests no description covers)
  TREEPRINT_GITEA_PROXY_URL    Prism with Gitea's description in front of the fake (/api/v1/...)
  TREEPRINT_FORGEJO_PROXY_URL  Prism with Forgejo's description in front of the fake (/api/v1/...)
  TREEPRINT_GITLAB_PROXY_URL   Prism with GitLab's description in front of the fake (/api/v4/...)
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

FORGES = ("gitea", "forgejo", "gitlab")


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: run_forge_tests.py COMMAND [ARG...]")
    prism = os.path.join(HERE, "node_modules", ".bin", "prism")
    node = shutil.which("node")
    if not node or not os.path.exists(prism):
        sys.exit("Prism is not installed: run scripts/install-deps.sh --test")
    _, server = fake_forge.start()
    fake_url = "http://127.0.0.1:%d" % server.server_address[1]
    logs = tempfile.mkdtemp(prefix="treeprint-forge-")
    procs, urls = [], {}
    try:
        # All start at once (Prism takes seconds to come up), then each is waited for.
        for forge in FORGES:
            port = free_port()
            urls[forge] = "http://127.0.0.1:%d" % port
            log_path = os.path.join(logs, forge + "-proxy.log")
            cmd = [node, prism, "proxy", "--errors", "-h", "127.0.0.1", "-p", str(port),
                   os.path.join(HERE, "forges", forge + "-subset.json"), fake_url]
            procs.append((subprocess.Popen(cmd, stdout=open(log_path, "w"), stderr=subprocess.STDOUT,
                                           stdin=subprocess.DEVNULL), log_path))
        for (proc, log_path), forge in zip(procs, FORGES):
            wait_ready(urls[forge] + "/", proc, log_path)
        env = dict(os.environ, TREEPRINT_FORGE_FAKE_URL=fake_url)
        env.update({"TREEPRINT_%s_PROXY_URL" % forge.upper(): urls[forge] for forge in FORGES})
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
