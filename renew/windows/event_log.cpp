// The check_ndes_event step: NDES logged Event 1 (started) and no Event 2 (cannot
// start) in the Application log since the restart. NDES loads on the first request to
// its application after the restart; the plan's check_scep step, which runs before
// this one, makes that request against the URL NDES really serves, so this step only
// reads the log (renew/event_wait.h has the loop, renew/event_query.h the decisions).
//
// The source is the live log through wevtapi, or, with --verify.events.xml-dir, the
// exported-XML directory: a stand-in for wine, whose wevtapi is stubs.
// clang-format off
#include <windows.h>
#include <winevt.h>
// clang-format on

#include <chrono>
#include <vector>

#include "base/time.h"
#include "base/win/error_text.h"
#include "base/win/handles.h"
#include "base/win/utf16.h"
#include "renew/windows/evt_api.h"
#include "renew/windows/steps.h"

namespace ndes::renew::windows {
namespace {

constexpr std::int64_t kDefaultTimeoutSeconds = 120;

class EventLogSource final : public NdesEventSource {
 public:
  explicit EventLogSource(EvtApi api) : api_(api) {}

  std::string describe() const override { return "the Application log"; }

  EventRead read(const std::string& provider, std::int64_t since_unix) override {
    EventRead out;
    const std::wstring query = win::widen(ndes_event_xpath(provider, since_unix));
    // "EvtQuery function": a channel path, newest first; NULL on failure with
    // GetLastError (ERROR_EVT_INVALID_QUERY, ERROR_EVT_CHANNEL_NOT_FOUND, access).
    const win::EvtHandle results(api_.query(nullptr, L"Application", query.c_str(),
                                            EvtQueryChannelPath | EvtQueryReverseDirection));
    if (!results) {
      const DWORD code = GetLastError();
      return fail("EvtQuery on the Application log: " + win::numbered_error_text(code));
    }
    while (out.events.size() < kEvtMaxEvents) {
      EVT_HANDLE batch[kEvtNextBatch] = {};
      DWORD returned = 0;
      const BOOL ok =
          api_.next(results.get(), kEvtNextBatch, batch, kEvtNextTimeoutMs, 0, &returned);
      const DWORD code = ok ? ERROR_SUCCESS : GetLastError();
      std::vector<win::EvtHandle> events;
      for (DWORD i = 0; ok && i < returned && i < kEvtNextBatch; ++i) {
        events.emplace_back(batch[i]);  // each one closed, as EvtNext's remarks require
      }
      switch (classify_evt_next(ok != FALSE, returned, code)) {
        case NextKind::no_more:
          return out;
        case NextKind::timeout:
          return fail("EvtNext: the Application log did not answer within " +
                      std::to_string(kEvtNextTimeoutMs) + " ms (ERROR_TIMEOUT)");
        case NextKind::error:
          return fail("EvtNext on the Application log: " + win::numbered_error_text(code));
        case NextKind::events:
          break;
      }
      for (const auto& event : events) {
        std::string error;
        const std::string xml = render(event.get(), &error);
        if (!error.empty()) {
          return fail(error);
        }
        if (auto parsed = ndes_event_from_xml(xml, &error)) {
          out.events.push_back(std::move(*parsed));
        }
      }
    }
    return out;
  }

 private:
  static EventRead fail(std::string error) {
    EventRead out;
    out.ok = false;
    out.error = std::move(error);
    return out;
  }

  // The event's XML ("EvtRender function": EvtRenderEventXml, the buffer size in bytes,
  // ERROR_INSUFFICIENT_BUFFER with the size needed when it is too small).
  std::string render(EVT_HANDLE event, std::string* error) {
    DWORD used = 0;
    DWORD properties = 0;
    std::wstring buffer(1024, L'\0');
    for (int attempt = 0; attempt < 2; ++attempt) {
      const auto bytes = static_cast<DWORD>(buffer.size() * sizeof(wchar_t));
      if (api_.render(nullptr, event, EvtRenderEventXml, bytes, buffer.data(), &used,
                      &properties)) {
        buffer.resize(used / sizeof(wchar_t));
        while (!buffer.empty() && buffer.back() == L'\0') {
          buffer.pop_back();
        }
        return win::narrow(buffer);
      }
      const DWORD code = GetLastError();
      if (code != ERROR_INSUFFICIENT_BUFFER) {
        *error = "EvtRender of an NDES event: " + win::numbered_error_text(code);
        return "";
      }
      buffer.assign(used / sizeof(wchar_t) + 1, L'\0');
    }
    *error = "EvtRender of an NDES event: the buffer it asked for was too small";
    return "";
  }

  EvtApi api_;
};

}  // namespace

std::unique_ptr<NdesEventSource> make_event_log_source(const EvtApi& api) {
  return std::make_unique<EventLogSource>(api);
}

StepOutcome check_ndes_event(const PlannedStep& step, const RunContext& ctx,
                             NdesEventSource& source) {
  const auto started = ctx.facts.find("restart_started");
  const auto since = started == ctx.facts.end() ? std::nullopt : parse_time(started->second);
  if (!since) {
    return failed("no restart time: the restart_services step did not run before this one");
  }
  std::string provider = param(step, "provider");
  if (provider.empty()) {
    provider = std::string(kNdesEventProvider);
  }
  EventWaitOptions options;
  options.timeout = std::chrono::seconds(kDefaultTimeoutSeconds);
  if (const std::string t = param(step, "timeout_seconds"); !t.empty()) {
    const auto seconds = parse_duration_seconds(t);
    if (!seconds || *seconds <= 0) {
      return failed("check_ndes_event: timeout_seconds \"" + t + "\" is not a number of seconds");
    }
    options.timeout = std::chrono::seconds(*seconds);
  }
  options.cancel = ctx.cancel;
  return wait_for_ndes_start(source, provider, *since, options);
}

}  // namespace ndes::renew::windows
