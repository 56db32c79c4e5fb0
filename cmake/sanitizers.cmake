# Sanitizer and fuzzing builds (issue #10). Included from the root CMakeLists.txt
# after project() and before the first add_subdirectory(), so every target of the
# tree (libraries, binaries, tests) is built the same way.
#
#   -DNDES_SANITIZE=address,undefined   ASan + UBSan on everything (gcc or clang).
#                                       Any UBSan finding aborts (no recovery).
#   -DNDES_FUZZ=ON                      clang only: the whole tree gets libFuzzer's
#                                       coverage instrumentation plus ASan + UBSan
#                                       (-fsanitize=fuzzer-no-link,...), and
#                                       tests/fuzz builds the fuzz targets, which link
#                                       with -fsanitize=fuzzer.
include_guard(GLOBAL)

set(NDES_SANITIZE "" CACHE STRING
    "Sanitizers for the whole tree: \"\" (none) or \"address,undefined\"")
set_property(CACHE NDES_SANITIZE PROPERTY STRINGS "" "address,undefined")
option(NDES_FUZZ "Build the libFuzzer targets in tests/fuzz (clang only)" OFF)

set(_ndes_sanitizers "${NDES_SANITIZE}")
if(NDES_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "NDES_FUZZ=ON needs clang (libFuzzer), e.g. "
      "-DCMAKE_CXX_COMPILER=clang++-14; this is ${CMAKE_CXX_COMPILER_ID}")
  endif()
  # Fuzz targets always run under ASan + UBSan.
  set(_ndes_sanitizers "address,undefined")
endif()

if(_ndes_sanitizers)
  if(NOT _ndes_sanitizers STREQUAL "address,undefined")
    message(FATAL_ERROR "NDES_SANITIZE must be \"\" or \"address,undefined\", "
      "not \"${_ndes_sanitizers}\"")
  endif()
  set(_ndes_compile_sanitizers "${_ndes_sanitizers}")
  if(NDES_FUZZ)
    # Coverage feedback for libFuzzer in every library the targets call into;
    # only the fuzz executables link libFuzzer itself (tests/fuzz/CMakeLists.txt).
    set(_ndes_compile_sanitizers "fuzzer-no-link,${_ndes_sanitizers}")
  endif()
  add_compile_options(
    -fsanitize=${_ndes_compile_sanitizers}
    -fno-sanitize-recover=undefined
    -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${_ndes_sanitizers} -fno-sanitize-recover=undefined)
  message(STATUS "ndes: sanitizers: ${_ndes_compile_sanitizers}")
endif()
