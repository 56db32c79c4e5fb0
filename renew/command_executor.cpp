#include <fstream>
#include <utility>

#include "base/process.h"
#include "renew/executor.h"

namespace ndes::renew {
namespace {

StepOutcome failed(std::string detail) {
  StepOutcome out;
  out.status = "failed";
  out.detail = std::move(detail);
  return out;
}

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

StepOutcome run_common_step(const PlannedStep& step, RunContext& ctx) {
  switch (step.kind) {
    case StepKind::write_file:
      return write_file(step);
    case StepKind::run:
      return run_argv(step, ctx);
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
