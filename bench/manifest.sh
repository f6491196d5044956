#!/usr/bin/env bash
# Side-by-side figures for reading manifests back and for incremental scans:
#   - `treeprint inspect` of a 300,000-entry manifest against the peers' `parse` of their manifest of the same
#     entries (peers' gen_manifest.py, rewritten as a treeprint manifest by to_treeprint_manifest.py): wall, peak RSS;
#   - a re-scan of the unchanged 50,300-file corpus with --baseline against a full scan, with the floor of the
#     approach: a walk that lstat()s every file and hashes nothing (--since in the future);
#   - a 2-way sharded scan and the merge.
#
#   bench/manifest.sh       # same environment variables as bench/run.sh (PEERS_DIR, WORK, RUNS, TREEPRINT)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PEERS_DIR=${PEERS_DIR:-$repo/../shared/peers}
WORK=${WORK:-${TMPDIR:-/tmp}/treeprint-bench}
RUNS=${RUNS:-10}
TREEPRINT=${TREEPRINT:-$repo/build/treeprint}
RES=$repo/bench/results/manifest-$(date -u +%Y%m%dT%H%M%SZ)
CORPUS=$WORK/corpus50k
OUT=$WORK/out
mkdir -p "$WORK" "$OUT" "$RES"
GNU_TIME=$(type -P time || true)
[ -x "$GNU_TIME" ] || { echo "bench: missing GNU time (apt-get install time)" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "bench: missing hyperfine (apt-get install hyperfine)" >&2; exit 1; }
[ -x "$TREEPRINT" ] || "$repo/scripts/build.sh"
[ -x "$PEERS_DIR/bin/rust-peer" ] && [ -x "$PEERS_DIR/bin/go-peer" ] || "$PEERS_DIR/build.sh"
RUST=$PEERS_DIR/bin/rust-peer
GO=$PEERS_DIR/bin/go-peer
[ -d "$CORPUS" ] || python3 "$PEERS_DIR/gen_corpus.py" "$CORPUS" --files 50000 --total-bytes 800MiB --seed 1
CORPUS=$(realpath "$CORPUS")
q() { printf '%q' "$1"; }

echo "date: $(date -u +%FT%TZ); treeprint $("$TREEPRINT" --version)" | tee "$RES/summary.txt"

echo "== parse: 300,000 entries"
[ -f "$WORK/peers300k.json" ] || python3 "$PEERS_DIR/gen_manifest.py" "$WORK/peers300k.json" --entries 300000 --seed 1
[ -f "$WORK/tp300k.json" ] || python3 "$repo/bench/to_treeprint_manifest.py" "$WORK/peers300k.json" "$WORK/tp300k.json"
echo "sizes: peers $(stat -c %s "$WORK/peers300k.json") bytes, treeprint $(stat -c %s "$WORK/tp300k.json") bytes" \
    | tee -a "$RES/summary.txt"
cat "$WORK/peers300k.json" "$WORK/tp300k.json" >/dev/null
hyperfine -N --warmup 2 --runs "$RUNS" \
    -n treeprint-inspect "$TREEPRINT inspect $WORK/tp300k.json" \
    -n rust-peer-parse "$RUST parse $WORK/peers300k.json" \
    -n go-peer-parse "$GO parse $WORK/peers300k.json" \
    --export-json "$RES/parse.json" --export-markdown "$RES/parse.md"
for _ in 1 2 3; do
    "$GNU_TIME" -f "treeprint-inspect maxrss_kb=%M" "$TREEPRINT" inspect "$WORK/tp300k.json" 2>&1 >/dev/null | tail -1
    "$GNU_TIME" -f "rust-peer-parse maxrss_kb=%M" "$RUST" parse "$WORK/peers300k.json" 2>&1 >/dev/null | tail -1
    "$GNU_TIME" -f "go-peer-parse maxrss_kb=%M" "$GO" parse "$WORK/peers300k.json" 2>&1 >/dev/null | tail -1
done | tee "$RES/parse-rss.txt"

echo "== incremental re-scan of the unchanged corpus"
find "$CORPUS" -type f -print0 | xargs -0 cat >/dev/null
flags="--scan-git-dir --no-gitignore -q"
rm -f "$OUT/inc.json" "$OUT/inc.json.stat"
"$TREEPRINT" scan "$CORPUS" -o "$OUT/inc.json" --baseline "$OUT/inc.json" $flags 2>/dev/null  # seeds the baseline
hyperfine --warmup 1 --runs "$RUNS" \
    -n full-scan "$(q "$TREEPRINT") scan $(q "$CORPUS") -o $(q "$OUT/full.json") $flags" \
    -n baseline-rescan "$(q "$TREEPRINT") scan $(q "$CORPUS") -o $(q "$OUT/inc.json") --baseline $(q "$OUT/inc.json") $flags" \
    -n lstat-walk-floor "$(q "$TREEPRINT") scan $(q "$CORPUS") -o $(q "$OUT/none.json") --since 2200-01-01T00:00:00Z $flags" \
    -n rust-peer "$(q "$RUST") -o $(q "$OUT/rust.json") $(q "$CORPUS")" \
    --export-json "$RES/incremental.json" --export-markdown "$RES/incremental.md"
cmp "$OUT/full.json" "$OUT/inc.json" && echo "ok: the baseline re-scan is byte-identical to the full scan" \
    | tee -a "$RES/summary.txt"

echo "== 2 shards and merge"
hyperfine --runs 3 \
    -n shard-1-of-2 "$(q "$TREEPRINT") scan $(q "$CORPUS") --shard 1/2 -o $(q "$OUT/s1.json") $flags" \
    --export-json "$RES/shard.json" >/dev/null
"$TREEPRINT" scan "$CORPUS" --shard 2/2 -o "$OUT/s2.json" $flags
hyperfine -N --runs 5 -n merge "$TREEPRINT merge $OUT/s1.json $OUT/s2.json -o $OUT/merged.json -q" \
    --export-json "$RES/merge.json" >/dev/null
cmp "$OUT/full.json" "$OUT/merged.json" && echo "ok: merged shards are byte-identical to the full scan" \
    | tee -a "$RES/summary.txt"

python3 - "$RES" <<'PY' | tee -a "$RES/summary.txt"
import json, os, re, statistics, sys
res = sys.argv[1]
def load(name):
    return {r["command"]: r for r in json.load(open(os.path.join(res, name)))["results"]}
parse, inc = load("parse.json"), load("incremental.json")
rss = {}
for line in open(os.path.join(res, "parse-rss.txt")):
    m = re.match(r"(\S+) maxrss_kb=(\d+)", line)
    rss.setdefault(m.group(1), []).append(int(m.group(2)) / 1024)
print("\n%-20s %10s %12s" % ("parse", "median s", "peak RSS MiB"))
for n, r in parse.items():
    print("%-20s %10.3f %12.1f" % (n, r["median"], statistics.median(rss[n])))
t, r = parse["treeprint-inspect"], parse["rust-peer-parse"]
print("inspect / rust parse: wall %.2f (target <= 0.30), peak RSS %.2f (target <= 0.5)" % (
    t["median"] / r["median"], statistics.median(rss["treeprint-inspect"]) / statistics.median(rss["rust-peer-parse"])))
print("\n%-20s %10s %8s %8s" % ("scan", "median s", "user s", "sys s"))
for n, x in inc.items():
    print("%-20s %10.3f %8.3f %8.3f" % (n, x["median"], x["user"], x["system"]))
full = inc["full-scan"]["median"]
print("baseline re-scan / full scan: %.2f (target <= 0.15); floor (lstat walk) / full scan: %.2f" % (
    inc["baseline-rescan"]["median"] / full, inc["lstat-walk-floor"]["median"] / full))
shard, merge = load("shard.json"), load("merge.json")
print("one shard of 2: %.3f s; merge of 2: %.3f s" % (shard["shard-1-of-2"]["median"], merge["merge"]["median"]))
PY
echo "results in $RES"
