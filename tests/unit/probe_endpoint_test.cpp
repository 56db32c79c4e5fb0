// The /probe request handling, the rendering of one probe's result, module lookup,
// and the static-target collector's plumbing (labels, CDP hook, concurrency bound).
#include "probe/probe_endpoint.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "exporter/prober_table.h"
#include "ndes/metrics/families.h"
#include "probe/cdp_hook.h"
#include "probe/modules.h"
#include "probe/probe.h"
#include "probe/probe_config.h"
#include "probe/static_collector.h"
#include "support/exposition.h"
#include "support/process.h"

namespace ndes::probe {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(ProbeModules, BuiltinsExistWithoutConfig) {
  const ProbeConfig config;
  ASSERT_NE(find_module(config, "scep"), nullptr);
  EXPECT_EQ(find_module(config, "scep")->prober, ProberKind::scep);
  EXPECT_EQ(find_module(config, "tls")->prober, ProberKind::tls);
  EXPECT_EQ(find_module(config, "crl")->prober, ProberKind::crl);
  EXPECT_EQ(find_module(config, "crl")->max_body_bytes, 1024U * 1024U);
  EXPECT_EQ(find_module(config, "http_2xx"), nullptr);
}

TEST(ProbeModules, UserModulesWinOverBuiltins) {
  ProbeConfig config;
  ProbeModule m;
  m.prober = ProberKind::tls;
  m.timeout = std::chrono::seconds(3);
  config.modules["scep"] = m;
  config.modules["ndes_tls"] = m;
  EXPECT_EQ(find_module(config, "scep")->prober, ProberKind::tls);
  EXPECT_EQ(find_module(config, "ndes_tls")->timeout, std::chrono::seconds(3));
  EXPECT_EQ(parse_prober_kind("crl"), ProberKind::crl);
  EXPECT_FALSE(parse_prober_kind("http"));
}

TEST(ProbeEndpoint, MissingTargetOrUnknownModuleIs400) {
  const ProbeConfig config;
  const TemplateNames names;
  auto a = handle_probe(prober_table(), config, names, std::string("scep"), std::nullopt, "");
  EXPECT_EQ(a.status, 400);
  EXPECT_THAT(a.body, HasSubstr("Target parameter is missing"));
  a = handle_probe(prober_table(), config, names, std::nullopt, std::string("http://x/"), "");
  EXPECT_EQ(a.status, 400);
  a = handle_probe(prober_table(), config, names, std::string("nope\n"), std::string("http://x/"),
                   "");
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(a.body, "Unknown module \"nope?\"\n");
}

TEST(ProbeEndpoint, AClosedPortIsConnectFailedWithTheProbeSeries) {
  const ProbeConfig config;
  const TemplateNames names;
  const int port = test::free_port();  // nothing listens there
  const auto start = std::chrono::steady_clock::now();
  const auto a = handle_probe(prober_table(), config, names, std::string("scep"),
                              "http://127.0.0.1:" + std::to_string(port) + "/scep", "3");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(4));
  EXPECT_EQ(a.status, 200);
  EXPECT_THAT(a.content_type, HasSubstr("version=0.0.4"));
  const auto samples = test::parse_exposition(a.body);
  EXPECT_EQ(test::value_of(samples, "probe_success"), 0);
  EXPECT_EQ(test::value_of(samples, "ndes_probe_failure_info", {{"reason", "connect_failed"}}), 1);
  EXPECT_TRUE(test::value_of(samples, "probe_duration_seconds"));
  EXPECT_EQ(test::select(samples, "ndes_probe_failure_info").size(), 1U);
  EXPECT_THAT(a.body, Not(HasSubstr("ndes_collector_success")));
}

TEST(ProbeEndpoint, FileTargetsNeedTheModuleToAllowThem) {
  const ProbeConfig config;
  const TemplateNames names;
  const auto a = handle_probe(prober_table(), config, names, std::string("crl"),
                              std::string("/etc/hostname"), "");
  const auto samples = test::parse_exposition(a.body);
  EXPECT_EQ(test::value_of(samples, "probe_success"), 0);
  EXPECT_EQ(test::value_of(samples, "ndes_probe_failure_info", {{"reason", "connect_failed"}}), 1);
}

TEST(ProbeRender, CertificatesAndSamplesWithoutCollectorFamilies) {
  CollectorResult r;
  r.collector = "scep";
  r.success = true;
  CertificateRecord c;
  c.origin = Origin{"scep", "http://ndes/x", ""};
  c.cert.thumbprint = "AB";
  c.cert.not_before = 100;
  c.cert.not_after = 2000;
  c.role = Role::cep_encryption;
  r.certificates.push_back(c);
  r.samples.push_back(Sample{"probe_success", "h", SampleType::gauge, {}, 1});
  const auto text = render_probe_result(r, 1000);
  const auto samples = test::parse_exposition(text);
  EXPECT_EQ(test::value_of(samples, "probe_success"), 1);
  EXPECT_EQ(test::value_of(samples, "ndes_certificate_not_after_timestamp_seconds",
                           {{"collector", "scep"}, {"role", "cep_encryption"}}),
            2000);
  EXPECT_EQ(test::value_of(samples, "ndes_certificates_valid",
                           {{"collector", "scep"}, {"role", "cep_encryption"}}),
            1);
  EXPECT_THAT(text, Not(HasSubstr("ndes_collector_")));
}

TEST(ProbeStatic, LabelsAddCollectorAndTarget) {
  CollectorResult r;
  r.samples.push_back(Sample{"probe_success", "h", SampleType::gauge, {}, 1});
  r.samples.push_back(
      Sample{"ndes_crl_revoked_certificates", "h", SampleType::gauge, {{"issuer", "CA"}}, 3});
  add_static_labels(r, "crl", "http://pki/x.crl");
  EXPECT_EQ(r.samples[0].labels.at("collector"), "crl");
  EXPECT_EQ(r.samples[0].labels.at("target"), "http://pki/x.crl");
  EXPECT_EQ(r.samples[1].labels.at("issuer"), "CA");
  EXPECT_EQ(r.samples[1].labels.at("target"), "http://pki/x.crl");
}

TEST(ProbeStatic, CdpUrlsAreDistinctHttpOnesOfOtherCollectors) {
  std::vector<CollectorResult> results(2);
  results[0].collector = "files";
  CertificateRecord a;
  a.cert.crl_distribution_points = {"http://pki/a.crl", "ldap:///CN=x", "http://pki/b.crl"};
  CertificateRecord b;
  b.cert.crl_distribution_points = {"http://pki/a.crl", "https://pki/c.crl"};
  results[0].certificates = {a, b};
  results[1].collector = "crl";
  CertificateRecord own;
  own.cert.crl_distribution_points = {"http://pki/own.crl"};
  results[1].certificates = {own};
  EXPECT_EQ(cdp_urls(results), (std::vector<std::string>{"http://pki/a.crl", "http://pki/b.crl",
                                                         "https://pki/c.crl"}));
}

TEST(ProbeStatic, CrlCollectorAddsCdpUrlsWhenAskedTo) {
  ProbeConfig probes;
  probes.crl_targets = {{"http://pki/a.crl", ""}};
  probes.crl_follow_cdp = true;
  StaticProbeCollector crl(ProberKind::crl, prober_table(), probes, {});
  EXPECT_EQ(crl.name(), "crl");
  EXPECT_EQ(crl.targets().size(), 1U);  // no source yet
  crl.set_cdp_url_source([] {
    return std::vector<std::string>{"http://pki/a.crl", "http://pki/b.crl"};
  });
  const auto targets = crl.targets();
  ASSERT_EQ(targets.size(), 2U);
  EXPECT_EQ(targets[1].target, "http://pki/b.crl");

  probes.crl_follow_cdp = false;
  StaticProbeCollector plain(ProberKind::crl, prober_table(), probes, {});
  plain.set_cdp_url_source([] { return std::vector<std::string>{"http://pki/b.crl"}; });
  EXPECT_EQ(plain.targets().size(), 1U);
}

TEST(ProbeStatic, EveryTargetGetsItsOwnLabelledResult) {
  ProbeConfig probes;
  const int p1 = test::free_port();
  const int p2 = test::free_port();
  probes.tls_targets = {{"127.0.0.1:" + std::to_string(p1), ""},
                        {"127.0.0.1:" + std::to_string(p2), ""}};
  StaticProbeCollector tls(ProberKind::tls, prober_table(), probes, {});
  const CollectorResult r = tls.collect();
  EXPECT_EQ(r.collector, "tls");
  EXPECT_TRUE(r.success);
  const auto text = serialize(to_families(std::span<const CollectorResult>(&r, 1), 0));
  const auto samples = test::parse_exposition(text);
  for (const auto& t : probes.tls_targets) {
    EXPECT_EQ(
        test::value_of(samples, "probe_success", {{"collector", "tls"}, {"target", t.target}}), 0);
    EXPECT_EQ(
        test::value_of(samples, "ndes_probe_failure_info",
                       {{"collector", "tls"}, {"target", t.target}, {"reason", "connect_failed"}}),
        1);
  }
}

TEST(ProbeLimiterTest, NeverMoreThanTheCapacityAtOnce) {
  ProbeLimiter limiter(3);
  std::atomic<int> running{0};
  std::atomic<int> peak{0};
  std::vector<std::jthread> threads;
  threads.reserve(12);
  for (int i = 0; i < 12; ++i) {
    threads.emplace_back([&] {
      limiter.acquire();
      const int now = ++running;
      int seen = peak.load();
      while (now > seen && !peak.compare_exchange_weak(seen, now)) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      --running;
      limiter.release();
    });
  }
  threads.clear();  // joins
  EXPECT_LE(peak.load(), 3);
  EXPECT_GE(peak.load(), 2);
  EXPECT_EQ(limiter.in_use(), 0U);
}

}  // namespace
}  // namespace ndes::probe
