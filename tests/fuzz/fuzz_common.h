// Small helpers shared by the fuzz targets.
#pragma once

#include <cstdio>
#include <cstdlib>

// A property that must hold whatever the input: a failure is a finding, reported
// like a crash (libFuzzer saves the input).
#define NDES_FUZZ_CHECK(cond)                                                        \
  do {                                                                               \
    if (!(cond)) {                                                                   \
      std::fprintf(stderr, "%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                  \
    }                                                                                \
  } while (0)
