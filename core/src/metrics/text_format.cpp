// serialize(): the Prometheus text format (0.0.4), written straight into one string.
// It gives byte for byte what prometheus::TextSerializer gives for our families
// (tests/unit/families_test.cpp checks that against the library), at a fraction of
// the cost: the library's std::ostream path was half of a warm scrape's CPU
// (callgrind, bench/micro_bench.cpp BM_Serialize).
#include <prometheus/metric_family.h>
#include <prometheus/text_serializer.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "ndes/metrics/families.h"

namespace ndes {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

// As std::ostream with precision 16 (the library's setting) writes a double: "%.16g".
// Integers below 1e15, which most of our values are (timestamps, counts, 0/1),
// take the fast path; "%.16g" writes them the same way.
void append_value(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "Nan";
    return;
  }
  if (std::isinf(value)) {
    out += value < 0 ? "-Inf" : "+Inf";
    return;
  }
  char buf[64];
  if (std::abs(value) < 1e15 && value == std::trunc(value) &&
      !(value == 0 && std::signbit(value))) {
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, static_cast<long long>(value));
    out.append(buf, end);
    return;
  }
  const int n = std::snprintf(buf, sizeof buf, "%.16g", value);
  out.append(buf, static_cast<std::size_t>(n));
}

// A label value with backslash, double quote and newline escaped, appended in runs.
void append_escaped(std::string& out, const std::string& value) {
  std::size_t start = 0;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (c == '\\' || c == '"') {
      out.append(value, start, i - start);
      out += '\\';
      start = i;  // the character itself goes out with the next run
    } else if (c == '\n') {
      out.append(value, start, i - start);
      out += "\\n";
      start = i + 1;
    }
  }
  out.append(value, start, std::string::npos);
}

double value_of(const MetricFamily& family, const ClientMetric& metric) {
  switch (family.type) {
    case MetricType::Counter:
      return metric.counter.value;
    case MetricType::Untyped:
      return metric.untyped.value;
    default:
      return metric.gauge.value;
  }
}

const char* type_name(MetricType type) {
  switch (type) {
    case MetricType::Counter:
      return "counter";
    case MetricType::Untyped:
      return "untyped";
    default:
      return "gauge";
  }
}

void append_header(std::string& out, const MetricFamily& family) {
  if (!family.help.empty()) {
    out.append("# HELP ").append(family.name).append(" ").append(family.help).append("\n");
  }
  out.append("# TYPE ").append(family.name).append(" ").append(type_name(family.type));
  out += '\n';
}

void append_samples(std::string& out, const MetricFamily& family) {
  for (const auto& metric : family.metric) {
    out += family.name;
    if (!metric.label.empty()) {
      out += '{';
      const char* prefix = "";
      for (const auto& label : metric.label) {
        out.append(prefix).append(label.name).append("=\"");
        append_escaped(out, label.value);
        out += '"';
        prefix = ",";
      }
      out += '}';
    }
    out += ' ';
    append_value(out, value_of(family, metric));
    if (metric.timestamp_ms != 0) {
      out += ' ';
      out += std::to_string(metric.timestamp_ms);
    }
    out += '\n';
  }
}

}  // namespace

std::string serialize(const std::vector<MetricFamily>& families) {
  for (const auto& family : families) {
    if (family.type == MetricType::Summary || family.type == MetricType::Histogram) {
      // Not ours (we write counters and gauges only): the library knows their lines.
      std::ostringstream text;
      prometheus::TextSerializer().Serialize(text, families);
      return text.str();
    }
  }
  std::size_t estimate = 0;
  for (const auto& family : families) {
    estimate += 64 + family.help.size() + 2 * family.name.size();
    for (const auto& metric : family.metric) {
      estimate += family.name.size() + 32;
      for (const auto& label : metric.label) {
        estimate += label.name.size() + label.value.size() + 4;
      }
    }
  }
  std::string out;
  out.reserve(estimate);
  for (const auto& family : families) {
    append_header(out, family);
    append_samples(out, family);
  }
  return out;
}

std::string serialize_header(const MetricFamily& family) {
  std::string out;
  append_header(out, family);
  return out;
}

std::string serialize_samples(const MetricFamily& family) {
  std::string out;
  append_samples(out, family);
  return out;
}

}  // namespace ndes
