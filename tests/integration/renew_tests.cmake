# Integration tests of the renew hook: the real ndes_renew_hook over HTTP, with a real
# Alertmanager, and renewing a file certificate that the real ndes_exporter reports.
# Included from tests/integration/CMakeLists.txt.
ndes_add_test_binary(ndes_renew_integration_tests integration
  SOURCES renew_support.cpp renew_http_test.cpp renew_crash_test.cpp
    renew_alertmanager_test.cpp renew_command_test.cpp renew_landing_test.cpp
  LIBRARIES ndes_core nlohmann_json::nlohmann_json
  RUNS ndes_renew_hook ndes_exporter)
