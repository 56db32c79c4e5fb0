#include "renew/key_dacl.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <utility>

namespace ndes::renew {
namespace {

bool explicit_entry(const AceEntry& e) { return (e.flags & kInheritedAce) == 0; }

// An entry that applies to the object itself (not one only passed on to children).
bool applies_here(const AceEntry& e) { return (e.flags & kInheritOnlyAce) == 0; }

bool grants_read(std::uint32_t mask) {
  return (mask & kGenericRead) == kGenericRead || (mask & kGenericAll) == kGenericAll;
}

std::string rights(std::uint32_t mask) {
  static constexpr std::array<std::pair<std::uint32_t, const char*>, 3> kLetters = {
      {{kGenericAll, "GA"}, {kGenericRead, "GR"}, {kFileAllAccess, "FA"}}};
  for (const auto& [value, letters] : kLetters) {
    if (mask == value) {
      return letters;
    }
  }
  char hex[16];
  std::snprintf(hex, sizeof hex, "0x%x", static_cast<unsigned>(mask));
  return hex;
}

std::string sid_alias(const std::string& sid) {
  // "SID Strings" (learn.microsoft.com/windows/win32/secauthz/sid-strings).
  static constexpr std::array<std::pair<const char*, const char*>, 7> kAliases = {{
      {"S-1-1-0", "WD"},
      {"S-1-5-18", "SY"},
      {"S-1-5-19", "LS"},
      {"S-1-5-20", "NS"},
      {"S-1-5-11", "AU"},
      {"S-1-5-32-544", "BA"},
      {"S-1-5-32-545", "BU"},
  }};
  for (const auto& [full, alias] : kAliases) {
    if (sid == full) {
      return alias;
    }
  }
  return sid;
}

std::string ace_flags(std::uint8_t flags) {
  // "ACE Strings": OI 0x1, CI 0x2, NP 0x4, IO 0x8, ID 0x10.
  static constexpr std::array<std::pair<std::uint8_t, const char*>, 5> kFlags = {
      {{0x1, "OI"}, {0x2, "CI"}, {0x4, "NP"}, {kInheritOnlyAce, "IO"}, {kInheritedAce, "ID"}}};
  std::string out;
  for (const auto& [bit, letters] : kFlags) {
    if ((flags & bit) != 0) {
      out += letters;
    }
  }
  return out;
}

}  // namespace

ReadGrant grant_read(const Dacl& dacl, const std::string& sid) {
  ReadGrant out;
  out.dacl = dacl;
  if (!dacl.present) {
    // A NULL DACL lets everyone do everything. Keep that, explicitly, and add the
    // account's own entry so the grant survives a later tightening of Everyone.
    out.dacl.present = true;
    out.dacl.entries = {{kAccessAllowedAce, 0, kGenericAll, kEveryoneSid, {}},
                        {kAccessAllowedAce, 0, kGenericRead, sid, {}}};
    out.changed = true;
    out.note =
        "the key had a NULL DACL (everyone full access): it now lists Everyone (full access) "
        "and the account (Read) explicitly";
    return out;
  }
  auto& entries = out.dacl.entries;
  const bool denied = std::any_of(entries.begin(), entries.end(), [&](const AceEntry& e) {
    return e.raw.empty() && e.type == kAccessDeniedAce && e.sid == sid && applies_here(e);
  });
  if (denied) {
    out.note = "a deny entry for the account is evaluated first and may still deny Read";
  }
  const auto own = std::find_if(entries.begin(), entries.end(), [&](const AceEntry& e) {
    return e.raw.empty() && e.type == kAccessAllowedAce && e.sid == sid && explicit_entry(e) &&
           applies_here(e);
  });
  if (own != entries.end()) {
    if (grants_read(own->mask)) {
      return out;  // already there: nothing to write
    }
    own->mask |= kGenericRead;
    out.changed = true;
    return out;
  }
  const auto first_inherited = std::find_if(entries.begin(), entries.end(),
                                            [](const AceEntry& e) { return !explicit_entry(e); });
  entries.insert(first_inherited, AceEntry{kAccessAllowedAce, 0, kGenericRead, sid, {}});
  out.changed = true;
  return out;
}

Dacl backup_file_dacl() {
  Dacl d;
  d.is_protected = true;
  d.entries = {{kAccessAllowedAce, 0, kFileAllAccess, kLocalSystemSid, {}},
               {kAccessAllowedAce, 0, kFileAllAccess, kAdministratorsSid, {}}};
  return d;
}

std::string to_sddl(const Dacl& dacl) {
  if (!dacl.present) {
    return "D:NO_ACCESS_CONTROL";
  }
  std::string out = "D:";
  out += dacl.is_protected ? "P" : "";
  out += dacl.auto_inherited ? "AI" : "";
  for (const auto& e : dacl.entries) {
    if (!e.raw.empty()) {
      out += "(raw:" + std::to_string(e.type) + ")";
      continue;
    }
    out += "(";
    out += e.type == kAccessDeniedAce ? "D" : "A";
    out += ";" + ace_flags(e.flags) + ";" + rights(e.mask) + ";;;" + sid_alias(e.sid) + ")";
  }
  return out;
}

}  // namespace ndes::renew
