#include "base/log.h"

#include <spdlog/sinks/stdout_sinks.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

namespace ndes {
namespace {

// The fields of the log call running on this thread, if any.
thread_local const LogFields* t_fields = nullptr;

const LogFields& current_fields() {
  static const LogFields kNone;
  return t_fields != nullptr ? *t_fields : kNone;
}

std::string timestamp(spdlog::log_clock::time_point tp) {
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  const auto since_epoch = tp.time_since_epoch();
  const auto ms = duration_cast<milliseconds>(since_epoch).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  long millis = static_cast<long>(ms % 1000);
  if (millis < 0) {
    millis += 1000;
    secs -= 1;
  }
  std::tm tm{};
  gmtime_r(&secs, &tm);
  std::array<char, 96> buf{};
  std::snprintf(buf.data(), buf.size(), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
  return buf.data();
}

std::string_view level_name(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
    case spdlog::level::debug:
      return "debug";
    case spdlog::level::info:
      return "info";
    case spdlog::level::warn:
      return "warn";
    default:
      return "error";
  }
}

void append(spdlog::memory_buf_t& dest, std::string_view s) {
  dest.append(s.data(), s.data() + s.size());
}

}  // namespace

void log_at(spdlog::level::level_enum level, std::string_view msg, const LogFields& fields) {
  auto logger = spdlog::default_logger_raw();
  if (!logger->should_log(level)) {
    return;
  }
  // Formatting happens inside log() on this thread: the logger is synchronous.
  t_fields = &fields;
  try {
    logger->log(level, spdlog::string_view_t(msg.data(), msg.size()));
  } catch (...) {
    t_fields = nullptr;
    throw;
  }
  t_fields = nullptr;
}

std::string logfmt_value(std::string_view value, bool force_quotes) {
  bool quote = force_quotes || value.empty();
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= ' ' || c == '=' || c == '"' || c == '\\' || u == 0x7f) {
      quote = true;
      break;
    }
  }
  if (!quote) {
    return std::string(value);
  }
  std::string out = "\"";
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (u < 0x20 || u == 0x7f) {
          std::array<char, 8> buf{};
          std::snprintf(buf.data(), buf.size(), "\\u%04x", static_cast<unsigned>(u));
          out += buf.data();
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

void LogfmtFormatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
  const std::string_view text(msg.payload.data(), msg.payload.size());
  std::string line = "ts=" + timestamp(msg.time);
  line += " level=";
  line += level_name(msg.level);
  line += " msg=" + logfmt_value(text, true);
  for (const auto& [key, value] : current_fields()) {
    line += ' ';
    line += key;
    line += '=';
    line += logfmt_value(value);
  }
  line += '\n';
  append(dest, line);
}

std::unique_ptr<spdlog::formatter> LogfmtFormatter::clone() const {
  return std::make_unique<LogfmtFormatter>();
}

void JsonFormatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
  const std::string_view text(msg.payload.data(), msg.payload.size());
  nlohmann::ordered_json line;
  line["ts"] = timestamp(msg.time);
  line["level"] = level_name(msg.level);
  line["msg"] = text;
  for (const auto& [key, value] : current_fields()) {
    if (key != "ts" && key != "level" && key != "msg") {
      line[key] = value;
    }
  }
  append(dest, line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
  append(dest, "\n");
}

std::unique_ptr<spdlog::formatter> JsonFormatter::clone() const {
  return std::make_unique<JsonFormatter>();
}

std::unique_ptr<spdlog::formatter> make_log_formatter(std::string_view format) {
  if (format == "json") {
    return std::make_unique<JsonFormatter>();
  }
  return std::make_unique<LogfmtFormatter>();
}

spdlog::level::level_enum parse_log_level(std::string_view level) {
  if (level == "debug") {
    return spdlog::level::debug;
  }
  if (level == "warn") {
    return spdlog::level::warn;
  }
  if (level == "error") {
    return spdlog::level::err;
  }
  return spdlog::level::info;
}

void setup_logging(std::string_view level, std::string_view format) {
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  sink->set_formatter(make_log_formatter(format));
  auto logger = std::make_shared<spdlog::logger>("ndes_exporter", std::move(sink));
  logger->set_level(parse_log_level(level));
  logger->flush_on(spdlog::level::debug);
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace ndes
