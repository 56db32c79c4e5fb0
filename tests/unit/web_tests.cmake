# Unit tests of the shared web layer (web/): the web config parser, basic auth and gzip.
# Included from tests/unit/CMakeLists.txt.
ndes_add_test_binary(ndes_web_unit_tests unit
  SOURCES web_config_test.cpp gzip_test.cpp
  LIBRARIES ndes_web ${NDES_CRYPT_LIBRARY} OpenSSL::Crypto)
