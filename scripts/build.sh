#!/usr/bin/env bash
# Configures and builds treeprint (fully static, Release) into build/ (or $BUILD_DIR): everything, or only the
# CMake targets named in $BUILD_TARGETS (e.g. BUILD_TARGETS=treeprint, without the test binaries).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$here/build}
# Configure prints only its own steps (fetching Debian sources, building OpenSSL once); errors go to stderr.
cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=Release | { grep --line-buffered '^-- treeprint:' || true; }
targets=()
for t in ${BUILD_TARGETS:-}; do targets+=(--target "$t"); done
# glibc's warnings about getaddrinfo in a static binary are expected (container.empty_root tests name resolution).
rc=0
cmake --build "$build" -j"$(nproc)" "${targets[@]}" 2>&1 \
    | { grep -v -E "statically linked applications requires at runtime|in function \`(BIO_|dso_|DSO_)|: in function" || true; } \
    || rc=$?
[ "$rc" = 0 ] || { echo "build failed (exit $rc)" >&2; exit 1; }
test -x "$build/treeprint" || { echo "build failed: $build/treeprint missing" >&2; exit 1; }
