// A real Alertmanager (0.25) delivers an RA expiry alert to the hook through its
// webhook receiver, with the bearer token from http_config.authorization.credentials_file;
// the hook records the dry-run plan.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ctime>
#include <thread>

#include "renew_support.h"
#include "support/run.h"

namespace ndes::test {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

std::string rfc3339(std::time_t t) {
  char buf[32];
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

TEST(RenewAlertmanagerTest, AFiringRaAlertReachesTheHookAndIsPlanned) {
  TempDir tmp;
  HookProcess hook(tmp / "state", {"--instance=ndes01", "--ca.config=ca01.corp.example\\Corp CA"});

  const int am_port = free_port();
  const auto config = tmp / "alertmanager.yml";
  write_file(config,
             "route:\n"
             "  receiver: ndes-renew-hook\n"
             "  group_by: [instance, template]\n"
             "  group_wait: 1s\n"
             "  group_interval: 1s\n"
             "  repeat_interval: 1h\n"
             "receivers:\n"
             "  - name: ndes-renew-hook\n"
             "    webhook_configs:\n"
             "      - url: " +
                 hook.url("/alertmanager") +
                 "\n"
                 "        send_resolved: true\n"
                 "        max_alerts: 0\n"
                 "        http_config:\n"
                 "          authorization:\n"
                 "            type: Bearer\n"
                 "            credentials_file: " +
                 (tmp / "hook.token").string() + "\n");
  const RunResult check = run_command({"amtool", "check-config", config.string()});
  ASSERT_EQ(check.exit_code, 0) << check.out << check.err;
  std::filesystem::create_directories(tmp / "am-data");
  BackgroundProcess am(
      {"prometheus-alertmanager", "--config.file=" + config.string(),
       "--storage.path=" + (tmp / "am-data").string(),
       "--web.listen-address=127.0.0.1:" + std::to_string(am_port), "--cluster.listen-address="},
      tmp / "alertmanager.log");
  ASSERT_TRUE(wait_for_port(am_port)) << am.log();
  const std::string am_url = "http://127.0.0.1:" + std::to_string(am_port);

  // What Prometheus would send for the ndes.rules.yml expiry alert, plus one alert
  // for another server that the hook must only record.
  const std::time_t now = std::time(nullptr);
  json alerts = json::array();
  auto labels = ra_labels();
  labels["path"] = "";
  alerts.push_back({{"labels", labels},
                    {"annotations", {{"summary", "cep_encryption certificate expires"}}},
                    {"startsAt", rfc3339(now - 60)},
                    {"endsAt", rfc3339(now + 3600)},
                    {"generatorURL", "http://prometheus:9090/graph"}});
  alerts.push_back({{"labels", ra_labels(std::string(40, 'B'), "ndes02:10227")},
                    {"startsAt", rfc3339(now - 60)},
                    {"endsAt", rfc3339(now + 3600)}});
  HttpResponse posted;
  for (int i = 0; i < 50; ++i) {  // the API answers a moment after the port opens
    posted = http_request("POST", am_url + "/api/v2/alerts", alerts.dump(),
                          {{"Content-Type", "application/json"}});
    if (posted.status == 200) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(posted.status, 200) << posted.body << posted.error << am.log();

  ASSERT_TRUE(hook.wait_for([](const json& r) {
    int planned = 0;
    int skipped = 0;
    for (const auto& rec : r) {
      planned += rec["status"] == "planned" ? 1 : 0;
      skipped += rec["status"] == "skipped" ? 1 : 0;
    }
    return planned == 1 && skipped == 1;
  })) << hook.renewals().dump(2)
      << "\n"
      << am.log() << "\n"
      << hook.log();

  json planned;
  for (const auto& rec : hook.renewals()) {
    if (rec["status"] == "planned") {
      planned = rec;
    } else {
      EXPECT_THAT(rec["reason"].get<std::string>(), HasSubstr("not this host"));
    }
  }
  EXPECT_EQ(planned["thumbprint"], renew_thumbprint());
  EXPECT_EQ(planned["template"], "CEPEncryption");
  EXPECT_EQ(planned["labels"]["collector"], "certstore");
  EXPECT_EQ(planned["fingerprint"].get<std::string>().size(), 16U);  // Alertmanager's own
  EXPECT_THAT(planned["inf"].get<std::string>(),
              HasSubstr("RenewalCert=\"" + renew_thumbprint() + "\""));
  EXPECT_THAT(planned["steps"][2]["command_line"].get<std::string>(),
              HasSubstr("-submit -config \"ca01.corp.example\\Corp CA\""));

  // Alertmanager's notifications were authenticated and accepted.
  const std::string metrics = http_get(hook.url("/metrics")).body;
  EXPECT_THAT(metrics,
              ::testing::ContainsRegex("ndes_renew_webhooks_total\\{result=\"accepted\"\\} [1-9]"));
  EXPECT_THAT(metrics, HasSubstr("ndes_renew_webhooks_total{result=\"unauthorized\"} 0"));
}

}  // namespace
}  // namespace ndes::test
