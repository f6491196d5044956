#!/usr/bin/env bash
# The README's first command: install what is missing, build, and scan DIR (default: the current directory),
# printing a summary and writing treeprint-manifest.json (or $OUT) in the current directory.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$here/scripts/install-deps.sh"
echo "run: building treeprint (a few minutes the first time)" >&2
BUILD_TARGETS=treeprint "$here/scripts/build.sh" >/dev/null   # the binary only, not the test programs
exec "${BUILD_DIR:-$here/build}/treeprint" scan "${1:-.}" -o "${OUT:-treeprint-manifest.json}" "${@:2}"
