# The closed loop end to end (issue #8): exporter -> Prometheus -> an HA pair of Alertmanagers
# -> ndes_renew_hook renewing a file certificate with openssl. Every part is real, on loopback.
# Included from tests/CMakeLists.txt. Run just these:   ctest -L e2e --output-on-failure
# Needs prometheus, prometheus-alertmanager, openssl and python3 (the test group of
# scripts/debian-packages.txt). Each scenario takes 1-2.5 minutes, mostly the example
# route's group_wait (1m), which the test keeps.
find_program(NDES_E2E_PYTHON3 python3)
if(NOT NDES_E2E_PYTHON3)
  set(NDES_E2E_PYTHON3 python3)  # the test then fails and says what is missing
endif()
foreach(_scenario IN ITEMS renew kill9)
  add_test(NAME e2e.closed_loop_${_scenario}
    COMMAND ${NDES_E2E_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/test_closed_loop.py --scenario ${_scenario}
            --exporter $<TARGET_FILE:ndes_exporter> --hook $<TARGET_FILE:ndes_renew_hook>)
  set_tests_properties(e2e.closed_loop_${_scenario} PROPERTIES LABELS e2e TIMEOUT 400)
endforeach()
