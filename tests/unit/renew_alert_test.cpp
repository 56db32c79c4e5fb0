// The Alertmanager webhook payload (v4): what parses, and the one-line reasons for
// what does not (the hook answers those with 400).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "renew/alert.h"

namespace ndes::renew {
namespace {

using ::testing::HasSubstr;

const char* kPayload = R"({
  "receiver": "ndes-renew-hook", "status": "firing", "version": "4",
  "groupKey": "{}/{alertname=~\"...\"}:{instance=\"ndes01:10227\"}", "truncatedAlerts": 0,
  "groupLabels": {"instance": "ndes01:10227"}, "commonLabels": {}, "commonAnnotations": {},
  "externalURL": "http://am:9093",
  "alerts": [
    {"status": "firing",
     "labels": {"alertname": "NdesCertificateExpiringSoon", "role": "cep_encryption",
                "thumbprint": "0123456789ABCDEF0123456789ABCDEF01234567"},
     "annotations": {"summary": "expires"},
     "startsAt": "2026-11-25T15:00:00Z", "endsAt": "0001-01-01T00:00:00Z",
     "generatorURL": "http://prom/graph", "fingerprint": "a1b2c3d4e5f60708"},
    {"status": "resolved", "labels": {"alertname": "NdesCertificateExpired"},
     "annotations": {}, "startsAt": "2026-11-20T15:00:00Z", "endsAt": "2026-11-25T15:00:00Z",
     "fingerprint": "0011223344556677"}
  ]})";

std::string error_of(std::string_view body) {
  std::string error;
  EXPECT_FALSE(parse_webhook_payload(body, &error).has_value()) << body;
  return error;
}

TEST(RenewAlertTest, ParsesAVersion4Payload) {
  std::string error;
  const auto p = parse_webhook_payload(kPayload, &error);
  ASSERT_TRUE(p.has_value()) << error;
  EXPECT_EQ(p->version, "4");
  EXPECT_EQ(p->receiver, "ndes-renew-hook");
  ASSERT_EQ(p->alerts.size(), 2U);
  EXPECT_EQ(p->alerts[0].status, "firing");
  EXPECT_EQ(p->alerts[0].label("role"), "cep_encryption");
  EXPECT_EQ(p->alerts[0].label("missing"), "");
  EXPECT_EQ(p->alerts[0].fingerprint, "a1b2c3d4e5f60708");
  EXPECT_EQ(p->alerts[0].starts_at, "2026-11-25T15:00:00Z");
  EXPECT_EQ(p->alerts[1].status, "resolved");
}

TEST(RenewAlertTest, AcceptsAnEmptyAlertList) {
  std::string error;
  EXPECT_TRUE(parse_webhook_payload(R"({"version":"4","alerts":[]})", &error).has_value());
}

TEST(RenewAlertTest, RefusesWhatIsNotJson) {
  EXPECT_THAT(error_of("{not json"), HasSubstr("not JSON"));
  EXPECT_THAT(error_of(""), HasSubstr("not JSON"));
  EXPECT_THAT(error_of("[1,2]"), HasSubstr("not a JSON object"));
}

// fuzz_webhook_json, regressions/fuzz_webhook_json/number-overflow-1e400: nlohmann
// throws out_of_range (not parse_error) for a number past double's range, and it
// escaped the parser: the hook answered 500.
TEST(RenewAlertTest, RefusesANumberOutOfRange) {
  std::string error;
  EXPECT_FALSE(parse_webhook_payload(R"({"version":"4","alerts":[],"n":1e400})", &error));
  EXPECT_THAT(error, HasSubstr("not JSON"));
  EXPECT_THAT(error, HasSubstr("number overflow"));
}

TEST(RenewAlertTest, RefusesOtherVersions) {
  EXPECT_THAT(error_of(R"({"version":"3","alerts":[]})"), HasSubstr("want \"4\""));
  EXPECT_THAT(error_of(R"({"version":4,"alerts":[]})"), HasSubstr("not a string"));
  EXPECT_THAT(error_of(R"({"alerts":[]})"), HasSubstr("version is missing"));
}

TEST(RenewAlertTest, RefusesMalformedAlerts) {
  EXPECT_THAT(error_of(R"({"version":"4"})"), HasSubstr("alerts is missing"));
  EXPECT_THAT(error_of(R"({"version":"4","alerts":{}})"), HasSubstr("not a list"));
  EXPECT_THAT(error_of(R"({"version":"4","alerts":[1]})"), HasSubstr("alerts[0] is not an object"));
  EXPECT_THAT(error_of(R"({"version":"4","alerts":[{"status":"pending"}]})"),
              HasSubstr("want firing or resolved"));
  EXPECT_THAT(error_of(R"({"version":"4","alerts":[{"status":"firing","labels":{"role":["x"]}}]})"),
              HasSubstr("alerts[0].labels.role is not a string"));
  EXPECT_THAT(error_of(R"({"version":"4","alerts":[{"status":"firing","labels":"x"}]})"),
              HasSubstr("labels is not an object"));
  EXPECT_THAT(error_of(R"({"version":"4","alerts":[{"status":"firing","fingerprint":7}]})"),
              HasSubstr("non-string"));
}

TEST(RenewAlertTest, ReasonsStayOnOneLine) {
  const std::string error = error_of("{\"version\":\"3\n\",\"alerts\":[]}");
  EXPECT_EQ(error.find('\n'), std::string::npos) << error;
}

}  // namespace
}  // namespace ndes::renew
