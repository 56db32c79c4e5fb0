// The certstore collector's key-read decision, pure: the groups each kind of
// identity carries in its token (token_groups.h), the TTL cache of Authz contexts,
// and KeyReadChecker's Authz calls through the AuthzCalls seam (the flags and the
// desired access the documentation names). RecordingAuthz stands in for Authz,
// which runs on Windows only (and is a stub under wine); the DACL walk is
// dacl_allows_read on Windows, tested under wine (windows.certstore), and a
// set-membership stand-in here.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "certstore/key_read_check.h"
#include "certstore/token_groups.h"
#include "certstore/ttl_cache.h"

namespace ndes::certstore {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

const std::string kPool = "S-1-5-82-3006700770-424185619-1745488364-794895919-4004696415";
const std::string kSvc = "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464";
const std::string kUser = "S-1-5-21-1004336348-1177238915-682003330-1104";
const std::string kGmsa = "S-1-5-21-1004336348-1177238915-682003330-2201";
const std::string kDomainGroup = "S-1-5-21-1004336348-1177238915-682003330-3001";

// ---------------------------------------------------------------------------
// Kinds of identity and the groups of their tokens

TEST(IdentityKindTest, FromTheSid) {
  EXPECT_EQ(identity_kind("S-1-5-18"), IdentityKind::local_system);
  EXPECT_EQ(identity_kind("S-1-5-19"), IdentityKind::local_service);
  EXPECT_EQ(identity_kind("S-1-5-20"), IdentityKind::network_service);
  EXPECT_EQ(identity_kind(kPool), IdentityKind::app_pool);
  EXPECT_EQ(identity_kind("s-1-5-82-1-2-3-4-5"), IdentityKind::app_pool);
  EXPECT_EQ(identity_kind(kSvc), IdentityKind::service);
  EXPECT_EQ(identity_kind(kUser), IdentityKind::account);
  EXPECT_EQ(identity_kind(kGmsa), IdentityKind::account);
  // The authority alone is not a virtual account; S-1-5-201 is not NETWORK SERVICE.
  EXPECT_EQ(identity_kind("S-1-5-82-"), IdentityKind::account);
  EXPECT_EQ(identity_kind("S-1-5-201"), IdentityKind::account);
  EXPECT_EQ(to_string(IdentityKind::app_pool), "app_pool");
}

TEST(TokenGroupsTest, ApplicationPoolIdentity) {
  // IIS APPPOOL\SCEP: IIS_IUSRS injected by IIS, SERVICE (a service logon), Users,
  // Authenticated Users, Everyone.
  EXPECT_THAT(
      token_groups(IdentityKind::app_pool, kPool),
      UnorderedElementsAre("S-1-1-0", "S-1-5-11", "S-1-5-32-545", "S-1-5-6", "S-1-5-32-568"));
}

TEST(TokenGroupsTest, ServiceVirtualAccount) {
  EXPECT_THAT(token_groups(IdentityKind::service, kSvc),
              UnorderedElementsAre("S-1-1-0", "S-1-5-11", "S-1-5-32-545", "S-1-5-6"));
}

TEST(TokenGroupsTest, NetworkServiceAndLocalService) {
  for (const auto kind : {IdentityKind::network_service, IdentityKind::local_service}) {
    EXPECT_THAT(token_groups(kind, ""),
                UnorderedElementsAre("S-1-1-0", "S-1-5-11", "S-1-5-32-545", "S-1-5-6"))
        << to_string(kind);
  }
}

TEST(TokenGroupsTest, LocalSystem) {
  // "Its token includes the NT AUTHORITY\SYSTEM and BUILTIN\Administrators SIDs".
  EXPECT_THAT(token_groups(IdentityKind::local_system, "S-1-5-18"),
              UnorderedElementsAre("S-1-1-0", "S-1-5-11", "S-1-5-32-544"));
}

TEST(TokenGroupsTest, AccountHasOnlyWhatEveryLogonHas) {
  // No SERVICE, no IIS_IUSRS: a user or gMSA's other groups are Authz's to know.
  EXPECT_THAT(token_groups(IdentityKind::account, kGmsa),
              UnorderedElementsAre("S-1-1-0", "S-1-5-11", "S-1-5-32-545"));
}

TEST(TokenSidsTest, TheIdentityItsGroupsAndTheLocalGroupsHoldingThem) {
  const std::vector<LocalGroup> local = {
      {"S-1-5-32-545", "Users", {"S-1-5-4", "S-1-5-11"}},          // Authenticated Users
      {"S-1-5-21-9-9-9-1010", "NDES Key Readers", {kPool}},        // the pool itself
      {"S-1-5-21-9-9-9-1011", "SvcReaders", {"s-1-5-6"}},          // SERVICE, any case
      {"S-1-5-21-9-9-9-1012", "DomainReaders", {kDomainGroup}},    // not in this token
      {"S-1-5-32-544", "Administrators", {"S-1-5-21-9-9-9-500"}},  // nor this
  };
  EXPECT_THAT(token_sids(IdentityKind::app_pool, kPool, local),
              ElementsAre(kPool, "S-1-1-0", "S-1-5-11", "S-1-5-32-545", "S-1-5-6", "S-1-5-32-568",
                          "S-1-5-21-9-9-9-1010", "S-1-5-21-9-9-9-1011"));
  // NETWORK SERVICE is in SvcReaders through SERVICE, not in NDES Key Readers.
  EXPECT_THAT(token_sids(IdentityKind::network_service, "S-1-5-20", local),
              ElementsAre("S-1-5-20", "S-1-1-0", "S-1-5-11", "S-1-5-32-545", "S-1-5-6",
                          "S-1-5-21-9-9-9-1011"));
}

TEST(TokenSidsTest, SystemTokenIsNotExpanded) {
  const std::vector<LocalGroup> local = {{"S-1-5-21-9-9-9-1013", "Everyone's", {"S-1-1-0"}}};
  EXPECT_FALSE(expands_local_groups(IdentityKind::local_system));
  EXPECT_THAT(token_sids(IdentityKind::local_system, "S-1-5-18", local),
              ElementsAre("S-1-5-18", "S-1-1-0", "S-1-5-11", "S-1-5-32-544"));
}

// ---------------------------------------------------------------------------
// The TTL cache

struct FakeClock {
  std::chrono::steady_clock::time_point t{};
  std::function<std::chrono::steady_clock::time_point()> now() {
    return [this] { return t; };
  }
};

TEST(TtlCacheTest, KeepsAValueForItsTtl) {
  FakeClock clock;
  TtlCache<int> cache(std::chrono::minutes(10), 8, clock.now());
  int made = 0;
  const auto make = [&] { return ++made; };
  EXPECT_EQ(cache.get("a", make), 1);
  clock.t += std::chrono::minutes(9);
  EXPECT_EQ(cache.get("a", make), 1);
  EXPECT_EQ(cache.get("b", make), 2);
  clock.t += std::chrono::minutes(1);  // "a" is 10 minutes old: made again
  EXPECT_EQ(cache.get("a", make), 3);
  EXPECT_EQ(cache.get("b", make), 2);
  EXPECT_EQ(made, 3);
}

TEST(TtlCacheTest, IsBoundedAndDropsTheOldest) {
  FakeClock clock;
  TtlCache<std::string> cache(std::chrono::hours(1), 2, clock.now());
  int made = 0;
  const auto make = [&] { return std::to_string(++made); };
  cache.get("a", make);
  clock.t += std::chrono::seconds(1);
  cache.get("b", make);
  clock.t += std::chrono::seconds(1);
  cache.get("c", make);  // full: "a" goes
  EXPECT_EQ(cache.size(), 2U);
  EXPECT_EQ(cache.get("b", make), "2");
  EXPECT_EQ(cache.get("c", make), "3");
  EXPECT_EQ(cache.get("a", make), "4");  // made again
  EXPECT_EQ(cache.size(), 2U);
}

TEST(TtlCacheTest, ZeroCapacityStillCachesOne) {
  TtlCache<int> cache(std::chrono::hours(1), 0);
  int made = 0;
  cache.get("a", [&] { return ++made; });
  cache.get("a", [&] { return ++made; });
  EXPECT_EQ(made, 1);
}

// ---------------------------------------------------------------------------
// KeyReadChecker through the Authz seam

// Records every call with its arguments; answers as configured.
class RecordingAuthz : public AuthzCalls {
 public:
  struct Call {
    std::string api;
    std::uint32_t flags = 0;
    std::string sid;
    std::vector<std::string> sids;
    std::uint32_t desired_access = 0;
    std::vector<std::uint8_t> sd;
  };
  std::vector<Call> calls;
  std::uint32_t rm_error = 0;
  std::map<std::string, std::uint32_t> context_error;  // by SID
  std::set<std::string> readers;                       // SIDs granted FILE_READ_DATA

  std::uint32_t initialize_resource_manager(std::uint32_t flags) override {
    calls.push_back({"AuthzInitializeResourceManager", flags});
    return rm_error;
  }
  std::uint32_t initialize_context_from_sid(std::uint32_t flags, const std::string& sid,
                                            AuthzContext& context) override {
    calls.push_back({"AuthzInitializeContextFromSid", flags, sid});
    if (auto it = context_error.find(sid); it != context_error.end()) {
      return it->second;
    }
    context = std::make_shared<std::string>(sid);
    return 0;
  }
  std::uint32_t add_sids_to_context(const AuthzContext& base, const std::vector<std::string>& sids,
                                    std::uint32_t attributes, AuthzContext& context) override {
    calls.push_back(
        {"AuthzAddSidsToContext", attributes, *static_cast<std::string*>(base.get()), sids});
    context = base;
    return 0;
  }
  std::uint32_t access_check(std::uint32_t flags, const AuthzContext& context,
                             std::uint32_t desired_access, std::span<const std::uint8_t> sd,
                             AccessReply& reply) override {
    const std::string sid = *static_cast<std::string*>(context.get());
    calls.push_back({"AuthzAccessCheck", flags, sid, {}, desired_access, {sd.begin(), sd.end()}});
    const bool granted = readers.count(sid) > 0;
    reply.granted = granted ? desired_access : 0;
    reply.error = granted ? 0 : kErrorAccessDenied;
    return 0;
  }
  std::string error_text(std::uint32_t code) override {
    return code == kErrorAccessDenied ? "0x00000005 (Access is denied)"
                                      : "0x" + std::to_string(code);
  }

  std::vector<Call> of(const std::string& api) const {
    std::vector<Call> out;
    for (const auto& c : calls) {
      if (c.api == api) {
        out.push_back(c);
      }
    }
    return out;
  }
};

Identity identity(const std::string& name, const std::string& sid) {
  return Identity{name, {}, sid, identity_kind(sid)};
}

class KeyReadCheckerTest : public ::testing::Test {
 protected:
  KeyReadChecker make(KeyReadOptions options = {}) {
    options.now = clock_.now();
    return KeyReadChecker(
        authz_,
        [this](std::span<const std::uint8_t>, std::span<const std::string> token) {
          dacl_tokens_.emplace_back(token.begin(), token.end());
          for (const auto& s : token) {
            if (dacl_readers_.count(s) > 0) {
              return std::optional<bool>(true);
            }
          }
          return std::optional<bool>(false);
        },
        [this](std::string* error) -> std::optional<std::vector<LocalGroup>> {
          ++group_lookups_;
          if (!groups_error_.empty()) {
            *error = groups_error_;
            return std::nullopt;
          }
          return local_groups_;
        },
        options);
  }

  FakeClock clock_;
  std::shared_ptr<RecordingAuthz> authz_ = std::make_shared<RecordingAuthz>();
  std::set<std::string> dacl_readers_;
  std::vector<std::vector<std::string>> dacl_tokens_;
  std::vector<LocalGroup> local_groups_;
  std::string groups_error_;
  int group_lookups_ = 0;
  const std::vector<std::uint8_t> sd_ = {1, 0, 4, 0x80, 9, 9};
};

TEST_F(KeyReadCheckerTest, ResourceManagerFlagsAreNoAuditAndItIsMadeOnce) {
  KeyReadChecker checker = make();
  checker.check(sd_, identity("CORP\\svc-ndes", kUser));
  checker.check(sd_, identity("CORP\\ndes$", kGmsa));
  const auto rm = authz_->of("AuthzInitializeResourceManager");
  ASSERT_EQ(rm.size(), 1U);
  EXPECT_EQ(rm[0].flags, 0x1U);  // AUTHZ_RM_FLAG_NO_AUDIT
}

TEST_F(KeyReadCheckerTest, ContextFromSidFlagsAreTheDefaultS4uLogon) {
  KeyReadChecker checker = make();
  checker.check(sd_, identity("CORP\\svc-ndes", kUser));
  const auto calls = authz_->of("AuthzInitializeContextFromSid");
  ASSERT_EQ(calls.size(), 1U);
  EXPECT_EQ(calls[0].flags, 0x0U);  // not AUTHZ_SKIP_TOKEN_GROUPS (2), not REQUIRE_S4U (4)
  EXPECT_EQ(calls[0].sid, kUser);
}

TEST_F(KeyReadCheckerTest, AddedSidsAreTheLogonGroupsEnabled) {
  KeyReadChecker checker = make();
  checker.check(sd_, identity("CORP\\svc-ndes", kUser));
  const auto calls = authz_->of("AuthzAddSidsToContext");
  ASSERT_EQ(calls.size(), 1U);
  EXPECT_EQ(calls[0].flags, 0x4U);  // SE_GROUP_ENABLED
  EXPECT_EQ(calls[0].sid, kUser);   // added to the account's context
  EXPECT_THAT(calls[0].sids, UnorderedElementsAre("S-1-1-0", "S-1-5-11", "S-1-5-32-545"));
}

TEST_F(KeyReadCheckerTest, AccessCheckAsksForFileReadData) {
  authz_->readers = {kUser};
  KeyReadChecker checker = make();
  const ReadCheck r = checker.check(sd_, identity("CORP\\svc-ndes", kUser));
  const auto calls = authz_->of("AuthzAccessCheck");
  ASSERT_EQ(calls.size(), 1U);
  EXPECT_EQ(calls[0].flags, 0x0U);
  EXPECT_EQ(calls[0].desired_access, 0x1U);  // FILE_READ_DATA
  EXPECT_EQ(calls[0].sd, sd_);
  EXPECT_EQ(r.readable, true);
  EXPECT_EQ(r.method, ReadMethod::authz);
  EXPECT_EQ(to_string(r.method), "authz");
  EXPECT_THAT(dacl_tokens_, IsEmpty());  // Authz decided alone
}

TEST_F(KeyReadCheckerTest, AuthzDeniedIsUnreadable) {
  KeyReadChecker checker = make();
  const ReadCheck r = checker.check(sd_, identity("CORP\\svc-ndes", kUser));
  EXPECT_EQ(r.readable, false);
  EXPECT_EQ(r.method, ReadMethod::authz);
}

TEST_F(KeyReadCheckerTest, OneContextPerIdentityPerTtl) {
  authz_->readers = {kUser};
  KeyReadChecker checker = make();
  const Identity user = identity("CORP\\svc-ndes", kUser);
  const Identity gmsa = identity("CORP\\ndes$", kGmsa);
  for (int scrape = 0; scrape < 5; ++scrape) {
    for (int key = 0; key < 3; ++key) {
      checker.check(sd_, user);
      checker.check(sd_, gmsa);
    }
    clock_.t += std::chrono::minutes(1);
  }
  EXPECT_EQ(authz_->of("AuthzInitializeContextFromSid").size(), 2U);
  EXPECT_EQ(authz_->of("AuthzAccessCheck").size(), 30U);
  clock_.t += std::chrono::minutes(6);  // past the 10-minute TTL
  checker.check(sd_, user);
  EXPECT_EQ(authz_->of("AuthzInitializeContextFromSid").size(), 3U);
}

TEST_F(KeyReadCheckerTest, ContextCacheIsBounded) {
  KeyReadOptions options;
  options.capacity = 2;
  KeyReadChecker checker = make(options);
  for (const char* sid : {"S-1-5-21-1-2-3-1001", "S-1-5-21-1-2-3-1002", "S-1-5-21-1-2-3-1003"}) {
    checker.check(sd_, identity(sid, sid));
    clock_.t += std::chrono::seconds(1);
  }
  checker.check(sd_, identity("first", "S-1-5-21-1-2-3-1001"));  // dropped: a new context
  checker.check(sd_, identity("third", "S-1-5-21-1-2-3-1003"));  // kept
  EXPECT_EQ(authz_->of("AuthzInitializeContextFromSid").size(), 4U);
}

TEST_F(KeyReadCheckerTest, AccessDeniedForAGmsaSaysWhatToGrantAndIsCached) {
  authz_->context_error[kGmsa] = kErrorAccessDenied;
  dacl_readers_ = {"S-1-5-11"};  // the DACL alone would say "readable": it is not asked
  KeyReadChecker checker = make();
  const ReadCheck r = checker.check(sd_, identity("CORP\\ndes$", kGmsa));
  EXPECT_EQ(r.readable, std::nullopt);
  EXPECT_EQ(r.method, ReadMethod::authz);
  EXPECT_EQ(r.error_code, kErrorAccessDenied);
  EXPECT_THAT(r.error, HasSubstr("AuthzInitializeContextFromSid(CORP\\ndes$)"));
  EXPECT_THAT(r.error, HasSubstr("Access is denied"));
  EXPECT_THAT(r.error, HasSubstr("tokenGroupsGlobalAndUniversal"));
  EXPECT_THAT(r.error, HasSubstr("Windows Authorization Access"));
  EXPECT_THAT(dacl_tokens_, IsEmpty());
  checker.check(sd_, identity("CORP\\ndes$", kGmsa));
  EXPECT_EQ(authz_->of("AuthzInitializeContextFromSid").size(), 1U);  // no S4U per key
  EXPECT_THAT(authz_->of("AuthzAccessCheck"), IsEmpty());
}

TEST_F(KeyReadCheckerTest, OtherContextErrorsAreNamed) {
  authz_->context_error[kUser] = 1355;  // ERROR_NO_SUCH_DOMAIN
  KeyReadChecker checker = make();
  const ReadCheck r = checker.check(sd_, identity("CORP\\svc-ndes", kUser));
  EXPECT_EQ(r.readable, std::nullopt);
  EXPECT_EQ(r.error_code, 1355U);
  EXPECT_THAT(r.error, HasSubstr("AuthzInitializeContextFromSid(CORP\\svc-ndes): 0x1355"));
  EXPECT_THAT(r.error, Not(HasSubstr("tokenGroupsGlobalAndUniversal")));
}

TEST_F(KeyReadCheckerTest, ServiceIdentitiesAreEvaluatedOnTheDaclWithoutAuthz) {
  dacl_readers_ = {"S-1-5-32-568"};  // IIS_IUSRS may read
  KeyReadChecker checker = make();
  const ReadCheck pool = checker.check(sd_, identity("IIS APPPOOL\\SCEP", kPool));
  EXPECT_EQ(pool.readable, true);
  EXPECT_EQ(pool.method, ReadMethod::dacl);
  EXPECT_EQ(to_string(pool.method), "dacl");
  const ReadCheck network =
      checker.check(sd_, identity("NT AUTHORITY\\NETWORK SERVICE", "S-1-5-20"));
  EXPECT_EQ(network.readable, false);
  EXPECT_EQ(network.method, ReadMethod::dacl);
  for (const char* sid : {"S-1-5-18", "S-1-5-19", kSvc.c_str()}) {
    EXPECT_EQ(checker.check(sd_, identity(sid, sid)).method, ReadMethod::dacl) << sid;
  }
  EXPECT_THAT(authz_->calls, IsEmpty());
  ASSERT_FALSE(dacl_tokens_.empty());
  EXPECT_THAT(dacl_tokens_[0],
              ElementsAre(kPool, "S-1-1-0", "S-1-5-11", "S-1-5-32-545", "S-1-5-6", "S-1-5-32-568"));
}

TEST_F(KeyReadCheckerTest, LocalGroupMembershipGrantsAndIsLookedUpOncePerTtl) {
  dacl_readers_ = {"S-1-5-21-9-9-9-1010"};
  local_groups_ = {{"S-1-5-21-9-9-9-1010", "NDES Key Readers", {kPool}}};
  KeyReadChecker checker = make();
  EXPECT_EQ(checker.check(sd_, identity("IIS APPPOOL\\SCEP", kPool)).readable, true);
  EXPECT_EQ(checker.check(sd_, identity("NT AUTHORITY\\NETWORK SERVICE", "S-1-5-20")).readable,
            false);
  EXPECT_EQ(group_lookups_, 1);
  clock_.t += std::chrono::minutes(10);
  checker.check(sd_, identity("IIS APPPOOL\\SCEP", kPool));
  EXPECT_EQ(group_lookups_, 2);
}

TEST_F(KeyReadCheckerTest, UnknownLocalGroupsAreANote) {
  groups_error_ = "NetLocalGroupEnum: 0x00000005 (Access is denied)";
  dacl_readers_ = {"S-1-5-32-568"};
  KeyReadChecker checker = make();
  const ReadCheck r = checker.check(sd_, identity("IIS APPPOOL\\SCEP", kPool));
  EXPECT_EQ(r.readable, true);
  EXPECT_THAT(r.note, HasSubstr("local group memberships are unknown"));
  EXPECT_THAT(r.note, HasSubstr("NetLocalGroupEnum"));
}

TEST_F(KeyReadCheckerTest, WithoutAuthzAnAccountIsEvaluatedOnTheDaclAndSaysSo) {
  authz_->rm_error = 120;  // ERROR_CALL_NOT_IMPLEMENTED, as under wine
  dacl_readers_ = {"S-1-5-11"};
  KeyReadChecker checker = make();
  const ReadCheck r = checker.check(sd_, identity("CORP\\svc-ndes", kUser));
  EXPECT_EQ(r.readable, true);
  EXPECT_EQ(r.method, ReadMethod::dacl);
  EXPECT_THAT(r.note, HasSubstr("AuthzInitializeResourceManager: 0x120"));
  EXPECT_THAT(r.note, HasSubstr("domain groups are not taken into account"));
  EXPECT_THAT(authz_->of("AuthzInitializeContextFromSid"), IsEmpty());
  checker.check(sd_, identity("CORP\\svc-ndes", kUser));
  EXPECT_EQ(authz_->of("AuthzInitializeResourceManager").size(), 1U);  // not retried
}

TEST_F(KeyReadCheckerTest, MalformedDescriptorIsUnknown) {
  KeyReadChecker checker(nullptr,
                         [](std::span<const std::uint8_t>, std::span<const std::string>) {
                           return std::optional<bool>();
                         },
                         {});
  const ReadCheck r = checker.check(sd_, identity("IIS APPPOOL\\SCEP", kPool));
  EXPECT_EQ(r.readable, std::nullopt);
  EXPECT_THAT(r.error, HasSubstr("malformed"));
}

}  // namespace
}  // namespace ndes::certstore
