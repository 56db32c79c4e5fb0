#include "base/win/cert_store.h"

#include <string>
#include <vector>

#include "base/win/utf16.h"

namespace ndes::win {

CertStoreHandle open_system_store(unsigned long location_flag, std::string_view store,
                                  bool writable) {
  const std::wstring name = widen(store);
  return CertStoreHandle(CertOpenStore(
      CERT_STORE_PROV_SYSTEM_W, 0, 0,
      location_flag | CERT_STORE_OPEN_EXISTING_FLAG | (writable ? 0 : CERT_STORE_READONLY_FLAG),
      name.c_str()));
}

CertContext find_by_sha1(HCERTSTORE store, std::string_view thumbprint_hex) {
  std::vector<BYTE> hash;
  for (std::size_t i = 0; i + 1 < thumbprint_hex.size(); i += 2) {
    hash.push_back(
        static_cast<BYTE>(std::stoi(std::string(thumbprint_hex.substr(i, 2)), nullptr, 16)));
  }
  CRYPT_HASH_BLOB blob{static_cast<DWORD>(hash.size()), hash.data()};
  return CertContext(CertFindCertificateInStore(store, X509_ASN_ENCODING | PKCS_7_ASN_ENCODING, 0,
                                                CERT_FIND_SHA1_HASH, &blob, nullptr));
}

}  // namespace ndes::win
