#include "renew/renewal_service.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "base/log.h"
#include "base/text.h"
#include "base/time.h"
#include "renew/intake_plan.h"
#include "renew/journal.h"
#include "renew/redact.h"

namespace ndes::renew {
namespace {

using json = nlohmann::json;

constexpr std::size_t kMaxLabelsKept = 32;

std::map<std::string, std::string> printable_labels(const Alert& alert) {
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : alert.labels) {
    if (out.size() >= kMaxLabelsKept) {
      break;
    }
    out[printable(name, 64)] = printable(value, 256);
  }
  return out;
}

// The record of an alert that is not acted on: every label value only echoed.
RenewalRecord skipped_record(const Alert& alert, const Decision& d, Mode mode) {
  RenewalRecord r;
  r.fingerprint = printable(alert.fingerprint, 64);
  r.starts_at = printable(alert.starts_at, 64);
  r.alertname = printable(alert.label("alertname"));
  r.thumbprint = printable(alert.label("thumbprint"));
  r.template_name = printable(alert.label("template"));
  r.role = printable(alert.label("role"));
  r.instance = printable(alert.label("instance"));
  r.status = Status::skipped;
  r.reason = d.reason;
  r.mode = mode;
  r.labels = printable_labels(alert);
  return r;
}

}  // namespace

RenewalService::RenewalService(ServiceOptions options, std::unique_ptr<Executor> executor)
    : options_(std::move(options)), executor_(std::move(executor)) {
  if (!options_.clock) {
    options_.clock = unix_now;
  }
  metrics_ = initial_metrics(options_.policy.templates);
}

RenewalService::~RenewalService() { stop(); }

void RenewalService::start() {
  std::filesystem::create_directories(options_.state_dir);
  lock_ = std::make_unique<StateDirLock>(options_.state_dir);
  journal_ = std::make_unique<JournalFile>(options_.state_dir / "journal.jsonl");
  ReplayResult replay = replay_journal(journal_->read_all());
  if (!replay.fatal.empty()) {
    throw std::runtime_error(journal_->path().string() + ": " + replay.fatal +
                             "; the journal cannot be trusted (move it aside to start afresh)");
  }
  if (replay.torn_tail) {
    log_warn("journal: dropping a torn last line (a crash cut a write short)",
             {{"path", journal_->path().string()},
              {"offset", std::to_string(replay.good_bytes)},
              {"text", replay.torn_text}});
    journal_->truncate(replay.good_bytes);
  }
  for (const auto& w : replay.warnings) {
    log_warn("journal: event ignored", {{"err", w}});
  }
  std::lock_guard<std::mutex> lock(mu_);
  book_ = std::move(replay.book);
  log_info("journal replayed", {{"path", journal_->path().string()},
                                {"events", std::to_string(replay.events)},
                                {"renewals", std::to_string(book_.records().size())}});
  for (const auto& e : recovery_events(book_, options_.clock())) {
    append_locked(e);
    log_warn("renewal interrupted by a restart: blocked until an admin clears it",
             {{"renewal", e["id"].get<std::string>()}, {"reason", e["reason"].get<std::string>()}});
  }
  for (const auto& r : book_.records()) {
    if (r.status == Status::planned && r.mode == Mode::execute && options_.mode == Mode::execute) {
      queue_.push_back(r.id);  // never started: nothing ran, safe to run now
    }
  }
  metrics_.last_success = book_.last_success_by_template();
  worker_ = std::thread([this] { worker_loop(); });
}

void RenewalService::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cancel_ = true;
  cv_.notify_all();
  if (worker_.joinable()) {
    worker_.join();
  }
}

void RenewalService::append_locked(const json& event) {
  if (journal_broken_) {
    throw JournalWriteError(journal_->path().string() +
                                " could not be written earlier and may end in part of a line; "
                                "restart the hook",
                            false, false);
  }
  try {
    journal_->append(journal_line(event));
  } catch (const JournalWriteError& e) {
    metrics_.journal_write_failures += 1;
    if (!e.rolled_back()) {
      journal_broken_ = true;
      log_error("journal write failed and could not be undone: the hook acts on nothing more",
                {{"err", e.what()}});
    } else if (!journal_failing_) {  // once per outage, not once per retry
      log_error(
          "journal write failed: nothing was recorded; new alerts are refused until it "
          "can be written again",
          {{"err", e.what()}, {"no_space", e.no_space() ? "true" : "false"}});
    }
    journal_failing_ = true;
    throw;
  }
  if (journal_failing_) {
    journal_failing_ = false;
    log_info("journal writable again", {{"path", journal_->path().string()}});
  }
  if (auto err = apply_event(book_, event); !err.empty()) {
    log_error("journal event did not apply", {{"err", err}});
  }
}

bool RenewalService::append_or_wait(std::unique_lock<std::mutex>& lock, const json& event) {
  for (;;) {
    try {
      append_locked(event);
      return true;
    } catch (const JournalWriteError& e) {
      if (!e.rolled_back()) {
        throw;
      }
    }
    if (cv_.wait_for(lock, options_.journal_retry, [this] { return stopping_; })) {
      return false;
    }
  }
}

std::string RenewalService::template_label(const std::string& value) const {
  const auto& t = options_.policy.templates;
  return std::find(t.begin(), t.end(), value) != t.end() ? value : std::string();
}

std::optional<std::string> RenewalService::ca_config_for(const std::string& template_name,
                                                         std::string* error) {
  if (!options_.plan.ca_config.empty() || options_.plan.executor != "windows") {
    return options_.plan.ca_config;
  }
  std::lock_guard<std::mutex> lock(ca_mu_);
  if (const auto it = discovered_ca_.find(template_name); it != discovered_ca_.end()) {
    return it->second;
  }
  auto found = executor_->discover_ca_config(template_name, error);
  if (found) {
    discovered_ca_[template_name] = *found;
    log_info("CA discovered in AD", {{"template", template_name}, {"ca", *found}});
  }
  return found;
}

std::optional<std::string> RenewalService::scep_url(std::string* error) {
  if (!options_.plan.scep_url.empty()) {
    return options_.plan.scep_url;
  }
  std::lock_guard<std::mutex> lock(ca_mu_);
  if (!discovered_scep_url_.empty()) {
    return discovered_scep_url_;
  }
  auto found = executor_->scep_url(error);
  if (found) {
    discovered_scep_url_ = *found;
    log_info("SCEP URL found in IIS's bindings", {{"url", *found}});
  }
  return found;
}

RenewalService::Prepared RenewalService::prepare(const std::vector<Decision>& decisions) {
  Prepared p;
  bool listed = false;
  std::optional<std::vector<SourceCertificate>> found;
  std::string source_error;
  for (const Decision& d : decisions) {
    IntakePlan plan;
    if (d.verdict == Verdict::act) {
      if (!listed && options_.source) {
        listed = true;
        found = options_.source->list(&source_error);
        if (!found) {
          log_warn("cannot read the verification source",
                   {{"source", options_.source->name()}, {"err", source_error}});
        }
      }
      IntakeInput in;
      in.target = d.target;
      in.executor = options_.plan.executor;
      in.mode = options_.mode;
      in.found = found;
      in.source_name = options_.source ? options_.source->name() : "";
      in.source_error = source_error;
      in.policy = options_.policy;
      in.now = options_.clock();
      in.renew_window_seconds = options_.renew_window_seconds;
      in.runbook_base = options_.runbook_base;
      plan = plan_intake(in);
      for (const auto& t : plan.targets) {
        if (p.ca_by_template.count(t.template_name) == 0 &&
            p.ca_errors.count(t.template_name) == 0) {
          std::string error;
          if (auto ca = ca_config_for(t.template_name, &error)) {
            p.ca_by_template[t.template_name] = *ca;
          } else {
            p.ca_errors[t.template_name] = error;
          }
        }
      }
      if ((!plan.targets.empty() || plan.repair) && options_.plan.executor == "windows" &&
          !p.scep_url && p.scep_url_error.empty()) {
        p.scep_url = scep_url(&p.scep_url_error);
      }
    }
    p.plans.push_back(std::move(plan));
  }
  return p;
}

void RenewalService::record_skip_locked(RenewalRecord r, std::int64_t now, IntakeSummary& summary) {
  if (book_.has_skip(RenewalBook::skip_key(r))) {
    ++summary.repeats;
    return;
  }
  r.seq = book_.next_seq();
  r.id = RenewalBook::id_for(r.seq);
  r.created = now;
  append_locked(event::recorded(r, now));
  ++summary.skipped;
  const std::string result(to_string(r.status));
  metrics_.renewals[{template_label(r.template_name), result}] += 1;
  log_info(
      r.status == Status::refused ? "alert refused: nothing runs" : "alert recorded, not acted on",
      {{"renewal", r.id},
       {"fingerprint", r.fingerprint},
       {"reason", r.reason},
       {"runbook_url", r.runbook_url}});
}

IntakeSummary RenewalService::intake(const WebhookPayload& payload) {
  IntakeSummary summary;
  summary.alerts = static_cast<int>(payload.alerts.size());
  // Decide first, and look up the certificates, the CA and the SCEP URL outside the lock
  // (the store, an LDAP query and IIS's config may take a while).
  std::vector<Decision> decisions;
  for (const auto& alert : payload.alerts) {
    decisions.push_back(decide(alert, options_.policy));
  }
  const Prepared prepared = prepare(decisions);

  std::lock_guard<std::mutex> lock(mu_);
  const std::int64_t now = options_.clock();
  for (std::size_t i = 0; i < payload.alerts.size(); ++i) {
    const Alert& alert = payload.alerts[i];
    const Decision& d = decisions[i];
    const IntakePlan& ip = prepared.plans[i];
    if (d.verdict != Verdict::act) {
      record_skip_locked(skipped_record(alert, d, options_.mode), now, summary);
      continue;
    }
    // A renewal of this certificate that stands (done, queued, blocked) answers a repeat
    // before the store is asked: the renewed certificate is gone from it by design.
    const RenewTarget& t = d.target;
    const bool repair = t.action == Action::repair;
    const Admission adm = repair ? book_.admit_repair(t.template_name, options_.mode, now)
                                 : book_.admit(t.thumbprint, options_.mode, now);
    if (adm.kind != Admission::Kind::start) {
      ++summary.duplicates;
      log_info("alert starts nothing new", {{"thumbprint", t.thumbprint},
                                            {"template", t.template_name},
                                            {"fingerprint", printable(alert.fingerprint)},
                                            {"existing", adm.existing_id},
                                            {"reason", adm.reason}});
      continue;
    }
    if (!ip.refused.empty() || !ip.skipped.empty()) {
      RenewalRecord r = skipped_record(alert, d, options_.mode);
      r.alertname = d.target.alertname;
      r.template_name = d.target.template_name;
      r.role = d.target.role;
      r.action = d.target.action == Action::repair ? "repair" : "renew";
      r.verified_in = ip.verified_in;
      if (!ip.refused.empty()) {
        r.status = Status::refused;
        r.reason = ip.refused;
        r.runbook_url = ip.runbook_url;
      } else {
        r.reason = ip.skipped;
      }
      record_skip_locked(std::move(r), now, summary);
      continue;
    }
    // The other RA certificate joins only when nothing else stands in its way either.
    std::vector<RenewTarget> targets;
    std::vector<RecordTarget> record_targets;
    for (std::size_t k = 0; k < ip.targets.size(); ++k) {
      if (k > 0) {
        const Admission other = book_.admit(ip.targets[k].thumbprint, options_.mode, now);
        if (other.kind != Admission::Kind::start) {
          log_info("the other RA certificate is not renewed in this run",
                   {{"thumbprint", ip.targets[k].thumbprint}, {"reason", other.reason}});
          continue;
        }
      }
      targets.push_back(ip.targets[k]);
      record_targets.push_back(ip.record_targets[k]);
    }
    if (repair) {
      record_targets = ip.record_targets;
    }
    RenewalRecord r;
    r.seq = book_.next_seq();
    r.id = RenewalBook::id_for(r.seq);
    r.fingerprint = printable(alert.fingerprint, 64);
    r.starts_at = printable(alert.starts_at, 64);
    r.alertname = t.alertname;
    r.thumbprint = repair ? std::string() : t.thumbprint;
    r.template_name = t.template_name;
    r.role = t.role;
    r.instance = printable(t.instance_label);
    r.mode = options_.mode;
    r.executor = options_.plan.executor;
    r.attempt = adm.attempt;
    r.action = repair ? "repair" : "renew";
    r.targets = record_targets;
    r.verified_in = ip.verified_in;
    r.labels = printable_labels(alert);
    r.created = now;
    PlanConfig config = options_.plan;
    config.work_dir = (options_.state_dir / "renewals" / r.id).string();
    config.backup_dir = (options_.state_dir / "backups" / r.id).string();
    config.scep_url = prepared.scep_url.value_or("");
    config.scep_url_error = prepared.scep_url_error;
    if (const auto it = prepared.ca_by_template.find(t.template_name);
        it != prepared.ca_by_template.end()) {
      config.ca_config = it->second;
    }
    std::string ca_error;
    for (const auto& target : targets) {
      if (const auto it = prepared.ca_errors.find(target.template_name);
          it != prepared.ca_errors.end()) {
        ca_error = it->second;
      }
    }
    r.warnings = ip.warnings;
    for (auto& w : plan_warnings(config)) {
      r.warnings.push_back(std::move(w));
    }
    try {
      Plan plan = repair ? build_repair_plan(ip.repair->keep, ip.repair->remove, config)
                         : build_plan(targets, r.id, config);
      r.inf = plan.inf;
      for (auto& step : plan.steps) {
        StepRecord s;
        s.step = std::move(step);
        r.steps.push_back(std::move(s));
      }
    } catch (const std::exception& e) {
      r.status = Status::skipped;
      r.reason = std::string("cannot build the plan: ") + e.what();
    }
    if (r.status == Status::planned && !ca_error.empty() && !repair &&
        options_.mode == Mode::execute) {
      r.status = Status::skipped;
      r.reason = "no CA to submit to: " + ca_error;
    }
    if (r.status == Status::planned) {
      r.reason = options_.mode == Mode::dry_run ? "dry-run: the plan is recorded, nothing runs"
                                                : "queued: runs when no other renewal is running";
      if (!ca_error.empty() && !repair) {
        r.reason += " (CA unknown: " + ca_error + ")";
      }
    }
    append_locked(event::recorded(r, now));
    log_info(r.status == Status::planned ? "renewal planned" : "renewal not planned",
             {{"renewal", r.id},
              {"action", r.action},
              {"thumbprint", r.thumbprint},
              {"targets", std::to_string(r.targets.size())},
              {"template", r.template_name},
              {"mode", std::string(to_string(r.mode))},
              {"attempt", std::to_string(r.attempt)},
              {"verified_in", r.verified_in.empty() ? "unverified" : r.verified_in},
              {"reason", r.reason}});
    if (r.status != Status::planned) {
      ++summary.skipped;
      metrics_.renewals[{r.template_name, "skipped"}] += 1;
      continue;
    }
    ++summary.started;
    if (options_.mode == Mode::dry_run) {
      metrics_.renewals[{r.template_name, "planned"}] += 1;
    } else {
      queue_.push_back(r.id);
      cv_.notify_all();
    }
  }
  return summary;
}

bool RenewalService::make_work_dir_or_wait(std::unique_lock<std::mutex>& lock,
                                           const std::string& dir) {
  for (bool logged = false;; logged = true) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (!ec) {
      return true;
    }
    if (!logged) {
      log_error("cannot create the renewal's work directory; the renewal waits",
                {{"path", dir}, {"err", ec.message()}});
    }
    if (cv_.wait_for(lock, options_.journal_retry, [this] { return stopping_; })) {
      return false;
    }
  }
}

void RenewalService::worker_loop() {
  for (;;) {
    std::string id;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_ || journal_broken_) {
        return;
      }
      id = queue_.front();
      queue_.pop_front();
      busy_ = true;
      metrics_.in_progress = true;
    }
    try {
      run_renewal(id);
    } catch (const std::exception& e) {
      log_error("renewal stopped: the journal cannot be written",
                {{"renewal", id}, {"err", e.what()}});
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      busy_ = false;
      metrics_.in_progress = false;
    }
    cv_.notify_all();
  }
}

void RenewalService::run_renewal(const std::string& id) {
  const std::string work_dir = (options_.state_dir / "renewals" / id).string();
  RenewalRecord record;
  {
    std::unique_lock<std::mutex> lock(mu_);
    const RenewalRecord* r = book_.find(id);
    if (r == nullptr || r->status != Status::planned) {
      return;
    }
    // Nothing runs before its work directory exists and its start is journaled: on a
    // full disk the renewal waits, planned.
    if (!make_work_dir_or_wait(lock, work_dir)) {
      return;
    }
    if (!append_or_wait(lock, event::started(id, options_.clock()))) {
      return;
    }
    record = *book_.find(id);
  }
  log_info("renewal started", {{"renewal", id},
                               {"thumbprint", record.thumbprint},
                               {"template", record.template_name},
                               {"executor", std::string(executor_->name())}});
  RunContext ctx;
  ctx.id = id;
  ctx.thumbprint = record.thumbprint;
  ctx.template_name = record.template_name;
  ctx.work_dir = work_dir;
  ctx.cancel = &cancel_;

  Status final_status = Status::succeeded;
  std::string reason = "every step passed";
  bool interrupted = false;
  for (std::size_t i = 0; i < record.steps.size(); ++i) {
    StepRecord result = record.steps[i];
    const PlannedStep& step = result.step;
    if (!step.skip_reason.empty()) {
      result.status = "skipped";
      result.detail = step.skip_reason;
      std::unique_lock<std::mutex> lock(mu_);
      if (!append_or_wait(lock, event::step(id, i, result, options_.clock()))) {
        return;
      }
      log_info("step skipped",
               {{"renewal", id}, {"step", step.name}, {"reason", step.skip_reason}});
      continue;
    }
    if (cancel_) {
      interrupted = true;
      reason = "the hook stopped before step " + step.name;
      break;
    }
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (!append_or_wait(lock, event::step_started(id, i, options_.clock()))) {
        return;  // the step did not run; a restart marks the renewal interrupted
      }
    }
    log_info("step started", {{"renewal", id},
                              {"step", step.name},
                              {"kind", std::string(to_string(step.kind))},
                              {"command_line", step.command_line}});
    result.started = options_.clock();
    StepOutcome outcome = executor_->run(step, ctx);
    result.finished = options_.clock();
    result.status = outcome.status;
    result.exit_code = outcome.exit_code;
    result.out = redact_output(outcome.out, options_.secrets);
    result.err = redact_output(outcome.err, options_.secrets);
    result.detail = redact_output(outcome.detail, options_.secrets, 1024);
    result.facts = outcome.facts;
    for (const auto& [k, v] : outcome.facts) {
      ctx.facts[k] = v;
    }
    {
      // The step ran: its result waits for the journal, however long that takes. If the
      // hook stops first, the restart marks the renewal interrupted (never re-run).
      std::unique_lock<std::mutex> lock(mu_);
      if (!append_or_wait(lock, event::step(id, i, result, result.finished))) {
        return;
      }
    }
    log_info("step finished",
             {{"renewal", id},
              {"step", step.name},
              {"status", result.status},
              {"exit_code", result.exit_code ? std::to_string(*result.exit_code) : std::string()},
              {"detail", result.detail}});
    if (result.status == "pending") {
      // The CA holds the request: nothing may be accepted, removed or restarted. An admin
      // finishes by hand and clears the renewal; a new request would only pile up.
      final_status = Status::pending;
      reason = result.detail +
               "; then finish the procedure by hand and clear this renewal "
               "(POST /renewals/" +
               id + "/clear)";
      break;
    }
    if (result.status != "ok") {
      if (cancel_) {
        interrupted = true;
        reason = "the hook stopped during step " + step.name + "; check the host, then clear it";
      } else {
        final_status = Status::failed;
        reason = "step " + step.name + " failed: " + result.detail;
      }
      break;
    }
  }
  std::unique_lock<std::mutex> lock(mu_);
  const std::int64_t now = options_.clock();
  if (interrupted) {
    if (!append_or_wait(lock, event::interrupted(id, reason, now))) {
      return;
    }
    log_warn("renewal interrupted: blocked until an admin clears it",
             {{"renewal", id}, {"reason", reason}});
    return;
  }
  if (!append_or_wait(lock, event::finished(id, final_status, reason, now))) {
    return;
  }
  const std::string result(to_string(final_status));
  metrics_.renewals[{record.template_name, result}] += 1;
  if (final_status == Status::succeeded) {
    for (const auto& t : record.targets) {
      metrics_.last_success[t.template_name] = now;
    }
    metrics_.last_success[record.template_name] = now;
    log_info("renewal succeeded", {{"renewal", id}, {"thumbprint", record.thumbprint}});
  } else {
    log_warn("renewal failed", {{"renewal", id}, {"reason", reason}});
  }
}

json RenewalService::renewals_json() const {
  std::lock_guard<std::mutex> lock(mu_);
  json list = json::array();
  for (const auto& r : book_.records()) {
    list.push_back(to_json(r));
  }
  json out = json::object();
  out["mode"] = std::string(to_string(options_.mode));
  out["renewals"] = std::move(list);
  return out;
}

RenewalService::ClearResult RenewalService::clear(const std::string& id, json* record,
                                                  std::string* why) {
  std::lock_guard<std::mutex> lock(mu_);
  const RenewalRecord* r = book_.find(id);
  if (r == nullptr) {
    return ClearResult::not_found;
  }
  if (!clearable(r->status) || r->cleared != 0) {
    *why = "renewal " + id + " is " + std::string(to_string(r->status)) +
           (r->cleared != 0 ? " and already cleared" : "") +
           "; only interrupted, failed or pending renewals are cleared";
    return ClearResult::not_clearable;
  }
  append_locked(event::cleared(id, options_.clock()));
  *record = to_json(*book_.find(id));
  log_info("renewal cleared by an admin", {{"renewal", id}});
  return ClearResult::cleared;
}

void RenewalService::count_webhook(const std::string& result) {
  std::lock_guard<std::mutex> lock(mu_);
  metrics_.webhooks[result] += 1;
}

std::string RenewalService::metrics_text() const {
  std::lock_guard<std::mutex> lock(mu_);
  return render_metrics(metrics_);
}

bool RenewalService::wait_idle(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, timeout, [this] { return queue_.empty() && !busy_; });
}

}  // namespace ndes::renew
