"""Starting the test servers: free loopback ports, and waiting until a server answers."""

import os
import socket
import subprocess
import time
import urllib.error
import urllib.request

READY_TIMEOUT = 120  # seconds; Prism takes 1-5 s on a quiet machine, much longer on a loaded one


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(url, proc, log_path, timeout=READY_TIMEOUT):
    """Returns once `url` gives any HTTP answer (a 404 for "/" means it is listening); raises with the server's log if
    the process exits or the time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("%s exited with %d:\n%s" % (url, proc.returncode, open(log_path).read()))
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("%s not ready after %d s:\n%s" % (url, timeout, open(log_path).read()))


def print_logs(procs):
    """Shows the end of each server's log (after a failure)."""
    for _, log_path in procs:
        print("---- %s ----" % os.path.basename(log_path))
        with open(log_path) as f:
            print(f.read()[-20000:])


def stop(procs):
    """Stops the servers started by the caller: (Popen, log path) pairs. Terminate, then kill what lingers."""
    for proc, _ in procs:
        proc.terminate()
    for proc, _ in procs:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
