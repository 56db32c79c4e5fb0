// The Windows side of the renew hook under wine: CreateProcess with an argv (no
// shell) through renew's process runner, and the windows executor's store steps
// (verify_new_cert, grant_key_read, remove_superseded) against a real
// LocalMachine\My filled with certificates openssl made. certreq itself does not
// exist under wine: its argv is checked by the shared plan tests (windows.shared.renew).
// clang-format off
#include <windows.h>
#include <shellapi.h>
// clang-format on

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "certstore/certstore_collector.h"
#include "renew/executor.h"
#include "base/process.h"
#include "base/win_cmdline.h"
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

class RenewExecutorWineTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    try {
      thumbprints_ = thumbprints_from_facts();
      test::winstore::clear(L"My");
      // The RA certificate being renewed, the one certreq would have installed,
      // and an older one of the same template without a key.
      test::winstore::add_pfx(L"My", fixtures_dir() / "eea-1.pfx", "wine");
      // Wine's CryptAcquireCertificatePrivateKey (which grant_key_read uses) opens
      // the key without CRYPT_MACHINE_KEYSET, so under wine the new key goes into
      // the user key set; the ACL code is the same for both key sets.
      test::winstore::add_pfx(L"My", fixtures_dir() / "eea-2.pfx", "wine",
                              !test::winstore::under_wine());
      test::winstore::add_der(L"My", fixtures_dir() / "eea-nokey.der");
      test::winstore::add_pfx(L"My", fixtures_dir() / "cep.pfx", "wine");
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

  // verify_new_cert: the issued certificate (eea-2) is in the store with its key,
  // of the same template, and outlives the old one.
  const StepOutcome verified = executor->run(
      step(StepKind::verify_new_cert, {{"cer", (fixtures_dir() / "eea-2.pem").string()},
                                       {"old_thumbprint", thumbprints_["eea-1"]},
                                       {"template", "EnrollmentAgentOffline"}}),
      ctx);
  ASSERT_EQ(verified.status, "ok") << verified.detail;
  EXPECT_EQ(verified.facts.at("new_thumbprint"), thumbprints_["eea-2"]);
  ctx.facts.insert(verified.facts.begin(), verified.facts.end());

  // grant_key_read: NETWORK SERVICE gets Read on the new key, and the certstore
  // collector sees it.
  const StepOutcome granted = executor->run(
      step(StepKind::grant_key_read, {{"account", "NT AUTHORITY\\NETWORK SERVICE"}}), ctx);
  ASSERT_EQ(granted.status, "ok") << granted.detail;
  EXPECT_EQ(granted.facts.at("key_provider"), "capi");
  const std::wstring dacl = test::winstore::key_dacl(L"My", thumbprints_["eea-2"]);
  EXPECT_TRUE(dacl.find(L"NS") != std::wstring::npos ||
              dacl.find(L"S-1-5-20") != std::wstring::npos)
      << std::string(dacl.begin(), dacl.end());
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

  // remove_superseded: the older EnrollmentAgentOffline certificates go, the new
  // one and the other template stay.
  const StepOutcome removed = executor->run(step(StepKind::remove_superseded, {}), ctx);
  ASSERT_EQ(removed.status, "ok") << removed.detail;
  const auto left = test::winstore::thumbprints(L"My");
  const auto in_store = [&](const std::string& name) {
    return std::find(left.begin(), left.end(), thumbprints_[name]) != left.end();
  };
  EXPECT_THAT(removed.facts.at("removed"), HasSubstr(thumbprints_["eea-1"]));
  EXPECT_THAT(removed.facts.at("removed"), ::testing::Not(HasSubstr(thumbprints_["eea-2"])));
  EXPECT_THAT(removed.facts.at("removed"), ::testing::Not(HasSubstr(thumbprints_["cep"])));
  // Read back through a fresh handle: the deletion was committed to the store
  // (wine keeps it in memory until CERT_STORE_CTRL_COMMIT).
  EXPECT_FALSE(in_store("eea-1")) << removed.detail;
  EXPECT_TRUE(in_store("eea-2"));
  EXPECT_TRUE(in_store("cep"));
}

TEST_F(RenewExecutorWineTest, VerifyRejectsACertificateThatDoesNotOutliveTheOldOne) {
  auto executor = make_windows_executor({});
  RunContext ctx;
  ctx.work_dir = fs::temp_directory_path().string();
  const StepOutcome out =
      executor->run(step(StepKind::verify_new_cert, {{"cer", (fixtures_dir() / "cep.pem").string()},
                                                     {"old_thumbprint", thumbprints_["cep"]},
                                                     {"template", "CEPEncryption"}}),
                    ctx);
  EXPECT_EQ(out.status, "failed");
  EXPECT_THAT(out.detail, HasSubstr("the old one"));
}

}  // namespace
}  // namespace ndes::renew
