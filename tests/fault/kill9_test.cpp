// kill -9 of either binary at random points, 50 runs each (seeded; the seed is
// printed). The hook: its journal always parses, and no renewal is lost or doubled
// (the command executor runs a script that records every real run). The exporter:
// restarted at once on the same port, it serves the same certificate series.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "fault_support.h"
#include "renew/journal.h"
#include "renew_support.h"
#include "support/exposition.h"
#include "support/http.h"
#include "support/pki.h"
#include "support/process.h"
#include "support/run.h"
#include "support/sanitizer.h"

namespace fs = std::filesystem;

namespace ndes::test {
namespace {

using nlohmann::json;

constexpr int kRuns = 50;
constexpr int kWebhooksPerRun = 3;

// Polls until `port` accepts connections (true) or the process is killed (false).
bool wait_until_listening(int port, const std::atomic<bool>& killed) {
  while (!killed) {
    if (wait_for_port(port, std::chrono::milliseconds(50))) {
      return true;
    }
  }
  return false;
}

TEST(Kill9Test, TheHookLosesAndDoublesNoRenewal) {
  std::mt19937 rng(fault_seed("TheHookLosesAndDoublesNoRenewal"));
  TempDir tmp("ndes-fault-kill9");
  const fs::path state = tmp / "state";
  const fs::path runs_log = tmp / "runs.log";
  const fs::path token = tmp / "hook.token";
  write_file(token, std::string(kRenewToken) + "\n");
  const auto args = recording_hook_args(write_recording_script(tmp.path(), runs_log, 30));

  std::vector<std::string> accepted;  // thumbprints of alerts answered 202
  int next_thumbprint = 0;
  int answered_202 = 0;
  int cut_off = 0;  // requests the kill cut off (no answer)
  // A kill anywhere from the hook's start (journal replay) to well into its answers.
  // Under ASan the hook starts and answers several times slower: the same points
  // of its life come later.
  std::uniform_int_distribution<int> kill_after_ms(0, 400 * kSlowdown);
  for (int run = 0; run < kRuns; ++run) {
    const int port = free_port();
    std::vector<std::string> argv = {(bin_dir() / "ndes_renew_hook").string(),
                                     "--web.listen-address=127.0.0.1:" + std::to_string(port),
                                     "--state.dir=" + state.string(),
                                     "--web.auth-token-file=" + token.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    BackgroundProcess hook(argv, tmp / ("hook-" + std::to_string(run) + ".log"));
    std::atomic<bool> killed{false};
    std::mt19937 client_rng(rng());
    // Webhooks as fast as the hook takes them: two new certificates each, and a
    // repeat delivery of one already accepted (Alertmanager's at-least-once).
    std::thread client([&] {
      if (!wait_until_listening(port, killed)) {
        return;
      }
      const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/alertmanager";
      // At most kWebhooksPerRun: the renewals they queue run one at a time, and the
      // last start below must work through all of them.
      for (int sent = 0; sent < kWebhooksPerRun && !killed; ++sent) {
        std::vector<std::map<std::string, std::string>> alerts;
        std::vector<std::string> fresh;
        for (int i = 0; i < 2; ++i) {
          fresh.push_back(numbered_thumbprint(++next_thumbprint));
          alerts.push_back(ra_labels(fresh.back()));
        }
        if (!accepted.empty()) {
          alerts.push_back(ra_labels(accepted[client_rng() % accepted.size()]));
        }
        const HttpResponse r =
            http_request("POST", url, webhook_body(alerts),
                         {{"Content-Type", "application/json"},
                          {"Authorization", std::string("Bearer ") + kRenewToken}},
                         std::chrono::seconds(10));
        if (r.status == 202) {
          ++answered_202;
          accepted.insert(accepted.end(), fresh.begin(), fresh.end());
        } else if (killed) {
          ++cut_off;  // no answer, or part of one
        } else {
          ADD_FAILURE() << "run " << run << ": webhook answered " << r.status << ": " << r.body;
        }
      }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(kill_after_ms(rng)));
    killed = true;
    const bool was_running = hook.running();
    hook.stop(SIGKILL);
    client.join();
    if (!was_running) {
      FAIL() << "run " << run << ": the hook exited by itself: " << hook.log();
    }
    // The journal parses, whatever the kill cut short.
    if (fs::exists(state / "journal.jsonl")) {
      const std::string journal = read_file(state / "journal.jsonl");
      const renew::ReplayResult replay = renew::replay_journal(journal);
      ASSERT_TRUE(replay.fatal.empty()) << "run " << run << ": " << replay.fatal;
      EXPECT_TRUE(replay.warnings.empty())
          << "run " << run << ": " << ::testing::PrintToString(replay.warnings);
    }
  }
  std::printf("%d runs: %d webhooks answered 202 (%zu certificates), %d cut off by the kill\n",
              kRuns, answered_202, accepted.size(), cut_off);
  ASSERT_GT(accepted.size(), 10U) << "too few webhooks got through to test anything";

  // A last start, left alone: whatever was queued runs, nothing runs twice.
  HookProcess hook(state, args);
  ASSERT_TRUE(hook.wait_for(
      [](const json& rs) {
        for (const auto& r : rs) {
          if (r["status"] == "planned" || r["status"] == "running") {
            return false;
          }
        }
        return true;
      },
      std::chrono::seconds(60)))
      << hook.renewals().dump(1);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // orphaned steps finish
  const json renewals = hook.renewals();
  const RecordedRuns runs = read_recorded_runs(runs_log);

  std::map<std::string, std::vector<json>> by_thumbprint;
  int succeeded = 0;
  int interrupted = 0;
  for (const auto& r : renewals) {
    by_thumbprint[r["thumbprint"].get<std::string>()].push_back(r);
  }
  for (const auto& t : accepted) {
    EXPECT_EQ(by_thumbprint.count(t), 1U) << "accepted, then lost: " << t;
  }
  for (const auto& [thumbprint, records] : by_thumbprint) {
    ASSERT_EQ(records.size(), 1U) << "two renewals of " << thumbprint << ": "
                                  << json(records).dump(1);
    const json& r = records[0];
    const std::string id = r["id"].get<std::string>();
    const auto starts = runs.starts_by_id.count(id) != 0 ? runs.starts_by_id.at(id) : 0;
    if (r["status"] == "succeeded") {
      ++succeeded;
      EXPECT_EQ(starts, 1) << id << " succeeded; real runs: " << starts;
    } else {
      ++interrupted;
      EXPECT_EQ(r["status"], "interrupted") << r.dump(1);
      EXPECT_LE(starts, 1) << id << " was interrupted and yet ran " << starts << " times";
    }
  }
  for (const auto& [thumbprint, n] : runs.starts_by_thumbprint) {
    EXPECT_EQ(n, 1) << thumbprint << " was renewed " << n << " times";
  }
  std::printf("%zu renewals: %d succeeded, %d interrupted by a kill (left for an admin)\n",
              renewals.size(), succeeded, interrupted);
  EXPECT_EQ(hook.stop() & 0x7f, 0);
}

// The certificate series of a scrape: name and labels of every ndes_certificate_*
// sample, with its value.
std::set<std::string> certificate_series(const std::string& body) {
  std::set<std::string> out;
  for (const auto& s : parse_exposition(body)) {
    if (s.name.rfind("ndes_certificate", 0) != 0) {
      continue;
    }
    std::string key = s.name + "{";
    for (const auto& [k, v] : s.labels) {
      key += k + "=\"" + v + "\",";
    }
    out.insert(key + "} " + std::to_string(s.value));
  }
  return out;
}

TEST(Kill9Test, TheExporterRestartsCleanOnTheSamePort) {
  std::mt19937 rng(fault_seed("TheExporterRestartsCleanOnTheSamePort"));
  TempDir tmp("ndes-fault-kill9");
  TestPki pki(tmp / "pki");
  const fs::path store = tmp / "store";
  fs::create_directories(store);
  const std::int64_t now = now_seconds();
  fs::copy_file(pki.issue("cep", "cep", now - kDay, now + 9 * kDay, "/CN=NDES01-MSCEP-RA"),
                store / "cep.pem");
  write_der(pki.issue("eea", "eea", now - kDay, now + 20 * kDay, "/CN=NDES01-MSCEP-RA"),
            store / "eea.cer");
  const fs::path ssl = pki.issue("ssl", "ssl", now - kDay, now + 45 * kDay, "/CN=ndes01");
  write_p7b({ssl, pki.ca_pem()}, store / "chain.p7b", false);
  write_pfx(ssl, pki.dir() / "ssl.key", store / "ssl.pfx", "");
  write_file(store / "bad.pem", "-----BEGIN CERTIFICATE-----\nnot base64\n");

  const int port = free_port();
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/metrics";
  const std::vector<std::string> argv = {(bin_dir() / "ndes_exporter").string(),
                                         "--collector.files.path=" + store.string(),
                                         "--web.listen-address=127.0.0.1:" + std::to_string(port)};
  std::set<std::string> expected;
  {
    BackgroundProcess exporter(argv, tmp / "exporter-first.log");
    ASSERT_TRUE(wait_for_port(port)) << exporter.log();
    const HttpResponse r = http_get(url);
    ASSERT_EQ(r.status, 200) << r.error;
    expected = certificate_series(r.body);
    exporter.stop(SIGKILL);
  }
  ASSERT_GE(expected.size(), 10U);  // 5 certificates (the CA twice) and the bad file

  std::uniform_int_distribution<int> kill_after_ms(0, 300);
  int compared = 0;
  for (int run = 0; run < kRuns; ++run) {
    // At once, on the same port, while scrapes of the killed one may linger.
    BackgroundProcess exporter(argv, tmp / ("exporter-" + std::to_string(run) + ".log"));
    std::atomic<bool> killed{false};
    std::thread scraper([&] {
      if (!wait_until_listening(port, killed)) {
        return;
      }
      while (!killed) {
        const HttpResponse r = http_get(url, std::chrono::seconds(10));
        if (killed) {
          // Cut off by the kill: no answer, or part of one (even a bare "200 OK" line,
          // which a client cannot tell from a whole answer without a body).
          break;
        }
        ASSERT_EQ(r.status, 200) << "run " << run << ": " << r.error;
        EXPECT_EQ(certificate_series(r.body), expected) << "run " << run;
        ++compared;
      }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(kill_after_ms(rng)));
    killed = true;
    const bool was_running = exporter.running();
    exporter.stop(SIGKILL);
    scraper.join();
    ASSERT_TRUE(was_running) << "run " << run
                             << ": the exporter exited by itself: " << exporter.log();
  }
  BackgroundProcess exporter(argv, tmp / "exporter-last.log");
  ASSERT_TRUE(wait_for_port(port)) << exporter.log();
  const HttpResponse r = http_get(url);
  ASSERT_EQ(r.status, 200) << r.error << exporter.log();
  EXPECT_EQ(certificate_series(r.body), expected);
  std::printf("%d kills; %d scrapes between them matched the first one\n", kRuns, compared);
  EXPECT_EQ(exporter.stop(SIGTERM) & 0x7f, 0) << exporter.log();
}

}  // namespace
}  // namespace ndes::test
