// What remove_superseded removes, how it names its backups, its backup password and
// what it tells the admin when a key cannot be exported (renew/superseded.h).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cctype>
#include <cstdio>
#include <map>

#include "renew/superseded.h"

namespace ndes::renew {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const std::string kOldEa(40, 'A');
const std::string kNewEa(40, 'B');
const std::string kOlderEa(40, 'C');
const std::string kCep(40, 'D');
const std::string kNewCep(40, 'E');

Certificate cert(const std::string& thumbprint, const std::string& template_name) {
  Certificate c;
  c.thumbprint = thumbprint;
  c.template_name = template_name;
  return c;
}

std::vector<Certificate> store() {
  return {cert(kOldEa, "EnrollmentAgentOffline"), cert(kNewEa, "EnrollmentAgentOffline"),
          cert(kOlderEa, "EnrollmentAgentOffline"), cert(kCep, "CEPEncryption"),
          cert(kNewCep, "CEPEncryption")};
}

TEST(RenewSupersededTest, ByTemplateEveryOtherCertificateOfItGoes) {
  const auto r = choose_removals({{"templates", "EnrollmentAgentOffline"}}, store(),
                                 {{"new_thumbprint.enrollment_agent", kNewEa}});
  EXPECT_EQ(r.error, "");
  EXPECT_THAT(r.remove, ElementsAre(kOldEa, kOlderEa));
  EXPECT_THAT(r.absent, IsEmpty());
}

TEST(RenewSupersededTest, BothRaTemplatesInOneRunKeepBothNewCertificates) {
  const auto r = choose_removals(
      {{"templates", "EnrollmentAgentOffline, cepencryption"}}, store(),
      {{"new_thumbprint.enrollment_agent", kNewEa}, {"new_thumbprint.cep_encryption", kNewCep}});
  EXPECT_EQ(r.error, "");
  EXPECT_THAT(r.remove, ElementsAre(kOldEa, kOlderEa, kCep));
}

TEST(RenewSupersededTest, ByTemplateAV2TemplateMatchesByItsOid) {
  auto certs = store();
  certs[0].template_oid = certs[1].template_oid = "1.3.6.1.4.1.311.21.8.1.2";
  const auto r = choose_removals({{"templates", "1.3.6.1.4.1.311.21.8.1.2"}}, certs,
                                 {{"new_thumbprint.enrollment_agent", kNewEa}});
  EXPECT_EQ(r.error, "");
  EXPECT_THAT(r.remove, ElementsAre(kOldEa));
}

TEST(RenewSupersededTest, ByTemplateWithoutANewCertificateNothingIsRemoved) {
  auto r = choose_removals({{"templates", "EnrollmentAgentOffline"}}, store(), {});
  EXPECT_THAT(r.error, HasSubstr("verify_new_cert"));
  EXPECT_THAT(r.remove, IsEmpty());
  // A new certificate of another template does not protect this one's.
  r = choose_removals({{"templates", "EnrollmentAgentOffline,CEPEncryption"}}, store(),
                      {{"new_thumbprint.enrollment_agent", kNewEa}});
  EXPECT_THAT(r.error, HasSubstr("\"CEPEncryption\""));
  EXPECT_THAT(r.remove, IsEmpty());
  // Nor does a new thumbprint that is not (or no longer) in the store.
  r = choose_removals({{"templates", "EnrollmentAgentOffline"}}, store(),
                      {{"new_thumbprint.enrollment_agent", std::string(40, 'F')}});
  EXPECT_THAT(r.remove, IsEmpty());
  EXPECT_NE(r.error, "");
}

TEST(RenewSupersededTest, ByThumbprintExactlyTheseAndAbsentOnesAreSaid) {
  const std::string gone(40, '9');
  const auto r = choose_removals(
      {{"thumbprints", kOldEa + "," + gone + "," + "cccccccccccccccccccccccccccccccccccccccc"}},
      store(), {});
  EXPECT_EQ(r.error, "");
  EXPECT_THAT(r.remove, ElementsAre(kOldEa, kOlderEa));
  EXPECT_THAT(r.absent, ElementsAre(gone));
}

TEST(RenewSupersededTest, ByThumbprintBadInputIsRefused) {
  auto r = choose_removals({{"thumbprints", kOldEa + ",not-hex"}}, store(), {});
  EXPECT_THAT(r.error, HasSubstr("not a thumbprint: \"not-hex\""));
  EXPECT_THAT(r.remove, IsEmpty());
  r = choose_removals({{"thumbprints", kNewEa}}, store(),
                      {{"new_thumbprint.enrollment_agent", kNewEa}});
  EXPECT_THAT(r.error, HasSubstr("kept"));
  r = choose_removals({}, store(), {});
  EXPECT_THAT(r.error, HasSubstr("either thumbprints or templates"));
  r = choose_removals({{"thumbprints", kOldEa}, {"templates", "CEPEncryption"}}, store(), {});
  EXPECT_THAT(r.error, HasSubstr("exactly one"));
}

TEST(RenewSupersededTest, TooManyAreRefusedNotCut) {
  std::vector<Certificate> many;
  std::string list;
  for (std::size_t i = 0; i <= kMaxRemovals; ++i) {
    char tp[41];
    std::snprintf(tp, sizeof tp, "%040zX", i + 1);
    many.push_back(cert(tp, "EnrollmentAgentOffline"));
    list += (list.empty() ? "" : ",") + std::string(tp);
  }
  const auto r = choose_removals({{"thumbprints", list}}, many, {});
  EXPECT_THAT(r.error, HasSubstr("more than 64"));
  EXPECT_THAT(r.remove, IsEmpty());
}

TEST(RenewSupersededTest, BackupFilesAreNamedAfterTheThumbprint) {
  EXPECT_EQ(
      backup_pfx_path("C:\\ProgramData\\ndes\\backup", "abcdef0123abcdef0123abcdef0123abcdef0123"),
      "C:\\ProgramData\\ndes\\backup\\ABCDEF0123ABCDEF0123ABCDEF0123ABCDEF0123.pfx");
  EXPECT_EQ(backup_password_path("C:\\b", kOldEa), "C:\\b\\" + kOldEa + ".pfx.password");
}

TEST(RenewSupersededTest, ThePasswordIsLettersAndDigitsWithoutBias) {
  std::vector<std::uint8_t> all;
  for (int round = 0; round < 4; ++round) {
    for (int b = 0; b < 256; ++b) {
      all.push_back(static_cast<std::uint8_t>(b));
    }
  }
  const std::string p = password_from_random(all, all.size());
  // Each of 0..247 once per round gives each of the 62 characters 4 times a round;
  // 248..255 are skipped rather than folded onto the first 8.
  EXPECT_EQ(p.size(), 4U * 248U);
  std::map<char, int> counts;
  for (char c : p) {
    EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c))) << c;
    ++counts[c];
  }
  EXPECT_EQ(counts.size(), 62U);
  for (const auto& [c, n] : counts) {
    EXPECT_EQ(n, 16) << c;
  }
}

TEST(RenewSupersededTest, ThePasswordStopsAtItsLengthOrWhenTheBytesRunOut) {
  const std::vector<std::uint8_t> bytes = {0, 1, 255, 2, 61, 62, 63};
  EXPECT_EQ(password_from_random(bytes, 3), "ABC");
  EXPECT_EQ(password_from_random(bytes, 100), "ABC9AB");
}

TEST(RenewSupersededTest, ExportFailuresTellTheAdminWhatToDo) {
  EXPECT_THAT(export_failure_advice(0x8009000BU), HasSubstr("non-exportable"));
  EXPECT_THAT(export_failure_advice(0x80090010U), HasSubstr("--no-remove-old-certs"));
  EXPECT_THAT(export_failure_advice(0x8009000DU), HasSubstr("certutil -repairstore"));
  EXPECT_THAT(export_failure_advice(0x80070005U), HasSubstr("nothing was removed"));
}

}  // namespace
}  // namespace ndes::renew
