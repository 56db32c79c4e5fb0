// What part a certificate plays for NDES. A pure function of the certificate.
#pragma once

#include <string_view>

#include "ndes/cert/certificate.h"

namespace ndes {

enum class Role {
  cep_encryption,      // NDES RA encryption cert (template CEPEncryption)
  enrollment_agent,    // NDES RA signing cert (template EnrollmentAgentOffline)
  connector_identity,  // Intune Certificate Connector identity
  ca,
  ssl,
  other,
};
std::string_view to_string(Role r);

inline constexpr std::string_view kConnectorIssuerCn = "Microsoft Intune ImportPFX Connector CA";

Role classify(const Certificate& cert);

// True for the two NDES registration-authority roles.
inline bool is_ra_role(Role r) { return r == Role::cep_encryption || r == Role::enrollment_agent; }

}  // namespace ndes
