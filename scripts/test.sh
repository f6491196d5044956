#!/usr/bin/env bash
# The README's second command: install what the tests need, build, and run the whole suite (unit tests and the
# end-to-end tests against the real binary, git and sha256sum), then the fuzz targets for a bounded time.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$here/scripts/install-deps.sh" --test
"$here/scripts/build.sh"
(cd "${BUILD_DIR:-$here/build}" && ctest --output-on-failure -j"$(nproc)" "$@")
"$here/scripts/fuzz.sh" "${FUZZ_SECONDS:-30}"
