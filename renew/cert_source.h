// Where the hook looks up the certificates an alert names before it acts (target_check.h):
// LocalMachine\My on Windows (renew/windows/store_source.cpp), or the certificate files
// the command executor is configured with (--verify.files.path, read with the core
// parser). A source that cannot be read says why; it never guesses.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "renew/target_check.h"

namespace ndes::renew {

class CertificateSource {
 public:
  virtual ~CertificateSource() = default;
  // For the record: "LocalMachine\My", "files /etc/ndes/ra/*.pem".
  virtual std::string name() const = 0;
  // Every certificate the source holds; nullopt (with *error) when it cannot be read.
  virtual std::optional<std::vector<SourceCertificate>> list(std::string* error) const = 0;
};

// The certificate files (or directories of them) at `paths`, read with the core parser on
// every call (a renewal is rare; a stale cache could let an expired certificate through).
// has_private_key is unknown for them.
std::unique_ptr<CertificateSource> make_files_source(std::vector<std::string> paths);

// LocalMachine\My, with whether each certificate's private key is there. Windows only
// (renew/windows/store_source.cpp), called only from renew/main_windows.cpp.
std::unique_ptr<CertificateSource> make_machine_store_source();

}  // namespace ndes::renew
