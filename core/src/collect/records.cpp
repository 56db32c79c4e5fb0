#include "ndes/collect/records.h"

namespace ndes {

CertificateList::CertificateList(std::initializer_list<CertificateRecord> records)
    : CertificateList(std::vector<CertificateRecord>(records)) {}

CertificateList::CertificateList(std::vector<CertificateRecord> records) {
  if (!records.empty()) {
    records_ = std::make_shared<std::vector<CertificateRecord>>(std::move(records));
  }
}

const std::vector<CertificateRecord>& CertificateList::records() const {
  static const std::vector<CertificateRecord> kEmpty;
  return records_ ? *records_ : kEmpty;
}

std::vector<CertificateRecord>& CertificateList::edit() {
  // use_count() == 1: no other list (in any thread) can see these records, so
  // changing them in place is safe; otherwise the copy becomes this list's own.
  if (!records_ || records_.use_count() != 1) {
    records_ = std::make_shared<std::vector<CertificateRecord>>(
        records_ ? *records_ : std::vector<CertificateRecord>{});
  }
  // The vector was created non-const by make_shared above or in the constructor,
  // and no one else holds it: casting the const away is defined behaviour.
  return const_cast<std::vector<CertificateRecord>&>(*records_);
}

}  // namespace ndes
