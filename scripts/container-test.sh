#!/usr/bin/env bash
# Builds the image with buildah and runs it with podman the way the GitHub runner runs a container action, then
# checks it: sizes, static linking, licence texts, and (tests/container/test_image.py) the outputs, the job summary,
# the manifest digest against the host binary's, file ownership in the workspace, the REST calls through Prism.
# Takes minutes (the build stage compiles and tests everything); not part of scripts/test.sh. Needs root.
#
#   scripts/container-test.sh
#
# Environment (all optional):
#   IMAGE=localhost/treeprint:test      the tag to build and test
#   TREEPRINT_TESTS=all|none            run the test suite inside the build stage (default all)
#   SKIP_BUILD=1                        test an IMAGE that is already built
#   BASE_IMAGE=docker.io/library/debian:bookworm-slim
#                                       the build stage's base; made once with debootstrap when it is missing
#                                       (BASE_PULL=1: pull it from the registry instead)
#   MAX_IMAGE_BYTES=8000000 MAX_BINARY_BYTES=6000000
#   EXTRA_CA_FILE=$NODE_EXTRA_CA_CERTS  a PEM bundle npm trusts in the build stage (a TLS-inspecting proxy); passed as a
#                                       build secret, so it never reaches a layer or the image
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
image=${IMAGE:-localhost/treeprint:test}
base=${BASE_IMAGE:-docker.io/library/debian:bookworm-slim}
max_image=${MAX_IMAGE_BYTES:-8000000}
max_binary=${MAX_BINARY_BYTES:-6000000}
export CONTAINERS_CONF=${CONTAINERS_CONF:-$here/tests/container/containers.conf}

say() { echo "container-test: $*" >&2; }
die() { say "FAIL: $*"; exit 1; }
# Size limits are checked first but reported at the end, so that the runtime checks run either way.
late_failures=()
late() { say "FAIL (reported at the end): $*"; late_failures+=("$*"); }

[ "$(id -u)" = 0 ] || die "run as root (podman and buildah as root; the workspace ownership check chowns files)"

need=()
for tool in buildah:buildah podman:podman runc:runc debootstrap:debootstrap file:file python3:python3 node:nodejs sha256sum:coreutils; do
    command -v "${tool%%:*}" >/dev/null || need+=("${tool#*:}")
done
if [ ${#need[@]} -gt 0 ]; then
    say "installing ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# Prism for the REST checks, as the test suite pins it (without scripts/install-deps.sh, so that this also runs on a
# host that is not Debian, such as a GitHub-hosted runner).
if [ ! -x "$here/tests/servers/node_modules/.bin/prism" ]; then
    command -v npm >/dev/null || die "npm is needed (Node.js >= 18.20)"
    (cd "$here/tests/servers" && npm ci --omit=dev --no-audit --no-fund --loglevel=error >/dev/null)
fi

# --- the base image: pulled, or made once with debootstrap and kept in podman's store -----------------------------
make_base() {
    local mirror rootfs
    mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
    mirror=${mirror:-http://deb.debian.org/debian}
    rootfs=$(mktemp -d)
    say "making $base with debootstrap from $mirror (about a minute)"
    debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >/dev/null
    # Trimmed like the published slim image.
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/lib/apt/lists/* \
           "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/*
    find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
    rm -f "$rootfs/etc/apt/sources.list"
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
        grep -v '^#' /etc/apt/sources.list.d/debian.sources > "$rootfs/etc/apt/sources.list.d/debian.sources"
    else
        printf 'Types: deb\nURIs: %s\nSuites: bookworm bookworm-updates\nComponents: main\n' "$mirror" \
            > "$rootfs/etc/apt/sources.list.d/debian.sources"
    fi
    printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-include /usr/share/doc/*/copyright' \
        'path-exclude /usr/share/man/*' 'path-exclude /usr/share/info/*' 'path-exclude /usr/share/locale/*' \
        'path-include /usr/share/locale/locale.alias' > "$rootfs/etc/dpkg/dpkg.cfg.d/docker-slim"
    printf 'APT::Install-Recommends "false";\n' > "$rootfs/etc/apt/apt.conf.d/docker-no-recommends"
    tar --numeric-owner -C "$rootfs" -c . | podman import --change 'CMD ["bash"]' - "$base" >/dev/null
    rm -rf "$rootfs"
}
if ! podman image exists "$base"; then
    if [ "${BASE_PULL:-0}" = 1 ]; then podman pull -q "$base" >/dev/null; else make_base; fi
fi

# --- build ----------------------------------------------------------------------------------------------------------
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    if [ "${TREEPRINT_TESTS:-all}" = none ]; then what="builds OpenSSL and treeprint"; else what="builds OpenSSL and treeprint, then runs the test suite"; fi
    say "building $image (TREEPRINT_TESTS=${TREEPRINT_TESTS:-all}): minutes, it $what"
    start=$(date +%s)
    secret=()
    extra_ca=${EXTRA_CA_FILE:-${NODE_EXTRA_CA_CERTS:-}}
    [ -n "$extra_ca" ] && [ -r "$extra_ca" ] && secret=(--secret "id=extra_ca,src=$extra_ca")
    buildah bud --isolation chroot --pull=never --layers=false --build-arg "TREEPRINT_TESTS=${TREEPRINT_TESTS:-all}" \
        "${secret[@]}" -t "$image" -f "$here/Dockerfile" "$here"
    say "built in $(( $(date +%s) - start )) s"
fi

# --- static checks on the image -------------------------------------------------------------------------------------
work=$(mktemp -d)
cid=""
cleanup() { [ -n "$cid" ] && podman rm -f "$cid" >/dev/null 2>&1; rm -rf "$work"; }
trap cleanup EXIT
image_bytes=$(podman image inspect --format '{{.Size}}' "$image")
cid=$(podman create "$image")
podman cp "$cid:/treeprint" "$work/treeprint"
podman cp "$cid:/usr/share/licenses/treeprint" "$work/licenses"
podman export "$cid" | tar -t | sort > "$work/files.txt"
podman rm -f "$cid" >/dev/null; cid=""
binary_bytes=$(stat -c %s "$work/treeprint")
podman save --format oci-archive -o "$work/image.tar" "$image" >/dev/null 2>&1
compressed=$(stat -c %s "$work/image.tar")
say "image $image: $image_bytes bytes uncompressed (limit $max_image), oci-archive (gzip layers) $compressed bytes"
say "binary: $binary_bytes bytes (limit $max_binary); $(file -b "$work/treeprint" | cut -d, -f1-5)"
[ "$image_bytes" -le "$max_image" ] || late "image is $image_bytes bytes, over $max_image"
[ "$binary_bytes" -le "$max_binary" ] || late "binary is $binary_bytes bytes, over $max_binary"
file -b "$work/treeprint" | grep -q 'statically linked' || die "the binary is not statically linked: $(file -b "$work/treeprint")"
if ldd "$work/treeprint" >/dev/null 2>&1 && ! ldd "$work/treeprint" 2>&1 | grep -q 'statically linked'; then
    die "ldd lists shared libraries: $(ldd "$work/treeprint")"
fi
if file -b "$work/treeprint" | grep -q 'not stripped'; then die "the binary is not stripped"; fi
# The OpenSSL linked in is the one cmake/OpenSSLFromSource.cmake pins.
openssl_want=$(sed -n 's/^set(TREEPRINT_OPENSSL_UPSTREAM_VERSION "\(.*\)")$/\1/p' "$here/cmake/OpenSSLFromSource.cmake")
"$work/treeprint" --version | grep -q "^OpenSSL $openssl_want " \
    || die "the binary reports $("$work/treeprint" --version | tail -1), expected OpenSSL $openssl_want"
for lic in glibc libstdc++ libgcc openssl zlib minizip yaml-cpp cli11; do
    [ -s "$work/licenses/$lic.copyright" ] || die "licence text missing: $lic.copyright"
done
for lic in cpp-httplib simdjson openssl; do
    [ -s "$work/licenses/$lic.LICENSE" ] || die "licence text missing: $lic.LICENSE"
done
grep -qE '^(\./)?tmp/?$' "$work/files.txt" || die "no /tmp in the image"
grep -q 'etc/ssl/certs/ca-certificates.crt' "$work/files.txt" || die "no CA bundle in the image"
config=$(podman image inspect --format '{{json .Config}}' "$image")
python3 - "$config" <<'PY' || die "image config"
import json, sys
c = json.loads(sys.argv[1])
assert c.get("Entrypoint") == ["/treeprint"], c.get("Entrypoint")
assert "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt" in c.get("Env", []), c.get("Env")
assert c.get("User", "") in ("", "root", "0"), c.get("User")
PY
say "static checks passed: static, stripped, licences, /tmp, CA bundle, exec-form ENTRYPOINT, root"
say "runtime checks: podman run as the GitHub runner and as Woodpecker (tests/container/test_image.py)"

# --- run it as the runner does, against Prism and the fake REST API on the host ---------------------------------
host_bin=${TREEPRINT_BIN:-$here/build/treeprint}
[ -x "$host_bin" ] || { say "no host binary at $host_bin: comparing with the image's own binary run on the host"; host_bin=$work/treeprint; }
TREEPRINT_IMAGE=$image TREEPRINT_BIN=$host_bin \
    python3 "$here/tests/servers/run_contract_tests.py" python3 "$here/tests/container/test_image.py"
if [ ${#late_failures[@]} -gt 0 ]; then
    for f in "${late_failures[@]}"; do say "FAIL: $f"; done
    exit 1
fi
say "all checks passed"
