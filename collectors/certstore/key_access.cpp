#include "certstore/key_access.h"

// clang-format off
#include <windows.h>
#include <authz.h>
#include <sddl.h>
// clang-format on

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstring>
#include <memory>

#include "base/text.h"
#include "base/win/error_text.h"
#include "base/win/key_security.h"
#include "base/win/utf16.h"
#include "certstore/local_groups.h"

namespace ndes::certstore {
namespace {

using win::error_text;
using win::narrow;
using win::widen;

Sid copy_sid(PSID sid) {
  const DWORD n = GetLengthSid(sid);
  const auto* p = static_cast<const std::uint8_t*>(sid);
  return Sid(p, p + n);
}

PSID as_psid(const Sid& sid) { return const_cast<std::uint8_t*>(sid.data()); }

bool sid_in(PSID sid, std::span<const Sid> sids) {
  return std::any_of(sids.begin(), sids.end(),
                     [&](const Sid& s) { return !s.empty() && EqualSid(sid, as_psid(s)); });
}

// The generic mapping of files, which key files (MachineKeys, Crypto\Keys) and the
// key security descriptors of both providers use.
constexpr GENERIC_MAPPING kFileMapping = {FILE_GENERIC_READ, FILE_GENERIC_WRITE,
                                          FILE_GENERIC_EXECUTE, FILE_ALL_ACCESS};

bool sid_fits(const std::uint8_t* p, std::size_t room) {
  // SID: revision, sub-authority count, 6-byte authority, 4 bytes per sub-authority.
  return room >= 8 && p[0] == SID_REVISION && room >= 8 + 4 * static_cast<std::size_t>(p[1]);
}

// A self-relative descriptor whose DACL and ACEs lie inside the buffer. The
// Windows checks (IsValidSecurityDescriptor) do not look at the sizes, and the
// bytes come from a key provider.
bool well_formed(std::span<const std::uint8_t> sd) {
  if (sd.size() < sizeof(SECURITY_DESCRIPTOR_RELATIVE)) {
    return false;
  }
  SECURITY_DESCRIPTOR_RELATIVE head{};
  std::memcpy(&head, sd.data(), sizeof(head));
  if (head.Revision != SECURITY_DESCRIPTOR_REVISION || (head.Control & SE_SELF_RELATIVE) == 0) {
    return false;
  }
  for (const DWORD offset : {head.Owner, head.Group}) {
    if (offset != 0 && (offset >= sd.size() || !sid_fits(sd.data() + offset, sd.size() - offset))) {
      return false;
    }
  }
  if ((head.Control & SE_DACL_PRESENT) == 0 || head.Dacl == 0) {
    return true;
  }
  if (head.Dacl > sd.size() || sd.size() - head.Dacl < sizeof(ACL)) {
    return false;
  }
  ACL acl{};
  std::memcpy(&acl, sd.data() + head.Dacl, sizeof(acl));
  if (acl.AclSize < sizeof(ACL) || acl.AclSize > sd.size() - head.Dacl) {
    return false;
  }
  std::size_t at = sizeof(ACL);
  for (WORD i = 0; i < acl.AceCount; ++i) {
    if (acl.AclSize - at < sizeof(ACE_HEADER)) {
      return false;
    }
    ACE_HEADER ace{};
    std::memcpy(&ace, sd.data() + head.Dacl + at, sizeof(ace));
    if (ace.AceSize < sizeof(ACE_HEADER) || ace.AceSize > acl.AclSize - at) {
      return false;
    }
    if (ace.AceType == ACCESS_ALLOWED_ACE_TYPE || ace.AceType == ACCESS_DENIED_ACE_TYPE) {
      const std::size_t sid_at = offsetof(ACCESS_ALLOWED_ACE, SidStart);
      if (ace.AceSize < sid_at ||
          !sid_fits(sd.data() + head.Dacl + at + sid_at, ace.AceSize - sid_at)) {
        return false;
      }
    }
    at += ace.AceSize;
  }
  return true;
}

// The descriptor's DACL, with generic rights mapped in place (our own copy).
bool map_generic_rights(std::vector<std::uint8_t>& sd) {
  BOOL present = FALSE;
  BOOL defaulted = FALSE;
  PACL dacl = nullptr;
  if (!well_formed(sd) || !IsValidSecurityDescriptor(sd.data()) ||
      !GetSecurityDescriptorDacl(sd.data(), &present, &dacl, &defaulted)) {
    return false;
  }
  if (!present || dacl == nullptr) {
    return true;
  }
  for (DWORD i = 0; i < dacl->AceCount; ++i) {
    void* ace = nullptr;
    if (!GetAce(dacl, i, &ace)) {
      return false;
    }
    const auto* header = static_cast<ACE_HEADER*>(ace);
    if (header->AceType == ACCESS_ALLOWED_ACE_TYPE || header->AceType == ACCESS_DENIED_ACE_TYPE) {
      auto* a = static_cast<ACCESS_ALLOWED_ACE*>(ace);
      ACCESS_MASK mask = a->Mask;
      MapGenericMask(&mask, const_cast<GENERIC_MAPPING*>(&kFileMapping));
      a->Mask = mask;
    }
  }
  return true;
}

// The documented values key_read_check.h passes, checked against the SDK.
static_assert(kAuthzRmFlagNoAudit == AUTHZ_RM_FLAG_NO_AUDIT);
static_assert(kSeGroupEnabled == SE_GROUP_ENABLED);
static_assert(kFileReadData == FILE_READ_DATA);
static_assert(kErrorAccessDenied == ERROR_ACCESS_DENIED);

// Freed with AuthzFreeContext when the cache and the last check let go.
AuthzContext own_context(AUTHZ_CLIENT_CONTEXT_HANDLE h) {
  return AuthzContext(
      h, [](void* p) { AuthzFreeContext(static_cast<AUTHZ_CLIENT_CONTEXT_HANDLE>(p)); });
}

AUTHZ_CLIENT_CONTEXT_HANDLE handle_of(const AuthzContext& c) {
  return static_cast<AUTHZ_CLIENT_CONTEXT_HANDLE>(c.get());
}

// The thin seam: each method is one Authz call, with the caller's flags as they are.
// "AuthzInitializeResourceManager", "AuthzInitializeContextFromSid",
// "AuthzAddSidsToContext", "AuthzAccessCheck" (learn.microsoft.com/windows/win32/
// api/authz/). Wine implements none of them.
class WindowsAuthz final : public AuthzCalls {
 public:
  ~WindowsAuthz() override {
    if (rm_ != nullptr) {
      AuthzFreeResourceManager(rm_);
    }
  }
  std::uint32_t initialize_resource_manager(std::uint32_t flags) override {
    if (!AuthzInitializeResourceManager(flags, nullptr, nullptr, nullptr, L"ndes_exporter", &rm_)) {
      rm_ = nullptr;
      return GetLastError();
    }
    return ERROR_SUCCESS;
  }
  std::uint32_t initialize_context_from_sid(std::uint32_t flags, const std::string& sid,
                                            AuthzContext& context) override {
    const std::optional<Sid> binary = sid_from_string(sid);
    if (!binary) {
      return ERROR_INVALID_SID;
    }
    AUTHZ_CLIENT_CONTEXT_HANDLE raw = nullptr;
    const LUID no_luid{};
    if (!AuthzInitializeContextFromSid(flags, as_psid(*binary), rm_, nullptr, no_luid, nullptr,
                                       &raw)) {
      return GetLastError();
    }
    context = own_context(raw);
    return ERROR_SUCCESS;
  }
  std::uint32_t add_sids_to_context(const AuthzContext& base, const std::vector<std::string>& sids,
                                    std::uint32_t attributes, AuthzContext& context) override {
    std::vector<Sid> binary;
    for (const auto& s : sids) {
      if (auto b = sid_from_string(s)) {
        binary.push_back(std::move(*b));
      }
    }
    std::vector<SID_AND_ATTRIBUTES> entries;
    for (const Sid& b : binary) {
      entries.push_back(SID_AND_ATTRIBUTES{as_psid(b), attributes});
    }
    AUTHZ_CLIENT_CONTEXT_HANDLE raw = nullptr;
    if (!AuthzAddSidsToContext(handle_of(base), entries.data(), static_cast<DWORD>(entries.size()),
                               nullptr, 0, &raw)) {
      return GetLastError();
    }
    context = own_context(raw);
    return ERROR_SUCCESS;
  }
  std::uint32_t access_check(std::uint32_t flags, const AuthzContext& context,
                             std::uint32_t desired_access,
                             std::span<const std::uint8_t> security_descriptor,
                             AccessReply& reply) override {
    std::vector<std::uint8_t> sd(security_descriptor.begin(), security_descriptor.end());
    AUTHZ_ACCESS_REQUEST request{};
    request.DesiredAccess = desired_access;
    ACCESS_MASK granted = 0;
    DWORD error = ERROR_SUCCESS;
    AUTHZ_ACCESS_REPLY out{};
    out.ResultListLength = 1;
    out.GrantedAccessMask = &granted;
    out.Error = &error;
    if (!AuthzAccessCheck(flags, handle_of(context), &request, nullptr, sd.data(), nullptr, 0, &out,
                          nullptr)) {
      return GetLastError();
    }
    reply.granted = granted;
    reply.error = error;
    return ERROR_SUCCESS;
  }
  std::string error_text(std::uint32_t code) override { return win::error_text(code); }

 private:
  AUTHZ_RESOURCE_MANAGER_HANDLE rm_ = nullptr;
};

// One checker for the process: its Authz contexts and local groups are cached
// across scrapes (KeyReadOptions: 10 minutes, 64 identities).
KeyReadChecker& process_checker() {
  static KeyReadChecker checker(windows_authz(), dacl_allows_read_sids, read_local_groups);
  return checker;
}

}  // namespace

std::string sid_to_string(const Sid& sid) {
  if (sid.empty() || !IsValidSid(as_psid(sid))) {
    return "";
  }
  LPWSTR text = nullptr;
  if (!ConvertSidToStringSidW(as_psid(sid), &text)) {
    return "";
  }
  std::string out = narrow(text);
  LocalFree(text);
  return out;
}

std::optional<Sid> sid_from_string(std::string_view text) {
  if (!istarts_with(text, "S-")) {
    return std::nullopt;
  }
  PSID sid = nullptr;
  if (!ConvertStringSidToSidW(widen(text).c_str(), &sid)) {
    return std::nullopt;
  }
  Sid out = copy_sid(sid);
  LocalFree(sid);
  return out;
}

std::optional<std::string> virtual_account_sid(std::string_view account) {
  constexpr std::string_view kAppPool = "IIS APPPOOL\\";
  constexpr std::string_view kService = "NT SERVICE\\";
  std::string authority;
  std::string_view name;
  bool lower = false;
  if (istarts_with(account, kAppPool)) {
    authority = "S-1-5-82";
    name = account.substr(kAppPool.size());
    lower = true;
  } else if (istarts_with(account, kService)) {
    authority = "S-1-5-80";
    name = account.substr(kService.size());
  } else {
    return std::nullopt;
  }
  if (name.empty() || name.find('\\') != std::string_view::npos) {
    return std::nullopt;
  }
  std::wstring wide = widen(name);
  if (lower) {
    CharLowerBuffW(wide.data(), static_cast<DWORD>(wide.size()));
  } else {
    CharUpperBuffW(wide.data(), static_cast<DWORD>(wide.size()));
  }
  // UTF-16LE bytes, as Windows hashes them.
  std::vector<unsigned char> bytes;
  bytes.reserve(wide.size() * 2);
  for (const wchar_t c : wide) {
    bytes.push_back(static_cast<unsigned char>(c & 0xFF));
    bytes.push_back(static_cast<unsigned char>((c >> 8) & 0xFF));
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int md_len = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), md.data(), &md_len, EVP_sha1(), nullptr) != 1 ||
      md_len != 20) {
    return std::nullopt;
  }
  std::string out = authority;
  for (int i = 0; i < 5; ++i) {
    const std::uint32_t word = static_cast<std::uint32_t>(md[i * 4]) |
                               (static_cast<std::uint32_t>(md[i * 4 + 1]) << 8) |
                               (static_cast<std::uint32_t>(md[i * 4 + 2]) << 16) |
                               (static_cast<std::uint32_t>(md[i * 4 + 3]) << 24);
    out += "-" + std::to_string(word);
  }
  return out;
}

std::optional<Identity> resolve_identity(const std::string& name, std::string* error) {
  Identity id;
  id.name = name;
  std::optional<Sid> sid = sid_from_string(name);
  if (!sid) {
    if (const auto computed = virtual_account_sid(name)) {
      sid = sid_from_string(*computed);
    }
  }
  if (!sid) {
    Sid found;
    if (const DWORD err = win::lookup_account_sid(widen(name), found); err != ERROR_SUCCESS) {
      if (error != nullptr) {
        *error = "cannot resolve identity \"" + name + "\": " + error_text(err);
      }
      return std::nullopt;
    }
    sid = std::move(found);
  }
  id.sid = std::move(*sid);
  id.sid_text = sid_to_string(id.sid);
  id.kind = identity_kind(id.sid_text);
  return id;
}

std::optional<bool> dacl_allows_read(std::span<const std::uint8_t> security_descriptor,
                                     std::span<const Sid> token_sids) {
  std::vector<std::uint8_t> sd(security_descriptor.begin(), security_descriptor.end());
  if (sd.empty() || !map_generic_rights(sd)) {
    return std::nullopt;
  }
  BOOL present = FALSE;
  BOOL defaulted = FALSE;
  PACL dacl = nullptr;
  if (!GetSecurityDescriptorDacl(sd.data(), &present, &dacl, &defaulted)) {
    return std::nullopt;
  }
  if (!present || dacl == nullptr) {
    return true;  // no DACL: everyone has every right
  }
  for (DWORD i = 0; i < dacl->AceCount; ++i) {
    void* ace = nullptr;
    if (!GetAce(dacl, i, &ace)) {
      return std::nullopt;
    }
    const auto* header = static_cast<ACE_HEADER*>(ace);
    if ((header->AceFlags & INHERIT_ONLY_ACE) != 0) {
      continue;
    }
    if (header->AceType != ACCESS_ALLOWED_ACE_TYPE && header->AceType != ACCESS_DENIED_ACE_TYPE) {
      continue;
    }
    const auto* a = static_cast<const ACCESS_ALLOWED_ACE*>(ace);
    PSID ace_sid = const_cast<DWORD*>(&a->SidStart);
    if ((a->Mask & FILE_READ_DATA) == 0 || !sid_in(ace_sid, token_sids)) {
      continue;
    }
    return header->AceType == ACCESS_ALLOWED_ACE_TYPE;
  }
  return false;
}

std::optional<bool> dacl_allows_read_sids(std::span<const std::uint8_t> security_descriptor,
                                          std::span<const std::string> token_sids) {
  std::vector<Sid> sids;
  for (const auto& text : token_sids) {
    if (auto sid = sid_from_string(text)) {
      sids.push_back(std::move(*sid));
    }
  }
  return dacl_allows_read(security_descriptor, sids);
}

std::shared_ptr<AuthzCalls> windows_authz() { return std::make_shared<WindowsAuthz>(); }

ReadCheck can_read_key(std::span<const std::uint8_t> security_descriptor,
                       const Identity& identity) {
  std::vector<std::uint8_t> sd(security_descriptor.begin(), security_descriptor.end());
  if (sd.empty() || !map_generic_rights(sd)) {
    ReadCheck out;
    out.method = identity.kind == IdentityKind::account ? ReadMethod::authz : ReadMethod::dacl;
    out.error_code = ERROR_INVALID_SECURITY_DESCR;
    out.error = "the key's security descriptor is malformed";
    return out;
  }
  return process_checker().check(sd, identity);
}

}  // namespace ndes::certstore
