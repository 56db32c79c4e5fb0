// The command executor's verification source: certificate files read with the core parser
// (PEM, DER, PKCS#7, PKCS#12 without a passphrase: whatever the exporter reads). What a
// file holds is kept while its size and mtime stay the same; validity is judged at each
// check (target_check.h), so a kept certificate never passes once it has expired.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <system_error>

#include "ndes/cert/parse.h"
#include "renew/cert_source.h"

namespace ndes::renew {
namespace {

namespace fs = std::filesystem;

// Bounds: a renewal looks at a handful of files; anything near these is a mistake.
constexpr std::size_t kMaxFiles = 1000;
constexpr std::uintmax_t kMaxFileBytes = std::uintmax_t{1} << 20;

class FilesSource final : public CertificateSource {
 public:
  explicit FilesSource(std::vector<std::string> paths) : paths_(std::move(paths)) {}

  std::string name() const override {
    std::string out = "files";
    for (const auto& p : paths_) {
      out += " " + p;
    }
    return out;
  }

  std::optional<std::vector<SourceCertificate>> list(std::string* error) const override {
    std::vector<fs::path> files;
    for (const auto& p : paths_) {
      std::error_code ec;
      if (fs::is_directory(p, ec)) {
        for (fs::directory_iterator it(p, ec), end; !ec && it != end; it.increment(ec)) {
          if (it->is_regular_file(ec)) {
            files.push_back(it->path());
          }
        }
      } else if (fs::is_regular_file(p, ec)) {
        files.emplace_back(p);
      } else {
        return fail(error, p + " is neither a certificate file nor a directory");
      }
      if (ec) {
        return fail(error, "cannot list " + p + ": " + ec.message());
      }
      if (files.size() > kMaxFiles) {
        return fail(error, "more than " + std::to_string(kMaxFiles) + " files under " + p);
      }
    }
    std::sort(files.begin(), files.end());
    std::vector<SourceCertificate> out;
    std::lock_guard<std::mutex> lock(mu_);
    std::map<fs::path, Kept> still_there;
    for (const auto& file : files) {
      std::error_code ec;
      const auto size = fs::file_size(file, ec);
      const auto mtime = fs::last_write_time(file, ec);
      if (ec || size > kMaxFileBytes) {
        continue;  // not a certificate file the exporter would read either
      }
      auto kept = kept_.find(file);
      if (kept == kept_.end() || kept->second.size != size || kept->second.mtime != mtime) {
        std::ifstream in(file, std::ios::binary);
        const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                              std::istreambuf_iterator<char>());
        Kept fresh{size, mtime, {}};
        for (auto& cert : parse_certificates(bytes, file.filename().string()).certificates) {
          fresh.certs.push_back({std::move(cert), std::nullopt});
        }
        kept = kept_.insert_or_assign(file, std::move(fresh)).first;
      }
      out.insert(out.end(), kept->second.certs.begin(), kept->second.certs.end());
      still_there.insert(*kept);
    }
    kept_ = std::move(still_there);
    return out;
  }

 private:
  struct Kept {
    std::uintmax_t size = 0;
    fs::file_time_type mtime;
    std::vector<SourceCertificate> certs;
  };

  static std::optional<std::vector<SourceCertificate>> fail(std::string* error, std::string why) {
    if (error != nullptr) {
      *error = std::move(why);
    }
    return std::nullopt;
  }

  std::vector<std::string> paths_;
  mutable std::mutex mu_;
  mutable std::map<fs::path, Kept> kept_;
};

}  // namespace

std::unique_ptr<CertificateSource> make_files_source(std::vector<std::string> paths) {
  return std::make_unique<FilesSource>(std::move(paths));
}

}  // namespace ndes::renew
