// The access-control decisions of the store and key steps, on plain data so they are
// tested on every platform: the DACL rewrite that grants an account Read on a private
// key (grant_key_read), and the DACL of the backup files remove_superseded writes. The
// Windows shell (renew/windows/key_acl.cpp, store_steps.cpp) converts to and from the
// binary descriptor; nothing here calls Windows.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ndes::renew {

// ACE types and flags, access masks and SIDs as Windows numbers them (winnt.h; "ACE_HEADER
// structure" and "ACCESS_MASK" on learn.microsoft.com).
inline constexpr std::uint8_t kAccessAllowedAce = 0x0;  // ACCESS_ALLOWED_ACE_TYPE
inline constexpr std::uint8_t kAccessDeniedAce = 0x1;   // ACCESS_DENIED_ACE_TYPE
inline constexpr std::uint8_t kInheritOnlyAce = 0x08;   // INHERIT_ONLY_ACE
inline constexpr std::uint8_t kInheritedAce = 0x10;     // INHERITED_ACE
inline constexpr std::uint32_t kGenericRead = 0x80000000U;
inline constexpr std::uint32_t kGenericAll = 0x10000000U;
inline constexpr std::uint32_t kFileAllAccess = 0x001F01FFU;  // FILE_ALL_ACCESS
inline constexpr const char* kEveryoneSid = "S-1-1-0";
inline constexpr const char* kLocalSystemSid = "S-1-5-18";
inline constexpr const char* kAdministratorsSid = "S-1-5-32-544";

// One access control entry. Allow and deny entries are read into type/flags/mask/sid;
// any other kind (object, callback, ...) is carried through unchanged in `raw` (its
// bytes, header included), with sid empty.
struct AceEntry {
  std::uint8_t type = kAccessAllowedAce;
  std::uint8_t flags = 0;
  std::uint32_t mask = 0;
  std::string sid;  // "S-1-5-20"
  std::vector<std::uint8_t> raw;

  bool operator==(const AceEntry&) const = default;
};

// A DACL with the two control bits of its descriptor that a rewrite must keep
// (SE_DACL_PROTECTED: no inheritance from the parent; SE_DACL_AUTO_INHERITED: the
// entries were propagated by the automatic inheritance rules).
struct Dacl {
  // false: a NULL DACL (or none): "full access to everyone" (SetSecurityDescriptorDacl).
  bool present = true;
  bool is_protected = false;
  bool auto_inherited = false;
  std::vector<AceEntry> entries;

  bool operator==(const Dacl&) const = default;
};

struct ReadGrant {
  Dacl dacl;
  bool changed = false;  // false: the account could already read; nothing to write
  std::string note;      // for the step's detail: what was turned into what, or a warning
};

// `dacl` with `sid` allowed Read (GENERIC_READ, what certlm.msc's "Manage Private Keys >
// Read" sets). Every entry and both control bits are kept. A NULL DACL becomes an
// explicit Everyone entry (full access, as before) plus the account's: a DACL with only
// the new entry would lock everyone else out. An explicit allow entry of the account
// gets the Read bits added; else a new one goes after the explicit entries and before
// the inherited ones (the canonical order, "Order of ACEs in a DACL"). A deny entry of
// the account is kept and said in the note: it is evaluated first and still denies.
ReadGrant grant_read(const Dacl& dacl, const std::string& sid);

// The DACL of a backup file and its password file: SYSTEM and Administrators full
// control, nobody else, protected (nothing inherited from the state directory) and
// with no inheritable entries.
Dacl backup_file_dacl();

// The DACL in SDDL ("Security Descriptor String Format"), e.g.
// "D:PAI(A;;GA;;;SY)(A;;GR;;;S-1-5-20)"; a NULL DACL is "D:NO_ACCESS_CONTROL". Masks use
// the SDDL rights letters where one letter says it all (GA, GR, FA) and hex otherwise;
// well-known SIDs their two-letter aliases. An entry kept raw is rendered as
// "(raw:<type>)" and cannot be parsed back. ConvertStringSecurityDescriptorToSecurity-
// Descriptor reads what this writes for the other entries.
std::string to_sddl(const Dacl& dacl);

}  // namespace ndes::renew
