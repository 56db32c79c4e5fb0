#include "certstore/cert_store.h"

// clang-format off
#include <windows.h>
#include <wincrypt.h>
#include <ncrypt.h>
// clang-format on

#include <memory>

#include "certstore/win_util.h"

namespace ndes::certstore {
namespace {

struct StoreCloser {
  void operator()(void* h) const {
    if (h != nullptr) {
      CertCloseStore(static_cast<HCERTSTORE>(h), 0);
    }
  }
};
using StorePtr = std::unique_ptr<void, StoreCloser>;

PrivateKeyRef key_ref(PCCERT_CONTEXT cert) {
  PrivateKeyRef ref;
  DWORD size = 0;
  if (!CertGetCertificateContextProperty(cert, CERT_KEY_PROV_INFO_PROP_ID, nullptr, &size) ||
      size < sizeof(CRYPT_KEY_PROV_INFO)) {
    return ref;
  }
  std::vector<std::uint8_t> buf(size);
  if (!CertGetCertificateContextProperty(cert, CERT_KEY_PROV_INFO_PROP_ID, buf.data(), &size)) {
    return ref;
  }
  const auto* info = reinterpret_cast<const CRYPT_KEY_PROV_INFO*>(buf.data());
  ref.container = info->pwszContainerName != nullptr ? info->pwszContainerName : L"";
  ref.provider_name = info->pwszProvName != nullptr ? info->pwszProvName : L"";
  ref.provider_type = info->dwProvType;
  ref.flags = info->dwFlags;
  ref.key_spec = info->dwKeySpec;
  // CNG keys have no CSP type (and Windows says so with type 0).
  ref.provider = info->dwProvType == 0 ? KeyProvider::cng : KeyProvider::capi;
  return ref;
}

bool is_archived(PCCERT_CONTEXT cert) {
  DWORD size = 0;
  return CertGetCertificateContextProperty(cert, CERT_ARCHIVED_PROP_ID, nullptr, &size) != FALSE;
}

constexpr DWORD kSdParts =
    OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION;

KeyState inspect_capi(const PrivateKeyRef& key) {
  KeyState out;
  HCRYPTPROV prov = 0;
  const DWORD flags = (key.flags & CRYPT_MACHINE_KEYSET) | CRYPT_SILENT;
  if (!CryptAcquireContextW(&prov, key.container.c_str(),
                            key.provider_name.empty() ? nullptr : key.provider_name.c_str(),
                            key.provider_type, flags)) {
    const DWORD err = GetLastError();
    out.error = "CryptAcquireContext(" + narrow(key.container) + "): " + error_text(err);
    return out;
  }
  out.exists = true;
  DWORD size = 0;
  if (!CryptGetProvParam(prov, PP_KEYSET_SEC_DESCR, nullptr, &size, kSdParts) || size == 0) {
    out.error = "PP_KEYSET_SEC_DESCR: " + error_text(GetLastError());
    CryptReleaseContext(prov, 0);
    return out;
  }
  std::vector<std::uint8_t> sd(size);
  if (CryptGetProvParam(prov, PP_KEYSET_SEC_DESCR, sd.data(), &size, kSdParts)) {
    sd.resize(size);
    out.security_descriptor = std::move(sd);
  } else {
    out.error = "PP_KEYSET_SEC_DESCR: " + error_text(GetLastError());
  }
  CryptReleaseContext(prov, 0);
  return out;
}

KeyState inspect_cng(const PrivateKeyRef& key) {
  KeyState out;
  NCRYPT_PROV_HANDLE prov = 0;
  const std::wstring provider =
      key.provider_name.empty() ? std::wstring(MS_KEY_STORAGE_PROVIDER) : key.provider_name;
  SECURITY_STATUS st = NCryptOpenStorageProvider(&prov, provider.c_str(), 0);
  if (st != ERROR_SUCCESS) {
    out.error = "NCryptOpenStorageProvider(" + narrow(provider) +
                "): " + error_text(static_cast<DWORD>(st));
    return out;
  }
  NCRYPT_KEY_HANDLE handle = 0;
  const DWORD legacy_spec =
      (key.key_spec == AT_KEYEXCHANGE || key.key_spec == AT_SIGNATURE) ? key.key_spec : 0;
  const DWORD flags = (key.flags & NCRYPT_MACHINE_KEY_FLAG) | NCRYPT_SILENT_FLAG;
  st = NCryptOpenKey(prov, &handle, key.container.c_str(), legacy_spec, flags);
  if (st != ERROR_SUCCESS) {
    out.error =
        "NCryptOpenKey(" + narrow(key.container) + "): " + error_text(static_cast<DWORD>(st));
    NCryptFreeObject(prov);
    return out;
  }
  out.exists = true;
  DWORD size = 0;
  st = NCryptGetProperty(handle, NCRYPT_SECURITY_DESCR_PROPERTY, nullptr, 0, &size, kSdParts);
  if (st == ERROR_SUCCESS && size > 0) {
    std::vector<std::uint8_t> sd(size);
    st =
        NCryptGetProperty(handle, NCRYPT_SECURITY_DESCR_PROPERTY, sd.data(), size, &size, kSdParts);
    if (st == ERROR_SUCCESS) {
      sd.resize(size);
      out.security_descriptor = std::move(sd);
    }
  }
  if (!out.security_descriptor) {
    out.error = "NCRYPT_SECURITY_DESCR_PROPERTY: " + error_text(static_cast<DWORD>(st));
  }
  NCryptFreeObject(handle);
  NCryptFreeObject(prov);
  return out;
}

}  // namespace

StoreRead read_store(const StoreName& name) {
  StoreRead out;
  const std::wstring store = widen(name.store);
  StorePtr handle(
      CertOpenStore(CERT_STORE_PROV_SYSTEM_W, 0, 0,
                    name.location_flag | CERT_STORE_READONLY_FLAG | CERT_STORE_OPEN_EXISTING_FLAG,
                    store.c_str()));
  if (!handle) {
    out.error = GetLastError();
    out.detail = "cannot open " + name.canonical() + ": " + error_text(out.error);
    return out;
  }
  out.opened = true;
  PCCERT_CONTEXT cert = nullptr;
  while ((cert = CertEnumCertificatesInStore(handle.get(), cert)) != nullptr) {
    StoreEntry entry;
    entry.der.assign(cert->pbCertEncoded, cert->pbCertEncoded + cert->cbCertEncoded);
    entry.archived = is_archived(cert);
    entry.key = key_ref(cert);
    out.entries.push_back(std::move(entry));
  }
  return out;
}

KeyState inspect_key(const PrivateKeyRef& key) {
  switch (key.provider) {
    case KeyProvider::capi:
      return inspect_capi(key);
    case KeyProvider::cng:
      return inspect_cng(key);
    case KeyProvider::none:
      break;
  }
  return KeyState{};
}

}  // namespace ndes::certstore
