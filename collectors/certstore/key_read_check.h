// Can an identity read a private key? The decision behind
// ndes_certificate_private_key_readable{method}: Authz for accounts whose groups
// the directory knows (users, gMSAs), the key's DACL against the token Windows
// builds for the service identities (token_groups.h). Pure: Authz sits behind
// AuthzCalls (one method per API call site, with the flags passed through), the
// DACL walk and the local group lookup behind functions. The Windows parts are in
// key_access.cpp and local_groups.cpp.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "certstore/token_groups.h"
#include "certstore/ttl_cache.h"

namespace ndes::certstore {

using Sid = std::vector<std::uint8_t>;  // a binary SID

struct Identity {
  std::string name;      // as configured: the `identity` label
  Sid sid;               // binary, for the Windows calls
  std::string sid_text;  // "S-1-5-20"
  IdentityKind kind = IdentityKind::account;
};

// The values passed to Authz, as the documentation names them (authz.h, winnt.h;
// key_access.cpp checks them against the SDK's macros).
//  AuthzInitializeResourceManager: AUTHZ_RM_FLAG_NO_AUDIT, "no auditing": the
//   exporter asks, it does not grant access.
inline constexpr std::uint32_t kAuthzRmFlagNoAudit = 0x1;
//  AuthzInitializeContextFromSid: 0, "the default: ... retrieve the user's token
//   group information by performing an S4U logon", else from the account object.
//   Not AUTHZ_SKIP_TOKEN_GROUPS (0x2), which would drop the domain groups that are
//   the reason to ask Authz; not AUTHZ_REQUIRE_S4U_LOGON (0x4), as the fallback to
//   the account object answers the same question.
inline constexpr std::uint32_t kContextFromSidFlags = 0x0;
//  AuthzAddSidsToContext: the added groups are SE_GROUP_ENABLED ("enabled for
//   access checks"; TOKEN_GROUPS in winnt.h).
inline constexpr std::uint32_t kSeGroupEnabled = 0x4;
//  AuthzAccessCheck: flags 0 (no AUTHZ_ACCESS_CHECK_NO_DEEP_COPY_SD), and
//   DesiredAccess FILE_READ_DATA, the right needed to read a key file.
inline constexpr std::uint32_t kAccessCheckFlags = 0x0;
inline constexpr std::uint32_t kFileReadData = 0x1;
inline constexpr std::uint32_t kErrorAccessDenied = 5;  // ERROR_ACCESS_DENIED

// An Authz client context (AUTHZ_CLIENT_CONTEXT_HANDLE), freed with
// AuthzFreeContext when the last owner lets go.
using AuthzContext = std::shared_ptr<void>;

// The Authz calls, one per call site, each returning 0 or the Win32 error.
class AuthzCalls {
 public:
  virtual ~AuthzCalls() = default;
  // AuthzInitializeResourceManager(flags, nullptr, nullptr, nullptr, L"ndes_exporter", &rm);
  // once per process, for the calls below.
  virtual std::uint32_t initialize_resource_manager(std::uint32_t flags) = 0;
  // AuthzInitializeContextFromSid(flags, sid, rm, nullptr, {0, 0}, nullptr, &context).
  virtual std::uint32_t initialize_context_from_sid(std::uint32_t flags, const std::string& sid,
                                                    AuthzContext& context) = 0;
  // AuthzAddSidsToContext(base, {sid, attributes}..., n, nullptr, 0, &context).
  virtual std::uint32_t add_sids_to_context(const AuthzContext& base,
                                            const std::vector<std::string>& sids,
                                            std::uint32_t attributes, AuthzContext& context) = 0;
  struct AccessReply {
    std::uint32_t granted = 0;  // GrantedAccessMask[0]
    std::uint32_t error = 0;    // Error[0]: 0, or ERROR_ACCESS_DENIED...
  };
  // AuthzAccessCheck(flags, context, {desired_access}, nullptr, sd, nullptr, 0,
  //                  {1 result} -> reply, nullptr).
  virtual std::uint32_t access_check(std::uint32_t flags, const AuthzContext& context,
                                     std::uint32_t desired_access,
                                     std::span<const std::uint8_t> security_descriptor,
                                     AccessReply& reply) = 0;
  // FormatMessage's text of a code, for error messages.
  virtual std::string error_text(std::uint32_t code) = 0;
};

enum class ReadMethod { authz, dacl };
std::string_view to_string(ReadMethod method);  // the `method` label: "authz" | "dacl"

struct ReadCheck {
  std::optional<bool> readable;  // nullopt: unknown, `error` says why
  ReadMethod method = ReadMethod::dacl;
  std::uint32_t error_code = 0;  // the Win32 error when unknown (ERROR_ACCESS_DENIED...)
  std::string error;             // why unknown
  std::string note;  // what the answer could not take into account (Authz or local groups missing)
};

// Whether a token holding `token_sids` may read (FILE_READ_DATA) a key with this
// descriptor; nullopt when the descriptor is malformed (dacl_allows_read).
using DaclCheck = std::function<std::optional<bool>(std::span<const std::uint8_t>,
                                                    std::span<const std::string> token_sids)>;
// The server's local groups with their members; nullopt and *error when unknown.
using LocalGroupsLookup = std::function<std::optional<std::vector<LocalGroup>>(std::string*)>;

struct KeyReadOptions {
  // How long an Authz context and the local group memberships are kept. Windows
  // itself takes group changes into a token at the next logon only.
  std::chrono::steady_clock::duration ttl = std::chrono::minutes(10);
  std::size_t capacity = 64;  // Authz contexts kept at most (identities)
  std::function<std::chrono::steady_clock::time_point()> now = std::chrono::steady_clock::now;
};

class KeyReadChecker {
 public:
  // `authz` may be null (no Authz at all: every identity by the DACL).
  KeyReadChecker(std::shared_ptr<AuthzCalls> authz, DaclCheck dacl, LocalGroupsLookup local_groups,
                 KeyReadOptions options = {});

  // `security_descriptor`: self-relative, generic rights already mapped to file
  // rights (AuthzAccessCheck does not map them).
  ReadCheck check(std::span<const std::uint8_t> security_descriptor, const Identity& identity);

  // Every SID the identity's token holds for the DACL evaluation (token_sids()
  // with the cached local groups); *note says when the local groups are unknown.
  std::vector<std::string> dacl_token(const Identity& identity, std::string* note);

 private:
  struct ContextEntry {
    AuthzContext context;
    std::uint32_t error = 0;
    std::string what;  // the failed call and why
  };
  struct GroupsEntry {
    std::vector<LocalGroup> groups;
    std::string error;  // non-empty: unknown
  };
  bool authz_ready(std::string* why);
  ContextEntry make_context(const Identity& identity);
  ReadCheck by_authz(std::span<const std::uint8_t> sd, const Identity& identity);
  ReadCheck by_dacl(std::span<const std::uint8_t> sd, const Identity& identity, std::string note);

  std::shared_ptr<AuthzCalls> authz_;
  DaclCheck dacl_;
  LocalGroupsLookup local_groups_;
  std::once_flag rm_once_;
  std::uint32_t rm_error_ = 0;
  TtlCache<ContextEntry> contexts_;
  TtlCache<GroupsEntry> groups_;
};

}  // namespace ndes::certstore
