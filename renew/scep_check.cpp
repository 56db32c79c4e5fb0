#include "renew/scep_check.h"

#include <chrono>
#include <thread>

#include "base/text.h"
#include "probe/http_fetch.h"
#include "scep/scep_parse.h"

namespace ndes::renew {
namespace {

probe::HttpFetchResult get(const std::string& url, std::chrono::seconds timeout) {
  probe::HttpFetchOptions options;
  options.deadline = std::chrono::steady_clock::now() + timeout;
  options.max_body_bytes = std::size_t{256} * 1024;  // a CA chain is a few KiB
  return probe::http_get(url, options);
}

std::string status_text(const probe::HttpFetchResult& r) {
  if (r.failure) {
    return r.detail.empty() ? "no answer" : "no answer: " + r.detail;
  }
  return "HTTP " + std::to_string(r.status);
}

}  // namespace

StepOutcome judge_scep_answers(const ScepAnswers& answers,
                               const std::vector<std::string>& expected_thumbprints) {
  if (answers.caps_status != 200) {
    return failed_outcome("GetCACaps answered HTTP " + std::to_string(answers.caps_status) +
                          " (NDES did not load: see the Application log for Event 2)");
  }
  const scep::CaCaps caps = scep::parse_ca_caps(answers.caps_body);
  if (caps.error) {
    return failed_outcome("GetCACaps: " + *caps.error);
  }
  if (answers.cert_status != 200) {
    return failed_outcome("GetCACert answered HTTP " + std::to_string(answers.cert_status));
  }
  const scep::CaCertAnswer cert =
      scep::decode_ca_cert(answers.cert_content_type, answers.cert_body);
  if (cert.error) {
    return failed_outcome("GetCACert: " + *cert.error);
  }
  std::vector<std::string> served;
  for (const auto& c : cert.certificates) {
    served.push_back(upper(c.thumbprint));
  }
  std::vector<std::string> missing;
  for (const auto& want : expected_thumbprints) {
    if (std::find(served.begin(), served.end(), upper(want)) == served.end()) {
      missing.push_back(upper(want));
    }
  }
  StepOutcome out;
  out.facts["ca_caps"] = join(caps.capabilities, ",");
  out.facts["ca_cert_thumbprints"] = join(served, ",");
  if (!missing.empty()) {
    out.status = "failed";
    out.detail = "GetCACert does not list " + join(missing, ", ") + " (it lists " +
                 join(served, ", ") + "): NDES still serves other RA certificates";
    return out;
  }
  out.detail = "GetCACaps 200 (" + std::to_string(caps.capabilities.size()) +
               " capabilities); GetCACert lists " + join(expected_thumbprints, ", ");
  return out;
}

std::vector<std::string> expected_thumbprints(const PlannedStep& step, const RunContext& ctx) {
  std::vector<std::string> out;
  for (const auto& t : split(step_param(step, "thumbprints"), ',')) {
    if (!t.empty()) {
      out.push_back(upper(t));
    }
  }
  if (!out.empty()) {
    return out;
  }
  for (const auto& [name, value] : ctx.facts) {
    if (name.starts_with("new_thumbprint.") && !value.empty()) {
      out.push_back(upper(value));
    }
  }
  return out;
}

StepOutcome check_scep(const PlannedStep& step, RunContext& ctx) {
  const std::string target = step_param(step, "url");
  std::string error;
  const auto caps_url = scep::request_url(target, "GetCACaps", &error);
  const auto cert_url = scep::request_url(target, "GetCACert", &error);
  if (!caps_url || !cert_url) {
    return failed_outcome("the SCEP URL " + quote(target) + " is not usable: " + error);
  }
  const std::vector<std::string> want = expected_thumbprints(step, ctx);
  if (want.empty()) {
    return failed_outcome("no new RA certificate to look for (verify_new_cert did not pass)");
  }
  std::int64_t timeout_seconds = 120;
  if (const auto t = step_param(step, "timeout_seconds"); !t.empty() && is_digits(t)) {
    timeout_seconds = std::stoll(t);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  ScepAnswers answers;
  std::string last;
  for (;;) {
    if (ctx.cancel != nullptr && ctx.cancel->load()) {
      return failed_outcome("cancelled: the hook is stopping");
    }
    const auto caps = get(*caps_url, std::chrono::seconds(15));
    last = status_text(caps);
    if (!caps.failure && caps.status == 200) {
      answers.caps_status = 200;
      answers.caps_body.assign(caps.body.begin(), caps.body.end());
      break;
    }
    if (std::chrono::steady_clock::now() + std::chrono::seconds(3) >= deadline) {
      StepOutcome out = failed_outcome(
          "GetCACaps at " + *caps_url + ": " + last + " for " + std::to_string(timeout_seconds) +
          "s after the restart (NDES did not load: see the Application "
          "log for Event 2)");
      out.facts["url"] = target;
      return out;
    }
    std::this_thread::sleep_for(std::chrono::seconds(3));
  }
  const auto cert = get(*cert_url, std::chrono::seconds(15));
  if (cert.failure) {
    return failed_outcome("GetCACert at " + *cert_url + ": " + status_text(cert));
  }
  answers.cert_status = cert.status;
  answers.cert_content_type = cert.content_type;
  answers.cert_body = cert.body;
  StepOutcome out = judge_scep_answers(answers, want);
  out.facts["url"] = target;
  return out;
}

}  // namespace ndes::renew
