// The `certstore` collector (Windows only): certificates in Windows system
// certificate stores (LocalMachine\My by default), with the same records, and so
// the same metrics and labels, as the `files` collector, plus
//   ndes_certificate_has_private_key            (CertificateRecord::has_private_key)
//   ndes_certificate_private_key_readable{thumbprint,identity,method}
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "certstore/cert_store.h"
#include "certstore/certstore_config.h"
#include "certstore/key_access.h"
#include "certstore/store_name.h"
#include "ndes/cert/parse.h"
#include "ndes/collect/collector.h"

namespace ndes::certstore {

inline constexpr const char* kCollector = "certstore";
inline constexpr const char* kReadableMetric = "ndes_certificate_private_key_readable";

// Who the SCEP application pool runs as: the iis collector reads it from
// applicationHost.config (iis::scep_pool_identity), and whoever builds the
// collector passes that in, so certstore needs no IIS code. nullopt (and *error)
// when it cannot tell; an empty function knows no pool.
using PoolIdentityLookup = std::function<std::optional<std::string>(std::string* error)>;

// The identities whose read access to each private key is reported: the
// configured key readers, else the SCEP application pool identity (when
// `scep_pool_identity` can tell) and the NDES service account.
std::vector<std::string> key_reader_identities(const CertstoreCollectorConfig& config,
                                               const PoolIdentityLookup& scep_pool_identity = {});

// How the collector reads a store and inspects a key; the real ones call
// CryptoAPI (read_store, inspect_key), tests put fakes in.
struct StoreAccess {
  std::function<StoreRead(const StoreName&)> read = read_store;
  std::function<KeyState(const PrivateKeyRef&)> inspect = inspect_key;
  std::function<ReadCheck(std::span<const std::uint8_t>, const Identity&)> can_read = can_read_key;
  // The default key reader besides the service account (key_reader_identities).
  PoolIdentityLookup scep_pool_identity;
};

class CertstoreCollector : public Collector {
 public:
  // Throws std::invalid_argument when a configured store name is malformed.
  // access.scep_pool_identity finds the SCEP pool's identity, a default key reader.
  CertstoreCollector(const CertstoreCollectorConfig& config, const TemplateNames& template_names,
                     StoreAccess access = {});
  std::string_view name() const override { return kCollector; }
  CollectorResult collect() override;

  const std::vector<StoreName>& stores() const { return stores_; }

 private:
  void add_store(const StoreName& store, CollectorResult& out);
  void add_readable(const std::string& source, const std::string& thumbprint,
                    std::span<const std::uint8_t> security_descriptor,
                    const std::vector<Identity>& readers, CollectorResult& out);
  std::vector<Identity> identities();

  std::vector<StoreName> stores_;
  std::vector<std::string> identity_names_;
  TemplateNames template_names_;
  StoreAccess access_;

  std::mutex mutex_;
  std::map<std::string, Identity> resolved_;  // identity name -> SID, once resolved
  std::atomic<bool> warned_note_{false};      // logged once: ReadCheck::note
};

}  // namespace ndes::certstore
