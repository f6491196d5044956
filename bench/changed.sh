#!/usr/bin/env bash
# `treeprint changed` on two 300,000-entry manifests with 1% changed (1,000 modified, 1,000 removed, 1,000 added),
# every output and the changes file written, next to the time to read both manifests (`treeprint inspect` of each):
# wall time (hyperfine) and peak RSS (GNU time). The target: `changed` within 1.5x the two reads, and its peak RSS
# within the reader's for two manifests.
#
#   bench/changed.sh                      # same environment variables as bench/run.sh (PEERS_DIR, WORK, RUNS, TREEPRINT)
#   ENTRIES=2000 RUNS=2 bench/changed.sh  # a quick check that it works (1% of 2,000 changed: 6 each way)
#
# Needs: python3, hyperfine, GNU time. Results: bench/results/changed-<UTC timestamp>/summary.txt.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PEERS_DIR=${PEERS_DIR:-$repo/../shared/peers}
WORK=${WORK:-${TMPDIR:-/tmp}/treeprint-bench}
RUNS=${RUNS:-10}
ENTRIES=${ENTRIES:-300000}
# 1% of the entries differ: a third modified, a third removed, a third added.
CHANGED=$(( ENTRIES / 300 > 0 ? ENTRIES / 300 : 1 ))
TREEPRINT=${TREEPRINT:-$repo/build/treeprint}
RES=$repo/bench/results/changed-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$WORK" "$RES"
GNU_TIME=$(type -P time || true)
[ -x "$GNU_TIME" ] || { echo "bench: missing GNU time (apt-get install time)" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "bench: missing hyperfine (apt-get install hyperfine)" >&2; exit 1; }
[ -x "$TREEPRINT" ] || "$repo/scripts/build.sh"

# The same generator as bench/manifest.sh, then a copy with 1% of the entries changed.
n=$ENTRIES
[ -f "$WORK/peers$n.json" ] || python3 "$PEERS_DIR/gen_manifest.py" "$WORK/peers$n.json" --entries "$n" --seed 1
[ -f "$WORK/tp$n.json" ] || python3 "$repo/bench/to_treeprint_manifest.py" "$WORK/peers$n.json" "$WORK/tp$n.json"
if [ ! -f "$WORK/tp$n-changed.json" ]; then
    python3 - "$WORK/peers$n.json" "$WORK/peers$n-changed.json" "$CHANGED" <<'PY'
import hashlib, json, random, sys
src, out, k = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(src, encoding="utf-8") as f:
    m = json.load(f)
rng = random.Random(1)
files = m["files"]
picked = rng.sample(range(len(files)), 2 * k)
for i in picked[:k]:                         # modified: another digest
    files[i]["sha256"] = hashlib.sha256(files[i]["sha256"].encode()).hexdigest()
gone = set(picked[k:])                       # removed
files = [e for i, e in enumerate(files) if i not in gone]
for i in range(k):                           # added
    files.append({"path": "added/new-%06d.bin" % i, "size": 100 + i, "mtime": 1700000000,
                  "sha256": hashlib.sha256(b"new %d" % i).hexdigest()})
m["files"] = files
with open(out, "w", encoding="utf-8") as f:
    json.dump(m, f)
PY
    python3 "$repo/bench/to_treeprint_manifest.py" "$WORK/peers$n-changed.json" "$WORK/tp$n-changed.json"
fi
A=$WORK/tp$n.json
B=$WORK/tp$n-changed.json
printf 'src:\n  - "src/**"\ndocs: ["*.md"]\nnew-files: ["added/"]\n' > "$WORK/changed-filters.yml"
{
    echo "date: $(date -u +%FT%TZ); treeprint $("$TREEPRINT" --version | head -1); $(nproc) cores"
    echo "manifests: $n entries and a copy with $CHANGED modified, $CHANGED removed, $CHANGED added"
} | tee "$RES/summary.txt"
cat "$A" "$B" >/dev/null

changed="$TREEPRINT changed $A $B --filters $WORK/changed-filters.yml --format github --changes-file $WORK/changes.json"
# The answer is checked once before anything is timed: the counts, and the changes file complete.
set +e
$changed >"$WORK/changed-out.txt"
rc=$?
set -e
[ "$rc" -eq 1 ] || { echo "bench: \`changed\` exited $rc (1 expected: something changed)" >&2; exit 1; }
python3 - "$WORK/changes.json" "$CHANGED" <<'PY'
import json, sys
c, k = json.load(open(sys.argv[1], encoding="utf-8")), int(sys.argv[2])
def count(name):
    v = c.get(name, [])
    return len(v) if isinstance(v, list) else v
got = {kind: count(kind) for kind in ("added", "modified", "removed")}
if got != {"added": k, "modified": k, "removed": k}:
    sys.exit("bench: the changes file says %s, expected %d of each" % (got, k))
PY
# `changed` exits 1 when something changed: hyperfine's -i keeps that from counting as a failure.
hyperfine -N -i --warmup 2 --runs "$RUNS" \
    -n inspect-baseline "$TREEPRINT inspect $A" \
    -n inspect-current "$TREEPRINT inspect $B" \
    -n changed "$changed" \
    --export-json "$RES/changed.json" --export-markdown "$RES/changed.md" >/dev/null
rss() {  # the largest peak RSS (KiB) of three runs of CMD...
    local best=0 kib
    for _ in 1 2 3; do
        kib=$("$GNU_TIME" -f '%M' "$@" 2>&1 >/dev/null | tail -1)
        [ "$kib" -gt "$best" ] && best=$kib
    done
    echo "$best"
}
rss_a=$(rss "$TREEPRINT" inspect "$A")
rss_b=$(rss "$TREEPRINT" inspect "$B")
# shellcheck disable=SC2086
rss_changed=$(rss $changed)
python3 - "$RES/changed.json" "$rss_a" "$rss_b" "$rss_changed" <<'PY' | tee -a "$RES/summary.txt"
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
a, b, c = (results[n]["mean"] for n in ("inspect-baseline", "inspect-current", "changed"))
rss_a, rss_b, rss_c = (int(v) / 1024 for v in sys.argv[2:5])
print("inspect-baseline  mean %8.1f ms  peak RSS %6.1f MiB" % (a * 1e3, rss_a))
print("inspect-current   mean %8.1f ms  peak RSS %6.1f MiB" % (b * 1e3, rss_b))
print("changed           mean %8.1f ms  peak RSS %6.1f MiB" % (c * 1e3, rss_c))
print("changed / (read both) %.2f (goal <= 1.5); changed RSS / (inspect RSS of both) %.2f (goal <= 1)"
      % (c / (a + b), rss_c / (rss_a + rss_b)))
PY
echo "results: $RES"
