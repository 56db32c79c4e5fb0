# Integration tests of the probes: the real exporter against real peers on loopback
# (scepserver, openssl s_server, blackbox_exporter, an in-test civetweb server).
# Included from tests/integration/CMakeLists.txt.
add_executable(ndes_probe_integration_tests
  ${CMAKE_CURRENT_LIST_DIR}/probe_support.cpp
  ${CMAKE_CURRENT_LIST_DIR}/probe_scep_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/probe_bad_endpoint_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/probe_tls_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/probe_crl_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/probe_static_test.cpp
  # The in-test HTTP server; it could move into ndes_test_support when others need it.
  ${CMAKE_CURRENT_LIST_DIR}/../support/test_http_server.cpp
)
target_include_directories(ndes_probe_integration_tests PRIVATE ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(ndes_probe_integration_tests PRIVATE ndes_test_support civetweb::civetweb
  GTest::gtest_main GTest::gmock)
add_dependencies(ndes_probe_integration_tests ndes_exporter)
# NDES_SOURCE_DIR / NDES_BIN_DIR default to this build (tests/support), so no
# ENVIRONMENT is needed (a ';' list would not survive ndes_discover_tests' ARGN).
ndes_discover_tests(ndes_probe_integration_tests integration)
