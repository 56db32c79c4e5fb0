// Certificate files replaced (rename over, rewritten in place with content of the same
// size) and deleted while the exporter's scans run, scraped all along: no failed
// scrape, no crash, and after the last change the next scan shows exactly what is on
// disk (no stale series, no leftover read errors).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <map>
#include <optional>
#include <random>
#include <thread>

#include "fault_support.h"
#include "support/exposition.h"
#include "support/http.h"
#include "support/pki.h"
#include "support/process.h"
#include "support/run.h"

namespace fs = std::filesystem;

namespace ndes::test {
namespace {

constexpr int kFiles = 400;
constexpr int kMaxChanges = 4000;
constexpr auto kMaxWriting = std::chrono::seconds(20);

// The PEM text of `pem` after a text line that pads it to `size` bytes, so two
// different certificates make files of the same size.
std::string padded_pem(const fs::path& pem, std::size_t size) {
  const std::string body = read_file(pem);
  return "#" + std::string(size - body.size() - 2, ' ') + "\n" + body;
}

// In place: truncate, then write (a reader can see it empty or half written).
void rewrite_in_place(const fs::path& p, const std::string& text) {
  std::FILE* f = std::fopen(p.c_str(), "wb");
  ASSERT_NE(f, nullptr) << p;
  std::fwrite(text.data(), 1, text.size(), f);
  std::fclose(f);
}

TEST(ScanRaceTest, NoStaleSeriesAfterTheNextScan) {
  std::mt19937 rng(fault_seed("NoStaleSeriesAfterTheNextScan"));
  TempDir tmp("ndes-fault-scan");
  TestPki pki(tmp / "pki");
  const std::int64_t now = now_seconds();
  const fs::path a = pki.issue("a", "cep", now - kDay, now + 10 * kDay, "/CN=NDES01-MSCEP-RA");
  const fs::path b = pki.issue("b", "cep", now - kDay, now + 40 * kDay, "/CN=NDES01-MSCEP-RA");
  const std::size_t size = std::max(read_file(a).size(), read_file(b).size()) + 64;
  const std::string text[2] = {padded_pem(a, size), padded_pem(b, size)};
  const std::string thumbprint[2] = {openssl_thumbprint(a), openssl_thumbprint(b)};

  const fs::path store = tmp / "store";
  const fs::path staging = tmp / "staging";  // same file system: rename() is atomic
  fs::create_directories(store);
  fs::create_directories(staging);
  std::vector<std::optional<int>> on_disk(kFiles);  // which text each file holds
  const auto name = [&](int i) { return store / ("cert-" + std::to_string(i) + ".pem"); };
  for (int i = 0; i < kFiles; ++i) {
    on_disk[i] = i % 2;
    write_file(name(i), text[i % 2]);
  }

  const int port = free_port();
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/metrics";
  BackgroundProcess exporter(
      {(bin_dir() / "ndes_exporter").string(), "--collector.files.path=" + store.string(),
       "--web.listen-address=127.0.0.1:" + std::to_string(port)},
      tmp / "exporter.log");
  ASSERT_TRUE(wait_for_port(port)) << exporter.log();

  std::atomic<bool> writing{true};
  std::atomic<int> scrapes{0};
  std::thread scraper([&] {
    while (writing) {
      const HttpResponse r = http_get(url, std::chrono::seconds(30));
      ASSERT_EQ(r.status, 200) << r.error << exporter.log();
      ++scrapes;
    }
  });

  int changes = 0;
  const auto stop_at = std::chrono::steady_clock::now() + kMaxWriting;
  for (; changes < kMaxChanges && std::chrono::steady_clock::now() < stop_at; ++changes) {
    const int i = static_cast<int>(rng() % kFiles);
    const int which = static_cast<int>(rng() % 2);
    switch (rng() % 4) {
      case 0: {  // replaced atomically, as a careful tool does
        const fs::path staged = staging / "next.pem";
        write_file(staged, text[which]);
        fs::rename(staged, name(i));
        on_disk[i] = which;
        break;
      }
      case 1:  // rewritten in place twice in a row: the same size, likely the same mtime
        rewrite_in_place(name(i), text[which]);
        rewrite_in_place(name(i), text[1 - which]);
        on_disk[i] = 1 - which;
        break;
      case 2:
        fs::remove(name(i));
        on_disk[i].reset();
        break;
      default:
        if (!on_disk[i]) {
          write_file(name(i), text[which]);
          on_disk[i] = which;
        }
        break;
    }
  }
  writing = false;
  scraper.join();
  ASSERT_TRUE(exporter.running()) << exporter.log();

  // The next scan starts after the last change.
  const HttpResponse r = http_get(url, std::chrono::seconds(30));
  ASSERT_EQ(r.status, 200) << r.error;
  const auto samples = parse_exposition(r.body);
  std::map<std::string, std::string> shown;  // path -> thumbprint
  for (const auto& s : select(samples, "ndes_certificate_not_after_timestamp_seconds")) {
    EXPECT_TRUE(shown.emplace(s.labels.at("path"), s.labels.at("thumbprint")).second)
        << "two series for " << s.labels.at("path");
  }
  std::map<std::string, std::string> expected;
  for (int i = 0; i < kFiles; ++i) {
    if (on_disk[i]) {
      expected[name(i).string()] = thumbprint[*on_disk[i]];
    }
  }
  EXPECT_EQ(shown, expected);
  const auto errors = select(samples, "ndes_certificate_read_errors");
  EXPECT_TRUE(errors.empty()) << errors.size() << " read errors left, the first for "
                              << errors.front().labels.at("path");
  std::printf("%d changes to %d files during %d scrapes; the next scan matched the disk\n", changes,
              kFiles, scrapes.load());
  EXPECT_GT(scrapes.load(), 2);
  EXPECT_EQ(exporter.stop(SIGTERM) & 0x7f, 0) << exporter.log();
}

}  // namespace
}  // namespace ndes::test
