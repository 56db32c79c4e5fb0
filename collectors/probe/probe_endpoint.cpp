#include "probe/probe_endpoint.h"

#include <algorithm>
#include <chrono>

#include "ndes/metrics/families.h"
#include "probe/modules.h"
#include "probe/probe.h"
#include "probe/timeout.h"

namespace ndes::probe {

std::string render_probe_result(const CollectorResult& result, std::int64_t now) {
  auto families = to_families(std::span<const CollectorResult>(&result, 1), now);
  std::erase_if(families, [](const prometheus::MetricFamily& f) {
    return f.name == "ndes_collector_success" || f.name == "ndes_collector_duration_seconds";
  });
  return serialize(families);
}

ProbeAnswer handle_probe(const ProberTable& probers, const ProbeConfig& config,
                         const TemplateNames& template_names,
                         const std::optional<std::string>& module,
                         const std::optional<std::string>& target,
                         std::string_view scrape_timeout_header) {
  ProbeAnswer answer;
  answer.content_type = "text/plain; charset=utf-8";
  if (!target || target->empty()) {
    answer.status = 400;
    answer.body =
        "Target parameter is missing\n"
        "Usage: /probe?module=scep|tls|crl|<module from the config>&target=<target>\n";
    return answer;
  }
  if (!module || module->empty()) {
    answer.status = 400;
    answer.body = "Module parameter is missing (built-in modules: scep, tls, crl)\n";
    return answer;
  }
  const ProbeModule* found = find_module(config, *module);
  if (found == nullptr) {
    answer.status = 400;
    // Only the module name goes back; it is the caller's own text, made printable.
    std::string name = module->substr(0, 100);
    std::replace_if(
        name.begin(), name.end(),
        [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }, '?');
    answer.body = "Unknown module \"" + name + "\"\n";
    return answer;
  }
  ProbeContext context;
  context.module_name = *module;
  context.module = found;
  context.target = *target;
  context.deadline =
      std::chrono::steady_clock::now() + probe_timeout(found->timeout, scrape_timeout_header);
  context.template_names = &template_names;
  const CollectorResult result = run_probe(probers, context);
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  answer.content_type = "text/plain; version=0.0.4; charset=utf-8";
  answer.body = render_probe_result(result, now);
  return answer;
}

}  // namespace ndes::probe
