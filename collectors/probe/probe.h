// One probe run: a module, a target and a deadline in, one CollectorResult out
// (certificates, the prober's samples, probe_success, probe_duration_seconds and
// ndes_probe_failure_info). No global state: /probe builds its families from this
// result alone.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "ndes/cert/parse.h"
#include "ndes/collect/records.h"
#include "probe/failure.h"
#include "probe/http_fetch.h"
#include "probe/probe_config.h"

namespace ndes::probe {

struct ProbeContext {
  std::string module_name;  // for the log line
  const ProbeModule* module = nullptr;
  std::string target;
  Deadline deadline;
  const TemplateNames* template_names = nullptr;
  // Static targets come from the admin's config and may name local files (crl).
  bool from_config = false;

  HttpFetchOptions fetch_options() const;
};

// What a prober fills in. The first failure is the one reported.
class ProbeOutcome {
 public:
  ProbeOutcome(std::string collector, std::string target);

  void fail(FailureReason reason, std::string detail);
  bool failed() const { return failure_.has_value(); }
  const std::optional<FailureReason>& failure() const { return failure_; }
  const std::string& detail() const { return detail_; }

  // Adds a certificate seen at the target, with `role` (classify() unless the
  // prober knows better, e.g. a TLS leaf is `ssl`).
  void add_certificate(Certificate cert, Role role);
  void add_sample(std::string name, std::string help, std::map<std::string, std::string> labels,
                  double value);

  CollectorResult& result() { return result_; }

 private:
  CollectorResult result_;
  std::string target_;
  std::optional<FailureReason> failure_;
  std::string detail_;
};

// What a prober does, blackbox_exporter's ProbeFn: probes context.target until the
// deadline and fills `out`. Throws only for bugs and out of memory.
using ProbeFn = void (*)(const ProbeContext& context, ProbeOutcome& out);

// The probers of the build by kind. This folder never names them: the exporter's
// table (exporter/prober_table.cpp) lists scep/, tls/ and crl/.
struct ProberRow {
  ProberKind kind;
  ProbeFn probe;
};
using ProberTable = std::vector<ProberRow>;

// The prober of `kind` in `table`; nullptr if it has none.
ProbeFn find_prober(const ProberTable& table, ProberKind kind);

// Runs the module's prober (from `probers`) against the target until the deadline,
// then adds probe_success, probe_duration_seconds and (on failure)
// ndes_probe_failure_info, and logs a failure at warn with the target, the reason and
// the detail. result.success is probe_success.
CollectorResult run_probe(const ProberTable& probers, const ProbeContext& context);

}  // namespace ndes::probe
