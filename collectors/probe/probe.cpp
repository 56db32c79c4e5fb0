#include "probe/probe.h"

#include <array>
#include <csignal>
#include <cstdio>
#include <exception>
#include <mutex>

#include "base/log.h"
#include "probe/modules.h"

namespace ndes::probe {
namespace {

// Seconds with millisecond precision, as the probe metrics give them.
std::string seconds_text(double seconds) {
  std::array<char, 32> buf{};
  std::snprintf(buf.data(), buf.size(), "%.3f", seconds);
  return buf.data();
}

// OpenSSL writes to sockets with write(): a peer that closed first would raise
// SIGPIPE and end the exporter. A server has no use for that signal.
void ignore_sigpipe_once() {
  static std::once_flag once;
  std::call_once(once, [] { std::signal(SIGPIPE, SIG_IGN); });
}

}  // namespace

HttpFetchOptions ProbeContext::fetch_options() const {
  HttpFetchOptions o;
  o.deadline = deadline;
  o.max_body_bytes = module->max_body_bytes;
  o.proxy_url = module->proxy_url;
  o.headers = module->headers;
  o.tls = module->tls;
  return o;
}

ProbeOutcome::ProbeOutcome(std::string collector, std::string target) : target_(std::move(target)) {
  result_.collector = std::move(collector);
  result_.sources.push_back(target_);
}

void ProbeOutcome::fail(FailureReason reason, std::string detail) {
  if (!failure_) {
    failure_ = reason;
    detail_ = std::move(detail);
  }
}

void ProbeOutcome::add_certificate(Certificate cert, Role role) {
  CertificateRecord r;
  r.origin = Origin{result_.collector, target_, ""};
  r.cert = std::move(cert);
  r.role = role;
  result_.certificates.push_back(std::move(r));
}

void ProbeOutcome::add_sample(std::string name, std::string help,
                              std::map<std::string, std::string> labels, double value) {
  result_.samples.push_back(
      Sample{std::move(name), std::move(help), SampleType::gauge, std::move(labels), value});
}

ProbeFn find_prober(const ProberTable& table, ProberKind kind) {
  for (const auto& row : table) {
    if (row.kind == kind) {
      return row.probe;
    }
  }
  return nullptr;
}

CollectorResult run_probe(const ProberTable& probers, const ProbeContext& context) {
  ignore_sigpipe_once();
  const auto start = std::chrono::steady_clock::now();
  const ProberKind kind = context.module->prober;
  ProbeOutcome out(std::string(to_string(kind)), context.target);
  try {
    if (const ProbeFn probe = find_prober(probers, kind)) {
      probe(context, out);
    } else {
      out.fail(FailureReason::connect_failed,
               "internal error: no " + std::string(to_string(kind)) + " prober in this build");
    }
  } catch (const std::exception& e) {
    // Out of memory or a bug: still one answer with a reason, never a crash.
    out.fail(FailureReason::connect_failed, std::string("internal error: ") + e.what());
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CollectorResult result = std::move(out.result());
  result.success = !out.failed();
  result.duration_seconds = seconds;
  result.samples.push_back(Sample{"probe_success",
                                  "Displays whether or not the probe was a success",
                                  SampleType::gauge,
                                  {},
                                  out.failed() ? 0.0 : 1.0});
  result.samples.push_back(Sample{"probe_duration_seconds",
                                  "Returns how long the probe took to complete in seconds",
                                  SampleType::gauge,
                                  {},
                                  seconds});
  if (out.failed()) {
    const std::string reason(to_string(*out.failure()));
    result.samples.push_back(Sample{"ndes_probe_failure_info",
                                    "1 when the probe failed, labelled with the reason; the "
                                    "detail is in the exporter's log.",
                                    SampleType::gauge,
                                    {{"reason", reason}},
                                    1.0});
    // Targets come from the network (/probe?target=...): the log quotes every value,
    // so control characters cannot forge log lines.
    log_warn("probe failed", {{"module", context.module_name},
                              {"prober", std::string(to_string(kind))},
                              {"target", context.target},
                              {"reason", reason},
                              {"duration_seconds", seconds_text(seconds)},
                              {"detail", out.detail()}});
  } else {
    log_debug("probe succeeded", {{"module", context.module_name},
                                  {"target", context.target},
                                  {"duration_seconds", seconds_text(seconds)}});
  }
  return result;
}

}  // namespace ndes::probe
