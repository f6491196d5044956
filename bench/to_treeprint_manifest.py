#!/usr/bin/env python3
"""Rewrites a manifest in the peers' schema (gen_manifest.py's output) as a treeprint v1 manifest of the same
entries, so that `treeprint inspect` and the peers' `parse` read the same tree.

    python3 to_treeprint_manifest.py PEERS.json OUT.json
"""

import datetime
import hashlib
import json
import sys


def main():
    src, out = sys.argv[1], sys.argv[2]
    with open(src, encoding="utf-8") as f:
        peers = json.load(f)
    files = sorted(peers["files"], key=lambda e: e["path"].encode())
    digest = hashlib.sha256()
    total = 0
    lines = []
    for e in files:
        path = e["path"]
        mtime = datetime.datetime.fromtimestamp(e["mtime"], datetime.timezone.utc)
        stamp = mtime.strftime("%Y-%m-%dT%H:%M:%S") + ".000000000Z"
        digest.update(b"f\0" + path.encode() + b"\0" + b"0644\0" + str(e["size"]).encode() + b"\0" +
                      e["sha256"].encode() + b"\0")
        total += e["size"]
        lines.append('    {"path": %s, "size": %d, "mtime": "%s", "mode": "0644", "sha256": "%s"}'
                     % (json.dumps(path, ensure_ascii=False), e["size"], stamp, e["sha256"]))
    with open(out, "w", encoding="utf-8") as f:
        f.write('{\n  "schema": "treeprint/manifest/v1",\n  "tool": {"name": "treeprint", "version": "0.1.0"},\n')
        f.write('  "root_digest": "sha256:%s",\n' % digest.hexdigest())
        f.write('  "totals": {"files": %d, "bytes": %d, "symlinks": 0, "skipped": 0, "errors": 0},\n'
                % (len(files), total))
        f.write('  "files": [\n' + ",\n".join(lines) + '\n  ],\n')
        f.write('  "symlinks": [],\n  "skipped": [],\n  "errors": []\n}\n')


if __name__ == "__main__":
    main()
