// How long to wait for a service that is changing state, and when to give up: the
// rules of Microsoft's "Starting a Service" and "Stopping a Service" samples
// (learn.microsoft.com/windows/win32/services/starting-a-service and
// .../stopping-a-service), as a pure function of successive SERVICE_STATUS values,
// so the decision is unit-tested on Linux with plain structs. The SCM calls around
// it are in renew/windows/services.cpp.
#pragma once

#include <cstdint>
#include <string>

namespace ndes::renew {

// SERVICE_STATUS's dwCurrentState values (winsvc.h), the same numbers.
enum class ServiceState : std::uint32_t {
  stopped = 1,
  start_pending = 2,
  stop_pending = 3,
  running = 4,
  continue_pending = 5,
  pause_pending = 6,
  paused = 7,
};
std::string to_string(ServiceState state);

// The fields of SERVICE_STATUS(_PROCESS) the wait reads.
struct ServiceStatusView {
  std::uint32_t state = 0;  // ServiceState
  std::uint32_t checkpoint = 0;
  std::uint32_t wait_hint_ms = 0;
  std::uint32_t win32_exit_code = 0;
  std::uint32_t service_exit_code = 0;
};

// What the waiter keeps between two looks: the last checkpoint that moved, and when.
struct WaitProgress {
  std::uint32_t checkpoint = 0;
  std::int64_t since_ms = 0;
};

struct WaitDecision {
  enum class Kind {
    reached,      // the service is in the wanted state
    wait,         // sleep wait_ms, query again
    no_progress,  // pending, but the checkpoint did not move within the wait hint
    failed,       // it went to another settled state (stopped while starting)
    timed_out,    // the overall deadline passed
  };
  Kind kind = Kind::wait;
  std::uint32_t wait_ms = 0;
  std::string why;  // for every kind but reached/wait: what the service did
};

// The samples' interval: a tenth of the wait hint, at least 1 s and at most 10 s.
std::uint32_t wait_interval_ms(std::uint32_t wait_hint_ms);

// The no-progress window: the wait hint, as the samples use it, but at least
// kMinProgressWindowMs: a pending service that reports no hint (0) is not given up
// on after a single poll.
inline constexpr std::uint32_t kMinProgressWindowMs = 10'000;

// One look at a service waiting for `target` (running or stopped). `progress` starts
// as {the status's checkpoint at the start, the start time} and is updated here; the
// clock is `now_ms` (monotonic), and nothing waits past `deadline_ms`.
WaitDecision next_wait(const ServiceStatusView& status, ServiceState target, WaitProgress& progress,
                       std::int64_t now_ms, std::int64_t deadline_ms);

}  // namespace ndes::renew
