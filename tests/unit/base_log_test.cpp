// base/log.h: logfmt and JSON lines with the key=value fields of log_*().
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <memory>
#include <sstream>
#include <string>

#include "base/log.h"

namespace ndes {
namespace {

using ::testing::EndsWith;
using ::testing::MatchesRegex;
using ::testing::StartsWith;

// Points spdlog's default logger at a string for the life of the object.
class CapturedLog {
 public:
  CapturedLog(std::string_view format, std::string_view level) {
    previous_ = spdlog::default_logger();
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out_);
    sink->set_formatter(make_log_formatter(format));
    auto logger = std::make_shared<spdlog::logger>("test", sink);
    logger->set_level(parse_log_level(level));
    spdlog::set_default_logger(logger);
  }
  ~CapturedLog() { spdlog::set_default_logger(previous_); }
  CapturedLog(const CapturedLog&) = delete;
  CapturedLog& operator=(const CapturedLog&) = delete;
  std::string text() const { return out_.str(); }

 private:
  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> previous_;
};

TEST(BaseLog, LogfmtValueQuotesOnlyWhenNeeded) {
  EXPECT_EQ(logfmt_value("plain"), "plain");
  EXPECT_EQ(logfmt_value("plain", true), "\"plain\"");
  EXPECT_EQ(logfmt_value(""), "\"\"");
  EXPECT_EQ(logfmt_value("two words"), "\"two words\"");
  EXPECT_EQ(logfmt_value("a=b"), "\"a=b\"");
  EXPECT_EQ(logfmt_value("say \"hi\"\\"), "\"say \\\"hi\\\"\\\\\"");
  EXPECT_EQ(logfmt_value("l1\nl2\r\t"), "\"l1\\nl2\\r\\t\"");
  EXPECT_EQ(logfmt_value(std::string("\x01\x7f", 2)), "\"\\u0001\\u007f\"");
}

TEST(BaseLog, LogfmtLineWithFields) {
  CapturedLog log("logfmt", "info");
  log_info("listening", {{"address", ":10227"}, {"path", "C:\\certs dir"}});
  const std::string line = log.text();
  EXPECT_THAT(line,
              MatchesRegex("ts=[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z "
                           "level=info msg=\"listening\" address=:10227 "
                           "path=\"C:\\\\\\\\certs dir\"\n"));
}

TEST(BaseLog, JsonLineWithFields) {
  CapturedLog log("json", "debug");
  log_debug("scan", {{"files", "3"}, {"msg", "not a second msg"}});
  const std::string line = log.text();
  EXPECT_THAT(line, StartsWith("{\"ts\":\""));
  EXPECT_THAT(line, EndsWith(",\"level\":\"debug\",\"msg\":\"scan\",\"files\":\"3\"}\n"));
}

TEST(BaseLog, LevelsFilterAndName) {
  CapturedLog log("logfmt", "warn");
  log_info("hidden");
  log_debug("hidden too");
  log_warn("shown", {{"n", "1"}});
  log_error("shown too");
  const std::string text = log.text();
  EXPECT_EQ(text.find("hidden"), std::string::npos);
  EXPECT_NE(text.find("level=warn msg=\"shown\" n=1\n"), std::string::npos);
  EXPECT_NE(text.find("level=error msg=\"shown too\"\n"), std::string::npos);
}

TEST(BaseLog, PlainSpdlogCallsLogABareMsg) {
  CapturedLog log("logfmt", "info");
  spdlog::info("from {}", "spdlog");
  EXPECT_THAT(log.text(), EndsWith(" level=info msg=\"from spdlog\"\n"));
}

TEST(BaseLog, ParseLogLevel) {
  EXPECT_EQ(parse_log_level("debug"), spdlog::level::debug);
  EXPECT_EQ(parse_log_level("info"), spdlog::level::info);
  EXPECT_EQ(parse_log_level("warn"), spdlog::level::warn);
  EXPECT_EQ(parse_log_level("error"), spdlog::level::err);
  EXPECT_EQ(parse_log_level("loud"), spdlog::level::info);
}

}  // namespace
}  // namespace ndes
