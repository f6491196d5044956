#!/usr/bin/env bash
# `treeprint changed` on two 300,000-entry manifests with 1% changed (1,000 modified, 1,000 removed, 1,000 added),
# every output and the changes file written, next to the time to read both manifests (`treeprint inspect` of each):
# wall time (hyperfine) and peak RSS (GNU time). The target: `changed` within 1.5x the two reads, and its peak RSS
# within the reader's for two manifests.
#
#   bench/changed.sh        # same environment variables as bench/run.sh (PEERS_DIR, WORK, RUNS, TREEPRINT)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PEERS_DIR=${PEERS_DIR:-$repo/../shared/peers}
WORK=${WORK:-${TMPDIR:-/tmp}/treeprint-bench}
RUNS=${RUNS:-10}
TREEPRINT=${TREEPRINT:-$repo/build/treeprint}
RES=$repo/bench/results/changed-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$WORK" "$RES"
GNU_TIME=$(type -P time || true)
[ -x "$GNU_TIME" ] || { echo "bench: missing GNU time (apt-get install time)" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "bench: missing hyperfine (apt-get install hyperfine)" >&2; exit 1; }
[ -x "$TREEPRINT" ] || "$repo/scripts/build.sh"

# The same generator as bench/manifest.sh, then a copy with 1% of the entries changed.
[ -f "$WORK/peers300k.json" ] || python3 "$PEERS_DIR/gen_manifest.py" "$WORK/peers300k.json" --entries 300000 --seed 1
[ -f "$WORK/tp300k.json" ] || python3 "$repo/bench/to_treeprint_manifest.py" "$WORK/peers300k.json" "$WORK/tp300k.json"
if [ ! -f "$WORK/tp300k-changed.json" ]; then
    python3 - "$WORK/peers300k.json" "$WORK/peers300k-changed.json" <<'PY'
import hashlib, json, random, sys
src, out = sys.argv[1], sys.argv[2]
with open(src, encoding="utf-8") as f:
    m = json.load(f)
rng = random.Random(1)
files = m["files"]
picked = rng.sample(range(len(files)), 2000)
for i in picked[:1000]:                      # modified: another digest
    files[i]["sha256"] = hashlib.sha256(files[i]["sha256"].encode()).hexdigest()
gone = set(picked[1000:])                    # removed
files = [e for i, e in enumerate(files) if i not in gone]
for i in range(1000):                        # added
    files.append({"path": "added/new-%04d.bin" % i, "size": 100 + i, "mtime": 1700000000,
                  "sha256": hashlib.sha256(b"new %d" % i).hexdigest()})
m["files"] = files
with open(out, "w", encoding="utf-8") as f:
    json.dump(m, f)
PY
    python3 "$repo/bench/to_treeprint_manifest.py" "$WORK/peers300k-changed.json" "$WORK/tp300k-changed.json"
fi
A=$WORK/tp300k.json
B=$WORK/tp300k-changed.json
printf 'src:\n  - "src/**"\ndocs: ["*.md"]\nnew-files: ["added/"]\n' > "$WORK/changed-filters.yml"
echo "date: $(date -u +%FT%TZ); treeprint $("$TREEPRINT" --version | head -1)" | tee "$RES/summary.txt"
cat "$A" "$B" >/dev/null

changed="$TREEPRINT changed $A $B --filters $WORK/changed-filters.yml --format github --changes-file $WORK/changes.json"
# `changed` exits 1 when something changed: hyperfine's -i keeps that from counting as a failure.
hyperfine -N -i --warmup 2 --runs "$RUNS" \
    -n inspect-baseline "$TREEPRINT inspect $A" \
    -n inspect-current "$TREEPRINT inspect $B" \
    -n changed "$changed" \
    --export-json "$RES/changed.json" --export-markdown "$RES/changed.md"
for _ in 1 2 3; do
    "$GNU_TIME" -f "inspect-baseline maxrss_kb=%M" "$TREEPRINT" inspect "$A" 2>&1 >/dev/null | tail -1
    "$GNU_TIME" -f "inspect-current maxrss_kb=%M" "$TREEPRINT" inspect "$B" 2>&1 >/dev/null | tail -1
    # shellcheck disable=SC2086
    "$GNU_TIME" -f "changed maxrss_kb=%M" $changed 2>&1 >/dev/null | tail -1 || true
done | tee "$RES/changed-rss.txt"
echo "compare: changed's mean against inspect-baseline + inspect-current (target <= 1.5x), in $RES/changed.md"
