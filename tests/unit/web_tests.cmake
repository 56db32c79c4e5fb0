# Unit tests of the shared web layer (web/): the web config parser and basic auth.
# Included from tests/unit/CMakeLists.txt.
add_executable(ndes_web_unit_tests ${CMAKE_CURRENT_LIST_DIR}/web_config_test.cpp)
target_link_libraries(ndes_web_unit_tests PRIVATE ndes_web ${NDES_CRYPT_LIBRARY} OpenSSL::Crypto
  GTest::gtest_main GTest::gmock)
ndes_discover_tests(ndes_web_unit_tests unit)
