// The probe sections of the YAML file (modules, targets, crl, probes) -> ProbeConfig,
// their one-line errors, and the collectors they switch on.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <utility>

#include "exporter/config.h"
#include "probe/probe_config_yaml.h"
#include "support/pki.h"
#include "support/run.h"

namespace ndes {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

ParseOutcome parse_yaml(const std::string& yaml) {
  static test::TempDir dir("ndes-probe-config");
  static int n = 0;
  const auto path = dir / ("c" + std::to_string(++n) + ".yml");
  test::write_file(path, yaml);
  const std::string flag = "--config.file=" + path.string();
  const char* argv[] = {"ndes_exporter", flag.c_str()};
  return parse_command_line(2, argv);
}

ExporterConfig ok(const std::string& yaml) {
  const ParseOutcome out = parse_yaml(yaml);
  EXPECT_TRUE(out.should_run()) << out.message;
  return out.config.value_or(ExporterConfig{});
}

std::string error(const std::string& yaml) {
  const ParseOutcome out = parse_yaml(yaml);
  EXPECT_FALSE(out.should_run());
  EXPECT_EQ(out.exit_code, 2);
  EXPECT_EQ(out.message.find('\n'), std::string::npos) << out.message;
  return out.message;
}

TEST(ProbeConfigYaml, TheIssueExampleReads) {
  const ExporterConfig c = ok(R"(
modules:
  ndes_scep:
    prober: scep
    timeout: 5s
    tls: {ca_file: /etc/ca.pem, cert_file: /etc/c.pem, key_file: /etc/k.pem, server_name: ndes01.corp.example, insecure_skip_verify: false}
    proxy_url: http://proxy:3128
    headers: {X-Foo: bar}
    max_body_bytes: 1048576
  crl_local:
    prober: crl
    timeout: 1500ms
    max_body_bytes: 4MiB
    allow_file_targets: true
targets:
  scep: [ {target: https://ndes01/certsrv/mscep/mscep.dll, module: ndes_scep}, https://ndes02/certsrv/mscep/mscep.dll ]
  tls: [ ndes01.corp.example:443 ]
  crl: [ http://pki.corp.example/crl/corp-ca.crl, {target: /var/crl/ca.crl, module: crl_local} ]
crl:
  follow_cdp: true
probes:
  max_concurrency: 4
)");
  const auto& p = c.probes;
  ASSERT_EQ(p.modules.size(), 2U);
  const ProbeModule& m = p.modules.at("ndes_scep");
  EXPECT_EQ(m.prober, ProberKind::scep);
  EXPECT_EQ(m.timeout, 5s);
  EXPECT_EQ(m.tls.ca_file, "/etc/ca.pem");
  EXPECT_EQ(m.tls.cert_file, "/etc/c.pem");
  EXPECT_EQ(m.tls.key_file, "/etc/k.pem");
  EXPECT_EQ(m.tls.server_name, "ndes01.corp.example");
  EXPECT_FALSE(m.tls.insecure_skip_verify);
  EXPECT_EQ(m.proxy_url, "http://proxy:3128");
  EXPECT_EQ(m.headers.at("X-Foo"), "bar");
  EXPECT_EQ(m.max_body_bytes, 1048576U);
  EXPECT_EQ(p.modules.at("crl_local").timeout, 1500ms);
  EXPECT_EQ(p.modules.at("crl_local").max_body_bytes, 4U * 1024 * 1024);
  EXPECT_TRUE(p.modules.at("crl_local").allow_file_targets);
  ASSERT_EQ(p.scep_targets.size(), 2U);
  EXPECT_EQ(p.scep_targets[0].module, "ndes_scep");
  EXPECT_EQ(p.scep_targets[1].target, "https://ndes02/certsrv/mscep/mscep.dll");
  EXPECT_EQ(p.scep_targets[1].module, "");
  EXPECT_EQ(p.tls_targets.at(0).target, "ndes01.corp.example:443");
  EXPECT_EQ(p.crl_targets.at(1).module, "crl_local");
  EXPECT_TRUE(p.crl_follow_cdp);
  EXPECT_EQ(p.max_concurrency, 4U);
  EXPECT_THAT(c.collectors_enabled, ElementsAre("files", "scep", "tls", "crl"));
}

TEST(ProbeConfigYaml, DefaultsWithoutSections) {
  const ExporterConfig c = ok("log:\n  level: info\n");
  EXPECT_TRUE(c.probes.modules.empty());
  EXPECT_EQ(c.probes.max_concurrency, 16U);
  EXPECT_FALSE(c.probes.crl_follow_cdp);
  EXPECT_THAT(c.collectors_enabled, ElementsAre("files"));
}

TEST(ProbeConfigYaml, FollowCdpAloneEnablesTheCrlCollector) {
  EXPECT_THAT(ok("crl: {follow_cdp: true}\n").collectors_enabled, ElementsAre("files", "crl"));
}

TEST(ProbeConfigYaml, MistakesAreOneLineErrors) {
  // Each case: a config and what its error names (the config names a failure).
  const std::pair<const char*, const char*> cases[] = {
      {"modules:\n  m: {timeout: 5s}\n", "modules.m: has no prober"},
      {"modules:\n  m: {prober: http}\n", "is not a prober"},
      {"modules:\n  m: {prober: scep, timeout: soon}\n", "modules.m.timeout"},
      {"modules:\n  m: {prober: scep, colour: red}\n", "key modules.m.colour is not known"},
      {"modules:\n  m: {prober: tls, tls: {ca: x}}\n", "key modules.m.tls.ca is not known"},
      {"modules:\n  m: {prober: tls, tls: {insecure_skip_verify: maybe}}\n", "true or false"},
      {"modules:\n  m: {prober: scep, headers: {\"Bad Name\": x}}\n", "is not a header name"},
      {"modules:\n  m: {prober: scep, max_body_bytes: lots}\n", "max_body_bytes"},
      {"modules:\n  m: {prober: scep, proxy_url: proxy}\n", "proxy_url"},
      {"targets:\n  http: [x]\n", "key targets.http is not known"},
      {"targets:\n  scep: [ {module: scep} ]\n", "has no target"},
      {"targets:\n  scep: [ {target: x, module: nope} ]\n",
       "module \"nope\" of target x is not defined"},
      {"modules:\n  t: {prober: tls}\ntargets:\n  scep: [ {target: x, module: t} ]\n",
       "is not a scep module"},
      {"targets:\n  tls: [ {target: x, module: crl} ]\n", "is not a tls module"},
      {"probes: {max_concurrency: 0}\n", "probes.max_concurrency"},
      {"crl: {follow: true}\n", "key crl.follow is not known"},
  };
  for (const auto& [yaml, names] : cases) {
    EXPECT_THAT(error(yaml), HasSubstr(names)) << yaml;
  }
}

TEST(ProbeConfigYaml, Durations) {
  const std::pair<const char*, std::chrono::milliseconds> good[] = {
      {"5s", 5s}, {"1.5s", 1500ms}, {"500ms", 500ms}, {"2m", 120s}, {"10", 10s}};
  for (const auto& [text, want] : good) {
    EXPECT_EQ(parse_duration(text), want) << text;
  }
  for (const char* bad : {"", "0s", "-1s", "5h", "s", "2d"}) {
    EXPECT_FALSE(parse_duration(bad)) << bad;
  }
}

// The first ```yaml block after `marker` in docs/probes.md.
std::string doc_block(const std::string& marker) {
  const std::string doc = test::read_file(test::source_dir() / "docs" / "probes.md");
  const auto at = doc.find(marker);
  EXPECT_NE(at, std::string::npos) << marker;
  const auto start = doc.find("```yaml\n", at) + 8;
  return doc.substr(start, doc.find("```", start) - start);
}

TEST(ProbeDocs, ThePrometheusScrapeConfigIsValid) {
  test::TempDir dir("ndes-probe-docs");
  test::write_file(dir / "prometheus.yml", doc_block("<!-- prometheus.yml"));
  const auto r = test::run_command(
      {"promtool", "check", "config", "--syntax-only", (dir / "prometheus.yml").string()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST(ProbeDocs, TheModuleExampleReads) {
  const ExporterConfig c = ok(doc_block("<!-- ndes_exporter.yml"));
  EXPECT_EQ(c.probes.modules.size(), 3U);
  EXPECT_EQ(c.probes.modules.at("ndes_scep").tls.server_name, "ndes01.corp.example");
}

TEST(ProbeDocs, TheStaticTargetExampleReads) {
  const std::string doc = test::read_file(test::source_dir() / "docs" / "probes.md");
  const auto at = doc.find("## Static targets");
  ASSERT_NE(at, std::string::npos);
  const auto start = doc.find("```yaml\n", at) + 8;
  const std::string targets = doc.substr(start, doc.find("```", start) - start);
  const ExporterConfig c = ok(doc_block("<!-- ndes_exporter.yml") + targets);
  EXPECT_EQ(c.probes.scep_targets.size(), 2U);
  EXPECT_TRUE(c.probes.crl_follow_cdp);
}

}  // namespace
}  // namespace ndes
