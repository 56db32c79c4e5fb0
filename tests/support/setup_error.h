// gtest reports a throwing SetUpTestSuite as skipped tests, which ctest counts as
// passed; so suites whose setup can throw catch it here and every test then fails
// with the reason.
#pragma once

#include <exception>
#include <string>

namespace ndes::test {

// Runs `setup`; returns what it threw, or "" when it did not throw.
template <typename Setup>
std::string setup_error_of(Setup&& setup) {
  try {
    setup();
    return "";
  } catch (const std::exception& e) {
    return e.what();
  }
}

}  // namespace ndes::test
