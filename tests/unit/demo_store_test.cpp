// exporter/demo_store: the generated NDES-like directory, read back by the real
// parser, the openssl CLI, the files collector and the /metrics mapping.
#include "exporter/demo_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

#include "exporter/landing_page.h"
#include "exporter/scraper.h"
#include "ndes/cert/classify.h"
#include "ndes/cert/parse.h"
#include "ndes/collect/collector.h"
#include "ndes/metrics/families.h"
#include "support/run.h"

namespace ndes {
namespace {

namespace fs = std::filesystem;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::int64_t kDay = 86'400;

class DemoStoreTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir("ndes-demo-test");
    now_ = unix_now();
    store_ = new DemoStore(generate_demo_store((dir_->path() / "store").string(), now_));
  }
  static void TearDownTestSuite() {
    delete store_;
    delete dir_;
  }

  static fs::path file(const std::string& rel) { return fs::path(store_->dir) / rel; }

  static ParseResult parse(const std::string& rel) {
    const auto bytes = test::read_file_bytes(file(rel));
    return parse_certificates(bytes, file(rel).filename().string());
  }

  static Certificate one_cert(const std::string& rel) {
    const ParseResult r = parse(rel);
    EXPECT_FALSE(r.error.has_value()) << rel << ": " << r.detail;
    if (r.certificates.size() != 1) {
      ADD_FAILURE() << rel << " holds " << r.certificates.size() << " certificates";
      return {};
    }
    return r.certificates.front();
  }

  static inline test::TempDir* dir_ = nullptr;
  static inline DemoStore* store_ = nullptr;
  static inline std::int64_t now_ = 0;
};

TEST_F(DemoStoreTest, WritesEveryFile) {
  EXPECT_EQ(fs::path(store_->dir), fs::absolute(dir_->path() / "store"));
  for (const char* rel : {"ca/CORP-ISSUING-CA.p7b", "ra/NDES01-MSCEP-RA_CEPEncryption.cer",
                          "ra/NDES01-MSCEP-RA_EnrollmentAgentOffline.cer",
                          "ra/NDES01-MSCEP-RA_EnrollmentAgentOffline_2.pem", "ra/ra-backup.pem",
                          "ssl/ndes01.corp.example.crt", "connector/IntuneConnectorIdentity.cer"}) {
    EXPECT_TRUE(fs::is_regular_file(file(rel))) << rel;
    EXPECT_GT(fs::file_size(file(rel)), 100U) << rel;
  }
  EXPECT_EQ(store_->files.size(), 7U);
  for (const auto& f : store_->files) {
    EXPECT_TRUE(fs::exists(f.path)) << f.path;
    EXPECT_FALSE(f.description.empty());
  }
}

TEST_F(DemoStoreTest, FormatsAreAMix) {
  // DER .cer files start with a SEQUENCE, PEM ones with a header.
  EXPECT_EQ(test::read_file(file("ra/NDES01-MSCEP-RA_CEPEncryption.cer")).substr(0, 1), "\x30");
  EXPECT_EQ(test::read_file(file("ca/CORP-ISSUING-CA.p7b")).substr(0, 1), "\x30");
  EXPECT_EQ(test::read_file(file("ra/NDES01-MSCEP-RA_EnrollmentAgentOffline_2.pem")).substr(0, 27),
            "-----BEGIN CERTIFICATE-----");
  EXPECT_EQ(test::read_file(file("connector/IntuneConnectorIdentity.cer")).substr(0, 27),
            "-----BEGIN CERTIFICATE-----");
}

TEST_F(DemoStoreTest, CepEncryptionRa) {
  const Certificate c = one_cert("ra/NDES01-MSCEP-RA_CEPEncryption.cer");
  EXPECT_EQ(c.subject_cn, "NDES01-MSCEP-RA");
  EXPECT_EQ(c.issuer_cn, "CORP-ISSUING-CA");
  EXPECT_EQ(c.template_name, "CEPEncryption");
  EXPECT_TRUE(c.has_eku(oid::kCertificateRequestAgent));
  EXPECT_TRUE(c.has_key_usage_bit(kKeyEncipherment));
  EXPECT_FALSE(c.has_key_usage_bit(kDigitalSignature));
  EXPECT_EQ(days_left(c.not_after, now_), 9);
  EXPECT_EQ(classify(c), Role::cep_encryption);
}

TEST_F(DemoStoreTest, EnrollmentAgentRasIncludingTheDuplicate) {
  const Certificate a = one_cert("ra/NDES01-MSCEP-RA_EnrollmentAgentOffline.cer");
  const Certificate b = one_cert("ra/NDES01-MSCEP-RA_EnrollmentAgentOffline_2.pem");
  for (const Certificate* c : {&a, &b}) {
    EXPECT_EQ(c->subject_cn, "NDES01-MSCEP-RA");
    EXPECT_EQ(c->template_name, "EnrollmentAgentOffline");
    EXPECT_TRUE(c->has_eku(oid::kCertificateRequestAgent));
    EXPECT_TRUE(c->has_key_usage_bit(kDigitalSignature));
    EXPECT_EQ(classify(*c), Role::enrollment_agent);
    EXPECT_LE(c->not_before, now_);  // both valid now: the duplicate
  }
  EXPECT_EQ(days_left(a.not_after, now_), 21);
  EXPECT_EQ(days_left(b.not_after, now_), 700);
  EXPECT_NE(a.thumbprint, b.thumbprint);
  EXPECT_NE(a.serial, b.serial);
}

TEST_F(DemoStoreTest, SslCertificate) {
  const Certificate c = one_cert("ssl/ndes01.corp.example.crt");
  EXPECT_EQ(c.subject_cn, "ndes01.corp.example");
  EXPECT_THAT(c.sans, Contains("DNS:ndes01.corp.example"));
  EXPECT_TRUE(c.has_eku(oid::kServerAuth));
  EXPECT_EQ(c.template_oid, kDemoSslTemplateOid);
  EXPECT_EQ(c.template_major, 100);
  EXPECT_EQ(c.template_minor, 4);
  EXPECT_EQ(days_left(c.not_after, now_), 45);
  EXPECT_EQ(classify(c), Role::ssl);
}

TEST_F(DemoStoreTest, ConnectorIdentity) {
  const Certificate c = one_cert("connector/IntuneConnectorIdentity.cer");
  EXPECT_EQ(c.issuer_cn, kConnectorIssuerCn);
  EXPECT_EQ(days_left(c.not_after, now_), 300);
  EXPECT_EQ(classify(c), Role::connector_identity);
}

TEST_F(DemoStoreTest, IssuingCaInPkcs7) {
  const Certificate c = one_cert("ca/CORP-ISSUING-CA.p7b");
  EXPECT_EQ(c.subject_cn, "CORP-ISSUING-CA");
  EXPECT_TRUE(c.has_basic_constraints);
  EXPECT_TRUE(c.is_ca);
  EXPECT_GT(days_left(c.not_after, now_), 8 * 365 - 1);
  EXPECT_EQ(classify(c), Role::ca);
}

TEST_F(DemoStoreTest, BrokenBackupIsABadPem) {
  const ParseResult r = parse("ra/ra-backup.pem");
  EXPECT_TRUE(r.certificates.empty());
  ASSERT_TRUE(r.error.has_value());
  EXPECT_EQ(*r.error, ReadError::bad_pem);
}

TEST_F(DemoStoreTest, OpensslAgrees) {
  const fs::path ca_pem = dir_->path() / "ca.pem";
  auto res = test::run_command({"openssl", "pkcs7", "-inform", "DER", "-in",
                                file("ca/CORP-ISSUING-CA.p7b").string(), "-print_certs", "-out",
                                ca_pem.string()});
  ASSERT_EQ(res.exit_code, 0) << res.err;
  // The chain holds: every CA-issued certificate verifies against the p7b's CA.
  for (const char* rel :
       {"ssl/ndes01.corp.example.crt", "ra/NDES01-MSCEP-RA_EnrollmentAgentOffline_2.pem"}) {
    res = test::run_command({"openssl", "verify", "-CAfile", ca_pem.string(), file(rel).string()});
    EXPECT_EQ(res.exit_code, 0) << rel << ": " << res.out << res.err;
  }
  const fs::path cep_pem = dir_->path() / "cep.pem";
  res = test::run_command({"openssl", "x509", "-inform", "DER", "-in",
                           file("ra/NDES01-MSCEP-RA_CEPEncryption.cer").string(), "-out",
                           cep_pem.string()});
  ASSERT_EQ(res.exit_code, 0) << res.err;
  res = test::run_command({"openssl", "verify", "-CAfile", ca_pem.string(), cep_pem.string()});
  EXPECT_EQ(res.exit_code, 0) << res.out << res.err;
  // The v1 template extension is there, as an extension openssl has no name for.
  res = test::run_command({"openssl", "x509", "-in", cep_pem.string(), "-noout", "-text"});
  ASSERT_EQ(res.exit_code, 0) << res.err;
  EXPECT_THAT(res.out, HasSubstr("1.3.6.1.4.1.311.20.2:"));
  EXPECT_THAT(res.out, HasSubstr("Key Encipherment"));
  // And the broken file is broken for openssl too.
  res = test::run_command({"openssl", "x509", "-in", file("ra/ra-backup.pem").string(), "-noout"});
  EXPECT_NE(res.exit_code, 0);
}

TEST_F(DemoStoreTest, RegeneratingOverwrites) {
  test::TempDir other("ndes-demo-again");
  const DemoStore first = generate_demo_store(other.path().string(), now_);
  const std::string before = test::read_file(file("ssl/ndes01.corp.example.crt"));
  const DemoStore second = generate_demo_store(other.path().string(), now_);
  EXPECT_EQ(first.files.size(), second.files.size());
  // Fresh keys and serials each time.
  EXPECT_NE(test::read_file(other.path() / "ssl/ndes01.corp.example.crt"), before);
}

TEST(DemoStoreErrors, UnwritableDirectoryThrows) {
  test::TempDir dir("ndes-demo-bad");
  test::write_file(dir.path() / "file", "not a directory");
  EXPECT_THROW(generate_demo_store((dir.path() / "file" / "sub").string(), unix_now()),
               std::runtime_error);
}

TEST(DemoStoreErrors, TempDirIsFresh) {
  const std::string a = make_temp_demo_dir();
  const std::string b = make_temp_demo_dir();
  EXPECT_NE(a, b);
  EXPECT_TRUE(fs::is_directory(a));
  EXPECT_TRUE(fs::is_empty(a));
  fs::remove_all(a);
  fs::remove_all(b);
}

// ---------------------------------------------------------------------------
// The demo store through the files collector and Scraper: what
// `ndes_exporter --demo` serves.

TEST_F(DemoStoreTest, FilesCollectorSeesTheWholeStore) {
  ExporterConfig config;
  config.collectors_enabled = {"files"};
  config.files.roots.push_back(FilesRoot{store_->dir, std::nullopt});
  const auto exporter = Scraper::from_config(config, BuildInfo{"9.9.9", "rev", "linux/amd64"});
  EXPECT_EQ(exporter->last_snapshot(), nullptr);
  const auto snapshot = exporter->snapshot_or_collect();
  ASSERT_NE(snapshot, nullptr);
  ASSERT_EQ(snapshot->results.size(), 1U);
  const CollectorResult& r = snapshot->results.front();
  EXPECT_TRUE(r.success);
  std::map<Role, int> roles;
  for (const auto& rec : r.certificates) {
    ++roles[rec.role];
  }
  EXPECT_EQ(roles[Role::cep_encryption], 1);
  EXPECT_EQ(roles[Role::enrollment_agent], 2);
  EXPECT_EQ(roles[Role::ssl], 1);
  EXPECT_EQ(roles[Role::connector_identity], 1);
  EXPECT_EQ(roles[Role::ca], 1);
  ASSERT_EQ(r.errors.size(), 1U);
  EXPECT_EQ(r.errors.front().reason, ReadError::bad_pem);
  EXPECT_THAT(r.errors.front().origin.path, HasSubstr("ra-backup.pem"));
  // The snapshot is kept, not re-collected.
  EXPECT_EQ(exporter->snapshot_or_collect(), snapshot);

  const std::string text = exporter->scrape();
  EXPECT_THAT(text, HasSubstr("ndes_exporter_build_info{"));
  EXPECT_THAT(text, HasSubstr("version=\"9.9.9\""));
  EXPECT_THAT(text, HasSubstr("ndes_certificate_not_after_timestamp_seconds{"));
  EXPECT_THAT(text, HasSubstr("NDES01-MSCEP-RA"));
  EXPECT_THAT(text, HasSubstr("ndes_collector_success{collector=\"files\"} 1"));
  // The scrape refreshed the snapshot.
  EXPECT_NE(exporter->last_snapshot(), snapshot);
}

class ThrowingCollector : public Collector {
 public:
  std::string_view name() const override { return "throws"; }
  CollectorResult collect() override { throw std::runtime_error("store unreachable"); }
};

// Takes 20 ms and says it took 0.5 s: run_collector's own timing is what counts.
class FixedCollector : public Collector {
 public:
  std::string_view name() const override { return "fixed"; }
  CollectorResult collect() override {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    CollectorResult r;
    r.collector = "fixed";
    r.duration_seconds = 0.5;
    return r;
  }
};

TEST(ScraperTest, AThrowingCollectorIsAFailedResult) {
  std::vector<std::unique_ptr<Collector>> collectors;
  collectors.push_back(std::make_unique<ThrowingCollector>());
  collectors.push_back(std::make_unique<FixedCollector>());
  Scraper exporter(std::move(collectors), BuildInfo{"1", "r", "linux/amd64"},
                   [] { return std::int64_t{1'800'000'000}; });
  EXPECT_THAT(exporter.collector_names(), ::testing::ElementsAre("throws", "fixed"));
  const auto snapshot = exporter.collect_snapshot();
  ASSERT_EQ(snapshot->results.size(), 2U);
  EXPECT_EQ(snapshot->taken_at, 1'800'000'000);
  EXPECT_EQ(snapshot->results[0].collector, "throws");
  EXPECT_FALSE(snapshot->results[0].success);
  EXPECT_GE(snapshot->results[0].duration_seconds, 0.0);
  EXPECT_EQ(snapshot->results[1].collector, "fixed");
  EXPECT_TRUE(snapshot->results[1].success);
  EXPECT_GE(snapshot->results[1].duration_seconds, 0.02);
  EXPECT_LT(snapshot->results[1].duration_seconds, 0.5);

  const std::string text = exporter.scrape();
  EXPECT_THAT(text, HasSubstr("ndes_collector_success{collector=\"throws\"} 0"));
  EXPECT_THAT(text, HasSubstr("ndes_collector_success{collector=\"fixed\"} 1"));
  EXPECT_THAT(text, HasSubstr("ndes_exporter_build_info{"));
}

// A collector that hands out the list it is given, as the files collector does for
// an unchanged folder.
class ListCollector : public Collector {
 public:
  ListCollector(std::string name, CertificateList list) : name_(std::move(name)), list_(list) {}
  std::string_view name() const override { return name_; }
  CollectorResult collect() override {
    CollectorResult r;
    r.collector = name_;
    r.duration_seconds = 0.25;
    r.certificates = list_;
    return r;
  }
  void set(CertificateList list) { list_ = std::move(list); }

 private:
  std::string name_;
  CertificateList list_;
};

CertificateRecord record(const std::string& collector, const std::string& thumbprint,
                         std::optional<bool> has_key) {
  CertificateRecord r;
  r.origin = Origin{collector, "src", "/p/" + thumbprint};
  r.cert.thumbprint = thumbprint;
  r.cert.subject_cn = "NDES01-MSCEP-RA";
  r.cert.not_before = 1'700'000'000;
  r.cert.not_after = 1'900'000'000;
  r.role = Role::cep_encryption;
  r.has_private_key = has_key;
  return r;
}

// `text` without the ndes_collector_duration_seconds samples, which run_collector
// measures anew on every scrape.
std::string without_durations(const std::string& text) {
  std::istringstream in(text);
  std::string out;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("ndes_collector_duration_seconds{", 0) != 0) {
      out += line + "\n";
    }
  }
  return out;
}

TEST(ScraperTest, AScrapeIsItsFamiliesSerializedAndKeepsTheTextOfUnchangedLists) {
  auto files = std::make_unique<ListCollector>(
      "files", CertificateList{record("files", "AA", std::nullopt), record("files", "BB", {})});
  auto store = std::make_unique<ListCollector>("certstore",
                                               CertificateList{record("certstore", "CC", true)});
  ListCollector* files_collector = files.get();
  std::vector<std::unique_ptr<Collector>> collectors;
  collectors.push_back(std::move(files));
  collectors.push_back(std::move(store));
  Scraper exporter(std::move(collectors), BuildInfo{"1", "r", "linux/amd64"},
                   [] { return std::int64_t{1'800'000'000}; });

  // Byte for byte what the families of the same snapshot say, with the parts of
  // the two collectors under one header per family.
  const BuildInfo build{"1", "r", "linux/amd64"};
  const std::string text = exporter.scrape();
  EXPECT_EQ(text, families_text(*exporter.last_snapshot(), build));
  EXPECT_EQ(exporter.certificate_text_renders(), 2U);
  const auto headers = [&](const std::string& name) {
    std::size_t n = 0;
    for (auto at = text.find("# TYPE " + name + " "); at != std::string::npos;
         at = text.find("# TYPE " + name + " ", at + 1)) {
      ++n;
    }
    return n;
  };
  EXPECT_EQ(headers("ndes_certificate_not_after_timestamp_seconds"), 1U);
  EXPECT_EQ(headers("ndes_certificate_has_private_key"), 1U);
  EXPECT_THAT(text, HasSubstr("thumbprint=\"CC\""));

  // The same lists again: the same text, none of it made again, and the
  // certificate series sent from the very same string (not a copy).
  EXPECT_EQ(without_durations(exporter.scrape()), without_durations(text));
  EXPECT_EQ(exporter.certificate_text_renders(), 2U);
  const auto first = exporter.scrape_shared();
  const auto second = exporter.scrape_shared();
  // Certificate parts: for each of the 3 families a header, then a part per collector
  // that has series in it (only the certstore's record says whether it has a key).
  ASSERT_EQ(first->parts.size(), (1U + 2U) + (1U + 2U) + (1U + 1U) + 1U);
  ASSERT_EQ(second->parts.size(), first->parts.size());
  for (std::size_t i = 0; i + 1 < first->parts.size(); ++i) {
    EXPECT_EQ(first->parts[i], second->parts[i]) << "part " << i;
  }
  EXPECT_NE(first->parts.back(), second->parts.back());  // status: made each scrape

  // One collector's list changes: only its part is made again, and it shows.
  files_collector->set(CertificateList{record("files", "DD", std::nullopt)});
  const std::string changed = exporter.scrape();
  EXPECT_EQ(exporter.certificate_text_renders(), 3U);
  EXPECT_EQ(changed, families_text(*exporter.last_snapshot(), build));
  EXPECT_THAT(changed, HasSubstr("thumbprint=\"DD\""));
  EXPECT_THAT(changed, Not(HasSubstr("thumbprint=\"AA\"")));
  EXPECT_THAT(changed, HasSubstr("thumbprint=\"CC\""));

  // No certificates left: no certificate families, and no stale ones.
  files_collector->set(CertificateList{});
  const std::string emptied = exporter.scrape();
  EXPECT_EQ(emptied, families_text(*exporter.last_snapshot(), build));
  EXPECT_THAT(emptied, Not(HasSubstr("thumbprint=\"DD\"")));
}

TEST(CertificateListTest, CopiesShareUntilOneIsChanged) {
  CertificateList a{record("files", "AA", std::nullopt)};
  CertificateList b = a;
  EXPECT_TRUE(b.same_as(a));
  b.push_back(record("files", "BB", std::nullopt));
  EXPECT_FALSE(b.same_as(a));
  EXPECT_EQ(a.size(), 1U);
  EXPECT_EQ(b.size(), 2U);
  CertificateList c = b;
  c.edit()[0].cert.thumbprint = "ZZ";
  EXPECT_EQ(b[0].cert.thumbprint, "AA");
  EXPECT_EQ(c[0].cert.thumbprint, "ZZ");
  EXPECT_TRUE(CertificateList{}.same_as(CertificateList{}));
  EXPECT_TRUE(CertificateList{}.empty());
}

TEST(ScraperTest, UnknownCollectorNameThrows) {
  ExporterConfig config;
  config.collectors_enabled = {"no-such-collector"};
  EXPECT_THROW(Scraper::from_config(config, BuildInfo{}), std::invalid_argument);
}

}  // namespace
}  // namespace ndes
