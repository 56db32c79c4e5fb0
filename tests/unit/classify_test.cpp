// The role classifier: each rule, the order between the rules, and the roles of
// real certificates from NDES / AD CS / Windows.
#include "ndes/cert/classify.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "label_names.h"
#include "ndes/cert/parse.h"
#include "support/run.h"

namespace ndes {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr const char* kAgent = oid::kCertificateRequestAgent;

Certificate cert_with(std::string template_name, std::vector<std::string> ekus,
                      std::uint32_t key_usage) {
  Certificate c;
  c.subject = "CN=x";
  c.subject_cn = "x";
  c.issuer = "CN=Contoso Issuing CA";
  c.issuer_cn = "Contoso Issuing CA";
  c.template_name = std::move(template_name);
  c.ekus = std::move(ekus);
  c.has_key_usage = key_usage != 0;
  c.key_usage = key_usage;
  return c;
}

TEST(ClassifyTest, TemplateCepEncryption) {
  EXPECT_EQ(classify(cert_with("CEPEncryption", {}, 0)), Role::cep_encryption);
}

TEST(ClassifyTest, TemplateEnrollmentAgentOffline) {
  EXPECT_EQ(classify(cert_with("EnrollmentAgentOffline", {}, 0)), Role::enrollment_agent);
}

TEST(ClassifyTest, TemplateNamesAreExact) {
  EXPECT_EQ(classify(cert_with("cepencryption", {}, 0)), Role::other);
  EXPECT_EQ(classify(cert_with("CEPEncryption2", {}, 0)), Role::other);
  EXPECT_EQ(classify(cert_with("EnrollmentAgent", {}, 0)), Role::other);
}

TEST(ClassifyTest, RequestAgentEkuWithKeyEnciphermentIsCep) {
  EXPECT_EQ(classify(cert_with("", {kAgent}, kKeyEncipherment)), Role::cep_encryption);
  // A v2 template copy whose name the certificate does not carry.
  EXPECT_EQ(classify(cert_with("1.3.6.1.4.1.311.21.8.1.2", {kAgent}, kKeyEncipherment)),
            Role::cep_encryption);
}

TEST(ClassifyTest, RequestAgentEkuWithDigitalSignatureIsEnrollmentAgent) {
  EXPECT_EQ(classify(cert_with("", {kAgent}, kDigitalSignature)), Role::enrollment_agent);
  EXPECT_EQ(
      classify(cert_with("", {oid::kClientAuth, kAgent}, kDigitalSignature | kNonRepudiation)),
      Role::enrollment_agent);
}

TEST(ClassifyTest, KeyEnciphermentWinsWhenBothKeyUsagesAreSet) {
  EXPECT_EQ(classify(cert_with("", {kAgent}, kDigitalSignature | kKeyEncipherment)),
            Role::cep_encryption);
}

TEST(ClassifyTest, RequestAgentEkuWithoutEitherKeyUsageFallsThrough) {
  EXPECT_EQ(classify(cert_with("", {kAgent}, 0)), Role::other);
  EXPECT_EQ(classify(cert_with("", {kAgent}, kDataEncipherment)), Role::other);
  EXPECT_EQ(classify(cert_with("", {kAgent, oid::kServerAuth}, 0)), Role::ssl);
}

TEST(ClassifyTest, KeyUsageWithoutTheRequestAgentEkuIsNotRa) {
  EXPECT_EQ(classify(cert_with("", {oid::kClientAuth}, kKeyEncipherment)), Role::other);
  EXPECT_EQ(classify(cert_with("", {}, kDigitalSignature)), Role::other);
}

TEST(ClassifyTest, TemplateWinsOverEku) {
  // The EKU rule would say CEP (keyEncipherment); the template says EA.
  EXPECT_EQ(classify(cert_with("EnrollmentAgentOffline", {kAgent}, kKeyEncipherment)),
            Role::enrollment_agent);
  // ...and the other way round.
  EXPECT_EQ(classify(cert_with("CEPEncryption", {kAgent}, kDigitalSignature)),
            Role::cep_encryption);
  // A template also wins over serverAuth, CA and the connector issuer.
  Certificate c = cert_with("CEPEncryption", {oid::kServerAuth}, kDigitalSignature);
  c.is_ca = true;
  c.has_basic_constraints = true;
  c.issuer_cn = std::string(kConnectorIssuerCn);
  EXPECT_EQ(classify(c), Role::cep_encryption);
}

TEST(ClassifyTest, ConnectorIdentityByIssuerCn) {
  Certificate c = cert_with("", {oid::kClientAuth}, kDigitalSignature | kKeyEncipherment);
  c.issuer_cn = "Microsoft Intune ImportPFX Connector CA";
  c.issuer = "CN=Microsoft Intune ImportPFX Connector CA";
  EXPECT_EQ(classify(c), Role::connector_identity);
  // The issuer CN must match exactly.
  c.issuer_cn = "Microsoft Intune ImportPFX Connector CA 2";
  EXPECT_EQ(classify(c), Role::other);
  // The subject does not count.
  Certificate s = cert_with("", {}, 0);
  s.subject_cn = "Microsoft Intune ImportPFX Connector CA";
  EXPECT_EQ(classify(s), Role::other);
}

TEST(ClassifyTest, RaRulesComeBeforeTheConnectorRule) {
  Certificate c = cert_with("", {kAgent}, kDigitalSignature);
  c.issuer_cn = std::string(kConnectorIssuerCn);
  EXPECT_EQ(classify(c), Role::enrollment_agent);
}

TEST(ClassifyTest, ConnectorRuleComesBeforeSslButNotBeforeCa) {
  Certificate c = cert_with("", {oid::kServerAuth}, kDigitalSignature);
  c.issuer_cn = std::string(kConnectorIssuerCn);
  EXPECT_EQ(classify(c), Role::connector_identity);
  // The connector CA's own self-signed certificate is a CA, not the identity.
  c.has_basic_constraints = true;
  c.is_ca = true;
  EXPECT_EQ(classify(c), Role::ca);
}

TEST(ClassifyTest, CaByBasicConstraints) {
  Certificate c = cert_with("SubCA", {}, kKeyCertSign | kCrlSign);
  c.has_basic_constraints = true;
  c.is_ca = true;
  EXPECT_EQ(classify(c), Role::ca);
  // CA:FALSE, or keyCertSign alone, is not a CA.
  c.is_ca = false;
  EXPECT_EQ(classify(c), Role::other);
}

TEST(ClassifyTest, CaComesBeforeServerAuth) {
  Certificate c = cert_with("", {oid::kServerAuth}, kKeyCertSign);
  c.has_basic_constraints = true;
  c.is_ca = true;
  EXPECT_EQ(classify(c), Role::ca);
}

TEST(ClassifyTest, SslByServerAuth) {
  EXPECT_EQ(classify(cert_with("WebServer", {oid::kServerAuth}, kDigitalSignature)), Role::ssl);
  EXPECT_EQ(classify(cert_with("", {oid::kClientAuth, oid::kServerAuth}, 0)), Role::ssl);
}

TEST(ClassifyTest, Other) {
  EXPECT_EQ(classify(Certificate{}), Role::other);
  EXPECT_EQ(classify(cert_with("User", {oid::kClientAuth}, kDigitalSignature)), Role::other);
}

TEST(ClassifyTest, RoleNames) {
  EXPECT_EQ(test::label_names({Role::cep_encryption, Role::enrollment_agent,
                               Role::connector_identity, Role::ca, Role::ssl, Role::other}),
            "cep_encryption enrollment_agent connector_identity ca ssl other");
}

TEST(ClassifyTest, RaRoles) {
  EXPECT_TRUE(is_ra_role(Role::cep_encryption));
  EXPECT_TRUE(is_ra_role(Role::enrollment_agent));
  EXPECT_FALSE(is_ra_role(Role::connector_identity));
  EXPECT_FALSE(is_ra_role(Role::ca));
  EXPECT_FALSE(is_ra_role(Role::ssl));
  EXPECT_FALSE(is_ra_role(Role::other));
}

TEST(CertificateTest, HasEkuAndKeyUsageNames) {
  const Certificate c = cert_with("", {oid::kClientAuth, kAgent}, kDigitalSignature);
  EXPECT_TRUE(c.has_eku(kAgent));
  EXPECT_TRUE(c.has_eku(oid::kClientAuth));
  EXPECT_FALSE(c.has_eku(oid::kServerAuth));
  EXPECT_FALSE(c.has_eku("1.3.6.1.4.1.311.20.2"));  // a prefix is not a match
  EXPECT_THAT(key_usage_names(0), IsEmpty());
  EXPECT_THAT(
      key_usage_names(0x1FF),
      ElementsAre("digitalSignature", "nonRepudiation", "keyEncipherment", "dataEncipherment",
                  "keyAgreement", "keyCertSign", "cRLSign", "encipherOnly", "decipherOnly"));
  EXPECT_THAT(key_usage_names(kDecipherOnly | kKeyAgreement),
              ElementsAre("keyAgreement", "decipherOnly"));
}

TEST(CertificateTest, LabelsFallBackToTheWholeDn) {
  Certificate c;
  c.subject = "O=Example,C=US";
  c.issuer = "CN=Root,O=Example";
  c.issuer_cn = "Root";
  EXPECT_EQ(c.subject_label(), "O=Example,C=US");
  EXPECT_EQ(c.issuer_label(), "Root");
}

// Every certificate in the real-world files, with the role a user would see.
TEST(ClassifyRealWorldTest, RolesOfRealCertificates) {
  const std::filesystem::path dir = NDES_REALWORLD_DIR;
  if (!std::filesystem::is_directory(dir)) {
    GTEST_SKIP() << "NDES-SKIP: " << dir << " is missing";
  }
  auto roles = [&](const std::string& name) {
    const ParseResult r = parse_certificates(test::read_file_bytes(dir / name), name);
    std::vector<std::string> out;
    for (const auto& c : r.certificates) {
      out.push_back(c.subject_cn + "=" + std::string(to_string(classify(c))));
    }
    return out;
  };
  EXPECT_THAT(roles("ndes-ra-enrollmentagentoffline.pem"),
              ElementsAre("CERT-PROV-CA-MSCEP-RA=enrollment_agent"));
  EXPECT_THAT(
      roles("windows-exported-chain.p7b"),
      ElementsAre("test.local=ssl", "MS Passport Test Root CA=ca", "MS Passport Test Sub CA=ca"));
  EXPECT_THAT(roles("adcs-chain-v2-template.p7b"),
              ElementsAre("Contoso CA=ca", "contoso-DC2-CA=ca", "Administrator=other",
                          "Administrator=other"));
  EXPECT_THAT(roles("adcs-ecc-v2-template.cer"), ElementsAre("Administrator=other"));
  EXPECT_THAT(roles("adcs-webserver-certinfo.pem"),
              ElementsAre("CONTOSO-CA=ca", "adfs.contoso.com=ssl", "webapp.contoso.com=ssl",
                          "ADFS Signing - adfs.contoso.com=other",
                          "ADFS Encryption - adfs.contoso.com=other", "Test Client=other"));
  EXPECT_THAT(roles("ndes-certrep-no-certificates.p7b"), IsEmpty());
}

}  // namespace
}  // namespace ndes
