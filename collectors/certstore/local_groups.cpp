#include "certstore/local_groups.h"

// clang-format off
#include <windows.h>
#include <lm.h>
// clang-format on

#include "base/win/error_text.h"
#include "base/win/key_security.h"
#include "base/win/utf16.h"
#include "certstore/key_access.h"

namespace ndes::certstore {
namespace {

// A buffer the Net* functions allocated, freed with NetApiBufferFree.
struct NetBuffer {
  LPBYTE p = nullptr;
  ~NetBuffer() {
    if (p != nullptr) {
      NetApiBufferFree(p);
    }
  }
};

// Pages through a Net*Enum-style call (buffer, MAX_PREFERRED_LENGTH, read, total,
// resume handle) while it says ERROR_MORE_DATA, handing each entry to `take`
// until it returns false. NERR_Success or the call's error.
template <class Info, class Call, class Take>
NET_API_STATUS for_each_entry(Call call, Take take) {
  DWORD_PTR resume = 0;
  NET_API_STATUS status = ERROR_MORE_DATA;
  while (status == ERROR_MORE_DATA) {
    NetBuffer buf;
    DWORD read = 0;
    DWORD total = 0;
    status = call(&buf.p, &read, &total, &resume);
    if (status != NERR_Success && status != ERROR_MORE_DATA) {
      return status;
    }
    const auto* info = reinterpret_cast<const Info*>(buf.p);
    for (DWORD i = 0; i < read; ++i) {
      if (!take(info[i])) {
        return NERR_Success;
      }
    }
  }
  return NERR_Success;
}

// "NetLocalGroupGetMembers function (lmaccess.h)", level 0: LOCALGROUP_MEMBERS_INFO_0,
// the member's SID (users, global groups, well-known SIDs; a local group holds no
// other local group).
NET_API_STATUS read_members(const std::wstring& group, std::vector<std::string>& members) {
  return for_each_entry<LOCALGROUP_MEMBERS_INFO_0>(
      [&](LPBYTE* buf, DWORD* read, DWORD* total, DWORD_PTR* resume) {
        return NetLocalGroupGetMembers(nullptr, group.c_str(), 0, buf, MAX_PREFERRED_LENGTH, read,
                                       total, resume);
      },
      [&](const LOCALGROUP_MEMBERS_INFO_0& m) {
        if (m.lgrmi0_sid != nullptr && IsValidSid(m.lgrmi0_sid)) {
          const auto* p = static_cast<const std::uint8_t*>(m.lgrmi0_sid);
          members.push_back(sid_to_string(Sid(p, p + GetLengthSid(m.lgrmi0_sid))));
        }
        return members.size() < kMaxGroupMembers;
      });
}

}  // namespace

// "NetLocalGroupEnum function (lmaccess.h)", level 0: LOCALGROUP_INFO_0, the names;
// each group's SID from LookupAccountName, which looks in the local account
// domains first.
std::optional<std::vector<LocalGroup>> read_local_groups(std::string* error) {
  std::vector<LocalGroup> groups;
  std::string failed;
  const NET_API_STATUS status = for_each_entry<LOCALGROUP_INFO_0>(
      [](LPBYTE* buf, DWORD* read, DWORD* total, DWORD_PTR* resume) {
        return NetLocalGroupEnum(nullptr, 0, buf, MAX_PREFERRED_LENGTH, read, total, resume);
      },
      [&](const LOCALGROUP_INFO_0& info) {
        const std::wstring name = info.lgrpi0_name != nullptr ? info.lgrpi0_name : L"";
        Sid sid;
        if (name.empty() || win::lookup_account_sid(name, sid) != ERROR_SUCCESS) {
          return true;  // a group that vanished between the two calls
        }
        LocalGroup g{sid_to_string(sid), win::narrow(name), {}};
        if (const NET_API_STATUS rc = read_members(name, g.members); rc != NERR_Success) {
          failed = "NetLocalGroupGetMembers(" + g.name + "): " + win::error_text(rc);
          return false;
        }
        groups.push_back(std::move(g));
        return groups.size() < kMaxLocalGroups;
      });
  if (status != NERR_Success) {
    failed = "NetLocalGroupEnum: " + win::error_text(status);
  }
  if (!failed.empty()) {
    if (error != nullptr) {
      *error = failed;
    }
    return std::nullopt;
  }
  return groups;
}

}  // namespace ndes::certstore
