#include "support/run.h"

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "base/process.h"

namespace ndes::test {

// The process runner of the renew hook (base/process.h), asked to behave as a shell
// would for a test: PATH lookup, our environment, stdin fed, all output kept, the
// program alone in our process group, and done when the program exits.
RunResult run_command(const std::vector<std::string>& argv, std::chrono::seconds timeout,
                      const std::string& stdin_data) {
  RunResult result;
  if (argv.empty()) {
    result.exit_code = 127;
    result.err = "run_command: empty argv";
    return result;
  }
  ProcessSpec spec;
  spec.argv = argv;
  spec.timeout = timeout;
  spec.output_limit = std::numeric_limits<std::size_t>::max();
  spec.input = stdin_data;
  spec.search_path = true;
  spec.inherit_environment = true;
  spec.own_process_group = false;
  spec.stop_at_exit = true;
  ProcessResult r = run_process(spec);
  result.out = std::move(r.out);
  result.err = std::move(r.err);
  result.timed_out = r.timed_out;
  if (!r.started) {
    result.exit_code = 127;
    result.err = r.error;
  } else {
    result.exit_code = r.timed_out ? -1 : r.exit_code;
  }
  return result;
}

TempDir::TempDir(std::string_view prefix) {
  const char* env = std::getenv("TMPDIR");
  const std::filesystem::path base = (env != nullptr && *env != '\0') ? env : "/tmp";
  std::string templ = (base / (std::string(prefix) + "-XXXXXX")).string();
  if (::mkdtemp(templ.data()) == nullptr) {
    throw std::system_error(errno, std::generic_category(), "mkdtemp " + templ);
  }
  path_ = templ;
}

}  // namespace ndes::test
