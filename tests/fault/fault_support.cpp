#include "fault_support.h"

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

#include "support/ra_bundle.h"
#include "support/run.h"

namespace ndes::test {
namespace {

struct NumberedCertificates {
  TempDir dir{"ndes-fault-certs"};
  std::vector<std::string> thumbprints =
      write_ra_bundle(dir.path(), kNumberedCertificates, std::time(nullptr) + 20 * 86400);
};

const NumberedCertificates& numbered_certificates() {
  static const NumberedCertificates certs;
  return certs;
}

}  // namespace

std::uint32_t fault_seed(const char* test_name) {
  std::uint32_t seed = 0;
  if (const char* env = std::getenv("NDES_FAULT_SEED"); env != nullptr && *env != '\0') {
    seed = static_cast<std::uint32_t>(std::strtoul(env, nullptr, 10));
  } else {
    seed = std::random_device{}();
  }
  std::printf("%s: seed %u (NDES_FAULT_SEED=%u repeats this run)\n", test_name, seed, seed);
  std::fflush(stdout);
  return seed;
}

std::filesystem::path write_recording_script(const std::filesystem::path& dir,
                                             const std::filesystem::path& runs_log, int step_ms) {
  const auto script = dir / "record-run.sh";
  char sleep_arg[32];
  std::snprintf(sleep_arg, sizeof sleep_arg, "%d.%03d", step_ms / 1000, step_ms % 1000);
  // The arguments are data (the hook validated them); printf never reads them as a
  // format. Each line is one write to an O_APPEND file, so lines never interleave.
  write_file(script,
             "#!/bin/sh\n"
             "printf 'start %s %s\\n' \"$1\" \"$2\" >> '" +
                 runs_log.string() +
                 "'\n"
                 "sleep " +
                 sleep_arg +
                 "\n"
                 "printf 'end %s %s\\n' \"$1\" \"$2\" >> '" +
                 runs_log.string() + "'\n");
  return script;
}

std::vector<std::string> recording_hook_args(const std::filesystem::path& script) {
  return {"--instance=ndes01",
          "--mode=execute",
          "--executor=command",
          "--command.timeout=60s",
          "--command.argv=/bin/sh",
          "--command.argv=" + script.string(),
          "--command.argv={id}",
          "--command.argv={thumbprint}",
          "--verify.files.path=" + numbered_certificates().dir.path().string()};
}

RecordedRuns read_recorded_runs(const std::filesystem::path& runs_log) {
  RecordedRuns out;
  std::ifstream in(runs_log);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string what;
    std::string id;
    std::string thumbprint;
    words >> what >> id >> thumbprint;
    if (what == "start") {
      ++out.starts_by_thumbprint[thumbprint];
      ++out.starts_by_id[id];
    } else if (what == "end") {
      ++out.ends_by_id[id];
    }
  }
  return out;
}

std::string numbered_thumbprint(int n) {
  const auto& all = numbered_certificates().thumbprints;
  if (n < 1 || n > static_cast<int>(all.size())) {
    throw std::out_of_range("numbered_thumbprint(" + std::to_string(n) + "): only " +
                            std::to_string(all.size()) + " certificates");
  }
  return all[static_cast<std::size_t>(n - 1)];
}

}  // namespace ndes::test
