// CA discovery's template match (renew/template_match.h): a v1 template by name, a v2
// template by the OID its certificates carry, names without regard to case.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "renew/template_match.h"

namespace ndes::renew {
namespace {

using ::testing::HasSubstr;

constexpr const char* kRaOid =
    "1.3.6.1.4.1.311.21.8.1203517.7839384.1292746.1578532.6537492.13.5930243.8142216";

const std::vector<AdTemplate> kTemplates = {
    {"NDES-RA-Signing", "NDES RA Signing", kRaOid},
    {"NDES-RA-Exchange", "NDES RA Exchange",
     "1.3.6.1.4.1.311.21.8.1203517.7839384.1292746.1578532.6537492.13.1111111.2222222"},
    {"EnrollmentAgentOffline", "Exchange Enrollment Agent (Offline request)", ""},
};

TEST(TemplateMatch, ByNameIgnoringCase) {
  EXPECT_TRUE(template_matches("NDES-RA-Signing", "NDES-RA-Signing", {}));
  EXPECT_TRUE(template_matches("ndes-ra-signing", "NDES-RA-Signing", {}));
  EXPECT_TRUE(template_matches("EnrollmentAgentOffline", "enrollmentagentoffline", kTemplates));
  EXPECT_FALSE(template_matches("NDES-RA-Signing", "NDES-RA-Exchange", kTemplates));
  EXPECT_FALSE(template_matches("", "", kTemplates));
}

TEST(TemplateMatch, AV2TemplatesOidMatchesThePublishedNameThroughItsTemplateObject) {
  EXPECT_TRUE(template_matches(kRaOid, "NDES-RA-Signing", kTemplates));
  EXPECT_TRUE(template_matches(kRaOid, "ndes-ra-signing", kTemplates));
  EXPECT_FALSE(template_matches(kRaOid, "NDES-RA-Exchange", kTemplates));
  // Without the template objects an OID matches no name.
  EXPECT_FALSE(template_matches(kRaOid, "NDES-RA-Signing", {}));
  // An OID is compared whole: a prefix is another template.
  EXPECT_FALSE(template_matches("1.3.6.1.4.1.311.21.8.1203517", "NDES-RA-Signing", kTemplates));
}

TEST(TemplateMatch, ADisplayNameLabelMatchesToo) {
  EXPECT_TRUE(template_matches("ndes ra signing", "NDES-RA-Signing", kTemplates));
}

const std::vector<EnrollmentService> kServices = {
    {"CORP Issuing CA", "ca01.corp.example", {"WebServer", "NDES-RA-Signing"}},
    {"CORP Other CA", "ca02.corp.example", {"WebServer", "User"}},
};

TEST(TemplateMatch, TheCaForAV2TemplateIsFoundByOid) {
  std::string error;
  EXPECT_EQ(choose_ca_for_template(kServices, kTemplates, kRaOid, &error),
            "ca01.corp.example\\CORP Issuing CA");
  EXPECT_EQ(error, "");
  EXPECT_EQ(choose_ca_for_template(kServices, kTemplates, "ndes-ra-signing", &error),
            "ca01.corp.example\\CORP Issuing CA");
}

TEST(TemplateMatch, NoneOrSeveralCasSayWhich) {
  std::string error;
  EXPECT_EQ(choose_ca_for_template(kServices, kTemplates, "NDES-RA-Exchange", &error), "");
  EXPECT_THAT(error, HasSubstr("no enterprise CA in AD publishes template NDES-RA-Exchange"));
  EXPECT_EQ(choose_ca_for_template(kServices, kTemplates, "webserver", &error), "");
  EXPECT_THAT(error, HasSubstr("several CAs publish template webserver"));
  EXPECT_THAT(error, HasSubstr("ca02.corp.example\\CORP Other CA"));
}

}  // namespace
}  // namespace ndes::renew
