# Unit tests of the exporter shell (exporter/): flags and config file, the collector
# table, landing page, demo store. Included from tests/unit/CMakeLists.txt.
# The real collector table (exporter/collectors_posix.cpp), which the config
# validation and the demo-store tests use.
ndes_add_test_binary(ndes_exporter_unit_tests unit
  SOURCES collector_table_test.cpp config_test.cpp landing_page_test.cpp demo_store_test.cpp
    renew_hook_view_test.cpp
  LIBRARIES ndes_exporter_lib ndes_collectors)
