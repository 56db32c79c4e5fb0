#include "ndes_registry/registry_facts.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "base/text.h"
#include "common/win_time.h"

namespace ndes::ndesreg {
namespace {

template <typename Map>
auto find_ci(const Map& m, const std::string& name) -> decltype(&m.begin()->second) {
  const std::string want = lower(name);
  for (const auto& [k, v] : m) {
    if (lower(k) == want) {
      return &v;
    }
  }
  return nullptr;
}

std::string text_of(const RegValue* v) {
  if (v == nullptr) {
    return "";
  }
  return v->kind == RegValue::Kind::text ? trim(v->text) : std::to_string(v->number);
}

std::optional<bool> bool_of(const RegValue* v) {
  if (v == nullptr) {
    return std::nullopt;
  }
  if (v->kind == RegValue::Kind::dword || v->kind == RegValue::Kind::qword) {
    return v->number != 0;
  }
  const std::string t = lower(trim(v->text));
  if (t == "1" || t == "true" || t == "yes") {
    return true;
  }
  if (t == "0" || t == "false" || t == "no") {
    return false;
  }
  return std::nullopt;
}

Sample info(const char* name, const char* help, std::map<std::string, std::string> labels,
            double value) {
  return Sample{name, help, SampleType::gauge, std::move(labels), value};
}

}  // namespace

const RegValue* RegKey::value(const std::string& name) const { return find_ci(values, name); }
const RegKey* RegKey::subkey(const std::string& name) const { return find_ci(subkeys, name); }

NdesConfig ndes_config(const RegKey& mscep) {
  NdesConfig c;
  c.encryption_template = text_of(mscep.value("EncryptionTemplate"));
  c.signature_template = text_of(mscep.value("SignatureTemplate"));
  c.general_purpose_template = text_of(mscep.value("GeneralPurposeTemplate"));
  c.enforce_password = bool_of(mscep.value("EnforcePassword"));
  if (!c.enforce_password) {
    if (const RegKey* sub = mscep.subkey("EnforcePassword")) {
      c.enforce_password = bool_of(sub->value("EnforcePassword"));
    }
  }
  return c;
}

std::optional<double> registry_time(const RegValue& value) {
  const auto from_number = [](std::uint64_t n) -> std::optional<double> {
    if (auto t = wintime::filetime_to_unix(n)) {
      return t;  // FILETIME: anything past 1970 in 100 ns units is > 1.16e17
    }
    // Smaller: Unix seconds (up to year 5138), else not a time we know.
    return n > 0 && n < 100000000000ULL ? std::optional<double>(static_cast<double>(n))
                                        : std::nullopt;
  };
  switch (value.kind) {
    case RegValue::Kind::qword:
    case RegValue::Kind::dword:
      return from_number(value.number);
    case RegValue::Kind::binary: {
      if (value.bytes.size() != 8) {
        return std::nullopt;
      }
      std::uint64_t n = 0;
      for (int i = 7; i >= 0; --i) {
        n = (n << 8) | value.bytes[static_cast<std::size_t>(i)];
      }
      return from_number(n);
    }
    case RegValue::Kind::text: {
      const std::string t = trim(value.text);
      std::uint64_t n = 0;
      const auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
      if (!t.empty() && ec == std::errc() && p == t.data() + t.size()) {
        return from_number(n);
      }
      if (auto iso = wintime::parse_iso8601_utc(t)) {
        return iso;
      }
      return wintime::parse_us_datetime(t);
    }
  }
  return std::nullopt;
}

std::string normalize_thumbprint(const std::string& text) {
  // certlm.msc's "copy" puts a U+200E mark in front; spaces and colons separate bytes.
  std::string clean = text;
  for (std::size_t at; (at = clean.find("\xE2\x80\x8E")) != std::string::npos;) {
    clean.erase(at, 3);
  }
  std::string out;
  for (const char c : clean) {
    if (c == ' ' || c == ':' || c == '\t') {
      continue;
    }
    if (std::isxdigit(static_cast<unsigned char>(c)) == 0) {
      return "";
    }
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out.size() == 40 ? out : "";
}

ConnectorFacts connector_facts(const RegKey& connector) {
  ConnectorFacts f;
  f.version = text_of(connector.value("Version"));
  for (const char* name : {"EncryptionCertThumbprint", "EncryptionCertificateThumbprint"}) {
    if (const RegValue* v = connector.value(name)) {
      f.encryption_cert_thumbprint = normalize_thumbprint(v->text);
      break;
    }
  }
  const RegKey* status = connector.subkey("ConnectionStatus");
  const RegValue* last = status != nullptr ? status->value("LastConnectionTime") : nullptr;
  if (last != nullptr) {
    f.last_connection = registry_time(*last);
    if (!f.last_connection) {
      f.last_connection_problem =
          "ConnectionStatus\\LastConnectionTime is not a time we read (" + text_of(last) + ")";
    }
  }
  return f;
}

std::vector<Sample> config_samples(const NdesConfig& c) {
  return {info(
      "ndes_config_info", "The NDES (MSCEP) registry settings; always 1.",
      {{"encryption_template", c.encryption_template},
       {"signature_template", c.signature_template},
       {"general_purpose_template", c.general_purpose_template},
       {"enforce_password", c.enforce_password ? (*c.enforce_password ? "true" : "false") : ""}},
      1.0)};
}

std::vector<Sample> connector_samples(const ConnectorFacts& f, std::optional<bool> cert_present) {
  std::vector<Sample> out;
  out.push_back(info(
      "ndes_connector_info",
      "The Intune Certificate Connector's version and encryption certificate; "
      "always 1.",
      {{"version", f.version}, {"encryption_cert_thumbprint", f.encryption_cert_thumbprint}}, 1.0));
  if (f.last_connection) {
    out.push_back(info("ndes_connector_last_connection_timestamp_seconds",
                       "When the Intune Certificate Connector last connected to Intune.", {},
                       *f.last_connection));
  }
  if (!f.encryption_cert_thumbprint.empty() && cert_present) {
    out.push_back(info("ndes_connector_encryption_cert_present",
                       "1 if the connector's encryption certificate is in LocalMachine\\My.", {},
                       *cert_present ? 1.0 : 0.0));
  }
  return out;
}

}  // namespace ndes::ndesreg
