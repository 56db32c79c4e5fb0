// The web config file as the server uses it: loaded and checked at start, then
// re-read when it (or a certificate, key or CA file it names) changes. Each request
// stats those files; a changed one is re-read, and a file that no longer loads keeps
// the old config in force, with one error log line and
// ndes_web_config_last_reload_successful 0.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "web/tls_context.h"
#include "web/web_config.h"
#include "web/web_metrics.h"

namespace ndes::web {

// A config file that cannot be used. what() is one line: "<file>: <reason>".
class WebConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class WebConfigSource {
 public:
  // `path` "" means no file: plain HTTP, no auth, no extra headers. Throws
  // WebConfigError when the file cannot be read, parsed, or names a file that does
  // not load.
  WebConfigSource(std::string path, WebStats* stats);

  // The config in force, after a re-read if a watched file changed.
  std::shared_ptr<const WebConfig> current();

  // The TLS contexts; nullptr for plain HTTP.
  TlsContextSwitch* tls() const { return tls_.get(); }
  const std::string& path() const { return path_; }

 private:
  struct FileStamp {
    bool exists = false;
    std::int64_t mtime_ns = 0;
    std::int64_t size = 0;
    std::uint64_t inode = 0;
    bool operator==(const FileStamp&) const = default;
  };
  struct Loaded {
    std::shared_ptr<const WebConfig> config;
    SslCtxPtr tls;
  };

  Loaded load() const;  // throws WebConfigError
  std::vector<FileStamp> stamp(const WebConfig& config) const;

  std::string path_;
  WebStats* stats_;
  std::mutex mu_;
  std::shared_ptr<const WebConfig> config_;
  std::vector<FileStamp> stamp_;
  std::unique_ptr<TlsContextSwitch> tls_;
};

}  // namespace ndes::web
