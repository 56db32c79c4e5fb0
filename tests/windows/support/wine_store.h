// Filling a real system certificate store (under wine: the prefix's registry) for
// the certstore tests and the exporter-under-wine test: certificates with and
// without private keys, archived ones, and key ACLs. Windows only.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace ndes::test::winstore {

// Removes every certificate from LocalMachine\<store> (and forgets nothing else).
void clear(const std::wstring& store);

// Adds a DER certificate, without a key. Returns its thumbprint (uppercase hex).
std::string add_der(const std::wstring& store, const std::filesystem::path& der);

// Imports a PKCS#12 file into the machine key set (PFXImportCertStore with
// CRYPT_MACHINE_KEYSET) and adds its certificate with the key link. Returns the
// thumbprint. Wine's PFXImportCertStore leaves CRYPT_MACHINE_KEYSET out of the key
// provider info and puts every key into the provider's one default container; under
// wine the key is moved into a container of its own ("ndes-test-<thumbprint>"), as
// Windows gives each imported key its own container.
// `machine_keyset` false puts the key into the user key set instead (under wine:
// wine's CryptAcquireCertificatePrivateKey opens only user keys).
std::string add_pfx(const std::wstring& store, const std::filesystem::path& pfx,
                    const std::string& passphrase, bool machine_keyset = true);

// True when running under wine.
bool under_wine();

// Marks the certificate archived (CERT_ARCHIVED_PROP_ID). False, with *error,
// where the platform cannot (wine does not implement the property).
bool archive(const std::wstring& store, const std::string& thumbprint, std::string* error);

// Replaces the DACL of the certificate's private key (a CAPI machine key) with the
// one in `sddl`, e.g. "D:P(A;;GA;;;SY)(A;;GR;;;S-1-5-82-...)".
void set_key_dacl(const std::wstring& store, const std::string& thumbprint,
                  const std::wstring& sddl);

// Deletes the certificate's private key container, leaving the certificate
// pointing at a key that is gone (as after a botched migration).
void delete_key(const std::wstring& store, const std::string& thumbprint);

// The SDDL of the certificate's private key security descriptor (DACL only).
std::wstring key_dacl(const std::wstring& store, const std::string& thumbprint);

// Thumbprints in LocalMachine\<store>.
std::vector<std::string> thumbprints(const std::wstring& store);

}  // namespace ndes::test::winstore
