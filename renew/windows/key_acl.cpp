// The key step: grant_key_read gives the service account Read on the new private
// key (what certlm.msc's "Manage Private Keys... > Read" sets), through the key's
// provider: NCrypt for CNG keys, CryptoAPI for CAPI keys (base/win/key_security.h,
// which the certstore collector reads the same descriptor with).
// clang-format off
#include <windows.h>
#include <aclapi.h>
// clang-format on

#include <vector>

#include "base/win/error_text.h"
#include "base/win/key_security.h"
#include "base/win/utf16.h"
#include "renew/windows/machine_store.h"
#include "renew/windows/steps.h"

namespace ndes::renew::windows {
namespace {

// A self-relative copy of `old_sd` whose DACL also grants `sid` GENERIC_READ,
// keeping every existing entry.
bool add_read_ace(PSECURITY_DESCRIPTOR old_sd, PSID sid, win::SecurityDescriptor* out,
                  std::string* error) {
  BOOL present = FALSE;
  BOOL defaulted = FALSE;
  PACL old_dacl = nullptr;
  if (!GetSecurityDescriptorDacl(old_sd, &present, &old_dacl, &defaulted)) {
    *error = "GetSecurityDescriptorDacl: " + win::last_error_text();
    return false;
  }
  EXPLICIT_ACCESSW access{};
  access.grfAccessPermissions = GENERIC_READ;
  access.grfAccessMode = GRANT_ACCESS;
  access.grfInheritance = NO_INHERITANCE;
  access.Trustee.TrusteeForm = TRUSTEE_IS_SID;
  access.Trustee.TrusteeType = TRUSTEE_IS_UNKNOWN;
  access.Trustee.ptstrName = static_cast<LPWSTR>(sid);
  PACL new_dacl = nullptr;
  const DWORD rc = SetEntriesInAclW(1, &access, present ? old_dacl : nullptr, &new_dacl);
  if (rc != ERROR_SUCCESS) {
    *error = "SetEntriesInAcl: " + win::numbered_error_text(rc);
    return false;
  }
  SECURITY_DESCRIPTOR absolute{};
  InitializeSecurityDescriptor(&absolute, SECURITY_DESCRIPTOR_REVISION);
  SetSecurityDescriptorDacl(&absolute, TRUE, new_dacl, FALSE);
  DWORD size = 0;
  MakeSelfRelativeSD(&absolute, nullptr, &size);
  out->assign(size, 0);
  const BOOL ok = MakeSelfRelativeSD(&absolute, out->data(), &size);
  LocalFree(new_dacl);
  if (!ok) {
    *error = "MakeSelfRelativeSD: " + win::last_error_text();
    return false;
  }
  return true;
}

std::string grant_cng(NCRYPT_KEY_HANDLE key, PSID sid) {
  win::SecurityDescriptor sd;
  SECURITY_STATUS st = win::read_cng_key_security(key, DACL_SECURITY_INFORMATION, sd);
  if (st != ERROR_SUCCESS) {
    return "NCryptGetProperty: " + win::numbered_error_text(static_cast<DWORD>(st));
  }
  win::SecurityDescriptor updated;
  std::string error;
  if (!add_read_ace(sd.data(), sid, &updated, &error)) {
    return error;
  }
  st = win::write_cng_key_security(key, DACL_SECURITY_INFORMATION, updated);
  if (st != ERROR_SUCCESS) {
    return "NCryptSetProperty: " + win::numbered_error_text(static_cast<DWORD>(st));
  }
  return "";
}

std::string grant_capi(HCRYPTPROV prov, PSID sid) {
  win::SecurityDescriptor sd;
  if (const DWORD rc = win::read_capi_key_security(prov, DACL_SECURITY_INFORMATION, sd);
      rc != ERROR_SUCCESS) {
    return "CryptGetProvParam: " + win::numbered_error_text(rc);
  }
  win::SecurityDescriptor updated;
  std::string error;
  if (!add_read_ace(sd.data(), sid, &updated, &error)) {
    return error;
  }
  if (const DWORD rc = win::write_capi_key_security(prov, DACL_SECURITY_INFORMATION, updated);
      rc != ERROR_SUCCESS) {
    return "CryptSetProvParam: " + win::numbered_error_text(rc);
  }
  return "";
}

}  // namespace

StepOutcome grant_key_read(const PlannedStep& step, const RunContext& ctx) {
  const auto tp = ctx.facts.find("new_thumbprint");
  if (tp == ctx.facts.end()) {
    return failed("no new certificate (verify_new_cert did not pass)");
  }
  std::vector<std::uint8_t> sid;
  if (const DWORD rc = win::lookup_account_sid(win::widen(param(step, "account")), sid);
      rc != ERROR_SUCCESS) {
    return failed("cannot find account " + param(step, "account") + ": " +
                  win::numbered_error_text(rc));
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
    return failed("cannot open the new private key: " + win::last_error_text());
  }
  const bool cng = key_spec == CERT_NCRYPT_KEY_SPEC;
  const std::string error = cng ? grant_cng(key, sid.data()) : grant_capi(key, sid.data());
  if (must_free) {  // ours to free only when CryptAcquireCertificatePrivateKey says so
    if (cng) {
      NCryptFreeObject(key);
    } else {
      CryptReleaseContext(key, 0);
    }
  }
  if (!error.empty()) {
    return failed(error);
  }
  StepOutcome out;
  out.detail = "granted " + param(step, "account") + " Read on the " +
               (cng ? "CNG key (ProgramData\\Microsoft\\Crypto\\Keys)"
                    : "CAPI key (ProgramData\\Microsoft\\Crypto\\RSA\\MachineKeys)") +
               " of " + tp->second;
  out.facts["key_provider"] = cng ? "cng" : "capi";
  return out;
}

}  // namespace ndes::renew::windows
