# Tests of the alerting rules, Alertmanager config, runbooks and Grafana dashboards.
# Included from tests/CMakeLists.txt:   include(${CMAKE_CURRENT_SOURCE_DIR}/alerts/alerts_tests.cmake)
# Run just these:                      ctest -L alerts --output-on-failure
#
# They run the real tools from the Debian packages prometheus (promtool), prometheus-alertmanager
# (amtool, prometheus-alertmanager) and python3 (standard library only). A tool that is not
# installed makes its tests fail, not skip: the commands fall back to the bare program name so
# the failure says which one is missing.
# Every test runs from the source root: the files under test are given relative to it.

find_program(NDES_PROMTOOL promtool)
find_program(NDES_AMTOOL amtool)
find_program(NDES_ALERTMANAGER NAMES prometheus-alertmanager alertmanager)
find_program(NDES_PYTHON3 python3)
find_program(NDES_BASH bash)
foreach(_tool IN ITEMS PROMTOOL AMTOOL ALERTMANAGER PYTHON3 BASH)
  if(NOT NDES_${_tool})
    string(TOLOWER "${_tool}" _name)
    if(_tool STREQUAL "ALERTMANAGER")
      set(_name prometheus-alertmanager)
    endif()
    message(STATUS "alerts tests: ${_name} not found; its tests will fail")
    set(NDES_${_tool} ${_name})
  endif()
endforeach()

# The promtool unit tests: every alerts/tests/*.test.yml, in one promtool run.
file(GLOB NDES_ALERT_UNIT_TESTS CONFIGURE_DEPENDS
     RELATIVE ${CMAKE_SOURCE_DIR} ${CMAKE_SOURCE_DIR}/alerts/tests/*.test.yml)
list(SORT NDES_ALERT_UNIT_TESTS)

# --- Prometheus rules -------------------------------------------------------------------------
add_test(NAME alerts_rules_check
         COMMAND ${NDES_PROMTOOL} check rules alerts/ndes.rules.yml
         WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
add_test(NAME alerts_rules_unit
         COMMAND ${NDES_PROMTOOL} test rules ${NDES_ALERT_UNIT_TESTS}
         WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
# The .test.yml files are generated: fail if someone edited the generator but not them (or back).
add_test(NAME alerts_rules_unit_generated
         COMMAND ${NDES_PYTHON3} alerts/tests/gen_tests.py --check
         WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
# Severity/annotations, runbook pages and index, metric names vs docs/metrics.md, test coverage.
add_test(NAME alerts_contract
         COMMAND ${NDES_PYTHON3} tests/alerts/check_contract.py
         WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})

# --- Alertmanager -------------------------------------------------------------------------------
add_test(NAME alerts_alertmanager_check_config
         COMMAND ${NDES_AMTOOL} check-config alerts/alertmanager.example.yml
         WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
add_test(NAME alerts_alertmanager_routes
         COMMAND ${NDES_BASH} tests/alerts/test_alertmanager_routes.sh alerts/alertmanager.example.yml
         WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
add_test(NAME alerts_alertmanager_inhibit
         COMMAND ${NDES_PYTHON3} tests/alerts/test_alertmanager_inhibit.py
         WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
set_tests_properties(alerts_alertmanager_routes PROPERTIES ENVIRONMENT "AMTOOL=${NDES_AMTOOL}")
set_tests_properties(alerts_alertmanager_inhibit PROPERTIES ENVIRONMENT "ALERTMANAGER=${NDES_ALERTMANAGER}")

# --- Grafana dashboards ---------------------------------------------------------------------------
add_test(NAME alerts_dashboards_lint
         COMMAND ${NDES_PYTHON3} tests/alerts/lint_dashboards.py --promtool ${NDES_PROMTOOL}
         WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
add_test(NAME alerts_dashboards_generated
         COMMAND ${NDES_PYTHON3} dashboards/build_dashboards.py --check
         WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
# The extractor the live test uses: it must substitute every variable (it exits 2 otherwise).
add_test(NAME alerts_dashboards_extract
         COMMAND ${NDES_PYTHON3} tests/alerts/extract_dashboard_exprs.py --var instance=ndes01:10227
         WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})

set_tests_properties(
  alerts_rules_check alerts_rules_unit alerts_rules_unit_generated alerts_contract
  alerts_alertmanager_check_config alerts_alertmanager_routes alerts_alertmanager_inhibit
  alerts_dashboards_lint alerts_dashboards_generated alerts_dashboards_extract
  PROPERTIES LABELS alerts TIMEOUT 120)

# The live stack: the real exporter on its demo store, a real Prometheus scraping it and the
# renew hook every second with the rules, a real Alertmanager feeding the hook. Dashboards'
# expressions must return data (Windows-only ones are listed as a skipped part: the
# windows-cross build's windows.live_stack runs the same test with ndes_exporter.exe under
# wine and checks them), and the expected alerts must reach Alertmanager.
add_test(NAME alerts.live_stack
  COMMAND ${NDES_PYTHON3} ${CMAKE_SOURCE_DIR}/tests/alerts/test_live_stack.py
          --exporter $<TARGET_FILE:ndes_exporter> --hook $<TARGET_FILE:ndes_renew_hook>)
set_tests_properties(alerts.live_stack PROPERTIES LABELS "alerts;integration" TIMEOUT 300)
