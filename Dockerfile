# Multi-stage: build and test the static binary on Debian bookworm, ship it alone in a scratch image.
# Classic syntax only (no heredocs), so that buildah 1.28 and Docker BuildKit build it the same way.
#
#   docker build -t treeprint .                         # or: buildah bud --isolation chroot --pull=never -t treeprint .
#   docker build --build-arg TREEPRINT_TESTS=none ...   # skip the test suite (e.g. an emulated architecture)
FROM docker.io/library/debian:bookworm-slim AS build
ARG TREEPRINT_TESTS=all
WORKDIR /src
COPY . .
# Dependencies exactly as on a developer machine: Debian packages, and `apt-get source` of cpp-httplib, simdjson and
# openssl (built trimmed, about 2 minutes) at configure time (the package lists stay for that; this stage is
# discarded). --test adds Python, git and Node.js (Prism and the workflow linters in tests/servers). The optional
# secret `extra_ca` is a PEM bundle trusted by npm in this step only (a TLS-inspecting proxy on the build host); it is
# mounted, never stored in a layer or the image.
RUN --mount=type=secret,id=extra_ca \
    if [ -s /run/secrets/extra_ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/extra_ca; fi \
 && rm -rf build build-* tests/servers/node_modules \
 && if [ "$TREEPRINT_TESTS" = none ]; then scripts/install-deps.sh; export BUILD_TARGETS=treeprint; \
    else scripts/install-deps.sh --test; fi \
 && scripts/build.sh
RUN if [ "$TREEPRINT_TESTS" != none ]; then ctest --test-dir build --output-on-failure -j"$(nproc)"; fi
# Every dependency is linked in: no program interpreter, no dynamic section.
RUN strip --strip-all -o /treeprint build/treeprint \
 && if readelf -l /treeprint | grep -q -e INTERP -e DYNAMIC; then echo "treeprint is not static" >&2; exit 1; fi \
 && ls -l /treeprint
# The licence texts of everything the static binary contains: Debian's copyright files of the packages whose static
# archives are linked, and the licence files CMake fetched with the cpp-httplib, simdjson and openssl sources.
RUN mkdir -p /out/tmp /out/usr/share/licenses/treeprint \
 && chmod 1777 /out/tmp \
 && lic=/out/usr/share/licenses/treeprint \
 && for p in libc6:glibc libstdc++6:libstdc++ libgcc-s1:libgcc zlib1g:zlib libminizip1:minizip \
             libyaml-cpp0.7:yaml-cpp libcli11-dev:cli11; do \
      cp "/usr/share/doc/${p%%:*}/copyright" "$lic/${p#*:}.copyright" || exit 1; \
    done \
 && cp build/_deps/licenses/cpp-httplib.LICENSE build/_deps/licenses/simdjson.LICENSE \
       build/_deps/licenses/openssl.LICENSE build/_deps/licenses/openssl.copyright "$lic/" \
 && mv /treeprint /out/treeprint \
 && ls -l "$lic"

FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/ /
# A static OpenSSL looks for its CA file under /usr/lib/ssl, which a scratch image does not have.
ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
# No USER: a container action runs as root, and treeprint gives what it writes the workspace owner's uid and gid.
ENTRYPOINT ["/treeprint"]
