#!/usr/bin/env bash
# Image size (uncompressed, and as gzip-compressed layers) and the time from `podman run` to exit on the benchmark
# corpus, mounted read-only, next to the same binary run directly. Needs root, podman, hyperfine and a built image
# (scripts/container-test.sh builds localhost/treeprint:test).
#
#   CORPUS=/path/to/corpus scripts/container-bench.sh
#
# Environment: IMAGE (default localhost/treeprint:test), CORPUS (default $WORK/corpus50k as bench/run.sh makes it, WORK default
# ${TMPDIR:-/tmp}/treeprint-bench), BIN (default: the image's own binary, copied out), RUNS (default 10).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
image=${IMAGE:-localhost/treeprint:test}
corpus=$(realpath "${CORPUS:-${WORK:-${TMPDIR:-/tmp}/treeprint-bench}/corpus50k}")
runs=${RUNS:-10}
export CONTAINERS_CONF=${CONTAINERS_CONF:-$here/tests/container/containers.conf}
work=$(mktemp -d)
cid=""
trap '[ -n "$cid" ] && podman rm -f "$cid" >/dev/null 2>&1; rm -rf "$work"' EXIT

cid=$(podman create "$image")
podman cp "$cid:/treeprint" "$work/treeprint"
podman rm -f "$cid" >/dev/null; cid=""
bin=${BIN:-$work/treeprint}
podman save --format oci-archive -o "$work/image.tar" "$image" >/dev/null 2>&1
layers=$(mkdir -p "$work/oci" && tar -xf "$work/image.tar" -C "$work/oci" && \
         python3 - "$work/oci" <<'PY'
import json, os, sys
root = sys.argv[1]
index = json.load(open(os.path.join(root, "index.json")))
digest = index["manifests"][0]["digest"].split(":")[1]
manifest = json.load(open(os.path.join(root, "blobs", "sha256", digest)))
print(sum(layer["size"] for layer in manifest["layers"]))
PY
)
echo "image:       $(podman image inspect --format '{{.Size}}' "$image") bytes uncompressed," \
     "$layers bytes of gzip-compressed layers (what a pull downloads)"
echo "binary:      $(stat -c %s "$bin") bytes"
echo "corpus:      $corpus ($(find "$corpus" -type f | wc -l) files)"
hyperfine -N --warmup 2 --runs "$runs" --export-markdown "$work/result.md" \
    -n direct "$bin scan $corpus -q --scan-git-dir --no-gitignore -o $work/direct.json" \
    -n "podman run" "podman run --rm --network none -v $corpus:/github/workspace:ro --workdir /github/workspace $image scan . -q --scan-git-dir --no-gitignore -o /tmp/m.json"
cat "$work/result.md"
# Start-up alone: the container's fixed cost.
hyperfine -N --warmup 2 --runs "$runs" -n "direct --version" "$bin --version" \
    -n "podman run --version" "podman run --rm --network none $image --version"
