// The live event log source (wevt_source.h) and the scan's bookmark rule, on
// Linux and under wine: the pure rules (bookmark_check, classify_evt_next), and
// the source through its WevtApi seam over a stand-in log. The stand-in is there
// because no real event log runs here (wine's wevtapi is stubs: docs/windows.md);
// it answers EvtQuery/EvtSeek/EvtNext/EvtRender as their documentation says and
// records the flags and timeouts each call gets.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/time.h"
#include "eventlog/event_record.h"
#include "eventlog/event_scan.h"
#include "eventlog/wevt_api.h"
#include "eventlog/wevt_source.h"

namespace ndes {
namespace {

using eventlog::BookmarkCheck;
using eventlog::NextOutcome;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

const std::string kNdes = "Microsoft-Windows-NetworkDeviceEnrollmentService";
constexpr double kT0 = 1795618800;  // 2026-11-25T15:00:00Z

// ---------------------------------------------------------------------------
// The pure rules.

eventlog::EventRecord record(std::uint64_t id, double time) {
  eventlog::EventRecord r;
  r.record_id = id;
  r.time_unix = time;
  return r;
}

TEST(EventlogBookmarkRule, SteadyStateKeepsTheBookmark) {
  const eventlog::Bookmark bm{4711, kT0};
  // The seek lands on the bookmarked event itself: read back, same ID, same time.
  EXPECT_EQ(eventlog::bookmark_check(bm, false, record(4711, kT0)), BookmarkCheck::keep);
  // A bookmark within the result set's bounds but not in it: the next record.
  EXPECT_EQ(eventlog::bookmark_check(bm, false, record(4712, kT0 + 1)), BookmarkCheck::keep);
  EXPECT_EQ(eventlog::bookmark_check(bm, false, std::nullopt), BookmarkCheck::keep);
}

TEST(EventlogBookmarkRule, AClearedLogResetsIt) {
  const eventlog::Bookmark bm{4711, kT0};
  // Fewer records than the ID: the strict seek fails.
  EXPECT_EQ(eventlog::bookmark_check(bm, true, std::nullopt), BookmarkCheck::reset);
  // An older record read back (a seek that fell back to the last record).
  EXPECT_EQ(eventlog::bookmark_check(bm, false, record(12, kT0 + 60)), BookmarkCheck::reset);
  // Grown past the ID since the clear: the same ID is another, later event.
  EXPECT_EQ(eventlog::bookmark_check(bm, false, record(4711, kT0 + 60)), BookmarkCheck::reset);
}

TEST(EventlogBookmarkRule, AWrappedLogResetsIt) {
  // The bookmarked record was overwritten: it is before the first record.
  EXPECT_EQ(eventlog::bookmark_check({4711, kT0}, true, std::nullopt), BookmarkCheck::reset);
}

TEST(EventlogBookmarkRule, NewerComparesTimesThenRecordIds) {
  const eventlog::Bookmark bm{4711, kT0};
  EXPECT_TRUE(eventlog::newer(record(3, kT0 + 1), bm));  // cleared: a low ID, later
  EXPECT_TRUE(eventlog::newer(record(4712, kT0), bm));   // the same second, after it
  EXPECT_FALSE(eventlog::newer(record(4711, kT0), bm));
  EXPECT_FALSE(eventlog::newer(record(9000, kT0 - 1), bm));
}

TEST(EvtNextClassification, OnlyNoMoreItemsEndsTheRead) {
  EXPECT_EQ(eventlog::classify_evt_next(true, 64, 0), NextOutcome::events);
  EXPECT_EQ(eventlog::classify_evt_next(false, 0, eventlog::kErrorNoMoreItems), NextOutcome::end);
  EXPECT_EQ(eventlog::classify_evt_next(false, 0, eventlog::kErrorTimeout), NextOutcome::timed_out);
  EXPECT_EQ(eventlog::classify_evt_next(false, 0, 5), NextOutcome::failed);  // access denied
  EXPECT_EQ(eventlog::classify_evt_next(false, 0, 0), NextOutcome::failed);  // a stub
  EXPECT_EQ(eventlog::classify_evt_next(true, 0, 0), NextOutcome::failed);   // would loop
}

TEST(EventlogXpath, AfterAResetTheQueryIsByTime) {
  const EventlogSource ndes{"Application", kNdes, {2}};
  EXPECT_EQ(eventlog::xpath_query_since(ndes, kT0 + 5.75),
            "*[System[Provider[@Name='" + kNdes +
                "'] and (EventID=2) and TimeCreated[@SystemTime >= "
                "'2026-11-25T15:00:05.000Z']]]");
}

// ---------------------------------------------------------------------------
// The stand-in log behind the seam.

class StandInLog {
 public:
  struct Record {
    std::uint64_t id;
    double time;
  };
  struct QueryCall {
    std::string path, xpath;
    std::uint32_t flags;
  };
  struct SeekCall {
    std::int64_t position;
    bool with_bookmark;
    std::uint32_t timeout, flags;
  };
  struct NextCall {
    std::uint32_t size, timeout_ms, flags;
  };

  std::vector<Record> records;  // oldest first, all NDES event 2 of Application
  int fail_next_call = 0;       // the EvtNext call (1, 2, ...) that fails; 0 = none
  std::uint32_t next_error = eventlog::kErrorTimeout;
  std::uint32_t query_error = 0;  // EvtQuery fails with this (0: does not fail)
  bool query_fails = false;

  std::vector<QueryCall> queries;
  std::vector<std::string> bookmarks;
  std::vector<SeekCall> seeks;
  std::vector<NextCall> nexts;
  std::vector<std::uint32_t> render_flags;

  // Records `first`..`last` (IDs), a second apart from `start`.
  void add(std::uint64_t first, std::uint64_t last, double start) {
    for (auto id = first; id <= last; ++id) {
      records.push_back({id, start + static_cast<double>(id - first)});
    }
  }
  std::size_t open_handles() const { return objects_.size(); }

  eventlog::WevtApi api() {
    eventlog::WevtApi a;
    a.query = [this](const std::string& path, const std::string& xpath, std::uint32_t flags) {
      queries.push_back({path, xpath, flags});
      if (path != "Application") {
        error_ = eventlog::kErrorEvtChannelNotFound;
        return eventlog::EvtApiHandle{};
      }
      if (query_fails) {
        error_ = query_error;
        return eventlog::EvtApiHandle{};
      }
      return make(Object{Object::results, 0});
    };
    a.create_bookmark = [this](const std::string& xml) {
      bookmarks.push_back(xml);
      const auto at = xml.find("RecordId='");
      return make(Object{Object::bookmark, std::stoull(xml.substr(at + 10))});
    };
    a.seek = [this](eventlog::EvtApiHandle results, std::int64_t position,
                    eventlog::EvtApiHandle bookmark, std::uint32_t timeout, std::uint32_t flags) {
      seeks.push_back({position, bookmark != nullptr, timeout, flags});
      // EvtSeekStrict: "Force the function to fail if the event does not exist."
      const std::uint64_t id = objects_.at(bookmark).n;
      for (std::size_t i = 0; i < records.size(); ++i) {
        if (records[i].id == id) {
          objects_.at(results).n = i + static_cast<std::size_t>(position);
          return true;
        }
      }
      error_ = 1168;  // ERROR_NOT_FOUND
      return false;
    };
    a.next = [this](eventlog::EvtApiHandle results, std::uint32_t size,
                    eventlog::EvtApiHandle* events, std::uint32_t timeout_ms, std::uint32_t flags,
                    std::uint32_t* returned) {
      nexts.push_back({size, timeout_ms, flags});
      *returned = 0;
      if (static_cast<int>(nexts.size()) == fail_next_call) {
        error_ = next_error;
        return false;
      }
      auto& at = objects_.at(results).n;
      if (at >= records.size()) {
        error_ = eventlog::kErrorNoMoreItems;
        return false;
      }
      for (; *returned < size && at < records.size(); ++*returned, ++at) {
        events[*returned] = make(Object{Object::event, at});
      }
      return true;
    };
    a.render = [this](eventlog::EvtApiHandle event, std::uint32_t flags, std::string* text) {
      render_flags.push_back(flags);
      const Record& r = records.at(objects_.at(event).n);
      std::string time = format_time(static_cast<std::int64_t>(r.time));
      *text =
          "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
          "<Provider Name='" +
          kNdes + "'/><EventID>2</EventID><Level>2</Level><TimeCreated SystemTime='" + time +
          "'/><EventRecordID>" + std::to_string(r.id) +
          "</EventRecordID><Channel>Application</Channel></System></Event>";
      return true;
    };
    a.close = [this](eventlog::EvtApiHandle h) {
      EXPECT_EQ(objects_.erase(h), 1u) << "a handle closed twice, or never opened";
    };
    a.last_error = [this] { return error_; };
    a.error_text = [](std::uint32_t code) { return "error " + std::to_string(code); };
    return a;
  }

 private:
  struct Object {
    enum Kind { results, bookmark, event } kind;
    std::uint64_t n;  // results: the next record's index; bookmark: its ID; event: its index
  };
  eventlog::EvtApiHandle make(Object o) {
    auto* h = reinterpret_cast<eventlog::EvtApiHandle>(++last_handle_);
    objects_.emplace(h, o);
    return h;
  }
  std::map<eventlog::EvtApiHandle, Object> objects_;
  std::uintptr_t last_handle_ = 0;
  std::uint32_t error_ = 0;
};

// A steady clock that moves only when the test says so.
struct TestClock {
  std::chrono::steady_clock::time_point now{};
  std::chrono::milliseconds per_call{0};  // added on every reading
  eventlog::WevtSource::Clock fn() {
    return [this] {
      const auto t = now;
      now += per_call;
      return t;
    };
  }
};

EventlogCollectorConfig ndes_only() {
  EventlogCollectorConfig config;
  config.sources = {{"Application", kNdes, {2}}};
  config.look_back_seconds = 3600;
  return config;
}

double events_counted(const eventlog::EventScan& scan) {
  double n = 0;
  for (const auto& s : scan.samples()) {
    if (s.name == "ndes_eventlog_events_total") {
      n += s.value;
    }
  }
  return n;
}

double resets(const eventlog::EventScan& scan) {
  for (const auto& s : scan.samples()) {
    if (s.name == "ndes_eventlog_bookmark_resets_total" && s.labels.at("log") == "Application") {
      EXPECT_EQ(s.type, SampleType::counter);
      EXPECT_THAT(s.help, HasSubstr("bookmark"));
      return s.value;
    }
  }
  ADD_FAILURE() << "no ndes_eventlog_bookmark_resets_total{log=\"Application\"}";
  return -1;
}

constexpr double kNow = kT0 + 1800;  // the window (1 h) starts at 14:30

// The live source over a stand-in log, with a clock that moves only when told,
// and a scan of the log's NDES event 2.
struct LiveScan {
  StandInLog log;
  TestClock clock;
  eventlog::WevtApi api = log.api();
  eventlog::WevtSource source{api, clock.fn()};
  eventlog::EventScan scan{ndes_only()};
  std::vector<std::string> scrape(double now) { return scan.scrape(source, now); }
};

// ---------------------------------------------------------------------------
// Each call site's flags and timeouts.

TEST(WevtSeam, EachCallGetsTheDocumentedFlagsAndTimeouts) {
  LiveScan s;
  const StandInLog& log = s.log;
  s.log.add(1, 100, kT0);
  ASSERT_THAT(s.scrape(kNow), IsEmpty());
  EXPECT_EQ(events_counted(s.scan), 100);
  // EvtQuery: the channel, forward (oldest first: the bookmark is the last read).
  ASSERT_EQ(log.queries.size(), 1u);
  EXPECT_EQ(log.queries[0].path, "Application");
  EXPECT_EQ(log.queries[0].xpath, eventlog::xpath_query({"Application", kNdes, {2}}, 3600000));
  EXPECT_EQ(log.queries[0].flags, 0x1u | 0x100u);  // EvtQueryChannelPath | ...ForwardDirection
  // EvtNext: at most 64 handles, the read's whole budget as the timeout (not a
  // timeout read as "no more"), flags 0 ("Reserved. Must be zero.").
  ASSERT_EQ(log.nexts.size(), 3u);  // 64, 36, ERROR_NO_MORE_ITEMS
  for (const auto& n : log.nexts) {
    EXPECT_EQ(n.size, 64u);
    EXPECT_EQ(n.timeout_ms, eventlog::kReadBudgetMs);
    EXPECT_EQ(n.flags, 0u);
  }
  EXPECT_EQ(log.render_flags, std::vector<std::uint32_t>(100, 1u));  // EvtRenderEventXml
  EXPECT_TRUE(log.seeks.empty());                                    // no bookmark yet

  s.log.add(101, 102, kT0 + 200);
  ASSERT_THAT(s.scrape(kNow + 15), IsEmpty());
  EXPECT_EQ(events_counted(s.scan), 102);
  // EvtCreateBookmark: the newest record read; EvtSeek onto it, strictly.
  EXPECT_THAT(log.bookmarks, ElementsAre(eventlog::bookmark_xml("Application", 100)));
  ASSERT_EQ(log.seeks.size(), 1u);
  EXPECT_EQ(log.seeks[0].position, 0);
  EXPECT_TRUE(log.seeks[0].with_bookmark);
  EXPECT_EQ(log.seeks[0].timeout, 0u);           // "Reserved. Must be zero."
  EXPECT_EQ(log.seeks[0].flags, 4u | 0x10000u);  // ...RelativeToBookmark | EvtSeekStrict
  EXPECT_EQ(log.queries[1].xpath, eventlog::xpath_query({"Application", kNdes, {2}}, 0));
  EXPECT_EQ(log.open_handles(), 0u) << "every handle EvtClose'd";
}

TEST(WevtSeam, EachEvtNextWaitsWhatIsLeftOfTheBudget) {
  LiveScan s;
  s.log.add(1, 200, kT0);
  s.clock.per_call = std::chrono::milliseconds(1500);  // each reading of the clock
  const auto errors = s.scrape(kNow);
  // Read at 0 (the deadline), then 1.5 s, 3 s, 4.5 s: 3.5 s, 2 s and 0.5 s left.
  std::vector<std::uint32_t> timeouts;
  for (const auto& n : s.log.nexts) {
    timeouts.push_back(n.timeout_ms);
  }
  EXPECT_THAT(timeouts, ElementsAre(3500u, 2000u, 500u));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], HasSubstr("EvtNext(Application): the read's time budget of 5000 ms"));
  EXPECT_THAT(errors[0], HasSubstr("read up to record 192 of Application"));
  EXPECT_EQ(events_counted(s.scan), 192);
  EXPECT_EQ(s.log.open_handles(), 0u);
}

// ---------------------------------------------------------------------------
// Errors are errors, never a silent zero.

// The errors of a first scrape of records 1..100 whose EvtNext call `call`
// fails with `error`.
std::vector<std::string> scrape_failing(LiveScan& s, int call, std::uint32_t error) {
  s.log.add(1, 100, kT0);
  s.log.fail_next_call = call;
  s.log.next_error = error;
  return s.scrape(kNow);
}

TEST(WevtSource, ATimeoutIsAnErrorAndTheNextScrapeGoesOn) {
  LiveScan s;
  const auto errors = scrape_failing(s, 2, eventlog::kErrorTimeout);  // after 64 events
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], HasSubstr("EvtNext(Application) timed out (ERROR_TIMEOUT)"));
  EXPECT_THAT(errors[0], HasSubstr("read up to record 64 of Application"));
  EXPECT_EQ(events_counted(s.scan), 64);
  // The next scrape goes on from record 64: the rest, once.
  ASSERT_THAT(s.scrape(kNow + 15), IsEmpty());
  EXPECT_EQ(events_counted(s.scan), 100);
  EXPECT_EQ(resets(s.scan), 0);
}

TEST(WevtSource, ATimeoutBeforeTheFirstEventSaysSo) {
  LiveScan s;
  const auto errors = scrape_failing(s, 1, eventlog::kErrorTimeout);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], HasSubstr("timed out"));
  EXPECT_THAT(errors[0], HasSubstr("no new event of Application read"));
  EXPECT_EQ(events_counted(s.scan), 0);
}

TEST(WevtSource, AnyOtherEvtNextErrorIsAnError) {
  LiveScan s;
  const auto errors = scrape_failing(s, 1, 5);  // ERROR_ACCESS_DENIED
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], HasSubstr("EvtNext(Application): error 5"));
}

TEST(WevtSource, AStubEvtQueryAndAMissingLog) {
  StandInLog log;
  log.query_fails = true;  // wine: no handle, no error code
  const auto api = log.api();
  eventlog::WevtSource source(api);
  EventlogCollectorConfig config = ndes_only();
  config.sources.push_back({"Microsoft-Intune-CertificateConnectors/Admin", "", {}});
  eventlog::EventScan scan(config);
  const auto errors = scan.scrape(source, kNow);
  // The missing log is skipped (ERROR_EVT_CHANNEL_NOT_FOUND); the stub is an error.
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], HasSubstr("EvtQuery(Application, "));
  EXPECT_THAT(errors[0], HasSubstr("failed without an error code"));
}

// ---------------------------------------------------------------------------
// The bookmark over the stand-in log: steady, cleared, wrapped.

// A scan that has read records 1..100 (the newest at kT0 + 99).
struct ScannedLog : LiveScan {
  ScannedLog() {
    log.add(1, 100, kT0);
    EXPECT_THAT(scrape(kNow), IsEmpty());
    EXPECT_EQ(events_counted(scan), 100);
  }
};

TEST(WevtBookmark, SteadyState) {
  ScannedLog s;
  ASSERT_THAT(s.scrape(kNow + 15), IsEmpty());  // nothing new
  EXPECT_EQ(events_counted(s.scan), 100);
  s.log.add(101, 103, kT0 + 300);
  ASSERT_THAT(s.scrape(kNow + 30), IsEmpty());
  EXPECT_EQ(events_counted(s.scan), 103);
  EXPECT_EQ(resets(s.scan), 0);
  EXPECT_EQ(s.log.seeks.size(), 2u);
}

TEST(WevtBookmark, AClearedLog) {
  ScannedLog s;
  s.log.records.clear();
  s.log.add(1, 5, kT0 + 600);  // numbered from 1 again, after the clear
  ASSERT_THAT(s.scrape(kNow + 15), IsEmpty());
  EXPECT_EQ(resets(s.scan), 1);
  EXPECT_EQ(events_counted(s.scan), 105) << "the 5 new events, in the same scrape";
  EXPECT_THAT(s.log.queries.back().xpath, HasSubstr("@SystemTime >= '2026-11-25T15:01:39.000Z'"));
  ASSERT_THAT(s.scrape(kNow + 30), IsEmpty());  // the new bookmark: record 5
  EXPECT_EQ(events_counted(s.scan), 105);
  EXPECT_EQ(resets(s.scan), 1);
}

TEST(WevtBookmark, AClearedLogThatGrewPastTheBookmarkedId) {
  ScannedLog s;
  s.log.records.clear();
  s.log.add(1, 150, kT0 + 600);  // record 100 is there again: another event
  ASSERT_THAT(s.scrape(kNow + 15), IsEmpty());
  EXPECT_EQ(resets(s.scan), 1);
  EXPECT_EQ(events_counted(s.scan), 250);
}

TEST(WevtBookmark, AWrappedLogDoesNotCountTheWindowAgain) {
  ScannedLog s;
  // Overwritten as needed: records 1..100 are gone, the numbering goes on, and
  // the strict seek fails. Two hours later, the look-back window (the last hour)
  // would miss records 101..160 (and where the bookmarked record was still there,
  // count again what was counted); the scan asks for what is newer than the lost
  // bookmark instead.
  s.log.records.clear();
  s.log.add(101, 160, kT0 + 100);
  const double later = kT0 + 7200;
  ASSERT_THAT(s.scrape(later), IsEmpty());
  EXPECT_EQ(resets(s.scan), 1);
  EXPECT_EQ(events_counted(s.scan), 160);
  EXPECT_THAT(s.log.queries.back().xpath, Not(HasSubstr("timediff")));
  ASSERT_THAT(s.scrape(later + 15), IsEmpty());
  EXPECT_EQ(events_counted(s.scan), 160);
  EXPECT_EQ(resets(s.scan), 1);
}

}  // namespace
}  // namespace ndes
