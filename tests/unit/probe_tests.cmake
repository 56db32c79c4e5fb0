# Unit tests of the probes (pure parts, in-process plumbing on loopback, and the
# YAML sections). Included from tests/unit/CMakeLists.txt.
add_executable(ndes_probe_unit_tests
  ${CMAKE_CURRENT_LIST_DIR}/probe_failure_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/probe_url_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/probe_scep_parse_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/probe_crl_parse_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/probe_endpoint_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/probe_config_test.cpp
)
target_link_libraries(ndes_probe_unit_tests PRIVATE ndes_exporter_lib ndes_core ndes_collectors
  ndes_test_support GTest::gtest_main GTest::gmock)
# NDES_SOURCE_DIR / NDES_BIN_DIR default to this build (tests/support), so no
# ENVIRONMENT is needed (a ';' list would not survive ndes_discover_tests' ARGN).
ndes_discover_tests(ndes_probe_unit_tests unit)
