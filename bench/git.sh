#!/usr/bin/env bash
# The git fast path, side by side in one run: a repository made from the benchmark corpus is committed and scanned
# to a manifest; a fresh clone (`git clone --no-local`: new inodes and ctimes) has 1% of its files changed and is
# scanned four ways:
#   fast    scan CLONE --baseline FIRST   (clean files reused through the git index, nothing read)
#   floor   scan CLONE --git=off --since <next year>: the same walk with one lstat per file, nothing read or hashed
#           (the floor of any stat-based reuse)
#   full    scan CLONE                    (git-aware, no baseline: every file read)
#   off     scan CLONE --git=off          (the plain scan)
# and `fast` must be byte-identical to `full`. Then the action runs on the clone with `baseline: previous-run` and
# without a baseline (bench/git_action.py: the previous run's artifact served by the tests' fake GitHub API).
# Wall time is the best of RUNS, peak RSS the largest (GNU time).
# Scans are run with -q; the figures mean something only on an otherwise idle machine.
#
#   bench/git.sh                             # 50,300 files (800 MiB), then 300,000 files (2 GiB)
#   SIZES="300000:2GiB" bench/git.sh         # the 300,000-file size alone
#   SIZES="2000:20MiB" RUNS=1 bench/git.sh   # a quick check that it works
#
# Each size's repository is generated once and kept in WORK/FILES/repo (later runs reuse it); with its clone it
# needs about three times BYTES of free space there, which is checked before anything is generated.
#
# Environment (all optional): PEERS_DIR (gen_corpus.py's folder; default ../shared/peers next to the repo), WORK
# (scratch, default ${TMPDIR:-/tmp}/treeprint-bench-git), RUNS (default 5), TREEPRINT (default build/treeprint),
# SIZES (space-separated FILES:BYTES, default "50000:800MiB 300000:2GiB").
# Needs: git, python3, GNU time. Results: bench/results/git-<UTC timestamp>/summary.txt.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PEERS_DIR=${PEERS_DIR:-$repo/../shared/peers}
WORK=${WORK:-${TMPDIR:-/tmp}/treeprint-bench-git}
RUNS=${RUNS:-5}
TREEPRINT=${TREEPRINT:-$repo/build/treeprint}
SIZES=${SIZES:-"50000:800MiB 300000:2GiB"}
RES=$repo/bench/results/git-$(date -u +%Y%m%dT%H%M%SZ)
GNU_TIME=$(type -P time || true)
[ -x "$GNU_TIME" ] || { echo "bench: missing GNU time (apt-get install time)" >&2; exit 1; }
command -v git >/dev/null || { echo "bench: missing git" >&2; exit 1; }
[ -f "$PEERS_DIR/gen_corpus.py" ] || { echo "bench: gen_corpus.py not found in $PEERS_DIR (set PEERS_DIR)" >&2; exit 1; }
[ -x "$TREEPRINT" ] || "$repo/scripts/build.sh"
mkdir -p "$WORK" "$RES"

# git with no user or system configuration, so that nothing but the repository decides what a checkout writes.
export HOME=$WORK/home XDG_CONFIG_HOME=$WORK/home/.config GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com GIT_COMMITTER_NAME=bench
export GIT_COMMITTER_EMAIL=bench@example.com
mkdir -p "$HOME"

# measure NAME CMD...: best wall of RUNS (bash's clock around GNU time: its own %e has only centiseconds) and the
# largest peak RSS, appended to $RES/summary.txt.
measure() {
    local name=$1 best="" rss=0 start end wall kib
    shift
    for _ in $(seq "$RUNS"); do
        start=$EPOCHREALTIME
        kib=$("$GNU_TIME" -f '%M' "$@" 2>&1 >/dev/null | tail -1)
        end=$EPOCHREALTIME
        wall=$(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.4f", b - a}')
        if [ -z "$best" ] || awk -v a="$wall" -v b="$best" 'BEGIN{exit !(a<b)}'; then best=$wall; fi
        [ "$kib" -gt "$rss" ] && rss=$kib
    done
    printf '%-6s wall %7.3f s  peak RSS %6.1f MiB\n' "$name" "$best" "$(awk -v k="$rss" 'BEGIN{print k/1024}')" |
        tee -a "$RES/summary.txt"
    eval "wall_$name=$best"
}

{
    echo "date: $(date -u +%FT%TZ)"
    echo "host: $(nproc) cores; git $(git --version | cut -d' ' -f3); treeprint $("$TREEPRINT" --version | head -1)"
    echo "runs: best wall of $RUNS, largest peak RSS"
} | tee "$RES/summary.txt"

next_year=$(( $(date +%s) + 366 * 86400 ))
# bytes_of 2GiB -> 2147483648 (the units gen_corpus.py takes).
bytes_of() {
    awk -v s="$1" 'BEGIN {
        n = s + 0; u = substr(s, length(n "") + 1)
        m = u == "KiB" ? 1024 : u == "MiB" ? 1048576 : u == "GiB" ? 1073741824 : u == "KB" ? 1e3 : u == "MB" ? 1e6 : u == "GB" ? 1e9 : 1
        printf "%.0f", n * m }'
}

for size in $SIZES; do
    case $size in
        *[0-9]:[0-9]*) ;;
        *) echo "bench: SIZES entries are FILES:BYTES (e.g. 300000:2GiB), not '$size'" >&2; exit 1 ;;
    esac
    files=${size%%:*}
    bytes=${size#*:}
    if [ ! -d "$WORK/$files/repo/.git/objects" ]; then
        need=$(( $(bytes_of "$bytes") * 3 ))
        avail=$(df -P -B1 "$WORK" | awk 'NR == 2 { print $4 }')
        if [ -n "$avail" ] && [ "$avail" -lt "$need" ]; then
            echo "bench: $files files ($bytes) need about $(( need >> 20 )) MiB free in $WORK, only $(( avail >> 20 )) MiB are (set WORK)" >&2
            exit 1
        fi
    fi
    dir=$WORK/$files
    src=$dir/repo
    clone=$dir/clone
    out=$dir/out
    if [ ! -d "$src/.git/objects" ]; then
        rm -rf "$dir"
        mkdir -p "$dir"
        python3 "$PEERS_DIR/gen_corpus.py" "$src" --files "$files" --total-bytes "$bytes" --seed 1 >/dev/null
        rm -rf "$src/.git"  # the corpus's .git is only a directory of files
        git -C "$src" init -q -b main
        git -C "$src" add -A
        git -C "$src" commit -qm corpus
    fi
    rm -rf "$clone" "$out"
    mkdir -p "$out"
    sleep 1.1
    git -C "$src" status --porcelain >/dev/null  # the index older than every file: nothing racily clean
    "$TREEPRINT" scan "$src" -o "$out/first.json" -q
    git clone -q --no-local "$src" "$clone"
    # 1% of the tracked files changed (a byte appended).
    git -C "$clone" ls-files -z | tr '\0' '\n' | awk 'NR % 100 == 0' | while IFS= read -r p; do
        [ -L "$clone/$p" ] || printf 'x' >>"$clone/$p"
    done
    sleep 1.1
    git -C "$clone" status --porcelain >/dev/null
    # The fresh clone is gigabytes of dirty pages: written back now, not by the kernel during the timed runs.
    sync

    echo "--- $files files ($(git -C "$clone" ls-files | wc -l) tracked, $bytes)" | tee -a "$RES/summary.txt"
    measure fast "$TREEPRINT" scan "$clone" --baseline "$out/first.json" -o "$out/fast.json" -q
    measure floor "$TREEPRINT" scan "$clone" --git=off --since "$next_year" -o "$out/floor.json" -q
    measure full "$TREEPRINT" scan "$clone" -o "$out/full.json" -q
    measure off "$TREEPRINT" scan "$clone" --git=off -o "$out/off.json" -q
    if cmp -s "$out/fast.json" "$out/full.json"; then same="byte-identical"; else same="DIFFERENT (a bug)"; fi
    "$TREEPRINT" scan "$clone" --baseline "$out/first.json" -o "$out/fast.json" 2>&1 | grep 'treeprint: git:' |
        tee -a "$RES/summary.txt"
    awk -v f="$wall_fast" -v fl="$wall_floor" -v fu="$wall_full" -v o="$wall_off" -v s="$same" '
        function ratio(a, b) { return b > 0 ? sprintf("%.2f", a / b) : "n/a (below the timer)" }
        BEGIN { printf "fast / floor %s (goal <= 1.3); fast / full %s (goal <= 0.25); full / off %s (goal <= 1.05); " \
                       "fast vs full: %s\n", ratio(f, fl), ratio(f, fu), ratio(fu, o), s }' | tee -a "$RES/summary.txt"
    # The same through the action: `baseline: previous-run` against the fake API (bench/git_action.py).
    python3 "$repo/bench/git_action.py" "$TREEPRINT" "$src" "$clone" "$RUNS" "$RES/summary.txt"
done
echo "results: $RES"
