#!/usr/bin/env bash
# Side-by-side benchmark: treeprint against the Go and Rust peers, rhash and sha256sum, in one run.
#
#   bench/run.sh                    # warm, cold (as root), peak RSS, start-up, on the 50,300-file corpus
#   MILLION=1 bench/run.sh          # also 1,000,000 small files (time per file, peak RSS)
#
# Environment (all optional):
#   PEERS_DIR  the peers' folder (gen_corpus.py, build.sh, go/, rust/); default: ../shared/peers next to the repo
#   WORK       scratch folder for corpora and outputs (default ${TMPDIR:-/tmp}/treeprint-bench)
#   RUNS       warm runs per tool (default 10); COLD_RUNS (default 3); COLD=0 to skip cold-cache runs
#   TREEPRINT  the binary to measure (default build/treeprint, built if missing)
# Needs: hyperfine, GNU time, rhash, python3, and the peers' toolchains (golang-go, cargo + librust-*-dev).
# Results: bench/results/<UTC timestamp>/ (hyperfine JSON/markdown, time.txt, summary.txt).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PEERS_DIR=${PEERS_DIR:-$repo/../shared/peers}
WORK=${WORK:-${TMPDIR:-/tmp}/treeprint-bench}
RUNS=${RUNS:-10}
COLD_RUNS=${COLD_RUNS:-3}
TREEPRINT=${TREEPRINT:-$repo/build/treeprint}
DROP=/proc/sys/vm/drop_caches
if [ -z "${COLD:-}" ]; then if [ -w "$DROP" ]; then COLD=1; else COLD=0; fi; fi
RES=$repo/bench/results/$(date -u +%Y%m%dT%H%M%SZ)
CORPUS=$WORK/corpus50k
OUT=$WORK/out
mkdir -p "$WORK" "$OUT" "$RES"

need() { command -v "$1" >/dev/null || { echo "bench: missing $1 (apt-get install $2)" >&2; exit 1; }; }
need hyperfine hyperfine
need rhash rhash
need python3 python3
GNU_TIME=$(type -P time || true)
[ -x "$GNU_TIME" ] || { echo "bench: missing GNU time (apt-get install time)" >&2; exit 1; }
[ -f "$PEERS_DIR/gen_corpus.py" ] || { echo "bench: peers not found in $PEERS_DIR (set PEERS_DIR)" >&2; exit 1; }
[ -x "$TREEPRINT" ] || "$repo/scripts/build.sh"
[ -x "$PEERS_DIR/bin/rust-peer" ] && [ -x "$PEERS_DIR/bin/go-peer" ] || "$PEERS_DIR/build.sh"
RUST=$PEERS_DIR/bin/rust-peer
GO=$PEERS_DIR/bin/go-peer

[ -d "$CORPUS" ] || python3 "$PEERS_DIR/gen_corpus.py" "$CORPUS" --files 50000 --total-bytes 800MiB --seed 1
CORPUS=$(realpath "$CORPUS")  # rhash -r does not follow a symlinked root

q() { printf '%q' "$1"; }
# Every tool hashes the same 50,300 regular files: treeprint is told to scan .git and ignore nothing, as the peers do.
names=(treeprint rust-peer go-peer rhash sha256sum-xargs-P2)
cmds=("$(q "$TREEPRINT") scan $(q "$CORPUS") -o $(q "$OUT/treeprint.json") --scan-git-dir --no-gitignore -q"
      "$(q "$RUST") -o $(q "$OUT/rust.json") $(q "$CORPUS")"
      "$(q "$GO") -o $(q "$OUT/go.json") $(q "$CORPUS")"
      "rhash --sha256 -r $(q "$CORPUS") > $(q "$OUT/rhash.txt")"
      "cd $(q "$CORPUS") && find . -type f -print0 | xargs -0 -P2 -n500 sha256sum > $(q "$OUT/sha256sum.txt")")
hf=()
for i in "${!names[@]}"; do hf+=(-n "${names[$i]}" "${cmds[$i]}"); done

{
    echo "date: $(date -u +%FT%TZ)"
    echo "host: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), sha_ni: $(grep -qw sha_ni /proc/cpuinfo && echo yes || echo no)"
    echo "cpu flags: $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2 | tr ' ' '\n' | grep -E '^(sha_ni|avx2|avx512f|avx512vl|ssse3|sse4_1|aes|vaes|vpclmulqdq)$' | paste -sd' ')"
    echo "corpus: $(find "$CORPUS" -type f | wc -l) regular files, $(find "$CORPUS" -type f -printf '%s\n' | awk '{s+=$1} END{print s}') bytes"
    echo "treeprint: $("$TREEPRINT" --version | paste -sd, -), $(stat -c %s "$TREEPRINT") bytes"
} | tee "$RES/summary.txt"

echo "== warm page cache: $RUNS runs each"
find "$CORPUS" -type f -print0 | xargs -0 cat >/dev/null
hyperfine --warmup 1 --runs "$RUNS" "${hf[@]}" --export-json "$RES/warm.json" --export-markdown "$RES/warm.md"

echo "== floor: open/read/fstat/close of every file on 2 threads, without and with SHA-256 (bench/floor.cc)"
g++ -O2 -std=c++20 "$repo/bench/floor.cc" -o "$WORK/floor" -static -lcrypto -lpthread -ldl 2>/dev/null
find "$CORPUS" -type f > "$WORK/files.txt"
for _ in 1 2 3; do "$WORK/floor" "$WORK/files.txt"; "$WORK/floor" "$WORK/files.txt" hash; done | tee "$RES/floor.txt"

echo "== CPU and peak RSS (GNU time, 3 runs each, warm)"
for i in "${!names[@]}"; do
    for _ in 1 2 3; do
        "$GNU_TIME" -f "${names[$i]} wall=%e user=%U sys=%S maxrss_kb=%M" sh -c "${cmds[$i]}" 2>&1 >/dev/null | tail -1
    done
done | tee "$RES/time.txt"

if [ "$COLD" = 1 ]; then
    echo "== cold page cache (drop_caches before each run): $COLD_RUNS runs each"
    # The I/O floor in the same run: every file read with 16 readers in flight and nothing else done.
    hyperfine --runs "$COLD_RUNS" --prepare "sync; echo 3 > $DROP" "${hf[@]}" \
        -n io-floor-P16 "cd $(q "$CORPUS") && find . -type f -print0 | xargs -0 -P 16 -n 200 cat >/dev/null" \
        --export-json "$RES/cold.json" --export-markdown "$RES/cold.md"
fi

echo "== start-up (--version), with an empty static C program as the floor of process start-up here"
printf 'int main(void) { return 0; }\n' | cc -O2 -static -x c - -o "$WORK/empty-static"
g++ -O2 -std=c++20 -static -ffunction-sections -fdata-sections -Wl,--gc-sections "$repo/bench/startup_floor.cc" \
    -o "$WORK/cli11-static"
hyperfine -N --warmup 20 --runs 300 -n treeprint "$TREEPRINT --version" -n rust-peer "$RUST --version" \
    -n go-peer "$GO --version" -n empty-static "$WORK/empty-static" -n cli11-static "$WORK/cli11-static --version" \
    --export-json "$RES/startup.json" --export-markdown "$RES/startup.md"

echo "== correctness: treeprint's digests against sha256sum's"
"$TREEPRINT" scan "$CORPUS" --sha256sum "$OUT/treeprint.sums" --scan-git-dir --no-gitignore -q
(cd "$CORPUS" && find . -type f -print0 | xargs -0 -P2 -n500 sha256sum) | sed 's#  \./#  #' | sort > "$OUT/oracle.txt"
sort "$OUT/treeprint.sums" | cmp - "$OUT/oracle.txt" && echo "ok: all $(wc -l < "$OUT/oracle.txt") digests agree" \
    | tee "$RES/correctness.txt"

if [ "${MILLION:-0}" = 1 ]; then
    M=$WORK/million
    if [ ! -d "$M" ]; then
        echo "== generating 1,000,000 small files in $M"
        python3 - "$M" <<'PY'
import os, sys
root = sys.argv[1]
for d in range(1000):
    sub = os.path.join(root, "d%03d" % (d // 100), "s%03d" % d)
    os.makedirs(sub)
    for f in range(1000):
        with open(os.path.join(sub, "file-%04d.txt" % f), "wb") as fh:
            fh.write(b"%d-%d\n" % (d, f) * (1 + f % 7))
PY
    fi
    echo "== 1,000,000 files (3 runs each, warm)"
    find "$M" -type f -print0 | xargs -0 cat >/dev/null
    for _ in 1 2 3; do
        "$GNU_TIME" -f "treeprint-1M wall=%e user=%U sys=%S maxrss_kb=%M" "$TREEPRINT" scan "$M" -o "$OUT/m1.json" -q
        "$GNU_TIME" -f "rust-peer-1M wall=%e user=%U sys=%S maxrss_kb=%M" "$RUST" -o "$OUT/r1.json" "$M"
    done 2>&1 | tee "$RES/million.txt"
    # Linearity: one tenth of the tree (d000: 100,000 files in 100 directories) against the whole.
    for _ in 1 2 3; do
        "$GNU_TIME" -f "treeprint-100k wall=%e user=%U sys=%S maxrss_kb=%M" "$TREEPRINT" scan "$M/d000" -o "$OUT/m01.json" -q
    done 2>&1 | tee -a "$RES/million.txt"
fi

python3 - "$RES" <<'PY' | tee -a "$RES/summary.txt"
import json, os, re, statistics, sys
res = sys.argv[1]
def load(name):
    p = os.path.join(res, name)
    return {r["command"]: r for r in json.load(open(p))["results"]} if os.path.exists(p) else {}
rss = {}
for line in open(os.path.join(res, "time.txt")):
    m = re.match(r"(\S+) .*maxrss_kb=(\d+)", line)
    if m:
        rss.setdefault(m.group(1), []).append(int(m.group(2)))
warm, cold, start = load("warm.json"), load("cold.json"), load("startup.json")
print("\n%-20s %10s %8s %8s %12s %10s" % ("tool", "warm med s", "user s", "sys s", "peak RSS MiB", "cold med s"))
for n, r in warm.items():
    c = cold.get(n)
    print("%-20s %10.3f %8.3f %8.3f %12.1f %10s" % (n, r["median"], r["user"], r["system"],
          statistics.median(rss.get(n, [0])) / 1024, "%.3f" % c["median"] if c else "-"))
def ratio(table, key="median"):
    if "treeprint" in table and "rust-peer" in table:
        return table["treeprint"][key] / table["rust-peer"][key]
print("\ntreeprint / rust-peer: warm %.2f (target <= 0.70)" % ratio(warm))
floor_path = os.path.join(res, "floor.txt")
if os.path.exists(floor_path) and "rust-peer" in warm:
    fl = [float(l.split()[-2]) for l in open(floor_path) if l.startswith("syscalls+sha")]
    print("floor (per-file syscalls + SHA-256, no walk/output): %.3f s = %.2f x rust-peer" % (
        statistics.median(fl), statistics.median(fl) / warm["rust-peer"]["median"]))
if cold:
    print("treeprint / rust-peer: cold %.2f" % ratio(cold))
    if "io-floor-P16" in cold:
        print("cold: treeprint %.3f s, I/O floor (xargs -P 16 cat) %.3f s = %.2f x the floor (target <= 1.05)" % (
            cold["treeprint"]["median"], cold["io-floor-P16"]["median"],
            cold["treeprint"]["median"] / cold["io-floor-P16"]["median"]))
print("treeprint peak RSS: %.1f MiB (target <= 16)" % (statistics.median(rss["treeprint"]) / 1024))
mil = os.path.join(res, "million.txt")
if os.path.exists(mil):
    runs = {}
    for line in open(mil):
        m = re.match(r"(\S+) wall=([0-9.]+) .*maxrss_kb=(\d+)", line)
        if m:
            runs.setdefault(m.group(1), []).append((float(m.group(2)), int(m.group(3))))
    med = {k: (statistics.median(w for w, _ in v), statistics.median(r for _, r in v) / 1024) for k, v in runs.items()}
    for k, (w, r) in sorted(med.items()):
        print("%-16s wall %.2f s  peak RSS %.1f MiB" % (k, w, r))
    if "treeprint-1M" in med and "treeprint-100k" in med:
        print("1M / 100k wall ratio %.1f (linear: 10); 1M peak RSS %.1f MiB (target <= 150)" % (
            med["treeprint-1M"][0] / med["treeprint-100k"][0], med["treeprint-1M"][1]))
if start:
    print("start-up: treeprint %.2f ms, rust-peer %.2f ms, ratio %.2f (target <= 0.6)" % (
        start["treeprint"]["median"] * 1e3, start["rust-peer"]["median"] * 1e3, ratio(start)))
    for name, what in (("empty-static", "an empty static C program"),
                       ("cli11-static", "a static C++ program parsing --version with CLI11")):
        if name in start:
            print("          %s: %.2f ms, %.2f x rust-peer" % (
                what, start[name]["median"] * 1e3, start[name]["median"] / start["rust-peer"]["median"]))
PY
echo "results in $RES"
