# Unit tests of the exporter shell (exporter/): flags and config file, landing
# page, demo store. Included from tests/unit/CMakeLists.txt.
add_executable(ndes_exporter_unit_tests
  ${CMAKE_CURRENT_LIST_DIR}/collector_table_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/config_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/landing_page_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/demo_store_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/renew_hook_view_test.cpp
)
# The real collector table (exporter/collectors_posix.cpp), which the config
# validation and the demo-store tests use.
target_link_libraries(ndes_exporter_unit_tests PRIVATE ndes_exporter_lib ndes_collectors
  ndes_test_support GTest::gtest_main GTest::gmock)
ndes_discover_tests(ndes_exporter_unit_tests unit)
