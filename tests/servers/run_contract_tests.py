#!/usr/bin/env python3
"""Runs the REST contract tests: every GitHubApi call goes through Prism, which checks it against GitHub's OpenAPI
description (github-subset.json) and answers 422 to a request that breaks it.

Starts, on free loopback ports:
  - `prism mock` on the description (happy-path answers made from its examples);
  - our programmable fake GitHub (fake_github.py) and its "blob storage", with `prism proxy --errors` in front of the
    fake, for failures: 5xx, 429 with Retry-After, rate limits, slow answers, dropped connections, redirects;
then runs the given command (the contract test binary, or an end-to-end test script) with their URLs in its
environment, and stops everything by PID.

Needs `npm ci` in tests/servers (scripts/install-deps.sh --test does it).
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from launch import free_port, print_logs, stop, wait_ready  # noqa: E402
import fake_github  # noqa: E402


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: run_contract_tests.py COMMAND [ARG...]")
    command = sys.argv[1:]
    prism = os.path.join(HERE, "node_modules", ".bin", "prism")
    node = shutil.which("node")
    if not node or not os.path.exists(prism):
        sys.exit("Prism is not installed: run scripts/install-deps.sh --test (it installs Node.js and runs npm ci in "
                 "tests/servers)")
    spec_path = os.path.join(HERE, "github-subset.json")
    with open(spec_path) as f:
        spec = json.load(f)

    mock_port, proxy_port = free_port(), free_port()
    mock_url = "http://127.0.0.1:%d" % mock_port
    proxy_url = "http://127.0.0.1:%d" % proxy_port
    fake, api, blob = fake_github.start(spec, lambda _port: proxy_url)
    fake_url = "http://127.0.0.1:%d" % api.server_address[1]

    logs = tempfile.mkdtemp(prefix="treeprint-prism-")
    procs = []
    try:
        commands = [
            ("mock", [node, prism, "mock", "-h", "127.0.0.1", "-p", str(mock_port), spec_path], mock_url),
            ("proxy", [node, prism, "proxy", "--errors", "-h", "127.0.0.1", "-p", str(proxy_port), spec_path,
                       fake_url], proxy_url),
        ]
        for name, cmd, _ in commands:
            log_path = os.path.join(logs, name + ".log")
            procs.append((subprocess.Popen(cmd, stdout=open(log_path, "w"), stderr=subprocess.STDOUT,
                                           stdin=subprocess.DEVNULL), log_path))
        for (proc, log_path), (_, _, url) in zip(procs, commands):
            wait_ready(url + "/", proc, log_path)

        env = dict(os.environ)
        env.update({"TREEPRINT_PRISM_MOCK_URL": mock_url, "TREEPRINT_PRISM_PROXY_URL": proxy_url,
                    "TREEPRINT_FAKE_URL": fake_url})
        for k in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
            env.pop(k, None)
        rc = subprocess.call(command, env=env)
        if rc != 0:
            print_logs(procs)
        return rc
    finally:
        stop(procs)
        api.shutdown()
        blob.shutdown()
        shutil.rmtree(logs, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
