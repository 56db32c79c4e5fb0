// The store steps: verify_new_cert (the issued certificate renews the old one and
// sits in LocalMachine\My with its key) and remove_superseded. The decisions are
// pure functions in verify.h, tested on every platform.
#include <filesystem>
#include <fstream>
#include <iterator>
#include <span>
#include <vector>

#include "base/win/error_text.h"
#include "base/win/utf16.h"
#include "ndes/cert/parse.h"
#include "base/time.h"
#include "renew/verify.h"
#include "renew/windows/machine_store.h"
#include "renew/windows/steps.h"

namespace ndes::renew::windows {
namespace {

bool has_private_key(PCCERT_CONTEXT ctx) {
  DWORD size = 0;
  return CertGetCertificateContextProperty(ctx, CERT_KEY_PROV_INFO_PROP_ID, nullptr, &size) !=
             FALSE ||
         CertGetCertificateContextProperty(ctx, CERT_NCRYPT_KEY_HANDLE_PROP_ID, nullptr, &size) !=
             FALSE;
}

}  // namespace

std::optional<Certificate> to_model(PCCERT_CONTEXT ctx) {
  return parse_der_certificate(
      std::span<const std::uint8_t>(ctx->pbCertEncoded, ctx->cbCertEncoded));
}

StepOutcome verify_new_cert(const PlannedStep& step) {
  const std::string cer = param(step, "cer");
  std::ifstream in(std::filesystem::path(win::widen(cer)), std::ios::binary);
  const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                        std::istreambuf_iterator<char>());
  if (bytes.empty()) {
    return failed("certreq -submit wrote no certificate to " + cer +
                  " (is the request pending CA manager approval?)");
  }
  const ParseResult parsed = parse_certificates(bytes, "renewal.cer");
  if (parsed.certificates.empty()) {
    return failed("cannot read the issued certificate in " + cer + ": " + parsed.detail);
  }
  const Certificate& renewed = parsed.certificates.front();
  MachineStore store(false);
  if (store.get() == nullptr) {
    return failed("cannot open LocalMachine\\My: " + win::last_error_text());
  }
  const win::CertContext old_ctx = win::find_by_sha1(store.get(), param(step, "old_thumbprint"));
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
  out.detail = "new certificate " + renewed.thumbprint + " (" + renewed.template_name +
               ", NotAfter " + format_time(renewed.not_after) + ") replaces " +
               old_cert->thumbprint + " (NotAfter " + format_time(old_cert->not_after) + ")";
  out.facts["new_thumbprint"] = renewed.thumbprint;
  out.facts["new_not_after"] = format_time(renewed.not_after);
  return out;
}

StepOutcome remove_superseded(const RunContext& ctx) {
  const auto tp = ctx.facts.find("new_thumbprint");
  if (tp == ctx.facts.end()) {
    return failed("no new certificate (verify_new_cert did not pass)");
  }
  MachineStore store(true);
  if (store.get() == nullptr) {
    return failed("cannot open LocalMachine\\My for writing: " + win::last_error_text());
  }
  std::vector<Certificate> certs;
  for (PCCERT_CONTEXT c = CertEnumCertificatesInStore(store.get(), nullptr); c != nullptr;
       c = CertEnumCertificatesInStore(store.get(), c)) {
    if (auto model = to_model(c)) {
      certs.push_back(*model);
    }
  }
  const Certificate* renewed = nullptr;
  for (const auto& c : certs) {
    if (c.thumbprint == tp->second) {
      renewed = &c;
    }
  }
  if (renewed == nullptr) {
    return failed("the new certificate " + tp->second + " is not in LocalMachine\\My");
  }
  std::string removed;
  for (const auto& thumbprint : superseded_thumbprints(certs, *renewed)) {
    win::CertContext old = win::find_by_sha1(store.get(), thumbprint);
    if (!old) {
      continue;
    }
    if (!CertDeleteCertificateFromStore(old.release())) {
      return failed("cannot remove " + thumbprint + ": " + win::last_error_text());
    }
    removed += (removed.empty() ? "" : ",") + thumbprint;
  }
  if (!removed.empty() && !store.commit()) {
    return failed("removed " + removed +
                  " but LocalMachine\\My did not save it: " + win::last_error_text());
  }
  StepOutcome out;
  out.detail = removed.empty() ? "no superseded certificate" : "removed " + removed;
  out.facts["removed"] = removed;
  return out;
}

}  // namespace ndes::renew::windows
