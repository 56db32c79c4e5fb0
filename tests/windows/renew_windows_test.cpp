// The Windows side of the renew hook under wine: CreateProcess with an argv (no
// shell) through renew's process runner, and the windows executor's store steps
// (verify_new_cert, grant_key_read, remove_superseded with its backup) against a real
// LocalMachine\My filled with certificates openssl made. certreq itself does not
// exist under wine: its argv is checked by the shared plan tests (windows.shared.renew).
// clang-format off
#include <windows.h>
#include <shellapi.h>
#include <wincrypt.h>
#include <aclapi.h>
#include <sddl.h>
// clang-format on

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "base/process.h"
#include "base/win/cert_store.h"
#include "base/win/utf16.h"
#include "base/win_cmdline.h"
#include "certstore/certstore_collector.h"
#include "renew/cert_source.h"
#include "renew/executor.h"
#include "renew/windows/store_steps.h"
#include "support/wine_store.h"

namespace ndes::renew {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

fs::path fixtures_dir() {
  const char* dir = std::getenv("NDES_STORE_FIXTURES");
  return dir != nullptr ? fs::path(dir) : fs::path();
}

fs::path bin_dir() {
  std::wstring buf(MAX_PATH, L'\0');
  const DWORD n = GetModuleFileNameW(nullptr, buf.data(), static_cast<DWORD>(buf.size()));
  buf.resize(n);
  return fs::path(buf).parent_path();
}

std::map<std::string, std::string> thumbprints_from_facts() {
  std::map<std::string, std::string> out;
  std::ifstream in(fixtures_dir() / "facts.tsv");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string name;
    std::string thumbprint;
    std::getline(fields, name, '\t');
    std::getline(fields, thumbprint, '\t');
    out[name] = thumbprint;
  }
  return out;
}

std::vector<std::string> lines(std::string text) {
  text.erase(std::remove(text.begin(), text.end(), '\r'), text.end());
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    out.push_back(line);
  }
  return out;
}

// ---------------------------------------------------------------------------
// CreateProcess with an argv

TEST(RenewWindowsProcessTest, ArgvArrivesUnchangedWithoutAShell) {
  const std::vector<std::string> args = {
      "plain",           "with space",       "",        "quote\"inside",           "trailing\\",
      "back\\\\slash\"", "& | > < ^ %PATH%", "-config", "C:\\Program Files\\x y\\"};
  ProcessSpec spec;
  spec.argv = {(bin_dir() / "argv_echo.exe").string()};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.env = clean_environment(fs::temp_directory_path().string());
  spec.timeout = std::chrono::seconds(60);
  const ProcessResult r = run_process(spec);
  ASSERT_TRUE(r.started) << r.error;
  EXPECT_EQ(r.exit_code, static_cast<int>(args.size()));
  std::vector<std::string> want;
  for (const auto& a : args) {
    want.push_back("[" + a + "]");
  }
  EXPECT_EQ(lines(r.out), want);
}

TEST(RenewWindowsProcessTest, CommandLineRoundTripsThroughCommandLineToArgvW) {
  const std::vector<std::string> argv = {"C:\\Windows\\System32\\certreq.exe",
                                         "-machine",
                                         "-q",
                                         "-config",
                                         "ca01.corp.example\\CORP Issuing CA",
                                         "-submit",
                                         "C:\\ProgramData\\ndes renew\\1\\renewal.req",
                                         "a\\\\\"b"};
  const std::string line = windows_command_line(argv);
  const std::wstring wide(line.begin(), line.end());
  int argc = 0;
  LPWSTR* parsed = CommandLineToArgvW(wide.c_str(), &argc);
  ASSERT_NE(parsed, nullptr);
  std::vector<std::string> got;
  for (int i = 0; i < argc; ++i) {
    const std::wstring w = parsed[i];
    got.emplace_back(w.begin(), w.end());
  }
  LocalFree(parsed);
  EXPECT_EQ(got, argv);
}

TEST(RenewWindowsProcessTest, ExitCodeAndOutputOfARealProgram) {
  ProcessSpec spec;
  spec.argv = {(bin_dir() / "openssl.exe").string(), "version"};
  spec.env = clean_environment(fs::temp_directory_path().string());
  spec.timeout = std::chrono::seconds(60);
  const ProcessResult r = run_process(spec);
  ASSERT_TRUE(r.started) << r.error;
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("OpenSSL 3."));
  spec.argv = {(bin_dir() / "openssl.exe").string(), "x509", "-noout", "-in",
               (fs::temp_directory_path() / "no-such-file.pem").string()};
  const ProcessResult bad = run_process(spec);
  EXPECT_NE(bad.exit_code, 0);
}

TEST(RenewWindowsProcessTest, AProgramThatDoesNotExist) {
  ProcessSpec spec;
  spec.argv = {(bin_dir() / "no-such-program.exe").string()};
  spec.env = clean_environment(fs::temp_directory_path().string());
  const ProcessResult r = run_process(spec);
  EXPECT_FALSE(r.started);
  EXPECT_FALSE(r.error.empty());
}

// ---------------------------------------------------------------------------
// The executor's store steps

// Where a certificate's private key lives (its CERT_KEY_PROV_INFO_PROP_ID), to check
// that the key went with the certificate.
struct KeyLocation {
  std::wstring container;
  std::wstring provider;
  DWORD prov_type = 0;
  DWORD flags = 0;  // CRYPT_MACHINE_KEYSET or 0
  DWORD key_spec = 0;
};

std::optional<KeyLocation> key_location(PCCERT_CONTEXT c) {
  DWORD size = 0;
  if (!CertGetCertificateContextProperty(c, CERT_KEY_PROV_INFO_PROP_ID, nullptr, &size)) {
    return std::nullopt;
  }
  std::vector<BYTE> buf(size);
  CertGetCertificateContextProperty(c, CERT_KEY_PROV_INFO_PROP_ID, buf.data(), &size);
  const auto* info = reinterpret_cast<const CRYPT_KEY_PROV_INFO*>(buf.data());
  return KeyLocation{info->pwszContainerName, info->pwszProvName, info->dwProvType,
                     info->dwFlags & CRYPT_MACHINE_KEYSET, info->dwKeySpec};
}

std::optional<KeyLocation> key_location(const std::wstring& store, const std::string& tp) {
  const win::CertStoreHandle s =
      win::open_system_store(CERT_SYSTEM_STORE_LOCAL_MACHINE, win::narrow(store), false);
  const win::CertContext c = s ? win::find_by_sha1(s.get(), tp) : win::CertContext();
  return c ? key_location(c.get()) : std::nullopt;
}

bool key_exists(const KeyLocation& k) {
  HCRYPTPROV prov = 0;
  if (!CryptAcquireContextW(&prov, k.container.c_str(), k.provider.c_str(), k.prov_type,
                            k.flags | CRYPT_SILENT)) {
    return false;
  }
  CryptReleaseContext(prov, 0);
  return true;
}

// Puts the certificate's key back into its container without CRYPT_EXPORTABLE, as a
// key imported with "Mark this key as exportable" unticked.
void make_key_non_exportable(const std::wstring& store, const std::string& tp) {
  const auto k = key_location(store, tp);
  ASSERT_TRUE(k.has_value());
  HCRYPTPROV prov = 0;
  HCRYPTKEY key = 0;
  ASSERT_TRUE(CryptAcquireContextW(&prov, k->container.c_str(), k->provider.c_str(), k->prov_type,
                                   k->flags | CRYPT_SILENT));
  ASSERT_TRUE(CryptGetUserKey(prov, k->key_spec, &key));
  DWORD size = 0;
  CryptExportKey(key, 0, PRIVATEKEYBLOB, 0, nullptr, &size);
  std::vector<BYTE> blob(size);
  ASSERT_TRUE(CryptExportKey(key, 0, PRIVATEKEYBLOB, 0, blob.data(), &size));
  CryptDestroyKey(key);
  CryptReleaseContext(prov, 0);
  CryptAcquireContextW(&prov, k->container.c_str(), k->provider.c_str(), k->prov_type,
                       k->flags | CRYPT_DELETEKEYSET);
  ASSERT_TRUE(CryptAcquireContextW(&prov, k->container.c_str(), k->provider.c_str(), k->prov_type,
                                   k->flags | CRYPT_NEWKEYSET));
  ASSERT_TRUE(CryptImportKey(prov, blob.data(), size, 0, 0, &key));
  CryptDestroyKey(key);
  CryptReleaseContext(prov, 0);
}

// The export remove_superseded uses: PFXExportCertStoreEx, and where that fails for a CAPI
// key (wine 8 has it as a stub) CryptExportKey plus OpenSSL (store_removal.cpp).
windows::PfxExport pfx_export() { return windows::PfxExport(windows::export_pfx); }

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The DACL of a file as SDDL.
std::string file_dacl(const fs::path& p) {
  PSECURITY_DESCRIPTOR sd = nullptr;
  if (GetNamedSecurityInfoW(p.wstring().c_str(), SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, nullptr,
                            nullptr, nullptr, nullptr, &sd) != ERROR_SUCCESS) {
    return "<GetNamedSecurityInfo failed>";
  }
  LPWSTR text = nullptr;
  ConvertSecurityDescriptorToStringSecurityDescriptorW(sd, SDDL_REVISION_1,
                                                       DACL_SECURITY_INFORMATION, &text, nullptr);
  std::string out = text != nullptr ? win::narrow(text) : "";
  LocalFree(text);
  LocalFree(sd);
  return out;
}

// The thumbprint of the certificate in `pfx`, opened with `password`, and whether its
// private key came with it (it has a key link after the import and the key opens).
struct OpenedPfx {
  std::string thumbprint;
  bool key = false;
};
std::optional<OpenedPfx> open_pfx(const fs::path& pfx, const std::string& password) {
  std::string bytes = read_text(pfx);
  CRYPT_DATA_BLOB blob{static_cast<DWORD>(bytes.size()), reinterpret_cast<BYTE*>(bytes.data())};
  const std::wstring wpass = win::widen(password);
  const win::CertStoreHandle store(PFXImportCertStore(&blob, wpass.c_str(), CRYPT_USER_KEYSET));
  if (!store) {
    return std::nullopt;
  }
  OpenedPfx out;
  PCCERT_CONTEXT c = CertEnumCertificatesInStore(store.get(), nullptr);
  if (c == nullptr) {
    return out;
  }
  BYTE hash[20];
  DWORD size = sizeof hash;
  CertGetCertificateContextProperty(c, CERT_SHA1_HASH_PROP_ID, hash, &size);
  static const char* const kHex = "0123456789ABCDEF";
  for (DWORD i = 0; i < size; ++i) {
    out.thumbprint += kHex[hash[i] >> 4];
    out.thumbprint += kHex[hash[i] & 0xF];
  }
  HCRYPTPROV_OR_NCRYPT_KEY_HANDLE key = 0;
  DWORD spec = 0;
  BOOL must_free = FALSE;
  out.key = CryptAcquireCertificatePrivateKey(c, CRYPT_ACQUIRE_SILENT_FLAG, nullptr, &key, &spec,
                                              &must_free) != FALSE;
  if (out.key && must_free) {
    CryptReleaseContext(key, 0);
  }
  CertFreeCertificateContext(c);
  return out;
}

class RenewExecutorWineTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    try {
      thumbprints_ = thumbprints_from_facts();
      test::winstore::clear(L"My");
      // The two RA certificates being renewed (eea-1, cep), the ones certreq would have
      // installed (eea-2, cep-archived: the later NotAfter), and an older one of the
      // enrollment agent template without a key.
      test::winstore::add_pfx(L"My", fixtures_dir() / "eea-1.pfx", "wine");
      // Wine's CryptAcquireCertificatePrivateKey (which grant_key_read uses) opens
      // the key without CRYPT_MACHINE_KEYSET, so under wine the new key goes into
      // the user key set; the ACL code is the same for both key sets.
      test::winstore::add_pfx(L"My", fixtures_dir() / "eea-2.pfx", "wine",
                              !test::winstore::under_wine());
      test::winstore::add_der(L"My", fixtures_dir() / "eea-nokey.der");
      test::winstore::add_pfx(L"My", fixtures_dir() / "cep.pfx", "wine");
      test::winstore::add_pfx(L"My", fixtures_dir() / "cep-archived.pfx", "wine");
    } catch (const std::exception& e) {
      setup_error_ = e.what();
    }
  }
  void SetUp() override { ASSERT_EQ(setup_error_, "") << "could not fill the wine store"; }

  static PlannedStep step(StepKind kind, std::map<std::string, std::string> params) {
    PlannedStep s;
    s.kind = kind;
    s.name = std::string(to_string(kind));
    s.params = std::move(params);
    return s;
  }

  // verify_new_cert of the fixture `issued` (its .pem) renewing the fixture `old`.
  static PlannedStep verify_step(const std::string& issued, const std::string& old,
                                 const std::string& template_name, const std::string& role) {
    return step(StepKind::verify_new_cert, {{"cer", (fixtures_dir() / (issued + ".pem")).string()},
                                            {"old_thumbprint", thumbprints_[old]},
                                            {"template", template_name},
                                            {"role", role}});
  }

  static fs::path backup_dir() { return fs::temp_directory_path() / "ndes-renew-backup-test"; }

  static bool in_store(const std::string& name) {
    const auto left = test::winstore::thumbprints(L"My");
    return std::find(left.begin(), left.end(), thumbprints_[name]) != left.end();
  }

  static inline std::map<std::string, std::string> thumbprints_;
  static inline std::string setup_error_;
};

TEST_F(RenewExecutorWineTest, StoreStepsInOrder) {
  auto executor = make_windows_executor({});
  RunContext ctx;
  ctx.id = "wine-1";
  ctx.thumbprint = thumbprints_["eea-1"];
  ctx.template_name = "EnrollmentAgentOffline";
  ctx.work_dir = fs::temp_directory_path().string();

  // verify_new_cert, once per RA role: each issued certificate is in the store with
  // its key, of the same template, and outlives the old one.
  const StepOutcome verified = executor->run(
      verify_step("eea-2", "eea-1", "EnrollmentAgentOffline", "enrollment_agent"), ctx);
  ASSERT_EQ(verified.status, "ok") << verified.detail;
  EXPECT_EQ(verified.facts.at("new_thumbprint.enrollment_agent"), thumbprints_["eea-2"]);
  EXPECT_EQ(verified.facts.count("new_not_after.enrollment_agent"), 1U);
  ctx.facts.insert(verified.facts.begin(), verified.facts.end());
  const StepOutcome verified_cep =
      executor->run(verify_step("cep-archived", "cep", "CEPEncryption", "cep_encryption"), ctx);
  ASSERT_EQ(verified_cep.status, "ok") << verified_cep.detail;
  EXPECT_EQ(verified_cep.facts.at("new_thumbprint.cep_encryption"), thumbprints_["cep-archived"]);
  ctx.facts.insert(verified_cep.facts.begin(), verified_cep.facts.end());

  // grant_key_read: NETWORK SERVICE gets Read on the enrollment agent's new key, and
  // the certstore collector sees it.
  const std::wstring dacl_before = test::winstore::key_dacl(L"My", thumbprints_["eea-2"]);
  const StepOutcome granted = executor->run(
      step(StepKind::grant_key_read,
           {{"account", "NT AUTHORITY\\NETWORK SERVICE"}, {"role", "enrollment_agent"}}),
      ctx);
  ASSERT_EQ(granted.status, "ok") << granted.detail;
  EXPECT_EQ(granted.facts.at("key_provider"), "capi");
  // Every entry the key had stays (wine's default has an inherit-only one), with
  // NETWORK SERVICE's Read after them.
  EXPECT_EQ(test::winstore::key_dacl(L"My", thumbprints_["eea-2"]), dacl_before + L"(A;;GR;;;NS)");
  CertstoreCollectorConfig config;
  config.key_readers = {"NT AUTHORITY\\NETWORK SERVICE"};
  certstore::CertstoreCollector collector(config, TemplateNames{});
  const CollectorResult seen = collector.collect();
  bool readable = false;
  for (const auto& s : seen.samples) {
    if (s.name == certstore::kReadableMetric &&
        s.labels.at("thumbprint") == thumbprints_["eea-2"]) {
      readable = s.value == 1.0;
    }
  }
  EXPECT_TRUE(readable) << "the collector does not see the grant";
  // A second grant finds the entry there and writes nothing.
  const StepOutcome again = executor->run(
      step(StepKind::grant_key_read,
           {{"account", "NT AUTHORITY\\NETWORK SERVICE"}, {"role", "enrollment_agent"}}),
      ctx);
  ASSERT_EQ(again.status, "ok") << again.detail;
  EXPECT_THAT(again.detail, HasSubstr("could already read"));

  // remove_superseded by template: every other certificate of both templates is backed
  // up with its key and removed with it; the two new ones stay.
  const auto old_key = key_location(L"My", thumbprints_["eea-1"]);
  ASSERT_TRUE(old_key.has_value());
  ASSERT_TRUE(key_exists(*old_key));
  fs::remove_all(backup_dir());
  const StepOutcome removed = windows::remove_superseded(
      step(StepKind::remove_superseded, {{"backup_dir", backup_dir().string()},
                                         {"templates", "EnrollmentAgentOffline,CEPEncryption"}}),
      ctx, pfx_export());
  ASSERT_EQ(removed.status, "ok") << removed.detail;
  const std::string removed_list = removed.facts.at("removed");
  EXPECT_THAT(removed_list, HasSubstr(thumbprints_["eea-1"]));
  EXPECT_THAT(removed_list, HasSubstr(thumbprints_["eea-nokey"]));
  EXPECT_THAT(removed_list, HasSubstr(thumbprints_["cep"]));
  EXPECT_THAT(removed_list, ::testing::Not(HasSubstr(thumbprints_["eea-2"])));
  EXPECT_THAT(removed_list, ::testing::Not(HasSubstr(thumbprints_["cep-archived"])));
  // Read back through a fresh handle: the deletion was committed to the store
  // (wine keeps it in memory until CERT_STORE_CTRL_COMMIT).
  EXPECT_FALSE(in_store("eea-1")) << removed.detail;
  EXPECT_FALSE(in_store("cep"));
  EXPECT_TRUE(in_store("eea-2"));
  EXPECT_TRUE(in_store("cep-archived"));
  EXPECT_FALSE(key_exists(*old_key)) << "the old private key was left behind";

  // The backup: the PFX opens with the password beside it and holds the key; both
  // files are for SYSTEM and Administrators only; the record names the PFX.
  const fs::path pfx = backup_dir() / (thumbprints_["eea-1"] + ".pfx");
  const fs::path password_file = backup_dir() / (thumbprints_["eea-1"] + ".pfx.password");
  EXPECT_THAT(removed.facts.at("backups"), HasSubstr(pfx.string()));
  ASSERT_TRUE(fs::exists(password_file));
  const std::string password = read_text(password_file);
  EXPECT_EQ(password.size(), 32U);
  EXPECT_THAT(removed.detail, ::testing::Not(HasSubstr(password)));
  const auto opened = open_pfx(pfx, password);
  ASSERT_TRUE(opened.has_value()) << "the backup does not open with its password";
  EXPECT_EQ(opened->thumbprint, thumbprints_["eea-1"]);
  EXPECT_TRUE(opened->key) << "the backup has no private key";
  EXPECT_FALSE(open_pfx(pfx, password + "x").has_value());
  if (!test::winstore::under_wine()) {
    EXPECT_EQ(file_dacl(pfx), "D:P(A;;FA;;;SY)(A;;FA;;;BA)");
    EXPECT_EQ(file_dacl(password_file), "D:P(A;;FA;;;SY)(A;;FA;;;BA)");
  } else {
    // Wine keeps no file descriptor here: it turns the DACL into unix mode bits and
    // reads those back (owner and SYSTEM). What it can show is that nobody else may
    // read the files, where a file made without a descriptor is readable by Everyone.
    const fs::path plain = backup_dir() / "plain.txt";
    std::ofstream(plain) << "x";
    ASSERT_THAT(file_dacl(plain), HasSubstr(";WD)")) << "the control file should be world-readable";
    for (const auto& f : {pfx, password_file}) {
      const std::string dacl = file_dacl(f);
      EXPECT_THAT(dacl, ::testing::Not(HasSubstr(";WD)"))) << f.string() << ": " << dacl;
      EXPECT_THAT(dacl, ::testing::Not(HasSubstr(";BU)"))) << f.string() << ": " << dacl;
      EXPECT_THAT(dacl, HasSubstr(";SY)")) << f.string() << ": " << dacl;
    }
  }

  // Run again (a retry after a crash): what is gone is said, not an error.
  const StepOutcome retry = windows::remove_superseded(
      step(StepKind::remove_superseded,
           {{"backup_dir", backup_dir().string()}, {"thumbprints", thumbprints_["eea-1"]}}),
      ctx, pfx_export());
  ASSERT_EQ(retry.status, "ok") << retry.detail;
  EXPECT_EQ(retry.facts.at("removed"), "");
  EXPECT_THAT(retry.detail, HasSubstr("no longer in LocalMachine\\My"));
}

// #22 point 7: a protected, auto-inherited DACL keeps both bits, and a NULL DACL stays
// open to everyone (an explicit Everyone entry plus the account's). Windows only: wine
// keeps a key's descriptor as its registry key's, and once it has been written its
// CryptSetProvParam(PP_KEYSET_SEC_DESCR) can no longer open the key for writing
// (NTE_BAD_KEYSET), so the second write each case needs fails there. The rewrite itself
// is unit-tested (renew_key_dacl_test.cpp); under wine StoreStepsInOrder shows the
// conversion keeps every entry.
TEST_F(RenewExecutorWineTest, GrantKeepsTheControlBitsAndANullDaclsEveryone) {
  if (test::winstore::under_wine()) {
    GTEST_SKIP() << "wine writes a key's descriptor once only";
  }
  test::winstore::add_pfx(L"My", fixtures_dir() / "eea-1.pfx", "wine");
  const std::string tp = thumbprints_["eea-1"];
  auto executor = make_windows_executor({});
  RunContext ctx;
  ctx.facts["new_thumbprint.enrollment_agent"] = tp;
  const PlannedStep grant =
      step(StepKind::grant_key_read,
           {{"account", "NT AUTHORITY\\NETWORK SERVICE"}, {"role", "enrollment_agent"}});
  const auto sddl = [&] {
    const std::wstring w = test::winstore::key_dacl(L"My", tp);
    return std::string(w.begin(), w.end());
  };

  test::winstore::set_key_dacl(L"My", tp, L"D:PAI(A;;GA;;;SY)(A;;GA;;;BA)");
  StepOutcome out = executor->run(grant, ctx);
  ASSERT_EQ(out.status, "ok") << out.detail;
  EXPECT_EQ(sddl(), "D:PAI(A;;GA;;;SY)(A;;GA;;;BA)(A;;GR;;;NS)");

  test::winstore::set_key_dacl(L"My", tp, L"D:NO_ACCESS_CONTROL");
  out = executor->run(grant, ctx);
  ASSERT_EQ(out.status, "ok") << out.detail;
  EXPECT_EQ(sddl(), "D:(A;;GA;;;WD)(A;;GR;;;NS)") << out.detail;
  EXPECT_THAT(out.detail, HasSubstr("NULL DACL"));
}

TEST_F(RenewExecutorWineTest, ANonExportableKeyStopsTheStepBeforeAnythingIsRemoved) {
  test::winstore::add_der(L"My", fixtures_dir() / "eea-nokey.der");
  test::winstore::add_pfx(L"My", fixtures_dir() / "eea-1.pfx", "wine");
  make_key_non_exportable(L"My", thumbprints_["eea-1"]);
  RunContext ctx;
  const StepOutcome out = windows::remove_superseded(
      step(StepKind::remove_superseded,
           {{"backup_dir", backup_dir().string()},
            {"thumbprints", thumbprints_["eea-nokey"] + "," + thumbprints_["eea-1"]}}),
      ctx, pfx_export());
  EXPECT_EQ(out.status, "failed");
  EXPECT_THAT(out.detail, HasSubstr("non-exportable"));
  EXPECT_THAT(out.detail, HasSubstr("Nothing was removed"));
  EXPECT_TRUE(in_store("eea-1"));
  EXPECT_TRUE(in_store("eea-nokey"));
}

TEST_F(RenewExecutorWineTest, RemovalWithoutANewCertificateRemovesNothing) {
  RunContext ctx;  // no new_thumbprint.* facts: verify_new_cert did not pass
  const StepOutcome out = windows::remove_superseded(
      step(StepKind::remove_superseded,
           {{"backup_dir", backup_dir().string()}, {"templates", "EnrollmentAgentOffline"}}),
      ctx, pfx_export());
  EXPECT_EQ(out.status, "failed");
  EXPECT_TRUE(in_store("eea-2"));
}

TEST_F(RenewExecutorWineTest, VerifyRejectsACertificateThatDoesNotOutliveTheOldOne) {
  auto executor = make_windows_executor({});
  RunContext ctx;
  ctx.work_dir = fs::temp_directory_path().string();
  const StepOutcome out = executor->run(
      verify_step("eea-1", "eea-2", "EnrollmentAgentOffline", "enrollment_agent"), ctx);
  EXPECT_EQ(out.status, "failed");
  EXPECT_THAT(out.detail, HasSubstr("the old one"));
}

TEST_F(RenewExecutorWineTest, VerifyNeedsARole) {
  auto executor = make_windows_executor({});
  RunContext ctx;
  const StepOutcome out = executor->run(
      step(StepKind::verify_new_cert, {{"cer", (fixtures_dir() / "eea-2.pem").string()},
                                       {"old_thumbprint", thumbprints_["eea-2"]},
                                       {"template", "EnrollmentAgentOffline"}}),
      ctx);
  EXPECT_EQ(out.status, "failed");
  EXPECT_THAT(out.detail, HasSubstr("role"));
}

// The source the hook looks the alert's certificate up in before any step.
TEST_F(RenewExecutorWineTest, TheMachineStoreSourceSaysWhichCertificatesHaveTheirKey) {
  test::winstore::add_der(L"My", fixtures_dir() / "eea-nokey.der");
  const auto source = make_machine_store_source();
  EXPECT_EQ(source->name(), "LocalMachine\\My");
  std::string error;
  const auto found = source->list(&error);
  ASSERT_TRUE(found.has_value()) << error;
  std::map<std::string, std::optional<bool>> key_of;
  for (const auto& c : *found) {
    key_of[c.cert.thumbprint] = c.has_private_key;
  }
  ASSERT_EQ(key_of.count(thumbprints_["eea-2"]), 1U);
  EXPECT_EQ(key_of[thumbprints_["eea-2"]], std::optional<bool>(true));
  ASSERT_EQ(key_of.count(thumbprints_["eea-nokey"]), 1U);
  EXPECT_EQ(key_of[thumbprints_["eea-nokey"]], std::optional<bool>(false));
}

}  // namespace
}  // namespace ndes::renew
