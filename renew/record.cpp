#include "renew/record.h"

#include <array>
#include <stdexcept>
#include <utility>

#include "base/time.h"

namespace ndes::renew {
namespace {

using json = nlohmann::json;

constexpr std::array<std::pair<Status, std::string_view>, 8> kStatusNames = {{
    {Status::planned, "planned"},
    {Status::running, "running"},
    {Status::succeeded, "succeeded"},
    {Status::failed, "failed"},
    {Status::skipped, "skipped"},
    {Status::interrupted, "interrupted"},
    {Status::refused, "refused"},
    {Status::pending, "pending"},
}};

std::int64_t time_field(const json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_string() || it->get<std::string>().empty()) {
    return 0;
  }
  const auto t = parse_time(it->get<std::string>());
  if (!t) {
    throw std::runtime_error(std::string("bad time in ") + key);
  }
  return *t;
}

std::string str(const json& j, const char* key) {
  const auto it = j.find(key);
  return it == j.end() || !it->is_string() ? std::string() : it->get<std::string>();
}

std::map<std::string, std::string> str_map(const json& j, const char* key) {
  std::map<std::string, std::string> out;
  const auto it = j.find(key);
  if (it != j.end() && it->is_object()) {
    for (const auto& [k, v] : it->items()) {
      if (v.is_string()) {
        out[k] = v.get<std::string>();
      }
    }
  }
  return out;
}

}  // namespace

std::string_view to_string(Status status) {
  for (const auto& [s, name] : kStatusNames) {
    if (s == status) {
      return name;
    }
  }
  return "failed";
}

std::optional<Status> status_from_string(std::string_view text) {
  for (const auto& [s, name] : kStatusNames) {
    if (name == text) {
      return s;
    }
  }
  return std::nullopt;
}

std::string_view to_string(Mode mode) { return mode == Mode::execute ? "execute" : "dry-run"; }

std::optional<Mode> mode_from_string(std::string_view text) {
  if (text == "dry-run") {
    return Mode::dry_run;
  }
  if (text == "execute") {
    return Mode::execute;
  }
  return std::nullopt;
}

bool covers(const RenewalRecord& record, std::string_view thumbprint) {
  if (record.thumbprint == thumbprint) {
    return true;
  }
  for (const auto& t : record.targets) {
    if (t.thumbprint == thumbprint) {
      return true;
    }
  }
  return false;
}

json to_json(const StepRecord& s) {
  json j = json::object();
  j["name"] = s.step.name;
  j["kind"] = std::string(to_string(s.step.kind));
  j["description"] = s.step.description;
  if (s.step.kind == StepKind::run || s.step.kind == StepKind::submit_request) {
    j["argv"] = s.step.argv;
    j["command_line"] = s.step.command_line;
    j["timeout_seconds"] = s.step.timeout_seconds;
  }
  if (s.step.kind == StepKind::write_file) {
    j["path"] = s.step.path;
    j["content"] = s.step.content;
  }
  if (!s.step.params.empty()) {
    j["params"] = s.step.params;
  }
  if (!s.step.skip_reason.empty()) {
    j["skip_reason"] = s.step.skip_reason;
  }
  j["status"] = s.status;
  if (s.exit_code) {
    j["exit_code"] = *s.exit_code;
  }
  if (!s.out.empty()) {
    j["stdout"] = s.out;
  }
  if (!s.err.empty()) {
    j["stderr"] = s.err;
  }
  if (!s.detail.empty()) {
    j["detail"] = s.detail;
  }
  if (!s.facts.empty()) {
    j["facts"] = s.facts;
  }
  if (s.started != 0) {
    j["started"] = format_time(s.started);
  }
  if (s.finished != 0) {
    j["finished"] = format_time(s.finished);
  }
  return j;
}

StepRecord step_record_from_json(const json& j) {
  if (!j.is_object()) {
    throw std::runtime_error("a step is not an object");
  }
  StepRecord s;
  s.step.name = str(j, "name");
  const auto kind = step_kind_from_string(str(j, "kind"));
  if (!kind) {
    throw std::runtime_error("unknown step kind");
  }
  s.step.kind = *kind;
  s.step.description = str(j, "description");
  if (const auto it = j.find("argv"); it != j.end()) {
    s.step.argv = it->get<std::vector<std::string>>();
  }
  s.step.command_line = str(j, "command_line");
  if (const auto it = j.find("timeout_seconds"); it != j.end() && it->is_number_integer()) {
    s.step.timeout_seconds = it->get<std::int64_t>();
  }
  s.step.path = str(j, "path");
  s.step.content = str(j, "content");
  s.step.params = str_map(j, "params");
  s.step.skip_reason = str(j, "skip_reason");
  s.status = str(j, "status");
  if (const auto it = j.find("exit_code"); it != j.end() && it->is_number_integer()) {
    s.exit_code = it->get<int>();
  }
  s.out = str(j, "stdout");
  s.err = str(j, "stderr");
  s.detail = str(j, "detail");
  s.facts = str_map(j, "facts");
  s.started = time_field(j, "started");
  s.finished = time_field(j, "finished");
  return s;
}

json to_json(const RenewalRecord& r) {
  json j = json::object();
  j["id"] = r.id;
  j["seq"] = r.seq;
  j["status"] = std::string(to_string(r.status));
  j["reason"] = r.reason;
  j["fingerprint"] = r.fingerprint;
  j["alertname"] = r.alertname;
  j["starts_at"] = r.starts_at;
  j["thumbprint"] = r.thumbprint;
  j["template"] = r.template_name;
  j["role"] = r.role;
  j["instance"] = r.instance;
  j["mode"] = std::string(to_string(r.mode));
  j["executor"] = r.executor;
  j["attempt"] = r.attempt;
  j["action"] = r.action;
  json targets = json::array();
  for (const auto& t : r.targets) {
    targets.push_back({{"thumbprint", t.thumbprint},
                       {"template", t.template_name},
                       {"role", t.role},
                       {"not_after", t.not_after},
                       {"why", t.why}});
  }
  j["targets"] = std::move(targets);
  j["verified_in"] = r.verified_in;
  j["warnings"] = r.warnings;
  if (!r.runbook_url.empty()) {
    j["runbook_url"] = r.runbook_url;
  }
  j["inf"] = r.inf;
  json steps = json::array();
  for (const auto& s : r.steps) {
    steps.push_back(to_json(s));
  }
  j["steps"] = std::move(steps);
  j["labels"] = r.labels;
  j["created"] = format_time(r.created);
  j["started"] = format_time(r.started);
  j["finished"] = format_time(r.finished);
  j["cleared"] = format_time(r.cleared);
  return j;
}

RenewalRecord record_from_json(const json& j) {
  if (!j.is_object()) {
    throw std::runtime_error("the record is not an object");
  }
  RenewalRecord r;
  r.id = str(j, "id");
  if (r.id.empty()) {
    throw std::runtime_error("the record has no id");
  }
  r.seq = j.at("seq").get<std::int64_t>();
  const auto status = status_from_string(str(j, "status"));
  const auto mode = mode_from_string(str(j, "mode"));
  if (!status || !mode) {
    throw std::runtime_error("the record has an unknown status or mode");
  }
  r.status = *status;
  r.mode = *mode;
  r.reason = str(j, "reason");
  r.fingerprint = str(j, "fingerprint");
  r.alertname = str(j, "alertname");
  r.starts_at = str(j, "starts_at");
  r.thumbprint = str(j, "thumbprint");
  r.template_name = str(j, "template");
  r.role = str(j, "role");
  r.instance = str(j, "instance");
  r.executor = str(j, "executor");
  if (const auto it = j.find("attempt"); it != j.end() && it->is_number_integer()) {
    r.attempt = it->get<int>();
  }
  r.action = str(j, "action").empty() ? "renew" : str(j, "action");
  if (const auto it = j.find("targets"); it != j.end() && it->is_array()) {
    for (const auto& t : *it) {
      r.targets.push_back({str(t, "thumbprint"), str(t, "template"), str(t, "role"),
                           str(t, "not_after"), str(t, "why")});
    }
  }
  r.verified_in = str(j, "verified_in");
  if (const auto it = j.find("warnings"); it != j.end() && it->is_array()) {
    for (const auto& w : *it) {
      if (w.is_string()) {
        r.warnings.push_back(w.get<std::string>());
      }
    }
  }
  r.runbook_url = str(j, "runbook_url");
  r.inf = str(j, "inf");
  if (const auto it = j.find("steps"); it != j.end() && it->is_array()) {
    for (const auto& s : *it) {
      r.steps.push_back(step_record_from_json(s));
    }
  }
  r.labels = str_map(j, "labels");
  r.created = time_field(j, "created");
  r.started = time_field(j, "started");
  r.finished = time_field(j, "finished");
  r.cleared = time_field(j, "cleared");
  return r;
}

}  // namespace ndes::renew
