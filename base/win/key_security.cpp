#include "base/win/key_security.h"

namespace ndes::win {

unsigned long read_capi_key_security(HCRYPTPROV key, unsigned long parts, SecurityDescriptor& sd) {
  DWORD size = 0;
  if (!CryptGetProvParam(key, PP_KEYSET_SEC_DESCR, nullptr, &size, parts) || size == 0) {
    return GetLastError();
  }
  sd.assign(size, 0);
  if (!CryptGetProvParam(key, PP_KEYSET_SEC_DESCR, sd.data(), &size, parts)) {
    return GetLastError();
  }
  sd.resize(size);
  return ERROR_SUCCESS;
}

unsigned long write_capi_key_security(HCRYPTPROV key, unsigned long parts,
                                      const SecurityDescriptor& sd) {
  if (!CryptSetProvParam(key, PP_KEYSET_SEC_DESCR, sd.data(), parts)) {
    return GetLastError();
  }
  return ERROR_SUCCESS;
}

long read_cng_key_security(NCRYPT_KEY_HANDLE key, unsigned long parts, SecurityDescriptor& sd) {
  DWORD size = 0;
  SECURITY_STATUS st =
      NCryptGetProperty(key, NCRYPT_SECURITY_DESCR_PROPERTY, nullptr, 0, &size, parts);
  if (st != ERROR_SUCCESS || size == 0) {
    sd.clear();
    return st;
  }
  sd.assign(size, 0);
  st = NCryptGetProperty(key, NCRYPT_SECURITY_DESCR_PROPERTY, sd.data(), size, &size, parts);
  if (st != ERROR_SUCCESS) {
    return st;
  }
  sd.resize(size);
  return ERROR_SUCCESS;
}

long write_cng_key_security(NCRYPT_KEY_HANDLE key, unsigned long parts,
                            const SecurityDescriptor& sd) {
  return NCryptSetProperty(key, NCRYPT_SECURITY_DESCR_PROPERTY, const_cast<PBYTE>(sd.data()),
                           static_cast<DWORD>(sd.size()), parts);
}

unsigned long lookup_account_sid(const std::wstring& account, std::vector<std::uint8_t>& sid) {
  DWORD sid_size = 0;
  DWORD domain_size = 0;
  SID_NAME_USE use{};
  LookupAccountNameW(nullptr, account.c_str(), nullptr, &sid_size, nullptr, &domain_size, &use);
  if (sid_size == 0) {
    return GetLastError();
  }
  sid.assign(sid_size, 0);
  std::wstring domain(domain_size + 1, L'\0');
  if (!LookupAccountNameW(nullptr, account.c_str(), sid.data(), &sid_size, domain.data(),
                          &domain_size, &use)) {
    return GetLastError();
  }
  sid.resize(GetLengthSid(sid.data()));
  return ERROR_SUCCESS;
}

}  // namespace ndes::win
