#include "eventlog/xml_dir_source.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <system_error>

#include "base/log.h"
#include "base/text.h"
#include "base/xml_lite.h"

namespace ndes::eventlog {
namespace {

namespace fs = std::filesystem;

// Paths as UTF-8 both ways (the option's value is UTF-8; Windows paths are UTF-16).
fs::path from_utf8(const std::string& s) { return fs::path(std::u8string(s.begin(), s.end())); }
std::string utf8(const fs::path& p) {
  const auto s = p.u8string();
  return std::string(s.begin(), s.end());
}

struct FileEvent {
  EventRecord record;
  std::string xml;
};

}  // namespace

std::vector<std::string_view> split_events(std::string_view text, std::string* error) {
  std::vector<std::string_view> out;
  constexpr std::string_view kEnd = "</Event>";
  std::size_t pos = 0;
  while ((pos = text.find("<Event", pos)) != std::string_view::npos) {
    const std::size_t after = pos + 6;
    // <EventData>, <EventID>, <EventRecordID> and <Events> are not events.
    if (after >= text.size() ||
        std::string_view(" \t\r\n>/").find(text[after]) == std::string_view::npos) {
      pos = after;
      continue;
    }
    const std::size_t end = text.find(kEnd, after);
    if (end == std::string_view::npos) {
      if (error != nullptr) {
        *error = "an <Event> without its </Event> (a truncated export?)";
      }
      break;
    }
    out.push_back(text.substr(pos, end + kEnd.size() - pos));
    pos = end + kEnd.size();
  }
  return out;
}

std::string file_text_as_utf8(std::string bytes) {
  if (bytes.rfind("\xEF\xBB\xBF", 0) == 0) {
    return bytes.substr(3);
  }
  if (bytes.rfind("\xFF\xFE", 0) != 0) {
    return bytes;
  }
  std::string out;
  for (std::size_t i = 2; i + 1 < bytes.size(); i += 2) {
    char32_t c =
        static_cast<unsigned char>(bytes[i]) | (static_cast<unsigned char>(bytes[i + 1]) << 8);
    if (c >= 0xD800 && c < 0xDC00 && i + 3 < bytes.size()) {
      const char32_t low = static_cast<unsigned char>(bytes[i + 2]) |
                           (static_cast<unsigned char>(bytes[i + 3]) << 8);
      if (low >= 0xDC00 && low < 0xE000) {
        c = 0x10000 + ((c - 0xD800) << 10) + (low - 0xDC00);
        i += 2;
      }
    }
    xml::append_utf8(out, c);
  }
  return out;
}

void XmlDirSource::warn_once(std::string_view msg, const std::string& file,
                             const std::string& error) {
  if (warned_.insert(std::string(msg) + '\n' + file + '\n' + error).second) {
    log_warn(msg, {{"collector", "eventlog"}, {"file", file}, {"err", error}});
  }
}

EventBatch XmlDirSource::read(const EventQuery& query) {
  std::error_code ec;
  std::vector<fs::path> files;
  for (fs::directory_iterator it(from_utf8(dir_), ec), end; !ec && it != end; it.increment(ec)) {
    const auto ext = it->path().extension().string();
    if (it->is_regular_file() && iequals(ext, ".xml")) {
      files.push_back(it->path());
    }
  }
  if (ec) {
    throw std::runtime_error("the event XML directory " + dir_ +
                             " cannot be read: " + ec.message());
  }
  std::sort(files.begin(), files.end());
  std::vector<FileEvent> events;
  bool bookmark_there = false;
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    const std::string text = file_text_as_utf8(std::string(std::istreambuf_iterator<char>(in), {}));
    if (!in && !in.eof()) {
      throw std::runtime_error("the event XML file " + utf8(file) + " cannot be read");
    }
    std::string error;
    const auto pieces = split_events(text, &error);
    if (!error.empty()) {
      warn_once("event XML file partly unreadable", utf8(file), error);
    }
    for (const auto piece : pieces) {
      auto record = parse_event_xml(piece, &error);
      if (!record) {
        warn_once("event skipped", utf8(file), error);
        continue;
      }
      if (!iequals(record->log, query.source->log)) {
        continue;  // another log's event
      }
      if (!in_result_set(query, *record)) {
        continue;
      }
      bookmark_there =
          bookmark_there || (query.bookmark && record->record_id == query.bookmark->record_id);
      events.push_back(FileEvent{std::move(*record), std::string(piece)});
    }
  }
  EventBatch batch;
  if (query.bookmark && !bookmark_there) {
    // As EvtSeek with EvtSeekStrict fails for a record that is not there.
    batch.status = EventBatch::Status::seek_failed;
    batch.detail =
        "event record " + std::to_string(query.bookmark->record_id) + " is no longer in " + dir_;
    return batch;
  }
  std::stable_sort(events.begin(), events.end(), [](const FileEvent& a, const FileEvent& b) {
    return a.record.record_id < b.record.record_id;
  });
  for (auto& e : events) {
    if (batch.events.size() >= query.max) {
      break;
    }
    batch.events.push_back(std::move(e.xml));
  }
  return batch;
}

}  // namespace ndes::eventlog
