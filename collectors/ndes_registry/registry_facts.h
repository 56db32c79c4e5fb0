// The `ndes` collector's pure part: registry values (as RegQueryValueEx gives
// them) -> the NDES facts and their samples:
//   ndes_config_info{encryption_template,signature_template,
//                    general_purpose_template,enforce_password}       always 1
//   ndes_connector_last_connection_timestamp_seconds
//   ndes_connector_info{version,encryption_cert_thumbprint}          always 1
//   ndes_connector_encryption_cert_present
// Pure, so it is unit-tested on Linux and Windows alike; the registry reads and
// the store lookup are in ndes_collector.cpp (Windows).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ndes/collect/records.h"

namespace ndes::ndesreg {

inline constexpr const char* kCollector = "ndes";

// Where NDES and the Intune Certificate Connector keep their settings (under HKLM).
inline constexpr const char* kMscepKey = "SOFTWARE\\Microsoft\\Cryptography\\MSCEP";
inline constexpr const char* kConnectorKey =
    "SOFTWARE\\Microsoft\\MicrosoftIntune\\PFXCertificateConnector";

// One registry value, by kind (REG_SZ/REG_EXPAND_SZ, REG_DWORD, REG_QWORD, REG_BINARY).
struct RegValue {
  enum class Kind { text, dword, qword, binary } kind = Kind::text;
  std::string text;                 // text (UTF-8)
  std::uint64_t number = 0;         // dword, qword
  std::vector<std::uint8_t> bytes;  // binary
};

// A key's values by name (names as the registry has them; looked up
// case-insensitively), and its subkeys' values by subkey name.
struct RegKey {
  std::map<std::string, RegValue> values;
  std::map<std::string, RegKey> subkeys;
  const RegValue* value(const std::string& name) const;
  const RegKey* subkey(const std::string& name) const;
};

struct NdesConfig {
  std::string encryption_template;
  std::string signature_template;
  std::string general_purpose_template;
  std::optional<bool> enforce_password;  // MSCEP\EnforcePassword; nullopt = not set
};

struct ConnectorFacts {
  std::string version;
  std::string encryption_cert_thumbprint;  // upper-case hex, "" = none configured
  std::optional<double> last_connection;   // Unix seconds
  std::string last_connection_problem;     // why last_connection is missing, if it is set
};

// HKLM\...\MSCEP -> the template names and EnforcePassword (a value of the key, or
// of its EnforcePassword subkey, where NDES setup writes it).
NdesConfig ndes_config(const RegKey& mscep);

// HKLM\...\PFXCertificateConnector -> version, encryption cert thumbprint, and
// ConnectionStatus\LastConnectionTime.
ConnectorFacts connector_facts(const RegKey& connector);

// A registry time: REG_QWORD or 8-byte REG_BINARY FILETIME, a number (FILETIME or
// Unix seconds), ISO 8601 or US "M/D/YYYY h:mm:ss AM" text (UTC).
std::optional<double> registry_time(const RegValue& value);

// "ab 12 CD..." -> "AB12CD..."; "" when it is not 40 hex digits.
std::string normalize_thumbprint(const std::string& text);

std::vector<Sample> config_samples(const NdesConfig& config);
// `cert_present` is nullopt when the store could not be read.
std::vector<Sample> connector_samples(const ConnectorFacts& facts,
                                      std::optional<bool> cert_present);

}  // namespace ndes::ndesreg
