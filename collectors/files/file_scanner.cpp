#include "files/file_scanner.h"

#ifndef _WIN32
#include <sys/stat.h>
#endif

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <iterator>
#include <optional>
#include <set>
#include <system_error>

#include "base/log.h"
#include "base/text.h"
#include "ndes/cert/classify.h"
#include "ndes/cert/parse.h"

namespace fs = std::filesystem;

namespace ndes::files {
namespace {

constexpr const char* kCollector = "files";

#ifdef _WIN32
std::int64_t mtime_ns(const fs::file_time_type& t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}
#endif

// What the walk needs of an entry, following links.
struct EntryFacts {
  fs::file_type type = fs::file_type::unknown;
  std::uintmax_t size = 0;
  std::int64_t mtime_ns = 0;
};

// One stat(2) per entry on POSIX: std::filesystem takes three (type, size, mtime),
// a third of a warm scan's time at 10,000 files (bench/run_macro.py, perf).
std::optional<EntryFacts> stat_entry(const fs::path& p, std::error_code& ec) {
  EntryFacts facts;
#ifdef _WIN32
  const fs::file_status st = fs::status(p, ec);
  if (ec) {
    return std::nullopt;
  }
  facts.type = st.type();
  if (facts.type == fs::file_type::regular) {
    facts.size = fs::file_size(p, ec);
    const auto mtime = ec ? fs::file_time_type{} : fs::last_write_time(p, ec);
    if (ec) {
      return std::nullopt;
    }
    facts.mtime_ns = mtime_ns(mtime);
  }
#else
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) {
    ec = std::error_code(errno, std::generic_category());
    return std::nullopt;
  }
  facts.type = S_ISDIR(st.st_mode)   ? fs::file_type::directory
               : S_ISREG(st.st_mode) ? fs::file_type::regular
                                     : fs::file_type::unknown;
  facts.size = static_cast<std::uintmax_t>(st.st_size);
  facts.mtime_ns =
      static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
#endif
  return facts;
}

// Now, on the clock file times are given in (EntryFacts::mtime_ns): the file clock
// on Windows, the Unix epoch of stat(2)'s st_mtim elsewhere.
std::int64_t file_clock_now_ns() {
#ifdef _WIN32
  return mtime_ns(fs::file_time_type::clock::now());
#else
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
#endif
}

// A file deleted (or renamed away) between the listing and the stat or read: it is
// simply not there any more, which is no error to report.
bool vanished(const std::error_code& ec) { return ec == std::errc::no_such_file_or_directory; }

std::size_t hash_bytes(const std::vector<std::uint8_t>& bytes) {
  return std::hash<std::string_view>{}(
      std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

ReadError reason_for(const std::error_code& ec) {
  return ec == std::errc::permission_denied || ec == std::errc::operation_not_permitted
             ? ReadError::permission_denied
             : ReadError::read_failed;
}

ReadErrorRecord error_record(const std::string& source, const std::string& path, ReadError reason,
                             std::string detail) {
  return ReadErrorRecord{Origin{kCollector, source, path}, reason, std::move(detail)};
}

// Reads at most `limit` bytes of `path`; errno-based so permission problems are
// told apart from other failures on every platform.
struct ReadOutcome {
  std::vector<std::uint8_t> bytes;
  std::error_code error;
};

ReadOutcome read_file(const std::string& path, std::uintmax_t limit) {
  ReadOutcome out;
  errno = 0;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    out.error = std::error_code(errno != 0 ? errno : EIO, std::generic_category());
    return out;
  }
  std::uint8_t buf[16384];
  while (out.bytes.size() <= limit) {
    const std::size_t n = std::fread(buf, 1, sizeof buf, f);
    out.bytes.insert(out.bytes.end(), buf, buf + n);
    if (n < sizeof buf) {
      if (std::ferror(f) != 0) {
        out.error = std::error_code(errno != 0 ? errno : EIO, std::generic_category());
      }
      break;
    }
  }
  std::fclose(f);
  return out;
}

std::optional<std::string> read_passphrase(const std::string& file, std::string& problem) {
  auto r = read_file(file, std::uintmax_t{64} * 1024);
  if (r.error) {
    problem = "cannot read passphrase file " + file + ": " + r.error.message();
    return std::nullopt;
  }
  std::string s(r.bytes.begin(), r.bytes.end());
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) {
    s.pop_back();  // editors add a newline that is not part of the passphrase
  }
  return s;
}

// What a file's name says. Private keys are never opened; files whose names do
// not say "certificate" are sniffed, but an unreadable or oversized one is skipped
// quietly rather than reported (a log or a key next to the certificates is not an
// error).
enum class NameKind { certificate, private_key, unknown };

NameKind name_kind(const std::string& path) {
  const std::string ext = lower(fs::path(path).extension().string());
  static const std::set<std::string> kCertificate = {".pem", ".crt", ".cer", ".der", ".cert",
                                                     ".p7b", ".p7c", ".p7",  ".pfx", ".p12"};
  if (kCertificate.count(ext) != 0) {
    return NameKind::certificate;
  }
  return ext == ".key" ? NameKind::private_key : NameKind::unknown;
}

void warn_read_error(const ReadErrorRecord& e) {
  log_warn(
      "cannot read",
      {{"collector", "files"}, {"reason", std::string(to_string(e.reason))}, {"detail", e.detail}});
}

}  // namespace

bool racy_timestamp(std::int64_t mtime_ns, std::int64_t read_started_ns) {
  return mtime_ns > read_started_ns - kRacyWindowNs;
}

WalkResult walk_root(const std::string& root, ChangeWatch* watch) {
  WalkResult out;
  if (watch != nullptr) {
    watch->add_checked(root);  // itself a link, or below one, retargeted unseen
  }
  std::error_code ec;
  const fs::file_status st = fs::status(root, ec);
  if (ec || !fs::exists(st)) {
    const auto err = ec ? ec : std::make_error_code(std::errc::no_such_file_or_directory);
    out.errors.push_back(
        error_record(root, root, reason_for(err), "cannot open " + root + ": " + err.message()));
    return out;
  }

  std::set<fs::path> visited_dirs;
  std::vector<fs::path> pending;
  auto add_file = [&](const fs::path& p, const EntryFacts& facts) {
    out.files.push_back(FoundFile{p.string(), facts.size, facts.mtime_ns});
  };

  if (!fs::is_directory(st)) {
    if (fs::is_regular_file(st)) {
      std::error_code fec;
      if (const auto facts = stat_entry(root, fec)) {
        add_file(root, *facts);
      } else {
        out.errors.push_back(error_record(root, root, reason_for(fec),
                                          "cannot stat " + root + ": " + fec.message()));
      }
    }
    return out;
  }
  pending.emplace_back(root);
  while (!pending.empty()) {
    const fs::path dir = pending.back();
    pending.pop_back();
    std::error_code cec;
    const fs::path canonical = fs::canonical(dir, cec);
    if (cec || !visited_dirs.insert(canonical).second) {
      // Reached before. A link to one of its own ancestors is a loop: said once, as an
      // error record (and so a log line and a metric); a second way to a directory
      // elsewhere is not a problem.
      std::error_code lec;
      const fs::path parent = fs::canonical(dir.parent_path(), lec);
      const auto [end, _] =
          std::mismatch(canonical.begin(), canonical.end(), parent.begin(), parent.end());
      if (!cec && !lec && fs::is_symlink(dir, lec) && end == canonical.end()) {
        out.errors.push_back(error_record(
            root, dir.string(), ReadError::symlink_loop,
            "symbolic link loop: " + dir.string() + " leads back to " + canonical.string()));
      }
      continue;
    }
    if (watch != nullptr) {
      watch->add_directory(dir.string());  // before the listing: no change slips between
    }
    std::error_code dec;
    fs::directory_iterator it(dir, dec);
    if (dec) {
      out.errors.push_back(error_record(root, dir.string(), reason_for(dec),
                                        "cannot list " + dir.string() + ": " + dec.message()));
      continue;
    }
    for (; it != fs::directory_iterator(); it.increment(dec)) {
      if (dec) {
        out.errors.push_back(error_record(root, dir.string(), reason_for(dec),
                                          "cannot list " + dir.string() + ": " + dec.message()));
        break;
      }
      std::error_code lec;
      const bool link = it->is_symlink(lec);  // the listing's d_type: no system call
      std::error_code sec;
      if (link && watch != nullptr) {
        watch->add_checked(it->path().string());
      }
      const auto facts = stat_entry(it->path(), sec);  // follows links
      if (!facts) {
        if (sec == std::errc::too_many_symbolic_link_levels) {
          out.errors.push_back(
              error_record(root, it->path().string(), ReadError::symlink_loop,
                           "symbolic link loop: " + it->path().string() + ": " + sec.message()));
          continue;
        }
        if (vanished(sec)) {
          continue;  // deleted since the listing
        }
        if (link) {
          continue;  // a dangling link is nothing to read
        }
        out.errors.push_back(
            error_record(root, it->path().string(), reason_for(sec),
                         "cannot stat " + it->path().string() + ": " + sec.message()));
        continue;
      }
      if (facts->type == fs::file_type::directory) {
        pending.push_back(it->path());
      } else if (facts->type == fs::file_type::regular) {
        add_file(it->path(), *facts);
      }  // sockets, FIFOs and devices are never read: a FIFO would block the scan
    }
  }
  std::sort(out.files.begin(), out.files.end(),
            [](const FoundFile& a, const FoundFile& b) { return a.path < b.path; });
  return out;
}

FileScanner::FileScanner(FilesCollectorConfig config, TemplateNames template_names)
    : config_(std::move(config)), template_names_(std::move(template_names)) {}

FileScanner::CacheEntry FileScanner::load(const FoundFile& file, const FilesRoot& root,
                                          std::size_t passphrase_hash,
                                          const std::optional<std::string>& passphrase,
                                          const std::string& passphrase_problem) {
  CacheEntry entry;
  entry.size = file.size;
  entry.mtime_ns = file.mtime_ns;
  entry.passphrase_hash = passphrase_hash;
  const std::string& source = root.path;
  const NameKind kind = name_kind(file.path);
  if (kind == NameKind::private_key) {
    return entry;
  }
  if (kind == NameKind::unknown && file.size > config_.max_file_size) {
    log_debug("file skipped: too large and not named as a certificate",
              {{"collector", "files"}, {"path", file.path}, {"bytes", std::to_string(file.size)}});
    return entry;
  }
  if (file.size > config_.max_file_size) {
    entry.errors.push_back(error_record(source, file.path, ReadError::too_large,
                                        file.path + " is " + std::to_string(file.size) +
                                            " bytes, over the limit of " +
                                            std::to_string(config_.max_file_size)));
    return entry;
  }
  const std::int64_t read_started = file_clock_now_ns();
  auto read = read_file(file.path, config_.max_file_size);
  if (read.error && vanished(read.error)) {
    log_debug("file deleted during the scan", {{"collector", "files"}, {"path", file.path}});
    return entry;
  }
  if (read.error && kind == NameKind::unknown) {
    log_debug("unreadable file skipped",
              {{"collector", "files"}, {"path", file.path}, {"err", read.error.message()}});
    return entry;
  }
  if (read.error) {
    entry.errors.push_back(error_record(source, file.path, reason_for(read.error),
                                        "cannot read " + file.path + ": " + read.error.message()));
    return entry;
  }
  if (read.bytes.size() > config_.max_file_size) {  // it grew since the walk
    entry.errors.push_back(error_record(
        source, file.path, ReadError::too_large,
        file.path + " is over the limit of " + std::to_string(config_.max_file_size) + " bytes"));
    return entry;
  }

  entry.content_hash = hash_bytes(read.bytes);
  entry.racy = racy_timestamp(file.mtime_ns, read_started);
  ++parses_;
  ParseOptions options;
  options.pkcs12_passphrase = passphrase;
  options.template_names = &template_names_;
  ParseResult parsed = parse_certificates(read.bytes, file.path, options);
  if (parsed.not_certificate) {
    return entry;
  }
  for (auto& cert : parsed.certificates) {
    CertificateRecord rec;
    rec.origin = Origin{kCollector, source, file.path};
    rec.role = classify(cert);
    rec.cert = std::move(cert);
    entry.fresh.push_back(std::move(rec));
  }
  if (parsed.error) {
    std::string detail = file.path + ": " + parsed.detail;
    if (*parsed.error == ReadError::bad_passphrase && !passphrase_problem.empty()) {
      detail += " (" + passphrase_problem + ")";
    }
    entry.errors.push_back(error_record(source, file.path, *parsed.error, std::move(detail)));
  }
  return entry;
}

bool FileScanner::still_same(const FoundFile& file, CacheEntry& entry) const {
  const std::int64_t read_started = file_clock_now_ns();
  const auto read = read_file(file.path, config_.max_file_size);
  if (read.error || hash_bytes(read.bytes) != entry.content_hash) {
    return false;
  }
  entry.racy = racy_timestamp(file.mtime_ns, read_started);
  return true;
}

CollectorResult FileScanner::scan() {
  CollectorResult result;
  result.collector = kCollector;
  bool changed = false;
  std::vector<CacheEntry*> in_order;  // this scan's entries, in walk order
  in_order.reserve(cache_.size());

  // A changed passphrase must re-parse the files it applies to, watched or not.
  std::vector<RootPassphrase> passphrases;
  passphrases.reserve(config_.roots.size());
  std::vector<std::size_t> passphrase_hashes;
  for (const auto& root : config_.roots) {
    result.sources.push_back(root.path);
    const auto& file =
        root.pkcs12_passphrase_file ? root.pkcs12_passphrase_file : config_.pkcs12_passphrase_file;
    RootPassphrase p;
    if (file) {
      p.passphrase = read_passphrase(*file, p.problem);
      if (!p.passphrase) {
        log_warn("passphrase unreadable", {{"collector", "files"}, {"err", p.problem}});
      }
    }
    p.hash = p.passphrase ? std::hash<std::string>{}(*p.passphrase) : 0;
    passphrase_hashes.push_back(p.hash);
    passphrases.push_back(std::move(p));
  }

  // Nothing under the roots changed since the last walk: no walk, the same list.
  if (config_.watch && scan_number_ > 0 && passphrase_hashes == last_passphrase_hashes_ &&
      watch_.unchanged()) {
    result.certificates = certificates_;
    result.errors = errors_;
    return result;
  }
  ++scan_number_;
  ++walks_;
  if (config_.watch) {
    watch_.restart();
  }
  last_passphrase_hashes_ = std::move(passphrase_hashes);

  for (std::size_t r = 0; r < config_.roots.size(); ++r) {
    const FilesRoot& root = config_.roots[r];
    const RootPassphrase& pass = passphrases[r];
    WalkResult walk = walk_root(root.path, config_.watch ? &watch_ : nullptr);
    for (auto& e : walk.errors) {
      warn_read_error(e);
      // Only a walk reports these: the next scrape must walk again to report them.
      watch_.give_up(e.detail);
      result.errors.push_back(std::move(e));
    }
    for (const auto& file : walk.files) {
      auto [it, inserted] = cache_.try_emplace(file.path);
      CacheEntry& entry = it->second;
      if (!inserted && entry.seen_in_scan == scan_number_) {
        continue;  // reachable from two roots: the first one reports it
      }
      const bool unchanged =
          !inserted && entry.size == file.size && entry.mtime_ns == file.mtime_ns &&
          entry.passphrase_hash == pass.hash && (!entry.racy || still_same(file, entry));
      if (!unchanged) {
        entry = load(file, root, pass.hash, pass.passphrase, pass.problem);
        for (const auto& e : entry.errors) {
          warn_read_error(e);
        }
        changed = true;
      }
      entry.seen_in_scan = scan_number_;
      in_order.push_back(&entry);
    }
  }
  // Files gone since the last scan leave no series behind.
  for (auto it = cache_.begin(); it != cache_.end();) {
    if (it->second.seen_in_scan != scan_number_) {
      it = cache_.erase(it);
      changed = true;
    } else {
      ++it;
    }
  }
  // Nothing changed: the same list as last time, shared, not copied (a warm scan of
  // 10,000 files used to spend most of its time copying and freeing records).
  if (changed || scan_number_ == 1) {
    // Each record is kept once, in the list: a new file's records move into it, an
    // unchanged file's are copied from the last list (which the exporter may still be
    // serving, so it is not taken apart).
    std::size_t total = 0;
    for (const CacheEntry* e : in_order) {
      total += e->fresh.empty() ? e->count : e->fresh.size();
    }
    std::vector<CertificateRecord> certificates;
    certificates.reserve(total);
    std::vector<ReadErrorRecord> errors;
    for (CacheEntry* e : in_order) {
      const std::size_t first = certificates.size();
      if (!e->fresh.empty()) {
        std::move(e->fresh.begin(), e->fresh.end(), std::back_inserter(certificates));
        e->fresh = {};
      } else {
        const auto old = certificates_.begin() + static_cast<std::ptrdiff_t>(e->first);
        certificates.insert(certificates.end(), old, old + static_cast<std::ptrdiff_t>(e->count));
      }
      e->first = first;
      e->count = certificates.size() - first;
      errors.insert(errors.end(), e->errors.begin(), e->errors.end());
    }
    certificates_ = CertificateList(std::move(certificates));
    errors_ = std::move(errors);
  }
  result.certificates = certificates_;
  result.errors.insert(result.errors.end(), errors_.begin(), errors_.end());
  return result;
}

}  // namespace ndes::files
