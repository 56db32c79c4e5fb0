// The windows executor: certreq through run_common_step (CreateProcess by argv), as
// are the portable steps (submit_request, check_scep), and the steps in between
// through the Windows APIs (steps.h lists them, one file per concern). The decisions
// the steps make (check_renewed, superseded_thumbprints, the service waits, the event
// verdict, the template match) are pure functions in renew/, tested on every
// platform. Built on Windows only (renew/CMakeLists.txt).
#include "renew/executor.h"

#include <utility>

#include "renew/event_wait.h"
#include "renew/windows/evt_api.h"
#include "renew/windows/scep_url.h"
#include "renew/windows/steps.h"

namespace ndes::renew {
namespace windows {

StepOutcome failed(std::string detail) { return failed_outcome(std::move(detail)); }

std::string param(const PlannedStep& step, const std::string& name) {
  return step_param(step, name);
}

namespace {

class WindowsExecutor final : public Executor {
 public:
  explicit WindowsExecutor(const WindowsExecutorOptions& options)
      // NDES's events: the Application log, or the exported-XML stand-in (wine).
      : events_(options.events_xml_dir.empty()
                    ? make_event_log_source()
                    : make_xml_dir_event_source(options.events_xml_dir)) {}

  std::string_view name() const override { return "windows"; }

  StepOutcome run(const PlannedStep& step, RunContext& ctx) override {
    switch (step.kind) {
      case StepKind::write_file:
      case StepKind::run:
      case StepKind::submit_request:
      case StepKind::check_scep:
        return run_common_step(step, ctx);
      case StepKind::verify_new_cert:
        return verify_new_cert(step);
      case StepKind::grant_key_read:
        return grant_key_read(step, ctx);
      case StepKind::remove_superseded:
        return remove_superseded(step, ctx);
      case StepKind::restart_services:
        return restart_services(step);
      case StepKind::check_ndes_event:
        return check_ndes_event(step, ctx, *events_);
    }
    return failed("unknown step kind");
  }

  std::optional<std::string> discover_ca_config(const std::string& template_name,
                                                std::string* error) override {
    std::string why;
    auto found = discover_from_ad(template_name, &why);
    if (!found && error != nullptr) {
      *error = why;
    }
    return found;
  }

  std::optional<std::string> scep_url(std::string* error) override {
    return scep_url_from_iis(error);
  }

 private:
  std::unique_ptr<NdesEventSource> events_;
};

}  // namespace
}  // namespace windows

std::unique_ptr<Executor> make_windows_executor(const WindowsExecutorOptions& options) {
  return std::make_unique<windows::WindowsExecutor>(options);
}

}  // namespace ndes::renew
