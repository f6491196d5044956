#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) into build-fuzz/ and runs each for its share of a fixed
# total time over its corpus in tests/fuzz/corpus/. New inputs go to a scratch directory, never into the repository.
#
#   scripts/fuzz.sh [SECONDS]     # default 30 in all, shared equally by the targets
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds=${1:-30}
build=${FUZZ_BUILD_DIR:-$here/build-fuzz}
"$here/scripts/install-deps.sh" --fuzz
cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ -DTREEPRINT_FUZZ=ON >/dev/null
targets=(reader git_index sha256_x2)
cmake --build "$build" -j"$(nproc)" --target "${targets[@]/%/_fuzz}" >/dev/null
share=$(( seconds / ${#targets[@]} ))
[ "$share" -ge 1 ] || share=1
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for target in "${targets[@]}"; do
    echo "fuzz: $target for ${share}s"
    mkdir -p "$scratch/$target"
    # -rss_limit_mb: a reader must stay small whatever it is fed; -timeout: no input may take 5 s.
    "$build/${target}_fuzz" "$scratch/$target" "$here/tests/fuzz/corpus/$target" -max_total_time="$share" \
        -rss_limit_mb=512 -timeout=5 -max_len=65536 -print_final_stats=1 2>&1 | tail -4
done
