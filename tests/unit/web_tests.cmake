# Unit tests of the shared web layer (web/): the web config parser, basic auth and gzip.
# Included from tests/unit/CMakeLists.txt.
add_executable(ndes_web_unit_tests ${CMAKE_CURRENT_LIST_DIR}/web_config_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/gzip_test.cpp)
target_link_libraries(ndes_web_unit_tests PRIVATE ndes_web ndes_test_support ${NDES_CRYPT_LIBRARY}
  OpenSSL::Crypto GTest::gtest_main GTest::gmock)
ndes_discover_tests(ndes_web_unit_tests unit)
