# OpenSSL for the shipped static binary: Debian's source package, built with only what treeprint uses.
#
# Debian's libcrypto.a carries every algorithm OpenSSL 3.0 offers, and its default provider's tables keep them all
# reachable, so section GC cannot drop any: 3.4 MB of a 6.9 MB binary. treeprint needs SHA-256 and a TLS 1.2/1.3
# client that verifies certificates (ECDHE/DHE, RSA/ECDSA/EdDSA, AES-GCM, ChaCha20-Poly1305). Built from the same
# Debian source package, with Debian's patches and target flags, and without the rest, the binary is 1.3 MB smaller,
# starts faster, and carries no legacy protocol or cipher (SSLv3, TLS 1.0/1.1, DES, RC4, MD4, ...) to be attacked.
#
# The version is pinned by the sha256 of its .dsc (which pins the tarballs; `dpkg-source -x` checks them). When
# Debian publishes a security update of openssl in bookworm, update the three values below (docs/release.md).
#
# Sanitizer and fuzz builds link dynamically and use the system's libssl-dev instead:
# -DTREEPRINT_OPENSSL_FROM_SOURCE=OFF does the same for any build.

set(TREEPRINT_OPENSSL_DEBIAN_VERSION "3.0.20-1~deb12u2")
set(TREEPRINT_OPENSSL_UPSTREAM_VERSION "3.0.20")
set(TREEPRINT_OPENSSL_DSC_SHA256 "a614474a2773c23b10c0d65f4eccbcf93fdac4749afb7c26d76e1b0340154d3d")

# What is left out. Each is a family treeprint never uses; TLS 1.2 and 1.3 keep all the suites GitHub, Azure blob
# storage and TLS-inspecting proxies offer. no-autoload-config: the binary behaves the same on a host with an
# openssl.cnf as in the scratch image without one. no-err: treeprint reports TLS failures from httplib's error kind
# and X509_verify_cert_error_string (which no-err keeps), never from the error queue's strings, and loading them cost
# 0.6 ms of every start (median of `--version`: 3.46 -> 2.84 ms; cpp-httplib initialises OpenSSL before main).
# no-dso: nothing is loaded at run time, and a static binary must not dlopen.
set(TREEPRINT_OPENSSL_OPTIONS
  no-shared no-module no-dso no-engine no-legacy no-autoload-config no-deprecated no-err no-async no-uplink no-capieng
  no-ssl3 no-ssl3-method no-tls1 no-tls1-method no-tls1_1 no-tls1_1-method no-dtls no-sctp no-srtp
  no-srp no-psk no-nextprotoneg no-ct no-ocsp no-cms no-ts no-cmp no-rfc3779 no-comp no-zlib
  no-idea no-mdc2 no-rc2 no-rc4 no-rc5 no-md4 no-whirlpool no-seed no-bf no-cast no-camellia no-aria
  no-sm2 no-sm3 no-sm4 no-gost no-des no-dsa no-siphash no-blake2 no-scrypt no-ocb no-siv no-ec2m
  no-multiblock no-rdrand no-ui-console no-tests no-filenames)
# -O2 as Debian's own build; function and data sections so that --gc-sections drops what is left unused.
set(TREEPRINT_OPENSSL_CFLAGS "-O2 -ffunction-sections -fdata-sections")

function(treeprint_build_openssl prefix)
  set(work "${TREEPRINT_DEPS_DIR}/src/openssl")
  set(source "${work}/openssl-${TREEPRINT_OPENSSL_UPSTREAM_VERSION}")
  set(build "${TREEPRINT_DEPS_DIR}/openssl-build")
  set(dsc "${work}/openssl_${TREEPRINT_OPENSSL_DEBIAN_VERSION}.dsc")
  string(SHA256 want_stamp "${TREEPRINT_OPENSSL_DSC_SHA256};${TREEPRINT_OPENSSL_OPTIONS};${TREEPRINT_OPENSSL_CFLAGS}")
  set(stamp "${prefix}/treeprint-stamp")
  if(EXISTS "${stamp}" AND EXISTS "${prefix}/lib/libcrypto.a" AND EXISTS "${prefix}/lib/libssl.a")
    file(READ "${stamp}" have_stamp)
    if(have_stamp STREQUAL want_stamp)
      return()
    endif()
  endif()

  # apt-get source checks the files against Debian's signed indexes and unpacks them with Debian's patches; the .dsc's
  # sha256 then pins the exact version (it lists the tarballs' hashes, which dpkg-source checked).
  treeprint_apt_source("openssl=${TREEPRINT_OPENSSL_DEBIAN_VERSION}" "${work}"
                       "openssl-${TREEPRINT_OPENSSL_UPSTREAM_VERSION}/Configure")
  file(SHA256 "${dsc}" have)
  if(NOT have STREQUAL TREEPRINT_OPENSSL_DSC_SHA256)
    message(FATAL_ERROR "treeprint: ${dsc} has sha256 ${have}, expected ${TREEPRINT_OPENSSL_DSC_SHA256}. "
                        "Check the Debian source package and update cmake/OpenSSLFromSource.cmake.")
  endif()

  execute_process(COMMAND dpkg --print-architecture OUTPUT_VARIABLE arch OUTPUT_STRIP_TRAILING_WHITESPACE
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "treeprint: `dpkg --print-architecture` failed; OpenSSL is built with Debian's target for it")
  endif()
  cmake_host_system_information(RESULT jobs QUERY NUMBER_OF_LOGICAL_CORES)
  find_program(PERL perl REQUIRED)
  find_program(MAKE_PROGRAM NAMES make gmake REQUIRED)
  message(STATUS "treeprint: building OpenSSL ${TREEPRINT_OPENSSL_DEBIAN_VERSION} from Debian's source package "
                 "(once per build tree; about 2 minutes on 2 cores)")
  file(REMOVE_RECURSE "${build}" "${prefix}")
  file(MAKE_DIRECTORY "${build}")
  set(logfile "${build}/build.log")
  foreach(step configure build install)
    if(step STREQUAL configure)
      set(cmd "${CMAKE_COMMAND}" -E env "CFLAGS=${TREEPRINT_OPENSSL_CFLAGS}"
          "${PERL}" "${source}/Configure" "debian-${arch}" "--prefix=${prefix}" --libdir=lib
          --openssldir=/usr/lib/ssl ${TREEPRINT_OPENSSL_OPTIONS})
    elseif(step STREQUAL build)
      set(cmd "${MAKE_PROGRAM}" -j${jobs} build_libs)
    else()
      set(cmd "${MAKE_PROGRAM}" install_dev)
    endif()
    execute_process(COMMAND ${cmd} WORKING_DIRECTORY "${build}" RESULT_VARIABLE rc
                    OUTPUT_FILE "${logfile}.${step}" ERROR_FILE "${logfile}.${step}")
    if(NOT rc EQUAL 0)
      file(READ "${logfile}.${step}" log)
      string(LENGTH "${log}" n)
      if(n GREATER 4000)
        math(EXPR from "${n} - 4000")
        string(SUBSTRING "${log}" ${from} -1 log)
      endif()
      message(FATAL_ERROR "treeprint: OpenSSL ${step} failed (${rc}); the end of ${logfile}.${step}:\n${log}")
    endif()
  endforeach()
  file(MAKE_DIRECTORY "${TREEPRINT_DEPS_DIR}/licenses")
  configure_file("${source}/LICENSE.txt" "${TREEPRINT_DEPS_DIR}/licenses/openssl.LICENSE" COPYONLY)
  configure_file("${source}/debian/copyright" "${TREEPRINT_DEPS_DIR}/licenses/openssl.copyright" COPYONLY)
  file(WRITE "${stamp}" "${want_stamp}")
endfunction()

set(_prefix "${TREEPRINT_DEPS_DIR}/openssl")
treeprint_build_openssl("${_prefix}")
# Point FindOpenSSL at this build, over anything an earlier configure of the same tree cached.
set(OPENSSL_ROOT_DIR "${_prefix}")
set(OPENSSL_INCLUDE_DIR "${_prefix}/include" CACHE PATH "OpenSSL headers" FORCE)
set(OPENSSL_CRYPTO_LIBRARY "${_prefix}/lib/libcrypto.a" CACHE FILEPATH "libcrypto" FORCE)
set(OPENSSL_SSL_LIBRARY "${_prefix}/lib/libssl.a" CACHE FILEPATH "libssl" FORCE)
unset(_prefix)
