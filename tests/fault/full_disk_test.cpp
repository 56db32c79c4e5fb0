// A full file system under the hook's --state.dir: a 512 KiB tmpfs, mounted in a
// private mount namespace of this test process (the hook, its child, sees it too; the
// machine does not). The hook refuses new work with a clear 503, never a 500 or a
// crash, and loses nothing it accepted: once there is room again, every accepted
// renewal runs exactly once, and the journal replays to the same records.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <thread>

#include "fault_support.h"
#include "renew/journal.h"
#include "renew_support.h"
#include "support/http.h"
#include "support/process.h"
#include "support/run.h"

namespace fs = std::filesystem;

namespace ndes::test {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

// A small tmpfs at `dir`, seen by this process and its children only.
class SmallFileSystem {
 public:
  SmallFileSystem(const fs::path& dir, const char* size) : dir_(dir) {
    if (::geteuid() != 0) {
      skip_ = "mounting a tmpfs needs root";
      return;
    }
    if (::unshare(CLONE_NEWNS) != 0) {
      skip_ = std::string("unshare(CLONE_NEWNS): ") + std::strerror(errno);
      return;
    }
    // Private first, so the mount below never shows up outside this namespace.
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
      skip_ = std::string("making / private: ") + std::strerror(errno);
      return;
    }
    fs::create_directories(dir_);
    const std::string options = std::string("size=") + size + ",mode=0755";
    if (::mount("tmpfs", dir_.c_str(), "tmpfs", 0, options.c_str()) != 0) {
      skip_ = std::string("mount -t tmpfs: ") + std::strerror(errno);
      return;
    }
    mounted_ = true;
  }
  ~SmallFileSystem() {
    if (mounted_) {
      ::umount2(dir_.c_str(), MNT_DETACH);
    }
  }
  SmallFileSystem(const SmallFileSystem&) = delete;
  SmallFileSystem& operator=(const SmallFileSystem&) = delete;
  const std::string& skip_reason() const { return skip_; }

  // Writes `path` until the file system is full; returns the bytes written.
  static std::size_t fill(const fs::path& path) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) {
      return 0;
    }
    std::setvbuf(f, nullptr, _IONBF, 0);
    const std::string chunk(4096, 'x');
    std::size_t written = 0;
    while (std::fwrite(chunk.data(), 1, chunk.size(), f) == chunk.size()) {
      written += chunk.size();
    }
    std::fclose(f);
    return written;
  }

 private:
  fs::path dir_;
  bool mounted_ = false;
  std::string skip_;
};

bool settled(const json& renewals) {
  for (const auto& r : renewals) {
    if (r["status"] == "planned" || r["status"] == "running") {
      return false;
    }
  }
  return true;
}

TEST(FullDiskTest, TheHookRefusesNewWorkAndLosesNothingItAccepted) {
  TempDir tmp("ndes-fault-disk");
  const fs::path small = tmp / "small";
  SmallFileSystem disk(small, "512k");
  if (!disk.skip_reason().empty()) {
    GTEST_SKIP() << "NDES-SKIP: " << disk.skip_reason();
  }
  const fs::path state = small / "state";
  const fs::path runs_log = tmp / "runs.log";  // outside: the record of real runs
  const auto args = recording_hook_args(write_recording_script(tmp.path(), runs_log, 10));
  auto hook = std::make_unique<HookProcess>(state, args);

  // Fill the disk, then give back a little: a few webhooks fit, then it is full again.
  const fs::path filler = small / "filler";
  ASSERT_GT(SmallFileSystem::fill(filler), 0U);
  fs::resize_file(filler, fs::file_size(filler) - 24 * 1024);

  std::vector<std::string> accepted;
  std::vector<std::vector<std::string>> refused;  // each refused webhook's thumbprints
  int next = 0;
  int refusals_in_a_row = 0;
  for (int i = 0; i < 200 && refusals_in_a_row < 5; ++i) {
    const std::vector<std::string> thumbprints = {numbered_thumbprint(++next),
                                                  numbered_thumbprint(++next)};
    const HttpResponse r =
        hook->post_alerts(webhook_body({ra_labels(thumbprints[0]), ra_labels(thumbprints[1])}));
    if (r.status == 202) {
      accepted.insert(accepted.end(), thumbprints.begin(), thumbprints.end());
      refusals_in_a_row = 0;
      continue;
    }
    ASSERT_EQ(r.status, 503) << r.error << r.body << hook->log();
    EXPECT_THAT(json::parse(r.body)["error"].get<std::string>(),
                HasSubstr("No space left on device"));
    refused.push_back(thumbprints);
    ++refusals_in_a_row;
  }
  ASSERT_GE(refusals_in_a_row, 5) << "the disk never filled up";
  ASSERT_FALSE(accepted.empty()) << "no webhook fitted before the disk was full";
  EXPECT_EQ(http_get(hook->url("/healthz")).status, 200);
  EXPECT_THAT(http_get(hook->url("/metrics")).body,
              ::testing::ContainsRegex(
                  "ndes_renew_webhooks_total\\{result=\"journal_unwritable\"\\} [1-9]"));
  // Shown while the disk is full: every accepted renewal.
  std::map<std::string, int> shown;
  for (const auto& r : hook->renewals()) {
    ++shown[r["thumbprint"].get<std::string>()];
  }
  for (const auto& t : accepted) {
    EXPECT_EQ(shown[t], 1) << t;
  }

  // Room again: what was accepted runs, by itself. Alertmanager sends the refused
  // groups again, and they are taken now.
  fs::remove(filler);
  for (const auto& thumbprints : refused) {
    const HttpResponse r =
        hook->post_alerts(webhook_body({ra_labels(thumbprints[0]), ra_labels(thumbprints[1])}));
    ASSERT_EQ(r.status, 202) << r.body;
    accepted.insert(accepted.end(), thumbprints.begin(), thumbprints.end());
  }
  ASSERT_TRUE(hook->wait_for(settled, std::chrono::seconds(60))) << hook->renewals().dump(1);
  const json before_restart = hook->renewals();
  EXPECT_EQ(hook->stop() & 0x7f, 0);
  EXPECT_THAT(hook->log(), HasSubstr("journal write failed"));

  // The journal is whole and replays to the same records.
  const renew::ReplayResult replay = renew::replay_journal(read_file(state / "journal.jsonl"));
  EXPECT_TRUE(replay.fatal.empty()) << replay.fatal;
  EXPECT_FALSE(replay.torn_tail);
  hook = std::make_unique<HookProcess>(state, args);
  EXPECT_EQ(hook->renewals(), before_restart);

  const RecordedRuns runs = read_recorded_runs(runs_log);
  std::map<std::string, int> records;
  for (const auto& r : before_restart) {
    const std::string t = r["thumbprint"].get<std::string>();
    ++records[t];
    EXPECT_EQ(r["status"], "succeeded") << r.dump(1);
  }
  for (const auto& t : accepted) {
    EXPECT_EQ(records[t], 1) << t << " accepted; renewals of it: " << records[t];
    EXPECT_EQ(runs.starts_by_thumbprint.count(t) ? runs.starts_by_thumbprint.at(t) : 0, 1)
        << t << " did not run exactly once";
  }
  std::printf("%zu certificates accepted, %zu webhooks refused with 503 while full\n",
              accepted.size(), refused.size());
}

}  // namespace
}  // namespace ndes::test
