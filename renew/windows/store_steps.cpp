// The store step verify_new_cert (the issued certificate renews the old one and sits
// in LocalMachine\My with its key), and the store helpers machine_store.h declares.
// The decisions are pure functions in verify.h, tested on every platform;
// remove_superseded is in store_removal.cpp.
#include <filesystem>
#include <fstream>
#include <iterator>
#include <span>
#include <vector>

#include "base/text.h"
#include "base/time.h"
#include "base/win/error_text.h"
#include "base/win/utf16.h"
#include "ndes/cert/parse.h"
#include "renew/decide.h"
#include "renew/verify.h"
#include "renew/windows/machine_store.h"
#include "renew/windows/steps.h"

namespace ndes::renew::windows {
namespace {

// An issued certificate is a few KiB; anything much larger is not what certreq wrote.
constexpr std::uintmax_t kMaxCerBytes = 1 << 20;

// A role names facts ("new_thumbprint.<role>"): lower-case letters, digits and '_'.
bool is_role(std::string_view role) {
  return !role.empty() && role.size() <= 64 &&
         role.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") == std::string::npos;
}

}  // namespace

bool has_private_key(PCCERT_CONTEXT ctx) {
  DWORD size = 0;
  return CertGetCertificateContextProperty(ctx, CERT_KEY_PROV_INFO_PROP_ID, nullptr, &size) !=
             FALSE ||
         CertGetCertificateContextProperty(ctx, CERT_NCRYPT_KEY_HANDLE_PROP_ID, nullptr, &size) !=
             FALSE;
}

std::optional<Certificate> to_model(PCCERT_CONTEXT ctx) {
  return parse_der_certificate(
      std::span<const std::uint8_t>(ctx->pbCertEncoded, ctx->cbCertEncoded));
}

bool models_in(HCERTSTORE store, std::size_t max, std::vector<Certificate>* out) {
  for (PCCERT_CONTEXT c = CertEnumCertificatesInStore(store, nullptr); c != nullptr;
       c = CertEnumCertificatesInStore(store, c)) {
    if (out->size() == max) {
      CertFreeCertificateContext(c);  // ends the enumeration early
      return false;
    }
    if (auto model = to_model(c)) {
      out->push_back(std::move(*model));
    }
  }
  return true;
}

StepOutcome verify_new_cert(const PlannedStep& step) {
  const std::string role = param(step, "role");
  if (!is_role(role)) {
    return failed("the step's role " + quote(role) +
                  " is not a role name (lower-case letters, digits, '_')");
  }
  const std::string cer = param(step, "cer");
  const std::filesystem::path cer_path(win::widen(cer));
  std::error_code ec;
  if (const auto size = std::filesystem::file_size(cer_path, ec); !ec && size > kMaxCerBytes) {
    return failed(cer + " is " + std::to_string(size) + " bytes: not an issued certificate");
  }
  std::ifstream in(cer_path, std::ios::binary);
  const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                        std::istreambuf_iterator<char>());
  if (bytes.empty()) {
    return failed("there is no issued certificate in " + cer +
                  " (certreq -submit did not write it)");
  }
  const ParseResult parsed = parse_certificates(bytes, "renewal.cer");
  if (parsed.certificates.empty()) {
    return failed("cannot read the issued certificate in " + cer + ": " + parsed.detail);
  }
  const Certificate& renewed = parsed.certificates.front();
  const std::string old_thumbprint = param(step, "old_thumbprint");
  if (!is_thumbprint(old_thumbprint)) {  // find_by_sha1 takes hex only
    return failed("the step's old_thumbprint " + quote(old_thumbprint) + " is not a thumbprint");
  }
  MachineStore store(false);
  if (store.get() == nullptr) {
    return failed("cannot open LocalMachine\\My: " + win::last_error_text());
  }
  const win::CertContext old_ctx = win::find_by_sha1(store.get(), old_thumbprint);
  if (!old_ctx) {
    return failed("the old certificate is no longer in LocalMachine\\My");
  }
  const auto old_cert = to_model(old_ctx.get());
  if (!old_cert) {
    return failed("cannot read the old certificate");
  }
  if (auto why = check_renewed(*old_cert, renewed, param(step, "template")); !why.empty()) {
    return failed(why);
  }
  const win::CertContext new_ctx = win::find_by_sha1(store.get(), renewed.thumbprint);
  if (!new_ctx) {
    return failed("the issued certificate " + renewed.thumbprint +
                  " is not in LocalMachine\\My (did certreq -accept -machine run?)");
  }
  if (!has_private_key(new_ctx.get())) {
    return failed("the issued certificate " + renewed.thumbprint +
                  " has no private key in the machine store");
  }
  StepOutcome out;
  out.detail = role + ": new certificate " + renewed.thumbprint + " (" + renewed.template_name +
               ", NotAfter " + format_time(renewed.not_after) + ") replaces " +
               old_cert->thumbprint + " (NotAfter " + format_time(old_cert->not_after) + ")";
  out.facts["new_thumbprint." + role] = renewed.thumbprint;
  out.facts["new_not_after." + role] = format_time(renewed.not_after);
  return out;
}

}  // namespace ndes::renew::windows
