// The windows executor's service, event and CA-lookup steps under wine
// (ctest windows.renew_services):
//   - restart_services against real services in wine's service control manager
//     (test_service.exe, installed here): the stop and start order the services saw, a
//     service that is not installed, one that cannot start, and the SCM calls' access
//     rights, control codes and info levels through the ScmApi seam (recorded while
//     forwarded to the real functions);
//   - check_ndes_event through the executor with the exported-XML source
//     (--verify.events.xml-dir, the stand-in for wine's stub wevtapi): Event 1, Event 2,
//     nothing within a short timeout_seconds;
//   - the wevtapi and wldap32 call sites through their seams (EvtApi, LdapApi), with
//     functions that record what is passed and answer as the log or AD would: wine's
//     wevtapi is stubs and there is no AD here.
// clang-format off
#include <windows.h>
#include <winsvc.h>
// clang-format on

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "base/time.h"
#include "base/win/handles.h"
#include "base/win/utf16.h"
#include "renew/executor.h"
#include "renew/plan.h"
#include "renew/windows/evt_api.h"
#include "renew/windows/ldap_api.h"
#include "renew/windows/scm_api.h"
#include "renew/windows/steps.h"
#include "support/run.h"

namespace ndes::renew::windows {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

fs::path bin_dir() {
  std::wstring buf(MAX_PATH, L'\0');
  const DWORD n = GetModuleFileNameW(nullptr, buf.data(), static_cast<DWORD>(buf.size()));
  buf.resize(n);
  return fs::path(buf).parent_path();
}

std::vector<std::string> lines_of(const fs::path& file) {
  std::vector<std::string> out;
  std::error_code ec;
  if (!fs::exists(file, ec)) {
    return out;
  }
  std::istringstream in(test::read_file(file));
  std::string line;
  while (std::getline(in, line)) {
    line.erase(std::remove(line.begin(), line.end(), '\r'), line.end());
    if (!line.empty()) {
      out.push_back(line);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Test services in wine's SCM

constexpr const char* kWas = "NdesRenewTestWAS";
constexpr const char* kW3svc = "NdesRenewTestW3SVC";
constexpr const char* kConnector = "NdesRenewTestConnector";
constexpr const char* kMissing = "NdesRenewTestNotInstalled";
constexpr const char* kBroken = "NdesRenewTestBroken";

DWORD state_of(SC_HANDLE scm, const std::string& name) {
  const win::ScHandle s(OpenServiceW(scm, win::widen(name).c_str(), SERVICE_QUERY_STATUS));
  SERVICE_STATUS status{};
  return s && QueryServiceStatus(s.get(), &status) ? status.dwCurrentState : 0;
}

bool wait_state(SC_HANDLE scm, const std::string& name, DWORD state) {
  for (int i = 0; i < 150; ++i) {
    if (state_of(scm, name) == state) {
      return true;
    }
    Sleep(200);
  }
  return false;
}

// Installs test_service.exe under names of its own, removes them again.
class ServicesInWine : public ::testing::Test {
 protected:
  void SetUp() override {
    scm_ = win::ScHandle(OpenSCManagerW(nullptr, nullptr, SC_MANAGER_ALL_ACCESS));
    ASSERT_TRUE(scm_) << "cannot open wine's SCM: " << GetLastError();
    for (const char* name : {kWas, kW3svc, kConnector, kBroken, kMissing}) {
      remove(name);
    }
  }
  void TearDown() override {
    for (const auto& name : installed_) {
      remove(name);
    }
  }

  void install(const std::string& name, const std::string& extra = "",
               const std::wstring& depends_on = L"") {
    const std::string cmd = "\"" + (bin_dir() / "test_service.exe").string() + "\" " + name +
                            " \"" + log_.string() + "\" --start-ms 400 --stop-ms 400 " + extra;
    std::wstring deps = depends_on;
    if (!deps.empty()) {
      deps.push_back(L'\0');  // a double-null-terminated list
    }
    const win::ScHandle s(
        CreateServiceW(scm_.get(), win::widen(name).c_str(), win::widen(name).c_str(),
                       SERVICE_ALL_ACCESS, SERVICE_WIN32_OWN_PROCESS, SERVICE_DEMAND_START,
                       SERVICE_ERROR_NORMAL, win::widen(cmd).c_str(), nullptr, nullptr,
                       deps.empty() ? nullptr : deps.c_str(), nullptr, nullptr));
    ASSERT_TRUE(s) << "CreateServiceW " << name << ": " << GetLastError();
    installed_.push_back(name);
  }

  void start(const std::string& name) {
    const win::ScHandle s(OpenServiceW(scm_.get(), win::widen(name).c_str(), SERVICE_START));
    ASSERT_TRUE(s);
    ASSERT_TRUE(StartServiceW(s.get(), 0, nullptr)) << name << ": " << GetLastError();
    ASSERT_TRUE(wait_state(scm_.get(), name, SERVICE_RUNNING)) << name << " did not start";
  }

  void remove(const std::string& name) {
    const win::ScHandle s(OpenServiceW(scm_.get(), win::widen(name).c_str(),
                                       SERVICE_STOP | SERVICE_QUERY_STATUS | DELETE));
    if (!s) {
      return;
    }
    SERVICE_STATUS status{};
    if (ControlService(s.get(), SERVICE_CONTROL_STOP, &status)) {
      wait_state(scm_.get(), name, SERVICE_STOPPED);
    }
    DeleteService(s.get());
  }

  // The three services of the stack, running, W3SVC depending on WAS as IIS's does.
  void install_stack() {
    install(kWas);
    install(kW3svc, "", win::widen(kWas));
    install(kConnector);
    for (const char* name : {kWas, kW3svc, kConnector}) {
      start(name);
    }
    fs::remove(log_);  // only what the restart does
  }

  static PlannedStep restart_step(const std::string& services) {
    PlannedStep step;
    step.name = "restart_services";
    step.kind = StepKind::restart_services;
    step.params["services"] = services;
    step.params["timeout_seconds"] = "60";
    return step;
  }

  test::TempDir dir_{"ndes-renew-services"};
  fs::path log_ = dir_ / "services.log";
  win::ScHandle scm_;
  std::vector<std::string> installed_;
};

TEST_F(ServicesInWine, StopsInReverseStartsInOrderAndSkipsWhatIsNotInstalled) {
  install_stack();
  const std::int64_t before = unix_now();
  const StepOutcome out = restart_services(
      restart_step(std::string(kWas) + "," + kW3svc + "," + kMissing + "," + kConnector));
  ASSERT_EQ(out.status, "ok") << out.detail;
  EXPECT_THAT(lines_of(log_),
              ElementsAre("stop NdesRenewTestConnector", "stop NdesRenewTestW3SVC",
                          "stop NdesRenewTestWAS", "start NdesRenewTestWAS",
                          "start NdesRenewTestW3SVC", "start NdesRenewTestConnector"));
  EXPECT_EQ(out.facts.at("restarted"),
            "NdesRenewTestWAS,NdesRenewTestW3SVC,NdesRenewTestConnector");
  EXPECT_EQ(out.facts.at("not_installed"), kMissing);
  const auto started = parse_time(out.facts.at("restart_started"));
  ASSERT_TRUE(started.has_value()) << out.facts.at("restart_started");
  EXPECT_GE(*started, before);
  EXPECT_LE(*started, unix_now());
  EXPECT_THAT(out.detail, HasSubstr("not installed, skipped: NdesRenewTestNotInstalled"));
  for (const char* name : {kWas, kW3svc, kConnector}) {
    EXPECT_EQ(state_of(scm_.get(), name), static_cast<DWORD>(SERVICE_RUNNING)) << name;
  }
}

TEST_F(ServicesInWine, AServiceThatCannotStartFailsTheStepAndTheOthersStillRun) {
  install_stack();
  install(kBroken, "--fail-start");
  const StepOutcome out =
      restart_services(restart_step(std::string(kWas) + "," + kBroken + "," + kConnector));
  EXPECT_EQ(out.status, "failed");
  EXPECT_THAT(out.detail, HasSubstr("NdesRenewTestBroken went stopped instead of running"));
  EXPECT_THAT(out.detail, HasSubstr("service exit code 42"));
  EXPECT_EQ(out.facts.at("restarted"), "NdesRenewTestWAS,NdesRenewTestConnector");
  EXPECT_EQ(state_of(scm_.get(), kConnector), static_cast<DWORD>(SERVICE_RUNNING));
}

TEST_F(ServicesInWine, AStoppedServiceIsStartedAndNothingListedIsAFailure) {
  install(kConnector);  // installed, not running
  const StepOutcome out = restart_services(restart_step(kConnector));
  ASSERT_EQ(out.status, "ok") << out.detail;
  EXPECT_THAT(lines_of(log_), ElementsAre("start NdesRenewTestConnector"));
  EXPECT_EQ(restart_services(restart_step(" , ")).status, "failed");
}

// ---------------------------------------------------------------------------
// The SCM calls, recorded on their way to the real functions

struct ScmCall {
  std::string fn;
  std::string service;
  DWORD value = 0;  // access, control code, info level, service state, sleep ms
  DWORD extra = 0;  // argc, buffer size
  bool null_args = false;
};
std::vector<ScmCall> g_scm;
std::map<SC_HANDLE, std::string> g_service_names;
DWORD g_start_error = 0;        // StartServiceW: start it, then fail with this
DWORD g_query_error_after = 0;  // QueryServiceStatusEx fails after this many calls
DWORD g_open_error = 0;         // OpenServiceW fails with this

SC_HANDLE WINAPI rec_open_scm(LPCWSTR machine, LPCWSTR db, DWORD access) {
  g_scm.push_back({"OpenSCManagerW", "", access, 0, machine == nullptr && db == nullptr});
  return OpenSCManagerW(machine, db, access);
}
SC_HANDLE WINAPI rec_open_service(SC_HANDLE scm, LPCWSTR name, DWORD access) {
  g_scm.push_back({"OpenServiceW", win::narrow(name), access});
  if (g_open_error != 0) {
    SetLastError(g_open_error);
    return nullptr;
  }
  SC_HANDLE h = OpenServiceW(scm, name, access);
  const DWORD error = GetLastError();
  g_service_names[h] = win::narrow(name);
  SetLastError(error);
  return h;
}
BOOL WINAPI rec_control(SC_HANDLE h, DWORD control, LPSERVICE_STATUS status) {
  g_scm.push_back({"ControlService", g_service_names[h], control});
  return ControlService(h, control, status);
}
BOOL WINAPI rec_start(SC_HANDLE h, DWORD argc, LPCWSTR* argv) {
  g_scm.push_back({"StartServiceW", g_service_names[h], 0, argc, argv == nullptr});
  const BOOL ok = StartServiceW(h, argc, argv);
  if (ok && g_start_error != 0) {
    SetLastError(g_start_error);  // as if a recovery action had started it first
    return FALSE;
  }
  return ok;
}
BOOL WINAPI rec_query(SC_HANDLE h, SC_STATUS_TYPE level, LPBYTE buf, DWORD size, LPDWORD needed) {
  g_scm.push_back({"QueryServiceStatusEx", g_service_names[h], static_cast<DWORD>(level), size});
  if (g_query_error_after != 0 && std::count_if(g_scm.begin(), g_scm.end(), [](const ScmCall& c) {
                                    return c.fn == "QueryServiceStatusEx";
                                  }) > static_cast<std::ptrdiff_t>(g_query_error_after)) {
    SetLastError(ERROR_ACCESS_DENIED);
    return FALSE;
  }
  return QueryServiceStatusEx(h, level, buf, size, needed);
}
BOOL WINAPI rec_enum_dependents(SC_HANDLE h, DWORD state, LPENUM_SERVICE_STATUSW list, DWORD size,
                                LPDWORD needed, LPDWORD count) {
  g_scm.push_back({"EnumDependentServicesW", g_service_names[h], state, size});
  return EnumDependentServicesW(h, state, list, size, needed, count);
}
void rec_sleep(DWORD ms) {
  g_scm.push_back({"Sleep", "", ms});
  Sleep(ms);
}

ScmApi recording_scm() {
  g_scm.clear();
  g_service_names.clear();
  g_start_error = 0;
  g_query_error_after = 0;
  g_open_error = 0;
  ScmApi api;
  api.open_sc_manager = rec_open_scm;
  api.open_service = rec_open_service;
  api.control_service = rec_control;
  api.start_service = rec_start;
  api.query_service_status_ex = rec_query;
  api.enum_dependent_services = rec_enum_dependents;
  api.sleep_ms = rec_sleep;
  return api;
}

std::vector<std::string> calls_named(const std::string& fn) {
  std::vector<std::string> out;
  for (const auto& c : g_scm) {
    if (c.fn == fn) {
      out.push_back(c.service);
    }
  }
  return out;
}

TEST_F(ServicesInWine, TheScmCallsAreTheDocumentedOnes) {
  install_stack();
  const ScmApi api = recording_scm();
  const StepOutcome out =
      restart_services(restart_step(std::string(kWas) + "," + kW3svc + "," + kConnector), api);
  ASSERT_EQ(out.status, "ok") << out.detail;
  for (const auto& c : g_scm) {
    if (c.fn == "OpenSCManagerW") {
      // The local SCM, the ServicesActive database, connect only.
      EXPECT_TRUE(c.null_args);
      EXPECT_EQ(c.value, static_cast<DWORD>(SC_MANAGER_CONNECT));
    } else if (c.fn == "OpenServiceW") {
      // "Stopping a Service": SERVICE_STOP | SERVICE_QUERY_STATUS |
      // SERVICE_ENUMERATE_DEPENDENTS; "Starting a Service": SERVICE_START (+ query).
      EXPECT_EQ(c.value, static_cast<DWORD>(SERVICE_STOP | SERVICE_START | SERVICE_QUERY_STATUS |
                                            SERVICE_ENUMERATE_DEPENDENTS))
          << c.service;
    } else if (c.fn == "ControlService") {
      EXPECT_EQ(c.value, static_cast<DWORD>(SERVICE_CONTROL_STOP));
    } else if (c.fn == "StartServiceW") {
      EXPECT_EQ(c.extra, 0u);
      EXPECT_TRUE(c.null_args);
    } else if (c.fn == "QueryServiceStatusEx") {
      EXPECT_EQ(c.value, static_cast<DWORD>(SC_STATUS_PROCESS_INFO));
      EXPECT_EQ(c.extra, static_cast<DWORD>(sizeof(SERVICE_STATUS_PROCESS)));
    } else if (c.fn == "EnumDependentServicesW") {
      EXPECT_EQ(c.value, static_cast<DWORD>(SERVICE_ACTIVE));
    } else if (c.fn == "Sleep") {
      // test_service.exe hints 2400 ms: a tenth, at least 1 s.
      EXPECT_EQ(c.value, 1000u);
    }
  }
  EXPECT_THAT(calls_named("ControlService"), ElementsAre(kConnector, kW3svc, kWas));
  EXPECT_THAT(calls_named("StartServiceW"), ElementsAre(kWas, kW3svc, kConnector));
  EXPECT_THAT(calls_named("EnumDependentServicesW"), ElementsAre(kConnector, kW3svc, kWas));
  EXPECT_FALSE(calls_named("Sleep").empty()) << "the pending states were not waited for";
}

TEST_F(ServicesInWine, AlreadyRunningAfterStartIsSuccess) {
  install_stack();
  ScmApi api = recording_scm();
  g_start_error = ERROR_SERVICE_ALREADY_RUNNING;
  const StepOutcome out = restart_services(restart_step(kConnector), api);
  EXPECT_EQ(out.status, "ok") << out.detail;
  EXPECT_EQ(out.facts.at("restarted"), kConnector);
}

TEST_F(ServicesInWine, AFailedStatusQueryIsReportedAsSuchNotAsATimeout) {
  install_stack();
  ScmApi api = recording_scm();
  g_query_error_after = 1;  // the look before stopping works, the wait's fail
  const StepOutcome out = restart_services(restart_step(kConnector), api);
  EXPECT_EQ(out.status, "failed");
  EXPECT_THAT(out.detail, HasSubstr("cannot query the status of NdesRenewTestConnector: error 5"));
  EXPECT_THAT(out.detail, ::testing::Not(HasSubstr("deadline")));
}

TEST_F(ServicesInWine, AnOpenErrorIsTheOneOpenServiceSet) {
  ScmApi api = recording_scm();
  g_open_error = ERROR_ACCESS_DENIED;
  const StepOutcome out = restart_services(restart_step(kConnector), api);
  EXPECT_EQ(out.status, "failed");
  EXPECT_THAT(out.detail, HasSubstr("cannot open service NdesRenewTestConnector: error 5"));
}

// A running dependent that is not listed is stopped first and started again. Wine's
// EnumDependentServicesW lists no dependents (a stub): then this is skipped.
TEST_F(ServicesInWine, AnUnlistedRunningDependentIsStoppedFirstAndStartedAgain) {
  install(kWas);
  install(kConnector, "", win::widen(kWas));  // depends on WAS, not in the list
  start(kWas);
  start(kConnector);
  {
    const win::ScHandle was(
        OpenServiceW(scm_.get(), win::widen(kWas).c_str(), SERVICE_ENUMERATE_DEPENDENTS));
    DWORD needed = 0;
    DWORD count = 0;
    if (EnumDependentServicesW(was.get(), SERVICE_ACTIVE, nullptr, 0, &needed, &count) &&
        count == 0) {
      GTEST_SKIP() << "wine's EnumDependentServicesW lists no dependents";
    }
  }
  fs::remove(log_);
  const StepOutcome out = restart_services(restart_step(kWas));
  ASSERT_EQ(out.status, "ok") << out.detail;
  EXPECT_EQ(out.facts.at("dependents_restarted"), kConnector);
  EXPECT_THAT(lines_of(log_),
              ElementsAre("stop NdesRenewTestConnector", "stop NdesRenewTestWAS",
                          "start NdesRenewTestWAS", "start NdesRenewTestConnector"));
}

// ---------------------------------------------------------------------------
// check_ndes_event through the executor, with the exported-XML stand-in

fs::path event_fixture(const std::string& name) {
  return fs::path(NDES_RENEW_EVENT_FIXTURES_DIR) / name;
}

StepOutcome check_events(std::initializer_list<const char*> files, const std::string& timeout) {
  test::TempDir events("ndes-renew-events");
  for (const char* f : files) {
    fs::copy_file(event_fixture(f), events / f);
  }
  WindowsExecutorOptions options;
  options.events_xml_dir = events.path().string();
  auto executor = make_windows_executor(options);
  PlannedStep step;
  step.name = "check_ndes_event";
  step.kind = StepKind::check_ndes_event;
  step.params = {{"provider", std::string(kNdesEventProvider)}, {"timeout_seconds", timeout}};
  RunContext ctx;
  ctx.facts["restart_started"] = "2026-11-25T15:00:00Z";
  return executor->run(step, ctx);
}

TEST(RenewEventCheckWine, Event1AfterTheRestartIsOk) {
  const StepOutcome out = check_events({"before-restart.xml", "started.xml"}, "10");
  EXPECT_EQ(out.status, "ok") << out.detail;
  EXPECT_EQ(out.facts.at("ndes_event_time"), "2026-11-25T15:02:10Z");
}

TEST(RenewEventCheckWine, Event2FailsWithItsText) {
  const StepOutcome out = check_events({"cannot-start.xml"}, "10");
  EXPECT_EQ(out.status, "failed");
  EXPECT_THAT(out.detail,
              HasSubstr("ErrorCode=0x80070057; ErrorMessage=The parameter is incorrect."));
}

TEST(RenewEventCheckWine, NothingSinceTheRestartTimesOut) {
  const auto begin = std::chrono::steady_clock::now();
  const StepOutcome out = check_events({"before-restart.xml"}, "2");
  EXPECT_EQ(out.status, "failed");
  EXPECT_THAT(out.detail, HasSubstr("no NDES Event 1 (started)"));
  EXPECT_THAT(out.detail, HasSubstr("within 2s"));
  EXPECT_GE(std::chrono::steady_clock::now() - begin, std::chrono::seconds(2));
}

TEST(RenewEventCheckWine, NoRestartTimeIsSaid) {
  WindowsExecutorOptions options;
  options.events_xml_dir = "Z:\\nonexistent";
  auto executor = make_windows_executor(options);
  PlannedStep step;
  step.kind = StepKind::check_ndes_event;
  RunContext ctx;
  const StepOutcome out = executor->run(step, ctx);
  EXPECT_EQ(out.status, "failed");
  EXPECT_THAT(out.detail, HasSubstr("restart_services step did not run"));
}

// ---------------------------------------------------------------------------
// wevtapi through EvtApi: what is asked, and what its answers mean

struct EvtCalls {
  std::wstring path;
  std::wstring query;
  DWORD query_flags = 0;
  std::vector<DWORD> timeouts;
  std::vector<DWORD> next_flags;
  DWORD next_error = ERROR_NO_MORE_ITEMS;  // what EvtNext says after the events
  int events_left = 0;
  DWORD render_flags = 0;
} g_evt;

const EVT_HANDLE kFakeResults = reinterpret_cast<EVT_HANDLE>(0x5e1);
const EVT_HANDLE kFakeEvent = reinterpret_cast<EVT_HANDLE>(0x5e2);

EVT_HANDLE WINAPI rec_evt_query(EVT_HANDLE, LPCWSTR path, LPCWSTR query, DWORD flags) {
  g_evt.path = path;
  g_evt.query = query;
  g_evt.query_flags = flags;
  return kFakeResults;
}
BOOL WINAPI rec_evt_next(EVT_HANDLE, DWORD size, EVT_HANDLE* events, DWORD timeout, DWORD flags,
                         PDWORD returned) {
  g_evt.timeouts.push_back(timeout);
  g_evt.next_flags.push_back(flags);
  if (g_evt.events_left > 0 && size > 0) {
    --g_evt.events_left;
    events[0] = kFakeEvent;
    *returned = 1;
    return TRUE;
  }
  *returned = 0;
  SetLastError(g_evt.next_error);
  return FALSE;
}
BOOL WINAPI rec_evt_render(EVT_HANDLE, EVT_HANDLE, DWORD flags, DWORD size, PVOID buffer,
                           PDWORD used, PDWORD properties) {
  g_evt.render_flags = flags;
  const std::wstring xml = win::widen(test::read_file(event_fixture("started.xml")));
  const auto bytes = static_cast<DWORD>((xml.size() + 1) * sizeof(wchar_t));
  *used = bytes;
  *properties = 0;
  if (size < bytes) {
    SetLastError(ERROR_INSUFFICIENT_BUFFER);
    return FALSE;
  }
  std::copy(xml.begin(), xml.end(), static_cast<wchar_t*>(buffer));
  static_cast<wchar_t*>(buffer)[xml.size()] = L'\0';
  return TRUE;
}

std::unique_ptr<NdesEventSource> recording_event_log(int events, DWORD end_error) {
  g_evt = EvtCalls{};
  g_evt.events_left = events;
  g_evt.next_error = end_error;
  EvtApi api;
  api.query = rec_evt_query;
  api.next = rec_evt_next;
  api.render = rec_evt_render;
  return make_event_log_source(api);
}

const std::int64_t kRestart = *parse_time("2026-11-25T15:00:00Z");

TEST(RenewEventLogSeam, QueryAndNextGetTheDocumentedArguments) {
  auto source = recording_event_log(1, ERROR_NO_MORE_ITEMS);
  const EventRead read = source->read(std::string(kNdesEventProvider), kRestart);
  ASSERT_TRUE(read.ok) << read.error;
  EXPECT_EQ(g_evt.path, L"Application");
  EXPECT_EQ(g_evt.query_flags, static_cast<DWORD>(EvtQueryChannelPath | EvtQueryReverseDirection));
  EXPECT_EQ(win::narrow(g_evt.query), ndes_event_xpath(std::string(kNdesEventProvider), kRestart));
  // A real timeout, not 0 ms; Flags "must be zero".
  EXPECT_THAT(g_evt.timeouts, ::testing::Each(kEvtNextTimeoutMs));
  EXPECT_GT(kEvtNextTimeoutMs, 0u);
  EXPECT_THAT(g_evt.next_flags, ::testing::Each(0u));
  EXPECT_EQ(g_evt.render_flags, static_cast<DWORD>(EvtRenderEventXml));
  ASSERT_EQ(read.events.size(), 1u);
  EXPECT_EQ(read.events[0].id, 1u);
  EXPECT_EQ(format_time(read.events[0].time_unix), "2026-11-25T15:02:10Z");
}

TEST(RenewEventLogSeam, ATimeoutOrAnErrorIsCouldNotAskAndNoMoreItemsIsNothing) {
  auto quiet = recording_event_log(0, ERROR_NO_MORE_ITEMS);
  const EventRead nothing = quiet->read(std::string(kNdesEventProvider), kRestart);
  EXPECT_TRUE(nothing.ok);
  EXPECT_TRUE(nothing.events.empty());

  auto slow = recording_event_log(0, ERROR_TIMEOUT);
  const EventRead timed_out = slow->read(std::string(kNdesEventProvider), kRestart);
  EXPECT_FALSE(timed_out.ok);
  EXPECT_THAT(timed_out.error, HasSubstr("ERROR_TIMEOUT"));

  auto denied = recording_event_log(0, ERROR_ACCESS_DENIED);
  const EventRead refused = denied->read(std::string(kNdesEventProvider), kRestart);
  EXPECT_FALSE(refused.ok);
  EXPECT_THAT(refused.error, HasSubstr("error 5"));
}

// ---------------------------------------------------------------------------
// wldap32 through LdapApi: limits, errors, and the v2 template found by its OID

constexpr const char* kRaOid =
    "1.3.6.1.4.1.311.21.8.1203517.7839384.1292746.1578532.6537492.13.5930243.8142216";

struct LdapSearch {
  std::wstring base;
  ULONG scope = 0;
  std::wstring filter;
  LONG timeout_seconds = -1;
  ULONG size_limit = 0;
};
struct LdapCalls {
  std::map<int, ULONG> options;
  LONG connect_timeout = -1;
  ULONG bind_method = 0;
  std::vector<LdapSearch> searches;
  int unbinds = 0;
  bool fail_init = false;
  ULONG bind_result = LDAP_SUCCESS;
} g_ldap;

LDAP g_fake_ld{};
// One fake result per search; its entries are consecutive bytes of its row.
char g_results[3][4];
using Entry = std::map<std::wstring, std::vector<std::wstring>>;
const std::vector<std::vector<Entry>> kDirectory = {
    {{{L"configurationNamingContext", {L"CN=Configuration,DC=corp,DC=example"}}}},
    {{{L"cn", {L"CORP Issuing CA"}},
      {L"dNSHostName", {L"ca01.corp.example"}},
      {L"certificateTemplates", {L"WebServer", L"NDES-RA-Signing"}}},
     {{L"cn", {L"CORP Other CA"}},
      {L"dNSHostName", {L"ca02.corp.example"}},
      {L"certificateTemplates", {L"WebServer"}}}},
    {{{L"cn", {L"NDES-RA-Signing"}},
      {L"displayName", {L"NDES RA Signing"}},
      {L"msPKI-Cert-Template-OID", {win::widen(kRaOid)}}},
     {{L"cn", {L"WebServer"}}, {L"displayName", {L"Web Server"}}}},
};
std::vector<std::vector<std::wstring>> g_value_store;
std::vector<std::vector<PWCHAR>> g_value_arrays;

LDAP* LDAPAPI rec_ldap_init(const PWCHAR host, ULONG port) {
  EXPECT_EQ(host, nullptr);  // the machine's domain
  EXPECT_EQ(port, static_cast<ULONG>(LDAP_PORT));
  if (g_ldap.fail_init) {
    SetLastError(ERROR_SUCCESS);  // GetLastError would say nothing went wrong
    return nullptr;
  }
  return &g_fake_ld;
}
ULONG LDAPAPI rec_ldap_last_error() { return LDAP_SERVER_DOWN; }
ULONG LDAPAPI rec_ldap_set_option(LDAP*, int option, const void* value) {
  g_ldap.options[option] = *static_cast<const ULONG*>(value);
  return LDAP_SUCCESS;
}
ULONG LDAPAPI rec_ldap_connect(LDAP*, l_timeval* timeout) {
  g_ldap.connect_timeout = timeout != nullptr ? timeout->tv_sec : -1;
  return LDAP_SUCCESS;
}
ULONG LDAPAPI rec_ldap_bind(LDAP*, PWCHAR, PWCHAR, ULONG method) {
  g_ldap.bind_method = method;
  return g_ldap.bind_result;
}
ULONG LDAPAPI rec_ldap_search(LDAP*, const PWCHAR base, ULONG scope, const PWCHAR filter, PWCHAR*,
                              ULONG, PLDAPControlW*, PLDAPControlW*, l_timeval* timeout,
                              ULONG size_limit, LDAPMessage** res) {
  g_ldap.searches.push_back(
      {base, scope, filter, timeout != nullptr ? timeout->tv_sec : -1, size_limit});
  *res = reinterpret_cast<LDAPMessage*>(g_results[g_ldap.searches.size() - 1]);
  return LDAP_SUCCESS;
}
// Which search and entry a fake message is.
std::pair<std::size_t, std::size_t> where(LDAPMessage* m) {
  const char* p = reinterpret_cast<const char*>(m);
  for (std::size_t s = 0; s < 3; ++s) {
    if (p >= g_results[s] && p < g_results[s] + 4) {
      return {s, static_cast<std::size_t>(p - g_results[s])};
    }
  }
  return {99, 0};
}
LDAPMessage* LDAPAPI rec_ldap_first(LDAP*, LDAPMessage* res) {
  const auto [s, e] = where(res);
  return s < kDirectory.size() && !kDirectory[s].empty() ? res : nullptr;
}
LDAPMessage* LDAPAPI rec_ldap_next(LDAP*, LDAPMessage* entry) {
  const auto [s, e] = where(entry);
  return e + 1 < kDirectory[s].size()
             ? reinterpret_cast<LDAPMessage*>(reinterpret_cast<char*>(entry) + 1)
             : nullptr;
}
PWCHAR* LDAPAPI rec_ldap_values(LDAP*, LDAPMessage* entry, const PWCHAR attr) {
  const auto [s, e] = where(entry);
  const auto it = kDirectory[s][e].find(attr);
  if (it == kDirectory[s][e].end()) {
    return nullptr;
  }
  g_value_store.push_back(it->second);
  std::vector<PWCHAR> array;
  for (auto& v : g_value_store.back()) {
    array.push_back(v.data());
  }
  array.push_back(nullptr);
  g_value_arrays.push_back(std::move(array));
  return g_value_arrays.back().data();
}
ULONG LDAPAPI rec_ldap_value_free(PWCHAR*) { return LDAP_SUCCESS; }
ULONG LDAPAPI rec_ldap_msgfree(LDAPMessage*) { return LDAP_SUCCESS; }
ULONG LDAPAPI rec_ldap_unbind(LDAP*) {
  ++g_ldap.unbinds;
  return LDAP_SUCCESS;
}
PWCHAR LDAPAPI rec_ldap_err2string(ULONG code) {
  static std::wstring text;
  text = code == LDAP_SERVER_DOWN ? L"Cannot contact the LDAP server" : L"Invalid Credentials";
  return text.data();
}

LdapApi recording_ldap() {
  g_ldap = LdapCalls{};
  g_value_store.clear();
  g_value_arrays.clear();
  g_value_store.reserve(64);
  g_value_arrays.reserve(64);
  LdapApi api;
  api.init = rec_ldap_init;
  api.set_option = rec_ldap_set_option;
  api.connect = rec_ldap_connect;
  api.bind_s = rec_ldap_bind;
  api.search_ext_s = rec_ldap_search;
  api.first_entry = rec_ldap_first;
  api.next_entry = rec_ldap_next;
  api.get_values = rec_ldap_values;
  api.value_free = rec_ldap_value_free;
  api.msgfree = rec_ldap_msgfree;
  api.unbind = rec_ldap_unbind;
  api.last_error = rec_ldap_last_error;
  api.err2string = rec_ldap_err2string;
  return api;
}

TEST(RenewCaLookupSeam, AV2TemplatesOidFindsItsCaWithTheDocumentedLimits) {
  const LdapApi api = recording_ldap();
  std::string error;
  const auto config = discover_from_ad(kRaOid, &error, api);
  ASSERT_TRUE(config.has_value()) << error;
  EXPECT_EQ(*config, "ca01.corp.example\\CORP Issuing CA");
  EXPECT_EQ(g_ldap.options[LDAP_OPT_PROTOCOL_VERSION], static_cast<ULONG>(LDAP_VERSION3));
  EXPECT_EQ(g_ldap.options[LDAP_OPT_TIMELIMIT], kLdapServerTimeLimitSeconds);
  EXPECT_EQ(g_ldap.connect_timeout, kLdapConnectTimeoutSeconds);
  EXPECT_EQ(g_ldap.bind_method, static_cast<ULONG>(LDAP_AUTH_NEGOTIATE));
  ASSERT_EQ(g_ldap.searches.size(), 3u);
  EXPECT_EQ(g_ldap.searches[0].base, L"");
  EXPECT_EQ(g_ldap.searches[0].scope, static_cast<ULONG>(LDAP_SCOPE_BASE));
  EXPECT_EQ(g_ldap.searches[1].base,
            L"CN=Enrollment Services,CN=Public Key Services,CN=Services,"
            L"CN=Configuration,DC=corp,DC=example");
  EXPECT_EQ(g_ldap.searches[1].filter, L"(objectClass=pKIEnrollmentService)");
  EXPECT_EQ(g_ldap.searches[2].base,
            L"CN=Certificate Templates,CN=Public Key Services,CN=Services,"
            L"CN=Configuration,DC=corp,DC=example");
  for (const auto& s : g_ldap.searches) {
    EXPECT_EQ(s.timeout_seconds, kLdapSearchTimeoutSeconds);
    EXPECT_EQ(s.size_limit, kLdapSizeLimit);
  }
  EXPECT_EQ(g_ldap.unbinds, 1);
}

TEST(RenewCaLookupSeam, ByNameIgnoringCaseToo) {
  const LdapApi api = recording_ldap();
  std::string error;
  EXPECT_EQ(discover_from_ad("ndes-ra-signing", &error, api).value_or(error),
            "ca01.corp.example\\CORP Issuing CA");
}

TEST(RenewCaLookupSeam, AFailedInitIsReadWithLdapGetLastError) {
  LdapApi api = recording_ldap();
  g_ldap.fail_init = true;
  std::string error;
  EXPECT_FALSE(discover_from_ad(kRaOid, &error, api).has_value());
  EXPECT_THAT(error, HasSubstr("Cannot contact the LDAP server (LDAP error 81)"));
}

TEST(RenewCaLookupSeam, TheBindErrorIsReported) {
  LdapApi api = recording_ldap();
  g_ldap.bind_result = LDAP_INVALID_CREDENTIALS;
  std::string error;
  EXPECT_FALSE(discover_from_ad(kRaOid, &error, api).has_value());
  EXPECT_THAT(error, HasSubstr("cannot bind to AD as this machine (Negotiate): Invalid "
                               "Credentials (LDAP error 49)"));
  EXPECT_EQ(g_ldap.unbinds, 1);
  EXPECT_TRUE(g_ldap.searches.empty());
}

}  // namespace
}  // namespace ndes::renew::windows
