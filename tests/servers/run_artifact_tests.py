#!/usr/bin/env python3
"""Runs the artifact upload tests against real parts, all on loopback:

  - Azurite (in memory, no telemetry) as the blob store;
  - our fake Results service, fake-results.js, which signs SAS URLs into Azurite and checks the Twirp calls;
  - GitHub's own client (@actions/artifact) against the fake first (artifact-client.js selftest: upload, list, get,
    download with the digest check), which shows the fake is faithful;
  - then the given command (the test driver, or the real binary's end-to-end test), whose uploads the official
    client downloads again.

Stops everything by PID. Needs `npm ci` in tests/servers (scripts/install-deps.sh --test does it).
"""

import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from launch import free_port, print_logs, stop, wait_ready  # noqa: E402


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: run_artifact_tests.py COMMAND [ARG...]")
    node = shutil.which("node")
    azurite = os.path.join(HERE, "node_modules", ".bin", "azurite-blob")
    if not node or not os.path.exists(azurite) or not os.path.isdir(os.path.join(HERE, "node_modules", "@actions")):
        sys.exit("Azurite or @actions/artifact is not installed: run scripts/install-deps.sh --test")
    work = tempfile.mkdtemp(prefix="treeprint-artifact-")
    procs = []
    try:
        az_port, fake_port = free_port(), free_port()
        az_url = "http://127.0.0.1:%d" % az_port
        fake_url = "http://127.0.0.1:%d" % fake_port
        commands = [
            ("azurite", [node, azurite, "--blobHost", "127.0.0.1", "--blobPort", str(az_port), "--inMemoryPersistence",
                         "--skipApiVersionCheck", "--disableTelemetry", "--silent"], az_url + "/"),
            ("fake-results", [node, os.path.join(HERE, "fake-results.js"), "--port", str(fake_port), "--azurite",
                              az_url + "/devstoreaccount1"], fake_url + "/healthz"),
        ]
        for name, cmd, url in commands:
            log_path = os.path.join(work, name + ".log")
            proc = subprocess.Popen(cmd, stdout=open(log_path, "w"), stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, cwd=work)
            procs.append((proc, log_path))
            wait_ready(url, proc, log_path)

        env = {k: v for k, v in os.environ.items()
               if k.lower() not in ("http_proxy", "https_proxy", "no_proxy") and k != "GITHUB_SERVER_URL"}
        token_env = dict(env)
        token_env.update({"ACTIONS_RUNTIME_TOKEN": jwt("run-selftest", "job-selftest"),
                          "ACTIONS_RESULTS_URL": fake_url + "/"})
        selftest = subprocess.run([node, os.path.join(HERE, "artifact-client.js"), "selftest", work], env=token_env,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if selftest.returncode != 0:
            print(selftest.stdout[-20000:])
            print("the official client failed against the fake Results service")
            return 1
        print(selftest.stdout.strip().splitlines()[-1])

        env.update({"TREEPRINT_RESULTS_URL": fake_url, "TREEPRINT_NODE": node,
                    "TREEPRINT_ARTIFACT_CLIENT": os.path.join(HERE, "artifact-client.js")})
        rc = subprocess.call(sys.argv[1:], env=env)
        if rc != 0:
            print_logs(procs)
        return rc
    finally:
        stop(procs)
        shutil.rmtree(work, ignore_errors=True)


def jwt(run, job):
    """An unsigned runtime token whose scp claim carries the backend ids, as the runner's does."""
    import base64
    import json

    def b64(obj):
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()
    return "%s.%s." % (b64({"alg": "none", "typ": "JWT"}),
                       b64({"scp": "Actions.ExampleScope Actions.Results:%s:%s" % (run, job)}))


if __name__ == "__main__":
    sys.exit(main())
