// The Windows health collectors' pure parts: service states, applicationHost.config,
// event XML, the NDES registry values. Shared by the Linux build (tests/unit) and
// the Windows build under wine (tests/windows), unchanged.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "common/win_time.h"
#include "base/xml_lite.h"
#include "eventlog/event_record.h"
#include "eventlog/event_scan.h"
#include "eventlog/xml_dir_source.h"
#include "iis/app_pool.h"
#include "ndes_registry/registry_facts.h"
#include "services/service_model.h"

namespace ndes {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// The value of the one sample with this name and these labels; fails if there is
// not exactly one.
double value_of(const std::vector<Sample>& samples, const std::string& name,
                const std::map<std::string, std::string>& labels) {
  const Sample* found = nullptr;
  int n = 0;
  for (const auto& s : samples) {
    if (s.name == name && s.labels == labels) {
      found = &s;
      ++n;
    }
  }
  EXPECT_EQ(n, 1) << name;
  return found != nullptr ? found->value : -1;
}

int count_named(const std::vector<Sample>& samples, const std::string& name) {
  return static_cast<int>(std::count_if(samples.begin(), samples.end(),
                                        [&](const Sample& s) { return s.name == name; }));
}

// ---------------------------------------------------------------------------
// xml_lite

TEST(XmlLite, ReadsElementsAttributesTextAndEntities) {
  std::string error;
  const auto root = xml::parse(
      "\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<!-- c --><a x='1 &amp; 2' y=\"&#x41;&#66;\">"
      "t&lt;1<b/><![CDATA[<raw>]]><c z='q'>in</c></a>",
      &error);
  ASSERT_TRUE(root) << error;
  EXPECT_EQ(root->name, "a");
  EXPECT_EQ(root->attribute("x"), "1 & 2");
  EXPECT_EQ(root->attribute("y"), "AB");
  EXPECT_EQ(root->text, "t<1<raw>");
  ASSERT_NE(root->child("c"), nullptr);
  EXPECT_EQ(root->child("c")->text, "in");
  EXPECT_EQ(root->child("missing"), nullptr);
}

TEST(XmlLite, MalformedDocumentsSayWhatAndWhere) {
  std::string error;
  EXPECT_FALSE(xml::parse("<a>\n<b></a>", &error));
  EXPECT_THAT(error, HasSubstr("line 2"));
  EXPECT_THAT(error, HasSubstr("<b> is closed by </a>"));
  EXPECT_FALSE(xml::parse("", &error));
  EXPECT_THAT(error, HasSubstr("no root element"));
  EXPECT_FALSE(xml::parse("<a x=1/>", &error));
  EXPECT_THAT(error, HasSubstr("not quoted"));
  EXPECT_FALSE(xml::parse("<a>&bogus;</a>", &error));
  EXPECT_THAT(error, HasSubstr("unknown entity"));
  EXPECT_FALSE(xml::parse("<a/><b/>", &error));
  EXPECT_FALSE(xml::parse(std::string(1000, '<'), &error));
  std::string deep;
  for (int i = 0; i < 500; ++i) {
    deep += "<d>";
  }
  EXPECT_FALSE(xml::parse(deep, &error));
  EXPECT_THAT(error, HasSubstr("deeper"));
}

// ---------------------------------------------------------------------------
// services

TEST(ServiceModel, StateAndStartModeNamesFollowTheWin32Constants) {
  const std::pair<std::uint32_t, const char*> states[] = {
      {1, "stopped"}, {2, "start_pending"},    {3, "stop_pending"},
      {4, "running"}, {5, "continue_pending"}, {6, "pause_pending"},
      {7, "paused"},  {0, "unknown"},          {99, "unknown"}};
  for (const auto& [state, name] : states) {
    EXPECT_EQ(services::state_name(state), name) << state;
  }
  struct StartMode {
    std::uint32_t type;
    bool delayed;
    const char* name;
  };
  for (const StartMode& m : {StartMode{2, false, "auto"}, StartMode{2, true, "delayed_auto"},
                             StartMode{3, true, "manual"}, StartMode{4, false, "disabled"},
                             StartMode{0, false, "boot"}, StartMode{1, false, "system"}}) {
    EXPECT_EQ(services::start_mode_name(m.type, m.delayed), m.name) << m.type << m.delayed;
  }
  EXPECT_EQ(services::start_mode_name(5, false), std::nullopt);
}

TEST(ServiceModel, AnInstalledServiceHasOneSeriesPerStateAndMode) {
  const auto samples = services::service_samples({"W3SVC", true, 4, 2, true});
  EXPECT_EQ(value_of(samples, "ndes_service_installed", {{"name", "W3SVC"}}), 1);
  EXPECT_EQ(count_named(samples, "ndes_service_state"), 8);
  EXPECT_EQ(count_named(samples, "ndes_service_start_mode"), 6);
  EXPECT_EQ(value_of(samples, "ndes_service_state", {{"name", "W3SVC"}, {"state", "running"}}), 1);
  EXPECT_EQ(value_of(samples, "ndes_service_state", {{"name", "W3SVC"}, {"state", "stopped"}}), 0);
  EXPECT_EQ(value_of(samples, "ndes_service_start_mode",
                     {{"name", "W3SVC"}, {"start_mode", "delayed_auto"}}),
            1);
  EXPECT_EQ(
      value_of(samples, "ndes_service_start_mode", {{"name", "W3SVC"}, {"start_mode", "auto"}}), 0);
}

TEST(ServiceModel, AMissingServiceIsOnlyNotInstalled) {
  const auto samples = services::service_samples({"PKIConnectorSvc", false, 0, 0, false});
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_EQ(value_of(samples, "ndes_service_installed", {{"name", "PKIConnectorSvc"}}), 0);
}

// ---------------------------------------------------------------------------
// iis

// The shape of a Windows Server 2022 applicationHost.config with NDES installed.
constexpr const char* kAppHost = R"(<?xml version="1.0" encoding="UTF-8"?>
<!-- applicationHost.config -->
<configuration>
    <configSections>
        <sectionGroup name="system.applicationHost">
            <section name="applicationPools" allowDefinition="AppHostOnly" overrideModeDefault="Deny" />
        </sectionGroup>
    </configSections>
    <system.applicationHost>
        <applicationPools>
            <add name="DefaultAppPool" />
            <add name="SCEP" managedRuntimeVersion="v4.0">
                <processModel identityType="SpecificUser" userName="CORP\gmsa-ndes$" />
            </add>
            <add name="Legacy" autoStart="false">
                <processModel identityType="NetworkService" />
            </add>
            <add name="Plain &amp; Simple">
                <processModel identityType="SpecificUser" userName="CORP\svc-ndes" password="[enc:IISCngProvider:xyz:enc]" />
            </add>
            <applicationPoolDefaults managedRuntimeVersion="v4.0">
                <processModel identityType="ApplicationPoolIdentity" loadUserProfile="true" setProfileEnvironment="false" />
            </applicationPoolDefaults>
        </applicationPools>
        <sites>
            <site name="Default Web Site" id="1"><application path="/certsrv/mscep" applicationPool="SCEP" /></site>
        </sites>
    </system.applicationHost>
</configuration>
)";

TEST(IisAppPool, ReadsPoolsAndTheirIdentities) {
  std::string error;
  const auto pools = iis::parse_app_pools(kAppHost, &error);
  ASSERT_TRUE(pools) << error;
  ASSERT_EQ(pools->size(), 4u);
  EXPECT_EQ((*pools)[0].name, "DefaultAppPool");
  EXPECT_EQ((*pools)[0].identity_type, "ApplicationPoolIdentity");
  EXPECT_EQ(iis::identity_account((*pools)[0]), "IIS APPPOOL\\DefaultAppPool");
  EXPECT_EQ(iis::identity_account((*pools)[1]), "CORP\\gmsa-ndes$");
  EXPECT_EQ(iis::identity_account((*pools)[2]), "NT AUTHORITY\\NETWORK SERVICE");
  EXPECT_EQ((*pools)[3].name, "Plain & Simple");
  EXPECT_EQ(iis::identity_account((*pools)[3]), "CORP\\svc-ndes");
  EXPECT_TRUE(iis::find_pool(*pools, "scep"));
  EXPECT_FALSE(iis::find_pool(*pools, "nope"));
}

TEST(IisAppPool, SamplesCarryStateAndIdentityWithTheGmsaFlag) {
  std::string error;
  const auto pools = iis::parse_app_pools(kAppHost, &error);
  ASSERT_TRUE(pools) << error;
  const auto samples = iis::app_pool_samples("SCEP", iis::find_pool(*pools, "SCEP"),
                                             iis::state_from_appcmd("Started\r\n"));
  EXPECT_EQ(count_named(samples, "ndes_iis_app_pool_state"), 5);
  EXPECT_EQ(value_of(samples, "ndes_iis_app_pool_state", {{"pool", "SCEP"}, {"state", "started"}}),
            1);
  EXPECT_EQ(value_of(samples, "ndes_iis_app_pool_state", {{"pool", "SCEP"}, {"state", "stopped"}}),
            0);
  EXPECT_EQ(value_of(samples, "ndes_iis_app_pool_identity_info",
                     {{"pool", "SCEP"},
                      {"identity", "CORP\\gmsa-ndes$"},
                      {"identity_type", "SpecificUser"},
                      {"gmsa", "true"}}),
            1);
  const auto plain =
      iis::app_pool_samples("Plain & Simple", iis::find_pool(*pools, "Plain & Simple"), "stopped");
  EXPECT_EQ(value_of(plain, "ndes_iis_app_pool_identity_info",
                     {{"pool", "Plain & Simple"},
                      {"identity", "CORP\\svc-ndes"},
                      {"identity_type", "SpecificUser"},
                      {"gmsa", "false"}}),
            1);
}

TEST(IisAppPool, AppcmdStatesAndAPoolThatIsNotDeclared) {
  EXPECT_EQ(iis::state_from_appcmd("Stopped"), "stopped");
  EXPECT_EQ(iis::state_from_appcmd("  starting \n"), "starting");
  EXPECT_EQ(iis::state_from_appcmd("Stopping"), "stopping");
  EXPECT_EQ(iis::state_from_appcmd("ERROR ( message:Cannot find APPPOOL )"), "unknown");
  const auto samples = iis::app_pool_samples("Gone", std::nullopt, "unknown");
  EXPECT_EQ(count_named(samples, "ndes_iis_app_pool_identity_info"), 0);
  EXPECT_EQ(value_of(samples, "ndes_iis_app_pool_state", {{"pool", "Gone"}, {"state", "unknown"}}),
            1);
}

TEST(IisAppPool, BadConfigFilesAreClearErrors) {
  std::string error;
  EXPECT_FALSE(iis::parse_app_pools("<configuration><system.applicationHost>", &error));
  EXPECT_THAT(error, HasSubstr("not well-formed XML"));
  EXPECT_FALSE(iis::parse_app_pools("<html/>", &error));
  EXPECT_THAT(error, HasSubstr("not <configuration>"));
  const auto none = iis::parse_app_pools("<configuration/>", &error);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

// ---------------------------------------------------------------------------
// eventlog

// The event XML fixtures (tests/windows/events/README.md): as wevtutil qe /f:xml
// writes them and EvtRender(EvtRenderEventXml) renders them.
std::string fixture_path(const std::string& name) {
  return std::string(NDES_EVENT_FIXTURES_DIR) + "/" + name;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The fixture file's event with that EventID.
std::string fixture_event(const std::string& file, unsigned id) {
  static std::map<std::string, std::string> texts;
  auto& text = texts[file];
  if (text.empty()) {
    text = read_file(fixture_path(file));
  }
  std::string error;
  for (const auto piece : eventlog::split_events(text, &error)) {
    const auto ev = eventlog::parse_event_xml(piece, &error);
    if (ev && ev->event_id == id) {
      return std::string(piece);
    }
  }
  ADD_FAILURE() << "no event " << id << " in " << file;
  return {};
}

const std::string kNdesEvent2 = fixture_event("application.xml", 2);
const std::string kConnectorEvent = fixture_event("connector-admin.xml", 1002);

TEST(EventRecord, ParsesRenderedEventXml) {
  std::string error;
  const auto ev = eventlog::parse_event_xml(kNdesEvent2, &error);
  ASSERT_TRUE(ev) << error;
  EXPECT_EQ(ev->provider, "Microsoft-Windows-NetworkDeviceEnrollmentService");
  EXPECT_EQ(ev->event_id, 2u);
  EXPECT_EQ(ev->level, 2u);
  EXPECT_EQ(ev->log, "Application");
  EXPECT_EQ(ev->record_id, 48213u);
  // date -u -d 2026-11-25T15:04:05Z +%s
  EXPECT_NEAR(ev->time_unix, 1795619045.1234567, 1e-6);
}

TEST(EventRecord, ClassicSourcesAndQualifiers) {
  // A classic (ReportEvent) source: the ID carries Qualifiers, the provider may
  // have only EventSourceName.
  std::string error;
  const auto ev = eventlog::parse_event_xml(
      "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
      "<Provider EventSourceName='NetworkDeviceEnrollmentService'/>"
      "<EventID Qualifiers='49152'>2</EventID><Level>2</Level>"
      "<TimeCreated SystemTime='2026-11-25T15:04:05.1234567Z'/></System></Event>",
      &error);
  ASSERT_TRUE(ev) << error;
  EXPECT_EQ(ev->provider, "NetworkDeviceEnrollmentService");
  EXPECT_EQ(ev->event_id, 2u);  // the Qualifiers attribute is not part of the ID
}

TEST(EventRecord, RejectsWhatIsNotAnEvent) {
  std::string error;
  EXPECT_FALSE(eventlog::parse_event_xml("<Event><System/></Event>", &error));
  EXPECT_THAT(error, HasSubstr("no provider"));
  EXPECT_FALSE(eventlog::parse_event_xml(
      "<Event><System><Provider Name='p'/><EventID>x</EventID></System></Event>", &error));
  EXPECT_THAT(error, HasSubstr("EventID"));
  EXPECT_FALSE(
      eventlog::parse_event_xml("<Event><System><Provider Name='p'/><EventID>1</EventID>"
                                "<TimeCreated SystemTime='yesterday'/></System></Event>",
                                &error));
  EXPECT_THAT(error, HasSubstr("TimeCreated"));
  EXPECT_FALSE(eventlog::parse_event_xml("<Other/>", &error));
  EXPECT_FALSE(eventlog::parse_event_xml("<Event>", &error));
  EXPECT_THAT(error, HasSubstr("not well-formed"));
}

TEST(EventRecord, LevelNamesAndSystemTimes) {
  const std::pair<unsigned, const char*> levels[] = {
      {1, "critical"},    {2, "error"},   {3, "warning"}, {4, "information"},
      {0, "information"}, {5, "verbose"}, {17, "17"}};
  for (const auto& [level, name] : levels) {
    EXPECT_EQ(eventlog::level_name(level), name) << level;
  }
  EXPECT_EQ(eventlog::parse_system_time("1970-01-01T00:00:00Z"), 0.0);
  EXPECT_EQ(eventlog::parse_system_time("2000-03-01T00:00:00.5Z"), 951868800.5);
  EXPECT_FALSE(eventlog::parse_system_time("2000-03-01T00:00:00"));  // the log writes Z
  EXPECT_FALSE(eventlog::parse_system_time("2000-13-01T00:00:00Z"));
  EXPECT_FALSE(eventlog::parse_system_time("2000-03-01T00:00:00.Z"));
}

TEST(EventRecord, QueriesSayProviderIdsAndWindow) {
  const EventlogSource ndes{
      "Application", "Microsoft-Windows-NetworkDeviceEnrollmentService", {1, 2, 10}};
  EXPECT_EQ(eventlog::xpath_query(ndes, 86400000),
            "*[System[Provider[@Name='Microsoft-Windows-NetworkDeviceEnrollmentService'] and "
            "(EventID=1 or EventID=2 or EventID=10) and "
            "TimeCreated[timediff(@SystemTime) <= 86400000]]]");
  EXPECT_EQ(eventlog::xpath_query({"Microsoft-Intune-CertificateConnectors/Admin", "", {}}, 0),
            "*");
  EXPECT_EQ(eventlog::xpath_query({"Application", "it's", {}}, 0),
            "*[System[Provider[@Name=\"it's\"]]]");
}

TEST(EventRecord, TallyCountsByLabelsAndKeepsTheNewestTime) {
  std::string error;
  auto a = eventlog::parse_event_xml(kNdesEvent2, &error);
  auto b = eventlog::parse_event_xml(kConnectorEvent, &error);
  ASSERT_TRUE(a && b) << error;
  const EventlogSource ndes{"Application", "microsoft-windows-networkdeviceenrollmentservice", {2}};
  EXPECT_TRUE(eventlog::matches(ndes, *a));  // provider names match case-insensitively
  EXPECT_FALSE(eventlog::matches(ndes, *b));
  EXPECT_FALSE(eventlog::matches({"Application", "", {1, 10}}, *a));
  eventlog::EventTally tally;
  tally.add(*a);
  auto later = *a;
  later.time_unix += 60;
  tally.add(later);
  tally.add(*b);
  const auto samples = tally.samples();
  EXPECT_EQ(value_of(samples, "ndes_eventlog_events_total",
                     {{"log", "Application"},
                      {"provider", "Microsoft-Windows-NetworkDeviceEnrollmentService"},
                      {"event_id", "2"},
                      {"level", "error"}}),
            2);
  EXPECT_EQ(value_of(samples, "ndes_eventlog_last_event_timestamp_seconds",
                     {{"log", "Application"},
                      {"provider", "Microsoft-Windows-NetworkDeviceEnrollmentService"},
                      {"event_id", "2"}}),
            1795619105.123);
  EXPECT_EQ(value_of(samples, "ndes_eventlog_events_total",
                     {{"log", "Microsoft-Intune-CertificateConnectors/Admin"},
                      {"provider", "Microsoft-Intune-CertificateConnectors"},
                      {"event_id", "1002"},
                      {"level", "error"}}),
            1);
  for (const auto& s : samples) {
    if (s.name == "ndes_eventlog_events_total") {
      EXPECT_EQ(s.type, SampleType::counter);
    }
  }
}

// The scan with the exported-XML source: the same bookmarks, window and cap as
// with the live log (event_scan.h), on the fixtures.

// A fresh directory with copies of the fixtures; removed at the end.
class EventDir {
 public:
  EventDir() {
    static std::atomic<int> n{0};
    dir_ = std::filesystem::temp_directory_path() /
           ("ndes-events-" +
            std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()) + "-" +
            std::to_string(n++));
    std::filesystem::create_directories(dir_);
    for (const char* f : {"application.xml", "connector-admin.xml"}) {
      std::filesystem::copy_file(fixture_path(f), dir_ / f);
    }
  }
  ~EventDir() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string path() const { return dir_.string(); }
  void write(const std::string& name, const std::string& text) const {
    std::ofstream(dir_ / name, std::ios::binary) << text;
  }
  void remove(const std::string& name) const { std::filesystem::remove(dir_ / name); }

 private:
  std::filesystem::path dir_;
};

// NDES event 2 again, as a later record of the Application log.
std::string later_ndes_event2(std::uint64_t record_id, const std::string& time) {
  std::string xml = kNdesEvent2;
  const auto swap = [&](const std::string& from, const std::string& to) {
    const auto at = xml.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    xml.replace(at, from.size(), to);
  };
  swap("<EventRecordID>48213<", "<EventRecordID>" + std::to_string(record_id) + "<");
  swap("2026-11-25T15:04:05.1234567Z", time);
  return xml;
}

const std::string kNdes = "Microsoft-Windows-NetworkDeviceEnrollmentService";
const std::string kConnector = "Microsoft-Intune-CertificateConnectors";
const std::string kConnectorAdmin = "Microsoft-Intune-CertificateConnectors/Admin";
constexpr double kNow = 1795622400;  // 2026-11-25T16:00:00Z, after every fixture event

// ndes_eventlog_events_total by (log, provider, event_id, level).
std::map<std::vector<std::string>, double> event_counts(const eventlog::EventScan& scan) {
  std::map<std::vector<std::string>, double> out;
  for (const auto& s : scan.samples()) {
    if (s.name == "ndes_eventlog_events_total") {
      out[{s.labels.at("log"), s.labels.at("provider"), s.labels.at("event_id"),
           s.labels.at("level")}] = s.value;
    }
  }
  return out;
}

using Counts = std::map<std::vector<std::string>, double>;

TEST(EventScan, CountsAnExportAsTheLiveLogWould) {
  EventDir dir;
  eventlog::XmlDirSource source(dir.path());
  eventlog::EventScan scan(EventlogCollectorConfig{});  // the default sources, 24 h back
  scan.scrape(source, kNow);
  // NDES 1, 10 and 2 from Application (not the AutoEnrollment event there), both
  // connector events; the Operational log has none.
  const Counts want{{{"Application", kNdes, "1", "information"}, 1},
                    {{"Application", kNdes, "10", "error"}, 1},
                    {{"Application", kNdes, "2", "error"}, 1},
                    {{kConnectorAdmin, kConnector, "1001", "information"}, 1},
                    {{kConnectorAdmin, kConnector, "1002", "error"}, 1}};
  EXPECT_EQ(event_counts(scan), want);
  EXPECT_EQ(value_of(scan.samples(), "ndes_eventlog_last_event_timestamp_seconds",
                     {{"log", "Application"}, {"provider", kNdes}, {"event_id", "2"}}),
            1795619045.123);
}

TEST(EventScan, TheBookmarkMakesAScrapeCountOnlyNewEvents) {
  EventDir dir;
  eventlog::XmlDirSource source(dir.path());
  eventlog::EventScan scan(EventlogCollectorConfig{});
  scan.scrape(source, kNow);
  const Counts first = event_counts(scan);
  scan.scrape(source, kNow + 5);
  EXPECT_EQ(event_counts(scan), first) << "a second scrape counted the same events again";
  dir.write("later.xml", later_ndes_event2(48214, "2026-11-25T16:00:03.0000000Z"));
  scan.scrape(source, kNow + 10);
  Counts want = first;
  want[{"Application", kNdes, "2", "error"}] = 2;
  EXPECT_EQ(event_counts(scan), want);
  EXPECT_EQ(value_of(scan.samples(), "ndes_eventlog_last_event_timestamp_seconds",
                     {{"log", "Application"}, {"provider", kNdes}, {"event_id", "2"}}),
            kNow + 3);
}

TEST(EventScan, TheLookBackWindowAndTheCapPerScrape) {
  EventDir dir;
  EventlogCollectorConfig config;
  config.look_back_seconds = 3600;  // from 15:00:00: event 1 (14:58) is too old
  config.max_events_per_scrape = 1;
  eventlog::XmlDirSource source(dir.path());
  eventlog::EventScan scan(config);
  scan.scrape(source, kNow);  // one per source: NDES 10, connector 1001
  EXPECT_EQ(event_counts(scan),
            (Counts{{{"Application", kNdes, "10", "error"}, 1},
                    {{kConnectorAdmin, kConnector, "1001", "information"}, 1}}));
  scan.scrape(source, kNow + 5);  // the rest, past the bookmarks
  scan.scrape(source, kNow + 10);
  EXPECT_EQ(event_counts(scan), (Counts{{{"Application", kNdes, "10", "error"}, 1},
                                        {{"Application", kNdes, "2", "error"}, 1},
                                        {{kConnectorAdmin, kConnector, "1001", "information"}, 1},
                                        {{kConnectorAdmin, kConnector, "1002", "error"}, 1}}));
}

TEST(EventScan, AClearedLogGoesOnWithTheEventsAfterTheClear) {
  EventDir dir;
  eventlog::XmlDirSource source(dir.path());
  eventlog::EventScan scan(EventlogCollectorConfig{});
  EXPECT_THAT(scan.scrape(source, kNow), ::testing::IsEmpty());
  const std::map<std::string, std::string> event2{
      {"log", "Application"}, {"provider", kNdes}, {"event_id", "2"}, {"level", "error"}};
  const std::map<std::string, std::string> resets{{"log", "Application"}};
  EXPECT_EQ(value_of(scan.samples(), "ndes_eventlog_bookmark_resets_total", resets), 0);
  // The log was cleared: its record IDs start again, the bookmarked one is gone.
  dir.remove("application.xml");
  dir.write("cleared.xml", later_ndes_event2(3, "2026-11-25T16:00:03.0000000Z"));
  // The bookmark is reset and the scan goes on, in the same scrape, with the
  // events newer than it: the new event 2, once; the old ones are not back.
  EXPECT_THAT(scan.scrape(source, kNow + 5), ::testing::IsEmpty());
  EXPECT_EQ(value_of(scan.samples(), "ndes_eventlog_events_total", event2), 2);
  EXPECT_EQ(value_of(scan.samples(), "ndes_eventlog_bookmark_resets_total", resets), 1);
  EXPECT_THAT(scan.scrape(source, kNow + 10), ::testing::IsEmpty());  // the new bookmark holds
  EXPECT_EQ(value_of(scan.samples(), "ndes_eventlog_events_total", event2), 2);
  EXPECT_EQ(value_of(scan.samples(), "ndes_eventlog_bookmark_resets_total", resets), 1);
}

TEST(EventScan, AMissingDirectoryFailsTheCollectionByName) {
  eventlog::XmlDirSource source("no-such-event-dir");
  eventlog::EventScan scan(EventlogCollectorConfig{});
  const auto errors = scan.scrape(source, kNow);
  ASSERT_EQ(errors.size(), 3u);  // one per source
  EXPECT_THAT(errors.front(), HasSubstr("no-such-event-dir"));
}

TEST(XmlDirSource, ExportFormats) {
  std::string error;
  // wevtutil qe /e:Events: an XML declaration and a root element around the events.
  const std::string wrapped = "<?xml version='1.0' encoding='UTF-8'?><Events>\r\n" + kNdesEvent2 +
                              "\r\n" + kConnectorEvent + "\r\n</Events>";
  const auto pieces = eventlog::split_events(wrapped, &error);
  ASSERT_EQ(pieces.size(), 2u);
  EXPECT_EQ(pieces[0], kNdesEvent2);
  EXPECT_EQ(pieces[1], kConnectorEvent);
  EXPECT_TRUE(error.empty()) << error;
  // A truncated export: the complete events, and a reason for the rest.
  const auto cut = eventlog::split_events(kNdesEvent2 + kConnectorEvent.substr(0, 200), &error);
  EXPECT_EQ(cut.size(), 1u);
  EXPECT_THAT(error, HasSubstr("without its </Event>"));
  // PowerShell's `>` writes UTF-16LE with a BOM; a UTF-8 BOM is dropped.
  std::string utf16 = "\xFF\xFE";
  for (const char16_t c : std::u16string(u"<Data>J\u00fcrgen \U0001F600</Data>")) {
    utf16 += static_cast<char>(c & 0xFF);
    utf16 += static_cast<char>(c >> 8);
  }
  EXPECT_EQ(eventlog::file_text_as_utf8(utf16), "<Data>J\xC3\xBCrgen \xF0\x9F\x98\x80</Data>");
  EXPECT_EQ(eventlog::file_text_as_utf8("\xEF\xBB\xBF<Events/>"), "<Events/>");
  EXPECT_EQ(eventlog::file_text_as_utf8("<Events/>"), "<Events/>");
}

TEST(EventRecord, BookmarkXmlForEvtCreateBookmark) {
  EXPECT_EQ(eventlog::bookmark_xml("Application", 48213),
            "<BookmarkList><Bookmark Channel='Application' RecordId='48213' "
            "IsCurrent='true'/></BookmarkList>");
  EXPECT_EQ(eventlog::bookmark_xml("it's <odd>", 1),
            "<BookmarkList><Bookmark Channel='it&apos;s &lt;odd>' RecordId='1' "
            "IsCurrent='true'/></BookmarkList>");
}

// ---------------------------------------------------------------------------
// ndes registry

using ndesreg::RegKey;
using ndesreg::RegValue;

RegValue text(std::string t) { return RegValue{RegValue::Kind::text, std::move(t), 0, {}}; }
RegValue dword(std::uint64_t n) { return RegValue{RegValue::Kind::dword, "", n, {}}; }

TEST(NdesRegistry, MscepTemplatesAndEnforcePassword) {
  RegKey mscep;
  mscep.values["EncryptionTemplate"] = text("NDES-Encryption");
  mscep.values["SignatureTemplate"] = text("NDES-Signature ");
  mscep.values["generalpurposetemplate"] = text("NDES-GP");  // names are case-insensitive
  mscep.subkeys["EnforcePassword"].values["EnforcePassword"] = dword(0);
  const auto c = ndesreg::ndes_config(mscep);
  const auto samples = ndesreg::config_samples(c);
  EXPECT_EQ(value_of(samples, "ndes_config_info",
                     {{"encryption_template", "NDES-Encryption"},
                      {"signature_template", "NDES-Signature"},
                      {"general_purpose_template", "NDES-GP"},
                      {"enforce_password", "false"}}),
            1);
  RegKey bare;
  bare.values["EnforcePassword"] = dword(1);
  EXPECT_EQ(ndesreg::ndes_config(bare).enforce_password, true);
  EXPECT_EQ(ndesreg::ndes_config(RegKey{}).enforce_password, std::nullopt);
}

TEST(NdesRegistry, ConnectorFactsFromItsKey) {
  RegKey key;
  key.values["Version"] = text("6.2301.1.0");
  key.values["EncryptionCertThumbprint"] = text(
      "\xE2\x80\x8E"
      "ab cd ef 01 23 45 67 89 ab cd ef 01 23 45 67 89 ab cd ef 01");
  key.subkeys["ConnectionStatus"].values["LastConnectionTime"] = text("2026-11-25T15:04:05Z");
  const auto f = ndesreg::connector_facts(key);
  EXPECT_EQ(f.version, "6.2301.1.0");
  EXPECT_EQ(f.encryption_cert_thumbprint, "ABCDEF0123456789ABCDEF0123456789ABCDEF01");
  EXPECT_EQ(f.last_connection, 1795619045.0);
  const auto samples = ndesreg::connector_samples(f, true);
  EXPECT_EQ(value_of(samples, "ndes_connector_info",
                     {{"version", "6.2301.1.0"},
                      {"encryption_cert_thumbprint", "ABCDEF0123456789ABCDEF0123456789ABCDEF01"}}),
            1);
  EXPECT_EQ(value_of(samples, "ndes_connector_last_connection_timestamp_seconds", {}),
            1795619045.0);
  EXPECT_EQ(value_of(samples, "ndes_connector_encryption_cert_present", {}), 1);
  EXPECT_EQ(
      value_of(ndesreg::connector_samples(f, false), "ndes_connector_encryption_cert_present", {}),
      0);
  // The store could not be read: no claim either way.
  EXPECT_EQ(count_named(ndesreg::connector_samples(f, std::nullopt),
                        "ndes_connector_encryption_cert_present"),
            0);
}

TEST(NdesRegistry, TimesInEveryFormTheRegistryMayHold) {
  // FILETIME of 2026-11-25T15:04:05Z: (1795619045 + 11644473600) * 10^7.
  const std::uint64_t ft = (1795619045ULL + 11644473600ULL) * 10000000ULL;
  EXPECT_EQ(ndesreg::registry_time(RegValue{RegValue::Kind::qword, "", ft, {}}), 1795619045.0);
  std::vector<std::uint8_t> le;
  for (int i = 0; i < 8; ++i) {
    le.push_back(static_cast<std::uint8_t>(ft >> (8 * i)));
  }
  EXPECT_EQ(ndesreg::registry_time(RegValue{RegValue::Kind::binary, "", 0, le}), 1795619045.0);
  EXPECT_EQ(ndesreg::registry_time(text(std::to_string(ft))), 1795619045.0);
  EXPECT_EQ(ndesreg::registry_time(text("1795619045")), 1795619045.0);
  EXPECT_EQ(ndesreg::registry_time(text("11/25/2026 3:04:05 PM")), 1795619045.0);
  EXPECT_EQ(ndesreg::registry_time(text("11/25/2026 12:04:05 AM")), 1795619045.0 - 15 * 3600);
  EXPECT_EQ(ndesreg::registry_time(text("2026-11-25 15:04:05")), 1795619045.0);
  EXPECT_FALSE(ndesreg::registry_time(text("last tuesday")));
  EXPECT_FALSE(ndesreg::registry_time(text("13/45/2026 3:04:05 PM")));
  EXPECT_FALSE(ndesreg::registry_time(RegValue{RegValue::Kind::binary, "", 0, {1, 2, 3}}));
  RegKey key;
  key.subkeys["ConnectionStatus"].values["LastConnectionTime"] = text("soon");
  const auto f = ndesreg::connector_facts(key);
  EXPECT_FALSE(f.last_connection);
  EXPECT_THAT(f.last_connection_problem, HasSubstr("soon"));
  EXPECT_EQ(count_named(ndesreg::connector_samples(f, std::nullopt),
                        "ndes_connector_last_connection_timestamp_seconds"),
            0);
}

TEST(NdesRegistry, ThumbprintsMustBeFortyHexDigits) {
  EXPECT_EQ(ndesreg::normalize_thumbprint("abcdef0123456789abcdef0123456789abcdef01"),
            "ABCDEF0123456789ABCDEF0123456789ABCDEF01");
  EXPECT_EQ(ndesreg::normalize_thumbprint("abcdef"), "");
  EXPECT_EQ(ndesreg::normalize_thumbprint("zzcdef0123456789abcdef0123456789abcdef01"), "");
}

TEST(WinTime, FiletimeBeforeUnixEpochIsNotATime) {
  EXPECT_FALSE(wintime::filetime_to_unix(1));
  EXPECT_EQ(wintime::filetime_to_unix(116444736000000000ULL), 0.0);
}

}  // namespace
}  // namespace ndes
