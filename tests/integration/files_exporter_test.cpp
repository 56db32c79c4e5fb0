// The real ndes_exporter binary on a directory made by openssl, scraped over HTTP:
// what Prometheus and an admin would see, including every kind of bad file.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <thread>

#include "support/exposition.h"
#include "support/http.h"
#include "support/pki.h"
#include "support/process.h"
#include "support/run.h"
#include "support/setup_error.h"

namespace fs = std::filesystem;

namespace ndes::test {
namespace {

using ::testing::HasSubstr;

void write_text(const fs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Everything a directory of NDES exports can hold, good and bad.
class FilesExporterTest : public ::testing::Test {
 protected:
  // Every test fails if the store could not be built (see support/setup_error.h).
  static void SetUpTestSuite() { setup_error_ = setup_error_of(build_store); }

  static void build_store() {
    tmp_ = new TempDir();
    const fs::path root = tmp_->path();
    fs::permissions(root, fs::perms::all & ~fs::perms::others_write & ~fs::perms::group_write);
    pki_ = new TestPki(root / "pki");
    const std::int64_t now = now_seconds();
    cep_not_after_ = now + 9 * kDay;
    eea_not_after_ = now + 21 * kDay;
    cep_ = pki_->issue("cep", "cep", now - 700 * kDay, cep_not_after_, "/CN=NDES01-MSCEP-RA");
    eea_ = pki_->issue("eea", "eea", now - 700 * kDay, eea_not_after_, "/CN=NDES01-MSCEP-RA");
    eea2_ = pki_->issue("eea2", "eea", now - kDay, now + 700 * kDay, "/CN=NDES01-MSCEP-RA");
    ssl_ = pki_->issue("ssl", "ssl", now - 300 * kDay, now + 45 * kDay, "/CN=ndes01.corp.example");
    expired_ = pki_->issue("expired", "client", now - 400 * kDay, now - 10 * kDay);
    future_ = pki_->issue("future", "client", now + 10 * kDay, now + 400 * kDay);
    connector_ = pki_->issue_connector_identity("connector-identity", 365);

    store_ = root / "store";
    fs::create_directories(store_ / "ra");
    fs::create_directories(store_ / "bad");
    fs::create_directories(store_ / "nested" / "deeper");
    fs::copy_file(pki_->ca_pem(), store_ / "ca.pem");
    // A PEM with an openssl text dump in front, as admins paste them.
    write_text(store_ / "ra" / "cep.pem",
               run_command({"openssl", "x509", "-in", cep_.string(), "-text"}).out);
    write_der(eea_, store_ / "ra" / "eea.cer");
    write_p7b({eea2_}, store_ / "ra" / "eea-new.p7b", false);
    write_p7b({ssl_, pki_->ca_pem()}, store_ / "nested" / "deeper" / "ssl-chain.p7b", true);
    write_pfx(connector_, pki_->dir() / "connector-identity.key", store_ / "connector.pfx", "");
    write_pfx(ssl_, pki_->dir() / "ssl.key", store_ / "ssl-protected.pfx", "s3cret pass");
    write_pfx(ssl_, pki_->dir() / "ssl.key", store_ / "bad" / "wrongpass.pfx", "other");
    fs::copy_file(expired_, store_ / "expired.crt");
    fs::copy_file(future_, store_ / "future.pem");
    // Not certificates: skipped quietly.
    write_text(store_ / "README.txt", "exported from NDES01 on Monday\n");
    fs::copy_file(pki_->dir() / "cep.key", store_ / "ra" / "cep.key");
    // Bad files.
    std::string corrupt = read_text(expired_);
    corrupt.replace(corrupt.size() / 2, 8, "!!!!!!!!");
    write_text(store_ / "bad" / "corrupt.pem", corrupt);
    std::string der = read_text(store_ / "ra" / "eea.cer");
    write_text(store_ / "bad" / "truncated.der", der.substr(0, der.size() / 2));
    write_text(store_ / "bad" / "empty.crt", "");
    fs::copy_file(cep_, store_ / "bad" / "unreadable.pem");
    fs::permissions(store_ / "bad" / "unreadable.pem", fs::perms::none);
    write_text(store_ / "bad" / "huge.pem", std::string(200 * 1024, 'A'));
    // A second root whose encrypted PFX has no passphrase configured.
    nopass_ = root / "nopass";
    fs::create_directories(nopass_);
    fs::copy_file(store_ / "ssl-protected.pfx", nopass_ / "ssl-protected.pfx");

    const fs::path passfile = root / "pfx.pass";
    write_text(passfile, "s3cret pass\n");
    config_ = root / "ndes_exporter.yml";
    write_text(config_,
               "collector:\n"
               "  files:\n"
               "    max-file-size: 65536\n"
               "    path:\n"
               "      - path: " +
                   store_.string() +
                   "\n"
                   "        pkcs12_passphrase_file: " +
                   passfile.string() +
                   "\n"
                   "      - " +
                   nopass_.string() + "\n");
    // Everything readable by the unprivileged user the exporter runs as, except
    // the one file that must not be.
    for (const auto& e : fs::recursive_directory_iterator(root)) {
      if (e.path().filename() == "unreadable.pem") {
        continue;
      }
      fs::permissions(e.path(), e.is_directory()
                                    ? fs::perms::owner_all | fs::perms::group_read |
                                          fs::perms::group_exec | fs::perms::others_read |
                                          fs::perms::others_exec
                                    : fs::perms::owner_read | fs::perms::owner_write |
                                          fs::perms::group_read | fs::perms::others_read);
    }
  }

  static void TearDownTestSuite() {
    delete pki_;
    delete tmp_;
  }

  void SetUp() override {
    ASSERT_TRUE(setup_error_.empty()) << "building the test store failed: " << setup_error_;
    port_ = free_port();
    std::vector<std::string> argv;
    // root reads every file; run the exporter as nobody so permission errors are real.
    if (geteuid() == 0) {
      argv = {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"};
    }
    argv.push_back((bin_dir() / "ndes_exporter").string());
    argv.push_back("--config.file=" + config_.string());
    argv.push_back("--web.listen-address=127.0.0.1:" + std::to_string(port_));
    argv.push_back("--log.level=debug");
    exporter_ = std::make_unique<BackgroundProcess>(argv, tmp_->path() / "exporter.log");
    ASSERT_TRUE(wait_for_port(port_)) << exporter_->log();
  }

  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

  std::vector<ScrapedSample> scrape(std::string* body = nullptr) {
    const HttpResponse r = http_get(url("/metrics"));
    EXPECT_EQ(r.status, 200) << r.error << exporter_->log();
    EXPECT_THAT(r.content_type, HasSubstr("text/plain"));
    if (body != nullptr) {
      *body = r.body;
    }
    return parse_exposition(r.body);
  }

  static inline std::string setup_error_;
  static inline TempDir* tmp_ = nullptr;
  static inline TestPki* pki_ = nullptr;
  static inline fs::path store_, nopass_, config_;
  static inline fs::path cep_, eea_, eea2_, ssl_, expired_, future_, connector_;
  static inline std::int64_t cep_not_after_ = 0, eea_not_after_ = 0;
  int port_ = 0;
  std::unique_ptr<BackgroundProcess> exporter_;
};

TEST_F(FilesExporterTest, ReportsEveryGoodCertificateWithValuesAndLabels) {
  const auto s = scrape();
  const std::string na = "ndes_certificate_not_after_timestamp_seconds";
  const auto cep = select(s, na, {{"thumbprint", openssl_thumbprint(cep_)}});
  ASSERT_EQ(cep.size(), 1U);
  EXPECT_EQ(cep[0].value, static_cast<double>(cep_not_after_));
  EXPECT_EQ(cep[0].labels.at("collector"), "files");
  EXPECT_EQ(cep[0].labels.at("source"), store_.string());
  EXPECT_EQ(cep[0].labels.at("path"), (store_ / "ra" / "cep.pem").string());
  EXPECT_EQ(cep[0].labels.at("serial"), openssl_serial(cep_));
  EXPECT_EQ(cep[0].labels.at("subject"), "NDES01-MSCEP-RA");
  EXPECT_EQ(cep[0].labels.at("issuer"), "CORP-ISSUING-CA");
  EXPECT_EQ(cep[0].labels.at("template"), "CEPEncryption");
  EXPECT_EQ(cep[0].labels.at("role"), "cep_encryption");
  EXPECT_FALSE(cep[0].has_timestamp);

  EXPECT_EQ(value_of(s, na,
                     {{"thumbprint", openssl_thumbprint(eea_)},
                      {"path", (store_ / "ra" / "eea.cer").string()},
                      {"role", "enrollment_agent"},
                      {"template", "EnrollmentAgentOffline"}}),
            static_cast<double>(eea_not_after_));
  EXPECT_EQ(select(s, na, {{"thumbprint", openssl_thumbprint(eea2_)}}).size(), 1U);
  // The SSL cert is in the nested PKCS#7 and in the PFX opened with the passphrase.
  EXPECT_EQ(select(s, na, {{"thumbprint", openssl_thumbprint(ssl_)}, {"role", "ssl"}}).size(), 2U);
  EXPECT_EQ(select(s, na,
                   {{"thumbprint", openssl_thumbprint(connector_)},
                    {"path", (store_ / "connector.pfx").string()},
                    {"role", "connector_identity"},
                    {"issuer", "Microsoft Intune ImportPFX Connector CA"}})
                .size(),
            1U);
  EXPECT_EQ(
      select(s, na, {{"thumbprint", openssl_thumbprint(pki_->ca_pem())}, {"role", "ca"}}).size(),
      2U);  // ca.pem and the chain inside ssl-chain.p7b
  // Expired and not-yet-valid certificates stay visible.
  EXPECT_EQ(select(s, na, {{"thumbprint", openssl_thumbprint(expired_)}}).size(), 1U);
  EXPECT_EQ(select(s, na, {{"thumbprint", openssl_thumbprint(future_)}}).size(), 1U);
  EXPECT_EQ(select(s, "ndes_certificate_not_before_timestamp_seconds",
                   {{"thumbprint", openssl_thumbprint(future_)}})
                .size(),
            1U);
  // Every certificate series has the same nine labels.
  for (const auto& sample : select(s, na)) {
    EXPECT_EQ(sample.labels.size(), 9U);
  }
}

TEST_F(FilesExporterTest, CountsValidCertificatesPerTemplateAndShowsTheDuplicate) {
  const auto s = scrape();
  const std::string v = "ndes_certificates_valid";
  EXPECT_EQ(value_of(s, v,
                     {{"source", store_.string()},
                      {"template", "EnrollmentAgentOffline"},
                      {"role", "enrollment_agent"}}),
            2);
  EXPECT_EQ(
      value_of(
          s, v,
          {{"source", store_.string()}, {"template", "CEPEncryption"}, {"role", "cep_encryption"}}),
      1);
  // The expired and the future client certs are not valid now.
  EXPECT_EQ(value_of(s, v, {{"source", store_.string()}, {"role", "other"}}), 0);
}

TEST_F(FilesExporterTest, EachBadFileGivesItsOwnErrorSeries) {
  const auto s = scrape();
  const std::string e = "ndes_certificate_read_errors";
  const auto reason = [&](const fs::path& p) -> std::string {
    const auto found = select(s, e, {{"path", p.string()}});
    return found.size() == 1 ? found[0].labels.at("reason")
                             : "<" + std::to_string(found.size()) + " series>";
  };
  EXPECT_EQ(reason(store_ / "bad" / "corrupt.pem"), "bad_pem");
  EXPECT_EQ(reason(store_ / "bad" / "truncated.der"), "bad_der");
  EXPECT_EQ(reason(store_ / "bad" / "empty.crt"), "bad_der");
  EXPECT_EQ(reason(store_ / "bad" / "wrongpass.pfx"), "bad_passphrase");
  EXPECT_EQ(reason(nopass_ / "ssl-protected.pfx"), "bad_passphrase");
  EXPECT_EQ(reason(store_ / "bad" / "huge.pem"), "too_large");
  if (geteuid() == 0) {  // as root the exporter was started as nobody
    EXPECT_EQ(reason(store_ / "bad" / "unreadable.pem"), "permission_denied");
  }
  // Notes and keys are not certificates: no error, no series.
  EXPECT_TRUE(select(s, e, {{"path", (store_ / "README.txt").string()}}).empty());
  EXPECT_TRUE(select(s, e, {{"path", (store_ / "ra" / "cep.key").string()}}).empty());
  for (const auto& err : select(s, e)) {
    EXPECT_EQ(err.value, 1);
    EXPECT_EQ(err.labels.at("collector"), "files");
  }
  EXPECT_EQ(value_of(s, "ndes_collector_success", {{"collector", "files"}}), 1);
  EXPECT_TRUE(value_of(s, "ndes_collector_duration_seconds", {{"collector", "files"}}));
  EXPECT_EQ(select(s, "ndes_exporter_build_info").size(), 1U);
  // The log names the file and the reason.
  EXPECT_THAT(exporter_->log(), HasSubstr("wrongpass.pfx"));
}

TEST_F(FilesExporterTest, PromtoolAcceptsTheOutput) {
  std::string body;
  scrape(&body);
  const RunResult r = run_command({"promtool", "check", "metrics"}, std::chrono::seconds(60), body);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

// Prometheus asks for gzip (Accept-Encoding: gzip); the answer is one gzip member that
// gzip(1) reads, with the same series as the plain answer, and much smaller.
TEST_F(FilesExporterTest, AGzipAnswerHasTheSameSeriesAndIsSmaller) {
  std::string plain;
  const auto plain_samples = scrape(&plain);
  for (int i = 0; i < 2; ++i) {  // the second answer reuses the compressed series
    const HttpResponse gz = http_request("GET", url("/metrics"), "", {{"Accept-Encoding", "gzip"}});
    ASSERT_EQ(gz.status, 200) << gz.error;
    ASSERT_GE(gz.body.size(), 2U);
    EXPECT_EQ(gz.body.substr(0, 2), "\x1f\x8b");
    const RunResult unzipped = run_command({"gzip", "-dc"}, std::chrono::seconds(30), gz.body);
    ASSERT_EQ(unzipped.exit_code, 0) << unzipped.err;
    const auto samples = parse_exposition(unzipped.out);
    for (const char* name : {"ndes_certificate_not_after_timestamp_seconds",
                             "ndes_certificate_read_errors", "ndes_certificates_valid"}) {
      EXPECT_EQ(select(samples, name), select(plain_samples, name)) << name;
    }
    EXPECT_TRUE(value_of(samples, "ndes_web_requests_in_flight", {}).has_value());
    EXPECT_LT(gz.body.size() * 3, plain.size());
  }
  // No gzip asked, or gzip refused: plain text.
  EXPECT_EQ(http_request("GET", url("/metrics"), "", {{"Accept-Encoding", "gzip;q=0, identity"}})
                .body.substr(0, 2),
            "# ");
}

TEST_F(FilesExporterTest, UnchangedFilesAreNotParsedAgainAndChangedOnesAre) {
  const auto first = scrape();
  const auto parsed_after_first = value_of(first, "ndes_files_parsed_total");
  ASSERT_TRUE(parsed_after_first);
  EXPECT_GT(*parsed_after_first, 10);
  const auto second = scrape();
  EXPECT_EQ(value_of(second, "ndes_files_parsed_total"), parsed_after_first);
  EXPECT_EQ(value_of(second, "ndes_files_scans_total"), 2);

  // Replace the CEP cert with a renewed one, and drop the expired one.
  const fs::path ra_dir = fs::path(store_) / "ra";
  const std::string original = read_text(ra_dir / "cep.pem");
  const auto mtime = fs::last_write_time(ra_dir / "cep.pem");
  const std::int64_t renewed_not_after = now_seconds() + 730 * kDay;
  const fs::path renewed = pki_->issue("cep-renewed", "cep", now_seconds() - kDay,
                                       renewed_not_after, "/CN=NDES01-MSCEP-RA");
  fs::copy_file(renewed, ra_dir / "cep.pem", fs::copy_options::overwrite_existing);
  fs::last_write_time(ra_dir / "cep.pem", mtime + std::chrono::seconds(5));
  const std::string expired_copy = read_text(store_ / "expired.crt");
  fs::remove(store_ / "expired.crt");

  const auto third = scrape();
  EXPECT_EQ(value_of(third, "ndes_files_parsed_total"), *parsed_after_first + 1);
  const std::string na = "ndes_certificate_not_after_timestamp_seconds";
  EXPECT_EQ(value_of(third, na, {{"thumbprint", openssl_thumbprint(renewed)}}),
            static_cast<double>(renewed_not_after));
  EXPECT_TRUE(select(third, na, {{"thumbprint", openssl_thumbprint(cep_)}}).empty());
  EXPECT_TRUE(select(third, na, {{"thumbprint", openssl_thumbprint(expired_)}}).empty());

  // Put the suite's store back as it was.
  write_text(ra_dir / "cep.pem", original);
  fs::last_write_time(ra_dir / "cep.pem", mtime);
  write_text(store_ / "expired.crt", expired_copy);
  fs::permissions(store_ / "expired.crt", fs::perms::owner_read | fs::perms::owner_write |
                                              fs::perms::group_read | fs::perms::others_read);
}

TEST_F(FilesExporterTest, ConcurrentScrapesAllSucceedAndParseNothingNew) {
  const auto warm = scrape();
  const auto parsed = value_of(warm, "ndes_files_parsed_total");
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&] {
      if (http_get(url("/metrics")).status == 200) {
        ++ok;
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(ok.load(), 16);
  const auto after = scrape();
  EXPECT_EQ(value_of(after, "ndes_files_parsed_total"), parsed);
  EXPECT_LE(value_of(after, "ndes_files_scans_total").value_or(99), 18);
}

TEST_F(FilesExporterTest, LandingPageListsCertificatesSoonestFirst) {
  const HttpResponse r = http_get(url("/"));
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.content_type, HasSubstr("text/html"));
  const auto expired_pos = r.body.find(openssl_thumbprint(expired_));
  const auto cep_pos = r.body.find(openssl_thumbprint(cep_));
  const auto eea2_pos = r.body.find(openssl_thumbprint(eea2_));
  ASSERT_NE(cep_pos, std::string::npos);
  ASSERT_NE(eea2_pos, std::string::npos);
  EXPECT_LT(expired_pos, cep_pos);  // expired first, then 9 days, ..., then 700 days
  EXPECT_LT(cep_pos, eea2_pos);
  EXPECT_THAT(r.body, HasSubstr("/metrics"));
  EXPECT_THAT(r.body, HasSubstr("files"));
  EXPECT_THAT(r.body, HasSubstr("wrongpass.pfx"));  // the errors table
}

TEST_F(FilesExporterTest, StopsCleanlyOnSigterm) {
  EXPECT_EQ(http_get(url("/healthz")).status, 200);
  const int status = exporter_->stop(SIGTERM);
  ASSERT_NE(status, -1) << "did not exit within 10 s";
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << exporter_->log();
}

}  // namespace
}  // namespace ndes::test

namespace ndes::test {
namespace {

// What an admin sees for a typo: one line that names the flag or key, and exit code 2.
TEST(ExporterCommandLine, BadFlagsAndConfigValuesGiveOneLineAndExitCode2) {
  const std::string exe = (bin_dir() / "ndes_exporter").string();
  TempDir tmp;
  const fs::path bad_yaml = tmp.path() / "bad.yml";
  std::ofstream(bad_yaml) << "web:\n  listen-adress: \":1\"\n";
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{exe, "--log.level=loud"}, "--log.level"},
      {{exe, "--collectors.enabled=nosuch"}, "nosuch"},
      {{exe, "--no-such-flag"}, "--no-such-flag"},
      {{exe, "--config.file=" + bad_yaml.string()}, "listen-adress"},
      {{exe, "--config.file=" + (tmp.path() / "missing.yml").string()}, "missing.yml"},
  };
  for (const auto& [argv, names] : cases) {
    const RunResult r = run_command(argv, std::chrono::seconds(10));
    EXPECT_EQ(r.exit_code, 2) << argv.back() << ": " << r.err;
    EXPECT_THAT(r.err, HasSubstr(names));
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
  const RunResult version = run_command({exe, "--version"}, std::chrono::seconds(10));
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_THAT(version.out, HasSubstr("ndes_exporter"));
}

}  // namespace
}  // namespace ndes::test
