// One collection, timed, with any exception turned into a failed result
// (ndes_collector_success 0) and a log line: the shape every collector's
// collect() has.
#pragma once

#include <spdlog/spdlog.h>

#include <chrono>
#include <exception>
#include <string>

#include "ndes/collect/records.h"

namespace ndes::common {

template <typename Body>
CollectorResult guarded_collect(const std::string& collector, Body&& body) {
  const auto start = std::chrono::steady_clock::now();
  CollectorResult result;
  result.collector = collector;
  try {
    body(result);
  } catch (const std::exception& e) {
    spdlog::error("{} collector failed: {}", collector, e.what());
    result = CollectorResult{};
    result.collector = collector;
    result.success = false;
  }
  result.duration_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace ndes::common
