// The decisions of remove_superseded (plan.h), pure so they are tested on every
// platform: which certificates of LocalMachine\My go, how the backup files are named,
// the backup password, and what an export failure means for the admin. The Windows
// shell is renew/windows/store_steps.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ndes/cert/certificate.h"

namespace ndes::renew {

// At most this many certificates are removed by one step.
inline constexpr std::size_t kMaxRemovals = 64;

struct RemovalChoice {
  std::vector<std::string> remove;  // thumbprints in the store, uppercase
  std::vector<std::string> absent;  // thumbprints asked for that are not there (said, not errors)
  std::string error;                // set: nothing may be removed, and why
};

// The certificates of `store` that remove_superseded removes, from its step params:
// - `thumbprints` (comma-separated): exactly these; one that is not in the store is
//   absent. A "new_thumbprint.*" fact among them is an error (it is the one to keep).
// - `templates` (comma-separated): every certificate of these templates (case-insensitive)
//   except the "new_thumbprint.*" facts. Each template must have one of those new
//   certificates in the store: otherwise removing "the others" would leave NDES with no
//   certificate of that template at all.
// Exactly one of the two must be given.
RemovalChoice choose_removals(const std::map<std::string, std::string>& params,
                              const std::vector<Certificate>& store,
                              const std::map<std::string, std::string>& facts);

// "<dir>\<THUMBPRINT>.pfx" and its password file "<dir>\<THUMBPRINT>.pfx.password".
std::string backup_pfx_path(std::string_view dir, std::string_view thumbprint);
std::string backup_password_path(std::string_view dir, std::string_view thumbprint);

// Letters and digits drawn from `random` (unbiased: a byte outside the largest multiple
// of 62 is skipped), up to `length` characters; shorter when `random` runs out (the
// caller then asks for more). Only letters and digits, so the password can be pasted into
// cmd and PowerShell unquoted.
std::string password_from_random(std::span<const std::uint8_t> random, std::size_t length);
inline constexpr std::size_t kBackupPasswordLength = 32;  // ~190 bits

// Why PFXExportCertStoreEx could not export a certificate with its key, and what the
// admin should do, for the error code it left (GetLastError, as an unsigned HRESULT).
std::string export_failure_advice(std::uint32_t code);

}  // namespace ndes::renew
