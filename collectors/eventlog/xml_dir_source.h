// An EventSource that reads exported events instead of the live log
// (--collector.eventlog.xml-dir): every *.xml file of a directory, each holding
// one or more <Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">
// elements exactly as `wevtutil qe <log> /f:xml` writes them (with or without
// /e:Events' root element) and EvtRender(EvtRenderEventXml) gives them; UTF-8 or
// UTF-16LE with a BOM (PowerShell's `>`). For offline analysis of an export and
// for tests where the Windows event log API is missing (wine's wevtapi is stubs).
//
// It answers a query as EvtQuery and EvtSeek on the log would: the events whose
// <Channel> is the query's log and that are in its result set (in_result_set():
// provider, IDs, and the bookmarked event and after it, or the window, or newer
// than a lost bookmark), in EventRecordID order, at most max. A bookmarked
// record that is not there fails the seek, as EvtSeekStrict does. The directory
// is read again on every scrape, so files added later are new events. Thin on
// purpose: the parsing, counting and bookmarks are EventScan's, the same as for
// the live log.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "eventlog/event_scan.h"

namespace ndes::eventlog {

// The <Event> elements of a file's text, in order. A truncated last element is
// left out and *error says so.
std::vector<std::string_view> split_events(std::string_view text, std::string* error);

// A file's bytes as UTF-8: a UTF-8 BOM is dropped, UTF-16LE with a BOM converted.
std::string file_text_as_utf8(std::string bytes);

class XmlDirSource : public EventSource {
 public:
  explicit XmlDirSource(std::string dir) : dir_(std::move(dir)) {}
  // Throws std::runtime_error naming the directory when it cannot be read.
  EventBatch read(const EventQuery& query) override;

 private:
  // Logs a problem with one file once, not on every scrape.
  void warn_once(std::string_view msg, const std::string& file, const std::string& error);

  std::string dir_;
  std::set<std::string> warned_;
};

}  // namespace ndes::eventlog
