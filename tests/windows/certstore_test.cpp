// The certstore collector under wine: store names, virtual-account SIDs, the key
// DACL evaluation, the collector over a fake store (archived certificates, broken
// DER, missing keys), and the collector over a real LocalMachine\My filled with the
// certificates tests/windows/make-store-fixtures.sh made with the openssl CLI,
// checked against what openssl says of them (facts.tsv).
// clang-format off
#include <windows.h>
#include <wincrypt.h>
#include <sddl.h>
// clang-format on

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "certstore/certstore_collector.h"
#include "certstore/key_access.h"
#include "certstore/local_groups.h"
#include "certstore/store_name.h"
#include "exporter/config.h"
#include "ndes/metrics/families.h"
#include "support/setup_error.h"
#include "support/wine_store.h"

namespace ndes::certstore {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

// What `openssl x509` said of one fixture certificate (facts.tsv).
struct Fact {
  std::string name;
  std::string thumbprint;
  std::string serial;
  std::int64_t not_before = 0;
  std::int64_t not_after = 0;
  bool key = false;
  bool archived = false;
  std::string subject;
};

fs::path fixtures_dir() {
  const char* dir = std::getenv("NDES_STORE_FIXTURES");
  return dir != nullptr ? fs::path(dir) : fs::path();
}

std::map<std::string, Fact> load_facts() {
  std::map<std::string, Fact> out;
  std::ifstream in(fixtures_dir() / "facts.tsv");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    Fact f;
    std::string key;
    std::string archived;
    std::getline(fields, f.name, '\t');
    std::getline(fields, f.thumbprint, '\t');
    std::getline(fields, f.serial, '\t');
    std::string nb;
    std::string na;
    std::getline(fields, nb, '\t');
    std::getline(fields, na, '\t');
    std::getline(fields, key, '\t');
    std::getline(fields, archived, '\t');
    std::getline(fields, f.subject);
    if (!f.subject.empty() && f.subject.back() == '\r') {
      f.subject.pop_back();
    }
    f.not_before = std::stoll(nb);
    f.not_after = std::stoll(na);
    f.key = key == "yes";
    f.archived = archived == "yes";
    out[f.name] = f;
  }
  return out;
}

std::vector<std::uint8_t> der_of(const std::string& name) {
  std::ifstream in(fixtures_dir() / (name + ".der"), std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<std::uint8_t> sd_from_sddl(const std::wstring& sddl) {
  PSECURITY_DESCRIPTOR sd = nullptr;
  ULONG size = 0;
  if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl.c_str(), SDDL_REVISION_1, &sd,
                                                            &size)) {
    ADD_FAILURE() << "bad SDDL";
    return {};
  }
  const auto* p = static_cast<const std::uint8_t*>(sd);
  std::vector<std::uint8_t> out(p, p + size);
  LocalFree(sd);
  return out;
}

Sid sid(const std::string& text) {
  auto s = sid_from_string(text);
  EXPECT_TRUE(s.has_value()) << text;
  return s.value_or(Sid{});
}

const CertificateRecord* find_record(const CollectorResult& r, const std::string& thumbprint) {
  for (const auto& c : r.certificates) {
    if (c.cert.thumbprint == thumbprint) {
      return &c;
    }
  }
  return nullptr;
}

const Sample* readable_sample(const CollectorResult& r, const std::string& thumbprint,
                              const std::string& identity) {
  for (const auto& s : r.samples) {
    if (s.name == kReadableMetric && s.labels.at("thumbprint") == thumbprint &&
        s.labels.at("identity") == identity) {
      return &s;
    }
  }
  return nullptr;
}

std::optional<double> readable(const CollectorResult& r, const std::string& thumbprint,
                               const std::string& identity) {
  const Sample* s = readable_sample(r, thumbprint, identity);
  return s != nullptr ? std::optional<double>(s->value) : std::nullopt;
}

// The `method` label of the series ("" when there is none).
std::string method_of(const CollectorResult& r, const std::string& thumbprint,
                      const std::string& identity) {
  const Sample* s = readable_sample(r, thumbprint, identity);
  return s != nullptr && s->labels.count("method") > 0 ? s->labels.at("method") : "";
}

// ---------------------------------------------------------------------------
// Store names

TEST(StoreNameTest, LocationAndStore) {
  std::string error;
  auto n = parse_store_name("LocalMachine\\My", &error);
  ASSERT_TRUE(n) << error;
  EXPECT_EQ(n->location, "LocalMachine");
  EXPECT_EQ(n->store, "My");
  EXPECT_EQ(n->canonical(), "LocalMachine\\My");
  EXPECT_EQ(n->location_flag, static_cast<std::uint32_t>(CERT_SYSTEM_STORE_LOCAL_MACHINE));
}

TEST(StoreNameTest, BareNameIsLocalMachine) {
  auto n = parse_store_name("Root", nullptr);
  ASSERT_TRUE(n);
  EXPECT_EQ(n->canonical(), "LocalMachine\\Root");
}

TEST(StoreNameTest, LocationIsCaseInsensitiveAndCanonical) {
  auto n = parse_store_name(" currentuser/My ", nullptr);
  ASSERT_TRUE(n);
  EXPECT_EQ(n->canonical(), "CurrentUser\\My");
  EXPECT_EQ(n->location_flag, static_cast<std::uint32_t>(CERT_SYSTEM_STORE_CURRENT_USER));
}

TEST(StoreNameTest, PowerShellDrive) {
  auto n = parse_store_name("Cert:\\LocalMachine\\CA", nullptr);
  ASSERT_TRUE(n);
  EXPECT_EQ(n->canonical(), "LocalMachine\\CA");
}

TEST(StoreNameTest, StoreNamesMayHoldSpaces) {
  auto n = parse_store_name("LocalMachine\\Remote Desktop", nullptr);
  ASSERT_TRUE(n);
  EXPECT_EQ(n->store, "Remote Desktop");
}

TEST(StoreNameTest, Errors) {
  std::string error;
  EXPECT_FALSE(parse_store_name("", &error));
  EXPECT_THAT(error, HasSubstr("empty"));
  EXPECT_FALSE(parse_store_name("Machine\\My", &error));
  EXPECT_THAT(error, HasSubstr("unknown location \"Machine\""));
  EXPECT_THAT(error, HasSubstr("LocalMachine"));
  EXPECT_FALSE(parse_store_name("LocalMachine\\", &error));
  EXPECT_THAT(error, HasSubstr("names no store"));
  EXPECT_FALSE(parse_store_name("LocalMachine\\My\\Sub", &error));
}

// ---------------------------------------------------------------------------
// The flags (exporter/config.cpp, Windows build)

ParseOutcome parse(std::vector<std::string> args) {
  args.insert(args.begin(), "ndes_exporter");
  std::vector<const char*> argv;
  for (const auto& a : args) {
    argv.push_back(a.c_str());
  }
  return parse_command_line(static_cast<int>(argv.size()), argv.data());
}

TEST(CertstoreFlagsTest, DefaultsOnWindows) {
  const ParseOutcome out = parse({});
  ASSERT_TRUE(out.should_run()) << out.message;
  EXPECT_EQ(out.config->collectors_enabled, std::vector<std::string>{"certstore"});
  EXPECT_EQ(out.config->certstore.stores, std::vector<std::string>{"LocalMachine\\My"});
  EXPECT_THAT(out.config->certstore.key_readers, IsEmpty());
}

TEST(CertstoreFlagsTest, StoresIdentitiesAndServiceAccount) {
  const ParseOutcome out =
      parse({"--collector.certstore.store=LocalMachine\\My", "--collector.certstore.store=Root",
             "--collector.certstore.key-reader=IIS APPPOOL\\SCEP",
             "--collector.certstore.service-account=CORP\\svc-ndes"});
  ASSERT_TRUE(out.should_run()) << out.message;
  EXPECT_EQ(out.config->certstore.stores, (std::vector<std::string>{"LocalMachine\\My", "Root"}));
  EXPECT_EQ(out.config->certstore.key_readers, std::vector<std::string>{"IIS APPPOOL\\SCEP"});
  EXPECT_EQ(out.config->certstore.service_account, "CORP\\svc-ndes");
}

TEST(CertstoreFlagsTest, ABadStoreIsAOneLineUsageError) {
  const ParseOutcome out = parse({"--collector.certstore.store=Machine\\My"});
  EXPECT_FALSE(out.should_run());
  EXPECT_EQ(out.exit_code, 2);
  EXPECT_THAT(out.message, HasSubstr("--collector.certstore.store"));
  EXPECT_THAT(out.message, HasSubstr("unknown location"));
  EXPECT_EQ(out.message.find('\n'), std::string::npos);
}

TEST(CertstoreFlagsTest, HelpListsTheCertstoreFlags) {
  const ParseOutcome out = parse({"--help"});
  EXPECT_EQ(out.exit_code, 0);
  EXPECT_THAT(out.message, HasSubstr("--collector.certstore.store"));
  EXPECT_THAT(out.message, HasSubstr("--collector.certstore.key-reader"));
}

// ---------------------------------------------------------------------------
// Identities and SIDs

TEST(VirtualAccountSidTest, AppPoolIsSha1OfTheLowerCasedName) {
  // The SID Windows gives IIS's DefaultAppPool, as icacls and Get-Acl show it.
  EXPECT_EQ(virtual_account_sid("IIS APPPOOL\\DefaultAppPool"),
            "S-1-5-82-3006700770-424185619-1745488364-794895919-4004696415");
  EXPECT_EQ(virtual_account_sid("iis apppool\\DEFAULTAPPPOOL"),
            "S-1-5-82-3006700770-424185619-1745488364-794895919-4004696415");
}

TEST(VirtualAccountSidTest, ServiceIsSha1OfTheUpperCasedName) {
  EXPECT_EQ(virtual_account_sid("NT SERVICE\\TrustedInstaller"),
            "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464");
}

TEST(VirtualAccountSidTest, OtherNamesAreNotVirtual) {
  EXPECT_EQ(virtual_account_sid("CORP\\svc-ndes"), std::nullopt);
  EXPECT_EQ(virtual_account_sid("IIS APPPOOL\\"), std::nullopt);
  EXPECT_EQ(virtual_account_sid("S-1-5-18"), std::nullopt);
}

TEST(ResolveIdentityTest, SidStringsAndVirtualAccountsAndWellKnownNames) {
  std::string error;
  auto system = resolve_identity("S-1-5-18", &error);
  ASSERT_TRUE(system) << error;
  EXPECT_EQ(sid_to_string(system->sid), "S-1-5-18");
  auto pool = resolve_identity("IIS APPPOOL\\SCEP", &error);
  ASSERT_TRUE(pool) << error;
  EXPECT_EQ(sid_to_string(pool->sid), *virtual_account_sid("IIS APPPOOL\\SCEP"));
  EXPECT_EQ(pool->name, "IIS APPPOOL\\SCEP");
  auto network = resolve_identity("NT AUTHORITY\\NETWORK SERVICE", &error);
  ASSERT_TRUE(network) << error;
  EXPECT_EQ(sid_to_string(network->sid), "S-1-5-20");
}

TEST(ResolveIdentityTest, UnknownAccount) {
  std::string error;
  EXPECT_FALSE(resolve_identity("NOSUCHDOMAIN\\nobody-at-all", &error));
  EXPECT_THAT(error, HasSubstr("NOSUCHDOMAIN\\nobody-at-all"));
}

TEST(ResolveIdentityTest, KindAndSidText) {
  std::string error;
  const auto kind_of = [&](const std::string& name) {
    auto id = resolve_identity(name, &error);
    EXPECT_TRUE(id) << error;
    return id ? id->kind : IdentityKind::account;
  };
  EXPECT_EQ(kind_of("IIS APPPOOL\\SCEP"), IdentityKind::app_pool);
  EXPECT_EQ(kind_of("NT SERVICE\\TrustedInstaller"), IdentityKind::service);
  EXPECT_EQ(kind_of("NT AUTHORITY\\NETWORK SERVICE"), IdentityKind::network_service);
  EXPECT_EQ(kind_of("S-1-5-18"), IdentityKind::local_system);
  EXPECT_EQ(kind_of("S-1-5-21-1-2-3-1001"), IdentityKind::account);
  auto pool = resolve_identity("IIS APPPOOL\\SCEP", &error);
  ASSERT_TRUE(pool) << error;
  EXPECT_EQ(pool->sid_text, *virtual_account_sid("IIS APPPOOL\\SCEP"));
}

TEST(LocalGroupsTest, TheLookupAnswers) {
  // Wine's NetLocalGroupEnum succeeds with no group at all, so the memberships
  // themselves are tested on Linux (TokenSidsTest, KeyReadCheckerTest); here the
  // calls, the buffers and the SID conversion run.
  std::string error;
  const auto groups = read_local_groups(&error);
  ASSERT_TRUE(groups) << error;
  for (const auto& g : *groups) {
    EXPECT_THAT(g.sid, ::testing::StartsWith("S-1-")) << g.name;
    EXPECT_THAT(g.name, Not(IsEmpty()));
  }
}

// ---------------------------------------------------------------------------
// The DACL evaluation

class DaclTest : public ::testing::Test {
 protected:
  bool reads(const std::wstring& sddl, const std::vector<std::string>& token) {
    std::vector<Sid> sids;
    for (const auto& s : token) {
      sids.push_back(sid(s));
    }
    const auto r = dacl_allows_read(sd_from_sddl(sddl), sids);
    EXPECT_TRUE(r.has_value()) << "malformed";
    return r.value_or(false);
  }
  const std::string pool_ = "S-1-5-82-1-2-3-4-5";
  const std::string other_ = "S-1-5-82-9-9-9-9-9";
};

TEST_F(DaclTest, AllowAceForTheSid) {
  EXPECT_TRUE(reads(L"D:(A;;GR;;;S-1-5-82-1-2-3-4-5)", {pool_}));
  EXPECT_FALSE(reads(L"D:(A;;GR;;;S-1-5-82-1-2-3-4-5)", {other_}));
}

TEST_F(DaclTest, GenericAndFileRightsBothCount) {
  EXPECT_TRUE(reads(L"D:(A;;GA;;;S-1-5-82-1-2-3-4-5)", {pool_}));
  EXPECT_TRUE(reads(L"D:(A;;FR;;;S-1-5-82-1-2-3-4-5)", {pool_}));
  EXPECT_TRUE(reads(L"D:(A;;0x1;;;S-1-5-82-1-2-3-4-5)", {pool_}));
  // Write or execute alone is not read.
  EXPECT_FALSE(reads(L"D:(A;;GW;;;S-1-5-82-1-2-3-4-5)", {pool_}));
  EXPECT_FALSE(reads(L"D:(A;;GX;;;S-1-5-82-1-2-3-4-5)", {pool_}));
}

TEST_F(DaclTest, FirstMatchingAceDecides) {
  EXPECT_FALSE(reads(L"D:(D;;GR;;;S-1-5-82-1-2-3-4-5)(A;;GA;;;S-1-5-82-1-2-3-4-5)", {pool_}));
  EXPECT_TRUE(reads(L"D:(A;;GA;;;S-1-5-82-1-2-3-4-5)(D;;GR;;;S-1-5-82-1-2-3-4-5)", {pool_}));
  // A deny for another right does not stop the read.
  EXPECT_TRUE(reads(L"D:(D;;GW;;;S-1-5-82-1-2-3-4-5)(A;;GR;;;S-1-5-82-1-2-3-4-5)", {pool_}));
}

TEST_F(DaclTest, GroupsInTheToken) {
  EXPECT_TRUE(reads(L"D:(A;;GR;;;S-1-5-32-568)", {pool_, "S-1-5-32-568"}));
  EXPECT_FALSE(reads(L"D:(A;;GR;;;S-1-5-32-568)", {pool_}));
  EXPECT_TRUE(reads(L"D:(A;;GR;;;WD)", {pool_, "S-1-1-0"}));
}

TEST_F(DaclTest, InheritOnlyAcesDoNotApply) {
  EXPECT_FALSE(reads(L"D:(A;CIIO;GR;;;S-1-5-82-1-2-3-4-5)", {pool_}));
}

TEST_F(DaclTest, NullDaclGrantsAndEmptyDaclDenies) {
  SECURITY_DESCRIPTOR absolute{};
  ASSERT_TRUE(InitializeSecurityDescriptor(&absolute, SECURITY_DESCRIPTOR_REVISION));
  ASSERT_TRUE(SetSecurityDescriptorDacl(&absolute, TRUE, nullptr, FALSE));  // a NULL DACL
  DWORD size = 0;
  MakeSelfRelativeSD(&absolute, nullptr, &size);
  std::vector<std::uint8_t> null_dacl(size);
  ASSERT_TRUE(MakeSelfRelativeSD(&absolute, null_dacl.data(), &size));
  const std::vector<Sid> token = {sid(pool_)};
  EXPECT_EQ(dacl_allows_read(null_dacl, token), true);
  EXPECT_FALSE(reads(L"D:", {pool_}));
}

TEST_F(DaclTest, MalformedDescriptor) {
  const std::vector<Sid> token = {sid(pool_)};
  EXPECT_EQ(dacl_allows_read(std::vector<std::uint8_t>{1, 2, 3}, token), std::nullopt);
  EXPECT_EQ(dacl_allows_read(std::vector<std::uint8_t>{}, token), std::nullopt);
  // A DACL that claims more ACEs than its bytes hold.
  std::vector<std::uint8_t> cut = sd_from_sddl(L"D:(A;;GR;;;S-1-5-82-1-2-3-4-5)");
  cut.resize(cut.size() - 6);
  EXPECT_EQ(dacl_allows_read(cut, token), std::nullopt);
}

TEST(CanReadKeyTest, AnswersForAnIdentityWithItsGroups) {
  std::string error;
  auto pool = resolve_identity("IIS APPPOOL\\SCEP", &error);
  ASSERT_TRUE(pool) << error;
  // Granted to IIS_IUSRS, which every application pool identity is in.
  const ReadCheck via_group =
      can_read_key(sd_from_sddl(L"O:SYG:SYD:(A;;GR;;;S-1-5-32-568)"), *pool);
  ASSERT_TRUE(via_group.readable) << via_group.error;
  EXPECT_TRUE(*via_group.readable);
  EXPECT_EQ(via_group.method, ReadMethod::dacl);  // a virtual account: never Authz
  const ReadCheck admins_only = can_read_key(sd_from_sddl(L"O:SYG:SYD:(A;;GA;;;BA)"), *pool);
  ASSERT_TRUE(admins_only.readable) << admins_only.error;
  EXPECT_FALSE(*admins_only.readable);
  // SERVICE (S-1-5-6), which the worker process carries.
  const ReadCheck via_service = can_read_key(sd_from_sddl(L"O:SYG:SYD:(A;;GR;;;SU)"), *pool);
  EXPECT_EQ(via_service.readable, true) << via_service.error;
}

TEST(CanReadKeyTest, AnAccountWithoutAuthzIsEvaluatedOnTheDaclAndSaysWhy) {
  // Wine's AuthzInitializeResourceManager is a stub (ERROR_CALL_NOT_IMPLEMENTED): the
  // real KeyReadChecker then evaluates the DACL and says so in the note.
  std::string error;
  auto user = resolve_identity("S-1-5-21-1-2-3-1001", &error);
  ASSERT_TRUE(user) << error;
  const ReadCheck r = can_read_key(sd_from_sddl(L"O:SYG:SYD:(A;;GR;;;AU)"), *user);
  ASSERT_TRUE(r.readable) << r.error;
  EXPECT_TRUE(*r.readable);
  EXPECT_EQ(r.method, ReadMethod::dacl);
  EXPECT_THAT(r.note, HasSubstr("AuthzInitializeResourceManager"));
  const ReadCheck denied = can_read_key(sd_from_sddl(L"O:SYG:SYD:(A;;GR;;;SU)"), *user);
  EXPECT_EQ(denied.readable, false) << denied.error;  // an account is not SERVICE
}

TEST(CanReadKeyTest, MalformedDescriptorIsAnError) {
  std::string error;
  auto pool = resolve_identity("IIS APPPOOL\\SCEP", &error);
  ASSERT_TRUE(pool) << error;
  const ReadCheck r = can_read_key(std::vector<std::uint8_t>{1, 2, 3}, *pool);
  EXPECT_EQ(r.readable, std::nullopt);
  EXPECT_THAT(r.error, HasSubstr("malformed"));
}

// ---------------------------------------------------------------------------
// The collector over a fake store

class FakeStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(fixtures_dir() / "facts.tsv")) {
      FAIL() << "NDES_STORE_FIXTURES (" << fixtures_dir().string()
             << ") has no facts.tsv: run make-store-fixtures.sh";
    }
    facts_ = load_facts();
  }

  CollectorResult run(const std::vector<StoreEntry>& entries, ExporterConfig config = {}) {
    StoreAccess access;
    access.read = [entries](const StoreName&) {
      StoreRead r;
      r.opened = true;
      r.entries = entries;
      return r;
    };
    access.inspect = [this](const PrivateKeyRef& key) {
      KeyState s;
      s.exists = key.container != L"gone";
      if (s.exists) {
        s.security_descriptor = sd_from_sddl(L"O:SYG:SYD:(A;;GR;;;S-1-5-32-568)");
      } else {
        s.error = "NTE_BAD_KEYSET";
      }
      ++inspected_;
      return s;
    };
    CertstoreCollector collector(config.certstore, config.template_names, access);
    return collector.collect();
  }

  static StoreEntry entry(const std::string& name, bool key, bool archived = false) {
    StoreEntry e;
    e.der = der_of(name);
    e.archived = archived;
    if (key) {
      e.key.provider = KeyProvider::capi;
      e.key.container = L"c-" + std::wstring(name.begin(), name.end());
    }
    return e;
  }

  std::map<std::string, Fact> facts_;
  int inspected_ = 0;
};

TEST_F(FakeStoreTest, ArchivedCertificatesAreSkipped) {
  const CollectorResult r = run({entry("cep", true), entry("cep-archived", true, true)});
  EXPECT_TRUE(r.success);
  ASSERT_EQ(r.certificates.size(), 1U);
  EXPECT_EQ(r.certificates[0].cert.thumbprint, facts_["cep"].thumbprint);
  EXPECT_EQ(find_record(r, facts_["cep-archived"].thumbprint), nullptr);
  EXPECT_THAT(r.errors, IsEmpty());
}

TEST_F(FakeStoreTest, RecordsCarryTheStoreAndThePrivateKey) {
  const CollectorResult r = run({entry("eea-1", true), entry("eea-nokey", false)});
  EXPECT_EQ(r.collector, "certstore");
  EXPECT_EQ(r.sources, std::vector<std::string>{"LocalMachine\\My"});
  ASSERT_EQ(r.certificates.size(), 2U);
  const auto* with_key = find_record(r, facts_["eea-1"].thumbprint);
  const auto* without = find_record(r, facts_["eea-nokey"].thumbprint);
  ASSERT_NE(with_key, nullptr);
  ASSERT_NE(without, nullptr);
  EXPECT_EQ(with_key->origin.collector, "certstore");
  EXPECT_EQ(with_key->origin.source, "LocalMachine\\My");
  EXPECT_EQ(with_key->origin.path, "");
  EXPECT_EQ(with_key->role, Role::enrollment_agent);
  EXPECT_EQ(with_key->has_private_key, true);
  EXPECT_EQ(without->has_private_key, false);
  EXPECT_EQ(inspected_, 1);  // only a key that is there is opened
}

TEST_F(FakeStoreTest, AKeyThatCannotBeOpenedIsStillLinked) {
  StoreEntry e = entry("cep", true);
  e.key.container = L"gone";
  ExporterConfig config;
  config.certstore.key_readers = {"IIS APPPOOL\\SCEP"};
  const CollectorResult r = run({e}, config);
  ASSERT_EQ(r.certificates.size(), 1U);
  EXPECT_EQ(r.certificates[0].has_private_key, true);
  EXPECT_EQ(readable(r, r.certificates[0].cert.thumbprint, "IIS APPPOOL\\SCEP"), std::nullopt);
}

TEST_F(FakeStoreTest, BrokenDerIsAReadErrorAndTheRestIsRead) {
  StoreEntry broken;
  broken.der = {0x30, 0x03, 0x02, 0x01};
  const CollectorResult r = run({broken, entry("ssl", true)});
  EXPECT_EQ(r.certificates.size(), 1U);
  ASSERT_EQ(r.errors.size(), 1U);
  EXPECT_EQ(r.errors[0].reason, ReadError::bad_der);
  EXPECT_EQ(r.errors[0].origin.source, "LocalMachine\\My");
}

TEST_F(FakeStoreTest, StoreThatCannotBeOpened) {
  StoreAccess access;
  access.read = [](const StoreName& n) {
    StoreRead r;
    r.error = 5;
    r.detail = "cannot open " + n.canonical() + ": access denied";
    return r;
  };
  ExporterConfig config;
  config.certstore.stores = {"LocalMachine\\My", "LocalMachine\\CA"};
  CertstoreCollector collector(config.certstore, config.template_names, access);
  const CollectorResult r = collector.collect();
  EXPECT_TRUE(r.success);
  ASSERT_EQ(r.errors.size(), 2U);
  EXPECT_EQ(r.errors[0].reason, ReadError::permission_denied);
  EXPECT_EQ(r.errors[1].origin.source, "LocalMachine\\CA");
  EXPECT_EQ(r.sources, (std::vector<std::string>{"LocalMachine\\My", "LocalMachine\\CA"}));
}

TEST_F(FakeStoreTest, ReadableSeriesPerKeyAndIdentity) {
  ExporterConfig config;
  config.certstore.key_readers = {"IIS APPPOOL\\SCEP", "S-1-5-20", "NOSUCHDOMAIN\\nobody-at-all"};
  const CollectorResult r = run({entry("cep", true), entry("eea-nokey", false)}, config);
  const std::string cep = facts_["cep"].thumbprint;
  EXPECT_EQ(readable(r, cep, "IIS APPPOOL\\SCEP"), 1.0);  // IIS_IUSRS may read
  EXPECT_EQ(readable(r, cep, "S-1-5-20"), 0.0);
  // An identity that does not resolve gets no series (and a log line).
  EXPECT_EQ(readable(r, cep, "NOSUCHDOMAIN\\nobody-at-all"), std::nullopt);
  // No key, no series.
  EXPECT_EQ(readable(r, facts_["eea-nokey"].thumbprint, "IIS APPPOOL\\SCEP"), std::nullopt);
}

TEST_F(FakeStoreTest, AnUnansweredCheckIsAReadErrorAndNoSeries) {
  ExporterConfig config;
  config.certstore.key_readers = {"S-1-5-21-1-2-3-1001", "IIS APPPOOL\\SCEP"};
  StoreAccess access;
  access.read = [this](const StoreName&) {
    StoreRead r;
    r.opened = true;
    r.entries = {entry("cep", true)};
    return r;
  };
  access.inspect = [](const PrivateKeyRef&) {
    KeyState s;
    s.exists = true;
    s.security_descriptor = sd_from_sddl(L"O:SYG:SYD:(A;;GR;;;S-1-5-32-568)");
    return s;
  };
  access.can_read = [](std::span<const std::uint8_t> sd, const Identity& id) {
    if (id.kind != IdentityKind::account) {
      return can_read_key(sd, id);
    }
    ReadCheck denied;  // what a gMSA without tokenGroupsGlobalAndUniversal gets
    denied.method = ReadMethod::authz;
    denied.error_code = 5;
    denied.error = "AuthzInitializeContextFromSid(S-1-5-21-1-2-3-1001): access denied";
    return denied;
  };
  CertstoreCollector collector(config.certstore, config.template_names, access);
  const CollectorResult r = collector.collect();
  const std::string cep = facts_["cep"].thumbprint;
  EXPECT_EQ(readable(r, cep, "S-1-5-21-1-2-3-1001"), std::nullopt);
  EXPECT_EQ(readable(r, cep, "IIS APPPOOL\\SCEP"), 1.0);
  EXPECT_EQ(method_of(r, cep, "IIS APPPOOL\\SCEP"), "dacl");
  ASSERT_EQ(r.errors.size(), 1U);
  EXPECT_EQ(r.errors[0].reason, ReadError::permission_denied);
  EXPECT_THAT(r.errors[0].detail, HasSubstr("AuthzInitializeContextFromSid"));
  EXPECT_EQ(r.errors[0].origin.source, "LocalMachine\\My");
}

TEST_F(FakeStoreTest, DefaultIdentitiesAreTheServiceAccount) {
  ExporterConfig config;
  EXPECT_THAT(key_reader_identities(config.certstore), IsEmpty());
  config.certstore.service_account = "CORP\\svc-ndes";
  EXPECT_EQ(key_reader_identities(config.certstore), std::vector<std::string>{"CORP\\svc-ndes"});
  config.certstore.key_readers = {"IIS APPPOOL\\SCEP", "IIS APPPOOL\\SCEP"};
  EXPECT_EQ(key_reader_identities(config.certstore), std::vector<std::string>{"IIS APPPOOL\\SCEP"});
}

TEST_F(FakeStoreTest, MalformedStoreNameThrows) {
  ExporterConfig config;
  config.certstore.stores = {"Machine\\My"};
  EXPECT_THROW((CertstoreCollector{config.certstore, config.template_names}),
               std::invalid_argument);
}

TEST_F(FakeStoreTest, DuplicateStoreNamesAreReadOnce) {
  ExporterConfig config;
  config.certstore.stores = {"LocalMachine\\My", "my", "Cert:\\LocalMachine\\MY"};
  CertstoreCollector collector(config.certstore, config.template_names);
  EXPECT_EQ(collector.stores().size(), 1U);
}

TEST_F(FakeStoreTest, RaWithoutKeyDoesNotCountAsValid) {
  const CollectorResult r =
      run({entry("eea-1", true), entry("eea-2", true), entry("eea-nokey", false)});
  const std::string text =
      serialize(to_families(std::span<const CollectorResult>(&r, 1), std::time(nullptr)));
  EXPECT_THAT(text, HasSubstr("ndes_certificates_valid{collector=\"certstore\",source="
                              "\"LocalMachine\\\\My\",template=\"EnrollmentAgentOffline\","
                              "role=\"enrollment_agent\"} 2\n"));
}

// ---------------------------------------------------------------------------
// A real LocalMachine\My (the wine prefix's registry)

class WineStoreTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { setup_error_ = test::setup_error_of(fill); }

  static void fill() {
    facts_ = load_facts();
    if (facts_.empty()) {
      throw std::runtime_error("no facts.tsv in " + fixtures_dir().string());
    }
    test::winstore::clear(L"My");
    test::winstore::clear(L"CA");
    for (const auto& [name, f] : facts_) {
      if (name == "ca") {
        thumbprints_[name] = test::winstore::add_der(L"CA", fixtures_dir() / "ca.der");
      } else if (f.key) {
        thumbprints_[name] =
            test::winstore::add_pfx(L"My", fixtures_dir() / (name + ".pfx"), "wine");
      } else {
        thumbprints_[name] = test::winstore::add_der(L"My", fixtures_dir() / (name + ".der"));
      }
      if (f.archived) {
        archived_ = test::winstore::archive(L"My", thumbprints_[name], &archive_error_);
      }
    }
    pool_sid_ = *virtual_account_sid("IIS APPPOOL\\SCEP");
    const std::wstring pool(pool_sid_.begin(), pool_sid_.end());
    // SYSTEM and Administrators keep full control, as on every NDES key (and the
    // test runs as an administrator). cep: the app pool may read; eea-1: IIS_IUSRS
    // may read; eea-2: the pool is denied before IIS_IUSRS is allowed; ssl:
    // Authenticated Users may read.
    const std::wstring admins = L"D:P(A;;GA;;;SY)(A;;GA;;;BA)";
    test::winstore::set_key_dacl(L"My", thumbprints_["cep"], admins + L"(A;;GR;;;" + pool + L")");
    test::winstore::set_key_dacl(L"My", thumbprints_["eea-1"], admins + L"(A;;GR;;;S-1-5-32-568)");
    test::winstore::set_key_dacl(L"My", thumbprints_["eea-2"],
                                 admins + L"(D;;GR;;;" + pool + L")(A;;GR;;;S-1-5-32-568)");
    test::winstore::set_key_dacl(L"My", thumbprints_["ssl"], admins + L"(A;;GR;;;AU)");
    // ssl-expired: the certificate stays and still names its key, which is deleted.
    test::winstore::delete_key(L"My", thumbprints_["ssl-expired"]);

    ExporterConfig config;
    config.certstore.stores = {"LocalMachine\\My", "LocalMachine\\CA"};
    config.certstore.key_readers = {"IIS APPPOOL\\SCEP", "NT AUTHORITY\\NETWORK SERVICE"};
    config.template_names["1.3.6.1.4.1.311.21.8.1.2.3.4.5.6"] = "NDES-SSL";
    CertstoreCollector collector(config.certstore, config.template_names);
    result_ = collector.collect();
  }

  void SetUp() override { ASSERT_EQ(setup_error_, "") << "could not fill the wine store"; }

  static inline std::map<std::string, Fact> facts_;
  static inline std::map<std::string, std::string> thumbprints_;
  static inline bool archived_ = false;
  static inline std::string archive_error_;
  static inline std::string pool_sid_;
  static inline CollectorResult result_;
  static inline std::string setup_error_;
};

TEST_F(WineStoreTest, TheStoreHoldsWhatWasPutIn) {
  for (const auto& [name, f] : facts_) {
    EXPECT_EQ(thumbprints_[name], f.thumbprint) << name << ": Windows and openssl disagree";
  }
  EXPECT_EQ(test::winstore::thumbprints(L"CA"), std::vector<std::string>{facts_["ca"].thumbprint});
}

TEST_F(WineStoreTest, EveryCertificateMatchesOpenssl) {
  EXPECT_TRUE(result_.success);
  EXPECT_THAT(result_.errors, IsEmpty());
  for (const auto& [name, f] : facts_) {
    const CertificateRecord* r = find_record(result_, f.thumbprint);
    if (f.archived && archived_) {
      EXPECT_EQ(r, nullptr) << name << " is archived and must be skipped";
      continue;
    }
    ASSERT_NE(r, nullptr) << name << " " << f.thumbprint << " is missing";
    EXPECT_EQ(r->cert.serial, f.serial) << name;
    EXPECT_EQ(r->cert.not_before, f.not_before) << name;
    EXPECT_EQ(r->cert.not_after, f.not_after) << name;
    EXPECT_EQ(r->cert.subject, f.subject) << name;
    EXPECT_EQ(r->origin.collector, "certstore");
    EXPECT_EQ(r->origin.source, name == "ca" ? "LocalMachine\\CA" : "LocalMachine\\My") << name;
    EXPECT_EQ(r->origin.path, "");
  }
}

TEST_F(WineStoreTest, RolesAndTemplates) {
  const auto role = [&](const std::string& name) {
    const auto* r = find_record(result_, facts_[name].thumbprint);
    return r != nullptr ? std::string(to_string(r->role)) : std::string("missing");
  };
  EXPECT_EQ(role("eea-1"), "enrollment_agent");
  EXPECT_EQ(role("eea-2"), "enrollment_agent");
  EXPECT_EQ(role("cep"), "cep_encryption");
  EXPECT_EQ(role("ssl"), "ssl");
  EXPECT_EQ(role("ca"), "ca");
  const auto* ssl = find_record(result_, facts_["ssl"].thumbprint);
  ASSERT_NE(ssl, nullptr);
  EXPECT_EQ(ssl->cert.template_name, "NDES-SSL");
  const auto* eea = find_record(result_, facts_["eea-1"].thumbprint);
  ASSERT_NE(eea, nullptr);
  EXPECT_EQ(eea->cert.template_name, "EnrollmentAgentOffline");
}

TEST_F(WineStoreTest, PrivateKeys) {
  for (const auto& [name, f] : facts_) {
    const auto* r = find_record(result_, f.thumbprint);
    if (r == nullptr) {
      continue;
    }
    // ssl-expired's key was deleted, but the store still links one (as certlm.msc
    // and .NET's HasPrivateKey say): it counts, and gets no readable series.
    EXPECT_EQ(r->has_private_key, f.key) << name;
  }
}

TEST_F(WineStoreTest, KeyReadableByIdentity) {
  const std::string pool = "IIS APPPOOL\\SCEP";
  const std::string network = "NT AUTHORITY\\NETWORK SERVICE";
  EXPECT_EQ(readable(result_, facts_["cep"].thumbprint, pool), 1.0);
  EXPECT_EQ(readable(result_, facts_["cep"].thumbprint, network), 0.0);
  EXPECT_EQ(readable(result_, facts_["eea-1"].thumbprint, pool), 1.0);  // via IIS_IUSRS
  EXPECT_EQ(readable(result_, facts_["eea-1"].thumbprint, network), 0.0);
  EXPECT_EQ(readable(result_, facts_["eea-2"].thumbprint, pool), 0.0);  // denied first
  EXPECT_EQ(readable(result_, facts_["ssl"].thumbprint, pool), 1.0);    // Authenticated Users
  EXPECT_EQ(readable(result_, facts_["ssl"].thumbprint, network), 1.0);
  // No key, no series.
  EXPECT_EQ(readable(result_, facts_["eea-nokey"].thumbprint, pool), std::nullopt);
  EXPECT_EQ(readable(result_, facts_["ssl-expired"].thumbprint, pool), std::nullopt);
  // Both are service identities: decided on the DACL, and the series says so.
  EXPECT_EQ(method_of(result_, facts_["cep"].thumbprint, pool), "dacl");
  EXPECT_EQ(method_of(result_, facts_["cep"].thumbprint, network), "dacl");
}

TEST_F(WineStoreTest, TheDaclsAreWhatTheTestSet) {
  EXPECT_THAT(test::winstore::key_dacl(L"My", thumbprints_["cep"]),
              HasSubstr(std::wstring(pool_sid_.begin(), pool_sid_.end())));
}

TEST_F(WineStoreTest, ValidCountsLikeNdes) {
  const std::string text =
      serialize(to_families(std::span<const CollectorResult>(&result_, 1), std::time(nullptr)));
  // Two valid EnrollmentAgentOffline certificates with keys: the duplicate that
  // stops NDES. The one without a key does not count.
  EXPECT_THAT(text, HasSubstr("ndes_certificates_valid{collector=\"certstore\",source="
                              "\"LocalMachine\\\\My\",template=\"EnrollmentAgentOffline\","
                              "role=\"enrollment_agent\"} 2\n"));
  const std::string cep_count = archived_ ? "1" : "2";
  EXPECT_THAT(text, HasSubstr("ndes_certificates_valid{collector=\"certstore\",source="
                              "\"LocalMachine\\\\My\",template=\"CEPEncryption\","
                              "role=\"cep_encryption\"} " +
                              cep_count + "\n"));
  EXPECT_THAT(text, HasSubstr("ndes_certificate_has_private_key{collector=\"certstore\",source="
                              "\"LocalMachine\\\\My\",path=\"\",thumbprint=\"" +
                              facts_["eea-nokey"].thumbprint));
}

TEST_F(WineStoreTest, ArchivedCertificatesInTheRealStore) {
  if (!archived_) {
    GTEST_SKIP() << "NDES-SKIP: this platform cannot archive a certificate (" << archive_error_
                 << "; wine does not implement CERT_ARCHIVED_PROP_ID). The skip is tested "
                    "with a fake store (FakeStoreTest.ArchivedCertificatesAreSkipped).";
  }
  EXPECT_EQ(find_record(result_, facts_["cep-archived"].thumbprint), nullptr);
}

}  // namespace
}  // namespace ndes::certstore
