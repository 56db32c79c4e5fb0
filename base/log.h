// Logging to stderr through spdlog, in logfmt or JSON lines, Prometheus style:
//   ts=2026-11-25T15:00:00.123Z level=info msg="demo store ready" url=http://localhost:10227/
//   {"ts":"2026-11-25T15:00:00.123Z","level":"info","msg":"demo store ready","url":"..."}
// Fields beyond msg (log_info("listening", {{"address", ":10227"}})) reach the
// formatters through a thread-local slot for the duration of the (synchronous)
// log call, so plain spdlog::info("...") calls elsewhere log a bare msg and other
// spdlog formatters simply print msg.
#pragma once

#include <spdlog/formatter.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ndes {

using LogField = std::pair<std::string, std::string>;
using LogFields = std::vector<LogField>;

void log_at(spdlog::level::level_enum level, std::string_view msg, const LogFields& fields = {});
inline void log_debug(std::string_view msg, const LogFields& fields = {}) {
  log_at(spdlog::level::debug, msg, fields);
}
inline void log_info(std::string_view msg, const LogFields& fields = {}) {
  log_at(spdlog::level::info, msg, fields);
}
inline void log_warn(std::string_view msg, const LogFields& fields = {}) {
  log_at(spdlog::level::warn, msg, fields);
}
inline void log_error(std::string_view msg, const LogFields& fields = {}) {
  log_at(spdlog::level::err, msg, fields);
}

// logfmt value quoting: bare when safe, else "..." with \" \\ \n \t escapes.
std::string logfmt_value(std::string_view value, bool force_quotes = false);

class LogfmtFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
  std::unique_ptr<spdlog::formatter> clone() const override;
};

class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
  std::unique_ptr<spdlog::formatter> clone() const override;
};

// "logfmt" or "json" (anything else: logfmt).
std::unique_ptr<spdlog::formatter> make_log_formatter(std::string_view format);

// "debug", "info", "warn", "error".
spdlog::level::level_enum parse_log_level(std::string_view level);

// Installs a stderr logger as spdlog's default logger.
void setup_logging(std::string_view level, std::string_view format);

}  // namespace ndes
