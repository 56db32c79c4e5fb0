# The Windows dependencies, built before the project looks for them.
#
# The windows-cross preset names this file in CMAKE_PROJECT_TOP_LEVEL_INCLUDES, so
# the first project() call includes it right after the toolchain file (before the
# languages are enabled), and so before any find_package(). It runs build-deps.sh
# (Debian source packages pinned in versions.txt, built with mingw-w64 into
# NDES_WINDOWS_DEPS_PREFIX) unless the prefix's stamp says the pins, the script and
# the toolchain are unchanged: a warm configure costs three file hashes.
# Included before the languages are enabled: WIN32 is not set yet.
if(NOT CMAKE_SYSTEM_NAME STREQUAL "Windows" OR NOT CMAKE_CROSSCOMPILING)
  return()
endif()

set(_ndes_deps_dir "${CMAKE_CURRENT_LIST_DIR}")
if(NOT NDES_WINDOWS_DEPS_PREFIX)
  set(NDES_WINDOWS_DEPS_PREFIX "${CMAKE_BINARY_DIR}/_deps/prefix")
endif()
set(NDES_WINDOWS_DEPS_PREFIX "${NDES_WINDOWS_DEPS_PREFIX}"
    CACHE PATH "Where the mingw-w64 builds of the dependencies are installed")
get_filename_component(_ndes_deps_work "${NDES_WINDOWS_DEPS_PREFIX}" DIRECTORY)

file(SHA256 "${_ndes_deps_dir}/versions.txt" _ndes_h1)
file(SHA256 "${_ndes_deps_dir}/build-deps.sh" _ndes_h2)
file(SHA256 "${CMAKE_TOOLCHAIN_FILE}" _ndes_h3)
set(_ndes_stamp_want "${_ndes_h1} ${_ndes_h2} ${_ndes_h3}")
set(_ndes_stamp "${NDES_WINDOWS_DEPS_PREFIX}/.stamps/all")
set(_ndes_stamp_have "")
if(EXISTS "${_ndes_stamp}")
  file(READ "${_ndes_stamp}" _ndes_stamp_have)
endif()

if(NOT _ndes_stamp_have STREQUAL _ndes_stamp_want)
  cmake_host_system_information(RESULT _ndes_jobs QUERY NUMBER_OF_LOGICAL_CORES)
  message(STATUS "windows-deps: building the dependencies into ${NDES_WINDOWS_DEPS_PREFIX}")
  string(TIMESTAMP _ndes_t0 "%s")
  execute_process(
    COMMAND bash "${_ndes_deps_dir}/build-deps.sh" --prefix "${NDES_WINDOWS_DEPS_PREFIX}" --work
            "${_ndes_deps_work}" --toolchain "${CMAKE_TOOLCHAIN_FILE}" --jobs ${_ndes_jobs}
    RESULT_VARIABLE _ndes_rc COMMAND_ECHO NONE)
  if(NOT _ndes_rc EQUAL 0)
    message(FATAL_ERROR "windows-deps: build-deps.sh failed (${_ndes_rc}); see the log above")
  endif()
  string(TIMESTAMP _ndes_t1 "%s")
  math(EXPR _ndes_secs "${_ndes_t1} - ${_ndes_t0}")
  message(STATUS "windows-deps: ready after ${_ndes_secs} s")
  file(WRITE "${_ndes_stamp}" "${_ndes_stamp_want}")
else()
  message(STATUS "windows-deps: up to date in ${NDES_WINDOWS_DEPS_PREFIX}")
endif()

# find_package() looks only in the mingw sysroot and this prefix (the toolchain
# file sets the root-path modes to ONLY).
list(APPEND CMAKE_FIND_ROOT_PATH "${NDES_WINDOWS_DEPS_PREFIX}")
list(REMOVE_DUPLICATES CMAKE_FIND_ROOT_PATH)
list(APPEND CMAKE_PREFIX_PATH "${NDES_WINDOWS_DEPS_PREFIX}")
set(OPENSSL_ROOT_DIR "${NDES_WINDOWS_DEPS_PREFIX}")
set(OPENSSL_USE_STATIC_LIBS TRUE)
# openssl.exe and its config, for the tests that make certificates under wine.
set(NDES_WINDOWS_OPENSSL_EXE "${NDES_WINDOWS_DEPS_PREFIX}/bin/openssl.exe")
set(NDES_WINDOWS_OPENSSL_CONF "${NDES_WINDOWS_DEPS_PREFIX}/ssl/openssl.cnf")
