# For building sanitizer/fuzz trees before the root CMakeLists.txt includes
# cmake/sanitizers.cmake and adds tests/fuzz itself:
#   cmake -DCMAKE_PROJECT_INCLUDE=<src>/tests/fuzz/project-include.cmake ...
# CMake includes this file at the end of project(). It is harmless once the root
# does both: sanitizers.cmake has an include guard, and tests/fuzz is only added
# here when the root has not added it.
include(${CMAKE_CURRENT_LIST_DIR}/../../cmake/sanitizers.cmake)

function(_ndes_fuzz_add_if_missing)
  get_property(_subdirs DIRECTORY "${CMAKE_SOURCE_DIR}" PROPERTY SUBDIRECTORIES)
  if(NOT "${CMAKE_SOURCE_DIR}/tests/fuzz" IN_LIST _subdirs)
    # add_subdirectory() is not allowed in deferred calls; the file is written to
    # be include()d as well.
    include("${CMAKE_SOURCE_DIR}/tests/fuzz/CMakeLists.txt")
  endif()
endfunction()

if(NDES_FUZZ)
  cmake_language(DEFER DIRECTORY "${CMAKE_SOURCE_DIR}" CALL _ndes_fuzz_add_if_missing)
endif()
