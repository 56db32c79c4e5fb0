# Integration tests of the probes: the real exporter against real peers on loopback
# (scepserver, openssl s_server, blackbox_exporter, an in-test civetweb server).
# Included from tests/integration/CMakeLists.txt.
# The in-test HTTP server (../support/test_http_server.cpp) could move into
# ndes_test_support when others need it.
# NDES_SOURCE_DIR / NDES_BIN_DIR default to this build (tests/support), so no
# ENVIRONMENT is needed (a ';' list would not survive ndes_discover_tests' ARGN).
ndes_add_test_binary(ndes_probe_integration_tests integration
  SOURCES probe_support.cpp probe_scep_test.cpp probe_bad_endpoint_test.cpp probe_tls_test.cpp
    probe_crl_test.cpp probe_static_test.cpp ../support/test_http_server.cpp
  LIBRARIES civetweb::civetweb
  RUNS ndes_exporter)
