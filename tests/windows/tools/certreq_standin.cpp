// certreq.exe STAND-IN for windows.renew_hook_execute (tests/windows/renew_hook_execute.sh):
// wine has no certreq.exe and no AD CS, so this thin program does, on the wine machine,
// what the real certreq does for the three verbs ndes_renew_hook runs (renew/plan.cpp):
//
//   certreq -f -q -new INF REQ
//       reads RenewalCert="<thumbprint>" and MachineKeySet=TRUE from the INF, finds that
//       certificate in LocalMachine\My (fails as certreq does when it is missing or has
//       no private key), makes a NEW RSA key in the machine key store, and writes REQ: a
//       PKCS#10 request (the old certificate's subject and template extension, signed
//       with the new key) inside a CMS SignedData signed with the OLD certificate's key,
//       which is how a RenewalCert request proves who renews. The new key is remembered
//       as certreq does, as a dummy certificate in LocalMachine\REQUEST.
//   certreq -f -q -submit -config "HOST\CA" REQ CER
//       POSTs the request to the CA named in certreq-standin.conf beside this .exe
//       (a Linux-side openssl CA, tests/windows/ndes_standin/ndes_standin.py) and prints
//       what certreq prints: "RequestId: N" and "Certificate retrieved(Issued) Issued"
//       (CER written), or "Certificate request is pending: Taken Under Submission (0)"
//       (no CER), or "Certificate not issued (Denied) ...".
//   certreq -q -accept -machine CER
//       installs CER in LocalMachine\My linked to the key -new made (found in
//       LocalMachine\REQUEST by its public key), and drops the REQUEST entry.
//
// Errors print "Certificate Request Processor: <text> 0x<hresult>" on stderr and exit
// with the HRESULT, as certreq does. The INF keys follow
// https://learn.microsoft.com/windows-server/administration/windows-commands/certreq_1
// ("Exportable" defaults to FALSE there, so the new key is exportable only when the INF
// says Exportable=TRUE).
// clang-format off
#include <windows.h>
#include <wincrypt.h>
#include <winhttp.h>
#include <shellapi.h>
#include <objbase.h>
// clang-format on

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "base/win/cert_store.h"
#include "base/win/utf16.h"

namespace {

using Bytes = std::vector<BYTE>;

// An error the way certreq reports it: a text and an HRESULT (the exit code).
struct Failure : std::runtime_error {
  Failure(const std::string& what, HRESULT hr) : std::runtime_error(what), code(hr) {}
  HRESULT code;
};

[[noreturn]] void fail_last(const std::string& what) {
  const DWORD e = GetLastError();
  throw Failure(what, e == 0 ? E_FAIL
                             : (static_cast<HRESULT>(e) < 0 ? static_cast<HRESULT>(e)
                                                            : HRESULT_FROM_WIN32(e)));
}

std::string narrow(const std::wstring& w) { return ndes::win::narrow(w); }
std::wstring wide(const std::string& s) { return ndes::win::widen(s); }

Bytes read_file(const std::string& path) {
  std::ifstream in(std::filesystem::path(wide(path)), std::ios::binary);
  if (!in) {
    throw Failure(path + ": The system cannot find the file specified.",
                  HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND));
  }
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const std::string& path, const std::string& text, bool overwrite) {
  if (!overwrite && GetFileAttributesW(wide(path).c_str()) != INVALID_FILE_ATTRIBUTES) {
    throw Failure(path + ": The file exists.", HRESULT_FROM_WIN32(ERROR_FILE_EXISTS));
  }
  std::ofstream out(std::filesystem::path(wide(path)), std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) {
    throw Failure(path + ": cannot write", HRESULT_FROM_WIN32(ERROR_WRITE_FAULT));
  }
}

// Base64 with the header certreq writes (CRYPT_STRING_BASE64REQUESTHEADER /
// CRYPT_STRING_BASE64HEADER).
std::string to_base64(const Bytes& der, DWORD flags) {
  DWORD size = 0;
  CryptBinaryToStringA(der.data(), static_cast<DWORD>(der.size()), flags, nullptr, &size);
  std::string out(size, '\0');
  if (!CryptBinaryToStringA(der.data(), static_cast<DWORD>(der.size()), flags, out.data(), &size)) {
    fail_last("CryptBinaryToString");
  }
  out.resize(size);
  return out;
}

// DER from a file holding DER or base64 (with or without a header).
Bytes decode_any(const Bytes& file) {
  DWORD size = 0;
  if (!file.empty() && file[0] == 0x30) {
    return file;
  }
  const auto* text = reinterpret_cast<const char*>(file.data());
  const auto n = static_cast<DWORD>(file.size());
  if (!CryptStringToBinaryA(text, n, CRYPT_STRING_BASE64_ANY, nullptr, &size, nullptr, nullptr)) {
    throw Failure("Cannot find object or property (not DER, not base64).", CRYPT_E_ASN1_BADTAG);
  }
  Bytes der(size);
  CryptStringToBinaryA(text, n, CRYPT_STRING_BASE64_ANY, der.data(), &size, nullptr, nullptr);
  der.resize(size);
  return der;
}

// --- the INF ------------------------------------------------------------------------

struct Inf {
  std::string renewal_cert;  // uppercase thumbprint
  bool machine_key_set = false;
  bool exportable = false;
};

std::string trim(std::string s) {
  const auto a = s.find_first_not_of(" \t\r\n");
  const auto b = s.find_last_not_of(" \t\r\n");
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

std::string unquote(std::string s) {
  s = trim(s);
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') {
    s = s.substr(1, s.size() - 2);
  }
  return s;
}

bool is_true(const std::string& v) { return lstrcmpiA(unquote(v).c_str(), "TRUE") == 0; }

Inf read_inf(const std::string& path) {
  const Bytes bytes = read_file(path);
  Inf inf;
  std::string section;
  std::string text(bytes.begin(), bytes.end());
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    if (end == std::string::npos) {
      end = text.size();
    }
    const std::string line = trim(text.substr(pos, end - pos));
    pos = end + 1;
    if (line.empty() || line[0] == ';') {
      continue;
    }
    if (line.front() == '[') {
      section = line;
      continue;
    }
    const auto eq = line.find('=');
    if (section != "[NewRequest]" || eq == std::string::npos) {
      continue;
    }
    const std::string key = trim(line.substr(0, eq));
    const std::string value = line.substr(eq + 1);
    if (lstrcmpiA(key.c_str(), "RenewalCert") == 0) {
      inf.renewal_cert = unquote(value);
      for (auto& c : inf.renewal_cert) {
        c = static_cast<char>(c >= 'a' && c <= 'f' ? c - 32 : c);
      }
    } else if (lstrcmpiA(key.c_str(), "MachineKeySet") == 0) {
      inf.machine_key_set = is_true(value);
    } else if (lstrcmpiA(key.c_str(), "Exportable") == 0) {
      inf.exportable = is_true(value);
    }
  }
  if (inf.renewal_cert.size() != 40) {
    throw Failure(path +
                      ": [NewRequest] RenewalCert is not a thumbprint (this stand-in renews "
                      "only)",
                  E_INVALIDARG);
  }
  return inf;
}

// --- the stores ---------------------------------------------------------------------

ndes::win::CertStoreHandle open_store(const char* name, bool machine) {
  const std::wstring w = wide(name);
  ndes::win::CertStoreHandle s(CertOpenStore(
      CERT_STORE_PROV_SYSTEM_W, 0, 0,
      machine ? CERT_SYSTEM_STORE_LOCAL_MACHINE : CERT_SYSTEM_STORE_CURRENT_USER, w.c_str()));
  if (!s) {
    fail_last(std::string("CertOpenStore(") + name + ")");
  }
  return s;
}

// Wine writes a registry store back on CERT_STORE_CTRL_COMMIT (a no-op on Windows).
void commit(HCERTSTORE s) { CertControlStore(s, 0, CERT_STORE_CTRL_COMMIT, nullptr); }

Bytes property(PCCERT_CONTEXT c, DWORD id) {
  DWORD size = 0;
  if (!CertGetCertificateContextProperty(c, id, nullptr, &size)) {
    return {};
  }
  Bytes buf(size);
  if (!CertGetCertificateContextProperty(c, id, buf.data(), &size)) {
    return {};
  }
  return buf;
}

// The certificate's key: the container its CERT_KEY_PROV_INFO_PROP_ID names, opened
// with the AES provider (same container, RSA keys: SHA-256 signing is there).
ndes::win::CryptProv open_old_key(PCCERT_CONTEXT c, DWORD* key_spec) {
  Bytes buf = property(c, CERT_KEY_PROV_INFO_PROP_ID);
  if (buf.empty()) {
    throw Failure("Keyset does not exist (the RenewalCert has no private key)", NTE_BAD_KEYSET);
  }
  const auto* info = reinterpret_cast<const CRYPT_KEY_PROV_INFO*>(buf.data());
  ndes::win::CryptProv prov;
  const DWORD flags = (info->dwFlags & CRYPT_MACHINE_KEYSET) | CRYPT_SILENT;
  if (!CryptAcquireContextW(prov.out(), info->pwszContainerName, MS_ENH_RSA_AES_PROV_W,
                            PROV_RSA_AES, flags)) {
    fail_last("Keyset does not exist (the RenewalCert's key container)");
  }
  HCRYPTKEY key = 0;
  *key_spec = info->dwKeySpec != 0 ? info->dwKeySpec : AT_KEYEXCHANGE;
  if (!CryptGetUserKey(prov.get(), *key_spec, &key)) {
    *key_spec = *key_spec == AT_KEYEXCHANGE ? AT_SIGNATURE : AT_KEYEXCHANGE;
    if (!CryptGetUserKey(prov.get(), *key_spec, &key)) {
      fail_last("Keyset does not exist (no key in the RenewalCert's container)");
    }
  }
  CryptDestroyKey(key);
  return prov;
}

std::wstring new_container_name() {
  GUID g{};
  CoCreateGuid(&g);
  wchar_t buf[64];
  StringFromGUID2(g, buf, 64);
  return std::wstring(L"certreq-standin-") + buf;
}

template <typename T>
Bytes encode(LPCSTR type, const T* value) {
  const std::string what =
      "CryptEncodeObjectEx(type " + std::to_string(reinterpret_cast<UINT_PTR>(type)) + ")";
  DWORD size = 0;
  if (!CryptEncodeObjectEx(X509_ASN_ENCODING, type, value, 0, nullptr, nullptr, &size)) {
    fail_last(what);
  }
  Bytes out(size);
  if (!CryptEncodeObjectEx(X509_ASN_ENCODING, type, value, 0, nullptr, out.data(), &size)) {
    fail_last(what);
  }
  out.resize(size);
  return out;
}

// DER by hand, for the one structure wine cannot encode: a tag, a definite length,
// the content.
Bytes tlv(BYTE tag, const Bytes& content) {
  Bytes out{tag};
  const std::size_t n = content.size();
  if (n < 0x80) {
    out.push_back(static_cast<BYTE>(n));
  } else {
    Bytes len;
    for (std::size_t v = n; v != 0; v >>= 8) {
      len.insert(len.begin(), static_cast<BYTE>(v & 0xFF));
    }
    out.push_back(static_cast<BYTE>(0x80 | len.size()));
    out.insert(out.end(), len.begin(), len.end());
  }
  out.insert(out.end(), content.begin(), content.end());
  return out;
}

Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) {
    out.insert(out.end(), p.begin(), p.end());
  }
  return out;
}

// 1.2.840.113549.1.9.14 (PKCS#9 extensionRequest): the OID's content octets.
const Bytes kOidExtensionRequest = {0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x0E};

// The PKCS#10 for the new key: the old certificate's subject and its template
// extension(s) (the v1 name, 1.3.6.1.4.1.311.20.2, or the v2 template info,
// 1.3.6.1.4.1.311.21.7), signed with the new key.
Bytes make_pkcs10(PCCERT_CONTEXT old_cert, HCRYPTPROV new_prov) {
  DWORD size = 0;
  CryptExportPublicKeyInfo(new_prov, AT_KEYEXCHANGE, X509_ASN_ENCODING, nullptr, &size);
  Bytes spki_buf(size);
  auto* spki = reinterpret_cast<CERT_PUBLIC_KEY_INFO*>(spki_buf.data());
  if (!CryptExportPublicKeyInfo(new_prov, AT_KEYEXCHANGE, X509_ASN_ENCODING, spki, &size)) {
    fail_last("CryptExportPublicKeyInfo");
  }
  std::vector<CERT_EXTENSION> kept;
  const CERT_INFO* info = old_cert->pCertInfo;
  for (DWORD i = 0; i < info->cExtension; ++i) {
    const std::string oid = info->rgExtension[i].pszObjId;
    if (oid == szOID_ENROLL_CERTTYPE_EXTENSION || oid == szOID_CERTIFICATE_TEMPLATE) {
      kept.push_back(info->rgExtension[i]);
    }
  }
  // CertificationRequestInfo (RFC 2986, 4.1): version 0, the subject, the key, and the
  // extensionRequest attribute. Put together here: wine's crypt32 has no encoder for
  // X509_CERT_REQUEST_TO_BE_SIGNED (CryptEncodeObjectEx fails with 0x80070002), so
  // CryptSignAndEncodeCertificate cannot be used.
  Bytes attributes;
  if (!kept.empty()) {
    CERT_EXTENSIONS exts{static_cast<DWORD>(kept.size()), kept.data()};
    attributes = tlv(
        0x30, concat({tlv(0x06, kOidExtensionRequest), tlv(0x31, encode(X509_EXTENSIONS, &exts))}));
  }
  const Bytes subject(info->Subject.pbData, info->Subject.pbData + info->Subject.cbData);
  const Bytes to_be_signed =
      tlv(0x30, concat({Bytes{0x02, 0x01, 0x00}, subject, encode(X509_PUBLIC_KEY_INFO, spki),
                        tlv(0xA0, attributes)}));
  CRYPT_ALGORITHM_IDENTIFIER alg{const_cast<LPSTR>(szOID_RSA_SHA256RSA), {0, nullptr}};
  size = 0;
  CryptSignCertificate(new_prov, AT_KEYEXCHANGE, X509_ASN_ENCODING, to_be_signed.data(),
                       static_cast<DWORD>(to_be_signed.size()), &alg, nullptr, nullptr, &size);
  Bytes signature(size);
  if (!CryptSignCertificate(new_prov, AT_KEYEXCHANGE, X509_ASN_ENCODING, to_be_signed.data(),
                            static_cast<DWORD>(to_be_signed.size()), &alg, nullptr,
                            signature.data(), &size)) {
    fail_last("CryptSignCertificate(PKCS#10, sha256RSA)");
  }
  signature.resize(size);
  CERT_SIGNED_CONTENT_INFO signed_content{};
  signed_content.ToBeSigned = {static_cast<DWORD>(to_be_signed.size()),
                               const_cast<BYTE*>(to_be_signed.data())};
  signed_content.SignatureAlgorithm = alg;
  signed_content.Signature = {static_cast<DWORD>(signature.size()), signature.data(), 0};
  return encode(X509_CERT, &signed_content);
}

// CMS SignedData over `content`, signed with the old certificate's key, the old
// certificate included: the renewal request's proof of identity.
Bytes sign_with_old(PCCERT_CONTEXT old_cert, HCRYPTPROV old_prov, DWORD spec,
                    const Bytes& content) {
  CMSG_SIGNER_ENCODE_INFO signer{};
  signer.cbSize = sizeof(signer);
  signer.pCertInfo = old_cert->pCertInfo;
  signer.hCryptProv = old_prov;
  signer.dwKeySpec = spec;
  signer.HashAlgorithm.pszObjId = const_cast<LPSTR>(szOID_NIST_sha256);
  CERT_BLOB cert{old_cert->cbCertEncoded, old_cert->pbCertEncoded};
  CMSG_SIGNED_ENCODE_INFO signed_info{};
  signed_info.cbSize = sizeof(signed_info);
  signed_info.cSigners = 1;
  signed_info.rgSigners = &signer;
  signed_info.cCertEncoded = 1;
  signed_info.rgCertEncoded = &cert;
  HCRYPTMSG msg = CryptMsgOpenToEncode(X509_ASN_ENCODING | PKCS_7_ASN_ENCODING, 0, CMSG_SIGNED,
                                       &signed_info, nullptr, nullptr);
  if (msg == nullptr) {
    fail_last("CryptMsgOpenToEncode");
  }
  Bytes out;
  DWORD size = 0;
  const bool ok = CryptMsgUpdate(msg, content.data(), static_cast<DWORD>(content.size()), TRUE) &&
                  CryptMsgGetParam(msg, CMSG_CONTENT_PARAM, 0, nullptr, &size);
  if (ok) {
    out.resize(size);
    CryptMsgGetParam(msg, CMSG_CONTENT_PARAM, 0, out.data(), &size);
    out.resize(size);
  }
  const DWORD e = GetLastError();
  CryptMsgClose(msg);
  if (!ok) {
    SetLastError(e);
    fail_last("CryptMsgUpdate (signing with the RenewalCert's key)");
  }
  return out;
}

int do_new(const std::string& inf_path, const std::string& req_path, bool overwrite) {
  const Inf inf = read_inf(inf_path);
  const auto my = open_store("My", inf.machine_key_set);
  ndes::win::CertContext old_cert = ndes::win::find_by_sha1(my.get(), inf.renewal_cert);
  if (!old_cert) {
    throw Failure("Cannot find object or property. (RenewalCert " + inf.renewal_cert +
                      " is not in the store)",
                  CRYPT_E_NOT_FOUND);
  }
  DWORD old_spec = 0;
  const ndes::win::CryptProv old_prov = open_old_key(old_cert.get(), &old_spec);

  const std::wstring container = new_container_name();
  const DWORD machine = inf.machine_key_set ? CRYPT_MACHINE_KEYSET : 0;
  ndes::win::CryptProv new_prov;
  if (!CryptAcquireContextW(new_prov.out(), container.c_str(), MS_ENH_RSA_AES_PROV_W, PROV_RSA_AES,
                            machine | CRYPT_NEWKEYSET | CRYPT_SILENT)) {
    fail_last("CryptAcquireContext(CRYPT_NEWKEYSET)");
  }
  HCRYPTKEY key = 0;
  if (!CryptGenKey(new_prov.get(), AT_KEYEXCHANGE,
                   (2048U << 16) | (inf.exportable ? CRYPT_EXPORTABLE : 0), &key)) {
    fail_last("CryptGenKey");
  }
  CryptDestroyKey(key);

  const Bytes p10 = make_pkcs10(old_cert.get(), new_prov.get());
  const Bytes request = sign_with_old(old_cert.get(), old_prov.get(), old_spec, p10);
  write_file(req_path, to_base64(request, CRYPT_STRING_BASE64REQUESTHEADER), overwrite);

  // The pending request, as certreq keeps it: a dummy certificate of the new key in
  // the REQUEST store, linked to the key, until the CA's answer is accepted ("ICEnroll::
  // get_RequestStoreName", learn.microsoft.com/windows/win32/api/xenroll/
  // nf-xenroll-icenroll-get_requeststorename); -accept finds it by the public key.
  CRYPT_KEY_PROV_INFO prov_info{};
  prov_info.pwszContainerName = const_cast<LPWSTR>(container.c_str());
  prov_info.pwszProvName = const_cast<LPWSTR>(MS_ENH_RSA_AES_PROV_W);
  prov_info.dwProvType = PROV_RSA_AES;
  prov_info.dwFlags = machine;
  prov_info.dwKeySpec = AT_KEYEXCHANGE;
  CERT_NAME_BLOB subject = old_cert.get()->pCertInfo->Subject;
  ndes::win::CertContext dummy(CertCreateSelfSignCertificate(
      new_prov.get(), &subject, 0, &prov_info, nullptr, nullptr, nullptr, nullptr));
  if (!dummy) {
    fail_last("CertCreateSelfSignCertificate (the REQUEST store entry)");
  }
  const auto request_store = open_store("REQUEST", inf.machine_key_set);
  if (!CertSetCertificateContextProperty(dummy.get(), CERT_KEY_PROV_INFO_PROP_ID, 0, &prov_info) ||
      !CertAddCertificateContextToStore(request_store.get(), dummy.get(), CERT_STORE_ADD_NEW,
                                        nullptr)) {
    fail_last("adding the request to the REQUEST store");
  }
  commit(request_store.get());
  std::printf("CertReq: Request Created\n");
  return 0;
}

// --- -submit --------------------------------------------------------------------------

// certreq-standin.conf beside this .exe: "ca-url=http://HOST:PORT/PATH".
std::wstring ca_url() {
  wchar_t exe[MAX_PATH] = {};
  GetModuleFileNameW(nullptr, exe, MAX_PATH);
  std::wstring dir(exe);
  dir = dir.substr(0, dir.find_last_of(L"\\/") + 1);
  const std::string conf = narrow(dir) + "certreq-standin.conf";
  const Bytes bytes = read_file(conf);
  std::string text(bytes.begin(), bytes.end());
  const auto at = text.find("ca-url=");
  if (at == std::string::npos) {
    throw Failure(conf + ": no ca-url= line", E_INVALIDARG);
  }
  return wide(trim(text.substr(at + 7, text.find('\n', at) - at - 7)));
}

struct HttpCloser {
  void operator()(HINTERNET h) const { WinHttpCloseHandle(h); }
};
using Http = std::unique_ptr<void, HttpCloser>;

// POSTs `body` to the CA with the -config string as `config=`; the CA's answer body.
std::string post_to_ca(const std::string& config, const Bytes& body) {
  const std::wstring url = ca_url();
  URL_COMPONENTS parts{};
  parts.dwStructSize = sizeof(parts);
  wchar_t host[256] = {};
  wchar_t path[1024] = {};
  parts.lpszHostName = host;
  parts.dwHostNameLength = 256;
  parts.lpszUrlPath = path;
  parts.dwUrlPathLength = 1024;
  if (!WinHttpCrackUrl(url.c_str(), 0, 0, &parts)) {
    fail_last("WinHttpCrackUrl(ca-url)");
  }
  const Http session(WinHttpOpen(L"certreq-standin", WINHTTP_ACCESS_TYPE_NO_PROXY,
                                 WINHTTP_NO_PROXY_NAME, WINHTTP_NO_PROXY_BYPASS, 0));
  const Http connect(session ? WinHttpConnect(session.get(), host, parts.nPort, 0) : nullptr);
  // The config travels as a header (UTF-8, percent-free): "host\CA name" has spaces.
  const Http request(connect
                         ? WinHttpOpenRequest(connect.get(), L"POST", path, nullptr,
                                              WINHTTP_NO_REFERER, WINHTTP_DEFAULT_ACCEPT_TYPES, 0)
                         : nullptr);
  const std::wstring header = L"X-CA-Config: " + wide(config) + L"\r\n";
  if (!request ||
      !WinHttpSendRequest(request.get(), header.c_str(), static_cast<DWORD>(-1),
                          const_cast<BYTE*>(body.data()), static_cast<DWORD>(body.size()),
                          static_cast<DWORD>(body.size()), 0) ||
      !WinHttpReceiveResponse(request.get(), nullptr)) {
    throw Failure("The RPC server is unavailable. (the CA at " + narrow(url) + ")",
                  HRESULT_FROM_WIN32(RPC_S_SERVER_UNAVAILABLE));
  }
  std::string answer;
  for (;;) {
    char buf[4096];
    DWORD got = 0;
    if (!WinHttpReadData(request.get(), buf, sizeof(buf), &got) || got == 0) {
      break;
    }
    answer.append(buf, got);
  }
  return answer;
}

// The CA answers "issued N\n<PEM>", "pending N\n" or "denied N <message>\n".
int do_submit(const std::string& config, const std::string& req_path, const std::string& cer_path,
              bool overwrite) {
  const Bytes request = decode_any(read_file(req_path));
  const std::string answer = post_to_ca(config, request);
  const auto eol = answer.find('\n');
  const std::string head = answer.substr(0, eol);
  const auto sp = head.find(' ');
  const std::string verdict = head.substr(0, sp);
  std::string rest = sp == std::string::npos ? "" : head.substr(sp + 1);
  const std::string id = rest.substr(0, rest.find(' '));
  const std::string message =
      rest.find(' ') == std::string::npos ? "" : rest.substr(rest.find(' ') + 1);
  if (verdict == "issued") {
    write_file(cer_path, answer.substr(eol + 1), overwrite);
    std::printf("RequestId: %s\nRequestId: \"%s\"\nCertificate retrieved(Issued) Issued\n",
                id.c_str(), id.c_str());
    return 0;
  }
  if (verdict == "pending") {
    std::printf(
        "RequestId: %s\nRequestId: \"%s\"\nCertificate request is pending: Taken Under "
        "Submission (0)\n",
        id.c_str(), id.c_str());
    return 0;
  }
  if (verdict == "denied") {
    std::printf("RequestId: %s\nRequestId: \"%s\"\nCertificate not issued (Denied) %s\n",
                id.c_str(), id.c_str(), message.c_str());
    // Which exit code certreq gives a denial is not documented; the hook reads the text
    // (renew/certreq_output.h), so any failure code serves.
    return static_cast<int>(CERTSRV_E_BAD_REQUESTSUBJECT);
  }
  throw Failure("The CA's answer is not understood: " + head, E_UNEXPECTED);
}

// --- -accept --------------------------------------------------------------------------

int do_accept(const std::string& cer_path, bool machine) {
  const Bytes der = decode_any(read_file(cer_path));
  ndes::win::CertContext cert(
      CertCreateCertificateContext(X509_ASN_ENCODING, der.data(), static_cast<DWORD>(der.size())));
  if (!cert) {
    fail_last(cer_path + ": not a certificate");
  }
  const auto request_store = open_store("REQUEST", machine);
  PCCERT_CONTEXT pending = nullptr;
  while ((pending = CertEnumCertificatesInStore(request_store.get(), pending)) != nullptr) {
    if (CertComparePublicKeyInfo(X509_ASN_ENCODING, &pending->pCertInfo->SubjectPublicKeyInfo,
                                 &cert.get()->pCertInfo->SubjectPublicKeyInfo)) {
      break;
    }
  }
  if (pending == nullptr) {
    throw Failure(
        "Cannot find object or property. (no request of this key in the REQUEST "
        "store: was -new run on this machine?)",
        CRYPT_E_NOT_FOUND);
  }
  ndes::win::CertContext request_entry(pending);
  const Bytes prov_info = property(pending, CERT_KEY_PROV_INFO_PROP_ID);
  if (prov_info.empty() || !CertSetCertificateContextProperty(
                               cert.get(), CERT_KEY_PROV_INFO_PROP_ID, 0, prov_info.data())) {
    fail_last("linking the certificate to its key");
  }
  const auto my = open_store("My", machine);
  if (!CertAddCertificateContextToStore(my.get(), cert.get(), CERT_STORE_ADD_REPLACE_EXISTING,
                                        nullptr)) {
    fail_last("CertAddCertificateContextToStore(My)");
  }
  commit(my.get());
  // CertDeleteCertificateFromStore frees the context.
  if (!CertDeleteCertificateFromStore(request_entry.release())) {
    fail_last("removing the request from the REQUEST store");
  }
  commit(request_store.get());
  std::printf("Installed Certificate:\n  Serial Number: (see the certificate)\n");
  return 0;
}

int usage() {
  std::fputs(
      "certreq stand-in (tests/windows/tools/certreq_standin.cpp):\n"
      "  certreq [-f] [-q] -new INF REQ\n"
      "  certreq [-f] [-q] -submit -config HOST\\CA REQ CER\n"
      "  certreq [-q] -accept [-machine] CER\n",
      stderr);
  return static_cast<int>(E_INVALIDARG);
}

}  // namespace

int main() {
  int argc = 0;
  LPWSTR* wargv = CommandLineToArgvW(GetCommandLineW(), &argc);
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) {
    args.push_back(narrow(wargv[i]));
  }
  LocalFree(wargv);
  bool overwrite = false;
  bool machine = false;
  std::string verb;
  std::string config;
  std::vector<std::string> files;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-f") {
      overwrite = true;
    } else if (a == "-q") {
      // quiet: this program never shows a dialog
    } else if (a == "-machine") {
      machine = true;
    } else if (a == "-config" && i + 1 < args.size()) {
      config = args[++i];
    } else if (a == "-new" || a == "-submit" || a == "-accept") {
      verb = a;
    } else if (!a.empty() && a[0] == '-') {
      return usage();
    } else {
      files.push_back(a);
    }
  }
  CoInitializeEx(nullptr, COINIT_MULTITHREADED);
  try {
    if (verb == "-new" && files.size() == 2) {
      return do_new(files[0], files[1], overwrite);
    }
    if (verb == "-submit" && files.size() == 2 && !config.empty()) {
      return do_submit(config, files[0], files[1], overwrite);
    }
    if (verb == "-accept" && files.size() == 1) {
      return do_accept(files[0], machine);
    }
    return usage();
  } catch (const Failure& f) {
    std::fprintf(stderr, "Certificate Request Processor: %s 0x%08lx\n", f.what(),
                 static_cast<unsigned long>(f.code));
    return static_cast<int>(f.code);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "Certificate Request Processor: %s\n", e.what());
    return static_cast<int>(E_FAIL);
  }
}
