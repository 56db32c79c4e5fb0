// Shared by the fault tests: the seed of a random run, and a hook's argv for the
// command executor with a script that records every real run of a renewal.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace ndes::test {

// NDES_FAULT_SEED if set, else a fresh one; printed so a failing run can be repeated.
std::uint32_t fault_seed(const char* test_name);

// /bin/sh record-run.sh {id} {thumbprint}: appends "start <id> <thumbprint>" and, after
// `step_ms`, "end <id> <thumbprint>" to `runs_log` (one write each, so lines never mix).
// Returns the script's path.
std::filesystem::path write_recording_script(const std::filesystem::path& dir,
                                             const std::filesystem::path& runs_log, int step_ms);

// The hook's flags: execute mode, the command executor running the script, and
// --verify.files.path naming the certificates numbered_thumbprint() hands out.
std::vector<std::string> recording_hook_args(const std::filesystem::path& script);

struct RecordedRuns {
  std::map<std::string, int> starts_by_thumbprint;
  std::map<std::string, int> starts_by_id;
  std::map<std::string, int> ends_by_id;
};
RecordedRuns read_recorded_runs(const std::filesystem::path& runs_log);

// The thumbprint of the n-th (from 1) of the CEPEncryption certificates the hook verifies
// against: a distinct certificate it may renew for each n up to kNumberedCertificates.
inline constexpr int kNumberedCertificates = 500;
std::string numbered_thumbprint(int n);

}  // namespace ndes::test
