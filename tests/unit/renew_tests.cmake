# Unit tests of the renew hook (renew/): payload, validation, plan,
# journal, backoff, config, API. Included from tests/unit/CMakeLists.txt.
add_executable(ndes_renew_unit_tests
  ${CMAKE_CURRENT_LIST_DIR}/renew_alert_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/renew_decide_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/renew_plan_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/renew_book_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/renew_journal_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/renew_journal_full_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/renew_config_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/renew_service_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/renew_api_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/renew_misc_test.cpp
)
target_include_directories(ndes_renew_unit_tests PRIVATE ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(ndes_renew_unit_tests PRIVATE ndes_renew_lib ndes_test_support
  GTest::gtest_main GTest::gmock)
ndes_discover_tests(ndes_renew_unit_tests unit)
