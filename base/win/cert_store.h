// The CryptoAPI handles that close themselves, and the two things everyone does
// with a system certificate store: open it, and find a certificate by thumbprint.
// Windows only (cert_store.cpp; links crypt32 and ncrypt).
#pragma once

// clang-format off
#include <windows.h>
#include <wincrypt.h>
#include <ncrypt.h>
// clang-format on

#include <string_view>

#include "base/win/handles.h"

namespace ndes::win {

struct CertStoreTraits : NonNullTraits<HCERTSTORE> {
  static void close(HCERTSTORE h) { CertCloseStore(h, 0); }
};
using CertStoreHandle = UniqueHandle<HCERTSTORE, CertStoreTraits>;

struct CertContextTraits : NonNullTraits<PCCERT_CONTEXT> {
  static void close(PCCERT_CONTEXT h) { CertFreeCertificateContext(h); }
};
using CertContext = UniqueHandle<PCCERT_CONTEXT, CertContextTraits>;

// A CryptoAPI (CSP) key container.
struct CryptProvTraits : NonNullTraits<HCRYPTPROV> {
  static void close(HCRYPTPROV h) { CryptReleaseContext(h, 0); }
};
using CryptProv = UniqueHandle<HCRYPTPROV, CryptProvTraits>;

// A CNG storage provider or key.
struct NCryptObjectTraits : NonNullTraits<NCRYPT_HANDLE> {
  static void close(NCRYPT_HANDLE h) { NCryptFreeObject(h); }
};
using NCryptObject = UniqueHandle<NCRYPT_HANDLE, NCryptObjectTraits>;

// The system store `store` ("My") at `location_flag` (CERT_SYSTEM_STORE_*), as it
// exists (CERT_STORE_OPEN_EXISTING_FLAG), read-only unless `writable`. Empty on
// failure (GetLastError says why).
CertStoreHandle open_system_store(unsigned long location_flag, std::string_view store,
                                  bool writable);

// The certificate whose SHA-1 thumbprint is `thumbprint_hex` (40 hex digits), or an
// empty context. Throws std::invalid_argument on a non-hex digit.
CertContext find_by_sha1(HCERTSTORE store, std::string_view thumbprint_hex);

}  // namespace ndes::win
