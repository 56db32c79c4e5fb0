// Waiting for SIGINT or SIGTERM in both binaries (POSIX; on Windows the service and
// console stops of base/win/service.h play this part). The signals are blocked in
// every thread and taken by sigwait in one place, so no handler runs at an
// arbitrary point of some thread.
#pragma once
#ifndef _WIN32

#include <string_view>

namespace ndes {

// Blocks SIGINT and SIGTERM in the calling thread; call it before starting any
// thread, so every thread inherits the mask.
void block_stop_signals();

// Waits until SIGINT or SIGTERM arrives; returns which one.
int wait_for_stop_signal();

// "SIGINT" or "SIGTERM".
std::string_view stop_signal_name(int signal);

}  // namespace ndes

#endif  // _WIN32
