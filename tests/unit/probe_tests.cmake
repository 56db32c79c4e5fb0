# Unit tests of the probes (pure parts, in-process plumbing on loopback, and the
# YAML sections). Included from tests/unit/CMakeLists.txt.
# NDES_SOURCE_DIR / NDES_BIN_DIR default to this build (tests/support), so no
# ENVIRONMENT is needed (a ';' list would not survive ndes_discover_tests' ARGN).
ndes_add_test_binary(ndes_probe_unit_tests unit
  SOURCES probe_failure_test.cpp probe_url_test.cpp probe_scep_parse_test.cpp
    probe_crl_parse_test.cpp probe_endpoint_test.cpp probe_config_test.cpp
  LIBRARIES ndes_exporter_lib ndes_core ndes_collectors)
