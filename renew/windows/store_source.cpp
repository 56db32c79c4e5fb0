// LocalMachine\My as the hook's certificate source (renew/cert_source.h): every
// certificate in it as the core model, and whether the store links its private key.
// Opened afresh on every call: a renewal is rare, and a cached list could let a
// certificate through that was removed or replaced since.
#include <memory>

#include "base/win/error_text.h"
#include "renew/cert_source.h"
#include "renew/windows/machine_store.h"

namespace ndes::renew {
namespace {

class MachineStoreSource final : public CertificateSource {
 public:
  std::string name() const override { return "LocalMachine\\My"; }

  std::optional<std::vector<SourceCertificate>> list(std::string* error) const override {
    const windows::MachineStore store(false);
    if (store.get() == nullptr) {
      *error = "cannot open LocalMachine\\My: " + win::last_error_text();
      return std::nullopt;
    }
    std::vector<SourceCertificate> out;
    for (PCCERT_CONTEXT c = CertEnumCertificatesInStore(store.get(), nullptr); c != nullptr;
         c = CertEnumCertificatesInStore(store.get(), c)) {
      if (out.size() == windows::kMaxStoreCertificates) {
        CertFreeCertificateContext(c);
        *error = "LocalMachine\\My holds more than " +
                 std::to_string(windows::kMaxStoreCertificates) + " certificates";
        return std::nullopt;
      }
      // A certificate whose DER the core parser rejects cannot be the one an alert
      // names (the exporter parses with the same parser), so it is left out.
      if (auto model = windows::to_model(c)) {
        out.push_back({std::move(*model), windows::has_private_key(c)});
      }
    }
    return out;
  }
};

}  // namespace

std::unique_ptr<CertificateSource> make_machine_store_source() {
  return std::make_unique<MachineStoreSource>();
}

}  // namespace ndes::renew
