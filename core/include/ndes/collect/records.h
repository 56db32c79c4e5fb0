// Plain value records: what a source (collector or probe) yields. One shared layer
// (ndes/metrics/families.h) turns them into metric families, so every source gets
// the same names and label sets.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ndes/cert/certificate.h"
#include "ndes/cert/classify.h"
#include "ndes/cert/parse.h"

namespace ndes {

// Where a certificate was seen.
struct Origin {
  std::string collector;  // files, certstore, scep, tls
  std::string source;     // the configured root: a path as given, a store, a probe target
  std::string path;       // the file, or ""
};

struct CertificateRecord {
  Origin origin;
  Certificate cert;
  Role role = Role::other;
  // Known only where the source can tell (the Windows store); nullopt elsewhere.
  std::optional<bool> has_private_key;
};

struct ReadErrorRecord {
  Origin origin;
  ReadError reason = ReadError::read_failed;
  std::string detail;
};

// The certificates of one collector run, copy-on-write. A source that keeps its
// records between runs (the files collector) hands out the same list again when
// nothing changed, without copying 10,000 records, and what was made from that list
// (the text of its series) can be reused while `same_as` holds. Reads never copy;
// the first write to a list that is shared copies it.
class CertificateList {
 public:
  using value_type = CertificateRecord;
  using const_iterator = std::vector<CertificateRecord>::const_iterator;
  using iterator = const_iterator;

  CertificateList() = default;
  CertificateList(std::initializer_list<CertificateRecord> records);
  explicit CertificateList(std::vector<CertificateRecord> records);

  const_iterator begin() const { return records().begin(); }
  const_iterator end() const { return records().end(); }
  std::size_t size() const { return records_ ? records_->size() : 0; }
  bool empty() const { return size() == 0; }
  const CertificateRecord& operator[](std::size_t i) const { return records()[i]; }
  const CertificateRecord& front() const { return records().front(); }
  const CertificateRecord& back() const { return records().back(); }

  void push_back(CertificateRecord record) { edit().push_back(std::move(record)); }
  void reserve(std::size_t n) { edit().reserve(n); }
  void clear() { records_.reset(); }
  // The records to change in place; copies them first if another list shares them.
  std::vector<CertificateRecord>& edit();

  // The very same list (not merely equal records): whatever was made from one is
  // valid for the other.
  bool same_as(const CertificateList& other) const { return records_ == other.records_; }

 private:
  const std::vector<CertificateRecord>& records() const;
  std::shared_ptr<const std::vector<CertificateRecord>> records_;  // null: empty
};

enum class SampleType { gauge, counter };

// Any other series a source wants to expose (probe results, service states...).
struct Sample {
  std::string name;
  std::string help;
  SampleType type = SampleType::gauge;
  std::map<std::string, std::string> labels;
  double value = 0;
};

// Everything one collector run produced.
struct CollectorResult {
  std::string collector;
  bool success = true;
  double duration_seconds = 0;
  CertificateList certificates;
  std::vector<ReadErrorRecord> errors;
  std::vector<Sample> samples;
  // The configured roots, so ndes_certificates_valid can say 0 for a root that
  // holds certificates of a kind but none valid.
  std::vector<std::string> sources;
};

}  // namespace ndes
