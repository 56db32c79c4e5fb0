#include "certstore/certstore_collector.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "base/log.h"
#include "base/text.h"
#include "ndes/cert/classify.h"
#include "ndes/cert/parse.h"

namespace ndes::certstore {
namespace {

constexpr const char* kReadableHelp =
    "1 if the identity can read the certificate's private key (Windows store only); method: "
    "authz (Authz with the account's directory groups) or dacl (the key's DACL against the "
    "token Windows builds for a service identity).";

void add_unique(std::vector<std::string>& names, const std::string& name) {
  if (!name.empty() && std::find(names.begin(), names.end(), name) == names.end()) {
    names.push_back(name);
  }
}

ReadError reason_for(std::uint32_t win32_error) {
  return win32_error == 5 /* ERROR_ACCESS_DENIED */ ? ReadError::permission_denied
                                                    : ReadError::read_failed;
}

}  // namespace

std::vector<std::string> key_reader_identities(const CertstoreCollectorConfig& config,
                                               const PoolIdentityLookup& scep_pool_identity) {
  std::vector<std::string> names;
  for (const auto& n : config.key_readers) {
    add_unique(names, n);
  }
  if (!names.empty()) {
    return names;
  }
  // The SCEP application pool's identity (what ndes_iis_app_pool_identity_info
  // reports), read from applicationHost.config once at start.
  std::string error = "no application pool lookup";
  if (auto pool = scep_pool_identity ? scep_pool_identity(&error) : std::nullopt) {
    add_unique(names, *pool);
  } else {
    log_debug("no SCEP application pool identity", {{"collector", "certstore"}, {"err", error}});
  }
  add_unique(names, config.service_account);
  return names;
}

CertstoreCollector::CertstoreCollector(const CertstoreCollectorConfig& config,
                                       const TemplateNames& template_names, StoreAccess access)
    : identity_names_(key_reader_identities(config, access.scep_pool_identity)),
      template_names_(template_names),
      access_(std::move(access)) {
  for (const auto& text : config.stores) {
    std::string error;
    auto parsed = parse_store_name(text, &error);
    if (!parsed) {
      throw std::invalid_argument("certstore collector: store " + error);
    }
    const bool seen = std::any_of(stores_.begin(), stores_.end(), [&](const StoreName& s) {
      return s.location_flag == parsed->location_flag && iequals(s.store, parsed->store);
    });
    if (!seen) {
      stores_.push_back(std::move(*parsed));
    }
  }
}

std::vector<Identity> CertstoreCollector::identities() {
  std::vector<Identity> out;
  std::lock_guard lock(mutex_);
  for (const auto& name : identity_names_) {
    auto it = resolved_.find(name);
    if (it == resolved_.end()) {
      std::string error;
      auto id = resolve_identity(name, &error);
      if (!id) {
        // Not cached: the account may appear later (IIS installed, domain back).
        log_warn("key reader identity not resolved", {{"collector", "certstore"}, {"err", error}});
        continue;
      }
      it = resolved_.emplace(name, std::move(*id)).first;
      log_debug(
          "key reader identity resolved",
          {{"collector", "certstore"}, {"identity", name}, {"sid", sid_to_string(it->second.sid)}});
    }
    out.push_back(it->second);
  }
  return out;
}

void CertstoreCollector::add_readable(const std::string& source, const std::string& thumbprint,
                                      std::span<const std::uint8_t> security_descriptor,
                                      const std::vector<Identity>& readers, CollectorResult& out) {
  for (const Identity& id : readers) {
    const ReadCheck check = access_.can_read(security_descriptor, id);
    if (!check.readable) {
      // No answer (Authz could not make a context, the descriptor is malformed): no
      // series, which could only be a guess, and a read error of the store instead.
      log_warn("cannot tell whether the identity can read the key",
               {{"collector", "certstore"},
                {"store", source},
                {"thumbprint", thumbprint},
                {"identity", id.name},
                {"method", std::string(to_string(check.method))},
                {"err", check.error}});
      out.errors.push_back(ReadErrorRecord{Origin{kCollector, source, ""},
                                           reason_for(check.error_code), check.error});
      continue;
    }
    if (!check.note.empty() && !warned_note_.exchange(true)) {
      log_info("key access is evaluated against the groups known locally",
               {{"collector", "certstore"}, {"identity", id.name}, {"err", check.note}});
    }
    out.samples.push_back(Sample{kReadableMetric,
                                 kReadableHelp,
                                 SampleType::gauge,
                                 {{"thumbprint", thumbprint},
                                  {"identity", id.name},
                                  {"method", std::string(to_string(check.method))}},
                                 *check.readable ? 1.0 : 0.0});
  }
}

void CertstoreCollector::add_store(const StoreName& store, CollectorResult& out) {
  const std::string source = store.canonical();
  out.sources.push_back(source);
  StoreRead read = access_.read(store);
  if (!read.opened) {
    log_warn("cannot read the store", {{"collector", "certstore"}, {"err", read.detail}});
    out.errors.push_back(
        ReadErrorRecord{Origin{kCollector, source, ""}, reason_for(read.error), read.detail});
    return;
  }
  const std::vector<Identity> readers = identities();
  std::size_t archived = 0;
  for (const StoreEntry& entry : read.entries) {
    if (entry.archived) {
      ++archived;  // superseded by renewal: NDES and certlm.msc ignore these too
      continue;
    }
    auto cert = parse_der_certificate(entry.der, &template_names_);
    if (!cert) {
      const std::string detail = source + ": a certificate in the store is not valid DER";
      log_warn("certificate not read", {{"collector", "certstore"}, {"err", detail}});
      out.errors.push_back(
          ReadErrorRecord{Origin{kCollector, source, ""}, ReadError::bad_der, detail});
      continue;
    }
    CertificateRecord record;
    record.origin = Origin{kCollector, source, ""};
    record.role = classify(*cert);
    record.cert = std::move(*cert);
    // The store links a private key (as certlm.msc's key icon and .NET's
    // HasPrivateKey say). Whether the key can be opened is another matter:
    // "Keyset does not exist" means it is gone or this account may not read it,
    // and Windows does not say which.
    const bool has_key = entry.key.provider != KeyProvider::none;
    KeyState key;
    if (has_key) {
      key = access_.inspect(entry.key);
      if (!key.security_descriptor) {
        log_warn("cannot read the private key's permissions",
                 {{"collector", "certstore"},
                  {"store", source},
                  {"thumbprint", record.cert.thumbprint},
                  {"err", key.error}});
      }
    }
    record.has_private_key = has_key;
    if (has_key && key.security_descriptor) {
      add_readable(source, record.cert.thumbprint, *key.security_descriptor, readers, out);
    }
    out.certificates.push_back(std::move(record));
  }
  if (archived > 0) {
    log_debug("archived certificates skipped",
              {{"collector", "certstore"}, {"store", source}, {"count", std::to_string(archived)}});
  }
}

CollectorResult CertstoreCollector::collect() {
  CollectorResult result;
  result.collector = kCollector;
  for (const StoreName& store : stores_) {
    add_store(store, result);
  }
  return result;
}

}  // namespace ndes::certstore
