#!/usr/bin/env bash
# Configures and builds treeprint (fully static, Release) into build/ (or $BUILD_DIR).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$here/build}
cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j"$(nproc)" 2>&1 \
    | grep -v -E "statically linked applications requires at runtime|in function \`(BIO_|dso_|DSO_)|: in function" || true
test -x "$build/treeprint" || { echo "build failed: $build/treeprint missing" >&2; exit 1; }
