// The audit log: every request and every step, through spdlog, to stderr and to an
// append-only file, in the exporter's logfmt or JSON lines (base/log.h). Only
// what the hook chose to log reaches it: never a header, a body, a token or a key.
#pragma once

#include <string>

namespace ndes::renew {

// Installs the default logger: stderr plus `audit_file` (created, appended to),
// flushed after every line. Throws spdlog::spdlog_ex when the file cannot be opened.
void setup_audit_logging(const std::string& level, const std::string& format,
                         const std::string& audit_file);

}  // namespace ndes::renew
