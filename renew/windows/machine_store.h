// LocalMachine\My for the store and key steps, closed when it goes away. A writable
// store is committed before it is closed: a registry store may cache changes until
// CERT_STORE_CTRL_COMMIT (wine does; Windows writes through, where the commit is a
// no-op), and commit() lets the caller report a failed write-back.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/win/cert_store.h"
#include "ndes/cert/certificate.h"

namespace ndes::renew::windows {

class MachineStore {
 public:
  explicit MachineStore(bool writable)
      : writable_(writable),
        store_(win::open_system_store(CERT_SYSTEM_STORE_LOCAL_MACHINE, "My", writable)) {}
  ~MachineStore() {
    if (store_ && writable_) {
      commit();
    }
  }
  MachineStore(const MachineStore&) = delete;
  MachineStore& operator=(const MachineStore&) = delete;

  HCERTSTORE get() const { return store_.get(); }
  // Writes the changes back now; false (GetLastError) when that fails.
  bool commit() const {
    return CertControlStore(store_.get(), 0, CERT_STORE_CTRL_COMMIT, nullptr) != FALSE;
  }

 private:
  bool writable_ = false;
  win::CertStoreHandle store_;
};

// The certificate as our model has it; nullopt when its DER does not parse.
std::optional<Certificate> to_model(PCCERT_CONTEXT ctx);

// Whether the store links a private key to the certificate: a key provider property
// (CERT_KEY_PROV_INFO_PROP_ID, or a CNG key handle CERT_NCRYPT_KEY_HANDLE_PROP_ID). It
// says where the key is, not that the key container still exists.
bool has_private_key(PCCERT_CONTEXT ctx);

// A machine store holds tens of certificates; past this a listing is refused, not cut.
inline constexpr std::size_t kMaxStoreCertificates = 10000;

// Every certificate of `store` that parses, at most `max` (false when there are more).
bool models_in(HCERTSTORE store, std::size_t max, std::vector<Certificate>* out);

}  // namespace ndes::renew::windows
