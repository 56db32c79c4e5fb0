# Registered in the Linux build (included from tests/CMakeLists.txt): the Windows
# exporter under wine, scraped from Linux, with this build's ndes_exporter as the
# reference for the label set. It needs the .exe of the windows-cross build
# (cmake --workflow --preset windows-cross) and wine64; without them it is skipped
# (ctest shows "Skipped" and says why). The windows-cross build runs the same test
# itself (windows.exporter).
set(NDES_WINDOWS_CROSS_BIN "${PROJECT_SOURCE_DIR}/build/windows-cross/bin"
    CACHE PATH "bin/ of the windows-cross build, for the exporter-under-wine test")
find_program(NDES_WINE64 NAMES wine64 PATHS /usr/lib/wine /usr/lib64/wine NO_DEFAULT_PATH)
if(NOT NDES_WINE64)
  find_program(NDES_WINE64 NAMES wine64)
endif()
add_test(NAME windows.exporter_under_wine
         COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/exporter_under_wine.sh
                 --wine "${NDES_WINE64}" --prefix "${CMAKE_BINARY_DIR}/wineprefix"
                 --bin "${NDES_WINDOWS_CROSS_BIN}"
                 --fixtures "${CMAKE_BINARY_DIR}/windows-store-fixtures" --make-fixtures
                 --linux-exporter $<TARGET_FILE:ndes_exporter>)
set_tests_properties(windows.exporter_under_wine PROPERTIES
  SKIP_RETURN_CODE 77 TIMEOUT 300 LABELS "integration;windows")
