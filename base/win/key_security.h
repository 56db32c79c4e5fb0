// A private key's security descriptor, read and written through the key's own
// provider: CryptoAPI keys through PP_KEYSET_SEC_DESCR, CNG keys through
// NCRYPT_SECURITY_DESCR_PROPERTY. `parts` is a SECURITY_INFORMATION mask (owner,
// group, DACL). The certstore collector reads it; the renew hook adds a reader.
// Each returns 0 (ERROR_SUCCESS) or the failure's code (GetLastError, or the CNG
// SECURITY_STATUS), for the caller to word. Windows only (key_security.cpp).
#pragma once

// clang-format off
#include <windows.h>
#include <wincrypt.h>
#include <ncrypt.h>
// clang-format on

#include <cstdint>
#include <string>
#include <vector>

namespace ndes::win {

using SecurityDescriptor = std::vector<std::uint8_t>;  // self-relative

// A descriptor of zero bytes is an error too (GetLastError's code then).
unsigned long read_capi_key_security(HCRYPTPROV key, unsigned long parts, SecurityDescriptor& sd);
unsigned long write_capi_key_security(HCRYPTPROV key, unsigned long parts,
                                      const SecurityDescriptor& sd);

// A descriptor of zero bytes is returned as it is, with 0.
long read_cng_key_security(NCRYPT_KEY_HANDLE key, unsigned long parts, SecurityDescriptor& sd);
long write_cng_key_security(NCRYPT_KEY_HANDLE key, unsigned long parts,
                            const SecurityDescriptor& sd);

// The binary SID of an account name (LookupAccountName: "DOMAIN\user",
// "NT AUTHORITY\NETWORK SERVICE"...); 0 or GetLastError's code.
unsigned long lookup_account_sid(const std::wstring& account, std::vector<std::uint8_t>& sid);

}  // namespace ndes::win
