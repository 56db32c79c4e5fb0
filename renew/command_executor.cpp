#include <fstream>
#include <utility>

#include "base/process.h"
#include "renew/certreq_output.h"
#include "renew/executor.h"
#include "renew/scep_check.h"

namespace ndes::renew {

StepOutcome failed_outcome(std::string detail) {
  StepOutcome out;
  out.status = "failed";
  out.detail = std::move(detail);
  return out;
}

std::string step_param(const PlannedStep& step, const std::string& name) {
  const auto it = step.params.find(name);
  return it == step.params.end() ? std::string() : it->second;
}

namespace {

StepOutcome failed(std::string detail) { return failed_outcome(std::move(detail)); }

StepOutcome write_file(const PlannedStep& step) {
  std::ofstream file(step.path, std::ios::binary | std::ios::trunc);
  file.write(step.content.data(), static_cast<std::streamsize>(step.content.size()));
  file.close();
  if (!file) {
    return failed("cannot write " + step.path);
  }
  StepOutcome out;
  out.detail = "wrote " + std::to_string(step.content.size()) + " bytes to " + step.path;
  return out;
}

StepOutcome run_argv(const PlannedStep& step, RunContext& ctx) {
  ProcessSpec spec;
  spec.argv = step.argv;
  spec.env = clean_environment(ctx.work_dir);
  spec.cwd = ctx.work_dir;
  spec.timeout = std::chrono::seconds(step.timeout_seconds);
  spec.cancel = ctx.cancel;
  const ProcessResult r = run_process(spec);
  StepOutcome out;
  out.out = r.out;
  out.err = r.err;
  if (!r.started) {
    return failed(r.error);
  }
  out.exit_code = r.exit_code;
  if (r.cancelled) {
    out.status = "failed";
    out.detail = "cancelled: the hook is stopping";
  } else if (r.timed_out) {
    out.status = "failed";
    out.detail = "timed out after " + std::to_string(step.timeout_seconds) + "s; killed";
  } else if (r.exit_code != 0) {
    out.status = "failed";
    out.detail = "exited with status " + std::to_string(r.exit_code);
  } else {
    out.detail = "exited with status 0";
  }
  return out;
}

class CommandExecutor final : public Executor {
 public:
  std::string_view name() const override { return "command"; }
  StepOutcome run(const PlannedStep& step, RunContext& ctx) override {
    return run_common_step(step, ctx);
  }
};

class UnavailableExecutor final : public Executor {
 public:
  UnavailableExecutor(std::string name, std::string why)
      : name_(std::move(name)), why_(std::move(why)) {}
  std::string_view name() const override { return name_; }
  StepOutcome run(const PlannedStep&, RunContext&) override { return failed(why_); }
  std::optional<std::string> discover_ca_config(const std::string&, std::string* error) override {
    if (error != nullptr) {
      *error = why_;
    }
    return std::nullopt;
  }

 private:
  std::string name_;
  std::string why_;
};

}  // namespace

std::optional<std::string> Executor::discover_ca_config(const std::string& /*template_name*/,
                                                        std::string* error) {
  if (error != nullptr) {
    *error = "this executor cannot discover the CA";
  }
  return std::nullopt;
}

std::optional<std::string> Executor::scep_url(std::string* error) {
  if (error != nullptr) {
    *error = "this executor cannot read IIS's bindings";
  }
  return std::nullopt;
}

// certreq -submit: the exit code says little (a request taken under submission is no
// error to certreq); what it printed says what the CA decided (certreq_output.h).
StepOutcome submit_request(const PlannedStep& step, RunContext& ctx) {
  StepOutcome out = run_argv(step, ctx);
  if (out.status != "ok" && !out.exit_code) {
    return out;  // it did not run, timed out or was cancelled
  }
  const SubmitOutcome submitted = parse_certreq_submit(out.out);
  const auto ca = step.params.find("ca_config");
  out.detail = submit_advice(submitted, ca == step.params.end() ? "" : ca->second);
  out.facts["disposition"] = std::string(to_string(submitted.disposition));
  if (!submitted.request_id.empty()) {
    out.facts["request_id"] = submitted.request_id;
  }
  switch (submitted.disposition) {
    case SubmitDisposition::issued:
      out.status = out.exit_code == 0 ? "ok" : "failed";
      break;
    case SubmitDisposition::pending:
      out.status = "pending";
      break;
    default:
      out.status = "failed";
  }
  return out;
}

StepOutcome run_common_step(const PlannedStep& step, RunContext& ctx) {
  switch (step.kind) {
    case StepKind::write_file:
      return write_file(step);
    case StepKind::run:
      return run_argv(step, ctx);
    case StepKind::submit_request:
      return submit_request(step, ctx);
    case StepKind::check_scep:
      return check_scep(step, ctx);
    default:
      return failed("step kind " + std::string(to_string(step.kind)) +
                    " is not supported by this executor");
  }
}

std::unique_ptr<Executor> make_command_executor() { return std::make_unique<CommandExecutor>(); }

std::unique_ptr<Executor> make_unavailable_executor(std::string name, std::string why) {
  return std::make_unique<UnavailableExecutor>(std::move(name), std::move(why));
}

}  // namespace ndes::renew
