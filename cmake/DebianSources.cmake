# Third-party single-file sources that Debian ships only as source packages.
#
# At configure time we run `apt-get source PACKAGE=VERSION` into the build tree, check the sha256 of every file we
# use against the values below, and copy them to ${TREEPRINT_DEPS_DIR}. Nothing third-party is committed.
# `apt-get source` needs a deb-src entry; scripts/install-deps.sh adds one in its own file under
# /etc/apt/sources.list.d (it never edits debian.sources).

# package=version | file in the unpacked source | destination | sha256
set(_treeprint_debian_files
  "cpp-httplib=0.11.4+ds-1+deb12u1|cpp-httplib-0.11.4+ds/httplib.h|httplib/httplib.h|2bcaaeb62b3fee7beed69aa51e14f811f4d0bac3a0c1d6f0f095b02655d80a4e"
  "cpp-httplib=0.11.4+ds-1+deb12u1|cpp-httplib-0.11.4+ds/LICENSE|licenses/cpp-httplib.LICENSE|4b45cbe16d7b71b89ae6127e26e0d90a029198ca5e958ad8e3d0b8bbed364d8b"
  "simdjson=3.0.1-1|simdjson-3.0.1/singleheader/simdjson.h|simdjson/simdjson.h|5ce048173caafa1e4b71872cedf10c011698b336a34fab2905f94dc377918f19"
  "simdjson=3.0.1-1|simdjson-3.0.1/singleheader/simdjson.cpp|simdjson/simdjson.cpp|3911df6dfec471668231fd47bc2f96378567a12fcd74669bc9dfad28fa182ea7"
  "simdjson=3.0.1-1|simdjson-3.0.1/LICENSE|licenses/simdjson.LICENSE|664f4e8a5ae846b8a94960da2418187c0b4176d64266ba5fdb8316a8ddf50f27"
)

# Runs `apt-get source PACKAGE=VERSION` (download, check against Debian's signed indexes, unpack with Debian's
# patches) in WORK, unless EXPECTED, a path relative to WORK, is already there.
function(treeprint_apt_source pkg work expected)
  if(EXISTS "${work}/${expected}")
    return()
  endif()
  find_program(APT_GET apt-get)
  if(NOT APT_GET)
    message(FATAL_ERROR "treeprint: apt-get not found; ${expected} comes from the Debian source package ${pkg}")
  endif()
  file(MAKE_DIRECTORY "${work}")
  message(STATUS "treeprint: apt-get source ${pkg}")
  execute_process(COMMAND "${APT_GET}" source -qq "${pkg}" WORKING_DIRECTORY "${work}"
                  RESULT_VARIABLE rc OUTPUT_VARIABLE log ERROR_VARIABLE log)
  if(NOT rc EQUAL 0 OR NOT EXISTS "${work}/${expected}")
    message(FATAL_ERROR "treeprint: `apt-get source ${pkg}` failed (${rc}):\n${log}\n"
                        "Run scripts/install-deps.sh first: it adds the deb-src entry and dpkg-dev.")
  endif()
endfunction()

function(_treeprint_fetch_debian_file spec)
  string(REPLACE "|" ";" parts "${spec}")
  list(GET parts 0 pkg)
  list(GET parts 1 src)
  list(GET parts 2 dst)
  list(GET parts 3 want)
  set(out "${TREEPRINT_DEPS_DIR}/${dst}")
  if(EXISTS "${out}")
    file(SHA256 "${out}" have)
    if(have STREQUAL want)
      return()
    endif()
  endif()
  set(work "${TREEPRINT_DEPS_DIR}/src")
  treeprint_apt_source("${pkg}" "${work}" "${src}")
  file(SHA256 "${work}/${src}" have)
  if(NOT have STREQUAL want)
    message(FATAL_ERROR "treeprint: ${src} from ${pkg} has sha256 ${have}, expected ${want}. "
                        "The Debian source package changed; check it and update cmake/DebianSources.cmake.")
  endif()
  configure_file("${work}/${src}" "${out}" COPYONLY)
endfunction()

foreach(spec IN LISTS _treeprint_debian_files)
  _treeprint_fetch_debian_file("${spec}")
endforeach()
