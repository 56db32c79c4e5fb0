#include "eventlog/wevt_source.h"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

namespace ndes::eventlog {
namespace {

// An EVT_HANDLE that EvtClose's itself ("You must call EvtClose on each event
// handle that you receive": EvtNext's documentation).
class ApiHandle {
 public:
  ApiHandle(const WevtApi& api, EvtApiHandle h) : api_(&api), h_(h) {}
  ~ApiHandle() {
    if (h_ != nullptr) {
      api_->close(h_);
    }
  }
  ApiHandle(const ApiHandle&) = delete;
  ApiHandle& operator=(const ApiHandle&) = delete;
  ApiHandle(ApiHandle&& other) noexcept : api_(other.api_), h_(other.h_) { other.h_ = nullptr; }
  ApiHandle& operator=(ApiHandle&&) = delete;
  EvtApiHandle get() const { return h_; }
  explicit operator bool() const { return h_ != nullptr; }

 private:
  const WevtApi* api_;
  EvtApiHandle h_;
};

// A call's error: GetLastError's text, or (0) what a stub does (wine's wevtapi).
std::string code_text(const WevtApi& api, std::uint32_t code) {
  return code == 0 ? "failed without an error code (the event log API is not implemented here)"
                   : api.error_text(code);
}

std::runtime_error evt_error(const WevtApi& api, const std::string& what, std::uint32_t code) {
  return std::runtime_error(what + ": " + code_text(api, code));
}

}  // namespace

NextOutcome classify_evt_next(bool ok, std::uint32_t returned, std::uint32_t error) {
  if (ok) {
    return returned > 0 ? NextOutcome::events : NextOutcome::failed;
  }
  switch (error) {
    case kErrorNoMoreItems:
      return NextOutcome::end;
    case kErrorTimeout:
      return NextOutcome::timed_out;
    default:
      return NextOutcome::failed;
  }
}

EventBatch WevtSource::read(const EventQuery& q) {
  const auto deadline = clock_() + std::chrono::milliseconds(kReadBudgetMs);
  const std::string& log = q.source->log;
  EventBatch batch;
  // Forward, so events come oldest first and the bookmark is the last one read.
  ApiHandle results(api_,
                    api_.query(log, q.xpath, kEvtQueryChannelPath | kEvtQueryForwardDirection));
  if (!results) {
    const std::uint32_t err = api_.last_error();
    if (err == kErrorEvtChannelNotFound) {
      batch.status = EventBatch::Status::log_missing;
      return batch;
    }
    throw evt_error(api_, "EvtQuery(" + log + ", " + q.xpath + ")", err);
  }
  if (q.bookmark) {
    ApiHandle bookmark(api_, api_.create_bookmark(bookmark_xml(log, q.bookmark->record_id)));
    if (!bookmark) {
      throw evt_error(api_, "EvtCreateBookmark(" + log + ")", api_.last_error());
    }
    // Position 0 with EvtSeekStrict: onto the bookmarked event itself, failing
    // when it "does not exist" (EVT_SEEK_FLAGS, https://learn.microsoft.com/en-us/
    // windows/win32/api/winevt/ne-winevt-evt_seek_flags). Not position 1, the
    // event after it ("Bookmarking Events" leaves the offset to the caller:
    // https://learn.microsoft.com/en-us/windows/win32/wes/bookmarking-events):
    // without the strict flag a seek past the boundary "will return the last
    // record within the boundary", so it never fails on a cleared log; with it,
    // position 1 has no event whenever nothing came after the bookmark - the
    // steady state - and a reset there would count the look-back window again.
    // At position 0 the event read back says which case it is (bookmark_check).
    // EvtSeek's Timeout is "Reserved. Must be zero." and it works on "result sets
    // from an Admin or Operational channel" (Application is an Admin channel; the
    // connector logs are /Admin and /Operational)
    // (https://learn.microsoft.com/en-us/windows/win32/api/winevt/nf-winevt-evtseek).
    if (!api_.seek(results.get(), 0, bookmark.get(), 0,
                   kEvtSeekRelativeToBookmark | kEvtSeekStrict)) {
      const std::uint32_t err = api_.last_error();
      batch.status = EventBatch::Status::seek_failed;
      batch.detail = "EvtSeek(" + log + ", record " + std::to_string(q.bookmark->record_id) +
                     "): " + code_text(api_, err);
      return batch;
    }
  }
  while (batch.events.size() < q.max) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_());
    if (left.count() <= 0) {
      batch.stopped = "EvtNext(" + log + "): the read's time budget of " +
                      std::to_string(kReadBudgetMs) + " ms is used up";
      break;
    }
    EvtApiHandle got_events[kEvtNextBatch] = {};
    std::uint32_t got = 0;
    const auto want = std::min<std::uint32_t>(
        kEvtNextBatch, q.max - static_cast<std::uint32_t>(batch.events.size()));
    // Flags: "Reserved. Must be zero." (EvtNext's documentation).
    const bool ok = api_.next(results.get(), want, got_events,
                              static_cast<std::uint32_t>(left.count()), 0, &got);
    const std::uint32_t err = ok ? 0 : api_.last_error();
    std::vector<ApiHandle> owned;
    for (std::uint32_t i = 0; ok && i < std::min(got, want); ++i) {
      owned.emplace_back(api_, got_events[i]);
    }
    const NextOutcome outcome = classify_evt_next(ok, got, err);
    if (outcome == NextOutcome::end) {
      break;
    }
    if (outcome == NextOutcome::timed_out) {
      batch.stopped = "EvtNext(" + log + ") timed out (ERROR_TIMEOUT) within the read's " +
                      std::to_string(kReadBudgetMs) + " ms";
      break;
    }
    if (outcome == NextOutcome::failed) {
      batch.stopped = "EvtNext(" + log + "): " +
                      (ok ? std::string("returned TRUE and no event") : code_text(api_, err));
      break;
    }
    for (const auto& event : owned) {
      std::string xml;
      if (!api_.render(event.get(), kEvtRenderEventXml, &xml)) {
        throw evt_error(api_, "EvtRender(" + log + ")", api_.last_error());
      }
      batch.events.push_back(std::move(xml));
    }
  }
  return batch;
}

}  // namespace ndes::eventlog
