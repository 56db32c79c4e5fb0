# ndes_add_test_binary: one gtest binary of the suite, in one call.
#
#   ndes_add_test_binary(<target> <ctest label>
#     SOURCES <file>...           relative to the calling directory
#     [LIBRARIES <lib>...]        besides ndes_test_support and gtest/gmock, which all link
#     [RUNS <target>...]          the programs the tests start, built first
#     [INCLUDES <dir>...]         headers beyond the calling directory's
#     [TEST_PROPERTIES <p> <v>...])  extra ctest properties (TIMEOUT, RUN_SERIAL, ...)
#
# Included from tests/CMakeLists.txt after ndes_discover_tests, which it calls.
function(ndes_add_test_binary target label)
  cmake_parse_arguments(PARSE_ARGV 2 arg "" "" "SOURCES;LIBRARIES;RUNS;INCLUDES;TEST_PROPERTIES")
  add_executable(${target} ${arg_SOURCES})
  target_include_directories(${target} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR} ${arg_INCLUDES})
  target_link_libraries(${target} PRIVATE ${arg_LIBRARIES} ndes_test_support GTest::gtest_main
    GTest::gmock)
  if(arg_RUNS)
    add_dependencies(${target} ${arg_RUNS})
  endif()
  ndes_discover_tests(${target} ${label} ${arg_TEST_PROPERTIES})
endfunction()
