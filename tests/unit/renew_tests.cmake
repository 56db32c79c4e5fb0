# Unit tests of the renew hook (renew/): payload, validation, plan, journal, backoff,
# config, API. Included from tests/unit/CMakeLists.txt.
ndes_add_test_binary(ndes_renew_unit_tests unit
  SOURCES renew_alert_test.cpp renew_decide_test.cpp renew_plan_test.cpp
    renew_book_test.cpp renew_certreq_output_test.cpp renew_journal_test.cpp
    renew_journal_full_test.cpp renew_config_test.cpp renew_service_test.cpp
    renew_api_test.cpp renew_misc_test.cpp renew_target_check_test.cpp
    renew_intake_test.cpp renew_scep_check_test.cpp
    renew_iis_scep_url_test.cpp
    renew_service_wait_test.cpp renew_template_match_test.cpp renew_event_check_test.cpp
    renew_key_dacl_test.cpp renew_superseded_test.cpp
  LIBRARIES ndes_renew_lib)
# The exported NDES events check_ndes_event reads through its XML-directory source.
target_compile_definitions(ndes_renew_unit_tests PRIVATE
  NDES_RENEW_EVENT_FIXTURES_DIR="${PROJECT_SOURCE_DIR}/tests/renew/events")
