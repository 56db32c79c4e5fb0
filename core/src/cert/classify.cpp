#include "ndes/cert/classify.h"

#include <array>

#include "base/enum_names.h"

namespace ndes {

std::string_view to_string(Role r) {
  static constexpr std::array<std::string_view, 6> kNames = {
      "cep_encryption", "enrollment_agent", "connector_identity", "ca", "ssl", "other"};
  return enum_name(r, kNames, "other");
}

Role classify(const Certificate& cert) {
  // 1. The AD CS template names the NDES RA certificates unambiguously.
  if (cert.template_name == "CEPEncryption") {
    return Role::cep_encryption;
  }
  if (cert.template_name == "EnrollmentAgentOffline") {
    return Role::enrollment_agent;
  }
  // 2. Without a template (a custom copy, a v2 template with an unknown name):
  //    Certificate Request Agent plus the key usage tells the two RA certs apart.
  if (cert.has_eku(oid::kCertificateRequestAgent)) {
    if (cert.has_key_usage_bit(kKeyEncipherment)) {
      return Role::cep_encryption;
    }
    if (cert.has_key_usage_bit(kDigitalSignature)) {
      return Role::enrollment_agent;
    }
  }
  // 3. The Intune Certificate Connector's identity is issued by this fixed CA. The
  //    CA's own self-signed certificate has that issuer too, but it is a CA, not the
  //    identity that expires yearly, so it falls through to rule 4.
  if (cert.issuer_cn == kConnectorIssuerCn && !cert.is_ca) {
    return Role::connector_identity;
  }
  // 4.
  if (cert.is_ca) {
    return Role::ca;
  }
  // 5.
  if (cert.has_eku(oid::kServerAuth)) {
    return Role::ssl;
  }
  return Role::other;
}

}  // namespace ndes
