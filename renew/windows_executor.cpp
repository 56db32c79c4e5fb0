// The windows executor: certreq and iisreset through run_common_step (CreateProcess by
// argv), and the steps in between through the Windows APIs: the LocalMachine\My store
// (CryptoAPI), the private key's DACL (NCrypt for CNG keys, CryptoAPI for CAPI keys),
// the service control manager, the event log (EvtQuery) and AD (LDAP) for the CA.
// Built on Windows only; the decisions it makes (check_renewed, superseded_thumbprints,
// choose_ca_config) are pure functions in verify.h, tested on every platform.
#ifdef _WIN32

#ifndef NOMINMAX
#define NOMINMAX
#endif
// clang-format off
#include <windows.h>
#include <wincrypt.h>
#include <ncrypt.h>
#include <aclapi.h>
#include <winevt.h>
#include <winhttp.h>
#include <winldap.h>
// clang-format on

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <span>
#include <sstream>
#include <thread>
#include <vector>

#include "ndes/cert/parse.h"
#include "renew/executor.h"
#include "base/time.h"
#include "renew/verify.h"
#include "renew/win_text.h"

namespace ndes::renew {
namespace {

constexpr DWORD kEncoding = X509_ASN_ENCODING | PKCS_7_ASN_ENCODING;

StepOutcome failed(std::string detail) {
  StepOutcome out;
  out.status = "failed";
  out.detail = std::move(detail);
  return out;
}

std::string last_error() { return win_error(GetLastError()); }

// LocalMachine\My, closed when it goes away. A writable store is committed
// before it is closed: a registry store may cache changes until
// CERT_STORE_CTRL_COMMIT (wine does; Windows writes through, where the commit is a
// no-op), and commit() lets the caller report a failed write-back.
class MachineStore {
 public:
  explicit MachineStore(bool writable) : writable_(writable) {
    store_ = CertOpenStore(CERT_STORE_PROV_SYSTEM_W, 0, 0,
                           CERT_SYSTEM_STORE_LOCAL_MACHINE | CERT_STORE_OPEN_EXISTING_FLAG |
                               (writable ? 0 : CERT_STORE_READONLY_FLAG),
                           L"My");
  }
  ~MachineStore() {
    if (store_ != nullptr) {
      if (writable_) {
        CertControlStore(store_, 0, CERT_STORE_CTRL_COMMIT, nullptr);
      }
      CertCloseStore(store_, 0);
    }
  }
  MachineStore(const MachineStore&) = delete;
  MachineStore& operator=(const MachineStore&) = delete;
  HCERTSTORE get() const { return store_; }
  // Writes the changes back now; false (GetLastError) when that fails.
  bool commit() const {
    return CertControlStore(store_, 0, CERT_STORE_CTRL_COMMIT, nullptr) != FALSE;
  }

 private:
  HCERTSTORE store_ = nullptr;
  bool writable_ = false;
};

class CertContext {
 public:
  explicit CertContext(PCCERT_CONTEXT ctx) : ctx_(ctx) {}
  ~CertContext() {
    if (ctx_ != nullptr) {
      CertFreeCertificateContext(ctx_);
    }
  }
  CertContext(const CertContext&) = delete;
  CertContext& operator=(const CertContext&) = delete;
  PCCERT_CONTEXT get() const { return ctx_; }
  // For CertDeleteCertificateFromStore, which frees the context itself.
  PCCERT_CONTEXT release() {
    PCCERT_CONTEXT c = ctx_;
    ctx_ = nullptr;
    return c;
  }

 private:
  PCCERT_CONTEXT ctx_ = nullptr;
};

std::vector<BYTE> hex_bytes(const std::string& hex) {
  std::vector<BYTE> out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<BYTE>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

PCCERT_CONTEXT find_by_thumbprint(HCERTSTORE store, const std::string& thumbprint) {
  std::vector<BYTE> hash = hex_bytes(thumbprint);
  CRYPT_HASH_BLOB blob{static_cast<DWORD>(hash.size()), hash.data()};
  return CertFindCertificateInStore(store, kEncoding, 0, CERT_FIND_SHA1_HASH, &blob, nullptr);
}

std::optional<Certificate> to_model(PCCERT_CONTEXT ctx) {
  return parse_der_certificate(
      std::span<const std::uint8_t>(ctx->pbCertEncoded, ctx->cbCertEncoded));
}

bool has_private_key(PCCERT_CONTEXT ctx) {
  DWORD size = 0;
  return CertGetCertificateContextProperty(ctx, CERT_KEY_PROV_INFO_PROP_ID, nullptr, &size) !=
             FALSE ||
         CertGetCertificateContextProperty(ctx, CERT_NCRYPT_KEY_HANDLE_PROP_ID, nullptr, &size) !=
             FALSE;
}

std::string param(const PlannedStep& step, const std::string& name) {
  const auto it = step.params.find(name);
  return it == step.params.end() ? std::string() : it->second;
}

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (!item.empty()) {
      out.push_back(item);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// verify_new_cert

StepOutcome verify_new_cert(const PlannedStep& step) {
  const std::string cer = param(step, "cer");
  std::ifstream in(std::filesystem::path(widen(cer)), std::ios::binary);
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
    return failed("cannot open LocalMachine\\My: " + last_error());
  }
  CertContext old_ctx(find_by_thumbprint(store.get(), param(step, "old_thumbprint")));
  if (old_ctx.get() == nullptr) {
    return failed("the old certificate is no longer in LocalMachine\\My");
  }
  const auto old_cert = to_model(old_ctx.get());
  if (!old_cert) {
    return failed("cannot read the old certificate");
  }
  if (auto why = check_renewed(*old_cert, renewed, param(step, "template")); !why.empty()) {
    return failed(why);
  }
  CertContext new_ctx(find_by_thumbprint(store.get(), renewed.thumbprint));
  if (new_ctx.get() == nullptr) {
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

// ---------------------------------------------------------------------------
// grant_key_read

// A self-relative copy of `old_sd` whose DACL also grants `sid` GENERIC_READ (what
// "Manage Private Keys... > Read" sets), keeping every existing entry.
bool add_read_ace(PSECURITY_DESCRIPTOR old_sd, PSID sid, std::vector<BYTE>* out,
                  std::string* error) {
  BOOL present = FALSE;
  BOOL defaulted = FALSE;
  PACL old_dacl = nullptr;
  if (!GetSecurityDescriptorDacl(old_sd, &present, &old_dacl, &defaulted)) {
    *error = "GetSecurityDescriptorDacl: " + last_error();
    return false;
  }
  EXPLICIT_ACCESSW access{};
  access.grfAccessPermissions = GENERIC_READ;
  access.grfAccessMode = GRANT_ACCESS;
  access.grfInheritance = NO_INHERITANCE;
  access.Trustee.TrusteeForm = TRUSTEE_IS_SID;
  access.Trustee.TrusteeType = TRUSTEE_IS_UNKNOWN;
  access.Trustee.ptstrName = static_cast<LPWSTR>(sid);
  PACL new_dacl = nullptr;
  const DWORD rc = SetEntriesInAclW(1, &access, present ? old_dacl : nullptr, &new_dacl);
  if (rc != ERROR_SUCCESS) {
    *error = "SetEntriesInAcl: " + win_error(rc);
    return false;
  }
  SECURITY_DESCRIPTOR absolute{};
  InitializeSecurityDescriptor(&absolute, SECURITY_DESCRIPTOR_REVISION);
  SetSecurityDescriptorDacl(&absolute, TRUE, new_dacl, FALSE);
  DWORD size = 0;
  MakeSelfRelativeSD(&absolute, nullptr, &size);
  out->assign(size, 0);
  const BOOL ok = MakeSelfRelativeSD(&absolute, out->data(), &size);
  LocalFree(new_dacl);
  if (!ok) {
    *error = "MakeSelfRelativeSD: " + last_error();
    return false;
  }
  return true;
}

std::string grant_cng(NCRYPT_KEY_HANDLE key, PSID sid) {
  DWORD size = 0;
  SECURITY_STATUS st = NCryptGetProperty(key, NCRYPT_SECURITY_DESCR_PROPERTY, nullptr, 0, &size,
                                         DACL_SECURITY_INFORMATION);
  if (st != ERROR_SUCCESS) {
    return "NCryptGetProperty: " + win_error(static_cast<DWORD>(st));
  }
  std::vector<BYTE> sd(size);
  st = NCryptGetProperty(key, NCRYPT_SECURITY_DESCR_PROPERTY, sd.data(), size, &size,
                         DACL_SECURITY_INFORMATION);
  if (st != ERROR_SUCCESS) {
    return "NCryptGetProperty: " + win_error(static_cast<DWORD>(st));
  }
  std::vector<BYTE> updated;
  std::string error;
  if (!add_read_ace(sd.data(), sid, &updated, &error)) {
    return error;
  }
  st = NCryptSetProperty(key, NCRYPT_SECURITY_DESCR_PROPERTY, updated.data(),
                         static_cast<DWORD>(updated.size()), DACL_SECURITY_INFORMATION);
  if (st != ERROR_SUCCESS) {
    return "NCryptSetProperty: " + win_error(static_cast<DWORD>(st));
  }
  return "";
}

std::string grant_capi(HCRYPTPROV prov, PSID sid) {
  DWORD size = 0;
  if (!CryptGetProvParam(prov, PP_KEYSET_SEC_DESCR, nullptr, &size, DACL_SECURITY_INFORMATION)) {
    return "CryptGetProvParam: " + last_error();
  }
  std::vector<BYTE> sd(size);
  if (!CryptGetProvParam(prov, PP_KEYSET_SEC_DESCR, sd.data(), &size, DACL_SECURITY_INFORMATION)) {
    return "CryptGetProvParam: " + last_error();
  }
  std::vector<BYTE> updated;
  std::string error;
  if (!add_read_ace(sd.data(), sid, &updated, &error)) {
    return error;
  }
  if (!CryptSetProvParam(prov, PP_KEYSET_SEC_DESCR, updated.data(), DACL_SECURITY_INFORMATION)) {
    return "CryptSetProvParam: " + last_error();
  }
  return "";
}

StepOutcome grant_key_read(const PlannedStep& step, const RunContext& ctx) {
  const auto tp = ctx.facts.find("new_thumbprint");
  if (tp == ctx.facts.end()) {
    return failed("no new certificate (verify_new_cert did not pass)");
  }
  const std::wstring account = widen(param(step, "account"));
  DWORD sid_size = 0;
  DWORD domain_size = 0;
  SID_NAME_USE use{};
  LookupAccountNameW(nullptr, account.c_str(), nullptr, &sid_size, nullptr, &domain_size, &use);
  std::vector<BYTE> sid(sid_size);
  std::vector<wchar_t> domain(domain_size + 1);
  if (sid_size == 0 || !LookupAccountNameW(nullptr, account.c_str(), sid.data(), &sid_size,
                                           domain.data(), &domain_size, &use)) {
    return failed("cannot find account " + param(step, "account") + ": " + last_error());
  }
  MachineStore store(false);
  CertContext cert(store.get() != nullptr ? find_by_thumbprint(store.get(), tp->second) : nullptr);
  if (cert.get() == nullptr) {
    return failed("the new certificate " + tp->second + " is not in LocalMachine\\My");
  }
  HCRYPTPROV_OR_NCRYPT_KEY_HANDLE key = 0;
  DWORD key_spec = 0;
  BOOL must_free = FALSE;
  if (!CryptAcquireCertificatePrivateKey(
          cert.get(), CRYPT_ACQUIRE_ALLOW_NCRYPT_KEY_FLAG | CRYPT_ACQUIRE_SILENT_FLAG, nullptr,
          &key, &key_spec, &must_free)) {
    return failed("cannot open the new private key: " + last_error());
  }
  const bool cng = key_spec == CERT_NCRYPT_KEY_SPEC;
  const std::string error = cng ? grant_cng(key, sid.data()) : grant_capi(key, sid.data());
  if (must_free) {
    if (cng) {
      NCryptFreeObject(key);
    } else {
      CryptReleaseContext(key, 0);
    }
  }
  if (!error.empty()) {
    return failed(error);
  }
  StepOutcome out;
  out.detail = "granted " + param(step, "account") + " Read on the " +
               (cng ? "CNG key (ProgramData\\Microsoft\\Crypto\\Keys)"
                    : "CAPI key (ProgramData\\Microsoft\\Crypto\\RSA\\MachineKeys)") +
               " of " + tp->second;
  out.facts["key_provider"] = cng ? "cng" : "capi";
  return out;
}

// ---------------------------------------------------------------------------
// remove_superseded

StepOutcome remove_superseded(const RunContext& ctx) {
  const auto tp = ctx.facts.find("new_thumbprint");
  if (tp == ctx.facts.end()) {
    return failed("no new certificate (verify_new_cert did not pass)");
  }
  MachineStore store(true);
  if (store.get() == nullptr) {
    return failed("cannot open LocalMachine\\My for writing: " + last_error());
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
    CertContext old(find_by_thumbprint(store.get(), thumbprint));
    if (old.get() == nullptr) {
      continue;
    }
    if (!CertDeleteCertificateFromStore(old.release())) {
      return failed("cannot remove " + thumbprint + ": " + last_error());
    }
    removed += (removed.empty() ? "" : ",") + thumbprint;
  }
  if (!removed.empty() && !store.commit()) {
    return failed("removed " + removed + " but LocalMachine\\My did not save it: " + last_error());
  }
  StepOutcome out;
  out.detail = removed.empty() ? "no superseded certificate" : "removed " + removed;
  out.facts["removed"] = removed;
  return out;
}

// ---------------------------------------------------------------------------
// restart_services

bool wait_for_state(SC_HANDLE service, DWORD state, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  SERVICE_STATUS status{};
  while (QueryServiceStatus(service, &status)) {
    if (status.dwCurrentState == state) {
      return true;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  return false;
}

StepOutcome restart_services(const PlannedStep& step) {
  SC_HANDLE scm = OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CONNECT);
  if (scm == nullptr) {
    return failed("cannot open the service control manager: " + last_error());
  }
  StepOutcome out;
  std::string restarted;
  for (const auto& name : split_commas(param(step, "services"))) {
    SC_HANDLE service =
        OpenServiceW(scm, widen(name).c_str(), SERVICE_STOP | SERVICE_START | SERVICE_QUERY_STATUS);
    if (service == nullptr) {
      if (GetLastError() == ERROR_SERVICE_DOES_NOT_EXIST) {
        out.detail += name + " is not installed; ";
        continue;
      }
      CloseServiceHandle(scm);
      return failed("cannot open service " + name + ": " + last_error());
    }
    SERVICE_STATUS status{};
    std::string error;
    if (!ControlService(service, SERVICE_CONTROL_STOP, &status) &&
        GetLastError() != ERROR_SERVICE_NOT_ACTIVE) {
      error = "cannot stop " + name + ": " + last_error();
    } else if (!wait_for_state(service, SERVICE_STOPPED, std::chrono::seconds(60))) {
      error = name + " did not stop within 60s";
    } else if (!StartServiceW(service, 0, nullptr)) {
      error = "cannot start " + name + ": " + last_error();
    } else if (!wait_for_state(service, SERVICE_RUNNING, std::chrono::seconds(60))) {
      error = name + " did not reach running within 60s";
    }
    CloseServiceHandle(service);
    if (!error.empty()) {
      CloseServiceHandle(scm);
      return failed(out.detail + error);
    }
    restarted += (restarted.empty() ? "" : ",") + name;
  }
  CloseServiceHandle(scm);
  out.detail += restarted.empty() ? "no service restarted" : "restarted " + restarted;
  out.facts["restarted_services"] = restarted;
  return out;
}

// ---------------------------------------------------------------------------
// check_ndes_event

// NDES loads with the SCEP application, on its first request after iisreset.
void touch_ndes() {
  HINTERNET session = WinHttpOpen(L"ndes_renew_hook", WINHTTP_ACCESS_TYPE_NO_PROXY,
                                  WINHTTP_NO_PROXY_NAME, WINHTTP_NO_PROXY_BYPASS, 0);
  if (session == nullptr) {
    return;
  }
  HINTERNET connect = WinHttpConnect(session, L"localhost", INTERNET_DEFAULT_HTTP_PORT, 0);
  HINTERNET request =
      connect == nullptr
          ? nullptr
          : WinHttpOpenRequest(connect, L"GET",
                               L"/certsrv/mscep/mscep.dll/pkiclient.exe?operation=GetCACaps",
                               nullptr, WINHTTP_NO_REFERER, WINHTTP_DEFAULT_ACCEPT_TYPES, 0);
  if (request != nullptr && WinHttpSendRequest(request, WINHTTP_NO_ADDITIONAL_HEADERS, 0,
                                               WINHTTP_NO_REQUEST_DATA, 0, 0, 0)) {
    WinHttpReceiveResponse(request, nullptr);
  }
  if (request != nullptr) {
    WinHttpCloseHandle(request);
  }
  if (connect != nullptr) {
    WinHttpCloseHandle(connect);
  }
  WinHttpCloseHandle(session);
}

bool event_logged(const std::string& provider, int event_id, const std::string& since) {
  // since: "2026-11-25T15:00:00Z" -> the event log's "2026-11-25T15:00:00.000Z".
  const std::string when = since.substr(0, 19) + ".000Z";
  const std::string query = "*[System[Provider[@Name='" + provider +
                            "'] and (EventID=" + std::to_string(event_id) +
                            ") and TimeCreated[@SystemTime>='" + when + "']]]";
  EVT_HANDLE results = EvtQuery(nullptr, L"Application", widen(query).c_str(),
                                EvtQueryChannelPath | EvtQueryReverseDirection);
  if (results == nullptr) {
    return false;
  }
  EVT_HANDLE event = nullptr;
  DWORD returned = 0;
  const bool found = EvtNext(results, 1, &event, 0, 0, &returned) && returned == 1;
  if (event != nullptr) {
    EvtClose(event);
  }
  EvtClose(results);
  return found;
}

StepOutcome check_ndes_event(const PlannedStep& step, const RunContext& ctx) {
  const auto since = ctx.facts.find("restart_started");
  if (since == ctx.facts.end() || since->second.size() < 19) {
    return failed("no restart time (the iisreset step did not run)");
  }
  const std::string provider = param(step, "provider");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < deadline) {
    if (ctx.cancel != nullptr && ctx.cancel->load()) {
      return failed("cancelled: the hook is stopping");
    }
    touch_ndes();
    if (event_logged(provider, 2, since->second)) {
      return failed(
          "NDES logged Event 2 (cannot be started) after the restart: see the "
          "Application log (0x80070057: duplicate RA certificates or an unreadable key)");
    }
    if (event_logged(provider, 1, since->second)) {
      StepOutcome out;
      out.detail = "NDES logged Event 1 (started successfully) after " + since->second;
      return out;
    }
    std::this_thread::sleep_for(std::chrono::seconds(3));
  }
  return failed("no NDES Event 1 within 120s of the restart");
}

// ---------------------------------------------------------------------------
// CA discovery: CN=Enrollment Services in AD's configuration partition.

std::vector<std::string> ldap_values(LDAP* ld, LDAPMessage* entry, const wchar_t* attr) {
  std::vector<std::string> out;
  PWCHAR* values = ldap_get_valuesW(ld, entry, const_cast<PWCHAR>(attr));
  if (values != nullptr) {
    for (PWCHAR* v = values; *v != nullptr; ++v) {
      out.push_back(narrow(*v));
    }
    ldap_value_freeW(values);
  }
  return out;
}

std::optional<std::string> discover_from_ad(const std::string& template_name, std::string* error) {
  LDAP* ld = ldap_initW(nullptr, LDAP_PORT);  // the machine's domain
  if (ld == nullptr) {
    *error = "cannot reach AD over LDAP: " + last_error();
    return std::nullopt;
  }
  ULONG version = LDAP_VERSION3;
  ldap_set_optionW(ld, LDAP_OPT_PROTOCOL_VERSION, &version);
  if (ldap_bind_sW(ld, nullptr, nullptr, LDAP_AUTH_NEGOTIATE) != LDAP_SUCCESS) {
    ldap_unbind(ld);
    *error = "cannot bind to AD";
    return std::nullopt;
  }
  std::string config_nc;
  LDAPMessage* res = nullptr;
  PWCHAR root_attrs[] = {const_cast<PWCHAR>(L"configurationNamingContext"), nullptr};
  if (ldap_search_sW(ld, const_cast<PWCHAR>(L""), LDAP_SCOPE_BASE,
                     const_cast<PWCHAR>(L"(objectClass=*)"), root_attrs, 0, &res) == LDAP_SUCCESS) {
    if (LDAPMessage* e = ldap_first_entry(ld, res)) {
      const auto v = ldap_values(ld, e, L"configurationNamingContext");
      if (!v.empty()) {
        config_nc = v.front();
      }
    }
  }
  if (res != nullptr) {
    ldap_msgfree(res);
    res = nullptr;
  }
  if (config_nc.empty()) {
    ldap_unbind(ld);
    *error = "AD has no configurationNamingContext";
    return std::nullopt;
  }
  const std::wstring base =
      widen("CN=Enrollment Services,CN=Public Key Services,CN=Services," + config_nc);
  PWCHAR attrs[] = {const_cast<PWCHAR>(L"cn"), const_cast<PWCHAR>(L"dNSHostName"),
                    const_cast<PWCHAR>(L"certificateTemplates"), nullptr};
  std::vector<EnrollmentService> services;
  if (ldap_search_sW(ld, const_cast<PWCHAR>(base.c_str()), LDAP_SCOPE_ONELEVEL,
                     const_cast<PWCHAR>(L"(objectClass=pKIEnrollmentService)"), attrs, 0,
                     &res) == LDAP_SUCCESS) {
    for (LDAPMessage* e = ldap_first_entry(ld, res); e != nullptr; e = ldap_next_entry(ld, e)) {
      EnrollmentService s;
      const auto cn = ldap_values(ld, e, L"cn");
      const auto host = ldap_values(ld, e, L"dNSHostName");
      s.cn = cn.empty() ? "" : cn.front();
      s.dns_host = host.empty() ? "" : host.front();
      s.templates = ldap_values(ld, e, L"certificateTemplates");
      services.push_back(std::move(s));
    }
  }
  if (res != nullptr) {
    ldap_msgfree(res);
  }
  ldap_unbind(ld);
  std::string config = choose_ca_config(services, template_name, error);
  if (config.empty()) {
    return std::nullopt;
  }
  return config;
}

class WindowsExecutor final : public Executor {
 public:
  std::string_view name() const override { return "windows"; }

  StepOutcome run(const PlannedStep& step, RunContext& ctx) override {
    switch (step.kind) {
      case StepKind::write_file:
        return run_common_step(step, ctx);
      case StepKind::run: {
        const std::string started = format_time(unix_now());
        StepOutcome out = run_common_step(step, ctx);
        if (step.name == "iisreset") {
          out.facts["restart_started"] = started;  // check_ndes_event looks from here
        }
        return out;
      }
      case StepKind::verify_new_cert:
        return verify_new_cert(step);
      case StepKind::grant_key_read:
        return grant_key_read(step, ctx);
      case StepKind::remove_superseded:
        return remove_superseded(ctx);
      case StepKind::restart_services:
        return restart_services(step);
      case StepKind::check_ndes_event:
        return check_ndes_event(step, ctx);
    }
    return failed("unknown step kind");
  }

  std::optional<std::string> discover_ca_config(const std::string& template_name,
                                                std::string* error) override {
    std::string why;
    auto found = discover_from_ad(template_name, &why);
    if (!found && error != nullptr) {
      *error = why;
    }
    return found;
  }
};

}  // namespace

std::unique_ptr<Executor> make_windows_executor() { return std::make_unique<WindowsExecutor>(); }

}  // namespace ndes::renew

#endif  // _WIN32
