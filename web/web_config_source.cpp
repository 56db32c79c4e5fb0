#include "web/web_config_source.h"

#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/log.h"

namespace ndes::web {
namespace {

std::int64_t unix_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

WebConfigSource::WebConfigSource(std::string path, WebStats* stats)
    : path_(std::move(path)), stats_(stats) {
  stats_->config_file = !path_.empty();
  if (path_.empty()) {
    config_ = std::make_shared<const WebConfig>();
    return;
  }
  Loaded loaded = load();
  config_ = loaded.config;
  stamp_ = stamp(*config_);
  if (loaded.tls) {
    tls_ = std::make_unique<TlsContextSwitch>(std::move(loaded.tls));
  }
  stats_->config_reload_ok = true;
  stats_->config_reload_success_time = unix_seconds();
}

WebConfigSource::Loaded WebConfigSource::load() const {
  std::ifstream in(path_, std::ios::binary);
  if (!in) {
    throw WebConfigError(path_ + ": cannot read: " + std::strerror(errno));
  }
  std::stringstream text;
  text << in.rdbuf();
  std::string error;
  const std::string dir = std::filesystem::path(path_).parent_path().string();
  auto config = parse_web_config(text.str(), dir, &error);
  if (!config) {
    throw WebConfigError(path_ + ": " + error);
  }
#ifdef _WIN32
  if (!config->users.empty()) {
    throw WebConfigError(path_ +
                         ": basic_auth_users: bcrypt checking needs libxcrypt, which the Windows "
                         "build does not have yet");
  }
#endif
  Loaded out;
  if (config->tls) {
    out.tls = build_tls_context(*config->tls, &error);
    if (!out.tls) {
      throw WebConfigError(path_ + ": tls_server_config." + error);
    }
  }
  out.config = std::make_shared<const WebConfig>(std::move(*config));
  return out;
}

std::vector<WebConfigSource::FileStamp> WebConfigSource::stamp(const WebConfig& config) const {
  std::vector<std::string> paths = {path_};
  if (config.tls) {
    paths.push_back(config.tls->cert_file);
    paths.push_back(config.tls->key_file);
    paths.push_back(config.tls->client_ca_file);
  }
  std::vector<FileStamp> out;
  for (const auto& p : paths) {
    FileStamp s;
    struct stat st {};
    if (!p.empty() && ::stat(p.c_str(), &st) == 0) {
      s.exists = true;
#ifdef _WIN32
      s.mtime_ns = static_cast<std::int64_t>(st.st_mtime) * 1000000000;
#else
      s.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
#endif
      s.size = static_cast<std::int64_t>(st.st_size);
      s.inode = static_cast<std::uint64_t>(st.st_ino);
    }
    out.push_back(s);
  }
  return out;
}

std::shared_ptr<const WebConfig> WebConfigSource::current() {
  std::lock_guard<std::mutex> lock(mu_);
  if (path_.empty()) {
    return config_;
  }
  auto now = stamp(*config_);
  if (now == stamp_) {
    return config_;
  }
  stamp_ = std::move(now);  // a refused change is not retried until the files change again
  try {
    Loaded loaded = load();
    if (loaded.tls.operator bool() != (tls_ != nullptr)) {
      throw WebConfigError(path_ + ": turning TLS " + (tls_ ? "off" : "on") + " needs a restart");
    }
    if (*loaded.config == *config_ && !loaded.tls) {
      return config_;  // touched, not changed
    }
    if (loaded.tls) {
      tls_->replace(std::move(loaded.tls));
    }
    config_ = loaded.config;
    stamp_ = stamp(*config_);
    stats_->config_reload_ok = true;
    stats_->config_reload_success_time = unix_seconds();
    log_info("web config reloaded", {{"file", path_}});
  } catch (const WebConfigError& e) {
    stats_->config_reload_ok = false;
    log_error("web config not reloaded, keeping the previous one",
              {{"file", path_}, {"err", e.what()}});
  }
  return config_;
}

}  // namespace ndes::web
