// The DACL rewrite of grant_key_read and the backup files' DACL (renew/key_dacl.h), as
// SDDL a person reads in certlm.msc's advanced security or with icacls.
#include <gtest/gtest.h>

#include "renew/key_dacl.h"

namespace ndes::renew {
namespace {

constexpr const char* kNetworkService = "S-1-5-20";
constexpr const char* kAppPool = "S-1-5-82-3006700770-424185619-1745488364-794895919-4004696415";

AceEntry allow(std::uint32_t mask, const std::string& sid, std::uint8_t flags = 0) {
  return {kAccessAllowedAce, flags, mask, sid, {}};
}

// A CAPI machine key as Windows creates it: SYSTEM and Administrators full control.
Dacl machine_key_dacl() {
  Dacl d;
  d.entries = {allow(kGenericAll, kLocalSystemSid), allow(kGenericAll, kAdministratorsSid)};
  return d;
}

TEST(RenewKeyDaclTest, AddsTheAccountAfterTheExistingEntries) {
  const ReadGrant g = grant_read(machine_key_dacl(), kNetworkService);
  EXPECT_TRUE(g.changed);
  EXPECT_EQ(to_sddl(g.dacl), "D:(A;;GA;;;SY)(A;;GA;;;BA)(A;;GR;;;NS)");
  EXPECT_EQ(g.note, "");
}

TEST(RenewKeyDaclTest, ANullDaclBecomesEveryoneAndTheAccountNotTheAccountAlone) {
  Dacl null_dacl;
  null_dacl.present = false;
  const ReadGrant g = grant_read(null_dacl, kAppPool);
  EXPECT_TRUE(g.changed);
  EXPECT_EQ(to_sddl(g.dacl), std::string("D:(A;;GA;;;WD)(A;;GR;;;") + kAppPool + ")");
  EXPECT_NE(g.note.find("NULL DACL"), std::string::npos) << g.note;
}

TEST(RenewKeyDaclTest, TheProtectedAndAutoInheritedBitsAreKept) {
  Dacl d = machine_key_dacl();
  d.is_protected = true;
  EXPECT_EQ(to_sddl(grant_read(d, kNetworkService).dacl),
            "D:P(A;;GA;;;SY)(A;;GA;;;BA)(A;;GR;;;NS)");
  d.is_protected = false;
  d.auto_inherited = true;
  EXPECT_EQ(to_sddl(grant_read(d, kNetworkService).dacl),
            "D:AI(A;;GA;;;SY)(A;;GA;;;BA)(A;;GR;;;NS)");
}

TEST(RenewKeyDaclTest, TheNewEntryGoesBeforeTheInheritedOnes) {
  Dacl d;
  d.auto_inherited = true;
  d.entries = {{kAccessDeniedAce, 0, kGenericAll, "S-1-5-7", {}},
               allow(kGenericAll, kLocalSystemSid),
               allow(kGenericAll, kAdministratorsSid, kInheritedAce)};
  EXPECT_EQ(to_sddl(grant_read(d, kNetworkService).dacl),
            "D:AI(D;;GA;;;S-1-5-7)(A;;GA;;;SY)(A;;GR;;;NS)(A;ID;GA;;;BA)");
}

TEST(RenewKeyDaclTest, AnEntryAlreadyThereIsNotAddedTwice) {
  Dacl d = machine_key_dacl();
  d.entries.push_back(allow(kGenericRead, kNetworkService));
  const ReadGrant g = grant_read(d, kNetworkService);
  EXPECT_FALSE(g.changed);
  EXPECT_EQ(g.dacl, d);
  d.entries.back().mask = kGenericAll;
  EXPECT_FALSE(grant_read(d, kNetworkService).changed);
}

TEST(RenewKeyDaclTest, AnEntryOfTheAccountWithoutReadGetsTheReadBits) {
  Dacl d = machine_key_dacl();
  d.entries.push_back(allow(0x00020000U, kNetworkService));  // READ_CONTROL only
  const ReadGrant g = grant_read(d, kNetworkService);
  EXPECT_TRUE(g.changed);
  EXPECT_EQ(to_sddl(g.dacl), "D:(A;;GA;;;SY)(A;;GA;;;BA)(A;;0x80020000;;;NS)");
}

TEST(RenewKeyDaclTest, AnInheritedOrInheritOnlyEntryDoesNotCountAsTheAccountsOwn) {
  Dacl d = machine_key_dacl();
  d.entries.push_back(allow(kGenericRead, kNetworkService, kInheritOnlyAce));
  const ReadGrant g = grant_read(d, kNetworkService);
  EXPECT_TRUE(g.changed);
  EXPECT_EQ(to_sddl(g.dacl), "D:(A;;GA;;;SY)(A;;GA;;;BA)(A;IO;GR;;;NS)(A;;GR;;;NS)");
}

TEST(RenewKeyDaclTest, ADenyEntryOfTheAccountIsKeptAndSaid) {
  Dacl d = machine_key_dacl();
  d.entries.insert(d.entries.begin(), {kAccessDeniedAce, 0, kGenericRead, kNetworkService, {}});
  const ReadGrant g = grant_read(d, kNetworkService);
  EXPECT_TRUE(g.changed);
  EXPECT_EQ(to_sddl(g.dacl), "D:(D;;GR;;;NS)(A;;GA;;;SY)(A;;GA;;;BA)(A;;GR;;;NS)");
  EXPECT_NE(g.note.find("deny"), std::string::npos) << g.note;
}

TEST(RenewKeyDaclTest, EntriesOfOtherKindsAreCarriedThroughUnchanged) {
  Dacl d = machine_key_dacl();
  AceEntry object_ace;
  object_ace.type = 0x05;  // ACCESS_ALLOWED_OBJECT_ACE_TYPE
  object_ace.raw = {0x05, 0x00, 0x08, 0x00, 0x01, 0x00, 0x00, 0x00};
  d.entries.push_back(object_ace);
  const ReadGrant g = grant_read(d, kNetworkService);
  ASSERT_EQ(g.dacl.entries.size(), 4U);
  EXPECT_EQ(g.dacl.entries[2], object_ace);
}

TEST(RenewKeyDaclTest, TheBackupFilesAreForSystemAndAdministratorsOnly) {
  const Dacl d = backup_file_dacl();
  EXPECT_EQ(to_sddl(d), "D:P(A;;FA;;;SY)(A;;FA;;;BA)");
  for (const auto& e : d.entries) {
    EXPECT_EQ(e.flags, 0) << "no entry may be inherited or inheritable";
  }
}

}  // namespace
}  // namespace ndes::renew
