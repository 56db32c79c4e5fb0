// The key step: grant_key_read gives the service account Read on the new private
// key (what certlm.msc's "Manage Private Keys... > Read" sets), through the key's
// provider: NCrypt for CNG keys, CryptoAPI for CAPI keys (base/win/key_security.h,
// which the certstore collector reads the same descriptor with). The DACL rewrite is
// the pure grant_read() (renew/key_dacl.h); this file converts the binary descriptor
// to and from its plain form.
// clang-format off
#include <windows.h>
#include <sddl.h>
// clang-format on

#include <algorithm>
#include <optional>
#include <vector>

#include "base/text.h"
#include "base/win/error_text.h"
#include "base/win/key_security.h"
#include "base/win/utf16.h"
#include "renew/decide.h"
#include "renew/key_dacl.h"
#include "renew/windows/machine_store.h"
#include "renew/windows/steps.h"

namespace ndes::renew::windows {
namespace {

std::optional<std::string> sid_string(PSID sid) {
  LPWSTR text = nullptr;
  if (!ConvertSidToStringSidW(sid, &text)) {
    return std::nullopt;
  }
  std::string out = win::narrow(text);
  LocalFree(text);
  return out;
}

// The DACL of a self-relative descriptor in its plain form: control bits from
// GetSecurityDescriptorControl, "no DACL" and "NULL DACL" both as present = false
// (both grant everyone full access, "SetSecurityDescriptorDacl function"), allow and
// deny entries read, every other entry kept as its bytes.
bool read_dacl(PSECURITY_DESCRIPTOR sd, Dacl* out, std::string* error) {
  SECURITY_DESCRIPTOR_CONTROL control = 0;
  DWORD revision = 0;
  BOOL present = FALSE;
  BOOL defaulted = FALSE;
  PACL acl = nullptr;
  if (!GetSecurityDescriptorControl(sd, &control, &revision) ||
      !GetSecurityDescriptorDacl(sd, &present, &acl, &defaulted)) {
    *error = "reading the key's security descriptor: " + win::last_error_text();
    return false;
  }
  out->present = present != FALSE && acl != nullptr;
  out->is_protected = (control & SE_DACL_PROTECTED) != 0;
  out->auto_inherited = (control & SE_DACL_AUTO_INHERITED) != 0;
  out->entries.clear();
  for (DWORD i = 0; out->present && i < acl->AceCount; ++i) {
    void* raw = nullptr;
    if (!GetAce(acl, i, &raw)) {
      *error = "GetAce: " + win::last_error_text();
      return false;
    }
    const auto* header = static_cast<const ACE_HEADER*>(raw);
    AceEntry e;
    e.type = header->AceType;
    e.flags = header->AceFlags;
    if (header->AceType == ACCESS_ALLOWED_ACE_TYPE || header->AceType == ACCESS_DENIED_ACE_TYPE) {
      // Both have the layout of ACCESS_ALLOWED_ACE: header, mask, SID.
      const auto* ace = static_cast<const ACCESS_ALLOWED_ACE*>(raw);
      e.mask = ace->Mask;
      const auto sid = sid_string(const_cast<DWORD*>(&ace->SidStart));
      if (!sid) {
        *error = "ConvertSidToStringSid: " + win::last_error_text();
        return false;
      }
      e.sid = *sid;
    } else {
      const auto* bytes = static_cast<const std::uint8_t*>(raw);
      e.raw.assign(bytes, bytes + header->AceSize);
    }
    out->entries.push_back(std::move(e));
  }
  return true;
}

// A self-relative descriptor holding `dacl` and its two control bits
// (SetSecurityDescriptorControl with SE_DACL_PROTECTED | SE_DACL_AUTO_INHERITED,
// "SetSecurityDescriptorControl function").
bool write_dacl(const Dacl& dacl, win::SecurityDescriptor* out, std::string* error) {
  std::vector<std::vector<BYTE>> sids;
  DWORD size = sizeof(ACL);
  for (const auto& e : dacl.entries) {
    if (!e.raw.empty()) {
      size += static_cast<DWORD>(e.raw.size());
      sids.emplace_back();
      continue;
    }
    PSID sid = nullptr;
    if (!ConvertStringSidToSidW(win::widen(e.sid).c_str(), &sid)) {
      *error = "ConvertStringSidToSid(" + e.sid + "): " + win::last_error_text();
      return false;
    }
    sids.emplace_back(static_cast<BYTE*>(sid), static_cast<BYTE*>(sid) + GetLengthSid(sid));
    LocalFree(sid);
    size += sizeof(ACCESS_ALLOWED_ACE) - sizeof(DWORD) + static_cast<DWORD>(sids.back().size());
  }
  // Object ACEs need the DS revision ("ACL structure").
  const bool object_aces = std::any_of(dacl.entries.begin(), dacl.entries.end(),
                                       [](const AceEntry& e) { return !e.raw.empty(); });
  const DWORD revision = object_aces ? ACL_REVISION_DS : ACL_REVISION;
  std::vector<BYTE> acl_bytes((size + 3) & ~3U);
  auto* acl = reinterpret_cast<PACL>(acl_bytes.data());
  if (!InitializeAcl(acl, static_cast<DWORD>(acl_bytes.size()), revision)) {
    *error = "InitializeAcl: " + win::last_error_text();
    return false;
  }
  for (std::size_t i = 0; i < dacl.entries.size(); ++i) {
    const AceEntry& e = dacl.entries[i];
    BOOL ok = FALSE;
    if (!e.raw.empty()) {
      ok = AddAce(acl, revision, MAXDWORD, const_cast<std::uint8_t*>(e.raw.data()),
                  static_cast<DWORD>(e.raw.size()));
    } else if (e.type == kAccessDeniedAce) {
      ok = AddAccessDeniedAceEx(acl, revision, e.flags, e.mask, sids[i].data());
    } else {
      ok = AddAccessAllowedAceEx(acl, revision, e.flags, e.mask, sids[i].data());
    }
    if (!ok) {
      *error = "adding an entry to the key's DACL: " + win::last_error_text();
      return false;
    }
  }
  SECURITY_DESCRIPTOR absolute{};
  const SECURITY_DESCRIPTOR_CONTROL bits = (dacl.is_protected ? SE_DACL_PROTECTED : 0) |
                                           (dacl.auto_inherited ? SE_DACL_AUTO_INHERITED : 0);
  if (!InitializeSecurityDescriptor(&absolute, SECURITY_DESCRIPTOR_REVISION) ||
      !SetSecurityDescriptorDacl(&absolute, TRUE, acl, FALSE) ||
      !SetSecurityDescriptorControl(&absolute, SE_DACL_PROTECTED | SE_DACL_AUTO_INHERITED, bits)) {
    *error = "building the key's security descriptor: " + win::last_error_text();
    return false;
  }
  DWORD sd_size = 0;
  MakeSelfRelativeSD(&absolute, nullptr, &sd_size);
  out->assign(sd_size, 0);
  if (!MakeSelfRelativeSD(&absolute, out->data(), &sd_size)) {
    *error = "MakeSelfRelativeSD: " + win::last_error_text();
    return false;
  }
  return true;
}

// What the grant did to one key: `error` set when it failed.
struct GrantResult {
  bool changed = false;
  std::string note;
  std::string error;
};

// The key's descriptor `sd` with `sid` granted Read, in *out; nothing to write when
// the result is unchanged.
GrantResult add_read_ace(const win::SecurityDescriptor& sd, PSID sid,
                         win::SecurityDescriptor* out) {
  GrantResult r;
  Dacl dacl;
  if (sd.empty()) {
    r.error = "the key's provider returned no security descriptor";
    return r;
  }
  if (!read_dacl(const_cast<std::uint8_t*>(sd.data()), &dacl, &r.error)) {
    return r;
  }
  const auto account = sid_string(sid);
  if (!account) {
    r.error = "ConvertSidToStringSid: " + win::last_error_text();
    return r;
  }
  const ReadGrant grant = grant_read(dacl, *account);
  r.changed = grant.changed;
  r.note = grant.note;
  if (grant.changed) {
    write_dacl(grant.dacl, out, &r.error);
  }
  return r;
}

GrantResult grant_cng(NCRYPT_KEY_HANDLE key, PSID sid) {
  win::SecurityDescriptor sd;
  SECURITY_STATUS st = win::read_cng_key_security(key, DACL_SECURITY_INFORMATION, sd);
  if (st != ERROR_SUCCESS) {
    return {false, "", "NCryptGetProperty: " + win::numbered_error_text(static_cast<DWORD>(st))};
  }
  win::SecurityDescriptor updated;
  GrantResult r = add_read_ace(sd, sid, &updated);
  if (r.error.empty() && r.changed) {
    st = win::write_cng_key_security(key, DACL_SECURITY_INFORMATION, updated);
    if (st != ERROR_SUCCESS) {
      r.error = "NCryptSetProperty: " + win::numbered_error_text(static_cast<DWORD>(st));
    }
  }
  return r;
}

GrantResult grant_capi(HCRYPTPROV prov, PSID sid) {
  win::SecurityDescriptor sd;
  if (const DWORD rc = win::read_capi_key_security(prov, DACL_SECURITY_INFORMATION, sd);
      rc != ERROR_SUCCESS) {
    return {false, "", "CryptGetProvParam: " + win::numbered_error_text(rc)};
  }
  win::SecurityDescriptor updated;
  GrantResult r = add_read_ace(sd, sid, &updated);
  if (r.error.empty() && r.changed) {
    if (const DWORD rc = win::write_capi_key_security(prov, DACL_SECURITY_INFORMATION, updated);
        rc != ERROR_SUCCESS) {
      r.error = "CryptSetProvParam: " + win::numbered_error_text(rc);
    }
  }
  return r;
}

}  // namespace

namespace {

// Opens the CAPI key container named by the certificate's CERT_KEY_PROV_INFO_PROP_ID
// ("CRYPT_KEY_PROV_INFO structure": dwFlags carries CRYPT_MACHINE_KEYSET). False for a
// CNG key (dwProvType 0) or when it cannot be opened.
bool acquire_capi_from_prov_info(PCCERT_CONTEXT cert, HCRYPTPROV* prov, DWORD* key_spec) {
  DWORD size = 0;
  if (!CertGetCertificateContextProperty(cert, CERT_KEY_PROV_INFO_PROP_ID, nullptr, &size) ||
      size < sizeof(CRYPT_KEY_PROV_INFO)) {
    return false;
  }
  std::vector<BYTE> buf(size);
  if (!CertGetCertificateContextProperty(cert, CERT_KEY_PROV_INFO_PROP_ID, buf.data(), &size)) {
    return false;
  }
  const auto* info = reinterpret_cast<const CRYPT_KEY_PROV_INFO*>(buf.data());
  if (info->dwProvType == 0) {
    return false;
  }
  *key_spec = info->dwKeySpec;
  return CryptAcquireContextW(prov, info->pwszContainerName, info->pwszProvName, info->dwProvType,
                              (info->dwFlags & CRYPT_MACHINE_KEYSET) | CRYPT_SILENT) != FALSE;
}

}  // namespace

StepOutcome grant_key_read(const PlannedStep& step, const RunContext& ctx) {
  const std::string role = param(step, "role");
  const auto tp = ctx.facts.find("new_thumbprint." + role);
  if (role.empty() || tp == ctx.facts.end()) {
    return failed("no new certificate for role " + quote(role) + " (verify_new_cert did not pass)");
  }
  if (!is_thumbprint(tp->second)) {  // find_by_sha1 takes hex only
    return failed("the new thumbprint " + quote(tp->second) + " is not a thumbprint");
  }
  const std::string account = param(step, "account");
  std::vector<std::uint8_t> sid;
  if (const DWORD rc = win::lookup_account_sid(win::widen(account), sid); rc != ERROR_SUCCESS) {
    return failed("cannot find account " + quote(account) + ": " + win::numbered_error_text(rc));
  }
  MachineStore store(false);
  const win::CertContext cert =
      store.get() != nullptr ? win::find_by_sha1(store.get(), tp->second) : win::CertContext();
  if (!cert) {
    return failed("the new certificate " + tp->second + " is not in LocalMachine\\My");
  }
  HCRYPTPROV_OR_NCRYPT_KEY_HANDLE key = 0;
  DWORD key_spec = 0;
  BOOL must_free = FALSE;
  if (!CryptAcquireCertificatePrivateKey(
          cert.get(), CRYPT_ACQUIRE_ALLOW_NCRYPT_KEY_FLAG | CRYPT_ACQUIRE_SILENT_FLAG, nullptr,
          &key, &key_spec, &must_free)) {
    const std::string error = win::last_error_text();
    // A CAPI key opened from its CERT_KEY_PROV_INFO_PROP_ID as Windows does inside
    // CryptAcquireCertificatePrivateKey, the machine key set flag included: wine's
    // CryptAcquireCertificatePrivateKey ignores CRYPT_MACHINE_KEYSET and fails here.
    HCRYPTPROV prov = 0;
    if (!acquire_capi_from_prov_info(cert.get(), &prov, &key_spec)) {
      return failed("cannot open the new private key: " + error);
    }
    key = prov;
    must_free = TRUE;
  }
  const bool cng = key_spec == CERT_NCRYPT_KEY_SPEC;
  const GrantResult r = cng ? grant_cng(key, sid.data()) : grant_capi(key, sid.data());
  if (must_free) {  // ours to free only when CryptAcquireCertificatePrivateKey says so
    if (cng) {
      NCryptFreeObject(key);
    } else {
      CryptReleaseContext(key, 0);
    }
  }
  if (!r.error.empty()) {
    return failed(r.error);
  }
  StepOutcome out;
  const std::string where = cng ? "CNG key (ProgramData\\Microsoft\\Crypto\\Keys)"
                                : "CAPI key (ProgramData\\Microsoft\\Crypto\\RSA\\MachineKeys)";
  out.detail =
      (r.changed ? "granted " + account + " Read on the " : account + " could already read the ") +
      where + " of " + tp->second + (r.note.empty() ? "" : " (" + r.note + ")");
  out.facts["key_provider"] = cng ? "cng" : "capi";
  return out;
}

}  // namespace ndes::renew::windows
