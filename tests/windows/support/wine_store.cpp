#include "support/wine_store.h"

// clang-format off
#include <windows.h>
#include <wincrypt.h>
#include <sddl.h>
// clang-format on

#include <array>
#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>

#include "base/win/cert_store.h"

namespace ndes::test::winstore {
namespace {

std::runtime_error failure(const std::string& what) {
  char code[16];
  wsprintfA(code, "0x%08lX", GetLastError());
  return std::runtime_error(what + " failed: " + code);
}

struct StoreCloser {
  void operator()(void* h) const {
    if (h != nullptr) {
      // Wine writes a registry store back when it is closed: commit first so an
      // outstanding context cannot keep the changes in memory.
      CertControlStore(static_cast<HCERTSTORE>(h), 0, CERT_STORE_CTRL_COMMIT, nullptr);
      CertCloseStore(static_cast<HCERTSTORE>(h), 0);
    }
  }
};
using StorePtr = std::unique_ptr<void, StoreCloser>;

using ContextPtr = win::CertContext;

StorePtr open_writable(const std::wstring& store) {
  StorePtr s(CertOpenStore(CERT_STORE_PROV_SYSTEM_W, 0, 0, CERT_SYSTEM_STORE_LOCAL_MACHINE,
                           store.c_str()));
  if (!s) {
    throw failure("CertOpenStore(LocalMachine\\" + std::string(store.begin(), store.end()) + ")");
  }
  return s;
}

std::vector<BYTE> read_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) {
    throw std::runtime_error("cannot read " + p.string());
  }
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string thumbprint_of(PCCERT_CONTEXT c) {
  std::array<BYTE, 20> hash{};
  DWORD size = static_cast<DWORD>(hash.size());
  if (!CertGetCertificateContextProperty(c, CERT_SHA1_HASH_PROP_ID, hash.data(), &size)) {
    throw failure("CERT_SHA1_HASH_PROP_ID");
  }
  static const char* const kHex = "0123456789ABCDEF";
  std::string out;
  for (DWORD i = 0; i < size; ++i) {
    out += kHex[hash[i] >> 4];
    out += kHex[hash[i] & 0xF];
  }
  return out;
}

ContextPtr find(HCERTSTORE store, const std::string& thumbprint) {
  if (thumbprint.size() != 40) {
    throw std::runtime_error("not a thumbprint: " + thumbprint);
  }
  ContextPtr c = win::find_by_sha1(store, thumbprint);
  if (!c) {
    throw failure("finding " + thumbprint);
  }
  return c;
}

std::vector<BYTE> prov_info_bytes(PCCERT_CONTEXT c) {
  DWORD size = 0;
  if (!CertGetCertificateContextProperty(c, CERT_KEY_PROV_INFO_PROP_ID, nullptr, &size)) {
    throw failure("CERT_KEY_PROV_INFO_PROP_ID");
  }
  std::vector<BYTE> buf(size);
  if (!CertGetCertificateContextProperty(c, CERT_KEY_PROV_INFO_PROP_ID, buf.data(), &size)) {
    throw failure("CERT_KEY_PROV_INFO_PROP_ID");
  }
  return buf;
}

HCRYPTPROV open_key(PCCERT_CONTEXT c) {
  const std::vector<BYTE> buf = prov_info_bytes(c);
  const auto* info = reinterpret_cast<const CRYPT_KEY_PROV_INFO*>(buf.data());
  HCRYPTPROV prov = 0;
  if (!CryptAcquireContextW(&prov, info->pwszContainerName, info->pwszProvName, info->dwProvType,
                            (info->dwFlags & CRYPT_MACHINE_KEYSET) | CRYPT_SILENT)) {
    throw failure("CryptAcquireContext");
  }
  return prov;
}

}  // namespace

bool under_wine() {
  HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
  return ntdll != nullptr && GetProcAddress(ntdll, "wine_get_version") != nullptr;
}

namespace {

// Wine's PFXImportCertStore puts every imported key into the provider's default
// container (named after the user), so a second import overwrites the first key;
// Windows gives each key its own container. This moves the key into a container of
// its own ("ndes-test-<thumbprint>") and points the certificate at it.
void rehome_key(PCCERT_CONTEXT c, CRYPT_KEY_PROV_INFO* info, const std::wstring& container,
                bool machine_keyset) {
  const DWORD machine = CRYPT_MACHINE_KEYSET;
  const DWORD target = machine_keyset ? CRYPT_MACHINE_KEYSET : 0;
  HCRYPTPROV from = 0;
  if (!CryptAcquireContextW(&from, info->pwszContainerName, info->pwszProvName, info->dwProvType,
                            machine | CRYPT_SILENT)) {
    throw failure("CryptAcquireContext(imported key)");
  }
  HCRYPTKEY key = 0;
  // Wine leaves the key spec 0; the key is an exchange key.
  DWORD spec = info->dwKeySpec;
  if (spec == 0 || !CryptGetUserKey(from, spec, &key)) {
    spec = AT_KEYEXCHANGE;
    if (!CryptGetUserKey(from, spec, &key)) {
      spec = AT_SIGNATURE;
      if (!CryptGetUserKey(from, spec, &key)) {
        CryptReleaseContext(from, 0);
        throw failure("CryptGetUserKey");
      }
    }
  }
  info->dwKeySpec = spec;
  DWORD size = 0;
  CryptExportKey(key, 0, PRIVATEKEYBLOB, 0, nullptr, &size);
  std::vector<BYTE> blob(size);
  const BOOL exported = CryptExportKey(key, 0, PRIVATEKEYBLOB, 0, blob.data(), &size);
  CryptDestroyKey(key);
  CryptReleaseContext(from, 0);
  if (!exported) {
    throw failure("CryptExportKey");
  }
  HCRYPTPROV to = 0;
  // A container left over from an earlier run goes first.
  CryptAcquireContextW(&to, container.c_str(), info->pwszProvName, info->dwProvType,
                       target | CRYPT_DELETEKEYSET);
  if (!CryptAcquireContextW(&to, container.c_str(), info->pwszProvName, info->dwProvType,
                            target | CRYPT_NEWKEYSET)) {
    throw failure("CryptAcquireContext(CRYPT_NEWKEYSET)");
  }
  HCRYPTKEY imported = 0;
  const BOOL ok = CryptImportKey(to, blob.data(), size, 0, CRYPT_EXPORTABLE, &imported);
  SecureZeroMemory(blob.data(), blob.size());
  if (!ok) {
    CryptReleaseContext(to, 0);
    throw failure("CryptImportKey");
  }
  CryptDestroyKey(imported);
  CryptReleaseContext(to, 0);
  // The default container is shared by every import: empty it.
  CryptAcquireContextW(&from, info->pwszContainerName, info->pwszProvName, info->dwProvType,
                       machine | CRYPT_DELETEKEYSET);
  info->pwszContainerName = const_cast<LPWSTR>(container.c_str());
  info->dwFlags = (info->dwFlags & ~static_cast<DWORD>(CRYPT_MACHINE_KEYSET)) | target;
  if (!CertSetCertificateContextProperty(c, CERT_KEY_PROV_INFO_PROP_ID, 0, info)) {
    throw failure("CERT_KEY_PROV_INFO_PROP_ID");
  }
}

}  // namespace

void clear(const std::wstring& store) {
  StorePtr s = open_writable(store);
  for (;;) {
    PCCERT_CONTEXT c = CertEnumCertificatesInStore(s.get(), nullptr);
    if (c == nullptr) {
      break;
    }
    // CertDeleteCertificateFromStore frees the context, also on failure.
    if (!CertDeleteCertificateFromStore(c)) {
      throw failure("CertDeleteCertificateFromStore");
    }
  }
}

std::string add_der(const std::wstring& store, const std::filesystem::path& der) {
  StorePtr s = open_writable(store);
  const std::vector<BYTE> bytes = read_bytes(der);
  PCCERT_CONTEXT added = nullptr;
  if (!CertAddEncodedCertificateToStore(s.get(), X509_ASN_ENCODING, bytes.data(),
                                        static_cast<DWORD>(bytes.size()),
                                        CERT_STORE_ADD_REPLACE_EXISTING, &added)) {
    throw failure("CertAddEncodedCertificateToStore(" + der.string() + ")");
  }
  ContextPtr owned(added);
  return thumbprint_of(added);
}

std::string add_pfx(const std::wstring& store, const std::filesystem::path& pfx,
                    const std::string& passphrase, bool machine_keyset) {
  std::vector<BYTE> bytes = read_bytes(pfx);
  CRYPT_DATA_BLOB blob{static_cast<DWORD>(bytes.size()), bytes.data()};
  const std::wstring pass(passphrase.begin(), passphrase.end());
  HCERTSTORE imported_raw =
      PFXImportCertStore(&blob, pass.c_str(), CRYPT_MACHINE_KEYSET | CRYPT_EXPORTABLE);
  if (imported_raw == nullptr) {
    throw failure("PFXImportCertStore(" + pfx.string() + ")");
  }
  const win::CertStoreHandle imported(imported_raw);

  StorePtr s = open_writable(store);
  std::string thumbprint;
  PCCERT_CONTEXT c = nullptr;
  while ((c = CertEnumCertificatesInStore(imported.get(), c)) != nullptr) {
    DWORD size = 0;
    if (!CertGetCertificateContextProperty(c, CERT_KEY_PROV_INFO_PROP_ID, nullptr, &size)) {
      continue;  // a chain certificate without a key
    }
    std::vector<BYTE> buf = prov_info_bytes(c);
    auto* info = reinterpret_cast<CRYPT_KEY_PROV_INFO*>(buf.data());
    if (under_wine()) {
      const std::string t = thumbprint_of(c);
      rehome_key(c, info, L"ndes-test-" + std::wstring(t.begin(), t.end()), machine_keyset);
    }
    PCCERT_CONTEXT added = nullptr;
    if (!CertAddCertificateContextToStore(s.get(), c, CERT_STORE_ADD_REPLACE_EXISTING, &added)) {
      throw failure("CertAddCertificateContextToStore");
    }
    ContextPtr owned(added);
    thumbprint = thumbprint_of(added);
  }
  if (thumbprint.empty()) {
    throw std::runtime_error(pfx.string() + " holds no certificate with a key");
  }
  return thumbprint;
}

bool archive(const std::wstring& store, const std::string& thumbprint, std::string* error) {
  StorePtr s = open_writable(store);
  ContextPtr c = find(s.get(), thumbprint);
  CRYPT_DATA_BLOB empty{0, nullptr};
  if (!CertSetCertificateContextProperty(c.get(), CERT_ARCHIVED_PROP_ID, 0, &empty)) {
    if (error != nullptr) {
      char code[16];
      wsprintfA(code, "0x%08lX", GetLastError());
      *error = std::string("CertSetCertificateContextProperty(CERT_ARCHIVED_PROP_ID): ") + code;
    }
    return false;
  }
  return true;
}

void set_key_dacl(const std::wstring& store, const std::string& thumbprint,
                  const std::wstring& sddl) {
  StorePtr s = open_writable(store);
  ContextPtr c = find(s.get(), thumbprint);
  HCRYPTPROV prov = open_key(c.get());
  PSECURITY_DESCRIPTOR sd = nullptr;
  if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl.c_str(), SDDL_REVISION_1, &sd,
                                                            nullptr)) {
    CryptReleaseContext(prov, 0);
    throw failure("ConvertStringSecurityDescriptorToSecurityDescriptor");
  }
  const BOOL ok = CryptSetProvParam(prov, PP_KEYSET_SEC_DESCR, static_cast<const BYTE*>(sd),
                                    DACL_SECURITY_INFORMATION);
  const DWORD err = GetLastError();
  LocalFree(sd);
  CryptReleaseContext(prov, 0);
  if (!ok) {
    SetLastError(err);
    throw failure("CryptSetProvParam(PP_KEYSET_SEC_DESCR)");
  }
}

void delete_key(const std::wstring& store, const std::string& thumbprint) {
  StorePtr s = open_writable(store);
  ContextPtr c = find(s.get(), thumbprint);
  const std::vector<BYTE> buf = prov_info_bytes(c.get());
  const auto* info = reinterpret_cast<const CRYPT_KEY_PROV_INFO*>(buf.data());
  HCRYPTPROV prov = 0;
  if (!CryptAcquireContextW(&prov, info->pwszContainerName, info->pwszProvName, info->dwProvType,
                            (info->dwFlags & CRYPT_MACHINE_KEYSET) | CRYPT_DELETEKEYSET)) {
    throw failure("CryptAcquireContext(CRYPT_DELETEKEYSET)");
  }
}

std::wstring key_dacl(const std::wstring& store, const std::string& thumbprint) {
  StorePtr s = open_writable(store);
  ContextPtr c = find(s.get(), thumbprint);
  HCRYPTPROV prov = open_key(c.get());
  DWORD size = 0;
  CryptGetProvParam(prov, PP_KEYSET_SEC_DESCR, nullptr, &size, DACL_SECURITY_INFORMATION);
  std::vector<BYTE> sd(size);
  const BOOL ok =
      CryptGetProvParam(prov, PP_KEYSET_SEC_DESCR, sd.data(), &size, DACL_SECURITY_INFORMATION);
  CryptReleaseContext(prov, 0);
  if (!ok) {
    throw failure("CryptGetProvParam(PP_KEYSET_SEC_DESCR)");
  }
  LPWSTR text = nullptr;
  if (!ConvertSecurityDescriptorToStringSecurityDescriptorW(
          sd.data(), SDDL_REVISION_1, DACL_SECURITY_INFORMATION, &text, nullptr)) {
    throw failure("ConvertSecurityDescriptorToStringSecurityDescriptor");
  }
  std::wstring out = text;
  LocalFree(text);
  return out;
}

std::vector<std::string> thumbprints(const std::wstring& store) {
  StorePtr s = open_writable(store);
  std::vector<std::string> out;
  PCCERT_CONTEXT c = nullptr;
  while ((c = CertEnumCertificatesInStore(s.get(), c)) != nullptr) {
    out.push_back(thumbprint_of(c));
  }
  return out;
}

}  // namespace ndes::test::winstore
