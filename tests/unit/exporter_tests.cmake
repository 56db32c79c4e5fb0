# Unit tests of the exporter shell (exporter/): flags and config file, landing
# page, demo store. Included from tests/unit/CMakeLists.txt.
# ndes_collectors (OBJECT) registers the real `files` collector, which the config
# validation and the demo-store tests use.
ndes_add_test_binary(ndes_exporter_unit_tests unit
  SOURCES config_test.cpp landing_page_test.cpp demo_store_test.cpp renew_hook_view_test.cpp
  LIBRARIES ndes_exporter_lib ndes_collectors)
