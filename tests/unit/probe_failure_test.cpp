// Failure reasons, libcurl outcome -> reason, HTTP hints, and the probe timeout.
#include <curl/curl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "label_names.h"
#include "probe/failure.h"
#include "probe/timeout.h"

namespace ndes::probe {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

TEST(ProbeFailure, ReasonNamesAreTheLabelValues) {
  EXPECT_EQ(test::label_names({FailureReason::timeout, FailureReason::connect_failed,
                               FailureReason::http_status, FailureReason::bad_content,
                               FailureReason::tls_error, FailureReason::too_large}),
            "timeout connect_failed http_status bad_content tls_error too_large");
}

TEST(ProbeFailure, CurlCodesMapToReasons) {
  EXPECT_EQ(classify_curl_error(CURLE_OPERATION_TIMEDOUT, false), FailureReason::timeout);
  for (const CURLcode code : {CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_GOT_NOTHING,
                              CURLE_RECV_ERROR, CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL}) {
    EXPECT_EQ(classify_curl_error(code, false), FailureReason::connect_failed) << code;
  }
  for (const CURLcode code :
       {CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CERTPROBLEM}) {
    EXPECT_EQ(classify_curl_error(code, false), FailureReason::tls_error) << code;
  }
  EXPECT_EQ(classify_curl_error(CURLE_FILESIZE_EXCEEDED, false), FailureReason::too_large);
  EXPECT_EQ(classify_curl_error(CURLE_TOO_MANY_REDIRECTS, false), FailureReason::http_status);
  EXPECT_EQ(classify_curl_error(CURLE_WEIRD_SERVER_REPLY, false), FailureReason::bad_content);
}

TEST(ProbeFailure, BodyCapWinsOverTheWriteError) {
  // Our write callback stops the transfer; libcurl reports a write error.
  EXPECT_EQ(classify_curl_error(CURLE_WRITE_ERROR, true), FailureReason::too_large);
  EXPECT_EQ(classify_curl_error(CURLE_WRITE_ERROR, false), FailureReason::connect_failed);
}

TEST(ProbeFailure, StatusHintsNameTheNdesCause) {
  EXPECT_THAT(http_status_hint(503), HasSubstr("SCEP application pool is stopped"));
  EXPECT_THAT(http_status_hint(403), HasSubstr("request filtering"));
  EXPECT_THAT(http_status_hint(500), HasSubstr("RA certificates"));
  EXPECT_THAT(http_status_hint(404), HasSubstr("mscep.dll"));
  EXPECT_EQ(http_status_hint(418), "");
}

TEST(ProbeFailure, OnlyTwoHundredsSucceed) {
  EXPECT_FALSE(is_failure_status(200));
  EXPECT_FALSE(is_failure_status(204));
  EXPECT_TRUE(is_failure_status(0));
  EXPECT_TRUE(is_failure_status(302));
  EXPECT_TRUE(is_failure_status(403));
  EXPECT_TRUE(is_failure_status(503));
}

TEST(ProbeTimeout, ModuleElseHeaderMinusMarginElseTenSeconds) {
  EXPECT_EQ(probe_timeout(std::nullopt, ""), 10s);
  EXPECT_EQ(probe_timeout(std::nullopt, "15"), 14500ms);
  EXPECT_EQ(probe_timeout(std::nullopt, "2.5"), 2000ms);
  EXPECT_EQ(probe_timeout(5s, ""), 5s);
  EXPECT_EQ(probe_timeout(5s, "30"), 5s);
}

TEST(ProbeTimeout, TheScrapeTimeoutCapsTheModule) {
  // Prometheus gives up at the scrape timeout: a longer probe is wasted.
  EXPECT_EQ(probe_timeout(20s, "10"), 9500ms);
}

TEST(ProbeTimeout, BadHeadersAreIgnored) {
  EXPECT_EQ(probe_timeout(std::nullopt, "ten"), 10s);
  EXPECT_EQ(probe_timeout(std::nullopt, "-3"), 10s);
  EXPECT_EQ(probe_timeout(std::nullopt, "0"), 10s);
  EXPECT_EQ(probe_timeout(std::nullopt, "1e3"), 10s);
  EXPECT_EQ(probe_timeout(std::nullopt, " 4 "), 3500ms);
}

TEST(ProbeTimeout, NeverBelowAFloor) {
  EXPECT_EQ(probe_timeout(std::nullopt, "0.5"), kMinProbeTimeout);
  EXPECT_EQ(probe_timeout(std::nullopt, "0.2"), kMinProbeTimeout);
  EXPECT_EQ(probe_timeout(1ms, ""), kMinProbeTimeout);
}

}  // namespace
}  // namespace ndes::probe
