// The record -> metric family mapping, on hand-made records: names, label sets,
// valid counts, de-duplication and the text format.
#include "ndes/metrics/families.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include <algorithm>
#include <limits>
#include <sstream>

#include "ndes/metrics/utf8.h"

namespace ndes {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::int64_t kNow = 1'800'000'000;
constexpr std::int64_t kDay = 86'400;

CertificateRecord ra(const std::string& thumb, const std::string& templ, Role role,
                     std::int64_t not_after, const std::string& path = "/certs/ra.pem") {
  CertificateRecord r;
  r.origin = Origin{"files", "/certs", path};
  r.cert.thumbprint = thumb;
  r.cert.serial = "0A";
  r.cert.subject_cn = "NDES01-MSCEP-RA";
  r.cert.issuer_cn = "CORP-CA";
  r.cert.template_name = templ;
  r.cert.not_before = kNow - 300 * kDay;
  r.cert.not_after = not_after;
  r.role = role;
  return r;
}

const prometheus::MetricFamily* find(const std::vector<prometheus::MetricFamily>& fams,
                                     const std::string& name) {
  for (const auto& f : fams) {
    if (f.name == name) {
      return &f;
    }
  }
  return nullptr;
}

std::string label(const prometheus::ClientMetric& m, const std::string& name) {
  for (const auto& l : m.label) {
    if (l.name == name) {
      return l.value;
    }
  }
  return "<absent>";
}

double valid_count(const std::vector<prometheus::MetricFamily>& fams, const std::string& role) {
  const auto* f = find(fams, "ndes_certificates_valid");
  if (f == nullptr) {
    return -1;
  }
  for (const auto& m : f->metric) {
    if (label(m, "role") == role) {
      return m.gauge.value;
    }
  }
  return -1;
}

TEST(Families, CertificateSeriesCarryTheFullLabelSetAndDates) {
  CollectorResult res;
  res.collector = "files";
  res.certificates.push_back(ra("AA11", "CEPEncryption", Role::cep_encryption, kNow + 9 * kDay));
  const auto fams = to_families(std::span(&res, 1), kNow);
  const auto* na = find(fams, "ndes_certificate_not_after_timestamp_seconds");
  ASSERT_NE(na, nullptr);
  ASSERT_EQ(na->metric.size(), 1U);
  const auto& m = na->metric[0];
  EXPECT_EQ(m.gauge.value, static_cast<double>(kNow + 9 * kDay));
  EXPECT_EQ(label(m, "collector"), "files");
  EXPECT_EQ(label(m, "source"), "/certs");
  EXPECT_EQ(label(m, "path"), "/certs/ra.pem");
  EXPECT_EQ(label(m, "thumbprint"), "AA11");
  EXPECT_EQ(label(m, "serial"), "0A");
  EXPECT_EQ(label(m, "subject"), "NDES01-MSCEP-RA");
  EXPECT_EQ(label(m, "issuer"), "CORP-CA");
  EXPECT_EQ(label(m, "template"), "CEPEncryption");
  EXPECT_EQ(label(m, "role"), "cep_encryption");
  EXPECT_EQ(m.label.size(), 9U);
  EXPECT_EQ(m.timestamp_ms, 0);  // no timestamps on samples
  const auto* nb = find(fams, "ndes_certificate_not_before_timestamp_seconds");
  ASSERT_NE(nb, nullptr);
  EXPECT_EQ(nb->metric[0].gauge.value, static_cast<double>(kNow - 300 * kDay));
}

TEST(Families, TwoValidCertificatesOfOneRaTemplateCountAsTwo) {
  CollectorResult res;
  res.collector = "files";
  res.certificates.push_back(
      ra("AA11", "EnrollmentAgentOffline", Role::enrollment_agent, kNow + 9 * kDay));
  res.certificates.push_back(ra("BB22", "EnrollmentAgentOffline", Role::enrollment_agent,
                                kNow + 700 * kDay, "/certs/ra2.pem"));
  EXPECT_EQ(valid_count(to_families(std::span(&res, 1), kNow), "enrollment_agent"), 2);
}

TEST(Families, OneCertificateInTwoFilesIsCountedOnce) {
  CollectorResult res;
  res.collector = "files";
  res.certificates.push_back(ra("AA11", "CEPEncryption", Role::cep_encryption, kNow + kDay));
  res.certificates.push_back(
      ra("AA11", "CEPEncryption", Role::cep_encryption, kNow + kDay, "/certs/backup.pem"));
  const auto fams = to_families(std::span(&res, 1), kNow);
  EXPECT_EQ(valid_count(fams, "cep_encryption"), 1);
  EXPECT_EQ(find(fams, "ndes_certificate_not_after_timestamp_seconds")->metric.size(), 2U);
}

TEST(Families, ExpiredAndNotYetValidStayVisibleButAreNotValid) {
  CollectorResult res;
  res.collector = "files";
  res.certificates.push_back(ra("AA11", "CEPEncryption", Role::cep_encryption, kNow - kDay));
  auto future = ra("BB22", "CEPEncryption", Role::cep_encryption, kNow + 800 * kDay, "/f.pem");
  future.cert.not_before = kNow + kDay;
  res.certificates.push_back(future);
  const auto fams = to_families(std::span(&res, 1), kNow);
  EXPECT_EQ(valid_count(fams, "cep_encryption"), 0);  // 0, not absent: the RA gap is visible
  EXPECT_EQ(find(fams, "ndes_certificate_not_after_timestamp_seconds")->metric.size(), 2U);
}

TEST(Families, ValidityBoundariesAreNotBeforeInclusiveNotAfterExclusive) {
  CollectorResult res;
  res.collector = "files";
  auto at_start = ra("AA11", "CEPEncryption", Role::cep_encryption, kNow + kDay);
  at_start.cert.not_before = kNow;
  res.certificates.push_back(at_start);
  res.certificates.push_back(
      ra("BB22", "EnrollmentAgentOffline", Role::enrollment_agent, kNow, "/x.pem"));
  const auto fams = to_families(std::span(&res, 1), kNow);
  EXPECT_EQ(valid_count(fams, "cep_encryption"), 1);
  EXPECT_EQ(valid_count(fams, "enrollment_agent"), 0);
}

TEST(Families, RaCertificateWithoutPrivateKeyDoesNotCount) {
  CollectorResult res;
  res.collector = "certstore";
  auto no_key = ra("AA11", "CEPEncryption", Role::cep_encryption, kNow + kDay);
  no_key.has_private_key = false;
  auto with_key = ra("BB22", "CEPEncryption", Role::cep_encryption, kNow + kDay, "");
  with_key.has_private_key = true;
  res.certificates = {no_key, with_key};
  const auto fams = to_families(std::span(&res, 1), kNow);
  EXPECT_EQ(valid_count(fams, "cep_encryption"), 1);
  const auto* hk = find(fams, "ndes_certificate_has_private_key");
  ASSERT_NE(hk, nullptr);
  ASSERT_EQ(hk->metric.size(), 2U);
  EXPECT_EQ(hk->metric[0].gauge.value, 0);
  EXPECT_EQ(hk->metric[1].gauge.value, 1);
}

TEST(Families, ReadErrorsAndCollectorStatus) {
  CollectorResult res;
  res.collector = "files";
  res.success = true;
  res.duration_seconds = 0.25;
  res.errors.push_back(
      ReadErrorRecord{Origin{"files", "/certs", "/certs/bad.pem"}, ReadError::bad_pem, "x"});
  const auto text = serialize(to_families(std::span(&res, 1), kNow));
  EXPECT_THAT(text, HasSubstr("ndes_certificate_read_errors{collector=\"files\",source=\"/certs\","
                              "path=\"/certs/bad.pem\",reason=\"bad_pem\"} 1"));
  EXPECT_THAT(text, HasSubstr("ndes_collector_success{collector=\"files\"} 1"));
  EXPECT_THAT(text, HasSubstr("ndes_collector_duration_seconds{collector=\"files\"} 0.25"));
  EXPECT_THAT(text, Not(HasSubstr("ndes_certificate_not_after")));  // no empty families
}

TEST(Families, SamplesBecomeTheirOwnFamiliesWithTypes) {
  CollectorResult res;
  res.collector = "scep";
  res.samples.push_back(Sample{
      "ndes_scep_capability", "cap", SampleType::gauge, {{"capability", "POSTPKIOperation"}}, 1});
  res.samples.push_back(Sample{"ndes_things_total", "n", SampleType::counter, {}, 7});
  const auto text = serialize(to_families(std::span(&res, 1), kNow));
  EXPECT_THAT(text, HasSubstr("# TYPE ndes_scep_capability gauge"));
  EXPECT_THAT(text, HasSubstr("ndes_scep_capability{capability=\"POSTPKIOperation\"} 1"));
  EXPECT_THAT(text, HasSubstr("# TYPE ndes_things_total counter"));
  EXPECT_THAT(text, HasSubstr("ndes_things_total 7"));
}

TEST(Families, BuildInfo) {
  const auto text = serialize({build_info_family({"1.2.3", "abc", "linux/amd64"})});
  EXPECT_THAT(text, HasSubstr("ndes_exporter_build_info{version=\"1.2.3\",revision=\"abc\","
                              "platform=\"linux/amd64\"} 1"));
}

TEST(Families, InvalidUtf8InNamesIsReplacedNotPassedOn) {
  EXPECT_EQ(valid_utf8("plain"), "plain");
  EXPECT_EQ(valid_utf8("Z\xC3\xBCrich"), "Z\xC3\xBCrich");
  EXPECT_EQ(valid_utf8("bad\xFF"), "bad\xEF\xBF\xBD");
  EXPECT_EQ(valid_utf8("\xE2\x82"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // truncated sequence
}

}  // namespace
}  // namespace ndes

namespace ndes {
namespace {

// serialize() writes the text itself for speed; prometheus-cpp's serializer is the
// oracle it must match byte for byte, on hard label values and every kind of number.
TEST(Families, SerializeMatchesThePrometheusCppTextSerializer) {
  CollectorResult res;
  res.collector = "files";
  res.duration_seconds = 0.0123456789;
  auto odd = ra("AB\"CD", "Tmpl\\with\nnewline", Role::cep_encryption, kNow + 5 * kDay,
                "/certs/quote\"back\\slash\nline.pem");
  odd.cert.subject_cn = "Z\xC3\xBCrich \"HQ\"";
  res.certificates.push_back(odd);
  res.certificates.push_back(ra("T2", "EnrollmentAgentOffline", Role::enrollment_agent, kNow - 1));
  const double values[] = {0.0,
                           -0.0,
                           1.0,
                           -1.0,
                           0.1,
                           1.5,
                           -3.25,
                           1e-7,
                           0.00055838,
                           123456.789,
                           1e15 - 1,
                           1e15,
                           1e16,
                           123456789012345678.0,
                           1.7976931348623157e308,
                           4.9e-324,
                           std::numeric_limits<double>::quiet_NaN(),
                           std::numeric_limits<double>::infinity(),
                           -std::numeric_limits<double>::infinity()};
  int i = 0;
  for (const double v : values) {
    res.samples.push_back(
        Sample{"ndes_bench_value", "values", SampleType::gauge, {{"i", std::to_string(i++)}}, v});
    res.samples.push_back(
        Sample{"ndes_bench_total", "", SampleType::counter, {{"i", std::to_string(i++)}}, v});
  }
  res.samples.push_back(Sample{"ndes_bench_nolabels", "no labels", SampleType::gauge, {}, 2});
  auto families = to_families(std::span(&res, 1), kNow);
  families.push_back(build_info_family({"1.2.3", "abc", "linux/amd64"}));
  families.back().metric.front().timestamp_ms = 1'700'000'000'123;

  std::ostringstream expected;
  prometheus::TextSerializer().Serialize(expected, families);
  EXPECT_EQ(serialize(families), expected.str());
}

// The batched text of a large result is the text of its families made at once: the
// same lines in the same order, a duplicate in a later batch still dropped, and a
// family that first appears in a later batch (the private key) in its place.
TEST(FamiliesTest, CertificateFamilyTextsInBatchesAreTheFamiliesSerialized) {
  CollectorResult res;
  res.collector = "certstore";
  for (int i = 0; i < 700; ++i) {
    auto r = ra("T" + std::to_string(i), "CEPEncryption", Role::cep_encryption, kNow + i,
                "/p/" + std::to_string(i));
    if (i >= 400) {
      r.has_private_key = i % 2 == 0;
    }
    res.certificates.push_back(r);
    if (i % 100 == 7) {
      res.certificates.push_back(r);  // the same certificate twice: one series
    }
  }
  const auto texts = certificate_family_texts(res);
  std::string joined;
  for (const auto& t : texts) {
    joined += *t.header;
    for (const auto& part : t.samples) {
      joined += *part;
    }
  }
  EXPECT_EQ(joined, serialize(certificate_families(std::span(&res, 1))));
  ASSERT_EQ(texts.size(), 3U);
  EXPECT_EQ(texts[2].name, "ndes_certificate_has_private_key");
  EXPECT_EQ(texts[0].samples.size(), 3U);  // 706 certificates, in batches of 256
  EXPECT_EQ(std::count(joined.begin(), joined.end(), '\n'), 700 * 2 + 300 + 3 * 2);
}

}  // namespace
}  // namespace ndes
