// The proof from outside after a restart: GetCACaps and GetCACert against the URL NDES
// really serves (RFC 8894 section 3.5), through the probes' HTTP client
// (collectors/probe/http_fetch.h: libcurl on Linux, WinHTTP on Windows). NDES loads on
// its first request after IIS restarts, so GetCACaps is asked again until it answers 200
// or the step's time is up; then GetCACert must list every expected RA certificate.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "renew/executor.h"

namespace ndes::renew {

// What the SCEP answers say, judged. Pure.
struct ScepAnswers {
  long caps_status = 0;
  std::string caps_body;
  long cert_status = 0;
  std::string cert_content_type;
  std::vector<std::uint8_t> cert_body;
};
StepOutcome judge_scep_answers(const ScepAnswers& answers,
                               const std::vector<std::string>& expected_thumbprints);

// The thumbprints the check expects: the step's `thumbprints` param, else every
// "new_thumbprint.<role>" fact of the run.
std::vector<std::string> expected_thumbprints(const PlannedStep& step, const RunContext& ctx);

// The check_scep step (run_common_step runs it for every executor).
StepOutcome check_scep(const PlannedStep& step, RunContext& ctx);

}  // namespace ndes::renew
