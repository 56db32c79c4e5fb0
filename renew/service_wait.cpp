#include "renew/service_wait.h"

#include <algorithm>

namespace ndes::renew {

std::string to_string(ServiceState state) {
  switch (state) {
    case ServiceState::stopped:
      return "stopped";
    case ServiceState::start_pending:
      return "start pending";
    case ServiceState::stop_pending:
      return "stop pending";
    case ServiceState::running:
      return "running";
    case ServiceState::continue_pending:
      return "continue pending";
    case ServiceState::pause_pending:
      return "pause pending";
    case ServiceState::paused:
      return "paused";
  }
  return "state " + std::to_string(static_cast<std::uint32_t>(state));
}

std::uint32_t wait_interval_ms(std::uint32_t wait_hint_ms) {
  return std::clamp<std::uint32_t>(wait_hint_ms / 10, 1000, 10000);
}

WaitDecision next_wait(const ServiceStatusView& status, ServiceState target, WaitProgress& progress,
                       std::int64_t now_ms, std::int64_t deadline_ms) {
  using Kind = WaitDecision::Kind;
  const auto state = static_cast<ServiceState>(status.state);
  if (state == target) {
    return {Kind::reached, 0, ""};
  }
  const ServiceState pending =
      target == ServiceState::running ? ServiceState::start_pending : ServiceState::stop_pending;
  // Starting: a service that is stopped again failed to start (its exit codes say why).
  // Stopping: running (the stop not yet taken up) is still on the way.
  const bool on_the_way =
      state == pending || (target == ServiceState::stopped && state == ServiceState::running);
  if (!on_the_way) {
    return {Kind::failed, 0,
            "went " + to_string(state) + " instead of " + to_string(target) + " (exit code " +
                std::to_string(status.win32_exit_code) + ", service exit code " +
                std::to_string(status.service_exit_code) + ")"};
  }
  if (now_ms >= deadline_ms) {
    return {Kind::timed_out, 0, "still " + to_string(state) + " at the deadline"};
  }
  // The samples: a checkpoint that moved is progress; none within the wait hint is a
  // service that hangs.
  if (status.checkpoint > progress.checkpoint) {
    progress = {status.checkpoint, now_ms};
  } else if (now_ms - progress.since_ms >
             static_cast<std::int64_t>(std::max(status.wait_hint_ms, kMinProgressWindowMs))) {
    return {Kind::no_progress, 0,
            "made no progress: " + to_string(state) + ", checkpoint " +
                std::to_string(status.checkpoint) + " unchanged for " +
                std::to_string(now_ms - progress.since_ms) + " ms (wait hint " +
                std::to_string(status.wait_hint_ms) + " ms)"};
  }
  const auto left = static_cast<std::uint32_t>(
      std::min<std::int64_t>(deadline_ms - now_ms, wait_interval_ms(status.wait_hint_ms)));
  return {Kind::wait, left, ""};
}

}  // namespace ndes::renew
