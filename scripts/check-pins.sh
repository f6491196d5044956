#!/usr/bin/env bash
# Compares the Debian source packages the build pins (cmake/DebianSources.cmake, cmake/OpenSSLFromSource.cmake)
# with the newest versions in this machine's deb-src indexes (run `apt-get update` first).
#
#   scripts/check-pins.sh     # exit 0: every pin is the newest; 1: a newer version exists (listed); 2: cannot tell
#
# The static binary carries its OpenSSL, so a Debian security update of openssl reaches users only through a new
# pin and a new release: the scheduled CI job and the release workflow run this.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

pins=$(
    sed -n 's/^ *"\([a-z0-9.+-]*\)=\([^|]*\)|.*/\1 \2/p' "$here/cmake/DebianSources.cmake"
    sed -n 's/^set(TREEPRINT_OPENSSL_DEBIAN_VERSION "\(.*\)")$/openssl \1/p' "$here/cmake/OpenSSLFromSource.cmake"
)
pins=$(sort -u <<<"$pins")
[ "$(wc -l <<<"$pins")" -ge 3 ] || { echo "check-pins: could not read the pins from cmake/" >&2; exit 2; }

stale=0
while read -r pkg pinned; do
    newest=""
    for v in $(apt-cache showsrc "$pkg" 2>/dev/null | sed -n 's/^Version: //p'); do
        if [ -z "$newest" ] || dpkg --compare-versions "$v" gt "$newest"; then newest=$v; fi
    done
    if [ -z "$newest" ]; then
        echo "check-pins: $pkg: no deb-src entry knows it (scripts/install-deps.sh adds one; then apt-get update)" >&2
        exit 2
    fi
    if dpkg --compare-versions "$newest" gt "$pinned"; then
        echo "$pkg: pinned $pinned, Debian has $newest: update the pin and its sha256"
        stale=1
    else
        echo "$pkg: pinned $pinned, the newest"
    fi
done <<<"$pins"
exit $stale
