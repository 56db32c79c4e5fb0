// The `ndes` collector's Windows shell: reads HKLM\SOFTWARE\Microsoft\Cryptography\MSCEP
// and the Intune Certificate Connector's key (registry_facts.h turns the values
// into facts and samples), and looks the connector's encryption certificate up in
// LocalMachine\My. A key that is not there (NDES or the connector not installed)
// gives no series and is logged once; other registry failures fail the collection.
// clang-format off
#include <windows.h>
#include <wincrypt.h>
// clang-format on

#include "ndes_registry/ndes_collector.h"

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "base/log.h"
#include "base/win/cert_store.h"
#include "base/win/error_text.h"
#include "base/win/handles.h"
#include "base/win/utf16.h"
#include "ndes/collect/collector.h"
#include "ndes_registry/registry_facts.h"

namespace ndes::ndesreg {
namespace {

using win::RegKeyHandle;

RegValue to_value(DWORD type, const std::vector<BYTE>& data, DWORD size) {
  RegValue v;
  switch (type) {
    case REG_DWORD:
      v.kind = RegValue::Kind::dword;
      if (size >= 4) {
        v.number = data[0] | (data[1] << 8) | (data[2] << 16) | (std::uint64_t{data[3]} << 24);
      }
      break;
    case REG_QWORD:
      v.kind = RegValue::Kind::qword;
      for (int i = 7; i >= 0 && size >= 8; --i) {
        v.number = (v.number << 8) | data[static_cast<std::size_t>(i)];
      }
      break;
    case REG_SZ:
    case REG_EXPAND_SZ: {
      v.kind = RegValue::Kind::text;
      std::wstring w(reinterpret_cast<const wchar_t*>(data.data()), size / sizeof(wchar_t));
      while (!w.empty() && w.back() == L'\0') {
        w.pop_back();
      }
      v.text = win::narrow(w);
      break;
    }
    default:
      v.kind = RegValue::Kind::binary;
      v.bytes.assign(data.begin(), data.begin() + size);
      break;
  }
  return v;
}

// The key's values, and (depth > 0) its subkeys'. nullopt when the key is not there.
std::optional<RegKey> read_key(HKEY parent, const std::wstring& path, int depth) {
  HKEY raw = nullptr;
  LSTATUS rc = RegOpenKeyExW(parent, path.c_str(), 0, KEY_READ | KEY_WOW64_64KEY, &raw);
  if (rc == ERROR_FILE_NOT_FOUND) {
    return std::nullopt;
  }
  if (rc != ERROR_SUCCESS) {
    throw std::runtime_error("cannot open HKLM\\" + win::narrow(path) + ": " +
                             win::error_text(static_cast<unsigned long>(rc)));
  }
  RegKeyHandle key(raw);
  RegKey out;
  std::vector<wchar_t> name(16384);
  std::vector<BYTE> data(64 * 1024);
  for (DWORD i = 0;; ++i) {
    DWORD name_len = static_cast<DWORD>(name.size());
    DWORD type = 0;
    DWORD size = static_cast<DWORD>(data.size());
    rc = RegEnumValueW(key.get(), i, name.data(), &name_len, nullptr, &type, data.data(), &size);
    if (rc == ERROR_NO_MORE_ITEMS) {
      break;
    }
    if (rc == ERROR_MORE_DATA) {
      continue;  // a value over 64 KiB is none of the ones we read
    }
    if (rc != ERROR_SUCCESS) {
      throw std::runtime_error("cannot read HKLM\\" + win::narrow(path) + ": " +
                               win::error_text(static_cast<unsigned long>(rc)));
    }
    out.values[win::narrow(std::wstring(name.data(), name_len))] = to_value(type, data, size);
  }
  for (DWORD i = 0; depth > 0; ++i) {
    DWORD name_len = static_cast<DWORD>(name.size());
    rc = RegEnumKeyExW(key.get(), i, name.data(), &name_len, nullptr, nullptr, nullptr, nullptr);
    if (rc != ERROR_SUCCESS) {
      break;
    }
    const std::wstring sub(name.data(), name_len);
    if (auto child = read_key(key.get(), sub, depth - 1)) {
      out.subkeys[win::narrow(sub)] = std::move(*child);
    }
  }
  return out;
}

// Whether LocalMachine\My holds a certificate with this SHA-1 thumbprint; nullopt
// when the store cannot be opened.
std::optional<bool> in_machine_store(const std::string& thumbprint) {
  const win::CertStoreHandle store =
      win::open_system_store(CERT_SYSTEM_STORE_LOCAL_MACHINE, "My", /*writable=*/false);
  if (!store) {
    log_warn("cannot open LocalMachine\\My",
             {{"collector", "ndes"}, {"err", win::error_text(GetLastError())}});
    return std::nullopt;
  }
  return static_cast<bool>(win::find_by_sha1(store.get(), thumbprint));
}

class NdesCollector : public Collector {
 public:
  std::string_view name() const override { return kCollector; }

  CollectorResult collect() override {
    CollectorResult result;
    result.collector = kCollector;
    if (auto mscep = read_key(HKEY_LOCAL_MACHINE, win::widen(kMscepKey), 1)) {
      result.samples = config_samples(ndes_config(*mscep));
    } else if (!warned_mscep_.exchange(true)) {
      log_info("NDES is not installed here",
               {{"collector", "ndes"}, {"key", std::string("HKLM\\") + kMscepKey}});
    }
    if (auto key = read_key(HKEY_LOCAL_MACHINE, win::widen(kConnectorKey), 1)) {
      const ConnectorFacts facts = connector_facts(*key);
      if (!facts.last_connection_problem.empty()) {
        log_warn("connector reports a connection problem",
                 {{"collector", "ndes"}, {"problem", facts.last_connection_problem}});
      }
      std::optional<bool> present;
      if (!facts.encryption_cert_thumbprint.empty()) {
        present = in_machine_store(facts.encryption_cert_thumbprint);
      }
      for (auto& s : connector_samples(facts, present)) {
        result.samples.push_back(std::move(s));
      }
    } else if (!warned_connector_.exchange(true)) {
      log_info("the Intune Certificate Connector is not installed here",
               {{"collector", "ndes"}, {"key", std::string("HKLM\\") + kConnectorKey}});
    }
    return result;
  }

 private:
  std::atomic<bool> warned_mscep_{false};
  std::atomic<bool> warned_connector_{false};
};

}  // namespace

std::unique_ptr<Collector> make_collector() { return std::make_unique<NdesCollector>(); }

}  // namespace ndes::ndesreg
