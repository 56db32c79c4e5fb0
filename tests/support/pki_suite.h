// A gtest fixture base for suites that share one TestPki: the PKI (a dozen openssl
// runs) is made once per suite in a temporary directory, not once per test.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string_view>

#include "support/pki.h"
#include "support/run.h"

namespace ndes::test {

// `Suite` is the deriving fixture, so each suite has its own directory and PKI.
template <typename Suite>
class PkiSuite : public ::testing::Test {
 protected:
  // Makes the directory (named from `prefix`) and the PKI in its "pki" folder; the
  // suite's SetUpTestSuite calls it first. Returns now_seconds(), the time the suite
  // dates the certificates it issues from.
  static std::int64_t make_pki(std::string_view prefix) {
    tmp_ = new TempDir(prefix);
    pki_ = new TestPki(tmp_->path() / "pki");
    return now_seconds();
  }
  // A suite with more to free calls this last from its own TearDownTestSuite.
  static void TearDownTestSuite() {
    delete pki_;
    pki_ = nullptr;
    delete tmp_;
    tmp_ = nullptr;
  }

  static inline TempDir* tmp_ = nullptr;
  static inline TestPki* pki_ = nullptr;
};

}  // namespace ndes::test
