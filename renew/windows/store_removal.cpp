// remove_superseded: every certificate the step names (renew/superseded.h chooses them)
// is first exported with its private key to a PFX in the backup directory, its random
// password in a file beside it, both readable by SYSTEM and Administrators only; only
// when every backup is written are the certificates removed, each with its key. A key
// that cannot be exported stops the step before anything is removed.
// clang-format off
#include <windows.h>
#include <bcrypt.h>
#include <sddl.h>
// clang-format on

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "base/text.h"
#include "base/win/error_text.h"
#include "base/win/utf16.h"
#include "renew/key_dacl.h"
#include "renew/superseded.h"
#include "renew/windows/machine_store.h"
#include "renew/windows/steps.h"
#include "renew/windows/store_steps.h"

namespace ndes::renew::windows {
namespace {

// Where a certificate's private key lives, from CERT_KEY_PROV_INFO_PROP_ID
// ("CRYPT_KEY_PROV_INFO structure": dwProvType 0 is a CNG key storage provider;
// CRYPT_MACHINE_KEYSET in dwFlags, the same bit as NCRYPT_MACHINE_KEY_FLAG, is the
// machine key set).
struct KeyRef {
  std::wstring provider;
  std::wstring container;
  DWORD prov_type = 0;
  DWORD key_spec = 0;
  bool machine = false;

  bool cng() const { return prov_type == 0; }
  bool operator==(const KeyRef& o) const {
    return provider == o.provider && container == o.container && prov_type == o.prov_type &&
           machine == o.machine;
  }
};

std::optional<KeyRef> key_ref_of(PCCERT_CONTEXT c) {
  DWORD size = 0;
  if (!CertGetCertificateContextProperty(c, CERT_KEY_PROV_INFO_PROP_ID, nullptr, &size) ||
      size < sizeof(CRYPT_KEY_PROV_INFO)) {
    return std::nullopt;
  }
  std::vector<BYTE> buf(size);
  if (!CertGetCertificateContextProperty(c, CERT_KEY_PROV_INFO_PROP_ID, buf.data(), &size)) {
    return std::nullopt;
  }
  const auto* info = reinterpret_cast<const CRYPT_KEY_PROV_INFO*>(buf.data());
  KeyRef k;
  k.provider = info->pwszProvName != nullptr ? info->pwszProvName : L"";
  k.container = info->pwszContainerName != nullptr ? info->pwszContainerName : L"";
  k.prov_type = info->dwProvType;
  k.key_spec = info->dwKeySpec;
  k.machine = (info->dwFlags & CRYPT_MACHINE_KEYSET) != 0;
  return k;
}

// A fresh password from the system RNG (BCryptGenRandom with
// BCRYPT_USE_SYSTEM_PREFERRED_RNG, learn.microsoft.com/windows/win32/api/bcrypt/
// nf-bcrypt-bcryptgenrandom); "" when the RNG fails.
std::string random_password() {
  std::string out;
  for (int round = 0; round < 8 && out.size() < kBackupPasswordLength; ++round) {
    std::vector<std::uint8_t> bytes(kBackupPasswordLength * 2);
    if (BCryptGenRandom(nullptr, bytes.data(), static_cast<ULONG>(bytes.size()),
                        BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0) {
      return "";
    }
    out += password_from_random(bytes, kBackupPasswordLength - out.size());
    SecureZeroMemory(bytes.data(), bytes.size());
  }
  return out.size() == kBackupPasswordLength ? out : "";
}

// Writes `bytes` to a new file at `path` whose DACL is `sddl` from the start
// (CreateFileW's lpSecurityAttributes; an existing file is deleted first, because
// CreateFile ignores the descriptor when it opens an existing file). "" or why not.
std::string write_protected_file(const std::string& path, const std::string& bytes,
                                 const std::string& sddl) {
  const std::wstring wpath = win::widen(path);
  if (!DeleteFileW(wpath.c_str()) && GetLastError() != ERROR_FILE_NOT_FOUND) {
    return "cannot replace " + path + ": " + win::last_error_text();
  }
  PSECURITY_DESCRIPTOR sd = nullptr;
  if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(win::widen(sddl).c_str(),
                                                            SDDL_REVISION_1, &sd, nullptr)) {
    return "ConvertStringSecurityDescriptorToSecurityDescriptor: " + win::last_error_text();
  }
  SECURITY_ATTRIBUTES sa{sizeof(SECURITY_ATTRIBUTES), sd, FALSE};
  win::Handle file(CreateFileW(wpath.c_str(), GENERIC_WRITE, 0, &sa, CREATE_NEW,
                               FILE_ATTRIBUTE_NORMAL, nullptr));
  const DWORD create_error = GetLastError();
  LocalFree(sd);
  if (!file) {
    return "cannot create " + path + ": " + win::numbered_error_text(create_error);
  }
  DWORD written = 0;
  if (!WriteFile(file.get(), bytes.data(), static_cast<DWORD>(bytes.size()), &written, nullptr) ||
      written != bytes.size() || !FlushFileBuffers(file.get())) {
    const std::string why = win::last_error_text();
    file.reset();
    DeleteFileW(wpath.c_str());
    return "cannot write " + path + ": " + why;
  }
  return "";
}

}  // namespace

// The certificate (and its private key, when it has one) as a PFX protected by
// `password`. PFXExportCertStoreEx with EXPORT_PRIVATE_KEYS and
// REPORT_NOT_ABLE_TO_EXPORT_PRIVATE_KEY fails on a non-exportable key instead of leaving
// the key out; REPORT_NO_PRIVATE_KEY fails when the linked key is missing
// (learn.microsoft.com/windows/win32/api/wincrypt/nf-wincrypt-pfxexportcertstoreex).
namespace {

// The PFX of a certificate without a key or with its key in a CAPI container, built
// without PFXExportCertStoreEx: the key comes out of CryptExportKey as a PRIVATEKEYBLOB (which,
// like PFXExportCertStoreEx with REPORT_NOT_ABLE_TO_EXPORT_PRIVATE_KEY, fails with
// NTE_BAD_KEY_STATE on a non-exportable key: "CryptExportKey function"), and OpenSSL
// writes the PKCS#12. Used only when PFXExportCertStoreEx fails: wine 8 has it as a stub
// that always fails, so this is what runs there (windows.renew_hook_execute).
//
// The private key of a CAPI container, for openssl_pfx().
std::optional<EVP_PKEY*> capi_private_key(const KeyRef& k, std::string* error, DWORD* code);

std::optional<std::string> openssl_pfx(PCCERT_CONTEXT c, const std::optional<KeyRef>& key_ref,
                                       const std::string& password, std::string* error,
                                       DWORD* code) {
  EVP_PKEY* pkey = nullptr;
  if (key_ref) {
    auto exported = capi_private_key(*key_ref, error, code);
    if (!exported) {
      return std::nullopt;
    }
    pkey = *exported;
  }
  const unsigned char* der = c->pbCertEncoded;
  X509* x509 = d2i_X509(nullptr, &der, static_cast<long>(c->cbCertEncoded));
  PKCS12* p12 = x509 != nullptr
                    ? PKCS12_create(password.c_str(), "backup", pkey, x509, nullptr, 0, 0, 0, 0, 0)
                    : nullptr;
  std::string out;
  if (p12 != nullptr) {
    unsigned char* bytes = nullptr;
    const int n = i2d_PKCS12(p12, &bytes);
    out.assign(reinterpret_cast<const char*>(bytes), n > 0 ? static_cast<std::size_t>(n) : 0);
    OPENSSL_free(bytes);
    PKCS12_free(p12);
  }
  EVP_PKEY_free(pkey);
  X509_free(x509);
  if (out.empty()) {
    *code = ERROR_INVALID_DATA;
    *error = "OpenSSL could not build the PKCS#12";
    return std::nullopt;
  }
  return out;
}

std::optional<EVP_PKEY*> capi_private_key(const KeyRef& k, std::string* error, DWORD* code) {
  HCRYPTPROV prov = 0;
  HCRYPTKEY key = 0;
  DWORD size = 0;
  std::vector<BYTE> blob;
  const char* step = "CryptAcquireContext";
  bool ok = CryptAcquireContextW(&prov, k.container.c_str(), k.provider.c_str(), k.prov_type,
                                 (k.machine ? CRYPT_MACHINE_KEYSET : 0) | CRYPT_SILENT) != FALSE;
  if (ok) {
    step = "CryptGetUserKey";
    ok = CryptGetUserKey(prov, k.key_spec, &key) != FALSE;
  }
  if (ok) {
    step = "CryptExportKey";
    ok = CryptExportKey(key, 0, PRIVATEKEYBLOB, 0, nullptr, &size) != FALSE;
  }
  if (ok) {
    blob.resize(size);
    ok = CryptExportKey(key, 0, PRIVATEKEYBLOB, 0, blob.data(), &size) != FALSE;
  }
  *code = ok ? 0 : GetLastError();
  if (key != 0) {
    CryptDestroyKey(key);
  }
  if (prov != 0) {
    CryptReleaseContext(prov, 0);
  }
  if (!ok) {
    *error = std::string(step) + ": " + win::numbered_error_text(*code);
    return std::nullopt;
  }
  const unsigned char* in = blob.data();
  EVP_PKEY* pkey = b2i_PrivateKey(&in, static_cast<long>(blob.size()));
  SecureZeroMemory(blob.data(), blob.size());
  if (pkey == nullptr) {
    *code = ERROR_INVALID_DATA;
    *error = "OpenSSL cannot read the exported PRIVATEKEYBLOB";
    return std::nullopt;
  }
  return pkey;
}

}  // namespace

std::optional<std::string> export_pfx(PCCERT_CONTEXT c, bool with_key, const std::string& password,
                                      std::string* error, DWORD* code) {
  const win::CertStoreHandle mem(
      CertOpenStore(CERT_STORE_PROV_MEMORY, 0, 0, CERT_STORE_CREATE_NEW_FLAG, nullptr));
  if (!mem || !CertAddCertificateContextToStore(mem.get(), c, CERT_STORE_ADD_ALWAYS, nullptr)) {
    *code = GetLastError();
    *error = "cannot copy the certificate for export: " + win::numbered_error_text(*code);
    return std::nullopt;
  }
  std::wstring wpass = win::widen(password);
  const DWORD flags = EXPORT_PRIVATE_KEYS | REPORT_NOT_ABLE_TO_EXPORT_PRIVATE_KEY |
                      (with_key ? REPORT_NO_PRIVATE_KEY : 0);
  CRYPT_DATA_BLOB blob{0, nullptr};
  std::string pfx;
  BOOL ok = PFXExportCertStoreEx(mem.get(), &blob, wpass.c_str(), nullptr, flags);
  if (ok) {
    pfx.assign(blob.cbData, '\0');
    blob.pbData = reinterpret_cast<BYTE*>(pfx.data());
    ok = PFXExportCertStoreEx(mem.get(), &blob, wpass.c_str(), nullptr, flags);
    pfx.resize(blob.cbData);
  }
  *code = ok ? 0 : GetLastError();
  SecureZeroMemory(wpass.data(), wpass.size() * sizeof(wchar_t));
  if (!ok || pfx.empty()) {  // wine 8's stub fails, or "succeeds" with nothing
    const auto key = with_key ? key_ref_of(c) : std::nullopt;
    if (!key || !key->cng()) {
      return openssl_pfx(c, key, password, error, code);
    }
    *error = win::numbered_error_text(*code);
    return std::nullopt;
  }
  return pfx;
}

namespace {

// Deletes the key container: CNG through NCryptOpenKey + NCryptDeleteKey (which frees
// the handle when it succeeds, "NCryptDeleteKey function"); CAPI through
// CryptAcquireContext with CRYPT_DELETEKEYSET ("CryptAcquireContextW function": the
// handle is then undefined and not released). "" or why not.
std::string delete_key(const KeyRef& k) {
  if (k.cng()) {
    win::NCryptObject provider;
    NCRYPT_PROV_HANDLE prov = 0;
    SECURITY_STATUS st = NCryptOpenStorageProvider(&prov, k.provider.c_str(), 0);
    provider.reset(prov);
    if (st != ERROR_SUCCESS) {
      return "NCryptOpenStorageProvider: " + win::numbered_error_text(static_cast<DWORD>(st));
    }
    NCRYPT_KEY_HANDLE key = 0;
    st = NCryptOpenKey(prov, &key, k.container.c_str(), k.key_spec,
                       (k.machine ? NCRYPT_MACHINE_KEY_FLAG : 0) | NCRYPT_SILENT_FLAG);
    if (st != ERROR_SUCCESS) {
      return "NCryptOpenKey: " + win::numbered_error_text(static_cast<DWORD>(st));
    }
    st = NCryptDeleteKey(key, NCRYPT_SILENT_FLAG);
    if (st != ERROR_SUCCESS) {
      NCryptFreeObject(key);
      return "NCryptDeleteKey: " + win::numbered_error_text(static_cast<DWORD>(st));
    }
    return "";
  }
  HCRYPTPROV unused = 0;
  if (!CryptAcquireContextW(
          &unused, k.container.c_str(), k.provider.c_str(), k.prov_type,
          CRYPT_DELETEKEYSET | CRYPT_SILENT | (k.machine ? CRYPT_MACHINE_KEYSET : 0))) {
    return "CryptAcquireContext(CRYPT_DELETEKEYSET): " + win::last_error_text();
  }
  return "";
}

// Whether another certificate of the store still uses the key (a certificate renewed
// with the same key shares the container; deleting it would break the one kept).
bool key_in_use(HCERTSTORE store, const KeyRef& k) {
  for (PCCERT_CONTEXT c = CertEnumCertificatesInStore(store, nullptr); c != nullptr;
       c = CertEnumCertificatesInStore(store, c)) {
    if (const auto other = key_ref_of(c); other && *other == k) {
      CertFreeCertificateContext(c);
      return true;
    }
  }
  return false;
}

struct Backup {
  std::string thumbprint;
  std::string pfx_path;
  bool with_key = false;
};

// Exports one certificate to <dir>\<thumbprint>.pfx and its password file. "" or why not.
std::string back_up(PCCERT_CONTEXT c, const std::string& dir, const PfxExport& exporter,
                    Backup* b) {
  std::string password = random_password();
  if (password.empty()) {
    return "BCryptGenRandom failed: no password for the backup of " + b->thumbprint;
  }
  std::string error;
  DWORD code = 0;
  const auto pfx = exporter(c, b->with_key, password, &error, &code);
  if (!pfx) {
    SecureZeroMemory(password.data(), password.size());
    return "cannot back up " + b->thumbprint + " (" + error + "): " + export_failure_advice(code) +
           ". Nothing was removed";
  }
  const std::string sddl = to_sddl(backup_file_dacl());
  b->pfx_path = backup_pfx_path(dir, b->thumbprint);
  error = write_protected_file(backup_password_path(dir, b->thumbprint), password, sddl);
  SecureZeroMemory(password.data(), password.size());
  if (error.empty()) {
    error = write_protected_file(b->pfx_path, *pfx, sddl);
  }
  return error.empty() ? "" : error + ". Nothing was removed";
}

}  // namespace

StepOutcome remove_superseded(const PlannedStep& step, const RunContext& ctx,
                              const PfxExport& exporter) {
  const std::string dir = param(step, "backup_dir");
  if (dir.empty()) {
    return failed("the step has no backup_dir: nothing is removed without a backup");
  }
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(win::widen(dir)), ec);
  if (ec) {
    return failed("cannot create the backup directory " + dir + ": " + ec.message());
  }
  MachineStore store(true);
  if (store.get() == nullptr) {
    return failed("cannot open LocalMachine\\My for writing: " + win::last_error_text());
  }
  std::vector<Certificate> certs;
  if (!models_in(store.get(), kMaxStoreCertificates, &certs)) {
    return failed("LocalMachine\\My holds more than " + std::to_string(kMaxStoreCertificates) +
                  " certificates: remove by hand");
  }
  const RemovalChoice choice = choose_removals(step.params, certs, ctx.facts);
  if (!choice.error.empty()) {
    return failed(choice.error);
  }
  std::vector<std::string> said;
  for (const auto& tp : choice.absent) {
    said.push_back(tp + " is no longer in LocalMachine\\My");
  }

  // Every backup first: one that fails stops the step with the store untouched.
  std::vector<Backup> backups;
  for (const auto& tp : choice.remove) {
    const win::CertContext c = win::find_by_sha1(store.get(), tp);
    if (!c) {
      said.push_back(tp + " is no longer in LocalMachine\\My");
      continue;
    }
    Backup b{tp, "", key_ref_of(c.get()).has_value()};
    if (std::string why = back_up(c.get(), dir, exporter, &b); !why.empty()) {
      return failed(why);
    }
    said.push_back("backed up " + tp + (b.with_key ? " with its private key" : " (it has no key)") +
                   " to " + b.pfx_path);
    backups.push_back(std::move(b));
  }

  std::vector<std::string> removed;
  std::vector<std::string> backup_paths;
  std::string error;
  for (const auto& b : backups) {
    win::CertContext c = win::find_by_sha1(store.get(), b.thumbprint);
    if (!c) {  // gone since its backup: someone else removed it
      said.push_back(b.thumbprint + " is no longer in LocalMachine\\My");
      continue;
    }
    const std::optional<KeyRef> key = key_ref_of(c.get());
    // CertDeleteCertificateFromStore frees the context, also when it fails.
    if (!CertDeleteCertificateFromStore(c.release())) {
      error = "cannot remove " + b.thumbprint + ": " + win::last_error_text();
      break;
    }
    removed.push_back(b.thumbprint);
    backup_paths.push_back(b.pfx_path);
    if (!key) {
      said.push_back("removed " + b.thumbprint);
    } else if (key_in_use(store.get(), *key)) {
      said.push_back("removed " + b.thumbprint + " but kept its key: another certificate uses it");
    } else if (std::string why = delete_key(*key); !why.empty()) {
      error = "removed " + b.thumbprint + " but not its private key (container " +
              win::narrow(key->container) + "): " + why;
      break;
    } else {
      said.push_back("removed " + b.thumbprint + " and its private key");
    }
  }
  if (!removed.empty() && !store.commit()) {
    error = "LocalMachine\\My did not save the removal of " + join(removed, ",") + ": " +
            win::last_error_text();
  }
  StepOutcome out = error.empty() ? StepOutcome{} : failed(error);
  out.facts["removed"] = join(removed, ",");
  out.facts["backups"] = join(backup_paths, ",");
  if (said.empty()) {
    said.push_back("no certificate to remove");
  }
  out.detail =
      error.empty() ? join(said, "; ") : error + " (done before: " + join(said, "; ") + ")";
  return out;
}

}  // namespace ndes::renew::windows
