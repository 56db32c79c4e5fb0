#include "certstore/cert_store.h"

// clang-format off
#include <windows.h>
#include <wincrypt.h>
#include <ncrypt.h>
// clang-format on

#include "base/win/cert_store.h"
#include "base/win/error_text.h"
#include "base/win/key_security.h"
#include "base/win/utf16.h"

namespace ndes::certstore {
namespace {

using win::error_text;
using win::narrow;

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
  win::CryptProv prov;
  const DWORD flags = (key.flags & CRYPT_MACHINE_KEYSET) | CRYPT_SILENT;
  if (!CryptAcquireContextW(prov.out(), key.container.c_str(),
                            key.provider_name.empty() ? nullptr : key.provider_name.c_str(),
                            key.provider_type, flags)) {
    const DWORD err = GetLastError();
    out.error = "CryptAcquireContext(" + narrow(key.container) + "): " + error_text(err);
    return out;
  }
  out.exists = true;
  win::SecurityDescriptor sd;
  if (const DWORD err = win::read_capi_key_security(prov.get(), kSdParts, sd);
      err != ERROR_SUCCESS) {
    out.error = "PP_KEYSET_SEC_DESCR: " + error_text(err);
    return out;
  }
  out.security_descriptor = std::move(sd);
  return out;
}

KeyState inspect_cng(const PrivateKeyRef& key) {
  KeyState out;
  win::NCryptObject prov;
  const std::wstring provider =
      key.provider_name.empty() ? std::wstring(MS_KEY_STORAGE_PROVIDER) : key.provider_name;
  SECURITY_STATUS st = NCryptOpenStorageProvider(prov.out(), provider.c_str(), 0);
  if (st != ERROR_SUCCESS) {
    out.error = "NCryptOpenStorageProvider(" + narrow(provider) +
                "): " + error_text(static_cast<DWORD>(st));
    return out;
  }
  win::NCryptObject handle;
  const DWORD legacy_spec =
      (key.key_spec == AT_KEYEXCHANGE || key.key_spec == AT_SIGNATURE) ? key.key_spec : 0;
  const DWORD flags = (key.flags & NCRYPT_MACHINE_KEY_FLAG) | NCRYPT_SILENT_FLAG;
  st = NCryptOpenKey(prov.get(), handle.out(), key.container.c_str(), legacy_spec, flags);
  if (st != ERROR_SUCCESS) {
    out.error =
        "NCryptOpenKey(" + narrow(key.container) + "): " + error_text(static_cast<DWORD>(st));
    return out;
  }
  out.exists = true;
  win::SecurityDescriptor sd;
  st = win::read_cng_key_security(handle.get(), kSdParts, sd);
  if (st == ERROR_SUCCESS && !sd.empty()) {
    out.security_descriptor = std::move(sd);
  } else {
    out.error = "NCRYPT_SECURITY_DESCR_PROPERTY: " + error_text(static_cast<DWORD>(st));
  }
  return out;
}

}  // namespace

StoreRead read_store(const StoreName& name) {
  StoreRead out;
  const win::CertStoreHandle handle =
      win::open_system_store(name.location_flag, name.store, /*writable=*/false);
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
