"""Starting the test servers: free loopback ports, and waiting until a server answers."""

import socket
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
