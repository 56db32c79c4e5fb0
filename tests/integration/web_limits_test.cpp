// The web server's limits on the real ndes_exporter: what a client past each limit
// gets, and that each is counted in ndes_web_requests_rejected_total{reason}.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/exposition.h"
#include "support/http.h"
#include "support/process.h"
#include "support/run.h"

namespace ndes::test {
namespace {

using ::testing::HasSubstr;

class WebLimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    port_ = free_port();
    exporter_ = std::make_unique<BackgroundProcess>(
        std::vector<std::string>{(bin_dir() / "ndes_exporter").string(),
                                 "--web.listen-address=127.0.0.1:" + std::to_string(port_),
                                 "--collector.files.path=" + tmp_.path().string()},
        tmp_ / "exporter.log");
    ASSERT_TRUE(wait_for_port(port_)) << exporter_->log();
  }
  std::string url(const std::string& path = "/metrics") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  double rejected(const std::string& reason) const {
    const auto samples = parse_exposition(http_get(url()).body);
    return value_of(samples, "ndes_web_requests_rejected_total", {{"reason", reason}}).value_or(-1);
  }

  TempDir tmp_{"ndes-web-limits"};
  int port_ = 0;
  std::unique_ptr<BackgroundProcess> exporter_;
};

// civetweb 1.15 answers headers past max_request_size as a malformed request (400);
// it is counted as bad_request.
TEST_F(WebLimitsTest, HeadersPastSixteenKibGet400AndAreCounted) {
  const HttpResponse r =
      http_request("GET", url(), "", {{"X-Padding", std::string(20 * 1024, 'x')}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(rejected("bad_request"), 1);
  EXPECT_THAT(exporter_->log(), HasSubstr("headers larger than the limit"));
  // Under the limit is fine.
  EXPECT_EQ(http_request("GET", url(), "", {{"X-Padding", std::string(8 * 1024, 'x')}}).status,
            200);
}

TEST_F(WebLimitsTest, ABodyPastOneMibGets413AndIsCounted) {
  const HttpResponse r = http_request("GET", url(), std::string(1024 * 1024 + 1, 'x'));
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(rejected("body_too_large"), 1);
  EXPECT_THAT(exporter_->log(), HasSubstr("request refused: body larger than the limit"));
}

TEST_F(WebLimitsTest, TheLimitsAreOnMetrics) {
  const auto samples = parse_exposition(http_get(url()).body);
  EXPECT_EQ(value_of(samples, "ndes_web_max_requests_in_flight", {}), 16);
  EXPECT_EQ(value_of(samples, "ndes_web_max_connections", {}), 128);
  EXPECT_EQ(value_of(samples, "ndes_web_requests_in_flight", {}), 1);  // this scrape
  EXPECT_FALSE(value_of(samples, "ndes_web_config_last_reload_successful", {}).has_value())
      << "no --web.config.file, no reload metrics";
}

// Each connection slot is a server thread started up front: the flag sets how many,
// and so the idle footprint.
TEST_F(WebLimitsTest, MaxConnectionsSetsTheServerThreads) {
  const auto threads = [](pid_t pid) {
    const std::string status =
        read_file(std::filesystem::path("/proc") / std::to_string(pid) / "status");
    const auto at = status.find("Threads:");
    return at == std::string::npos ? -1 : std::stoi(status.substr(at + 8));
  };
  const int port = free_port();
  BackgroundProcess small(
      {(bin_dir() / "ndes_exporter").string(),
       "--web.listen-address=127.0.0.1:" + std::to_string(port),
       "--collector.files.path=" + tmp_.path().string(), "--web.max-connections=8"},
      tmp_ / "small.log");
  ASSERT_TRUE(wait_for_port(port)) << small.log();
  const auto samples =
      parse_exposition(http_get("http://127.0.0.1:" + std::to_string(port) + "/metrics").body);
  EXPECT_EQ(value_of(samples, "ndes_web_max_connections", {}), 8);
  http_get(url());  // both scraped once, so both started whatever a scrape starts
  const int small_threads = threads(small.pid());
  const int default_threads = threads(exporter_->pid());
  EXPECT_GE(small_threads, 8);
  EXPECT_LT(small_threads, 8 + 8);  // the workers, plus a few of its own
  EXPECT_EQ(default_threads - small_threads, 128 - 8);
}

}  // namespace
}  // namespace ndes::test
