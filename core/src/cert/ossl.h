// Internal to src/cert: RAII owners for OpenSSL objects and the X509 -> model step.
#pragma once

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pkcs12.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>

#include "ndes/cert/certificate.h"
#include "ndes/cert/parse.h"

namespace ndes::detail {

// unique_ptr deleter calling an OpenSSL free function.
template <auto FreeFn>
struct OsslDeleter {
  template <typename T>
  void operator()(T* p) const {
    FreeFn(p);
  }
};
template <typename T, auto FreeFn>
using OsslPtr = std::unique_ptr<T, OsslDeleter<FreeFn>>;

inline void free_x509_stack(STACK_OF(X509) * s) { sk_X509_pop_free(s, X509_free); }
inline void free_pkcs7_stack(STACK_OF(PKCS7) * s) { sk_PKCS7_pop_free(s, PKCS7_free); }
inline void free_safebag_stack(STACK_OF(PKCS12_SAFEBAG) * s) {
  sk_PKCS12_SAFEBAG_pop_free(s, PKCS12_SAFEBAG_free);
}
inline void free_asn1_sequence_any(ASN1_SEQUENCE_ANY* s) {
  sk_ASN1_TYPE_pop_free(s, ASN1_TYPE_free);
}
inline void free_openssl_string(char* p) { OPENSSL_free(p); }
inline void free_openssl_bytes(unsigned char* p) { OPENSSL_free(p); }

using X509Ptr = OsslPtr<X509, X509_free>;
using X509StackPtr = OsslPtr<STACK_OF(X509), free_x509_stack>;
using Pkcs7Ptr = OsslPtr<PKCS7, PKCS7_free>;
using Pkcs7StackPtr = OsslPtr<STACK_OF(PKCS7), free_pkcs7_stack>;
using CmsPtr = OsslPtr<CMS_ContentInfo, CMS_ContentInfo_free>;
using Pkcs12Ptr = OsslPtr<PKCS12, PKCS12_free>;
using SafeBagStackPtr = OsslPtr<STACK_OF(PKCS12_SAFEBAG), free_safebag_stack>;
using BioPtr = OsslPtr<BIO, BIO_free>;
using BignumPtr = OsslPtr<BIGNUM, BN_free>;
using Asn1TypePtr = OsslPtr<ASN1_TYPE, ASN1_TYPE_free>;
using Asn1SequenceAnyPtr = OsslPtr<ASN1_SEQUENCE_ANY, free_asn1_sequence_any>;
using ExtKeyUsagePtr = OsslPtr<EXTENDED_KEY_USAGE, EXTENDED_KEY_USAGE_free>;
using BasicConstraintsPtr = OsslPtr<BASIC_CONSTRAINTS, BASIC_CONSTRAINTS_free>;
using GeneralNamesPtr = OsslPtr<GENERAL_NAMES, GENERAL_NAMES_free>;
using CrlDistPointsPtr = OsslPtr<CRL_DIST_POINTS, CRL_DIST_POINTS_free>;
using OsslStringPtr = OsslPtr<char, free_openssl_string>;
using OsslBytesPtr = OsslPtr<unsigned char, free_openssl_bytes>;

// The text of the most recent OpenSSL error (reason only), "" if the queue is empty.
// Does not clear the queue.
std::string last_openssl_reason();

// Dotted OID text, never the short name.
std::string oid_text(const ASN1_OBJECT* obj);

// All facts about `x` as the model has them. Never fails: fields that cannot be
// read stay at their defaults.
Certificate certificate_from_x509(X509* x, const TemplateNames* template_names);

}  // namespace ndes::detail
