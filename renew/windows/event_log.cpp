// The event log step: check_ndes_event touches the SCEP application (NDES loads on
// its first request after iisreset) and waits up to 120 s for NDES's Event 1
// (started) or Event 2 (cannot start) in the Application log since the restart.
// clang-format off
#include <windows.h>
#include <winevt.h>
#include <winhttp.h>
// clang-format on

#include <chrono>
#include <thread>

#include "base/win/handles.h"
#include "base/win/utf16.h"
#include "renew/windows/steps.h"

namespace ndes::renew::windows {
namespace {

struct WinHttpTraits : win::NonNullTraits<HINTERNET> {
  static void close(HINTERNET h) { WinHttpCloseHandle(h); }
};
using WinHttpHandle = win::UniqueHandle<HINTERNET, WinHttpTraits>;

void touch_ndes() {
  const WinHttpHandle session(WinHttpOpen(L"ndes_renew_hook", WINHTTP_ACCESS_TYPE_NO_PROXY,
                                          WINHTTP_NO_PROXY_NAME, WINHTTP_NO_PROXY_BYPASS, 0));
  if (!session) {
    return;
  }
  const WinHttpHandle connect(
      WinHttpConnect(session.get(), L"localhost", INTERNET_DEFAULT_HTTP_PORT, 0));
  const WinHttpHandle request(
      !connect ? nullptr
               : WinHttpOpenRequest(connect.get(), L"GET",
                                    L"/certsrv/mscep/mscep.dll/pkiclient.exe?operation=GetCACaps",
                                    nullptr, WINHTTP_NO_REFERER, WINHTTP_DEFAULT_ACCEPT_TYPES, 0));
  if (request && WinHttpSendRequest(request.get(), WINHTTP_NO_ADDITIONAL_HEADERS, 0,
                                    WINHTTP_NO_REQUEST_DATA, 0, 0, 0)) {
    WinHttpReceiveResponse(request.get(), nullptr);
  }
}

bool event_logged(const std::string& provider, int event_id, const std::string& since) {
  // since: "2026-11-25T15:00:00Z" -> the event log's "2026-11-25T15:00:00.000Z".
  const std::string when = since.substr(0, 19) + ".000Z";
  const std::string query = "*[System[Provider[@Name='" + provider +
                            "'] and (EventID=" + std::to_string(event_id) +
                            ") and TimeCreated[@SystemTime>='" + when + "']]]";
  const win::EvtHandle results(EvtQuery(nullptr, L"Application", win::widen(query).c_str(),
                                        EvtQueryChannelPath | EvtQueryReverseDirection));
  if (!results) {
    return false;
  }
  win::EvtHandle event;
  DWORD returned = 0;
  return EvtNext(results.get(), 1, event.out(), 0, 0, &returned) && returned == 1;
}

}  // namespace

StepOutcome check_ndes_event(const PlannedStep& step, const RunContext& ctx) {
  const auto since = ctx.facts.find("restart_started");
  if (since == ctx.facts.end() || since->second.size() < 19) {
    return failed("no restart time (the iisreset step did not run)");
  }
  const std::string provider = param(step, "provider");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < deadline) {
    if (ctx.cancel != nullptr && ctx.cancel->load()) {
      return failed("cancelled: the hook is stopping");
    }
    touch_ndes();
    if (event_logged(provider, 2, since->second)) {
      return failed(
          "NDES logged Event 2 (cannot be started) after the restart: see the "
          "Application log (0x80070057: duplicate RA certificates or an unreadable key)");
    }
    if (event_logged(provider, 1, since->second)) {
      StepOutcome out;
      out.detail = "NDES logged Event 1 (started successfully) after " + since->second;
      return out;
    }
    std::this_thread::sleep_for(std::chrono::seconds(3));
  }
  return failed("no NDES Event 1 within 120s of the restart");
}

}  // namespace ndes::renew::windows
