# Cross-compiling for 64-bit Windows with Debian's mingw-w64 (the posix-thread
# variant, so std::thread, std::mutex and std::future work).
#
# Binaries are linked fully static (libgcc, libstdc++, winpthreads), so an .exe runs
# under wine or on Windows without any DLL beside it. When wine64 is installed it is
# the CMAKE_CROSSCOMPILING_EMULATOR: add_test() and gtest_discover_tests() run the
# test executables through it.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(CMAKE_SYSTEM_VERSION 10.0)

set(NDES_MINGW_TRIPLE x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${NDES_MINGW_TRIPLE}-gcc-posix)
set(CMAKE_CXX_COMPILER ${NDES_MINGW_TRIPLE}-g++-posix)
set(CMAKE_RC_COMPILER ${NDES_MINGW_TRIPLE}-windres)
set(CMAKE_AR ${NDES_MINGW_TRIPLE}-gcc-ar-posix CACHE FILEPATH "")
set(CMAKE_RANLIB ${NDES_MINGW_TRIPLE}-gcc-ranlib-posix CACHE FILEPATH "")

# Headers and libraries come from the mingw sysroot and from the prefix the
# Windows dependencies are installed into (NDES_WINDOWS_DEPS_PREFIX), never from
# the Linux system.
set(CMAKE_FIND_ROOT_PATH /usr/${NDES_MINGW_TRIPLE})
if(DEFINED ENV{NDES_WINDOWS_DEPS_PREFIX})
  set(NDES_WINDOWS_DEPS_PREFIX "$ENV{NDES_WINDOWS_DEPS_PREFIX}")
endif()
if(NDES_WINDOWS_DEPS_PREFIX)
  list(APPEND CMAKE_FIND_ROOT_PATH "${NDES_WINDOWS_DEPS_PREFIX}")
endif()
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

set(CMAKE_EXE_LINKER_FLAGS_INIT "-static -static-libgcc -static-libstdc++")

if(NOT CMAKE_CROSSCOMPILING_EMULATOR)
  find_program(NDES_WINE64 NAMES wine64 PATHS /usr/lib/wine /usr/lib64/wine NO_DEFAULT_PATH)
  if(NOT NDES_WINE64)
    find_program(NDES_WINE64 NAMES wine64 wine)
  endif()
  if(NDES_WINE64)
    set(CMAKE_CROSSCOMPILING_EMULATOR "${NDES_WINE64}")
  endif()
endif()
