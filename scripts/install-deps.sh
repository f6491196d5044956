#!/usr/bin/env bash
# Installs what treeprint needs on Debian bookworm, and nothing that is already there.
#
#   scripts/install-deps.sh          # build dependencies
#   scripts/install-deps.sh --test   # plus what the test suite uses (on amd64 an arm64 cross compiler and QEMU), and
#                                    # `npm ci` in tests/servers
#   scripts/install-deps.sh --fuzz   # plus clang and libFuzzer (scripts/fuzz.sh)
#
# Everything comes from Debian: -dev packages with static archives, and a deb-src entry (in its own file under
# /etc/apt/sources.list.d; debian.sources is never edited) so that CMake can `apt-get source` cpp-httplib,
# simdjson and openssl at configure time (perl runs OpenSSL's Configure; libssl-dev serves sanitizer builds).
set -euo pipefail

build_pkgs=(g++ cmake make perl pkg-config git ca-certificates dpkg-dev
            libssl-dev zlib1g-dev libyaml-cpp-dev libminizip-dev libcli11-dev libgtest-dev libgmock-dev)
test_pkgs=(python3 python3-jsonschema coreutils util-linux)
fuzz_pkgs=(clang libclang-rt-14-dev)

want=("${build_pkgs[@]}")
[ "${1:-}" = "--test" ] && want+=("${test_pkgs[@]}")
[ "${1:-}" = "--fuzz" ] && want+=("${fuzz_pkgs[@]}")
# On amd64 the arm64 SHA-2 code is tested too: cross-built and run under QEMU (tests/arm64; an arm64 host builds and
# runs it natively and needs neither).
if [ "${1:-}" = "--test" ] && [ "$(dpkg --print-architecture)" = amd64 ]; then
    want+=(g++-aarch64-linux-gnu qemu-user)
fi
# The REST contract tests run Prism, the artifact tests Azurite and @actions/artifact (tests/servers/package.json,
# Node >= 18.20). Debian's nodejs and npm are enough;
# a newer Node that is already installed (a nodesource package, say) is kept.
if [ "${1:-}" = "--test" ] && ! command -v npm >/dev/null; then
    want+=(nodejs npm)
fi

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        echo "install-deps: need root (or sudo) to run: $*" >&2; exit 1
    fi
}

missing=()
for p in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done

# A deb-src entry for `apt-get source`, made from the machine's own deb entries.
src_file=/etc/apt/sources.list.d/treeprint-deb-src.sources
need_update=0
if ! grep -rqsE '^(deb-src|Types:.*deb-src)' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
        sed -e '/^#/d' -e 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources \
            | as_root tee "$src_file" >/dev/null
    elif [ -f /etc/apt/sources.list ]; then
        grep -E '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' \
            | as_root tee /etc/apt/sources.list.d/treeprint-deb-src.list >/dev/null
    else
        echo "install-deps: no apt sources found to derive a deb-src entry from" >&2
        exit 1
    fi
    need_update=1
fi

if [ ${#missing[@]} -gt 0 ] || [ "$need_update" = 1 ]; then
    as_root apt-get update -qq
fi
if [ ${#missing[@]} -gt 0 ]; then
    echo "install-deps: installing ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Prism, Azurite and @actions/artifact with their dependencies, exactly as package-lock.json pins them; skipped when
# node_modules matches the lock file.
# --omit=dev leaves out @octokit/openapi, needed only to cut github-subset.json again (extract-spec.js).
if [ "${1:-}" = "--test" ]; then
    servers=$(cd "$(dirname "${BASH_SOURCE[0]}")/../tests/servers" && pwd)
    stamp="$servers/node_modules/.treeprint-lock.sha256"
    want_sum=$(sha256sum "$servers/package-lock.json" "$servers/package.json" | sha256sum | cut -d' ' -f1)
    if [ ! -x "$servers/node_modules/.bin/prism" ] || [ ! -x "$servers/node_modules/.bin/azurite-blob" ] ||
       [ "$(cat "$stamp" 2>/dev/null)" != "$want_sum" ]; then
        echo "install-deps: npm ci in tests/servers"
        (cd "$servers" && npm ci --omit=dev --no-audit --no-fund --loglevel=error >/dev/null)
        echo "$want_sum" > "$stamp"
    fi
fi
