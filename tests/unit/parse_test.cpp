// The certificate parser against certificates that the openssl CLI makes at test
// time, and against real files from NDES / AD CS / Windows (../shared/realworld).
#include "ndes/cert/parse.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "label_names.h"
#include "ndes/cert/classify.h"
#include "support/run.h"

namespace ndes {
namespace {

namespace fs = std::filesystem;
using test::must_run;
using test::read_file;
using test::read_file_bytes;
using test::run_command;
using test::TempDir;
using test::write_file;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

constexpr const char* kAgentEku = "1.3.6.1.4.1.311.20.2.1";
constexpr const char* kV2TemplateOid = "1.3.6.1.4.1.311.21.8.1111.2222.3333.4444.100";
constexpr const char* kP12Passphrase = "correct horse battery staple";

// Fixed validity windows, as Unix seconds (checked against `date -u -d ... +%s`).
constexpr std::int64_t k2024_01_01 = 1704067200;
constexpr std::int64_t k2034_01_01 = 2019686400;
constexpr std::int64_t k2099_12_31_235959 = 4102444799;
constexpr std::int64_t k2090_01_01 = 3786912000;
constexpr std::int64_t k2000_01_01 = 946684800;
constexpr std::int64_t k2001_01_01 = 978307200;
constexpr std::int64_t k1960_01_01 = -315619200;
constexpr std::int64_t k1969_12_31_235959 = -1;

std::vector<std::uint8_t> to_bytes(std::string_view s) { return {s.begin(), s.end()}; }

std::string strip_colons(std::string s) {
  s.erase(std::remove(s.begin(), s.end(), ':'), s.end());
  return s;
}

// What `openssl x509` says about one certificate file (PEM or DER).
struct OpensslView {
  std::string thumbprint;
  std::string serial;
  std::string subject;
  std::string issuer;
  std::int64_t not_before = 0;
  std::int64_t not_after = 0;
};

std::int64_t date_to_unix(const std::string& openssl_date) {
  const auto r = run_command({"date", "-u", "-d", openssl_date, "+%s"});
  if (r.exit_code != 0) {
    throw std::runtime_error("date cannot read '" + openssl_date + "': " + r.err);
  }
  return std::stoll(r.out);
}

OpensslView openssl_view(const fs::path& file, bool der = false) {
  std::vector<std::string> argv = {
      "openssl",      "x509",     "-in",      file.string(),     "-noout",
      "-fingerprint", "-sha1",    "-serial",  "-subject",        "-issuer",
      "-startdate",   "-enddate", "-nameopt", "RFC2253,-esc_msb"};
  if (der) {
    argv.insert(argv.end(), {"-inform", "DER"});
  }
  const auto r = run_command(argv);
  if (r.exit_code != 0) {
    throw std::runtime_error("openssl x509 failed on " + file.string() + ": " + r.err);
  }
  std::map<std::string, std::string> kv;
  std::size_t pos = 0;
  while (pos < r.out.size()) {
    std::size_t eol = r.out.find('\n', pos);
    if (eol == std::string::npos) {
      eol = r.out.size();
    }
    const std::string line = r.out.substr(pos, eol - pos);
    pos = eol + 1;
    const auto eq = line.find('=');
    if (eq != std::string::npos) {
      kv[line.substr(0, eq)] = line.substr(eq + 1);
    }
  }
  OpensslView v;
  v.thumbprint = strip_colons(kv["sha1 Fingerprint"].empty() ? kv["SHA1 Fingerprint"]
                                                             : kv["sha1 Fingerprint"]);
  v.serial = kv["serial"];
  v.subject = kv["subject"];
  v.issuer = kv["issuer"];
  v.not_before = date_to_unix(kv["notBefore"]);
  v.not_after = date_to_unix(kv["notAfter"]);
  return v;
}

// A small PKI made with the openssl CLI: a root CA, the Intune connector CA, and
// leaves for every role, format and edge case. Each file is made the first time a
// test asks for it (ctest runs every test in its own process), then kept for the
// rest of the process.
class Pki {
 public:
  static Pki& get() {
    static Pki pki;
    return pki;
  }

  const std::string& error() const { return error_; }
  // The path of a fixture file, made first if need be. Throws if openssl fails.
  fs::path path(const std::string& name) {
    ensure(name);
    return dir_ / name;
  }
  std::vector<std::uint8_t> bytes(const std::string& name) { return read_file_bytes(path(name)); }
  std::string text(const std::string& name) { return read_file(path(name)); }
  ParseResult parse(const std::string& name, const ParseOptions& options = {}) {
    return parse_certificates(bytes(name), name, options);
  }
  // The leaf certificates (NAME.pem), for cross-checks with openssl.
  const std::vector<std::string>& leaves() const { return leaves_; }
  bool legacy_pkcs12() {
    ensure("ssl.pem");  // a failure here is a real failure
    try {
      ensure("legacy.pfx");
      return true;
    } catch (const std::exception&) {
      return false;  // this openssl CLI cannot write RC2: the tests skip
    }
  }

 private:
  Pki() : dir_("ndes-parse-test") {
    try {
      base();
    } catch (const std::exception& e) {
      error_ = e.what();
    }
    define();
  }

  void ensure(const std::string& name) {
    const std::lock_guard<std::recursive_mutex> lock(mu_);
    if (built_.count(name) != 0) {
      return;
    }
    const auto it = recipes_.find(name);
    if (it == recipes_.end()) {
      throw std::logic_error("no recipe for " + name);
    }
    it->second();
    built_.insert(name);
  }

  void recipe(const std::string& name, std::function<void()> make) {
    recipes_[name] = std::move(make);
  }

  void openssl(std::vector<std::string> args) const {
    args.insert(args.begin(), "openssl");
    must_run(args);
  }
  std::string file(const std::string& name) const { return (dir_ / name).string(); }

  struct Leaf {
    std::string name;
    std::string subject;
    std::string extensions;  // the [ext] section body, plus any further sections
    std::string serial = "";
    std::string start = "20240101000000Z";
    std::string end = "20340101000000Z";
    std::string issuer = "ca";
  };

  void leaf(const Leaf& l) {
    leaves_.push_back(l.name);
    recipe(l.name + ".pem", [this, l] {
      ensure(l.issuer + ".pem");
      write_file(dir_ / "serial",
                 (l.serial.empty() ? std::to_string(1000 + serial_counter_++) : l.serial) + "\n");
      write_file(dir_ / (l.name + ".ext"), "[ext]\n" + l.extensions + "\n");
      openssl({"ca",
               "-batch",
               "-utf8",
               "-config",
               file("ca.cnf"),
               "-cert",
               file(l.issuer + ".pem"),
               "-keyfile",
               file(l.issuer + ".key"),
               "-in",
               file("leaf.csr"),
               "-subj",
               l.subject,
               "-startdate",
               l.start,
               "-enddate",
               l.end,
               "-extfile",
               file(l.name + ".ext"),
               "-extensions",
               "ext",
               "-notext",
               "-out",
               file(l.name + ".pem")});
    });
  }

  void self_signed_ca(const std::string& name, const std::string& subject, int serial) {
    openssl({"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out",
             file(name + ".key")});
    openssl({"req",
             "-x509",
             "-new",
             "-config",
             file("ca.cnf"),
             "-key",
             file(name + ".key"),
             "-subj",
             subject,
             "-days",
             "3650",
             "-set_serial",
             std::to_string(serial),
             "-addext",
             "basicConstraints=critical,CA:TRUE",
             "-addext",
             "keyUsage=critical,keyCertSign,cRLSign",
             "-addext",
             "subjectKeyIdentifier=hash",
             "-out",
             file(name + ".pem")});
  }

  // What every test needs: the CA configuration, the root CA, one leaf key and CSR.
  void base() {
    fs::create_directories(dir_ / "newcerts");
    write_file(dir_ / "index.txt", "");
    write_file(
        dir_ / "ca.cnf",
        "[ca]\ndefault_ca = testca\n"
        "[testca]\n"
        "dir = " +
            dir_.path().string() +
            "\n"
            "database = $dir/index.txt\nnew_certs_dir = $dir/newcerts\nserial = $dir/serial\n"
            "default_md = sha256\npolicy = policy_any\nunique_subject = no\npreserve = yes\n"
            "copy_extensions = none\n"
            "[policy_any]\ndomainComponent = optional\ncountryName = optional\n"
            "organizationName = optional\ncommonName = optional\n"
            "[req]\ndistinguished_name = req_dn\nprompt = no\n"
            "[req_dn]\nCN = unused\n");
    self_signed_ca("ca", "/DC=com/DC=example/CN=NDES Test Root CA", 1);
    openssl({"genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out",
             file("leaf.key")});
    openssl({"req", "-new", "-config", file("ca.cnf"), "-key", file("leaf.key"), "-subj",
             "/CN=request", "-out", file("leaf.csr")});
    built_.insert({"ca.pem", "ca.key", "leaf.key", "leaf.csr"});
  }

  void define() {
    recipe("connector-ca.pem", [this] {
      self_signed_ca("connector-ca", "/CN=Microsoft Intune ImportPFX Connector CA", 2);
    });

    const std::string ski = "subjectKeyIdentifier = hash\n";
    // NDES RA certs as AD CS issues them: v1 template name, Certificate Request Agent.
    leaf({"cep", "/C=US/O=Example/CN=NDES-CEP",
          ski + "keyUsage = critical, keyEncipherment\n"
                "extendedKeyUsage = 1.3.6.1.4.1.311.20.2.1\n"
                "1.3.6.1.4.1.311.20.2 = ASN1:BMPSTRING:CEPEncryption\n"});
    leaf({"ea", "/C=US/O=Example/CN=NDES-EA",
          ski + "keyUsage = critical, digitalSignature\n"
                "extendedKeyUsage = 1.3.6.1.4.1.311.20.2.1\n"
                "1.3.6.1.4.1.311.20.2 = ASN1:BMPSTRING:EnrollmentAgentOffline\n"});
    // Template wins over EKU: keyEncipherment would say CEP, the template says EA.
    leaf({"ea-template-over-eku", "/CN=NDES-EA-odd-ku",
          ski + "keyUsage = critical, keyEncipherment\n"
                "extendedKeyUsage = 1.3.6.1.4.1.311.20.2.1\n"
                "1.3.6.1.4.1.311.20.2 = ASN1:BMPSTRING:EnrollmentAgentOffline\n"});
    // No template: the EKU + key usage rule.
    leaf({"cep-eku-only", "/CN=NDES-CEP-copy",
          ski + "keyUsage = critical, keyEncipherment\n"
                "extendedKeyUsage = 1.3.6.1.4.1.311.20.2.1\n"});
    leaf({"ea-eku-only", "/CN=NDES-EA-copy",
          ski + "keyUsage = critical, digitalSignature\n"
                "extendedKeyUsage = 1.3.6.1.4.1.311.20.2.1\n"});
    // v2 template (SEQUENCE { OID, major, minor }) only.
    leaf({"v2", "/CN=v2-user",
          ski +
              "keyUsage = critical, digitalSignature\n"
              "extendedKeyUsage = clientAuth\n"
              "1.3.6.1.4.1.311.21.7 = ASN1:SEQUENCE:tmpl\n"
              "[tmpl]\nid = OID:" +
              std::string(kV2TemplateOid) + "\nmajor = INTEGER:100\nminor = INTEGER:5\n"});
    // v1 name as UTF8String plus a v2 extension without the optional minor version.
    leaf({"v1v2", "/CN=NDES-CEP-v1v2",
          ski + "keyUsage = critical, keyEncipherment\n"
                "extendedKeyUsage = 1.3.6.1.4.1.311.20.2.1\n"
                "1.3.6.1.4.1.311.20.2 = ASN1:UTF8String:CEPEncryption\n"
                "1.3.6.1.4.1.311.21.7 = ASN1:SEQUENCE:tmpl\n"
                "[tmpl]\nid = OID:1.3.6.1.4.1.311.21.8.7.7.7\nmajor = INTEGER:7\n"});
    // Template over EKU the other way: CEPEncryption template on a TLS-looking cert.
    leaf({"cep-template-serverauth", "/CN=cep-with-serverauth",
          ski + "keyUsage = critical, digitalSignature, keyEncipherment\n"
                "extendedKeyUsage = serverAuth\n"
                "1.3.6.1.4.1.311.20.2 = ASN1:BMPSTRING:CEPEncryption\n"});
    leaf({"connector", "/CN=8d3b2c1e-4f5a-4b6c-9d7e-0f1a2b3c4d5e",
          ski + "keyUsage = critical, digitalSignature, keyEncipherment\n"
                "extendedKeyUsage = clientAuth\n",
          "", "20240101000000Z", "20340101000000Z", "connector-ca"});
    // The NDES IIS certificate: SANs of every kind, two CDPs, a serial with the top bit
    // set (DER pads it with 00), valid past 2038 and 2049 (GeneralizedTime).
    leaf({"ssl", "/DC=com/DC=example/CN=ndes.example.com",
          ski + "basicConstraints = critical, CA:FALSE\n"
                "keyUsage = critical, digitalSignature, keyEncipherment\n"
                "extendedKeyUsage = serverAuth, clientAuth\n"
                "subjectAltName = DNS:ndes.example.com, DNS:ndes, IP:10.0.0.5, "
                "IP:2001:db8::1, email:pki@example.com, "
                "URI:https://ndes.example.com/certsrv/mscep/mscep.dll\n"
                "crlDistributionPoints = @cdps\n"
                "[cdps]\nURI.0 = http://pki.example.com/crl/root.crl\n"
                "URI.1 = ldap:///CN=NDES%20Test%20Root%20CA,CN=CDP?certificateRevocationList\n",
          "8A0B0C0D0E0F1011", "20240101000000Z", "20991231235959Z"});
    leaf({"ca-serverauth", "/CN=Issuing CA with serverAuth",
          ski + "basicConstraints = critical, CA:TRUE, pathlen:0\n"
                "keyUsage = critical, keyCertSign, cRLSign\n"
                "extendedKeyUsage = serverAuth\n"});
    leaf({"expired", "/CN=old.example.com", ski + "extendedKeyUsage = serverAuth\n", "",
          "20000101000000Z", "20010101000000Z"});
    leaf({"ancient", "/CN=before-1970.example.com", ski + "extendedKeyUsage = serverAuth\n", "",
          "19600101000000Z", "19691231235959Z"});
    leaf({"future", "/CN=not-yet.example.com", ski + "extendedKeyUsage = serverAuth\n", "",
          "20900101000000Z", "20991231235959Z"});
    // UTF-8 and several CNs: the most specific one is the label.
    leaf({"other", "/DC=com/DC=example/CN=Users/CN=Jürgen Müller",
          ski + "keyUsage = critical, digitalSignature\nextendedKeyUsage = clientAuth\n"});
    leaf({"no-extensions", "/CN=bare", ""});

    // Formats.
    recipe("ssl.der", [this] {
      openssl(
          {"x509", "-in", path("ssl.pem").string(), "-outform", "DER", "-out", file("ssl.der")});
    });
    recipe("bundle.pem", [this] {
      std::string bundle = "NDES certificates, exported for the audit\r\n\r\n";
      for (const char* name : {"ca", "cep", "ea"}) {
        const auto r = run_command(
            {"openssl", "x509", "-in", path(std::string(name) + ".pem").string(), "-text"});
        if (r.exit_code != 0) {
          throw std::runtime_error(r.err);
        }
        bundle += std::string("# ") + name + "\n" + r.out + "\n";
      }
      bundle += text("leaf.key");  // a key after the certificates is ignored
      write_file(dir_ / "bundle.pem", bundle);
    });
    recipe("trusted.pem", [this] {
      openssl({"x509", "-in", path("ssl.pem").string(), "-trustout", "-addtrust", "serverAuth",
               "-out", file("trusted.pem")});
    });
    recipe("x509-label.pem", [this] {
      std::string pem = text("cep.pem");
      for (const std::string marker : {"-----BEGIN ", "-----END "}) {
        pem.replace(pem.find(marker), marker.size(), marker + "X509 ");
      }
      write_file(dir_ / "x509-label.pem", pem);
    });
    for (const auto& [name, form] : std::vector<std::pair<std::string, std::string>>{
             {"chain.p7b", "DER"}, {"chain-pem.p7b", "PEM"}}) {
      recipe(name, [this, name = name, form = form] {
        openssl({"crl2pkcs7", "-nocrl", "-certfile", path("ssl.pem").string(), "-certfile",
                 file("ca.pem"), "-outform", form, "-out", file(name)});
      });
    }
    recipe("empty.p7b", [this] {
      openssl({"crl2pkcs7", "-nocrl", "-outform", "DER", "-out", file("empty.p7b")});
    });
    recipe("empty-pem.p7b", [this] {
      openssl({"crl2pkcs7", "-nocrl", "-outform", "PEM", "-out", file("empty-pem.p7b")});
    });
    // CMS SignedData whose signer is named by subjectKeyIdentifier (a CMS-only shape).
    recipe("signed.p7s", [this] {
      write_file(dir_ / "message.txt", "GetCACert\n");
      openssl({"cms", "-sign", "-in", file("message.txt"), "-signer", path("ea.pem").string(),
               "-inkey", file("leaf.key"), "-certfile", file("ca.pem"), "-keyid", "-nodetach",
               "-outform", "DER", "-out", file("signed.p7s")});
    });

    // PKCS#12: the TLS leaf with its key and the root.
    auto p12 = [this](const std::string& out, const std::vector<std::string>& extra) {
      recipe(out, [this, out, extra] {
        std::vector<std::string> args = {"pkcs12",    "-export",
                                         "-in",       path("ssl.pem").string(),
                                         "-inkey",    file("leaf.key"),
                                         "-certfile", file("ca.pem"),
                                         "-name",     "ndes"};
        args.insert(args.end(), extra.begin(), extra.end());
        args.insert(args.end(), {"-out", file(out)});
        openssl(args);
      });
    };
    const std::string pass = std::string("pass:") + kP12Passphrase;
    p12("nopass.pfx", {"-passout", "pass:"});
    p12("secret.p12", {"-passout", pass});
    p12("nomac.p12", {"-passout", "pass:", "-keypbe", "NONE", "-certpbe", "NONE", "-nomac"});
    // No MAC, certificates encrypted: only decryption tells a right passphrase.
    p12("nomac-secret.p12", {"-passout", pass, "-nomac", "-certpbe", "AES-256-CBC"});
    p12("legacy.pfx", {"-legacy", "-passout", pass});
    recipe("certs-only.pfx", [this] {
      openssl({"pkcs12", "-export", "-nokeys", "-in", path("cep.pem").string(), "-passout",
               "pass:", "-out", file("certs-only.pfx")});
    });
    recipe("key-only.pfx", [this] {
      openssl({"pkcs12", "-export", "-nocerts", "-inkey", file("leaf.key"), "-passout",
               "pass:", "-out", file("key-only.pfx")});
    });
    recipe("leaf.pub.pem", [this] {
      openssl({"pkey", "-in", file("leaf.key"), "-pubout", "-out", file("leaf.pub.pem")});
    });
  }

  TempDir dir_;
  std::string error_;
  std::recursive_mutex mu_;
  std::map<std::string, std::function<void()>> recipes_;
  std::set<std::string> built_;
  std::vector<std::string> leaves_;
  int serial_counter_ = 0;
};

class ParseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pki_ = &Pki::get();
    ASSERT_EQ(pki_->error(), "") << "could not build the test PKI";
  }

  // Exactly one certificate, no error.
  Certificate one(const std::string& name, const ParseOptions& options = {}) {
    ParseResult r = pki_->parse(name, options);
    EXPECT_FALSE(r.error) << name << ": " << r.detail;
    EXPECT_FALSE(r.not_certificate) << name;
    EXPECT_EQ(r.certificates.size(), 1U) << name;
    return r.certificates.empty() ? Certificate{} : r.certificates.front();
  }

  std::string thumbprint(const std::string& pem_name) {
    return openssl_view(pki_->path(pem_name)).thumbprint;
  }

  Pki* pki_ = nullptr;
};

std::vector<std::string> thumbprints(const ParseResult& r) {
  std::vector<std::string> out;
  for (const auto& c : r.certificates) {
    out.push_back(c.thumbprint);
  }
  return out;
}

// --- Every field against what openssl says ----------------------------------------

TEST_F(ParseTest, EveryGeneratedCertificateMatchesOpensslX509) {
  ASSERT_GE(pki_->leaves().size(), 15U);
  for (const std::string& name : pki_->leaves()) {
    SCOPED_TRACE(name);
    const OpensslView want = openssl_view(pki_->path(name + ".pem"));
    const Certificate got = one(name + ".pem");
    EXPECT_EQ(got.thumbprint, want.thumbprint);
    EXPECT_EQ(got.serial, want.serial);
    EXPECT_EQ(got.subject, want.subject);
    EXPECT_EQ(got.issuer, want.issuer);
    EXPECT_EQ(got.not_before, want.not_before);
    EXPECT_EQ(got.not_after, want.not_after);
  }
}

TEST_F(ParseTest, ThumbprintIsUppercaseSha1OfTheDer) {
  const Certificate c = one("ssl.pem");
  EXPECT_EQ(c.thumbprint.size(), 40U);
  EXPECT_EQ(c.thumbprint.find_first_not_of("0123456789ABCDEF"), std::string::npos);
  const auto r = run_command({"openssl", "dgst", "-sha1", "-r", pki_->path("ssl.der").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string want = r.out.substr(0, 40);
  std::transform(want.begin(), want.end(), want.begin(), ::toupper);
  EXPECT_EQ(c.thumbprint, want);
}

TEST_F(ParseTest, SerialIsUppercaseHexWithoutDerSignPadding) {
  // DER encodes 8A0B... as 00 8A 0B ...; the model shows the number.
  EXPECT_EQ(one("ssl.pem").serial, "8A0B0C0D0E0F1011");
  EXPECT_EQ(one("cep.pem").serial, openssl_view(pki_->path("cep.pem")).serial);
}

TEST_F(ParseTest, NamesAreRfc2253AndTheLabelIsTheMostSpecificCn) {
  const Certificate c = one("other.pem");
  EXPECT_EQ(c.subject, "CN=Jürgen Müller,CN=Users,DC=example,DC=com");
  EXPECT_EQ(c.subject_cn, "Jürgen Müller");
  EXPECT_EQ(c.subject_label(), "Jürgen Müller");
  EXPECT_EQ(c.issuer, "CN=NDES Test Root CA,DC=example,DC=com");
  EXPECT_EQ(c.issuer_cn, "NDES Test Root CA");
  const Certificate cep = one("cep.pem");
  EXPECT_EQ(cep.subject, "CN=NDES-CEP,O=Example,C=US");
  EXPECT_EQ(cep.subject_cn, "NDES-CEP");
}

TEST_F(ParseTest, ValidityWindowsIncludingAfter2038AndBefore1970) {
  Certificate c = one("ssl.pem");
  EXPECT_EQ(c.not_before, k2024_01_01);
  EXPECT_EQ(c.not_after, k2099_12_31_235959);
  c = one("expired.pem");
  EXPECT_EQ(c.not_before, k2000_01_01);
  EXPECT_EQ(c.not_after, k2001_01_01);
  c = one("future.pem");
  EXPECT_EQ(c.not_before, k2090_01_01);
  EXPECT_EQ(c.not_after, k2099_12_31_235959);
  c = one("ancient.pem");
  EXPECT_EQ(c.not_before, k1960_01_01);
  EXPECT_EQ(c.not_after, k1969_12_31_235959);
  c = one("cep.pem");
  EXPECT_EQ(c.not_before, k2024_01_01);
  EXPECT_EQ(c.not_after, k2034_01_01);
}

TEST_F(ParseTest, KeyUsageExtendedKeyUsageAndBasicConstraints) {
  Certificate c = one("ssl.pem");
  EXPECT_TRUE(c.has_key_usage);
  EXPECT_EQ(c.key_usage, kDigitalSignature | kKeyEncipherment);
  EXPECT_THAT(key_usage_names(c.key_usage), ElementsAre("digitalSignature", "keyEncipherment"));
  EXPECT_THAT(c.ekus, ElementsAre("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"));
  EXPECT_TRUE(c.has_eku(oid::kServerAuth));
  EXPECT_TRUE(c.has_basic_constraints);
  EXPECT_FALSE(c.is_ca);

  c = one("cep.pem");
  EXPECT_EQ(c.key_usage, static_cast<std::uint32_t>(kKeyEncipherment));
  EXPECT_THAT(c.ekus, ElementsAre(kAgentEku));
  EXPECT_FALSE(c.has_basic_constraints);

  c = one("ca-serverauth.pem");
  EXPECT_TRUE(c.has_basic_constraints);
  EXPECT_TRUE(c.is_ca);
  EXPECT_EQ(c.key_usage, kKeyCertSign | kCrlSign);
  EXPECT_THAT(key_usage_names(c.key_usage), ElementsAre("keyCertSign", "cRLSign"));

  c = one("no-extensions.pem");
  EXPECT_FALSE(c.has_key_usage);
  EXPECT_EQ(c.key_usage, 0U);
  EXPECT_THAT(c.ekus, IsEmpty());
  EXPECT_FALSE(c.has_basic_constraints);
  EXPECT_THAT(c.sans, IsEmpty());
  EXPECT_THAT(c.crl_distribution_points, IsEmpty());
  EXPECT_EQ(c.template_name, "");
  EXPECT_EQ(c.template_oid, "");
  EXPECT_EQ(c.template_major, -1);
}

TEST_F(ParseTest, SubjectAlternativeNamesAndCrlDistributionPoints) {
  const Certificate c = one("ssl.pem");
  EXPECT_THAT(c.sans, ElementsAre("DNS:ndes.example.com", "DNS:ndes", "IP:10.0.0.5",
                                  "IP:2001:db8::1", "email:pki@example.com",
                                  "URI:https://ndes.example.com/certsrv/mscep/mscep.dll"));
  EXPECT_THAT(c.crl_distribution_points,
              ElementsAre("http://pki.example.com/crl/root.crl",
                          "ldap:///CN=NDES%20Test%20Root%20CA,CN=CDP?certificateRevocationList"));
}

// --- Templates ------------------------------------------------------------------

TEST_F(ParseTest, V1TemplateNameFromBmpString) {
  EXPECT_EQ(one("cep.pem").template_name, "CEPEncryption");
  EXPECT_EQ(one("ea.pem").template_name, "EnrollmentAgentOffline");
  EXPECT_EQ(one("cep.pem").template_oid, "");
}

TEST_F(ParseTest, V2TemplateWithoutNameShowsTheOid) {
  const Certificate c = one("v2.pem");
  EXPECT_EQ(c.template_oid, kV2TemplateOid);
  EXPECT_EQ(c.template_major, 100);
  EXPECT_EQ(c.template_minor, 5);
  EXPECT_EQ(c.template_name, kV2TemplateOid);
}

TEST_F(ParseTest, V2TemplateNameResolvedThroughTemplateNames) {
  const TemplateNames names{{kV2TemplateOid, "NDES-User-v2"}, {"1.2.3", "unrelated"}};
  ParseOptions options;
  options.template_names = &names;
  EXPECT_EQ(one("v2.pem", options).template_name, "NDES-User-v2");
  // parse_der_certificate (the Windows store path) resolves the same way.
  const auto der =
      run_command({"openssl", "x509", "-in", pki_->path("v2.pem").string(), "-outform", "DER"});
  ASSERT_EQ(der.exit_code, 0);
  const auto c = parse_der_certificate(to_bytes(der.out), &names);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->template_name, "NDES-User-v2");
  EXPECT_EQ(c->template_minor, 5);
}

TEST_F(ParseTest, V1NameWinsOverV2AndMinorVersionIsOptional) {
  const TemplateNames names{{"1.3.6.1.4.1.311.21.8.7.7.7", "SomethingElse"}};
  ParseOptions options;
  options.template_names = &names;
  const Certificate c = one("v1v2.pem", options);
  EXPECT_EQ(c.template_name, "CEPEncryption");  // UTF8String v1 value
  EXPECT_EQ(c.template_oid, "1.3.6.1.4.1.311.21.8.7.7.7");
  EXPECT_EQ(c.template_major, 7);
  EXPECT_EQ(c.template_minor, -1);
}

// --- Roles end to end -----------------------------------------------------------

TEST_F(ParseTest, GeneratedCertificatesGetTheirRoles) {
  const std::vector<std::pair<std::string, Role>> want = {
      {"cep.pem", Role::cep_encryption},
      {"ea.pem", Role::enrollment_agent},
      {"ea-template-over-eku.pem", Role::enrollment_agent},
      {"cep-template-serverauth.pem", Role::cep_encryption},
      {"cep-eku-only.pem", Role::cep_encryption},
      {"ea-eku-only.pem", Role::enrollment_agent},
      {"v1v2.pem", Role::cep_encryption},
      {"connector.pem", Role::connector_identity},
      {"ca.pem", Role::ca},
      // The connector CA's own certificate is issued by itself, but it is a CA.
      {"connector-ca.pem", Role::ca},
      {"ca-serverauth.pem", Role::ca},
      {"ssl.pem", Role::ssl},
      {"expired.pem", Role::ssl},
      {"v2.pem", Role::other},
      {"other.pem", Role::other},
      {"no-extensions.pem", Role::other},
  };
  for (const auto& [name, role] : want) {
    EXPECT_EQ(to_string(classify(one(name))), to_string(role)) << name;
  }
}

// --- Formats --------------------------------------------------------------------

TEST_F(ParseTest, DerCertificate) {
  const Certificate c = one("ssl.der");
  EXPECT_EQ(c.thumbprint, thumbprint("ssl.pem"));
  EXPECT_EQ(c.subject_cn, "ndes.example.com");
}

TEST_F(ParseTest, ContentDecidesNotTheExtension) {
  // DER bytes named .pem, PEM text named .txt and .p12.
  EXPECT_EQ(parse_certificates(pki_->bytes("ssl.der"), "ndes.pem").certificates.size(), 1U);
  EXPECT_EQ(parse_certificates(pki_->bytes("ssl.pem"), "cert.txt").certificates.size(), 1U);
  EXPECT_EQ(parse_certificates(pki_->bytes("ssl.pem"), "cert.p12").certificates.size(), 1U);
  EXPECT_EQ(parse_certificates(pki_->bytes("nopass.pfx"), "").certificates.size(), 2U);
  EXPECT_EQ(parse_certificates(pki_->bytes("chain.p7b"), "chain.cer").certificates.size(), 2U);
}

TEST_F(ParseTest, PemBundleWithTextDumpsAroundTheBlocks) {
  const ParseResult r = pki_->parse("bundle.pem");
  EXPECT_FALSE(r.error) << r.detail;
  EXPECT_FALSE(r.not_certificate);
  EXPECT_THAT(thumbprints(r),
              ElementsAre(thumbprint("ca.pem"), thumbprint("cep.pem"), thumbprint("ea.pem")));
  ASSERT_EQ(r.certificates.size(), 3U);
  EXPECT_EQ(classify(r.certificates[1]), Role::cep_encryption);
  EXPECT_EQ(classify(r.certificates[2]), Role::enrollment_agent);
}

TEST_F(ParseTest, X509AndTrustedCertificateLabels) {
  EXPECT_EQ(one("x509-label.pem").thumbprint, thumbprint("cep.pem"));
  ASSERT_THAT(pki_->text("trusted.pem"), HasSubstr("BEGIN TRUSTED CERTIFICATE"));
  EXPECT_EQ(one("trusted.pem").thumbprint, thumbprint("ssl.pem"));
}

TEST_F(ParseTest, Pkcs7DerAndPem) {
  for (const char* name : {"chain.p7b", "chain-pem.p7b"}) {
    const ParseResult r = pki_->parse(name);
    EXPECT_FALSE(r.error) << name << ": " << r.detail;
    EXPECT_THAT(thumbprints(r), UnorderedElementsAre(thumbprint("ssl.pem"), thumbprint("ca.pem")))
        << name;
  }
  ASSERT_THAT(pki_->text("chain-pem.p7b"), HasSubstr("-----BEGIN PKCS7-----"));
}

TEST_F(ParseTest, Pkcs7WithoutCertificatesIsAReadErrorByEncoding) {
  ParseResult r = pki_->parse("empty.p7b");
  EXPECT_THAT(r.certificates, IsEmpty());
  ASSERT_TRUE(r.error);
  EXPECT_EQ(*r.error, ReadError::bad_der);
  EXPECT_EQ(r.detail, "PKCS#7 holds no certificates");
  EXPECT_FALSE(r.not_certificate);

  r = pki_->parse("empty-pem.p7b");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(*r.error, ReadError::bad_pem);
  EXPECT_THAT(r.detail, HasSubstr("PKCS#7 holds no certificates"));
}

TEST_F(ParseTest, CmsSignedDataWithKeyIdSigner) {
  const ParseResult r = pki_->parse("signed.p7s");
  EXPECT_FALSE(r.error) << r.detail;
  EXPECT_THAT(thumbprints(r), UnorderedElementsAre(thumbprint("ea.pem"), thumbprint("ca.pem")));
}

// --- PKCS#12 --------------------------------------------------------------------

TEST_F(ParseTest, Pkcs12WithoutPassword) {
  for (const char* name : {"nopass.pfx", "nomac.p12"}) {
    const ParseResult r = pki_->parse(name);
    EXPECT_FALSE(r.error) << name << ": " << r.detail;
    EXPECT_THAT(thumbprints(r), UnorderedElementsAre(thumbprint("ssl.pem"), thumbprint("ca.pem")))
        << name;
  }
  // A passphrase configured for the folder does not break files exported without one.
  ParseOptions options;
  options.pkcs12_passphrase = "something else";
  EXPECT_EQ(pki_->parse("nopass.pfx", options).certificates.size(), 2U);
  EXPECT_EQ(one("certs-only.pfx").thumbprint, thumbprint("cep.pem"));
}

TEST_F(ParseTest, Pkcs12WithTheRightPassphrase) {
  ParseOptions options;
  options.pkcs12_passphrase = kP12Passphrase;
  for (const char* name : {"secret.p12", "nomac-secret.p12"}) {
    const ParseResult r = pki_->parse(name, options);
    EXPECT_FALSE(r.error) << name << ": " << r.detail;
    EXPECT_THAT(thumbprints(r), UnorderedElementsAre(thumbprint("ssl.pem"), thumbprint("ca.pem")))
        << name;
  }
}

TEST_F(ParseTest, Pkcs12WithAWrongPassphrase) {
  ParseOptions options;
  options.pkcs12_passphrase = "Tr0ub4dor&3";
  for (const char* name : {"secret.p12", "nomac-secret.p12"}) {
    const ParseResult r = pki_->parse(name, options);
    EXPECT_THAT(r.certificates, IsEmpty()) << name;
    ASSERT_TRUE(r.error) << name;
    EXPECT_EQ(*r.error, ReadError::bad_passphrase) << name;
    EXPECT_THAT(r.detail, HasSubstr("wrong passphrase")) << name;
    EXPECT_THAT(r.detail, Not(HasSubstr("Tr0ub4dor"))) << name;
  }
  EXPECT_EQ(pki_->parse("secret.p12", options).detail,
            "PKCS#12 MAC verification failed: wrong passphrase");
}

TEST_F(ParseTest, Pkcs12EncryptedWithoutAConfiguredPassphrase) {
  for (const char* name : {"secret.p12", "nomac-secret.p12"}) {
    const ParseResult r = pki_->parse(name);
    EXPECT_THAT(r.certificates, IsEmpty()) << name;
    ASSERT_TRUE(r.error) << name;
    EXPECT_EQ(*r.error, ReadError::bad_passphrase) << name;
    EXPECT_THAT(r.detail, HasSubstr("encrypted and no passphrase configured")) << name;
    EXPECT_FALSE(r.not_certificate) << name;
  }
  EXPECT_EQ(pki_->parse("secret.p12").detail,
            "PKCS#12 MAC verification failed: encrypted and no passphrase configured");
}

TEST_F(ParseTest, LegacyRc2Pkcs12FromOldWindowsExports) {
  if (!pki_->legacy_pkcs12()) {
    GTEST_SKIP() << "NDES-SKIP: "
                 << "this openssl CLI cannot write -legacy PKCS#12";
  }
  // Make sure the fixture really is RC2-40, else this test proves nothing.
  const auto info = run_command({"openssl", "pkcs12", "-legacy", "-info", "-noout", "-in",
                                 pki_->path("legacy.pfx").string(), "-passin",
                                 std::string("pass:") + kP12Passphrase});
  ASSERT_THAT(info.out + info.err, HasSubstr("RC2"));
  ParseOptions options;
  options.pkcs12_passphrase = kP12Passphrase;
  const ParseResult r = pki_->parse("legacy.pfx", options);
  EXPECT_FALSE(r.error) << r.detail;
  EXPECT_THAT(thumbprints(r), UnorderedElementsAre(thumbprint("ssl.pem"), thumbprint("ca.pem")));
}

TEST_F(ParseTest, LegacyPkcs12FromSeveralThreadsAtOnce) {
  if (!pki_->legacy_pkcs12()) {
    GTEST_SKIP() << "NDES-SKIP: "
                 << "this openssl CLI cannot write -legacy PKCS#12";
  }
  const auto bytes = pki_->bytes("legacy.pfx");
  ParseOptions options;
  options.pkcs12_passphrase = kP12Passphrase;
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 5; ++j) {
        if (parse_certificates(bytes, "legacy.pfx", options).certificates.size() == 2U) {
          ++good;
        }
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(good.load(), 20);
}

TEST_F(ParseTest, Pkcs12WithoutCertificatesIsAnError) {
  const ParseResult r = pki_->parse("key-only.pfx");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(*r.error, ReadError::bad_pkcs12);
  EXPECT_EQ(r.detail, "PKCS#12 holds no certificates");
}

// --- Bad inputs -----------------------------------------------------------------

struct Expect {
  std::optional<ReadError> error;
  bool not_certificate;
  std::string detail_has;
};

void expect_result(const ParseResult& r, const Expect& e, const std::string& what) {
  SCOPED_TRACE(what);
  EXPECT_THAT(r.certificates, IsEmpty());
  EXPECT_EQ(r.not_certificate, e.not_certificate);
  EXPECT_EQ(r.error.has_value(), e.error.has_value()) << r.detail;
  if (r.error && e.error) {
    EXPECT_EQ(to_string(*r.error), to_string(*e.error)) << r.detail;
  }
  if (!e.detail_has.empty()) {
    EXPECT_THAT(r.detail, HasSubstr(e.detail_has));
  }
  // One file's failure must not leave errors for the next caller of OpenSSL.
  EXPECT_EQ(ERR_peek_error(), 0UL);
}

TEST_F(ParseTest, TruncatedDer) {
  auto der = pki_->bytes("ssl.der");
  der.resize(der.size() / 2);
  expect_result(parse_certificates(der, "ndes.cer"), {ReadError::bad_der, false, "not a DER"},
                "truncated .cer");
  expect_result(parse_certificates(der, "ndes.p7b"), {ReadError::bad_der, false, ""},
                "truncated .p7b");
  // Without a certificate extension it is just some file.
  expect_result(parse_certificates(der, "ndes.bin"), {std::nullopt, true, ""}, "truncated .bin");
  EXPECT_FALSE(parse_der_certificate(der).has_value());
}

TEST_F(ParseTest, TruncatedAndCorruptPkcs12) {
  auto p12 = pki_->bytes("nopass.pfx");
  auto truncated = p12;
  truncated.resize(truncated.size() - 40);
  expect_result(parse_certificates(truncated, "ndes.pfx"), {ReadError::bad_pkcs12, false, ""},
                "truncated .pfx");
  expect_result(parse_certificates(truncated, "ndes.p12"), {ReadError::bad_pkcs12, false, ""},
                "truncated .p12");
  // A flipped byte anywhere in the header: never a crash; either harmless (the version
  // number, say) or an error. Where the damage is in the unencrypted structure, the
  // error says the file is corrupt rather than blaming the passphrase.
  int corrupt = 0;
  for (std::size_t pos = 0; pos < 80; ++pos) {
    auto flipped = p12;
    flipped[pos] ^= 0xFF;
    const ParseResult r = parse_certificates(flipped, "ndes.pfx");
    EXPECT_FALSE(r.not_certificate) << pos;
    if (!r.error) {
      EXPECT_EQ(r.certificates.size(), 2U) << pos;
      continue;
    }
    EXPECT_THAT(r.certificates, IsEmpty()) << pos;
    EXPECT_THAT(std::vector<ReadError>({ReadError::bad_pkcs12, ReadError::bad_passphrase}),
                ::testing::Contains(*r.error))
        << pos;
    if (r.detail.find("PKCS#12 is corrupt") != std::string::npos) {
      EXPECT_EQ(*r.error, ReadError::bad_pkcs12);
      ++corrupt;
    }
    EXPECT_EQ(ERR_peek_error(), 0UL) << pos;
  }
  EXPECT_GT(corrupt, 0);
}

TEST_F(ParseTest, CorruptPemBase64) {
  std::string pem = pki_->text("ssl.pem");
  pem[pem.find('\n') + 10] = '!';
  expect_result(parse_certificates(to_bytes(pem), "ssl.pem"),
                {ReadError::bad_pem, false, "PEM block 1 (CERTIFICATE) is not valid base64"},
                "bad char");
  // Base64 fine, but not a certificate inside.
  expect_result(parse_certificates(to_bytes("-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQ=\n"
                                            "-----END CERTIFICATE-----\n"),
                                   "x.crt"),
                {ReadError::bad_pem, false, "is not a valid X.509 certificate"}, "not x509");
  // No END line.
  std::string cut = pki_->text("ssl.pem");
  cut.resize(cut.find("-----END"));
  expect_result(parse_certificates(to_bytes(cut), "ssl.pem"),
                {ReadError::bad_pem, false, "has no END line"}, "no END");
}

TEST_F(ParseTest, GoodCertificatesAndOneCorruptBlockGiveBoth) {
  std::string bad = pki_->text("ea.pem");
  bad.replace(bad.find('\n') + 1, 8, "!!!!!!!!");
  const std::string text = pki_->text("ca.pem") + bad + pki_->text("cep.pem");
  const ParseResult r = parse_certificates(to_bytes(text), "bundle.pem");
  EXPECT_THAT(thumbprints(r), ElementsAre(thumbprint("ca.pem"), thumbprint("cep.pem")));
  ASSERT_TRUE(r.error);
  EXPECT_EQ(*r.error, ReadError::bad_pem);
  EXPECT_EQ(r.detail, "PEM block 2 (CERTIFICATE) is not valid base64");
}

TEST_F(ParseTest, EmptyFiles) {
  const std::vector<std::uint8_t> empty;
  expect_result(parse_certificates(empty, "a.pem"), {ReadError::bad_pem, false, "empty"}, ".pem");
  expect_result(parse_certificates(empty, "a.pfx"), {ReadError::bad_pkcs12, false, "empty"},
                ".pfx");
  expect_result(parse_certificates(empty, "a.P12"), {ReadError::bad_pkcs12, false, "empty"},
                ".P12");
  expect_result(parse_certificates(empty, "a.cer"), {ReadError::bad_der, false, "empty"}, ".cer");
  expect_result(parse_certificates(empty, "a.p7b"), {ReadError::bad_der, false, "empty"}, ".p7b");
  expect_result(parse_certificates(empty, "notes.txt"), {std::nullopt, true, ""}, ".txt");
  expect_result(parse_certificates(empty, ""), {std::nullopt, true, ""}, "no name");
}

TEST_F(ParseTest, RandomBytes) {
  std::mt19937 rng(20240101);
  std::vector<std::uint8_t> noise(3000);
  for (auto& b : noise) {
    b = static_cast<std::uint8_t>(rng());
  }
  noise[0] = 0x30;  // looks like the start of a DER SEQUENCE
  expect_result(parse_certificates(noise, "c:\\certs\\ndes.der"), {ReadError::bad_der, false, ""},
                ".der");
  expect_result(parse_certificates(noise, "ndes.pfx"), {ReadError::bad_pkcs12, false, ""}, ".pfx");
  expect_result(parse_certificates(noise, "ndes.pem"), {ReadError::bad_pem, false, ""}, ".pem");
  expect_result(parse_certificates(noise, "blob"), {std::nullopt, true, ""}, "no extension");
  EXPECT_FALSE(parse_der_certificate(noise).has_value());
}

TEST_F(ParseTest, KeysCsrsAndNotesAreNotCertificates) {
  const std::string key = pki_->text("leaf.key");
  expect_result(parse_certificates(to_bytes(key), "ndes.pem"), {std::nullopt, true, ""},
                "private key .pem");
  expect_result(parse_certificates(to_bytes(pki_->text("leaf.pub.pem")), "pub.pem"),
                {std::nullopt, true, ""}, "public key");
  expect_result(parse_certificates(to_bytes(pki_->text("leaf.csr")), "request.pem"),
                {std::nullopt, true, ""}, "CSR");
  expect_result(parse_certificates(to_bytes("-----BEGIN OPENSSH PRIVATE KEY-----\n"
                                            "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ==\n"
                                            "-----END OPENSSH PRIVATE KEY-----\n"),
                                   "/home/admin/.ssh/id_rsa"),
                {std::nullopt, true, ""}, "id_rsa");
  expect_result(
      parse_certificates(to_bytes("Renew the NDES RA certs before March.\n"), "notes.txt"),
      {std::nullopt, true, ""}, "notes.txt");
  // A .key file is never a certificate, whatever it holds.
  expect_result(parse_certificates(pki_->bytes("ssl.pem"), "ssl.key"), {std::nullopt, true, ""},
                ".key");
  expect_result(parse_certificates(pki_->bytes("leaf.key"), "ndes.KEY"), {std::nullopt, true, ""},
                ".KEY");
}

TEST_F(ParseTest, JunkTextWithACertificateExtension) {
  expect_result(parse_certificates(to_bytes("this is not a certificate\n"), "ndes.pem"),
                {ReadError::bad_pem, false, ""}, "junk .pem");
  expect_result(parse_certificates(to_bytes("this is not a certificate\n"), "ndes.crt"),
                {ReadError::bad_der, false, ""}, "junk .crt");
}

TEST_F(ParseTest, ParseDerCertificate) {
  const auto c = parse_der_certificate(pki_->bytes("ssl.der"));
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->thumbprint, thumbprint("ssl.pem"));
  EXPECT_FALSE(parse_der_certificate(pki_->bytes("ssl.pem")).has_value());
  EXPECT_FALSE(parse_der_certificate({}).has_value());
  EXPECT_EQ(ERR_peek_error(), 0UL);
}

TEST(ReadErrorTest, NamesAreTheLabelValues) {
  EXPECT_EQ(test::label_names({ReadError::bad_pem, ReadError::bad_der, ReadError::bad_pkcs12,
                               ReadError::bad_passphrase, ReadError::permission_denied,
                               ReadError::read_failed, ReadError::too_large}),
            "bad_pem bad_der bad_pkcs12 bad_passphrase permission_denied read_failed too_large");
}

// --- Real-world files -------------------------------------------------------------

class RealWorldTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::is_directory(dir_)) {
      GTEST_SKIP() << "NDES-SKIP: " << dir_ << " is missing";
    }
  }
  ParseResult parse(const std::string& name, const ParseOptions& options = {}) const {
    return parse_certificates(read_file_bytes(dir_ / name), name, options);
  }
  const fs::path dir_ = NDES_REALWORLD_DIR;
};

TEST_F(RealWorldTest, NdesRaEnrollmentAgentOfflineWithTextDumpInFront) {
  const ParseResult r = parse("ndes-ra-enrollmentagentoffline.pem");
  EXPECT_FALSE(r.error) << r.detail;
  ASSERT_EQ(r.certificates.size(), 1U);
  const Certificate& c = r.certificates[0];
  EXPECT_EQ(c.thumbprint, "DF3DE7D74B1F46A46395C05A94D0F040637B59EA");
  EXPECT_EQ(c.serial, "4700000002F5400D7585DD8788000000000002");
  EXPECT_EQ(c.subject, "CN=CERT-PROV-CA-MSCEP-RA,C=US");
  EXPECT_EQ(c.subject_cn, "CERT-PROV-CA-MSCEP-RA");
  EXPECT_EQ(c.issuer, "CN=example-CERT-PROV-CA,DC=example,DC=org");
  EXPECT_EQ(c.not_before, 1604084841);  // Oct 30 19:07:21 2020 GMT
  EXPECT_EQ(c.not_after, 1667156841);   // Oct 30 19:07:21 2022 GMT
  EXPECT_EQ(c.template_name, "EnrollmentAgentOffline");
  EXPECT_EQ(c.template_oid, "");
  EXPECT_THAT(c.ekus, ElementsAre(kAgentEku));
  EXPECT_EQ(c.key_usage, static_cast<std::uint32_t>(kDigitalSignature));
  ASSERT_EQ(c.crl_distribution_points.size(), 1U);
  EXPECT_THAT(c.crl_distribution_points[0],
              ::testing::StartsWith("ldap:///CN=example-CERT-PROV-CA,CN=cert-prov-ca,CN=CDP,"));
  EXPECT_EQ(classify(c), Role::enrollment_agent);
}

TEST_F(RealWorldTest, NdesCertRepWithoutCertificatesIsAClearError) {
  const ParseResult r = parse("ndes-certrep-no-certificates.p7b");
  EXPECT_THAT(r.certificates, IsEmpty());
  EXPECT_FALSE(r.not_certificate);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(*r.error, ReadError::bad_der);
  EXPECT_EQ(r.detail, "PKCS#7 holds no certificates");
  EXPECT_EQ(ERR_peek_error(), 0UL);
}

TEST_F(RealWorldTest, WindowsExportedChain) {
  const ParseResult r = parse("windows-exported-chain.p7b");
  EXPECT_FALSE(r.error) << r.detail;
  ASSERT_EQ(r.certificates.size(), 3U);
  // File order: the leaf, the root, the sub CA.
  const Certificate& leaf = r.certificates[0];
  EXPECT_EQ(leaf.thumbprint, "DAF5ACD663545F1EBB4622BCE2FC306B73CCB9C8");
  EXPECT_EQ(leaf.subject_cn, "test.local");
  EXPECT_EQ(leaf.serial, "15EAA83A000100009291");
  EXPECT_EQ(leaf.not_after, 1954967167);  // Dec 13 22:26:07 2031 GMT
  EXPECT_EQ(leaf.template_name, "");
  EXPECT_EQ(classify(leaf), Role::ssl);

  const Certificate& root = r.certificates[1];
  EXPECT_EQ(root.thumbprint, "504767759FC52868ACE9FBF093C5467963AB27F9");
  EXPECT_EQ(root.subject_cn, "MS Passport Test Root CA");
  EXPECT_EQ(root.template_name, "CA");
  EXPECT_TRUE(root.is_ca);
  EXPECT_EQ(classify(root), Role::ca);

  const Certificate& sub = r.certificates[2];
  EXPECT_EQ(sub.thumbprint, "32CE7CCAD37C91786D830C57A78DB97957BAB54A");
  EXPECT_EQ(sub.subject_cn, "MS Passport Test Sub CA");
  EXPECT_EQ(sub.issuer_cn, "MS Passport Test Root CA");
  EXPECT_EQ(sub.template_name, "SubCA");
  EXPECT_EQ(classify(sub), Role::ca);
}

TEST_F(RealWorldTest, AdcsChainWithV2Templates) {
  const ParseResult r = parse("adcs-chain-v2-template.p7b");
  EXPECT_FALSE(r.error) << r.detail;
  ASSERT_EQ(r.certificates.size(), 4U);
  EXPECT_EQ(r.certificates[0].thumbprint, "5DF395AFFB9E6FB62F6EC58DF6790150954949AF");
  EXPECT_EQ(r.certificates[0].subject_cn, "Contoso CA");
  EXPECT_EQ(r.certificates[1].thumbprint, "E45ACBB4417260A622C9C45F4322C377A98BEC9D");
  EXPECT_EQ(r.certificates[1].subject_cn, "contoso-DC2-CA");
  EXPECT_EQ(r.certificates[1].template_name, "SubCA");

  const Certificate& user = r.certificates[2];
  EXPECT_EQ(user.thumbprint, "965EA393D8336A386209A06340038EE4C6728F14");
  EXPECT_EQ(user.subject, "CN=Administrator,CN=Users,DC=contoso,DC=com");
  EXPECT_EQ(user.subject_cn, "Administrator");
  EXPECT_EQ(user.template_oid,
            "1.3.6.1.4.1.311.21.8.149510.7314491.15746959.9320746.3700693.37.2626255.158775");
  EXPECT_EQ(user.template_major, 100);
  EXPECT_EQ(user.template_minor, 1);
  EXPECT_EQ(user.template_name, user.template_oid);
  EXPECT_THAT(user.sans, ElementsAre("UPN:Administrator@contoso.com"));
  EXPECT_EQ(user.not_after, 1363796944);  // Mar 20 16:29:04 2013 GMT

  const Certificate& efs = r.certificates[3];
  EXPECT_EQ(efs.thumbprint, "0FB30ECEA5D7F48531CC1CF534CC067F30F008A0");
  EXPECT_EQ(efs.template_major, 101);
  EXPECT_EQ(efs.template_minor, 2);
  EXPECT_THAT(efs.ekus, ElementsAre("1.3.6.1.4.1.311.10.3.4"));

  // With the name the user configured for that template OID.
  const TemplateNames names{{user.template_oid, "ContosoUser"}};
  ParseOptions options;
  options.template_names = &names;
  const ParseResult named = parse("adcs-chain-v2-template.p7b", options);
  ASSERT_EQ(named.certificates.size(), 4U);
  EXPECT_EQ(named.certificates[2].template_name, "ContosoUser");
  EXPECT_EQ(named.certificates[3].template_name, named.certificates[3].template_oid);
}

TEST_F(RealWorldTest, AdcsEccV2TemplateDer) {
  const ParseResult r = parse("adcs-ecc-v2-template.cer");
  EXPECT_FALSE(r.error) << r.detail;
  ASSERT_EQ(r.certificates.size(), 1U);
  const Certificate& c = r.certificates[0];
  EXPECT_EQ(c.thumbprint, "4B4D548E49773968B70721FB6FEA9B11A7E0156B");
  EXPECT_EQ(c.serial, "659BB31735250F08000200000585");
  EXPECT_EQ(c.issuer_cn, "contoso-DC2-CA");
  EXPECT_EQ(c.not_before, 1335085480);  // Apr 22 09:04:40 2012 GMT
  EXPECT_EQ(c.not_after, 1366621480);   // Apr 22 09:04:40 2013 GMT
  EXPECT_EQ(c.template_oid,
            "1.3.6.1.4.1.311.21.8.149510.7314491.15746959.9320746.3700693.37.6684391.15970336");
  EXPECT_EQ(c.template_major, 100);
  EXPECT_EQ(c.template_minor, 2);
  EXPECT_EQ(c.key_usage, static_cast<std::uint32_t>(kKeyAgreement));
  EXPECT_THAT(c.crl_distribution_points,
              ElementsAre("http://www.contoso.com/pki/contoso-DC2-CA(2).crl"));
  EXPECT_EQ(classify(c), Role::other);
  // The Windows store hands out DER: same answer.
  const auto der = parse_der_certificate(read_file_bytes(dir_ / "adcs-ecc-v2-template.cer"));
  ASSERT_TRUE(der.has_value());
  EXPECT_EQ(der->thumbprint, c.thumbprint);
}

// The TLS prober hands over the chain OpenSSL decoded in the handshake: the facts are
// those of the DER path, for a certificate made by AD CS.
TEST_F(RealWorldTest, ACertificateOpenSslDecodedGivesTheSameFactsAsItsDer) {
  const auto bytes = read_file_bytes(dir_ / "adcs-ecc-v2-template.cer");
  const auto der = parse_der_certificate(bytes);
  ASSERT_TRUE(der.has_value());
  const unsigned char* p = bytes.data();
  const std::unique_ptr<X509, decltype(&X509_free)> x(
      d2i_X509(nullptr, &p, static_cast<long>(bytes.size())), &X509_free);
  ASSERT_NE(x, nullptr);
  const Certificate c = certificate_from_openssl(x.get());
  EXPECT_EQ(c.thumbprint, der->thumbprint);
  EXPECT_EQ(c.serial, der->serial);
  EXPECT_EQ(c.subject, der->subject);
  EXPECT_EQ(c.issuer, der->issuer);
  EXPECT_EQ(c.not_after, der->not_after);
  EXPECT_EQ(c.template_oid, der->template_oid);
  EXPECT_EQ(c.key_usage, der->key_usage);
  EXPECT_EQ(c.ekus, der->ekus);
  EXPECT_EQ(c.crl_distribution_points, der->crl_distribution_points);
  EXPECT_EQ(ERR_peek_error(), 0UL);
}

TEST_F(RealWorldTest, AdcsWebServerCertInfoSixCertificatesBetweenTextDumps) {
  const ParseResult r = parse("adcs-webserver-certinfo.pem");
  EXPECT_FALSE(r.error) << r.detail;
  ASSERT_EQ(r.certificates.size(), 6U);
  EXPECT_THAT(thumbprints(r), ElementsAre("CFB0E9623CD7F7280B9E5B381B20A14CE1E6B0AF",
                                          "8403C7759FA055D491BAD1519503A52EA64A1A20",
                                          "9BBE512FC3FFB984387D5EA996D1F2529706EA60",
                                          "E316D7576701263594FC7543E4A0EF4E518729A5",
                                          "C58EA2FE80C342BB9611BC9DDB8DF94D58FDDC52",
                                          "D785FE76F920D35A6F2A04C4084F1009FEA13D6B"));
  const Certificate& adfs = r.certificates[1];
  EXPECT_EQ(adfs.subject_cn, "adfs.contoso.com");
  EXPECT_EQ(adfs.template_name, "WebServer");
  EXPECT_THAT(adfs.sans,
              ElementsAre("DNS:adfs.contoso.com", "DNS:enterpriseregistration.contoso.com"));
  EXPECT_EQ(adfs.not_after, 1452325752);  // Jan  9 07:49:12 2016 GMT
  EXPECT_EQ(r.certificates[2].template_name, "WebServer");
  EXPECT_EQ(r.certificates[0].template_name, "");
  EXPECT_TRUE(r.certificates[0].is_ca);
  // The self-signed ADFS token certs are v1-style: no extensions at all.
  EXPECT_FALSE(r.certificates[3].has_key_usage);
  EXPECT_THAT(r.certificates[3].ekus, IsEmpty());
}

}  // namespace
}  // namespace ndes
