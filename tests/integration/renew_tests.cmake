# Integration tests of the renew hook: the real ndes_renew_hook over HTTP, with a real
# Alertmanager, and renewing a file certificate that the real ndes_exporter reports.
# Included from tests/integration/CMakeLists.txt.
add_executable(ndes_renew_integration_tests
  ${CMAKE_CURRENT_LIST_DIR}/renew_support.cpp
  ${CMAKE_CURRENT_LIST_DIR}/renew_http_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/renew_crash_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/renew_alertmanager_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/renew_command_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/renew_landing_test.cpp
)
target_include_directories(ndes_renew_integration_tests PRIVATE ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(ndes_renew_integration_tests PRIVATE ndes_test_support ndes_core
  nlohmann_json::nlohmann_json GTest::gtest_main GTest::gmock)
add_dependencies(ndes_renew_integration_tests ndes_renew_hook ndes_exporter)
ndes_discover_tests(ndes_renew_integration_tests integration)
