#include "certstore/key_read_check.h"

#include <utility>

namespace ndes::certstore {

std::string_view to_string(ReadMethod method) {
  return method == ReadMethod::authz ? "authz" : "dacl";
}

KeyReadChecker::KeyReadChecker(std::shared_ptr<AuthzCalls> authz, DaclCheck dacl,
                               LocalGroupsLookup local_groups, KeyReadOptions options)
    : authz_(std::move(authz)),
      dacl_(std::move(dacl)),
      local_groups_(std::move(local_groups)),
      contexts_(options.ttl, options.capacity, options.now),
      groups_(options.ttl, 1, options.now) {}

bool KeyReadChecker::authz_ready(std::string* why) {
  if (!authz_) {
    *why = "Authz is not used";
    return false;
  }
  std::call_once(rm_once_,
                 [this] { rm_error_ = authz_->initialize_resource_manager(kAuthzRmFlagNoAudit); });
  if (rm_error_ != 0) {
    *why =
        "Authz is not available (AuthzInitializeResourceManager: " + authz_->error_text(rm_error_) +
        ")";
    return false;
  }
  return true;
}

KeyReadChecker::ContextEntry KeyReadChecker::make_context(const Identity& identity) {
  ContextEntry entry;
  AuthzContext base;
  entry.error = authz_->initialize_context_from_sid(kContextFromSidFlags, identity.sid_text, base);
  if (entry.error != 0) {
    entry.what =
        "AuthzInitializeContextFromSid(" + identity.name + "): " + authz_->error_text(entry.error);
    if (entry.error == kErrorAccessDenied) {
      // "Some applications and APIs require access to authorization information on
      // account objects" (KB 331951, learn.microsoft.com/troubleshoot/windows-server/
      // identity/apps-apis-require-access): AuthzInitializeContextFromSid reads the
      // account's tokenGroupsGlobalAndUniversal, which the caller must be allowed to
      // read (the Windows Authorization Access group). Not a fallback to the DACL: it
      // would miss every domain group and report a key read through one as
      // unreadable, firing NdesPrivateKeyNotReadable falsely. So no answer, and a
      // collection error that says what to grant.
      entry.what +=
          ": the exporter's account may not read the account's tokenGroupsGlobalAndUniversal "
          "in Active Directory; add it to the domain's Windows Authorization Access group";
    }
    return entry;
  }
  // When the S4U logon is not possible Authz reads the account object, and "some
  // groups that represent logon characteristics ... are omitted. Applications can
  // explicitly add such group SIDs by ... calling the AuthzAddSidsToContext
  // function" (AuthzInitializeContextFromSid, Remarks on Flags 0). The groups every
  // logon of the account has are added; adding one the context holds changes nothing.
  entry.error = authz_->add_sids_to_context(base, token_groups(identity.kind, identity.sid_text),
                                            kSeGroupEnabled, entry.context);
  if (entry.error != 0) {
    entry.what = "AuthzAddSidsToContext(" + identity.name + "): " + authz_->error_text(entry.error);
    entry.context.reset();
  }
  return entry;
}

ReadCheck KeyReadChecker::by_authz(std::span<const std::uint8_t> sd, const Identity& identity) {
  ReadCheck out;
  out.method = ReadMethod::authz;
  const ContextEntry entry =
      contexts_.get(identity.sid_text, [&] { return make_context(identity); });
  if (!entry.context) {
    out.error_code = entry.error;
    out.error = entry.what;
    return out;
  }
  AuthzCalls::AccessReply reply;
  if (const std::uint32_t rc =
          authz_->access_check(kAccessCheckFlags, entry.context, kFileReadData, sd, reply);
      rc != 0) {
    out.error_code = rc;
    out.error = "AuthzAccessCheck(" + identity.name + "): " + authz_->error_text(rc);
    return out;
  }
  out.readable = reply.error == 0 && (reply.granted & kFileReadData) != 0;
  return out;
}

std::vector<std::string> KeyReadChecker::dacl_token(const Identity& identity, std::string* note) {
  GroupsEntry local;
  if (expands_local_groups(identity.kind) && local_groups_) {
    local = groups_.get("local", [&] {
      GroupsEntry e;
      std::string error;
      if (auto groups = local_groups_(&error)) {
        e.groups = std::move(*groups);
      } else {
        e.error = error.empty() ? "unknown error" : error;
      }
      return e;
    });
    if (!local.error.empty() && note != nullptr) {
      *note = "the local group memberships are unknown (" + local.error + ")";
    }
  }
  return token_sids(identity.kind, identity.sid_text, local.groups);
}

ReadCheck KeyReadChecker::by_dacl(std::span<const std::uint8_t> sd, const Identity& identity,
                                  std::string note) {
  ReadCheck out;
  out.method = ReadMethod::dacl;
  std::string groups_note;
  const std::vector<std::string> token = dacl_token(identity, &groups_note);
  out.note = std::move(note);
  if (!groups_note.empty()) {
    out.note += (out.note.empty() ? "" : "; ") + groups_note;
  }
  out.readable = dacl_(sd, token);
  if (!out.readable) {
    out.error = "the key's security descriptor is malformed";
  }
  return out;
}

ReadCheck KeyReadChecker::check(std::span<const std::uint8_t> security_descriptor,
                                const Identity& identity) {
  // Authz where it knows more than the token rules do: the groups of a user or a
  // gMSA come from the directory. The service identities (SYSTEM, LOCAL SERVICE,
  // NETWORK SERVICE, NT SERVICE\x, IIS APPPOOL\x) are not accounts Authz can make a
  // context for ("Domain SIDs retrieve token group attributes from the Active
  // Directory"; a virtual account has no account object), and their tokens are
  // fixed by Windows: token_groups() plus the local groups, evaluated on the DACL.
  if (identity.kind == IdentityKind::account) {
    std::string why;
    if (authz_ready(&why)) {
      return by_authz(security_descriptor, identity);
    }
    return by_dacl(security_descriptor, identity,
                   why + "; the account's domain groups are not taken into account");
  }
  return by_dacl(security_descriptor, identity, "");
}

}  // namespace ndes::certstore
