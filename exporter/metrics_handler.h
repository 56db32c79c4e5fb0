// The one place the /metrics answer is put together: the collectors' text (its
// certificate part shared from scrape to scrape), the web server's own metrics, and
// gzip when the scraper takes it.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "exporter/scraper.h"
#include "web/http_server.h"

namespace ndes {

class MetricsHandler {
 public:
  // `web_metrics` gives the HTTP server's own metrics as text, per answer.
  MetricsHandler(const Scraper& scraper, std::function<std::string()> web_metrics);
  ~MetricsHandler();
  MetricsHandler(const MetricsHandler&) = delete;
  MetricsHandler& operator=(const MetricsHandler&) = delete;

  Response operator()(const Request& request);

 private:
  struct Gzip;  // the gzip answers' state, where the build has gzip
  const Scraper& scraper_;
  std::function<std::string()> web_metrics_;
  std::unique_ptr<Gzip> gzip_;
};

}  // namespace ndes
