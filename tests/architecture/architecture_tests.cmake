# The layering rule of docs/architecture.md (issue #16): which folder may include which.
add_test(NAME architecture.layers
  COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/check_layers.py ${PROJECT_SOURCE_DIR})
add_test(NAME architecture.layers_self_test
  COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/check_layers.py --self-test)
set_tests_properties(architecture.layers architecture.layers_self_test
  PROPERTIES LABELS architecture)
