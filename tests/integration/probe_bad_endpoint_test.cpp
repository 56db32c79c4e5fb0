// Every kind of broken SCEP endpoint: each gives probe_success 0 with its reason, in
// bounded time, with a log line that says what it means, and the exporter keeps
// serving /metrics afterwards.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <thread>

#include "probe_support.h"
#include "support/pki.h"
#include "support/run.h"
#include "support/test_http_server.h"

namespace fs = std::filesystem;

namespace ndes::test {
namespace {

using ::testing::HasSubstr;

constexpr int kModuleTimeoutSeconds = 2;
constexpr const char* kPath = "/certsrv/mscep/mscep.dll/pkiclient.exe";
constexpr const char* kRaCertType = "application/x-x509-ca-ra-cert";

struct BadCase {
  std::string name;
  std::function<TestResponse(const std::string& query)> answer;
  std::string reason;
  std::string log_text;  // what the exporter's warning must say
  std::string target_path = "/certsrv/mscep/mscep.dll";
};

// gtest prints parameters in test names and failures: the case's name says it all.
void PrintTo(const BadCase& c, std::ostream* os) { *os << c.name; }

// A 200 answer of `content_type` with `body`.
TestResponse body_of(std::string content_type, std::string body) {
  TestResponse r;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  return r;
}

TestResponse caps_then(const std::string& query, TestResponse cert_answer) {
  if (query.find("GetCACaps") != std::string::npos) {
    return body_of("text/plain", "POSTPKIOperation\r\nSHA-256\r\n");
  }
  return cert_answer;
}

TestResponse status(int code, std::string body = "<html><body>error</body></html>") {
  TestResponse r;
  r.status = code;
  r.content_type = "text/html";
  r.body = std::move(body);
  return r;
}

class BadEndpointTest : public ::testing::TestWithParam<BadCase> {
 protected:
  static void SetUpTestSuite() {
    tmp_ = new TempDir("ndes-probe-bad");
    pki_ = new TestPki(tmp_->path() / "pki");
    write_p7b({pki_->ca_pem()}, tmp_->path() / "ca.p7b", false);
    p7b_ = read_file(tmp_->path() / "ca.p7b");
    exporter_ = new ProbeExporter(tmp_->path(),
                                  "modules:\n"
                                  "  ndes_fast:\n"
                                  "    prober: scep\n"
                                  "    timeout: " +
                                      std::to_string(kModuleTimeoutSeconds) + "s\n");
    server_ = new TestHttpServer();
  }
  static void TearDownTestSuite() {
    delete server_;
    delete exporter_;
    delete pki_;
    delete tmp_;
  }

 public:
  static inline TempDir* tmp_ = nullptr;
  static inline TestPki* pki_ = nullptr;
  static inline ProbeExporter* exporter_ = nullptr;
  static inline TestHttpServer* server_ = nullptr;
  static inline std::string p7b_;
};

TEST_P(BadEndpointTest, FailsWithItsReasonInBoundedTime) {
  const BadCase& c = GetParam();
  const std::string base = "/" + c.name;
  const std::string path =
      base + (c.target_path.ends_with(".dll") ? c.target_path + "/pkiclient.exe" : c.target_path);
  auto answer = c.answer;
  server_->on(path, [answer](const std::string&, const std::string& q) { return answer(q); });
  const std::string target = server_->url(base + c.target_path);

  const ProbeCall call = exporter_->probe("ndes_fast", target);
  ASSERT_EQ(call.response.status, 200) << call.response.error << exporter_->log();
  const auto& s = call.samples;
  EXPECT_EQ(value_of(s, "probe_success"), 0) << call.response.body;
  const auto failures = select(s, "ndes_probe_failure_info");
  ASSERT_EQ(failures.size(), 1U) << call.response.body;
  EXPECT_EQ(failures[0].labels, (std::map<std::string, std::string>{{"reason", c.reason}}));
  EXPECT_EQ(failures[0].value, 1);
  EXPECT_LT(call.wall_seconds, kModuleTimeoutSeconds + 3.0);
  const auto duration = value_of(s, "probe_duration_seconds");
  ASSERT_TRUE(duration);
  EXPECT_LT(*duration, kModuleTimeoutSeconds + 1.0);

  // The warning names the target, the reason and what it means.
  bool logged = false;
  for (int i = 0; i < 50 && !logged; ++i) {
    const std::string log = exporter_->log();
    logged = log.find(target) != std::string::npos &&
             log.find("reason=" + c.reason) != std::string::npos &&
             log.find(c.log_text) != std::string::npos;
    if (!logged) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  EXPECT_TRUE(logged) << "want \"" << c.log_text << "\" in:\n" << exporter_->log();

  // Still serving.
  const HttpResponse metrics = exporter_->get("/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_THAT(metrics.body, HasSubstr("ndes_exporter_build_info"));
}

std::vector<BadCase> bad_cases() {
  std::vector<BadCase> cases;
  cases.push_back({"html_200",
                   [](const std::string&) {
                     return body_of("text/html",
                                    "<!DOCTYPE html><html><body>Please sign in</body></html>");
                   },
                   "bad_content", "HTML page"});
  cases.push_back({"truncated_pkcs7",
                   [](const std::string& q) {
                     const std::string& p7b = BadEndpointTest::p7b_;
                     return caps_then(q, body_of(kRaCertType, p7b.substr(0, p7b.size() / 2)));
                   },
                   "bad_content", "cannot be read"});
  cases.push_back({"status_403", [](const std::string&) { return status(403); }, "http_status",
                   "403 usually means IIS refused the request"});
  cases.push_back({"status_500", [](const std::string&) { return status(500); }, "http_status",
                   "500 usually means the NDES service cannot use its RA certificates"});
  cases.push_back({"status_503",
                   [](const std::string&) { return status(503, "<h1>Service Unavailable</h1>"); },
                   "http_status", "503 usually means the SCEP application pool is stopped"});
  cases.push_back({"never_answers",
                   [](const std::string&) {
                     TestResponse r;
                     r.hang = true;
                     return r;
                   },
                   "timeout", "reason=timeout"});
  cases.push_back({"body_50mib",
                   [](const std::string& q) {
                     TestResponse r =
                         body_of(kRaCertType, std::string(std::size_t{1024} * 1024, '\x30'));
                     r.repeat = 50;
                     return caps_then(q, r);
                   },
                   "too_large", "larger than max_body_bytes"});
  cases.push_back({"body_50mib_no_length",
                   [](const std::string&) {
                     TestResponse r =
                         body_of("text/plain", std::string(std::size_t{1024} * 1024, 'A'));
                     r.repeat = 50;
                     r.send_length = false;
                     return r;
                   },
                   "too_large", "larger than max_body_bytes"});
  cases.push_back({"redirect_loop",
                   [](const std::string&) {
                     TestResponse r;
                     r.status = 302;
                     r.headers = {{"Location",
                                   "/redirect_loop/certsrv/mscep/mscep.dll/pkiclient.exe"
                                   "?operation=GetCACaps&message=probe"}};
                     return r;
                   },
                   "http_status", "redirect loop"});
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Ndes, BadEndpointTest, ::testing::ValuesIn(bad_cases()),
                         [](const ::testing::TestParamInfo<BadCase>& info) {
                           return info.param.name;
                         });

TEST(BadTarget, UnreachableAndMalformedTargetsAreConnectFailed) {
  TempDir tmp("ndes-probe-bad-target");
  ProbeExporter exporter(tmp.path(), "");
  const int closed = free_port();
  for (const auto& [module, target] : std::vector<std::pair<std::string, std::string>>{
           {"scep", "http://127.0.0.1:" + std::to_string(closed) + "/certsrv/mscep/mscep.dll"},
           {"tls", "127.0.0.1:" + std::to_string(closed)},
           {"crl", "http://127.0.0.1:" + std::to_string(closed) + "/crl/ca.crl"},
           {"scep", "ftp://127.0.0.1/x"},
           {"tls", "127.0.0.1:notaport"}}) {
    const ProbeCall call = exporter.probe(module, target);
    EXPECT_EQ(value_of(call.samples, "probe_success"), 0) << target;
    EXPECT_EQ(value_of(call.samples, "ndes_probe_failure_info", {{"reason", "connect_failed"}}), 1)
        << target << "\n"
        << call.response.body;
  }
  EXPECT_EQ(exporter.get("/probe?module=scep").status, 400);
  EXPECT_EQ(exporter.get("/probe?module=nope&target=x").status, 400);
}

TEST(BadTarget, ScrapeTimeoutHeaderBoundsTheProbe) {
  TempDir tmp("ndes-probe-header");
  TestHttpServer server;
  TestResponse hang;
  hang.hang = true;
  server.on("/scep", hang);
  ProbeExporter exporter(tmp.path(), "");
  // No module timeout: the header (2 s) minus 0.5 s.
  const ProbeCall call =
      exporter.probe("scep", server.url("/scep"), {{"X-Prometheus-Scrape-Timeout-Seconds", "2"}});
  EXPECT_EQ(value_of(call.samples, "ndes_probe_failure_info", {{"reason", "timeout"}}), 1);
  EXPECT_LT(call.wall_seconds, 3.0);  // 1.5 s and some slack; the default would be 10 s
  EXPECT_GT(call.wall_seconds, 1.2);
}

}  // namespace
}  // namespace ndes::test
