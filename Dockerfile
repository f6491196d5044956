# Multi-stage: build and test the static binary on Debian bookworm, ship it alone in a scratch image.
FROM docker.io/library/debian:bookworm-slim AS build
WORKDIR /src
COPY . .
# The package lists stay: CMake runs `apt-get source` at configure time. This stage is discarded anyway.
RUN rm -rf build build-* tests/servers/node_modules && scripts/install-deps.sh --test && scripts/build.sh \
 && cd build && ctest --output-on-failure -j"$(nproc)" \
 && strip treeprint \
 && mkdir -p /out/tmp /out/usr/share/licenses/treeprint \
 && cp treeprint /out/treeprint \
 && cp _deps/licenses/* /out/usr/share/licenses/treeprint/ \
 && cp /usr/share/doc/libssl3/copyright /out/usr/share/licenses/treeprint/openssl.copyright \
 && cp /usr/share/doc/libstdc++6/copyright /out/usr/share/licenses/treeprint/libstdc++.copyright \
 && cp /usr/share/doc/libc6/copyright /out/usr/share/licenses/treeprint/glibc.copyright \
 && cp /usr/share/doc/libcli11-dev/copyright /out/usr/share/licenses/treeprint/cli11.copyright

FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/ /
ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
ENTRYPOINT ["/treeprint"]
