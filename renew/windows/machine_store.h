// LocalMachine\My for the store and key steps, closed when it goes away. A writable
// store is committed before it is closed: a registry store may cache changes until
// CERT_STORE_CTRL_COMMIT (wine does; Windows writes through, where the commit is a
// no-op), and commit() lets the caller report a failed write-back.
#pragma once

#include <optional>
#include <string>

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

}  // namespace ndes::renew::windows
