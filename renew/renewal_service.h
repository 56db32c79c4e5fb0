// The hook's state and work: the journal-backed book of renewals, the intake of
// webhook payloads (validation, idempotency, the plan) and one worker thread that runs
// queued renewals, one at a time. Every change is journaled (appended and fsync'd)
// before it takes effect in memory, under one mutex, so concurrent deliveries of the
// same alert cannot both start a renewal.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "renew/alert.h"
#include "renew/book.h"
#include "renew/cert_source.h"
#include "renew/decide.h"
#include "renew/executor.h"
#include "renew/intake_plan.h"
#include "renew/journal_file.h"
#include "renew/metrics.h"
#include "renew/plan.h"

namespace ndes::renew {

struct ServiceOptions {
  Mode mode = Mode::dry_run;
  Policy policy;
  PlanConfig plan;  // work_dir, backup_dir and scep_url are set per renewal
  // Where the hook looks an alert's certificate up before it acts; null = nowhere (dry-run
  // records the thumbprint as unverified; execute mode refuses).
  std::shared_ptr<const CertificateSource> source;
  std::int64_t renew_window_seconds = std::int64_t{30} * 86400;
  std::string runbook_base = std::string(kDefaultRunbookBase);
  std::filesystem::path state_dir;
  std::vector<std::string> secrets;  // never kept in the journal (the token)
  std::function<std::int64_t()> clock;
  // How long the worker waits before it tries again to journal a renewal's progress
  // after a write failed and was rolled back (a full disk): it never acts unrecorded.
  std::chrono::milliseconds journal_retry{2000};
};

struct IntakeSummary {
  int alerts = 0;
  int started = 0;     // new renewals (planned)
  int skipped = 0;     // newly recorded as skipped or resolved
  int repeats = 0;     // already recorded skips
  int duplicates = 0;  // a renewal of the thumbprint exists, is blocked or backs off
};

class RenewalService {
 public:
  RenewalService(ServiceOptions options, std::unique_ptr<Executor> executor);
  ~RenewalService();
  RenewalService(const RenewalService&) = delete;
  RenewalService& operator=(const RenewalService&) = delete;

  // Locks the state directory, opens and replays the journal (a torn last line is
  // dropped), marks renewals left running as interrupted, queues planned ones and
  // starts the worker. Throws std::runtime_error when the journal cannot be trusted.
  void start();
  // Cancels the running step (the renewal becomes interrupted) and joins the worker.
  void stop();

  // Records what a payload asks for. Throws JournalWriteError when the journal cannot
  // be written (a full disk): the alerts recorded before the failure stand, the rest
  // are not recorded nor acted on.
  IntakeSummary intake(const WebhookPayload& payload);

  nlohmann::json renewals_json() const;

  enum class ClearResult { cleared, not_found, not_clearable };
  // Clears an interrupted or failed renewal so its thumbprint may be renewed again.
  ClearResult clear(const std::string& id, nlohmann::json* record, std::string* why);

  void count_webhook(const std::string& result);
  std::string metrics_text() const;

  // Tests: waits until no renewal is queued or running.
  bool wait_idle(std::chrono::milliseconds timeout);

 private:
  // What intake() finds out before it takes the lock, one plan per alert.
  struct Prepared {
    std::vector<IntakePlan> plans;
    std::map<std::string, std::string> ca_by_template;
    std::map<std::string, std::string> ca_errors;
    std::optional<std::string> scep_url;
    std::string scep_url_error;
  };
  Prepared prepare(const std::vector<Decision>& decisions);
  std::optional<std::string> scep_url(std::string* error);
  // Records a skipped or refused alert once (the same alert again is a repeat).
  void record_skip_locked(RenewalRecord r, std::int64_t now, IntakeSummary& summary);
  void append_locked(const nlohmann::json& event);
  // For the worker: appends, and while the journal cannot be written (rolled back) waits
  // and tries again. False if the hook stops first (nothing more may be done then).
  bool append_or_wait(std::unique_lock<std::mutex>& lock, const nlohmann::json& event);
  // The same for a renewal's work directory.
  bool make_work_dir_or_wait(std::unique_lock<std::mutex>& lock, const std::string& dir);
  void worker_loop();
  void run_renewal(const std::string& id);
  std::string template_label(const std::string& value) const;
  std::optional<std::string> ca_config_for(const std::string& template_name, std::string* error);

  ServiceOptions options_;
  std::unique_ptr<Executor> executor_;
  std::unique_ptr<StateDirLock> lock_;
  std::unique_ptr<JournalFile> journal_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  RenewalBook book_;
  std::deque<std::string> queue_;
  bool busy_ = false;
  bool stopping_ = false;
  bool journal_broken_ = false;
  bool journal_failing_ = false;  // the last append failed (and was rolled back)
  HookMetrics metrics_;
  std::mutex ca_mu_;                                  // discovery may take a while: not under mu_
  std::map<std::string, std::string> discovered_ca_;  // template -> config
  std::string discovered_scep_url_;

  std::atomic<bool> cancel_{false};
  std::thread worker_;
};

}  // namespace ndes::renew
