// Executors carry out a plan's steps. The service runs the steps in order, journals
// each result and stops at the first failure; steps with a skip_reason never reach an
// executor. Two exist: `command` (any OS: one configured argv) and `windows` (certreq,
// the key ACL, the certificate store, services, the event log; built on Windows only).
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "renew/plan.h"

namespace ndes::renew {

struct StepOutcome {
  std::string status = "ok";  // ok | failed | pending (submit_request: the CA holds it)
  std::optional<int> exit_code;
  std::string out;  // raw; the service caps and redacts before journaling
  std::string err;
  std::string detail;                        // why it failed, or what it did
  std::map<std::string, std::string> facts;  // for later steps and the record
};

struct RunContext {
  std::string id;          // renewal id
  std::string thumbprint;  // the certificate being renewed
  std::string template_name;
  std::string work_dir;                      // this renewal's directory (exists)
  std::map<std::string, std::string> facts;  // gathered by earlier steps
  const std::atomic<bool>* cancel = nullptr;
};

class Executor {
 public:
  virtual ~Executor() = default;
  virtual std::string_view name() const = 0;
  virtual StepOutcome run(const PlannedStep& step, RunContext& ctx) = 0;
  // The CA config for a template when --ca.config is not given; nullopt (with *error)
  // where it cannot be discovered.
  virtual std::optional<std::string> discover_ca_config(const std::string& template_name,
                                                        std::string* error);
  // The SCEP URL NDES serves (from IIS's bindings) when --verify.scep-url is not given;
  // nullopt (with *error) where it cannot be found.
  virtual std::optional<std::string> scep_url(std::string* error);
};

// A failed outcome that says why.
StepOutcome failed_outcome(std::string detail);
// The step's parameter `name`, "" when it has none.
std::string step_param(const PlannedStep& step, const std::string& name);

// The steps every executor runs the same way: write_file (exact bytes) and run (argv,
// clean environment, the step's timeout, the work directory as cwd). Other kinds fail
// with "not supported by this executor".
StepOutcome run_common_step(const PlannedStep& step, RunContext& ctx);

// Runs `run` and `write_file` steps only.
std::unique_ptr<Executor> make_command_executor();

// Stands in for an executor that this build does not have (the windows executor on
// Linux: dry-run only); every step fails with `why`.
std::unique_ptr<Executor> make_unavailable_executor(std::string name, std::string why);

struct WindowsExecutorOptions {
  // "" = NDES's events come from the Application log (wevtapi); else from the exported
  // event files (wevtutil qe /f:xml) in this directory, as the exporter's
  // --collector.eventlog.xml-dir reads them: where the event log API is missing (wine).
  std::string events_xml_dir;
};

// certreq, the key ACL, the store, services, the event log (renew/windows/); defined in
// the Windows build only, and called only from renew/main_windows.cpp.
std::unique_ptr<Executor> make_windows_executor(const WindowsExecutorOptions& options);

}  // namespace ndes::renew
