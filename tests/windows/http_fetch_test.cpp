// The WinHTTP http_get (collectors/probe/http_fetch_winhttp.cpp) under wine, against real
// servers on the Linux side that http_fetch_under_wine.py starts and names in NDES_FETCH_*.
#include "probe/http_fetch.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <string>

namespace ndes::probe {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::string env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') {
    ADD_FAILURE() << name << " is not set: run this test through http_fetch_under_wine.py";
    return "";
  }
  return value;
}

HttpFetchOptions within(std::chrono::milliseconds time) {
  HttpFetchOptions options;
  options.deadline = Clock::now() + time;
  return options;
}

std::string body_of(const HttpFetchResult& r) { return {r.body.begin(), r.body.end()}; }

TEST(WinHttpFetch, OkWithBodyAndContentType) {
  const std::string url = env("NDES_FETCH_HTTP") + "/ok";
  const HttpFetchResult r = http_get(url, within(10s));
  EXPECT_FALSE(r.failure) << r.detail;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(body_of(r), "hello from linux\n");
  EXPECT_EQ(r.content_type, "text/plain; charset=utf-8");
  EXPECT_EQ(r.effective_url, url);
}

TEST(WinHttpFetch, NotFoundIsAStatusNotATransferFailure) {
  const HttpFetchResult r = http_get(env("NDES_FETCH_HTTP") + "/missing", within(10s));
  EXPECT_FALSE(r.failure) << r.detail;
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(body_of(r), "not here\n");
}

TEST(WinHttpFetch, FollowsRedirectsAbsoluteAndRelative) {
  const std::string base = env("NDES_FETCH_HTTP");
  const HttpFetchResult r = http_get(base + "/redirect", within(10s));
  EXPECT_FALSE(r.failure) << r.detail;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(body_of(r), "hello from linux\n");
  EXPECT_EQ(r.effective_url, base + "/ok");

  const HttpFetchResult rel = http_get(base + "/redirect-relative/x", within(10s));
  EXPECT_EQ(rel.status, 200) << rel.detail;
  EXPECT_EQ(body_of(rel), "relative\n");
  EXPECT_EQ(rel.effective_url, base + "/redirect-relative/y");
}

TEST(WinHttpFetch, StopsAfterFiveRedirects) {
  const std::string base = env("NDES_FETCH_HTTP");
  const HttpFetchResult r = http_get(base + "/loop?n=0", within(10s));
  ASSERT_TRUE(r.failure);
  EXPECT_EQ(*r.failure, FailureReason::http_status);
  EXPECT_EQ(r.effective_url, base + "/loop?n=5");  // five followed, the sixth refused
  EXPECT_NE(r.detail.find("more than 5 redirects"), std::string::npos) << r.detail;
}

TEST(WinHttpFetch, BodyCapWithAndWithoutContentLength) {
  for (const char* path : {"/big", "/big-stream"}) {
    HttpFetchOptions options = within(10s);
    options.max_body_bytes = 100'000;
    ASSERT_LT(options.max_body_bytes, std::stoul(env("NDES_FETCH_BIG")));
    const HttpFetchResult r = http_get(env("NDES_FETCH_HTTP") + path, options);
    ASSERT_TRUE(r.failure) << path;
    EXPECT_EQ(*r.failure, FailureReason::too_large) << path;
    EXPECT_NE(r.detail.find("larger than max_body_bytes (100000 bytes)"), std::string::npos)
        << r.detail;
    EXPECT_LE(r.body.size(), options.max_body_bytes) << path;
  }
  HttpFetchOptions roomy = within(10s);
  roomy.max_body_bytes = std::stoul(env("NDES_FETCH_BIG"));  // exactly the size: fits
  const HttpFetchResult r = http_get(env("NDES_FETCH_HTTP") + "/big-stream", roomy);
  EXPECT_FALSE(r.failure) << r.detail;
  EXPECT_EQ(r.body.size(), roomy.max_body_bytes);
}

TEST(WinHttpFetch, SilentServerTimesOutAtTheDeadline) {
  const auto start = Clock::now();
  const HttpFetchResult r = http_get(env("NDES_FETCH_SILENT") + "/scep", within(1500ms));
  const auto took = Clock::now() - start;
  ASSERT_TRUE(r.failure);
  EXPECT_EQ(*r.failure, FailureReason::timeout) << r.detail;
  EXPECT_GE(took, 1200ms);
  EXPECT_LT(took, 4s) << "the deadline was 1.5 s";
}

TEST(WinHttpFetch, NoTimeLeftFailsAtOnce) {
  const HttpFetchResult r = http_get(env("NDES_FETCH_HTTP") + "/ok", within(-1ms));
  ASSERT_TRUE(r.failure);
  EXPECT_EQ(*r.failure, FailureReason::timeout);
  EXPECT_EQ(r.status, 0);
}

TEST(WinHttpFetch, RefusedConnectionIsConnectFailed) {
  const HttpFetchResult r = http_get(env("NDES_FETCH_CLOSED") + "/", within(10s));
  ASSERT_TRUE(r.failure);
  EXPECT_EQ(*r.failure, FailureReason::connect_failed) << r.detail;
  EXPECT_EQ(r.status, 0);
}

TEST(WinHttpFetch, SendsTheModuleHeaders) {
  HttpFetchOptions options = within(10s);
  options.headers = {{"X-Ndes-Probe", "from wine"}};
  const HttpFetchResult r = http_get(env("NDES_FETCH_HTTP") + "/echo", options);
  EXPECT_EQ(r.status, 200) << r.detail;
  EXPECT_NE(body_of(r).find("X-Ndes-Probe: from wine\n"), std::string::npos) << body_of(r);
  EXPECT_NE(body_of(r).find("User-Agent: ndes_exporter\n"), std::string::npos) << body_of(r);
}

TEST(WinHttpFetch, GoesThroughTheProxy) {
  HttpFetchOptions options = within(10s);
  options.proxy_url = env("NDES_FETCH_HTTP");  // the Linux server answers proxy requests
  // A name that resolves nowhere: only the proxy can answer.
  const HttpFetchResult r = http_get("http://scep.ndes-test.invalid/certsrv/mscep/", options);
  EXPECT_FALSE(r.failure) << r.detail;
  // The request line carries the absolute URL (wine's WinHTTP adds the default port).
  EXPECT_THAT(body_of(r),
              testing::AnyOf("proxied http://scep.ndes-test.invalid/certsrv/mscep/",
                             "proxied http://scep.ndes-test.invalid:80/certsrv/mscep/"));
}

TEST(WinHttpFetch, HttpsFromAnUnknownCaIsATlsError) {
  const HttpFetchResult r = http_get(env("NDES_FETCH_HTTPS") + "/ok", within(10s));
  ASSERT_TRUE(r.failure);
  EXPECT_EQ(*r.failure, FailureReason::tls_error) << r.detail;
}

TEST(WinHttpFetch, HttpsInsecureSkipVerify) {
  HttpFetchOptions options = within(10s);
  options.tls.insecure_skip_verify = true;
  const HttpFetchResult r = http_get(env("NDES_FETCH_HTTPS") + "/ok", options);
  EXPECT_FALSE(r.failure) << r.detail;
  EXPECT_EQ(body_of(r), "hello from linux\n");
}

TEST(WinHttpFetch, HttpsTrustedThroughCaFile) {
  HttpFetchOptions options = within(10s);
  options.tls.ca_file = env("NDES_FETCH_CA");
  options.tls.server_name = "localhost";  // the certificate's DNS name
  const HttpFetchResult r = http_get(env("NDES_FETCH_HTTPS") + "/echo", options);
  EXPECT_FALSE(r.failure) << r.detail;
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(body_of(r).find("Host: localhost:"), std::string::npos) << body_of(r);
}

TEST(WinHttpFetch, HttpsUntrustedByCaFileOrNameIsATlsError) {
  struct Case {
    const char* ca_env;
    const char* server_name;
    const char* detail;
  };
  for (const Case& c : {Case{"NDES_FETCH_OTHER_CA", "localhost", "not issued by a CA of ca_file"},
                        Case{"NDES_FETCH_CA", "ndes.example.test", "ndes.example.test"}}) {
    HttpFetchOptions options = within(10s);
    options.tls.ca_file = env(c.ca_env);
    options.tls.server_name = c.server_name;
    const HttpFetchResult r = http_get(env("NDES_FETCH_HTTPS") + "/ok", options);
    ASSERT_TRUE(r.failure) << c.ca_env << " " << c.server_name;
    EXPECT_EQ(*r.failure, FailureReason::tls_error) << r.detail;
    EXPECT_NE(r.detail.find(c.detail), std::string::npos) << r.detail;
    EXPECT_TRUE(r.body.empty());
  }
}

TEST(WinHttpFetch, UnreadableCaFileSaysWhich) {
  HttpFetchOptions options = within(10s);
  options.tls.ca_file = "Z:\\nonexistent\\ca.pem";
  const HttpFetchResult r = http_get(env("NDES_FETCH_HTTPS") + "/ok", options);
  ASSERT_TRUE(r.failure);
  EXPECT_EQ(*r.failure, FailureReason::tls_error);
  EXPECT_NE(r.detail.find("Z:\\nonexistent\\ca.pem"), std::string::npos) << r.detail;
}

TEST(WinHttpFetch, ClientCertificateFilesAreRefusedClearly) {
  HttpFetchOptions options = within(10s);
  options.tls.cert_file = "client.pem";
  options.tls.key_file = "client.key";
  const HttpFetchResult r = http_get(env("NDES_FETCH_HTTPS") + "/ok", options);
  ASSERT_TRUE(r.failure);
  EXPECT_EQ(*r.failure, FailureReason::tls_error);
  EXPECT_NE(r.detail.find("not supported"), std::string::npos) << r.detail;
}

}  // namespace
}  // namespace ndes::probe
