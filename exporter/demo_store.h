// --demo: an NDES-like certificate directory generated with OpenSSL, so the
// exporter has something realistic to show without a Windows server.
//
//   ca/CORP-ISSUING-CA.p7b                          PKCS#7 (DER), the issuing CA, ~10 years
//   ra/NDES01-MSCEP-RA_CEPEncryption.cer            DER, CEPEncryption RA, 9 days left
//   ra/NDES01-MSCEP-RA_EnrollmentAgentOffline.cer   DER, EnrollmentAgentOffline RA, 21 days
//   ra/NDES01-MSCEP-RA_EnrollmentAgentOffline_2.pem PEM, a second valid one (700 days):
//                                                   the duplicate that breaks NDES
//   ra/ra-backup.pem                                PEM with a broken base64 body
//   ssl/ndes01.corp.example.crt                     PEM, serverAuth, SAN DNS, ~45 days
//   connector/IntuneConnectorIdentity.cer           PEM in a .cer, issued by
//                                                   "Microsoft Intune ImportPFX Connector CA"
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ndes {

struct DemoFile {
  std::string path;  // absolute
  std::string description;
};

struct DemoStore {
  std::string dir;
  std::vector<DemoFile> files;
};

// The v2 template OID carried by the demo SSL certificate; --demo names it
// "NDES-WebServer" unless the config already names it.
inline constexpr const char* kDemoSslTemplateOid =
    "1.3.6.1.4.1.311.21.8.4718265.9731846.1234567.8765432.4321.55.2917364.1029384";
inline constexpr const char* kDemoSslTemplateName = "NDES-WebServer";

// Writes the demo store into `dir` (created if missing; existing demo files are
// overwritten). Validity dates are relative to `now` (Unix seconds). Throws
// std::runtime_error on failure.
DemoStore generate_demo_store(const std::string& dir, std::int64_t now);

// Creates a fresh directory under the system temp dir ("ndes-demo-XXXXXX").
std::string make_temp_demo_dir();

}  // namespace ndes
