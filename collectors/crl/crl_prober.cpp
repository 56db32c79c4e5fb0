#include "crl/crl_prober.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "crl/crl_parse.h"

namespace ndes::probe {
namespace {

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

// Reads at most max_bytes + 1 bytes, so an over-large file is told apart.
std::optional<std::vector<std::uint8_t>> read_capped(const std::string& path, std::size_t max_bytes,
                                                     ProbeOutcome& out) {
  errno = 0;
  const std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
  if (!f) {
    out.fail(FailureReason::connect_failed, "cannot open " + path + ": " + std::strerror(errno));
    return std::nullopt;
  }
  std::vector<std::uint8_t> bytes;
  std::uint8_t buf[16384];
  for (;;) {
    const std::size_t n = std::fread(buf, 1, sizeof buf, f.get());
    bytes.insert(bytes.end(), buf, buf + n);
    if (bytes.size() > max_bytes) {
      out.fail(FailureReason::too_large,
               path + " is larger than max_body_bytes (" + std::to_string(max_bytes) + ")");
      return std::nullopt;
    }
    if (n < sizeof buf) {
      if (std::ferror(f.get()) != 0) {
        out.fail(FailureReason::connect_failed, "cannot read " + path);
        return std::nullopt;
      }
      return bytes;
    }
  }
}

}  // namespace

void probe_crl(const ProbeContext& context, ProbeOutcome& out) {
  std::vector<std::uint8_t> body;
  if (const auto path = crl::file_target_path(context.target)) {
    if (!context.from_config && !context.module->allow_file_targets) {
      out.fail(FailureReason::connect_failed,
               "file targets are allowed at /probe only with a module that sets "
               "allow_file_targets: true");
      return;
    }
    auto bytes = read_capped(*path, context.module->max_body_bytes, out);
    if (!bytes) {
      return;
    }
    body = std::move(*bytes);
  } else {
    HttpFetchResult answer = http_get(context.target, context.fetch_options());
    if (answer.failure) {
      out.fail(*answer.failure, context.target + ": " + answer.detail);
      return;
    }
    if (is_failure_status(answer.status)) {
      out.fail(FailureReason::http_status,
               context.target + ": HTTP " + std::to_string(answer.status));
      return;
    }
    body = std::move(answer.body);
  }
  const crl::CrlParse parsed = crl::parse_crl(body);
  if (!parsed.crl) {
    out.fail(FailureReason::bad_content, context.target + ": " + parsed.error);
    return;
  }
  const crl::CrlFacts& facts = *parsed.crl;
  const std::map<std::string, std::string> labels = {{"issuer", facts.issuer},
                                                     {"source", context.target}};
  out.add_sample("ndes_crl_this_update_timestamp_seconds", "The CRL's thisUpdate, Unix seconds.",
                 labels, static_cast<double>(facts.this_update));
  if (facts.next_update) {
    out.add_sample("ndes_crl_next_update_timestamp_seconds",
                   "The CRL's nextUpdate, Unix seconds. Past it, relying parties reject "
                   "certificates checked against this CRL.",
                   labels, static_cast<double>(*facts.next_update));
  }
  out.add_sample("ndes_crl_revoked_certificates", "Entries in the CRL.", labels,
                 static_cast<double>(facts.revoked));
}

}  // namespace ndes::probe
