// Reading a Windows system certificate store, read-only: each certificate's DER,
// whether it is archived, and where its private key lives (CAPI container or CNG
// key) with the key's security descriptor.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "certstore/store_name.h"

namespace ndes::certstore {

enum class KeyProvider {
  none,  // no CERT_KEY_PROV_INFO_PROP_ID: the store holds no private key
  capi,  // a CryptoAPI CSP container (MachineKeys for LocalMachine keys)
  cng,   // a CNG key storage provider key (Crypto\Keys)
};

// The certificate's CERT_KEY_PROV_INFO_PROP_ID, as plain values.
struct PrivateKeyRef {
  KeyProvider provider = KeyProvider::none;
  std::wstring container;
  std::wstring provider_name;
  std::uint32_t provider_type = 0;  // 0 for CNG
  std::uint32_t flags = 0;          // CRYPT_MACHINE_KEYSET / NCRYPT_MACHINE_KEY_FLAG...
  std::uint32_t key_spec = 0;
};

struct StoreEntry {
  std::vector<std::uint8_t> der;
  bool archived = false;  // CERT_ARCHIVED_PROP_ID
  PrivateKeyRef key;
};

struct StoreRead {
  bool opened = false;
  std::uint32_t error = 0;  // GetLastError() when not opened
  std::string detail;
  std::vector<StoreEntry> entries;
};

// Opens the system store read-only (CERT_STORE_READONLY_FLAG |
// CERT_STORE_OPEN_EXISTING_FLAG; archived certificates are not asked for) and
// copies out every certificate.
StoreRead read_store(const StoreName& name);

// What opening the private key found.
struct KeyState {
  // The provider opened the key. False when it is gone or this account may not
  // open it (both give NTE_BAD_KEYSET), or the provider is missing.
  bool exists = false;
  // The key's self-relative security descriptor (owner, group, DACL), when it
  // could be read.
  std::optional<std::vector<std::uint8_t>> security_descriptor;
  std::string error;  // why the descriptor is missing, or ""
};

// Opens the key silently (no UI) and reads its security descriptor: CAPI through
// CryptAcquireContext + PP_KEYSET_SEC_DESCR, CNG through NCryptOpenKey +
// NCRYPT_SECURITY_DESCR_PROPERTY. The key material is never used.
KeyState inspect_key(const PrivateKeyRef& key);

}  // namespace ndes::certstore
