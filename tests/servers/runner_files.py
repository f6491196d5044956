"""What end-to-end tests of the action share: reading GITHUB_OUTPUT back as the runner does, and driving the fake
GitHub's control endpoints (fake_github.py)."""

import json
import re
import urllib.request


def parse_outputs(text):
    """GITHUB_OUTPUT as the runner reads it: name<<DELIM, value lines, DELIM. Checks the exact framing, and that no
    output is set twice."""
    out, lines, i = {}, text.split("\n"), 0
    assert text == "" or text.endswith("\n"), text
    while i < len(lines) - 1:
        m = re.fullmatch(r"([a-z0-9-]+)<<(ghadelimiter_[0-9a-f-]{36})", lines[i])
        assert m, "bad record header %r" % lines[i]
        name, delim = m.groups()
        end = lines.index(delim, i + 1)
        assert name not in out, name
        out[name] = "\n".join(lines[i + 1:end])
        i = end + 1
    return out


def fake_control(fake_url, path, data=None):
    """POSTs to the fake's /_fake/<path> (reset, script, state, log) and returns its JSON answer."""
    req = urllib.request.Request(fake_url + "/_fake/" + path, data=json.dumps(data or {}).encode(), method="POST")
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read() or b"{}")
