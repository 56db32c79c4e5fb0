// Plain value records: what a source (collector or probe) yields. One shared layer
// (ndes/metrics/families.h) turns them into metric families, so every source gets
// the same names and label sets.
#pragma once

#include <map>
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
  std::vector<CertificateRecord> certificates;
  std::vector<ReadErrorRecord> errors;
  std::vector<Sample> samples;
  // The configured roots, so ndes_certificates_valid can say 0 for a root that
  // holds certificates of a kind but none valid.
  std::vector<std::string> sources;
};

}  // namespace ndes
