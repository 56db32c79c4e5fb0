// The Windows health collectors' pure parts: service states, applicationHost.config,
// event XML, the NDES registry values. Shared by the Linux build (tests/unit) and
// the Windows build under wine (tests/windows), unchanged.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "common/win_time.h"
#include "common/xml_lite.h"
#include "eventlog/event_record.h"
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
  EXPECT_EQ(services::state_name(1), "stopped");
  EXPECT_EQ(services::state_name(2), "start_pending");
  EXPECT_EQ(services::state_name(3), "stop_pending");
  EXPECT_EQ(services::state_name(4), "running");
  EXPECT_EQ(services::state_name(5), "continue_pending");
  EXPECT_EQ(services::state_name(6), "pause_pending");
  EXPECT_EQ(services::state_name(7), "paused");
  EXPECT_EQ(services::state_name(0), "unknown");
  EXPECT_EQ(services::state_name(99), "unknown");
  EXPECT_EQ(services::start_mode_name(2, false), "auto");
  EXPECT_EQ(services::start_mode_name(2, true), "delayed_auto");
  EXPECT_EQ(services::start_mode_name(3, true), "manual");
  EXPECT_EQ(services::start_mode_name(4, false), "disabled");
  EXPECT_EQ(services::start_mode_name(0, false), "boot");
  EXPECT_EQ(services::start_mode_name(1, false), "system");
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

// As EvtRender(EvtRenderEventXml) renders NDES event 2 (the service could not
// start) on Windows Server 2022.
constexpr const char* kNdesEvent2 =
    "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
    "<Provider Name='Microsoft-Windows-NetworkDeviceEnrollmentService' "
    "Guid='{2a3b9e0e-58b2-4d4f-9a4c-9a9ffc6c6e74}' "
    "EventSourceName='NetworkDeviceEnrollmentService'/>"
    "<EventID Qualifiers='49152'>2</EventID><Version>0</Version><Level>2</Level><Task>0</Task>"
    "<Opcode>0</Opcode><Keywords>0x80000000000000</Keywords>"
    "<TimeCreated SystemTime='2026-11-25T15:04:05.1234567Z'/><EventRecordID>48213</EventRecordID>"
    "<Correlation/><Execution ProcessID='4312' ThreadID='5120'/><Channel>Application</Channel>"
    "<Computer>ndes01.corp.example</Computer><Security/></System><EventData>"
    "<Data>0x80070057 (WIN32: 87 ERROR_INVALID_PARAMETER)</Data></EventData></Event>";

// A connector event (manifest provider, its own channel, Information).
constexpr const char* kConnectorEvent =
    "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
    "<Provider Name='Microsoft-Intune-CertificateConnectors' "
    "Guid='{0b8e3f1a-0000-4000-8000-000000000000}'/><EventID>1001</EventID><Version>0</Version>"
    "<Level>4</Level><TimeCreated SystemTime='2026-11-25T16:00:00.0000000Z'/>"
    "<EventRecordID>7</EventRecordID><Channel>Microsoft-Intune-CertificateConnectors/Operational"
    "</Channel><Computer>ndes01</Computer></System><EventData><Data Name='Message'>PFX request "
    "processed</Data></EventData></Event>";

TEST(EventRecord, ParsesRenderedEventXml) {
  std::string error;
  const auto ev = eventlog::parse_event_xml(kNdesEvent2, &error);
  ASSERT_TRUE(ev) << error;
  EXPECT_EQ(ev->provider, "Microsoft-Windows-NetworkDeviceEnrollmentService");
  EXPECT_EQ(ev->event_id, 2u);  // the Qualifiers attribute is not part of the ID
  EXPECT_EQ(ev->level, 2u);
  EXPECT_EQ(ev->log, "Application");
  EXPECT_EQ(ev->record_id, 48213u);
  // date -u -d 2026-11-25T15:04:05Z +%s
  EXPECT_NEAR(ev->time_unix, 1795619045.1234567, 1e-6);
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
  EXPECT_EQ(eventlog::level_name(1), "critical");
  EXPECT_EQ(eventlog::level_name(2), "error");
  EXPECT_EQ(eventlog::level_name(3), "warning");
  EXPECT_EQ(eventlog::level_name(4), "information");
  EXPECT_EQ(eventlog::level_name(0), "information");
  EXPECT_EQ(eventlog::level_name(5), "verbose");
  EXPECT_EQ(eventlog::level_name(17), "17");
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
                     {{"log", "Microsoft-Intune-CertificateConnectors/Operational"},
                      {"provider", "Microsoft-Intune-CertificateConnectors"},
                      {"event_id", "1001"},
                      {"level", "information"}}),
            1);
  for (const auto& s : samples) {
    if (s.name == "ndes_eventlog_events_total") {
      EXPECT_EQ(s.type, SampleType::counter);
    }
  }
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
