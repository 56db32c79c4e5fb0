#include "exporter/metrics_handler.h"

#include <span>
#include <utility>

#include "web/gzip.h"

namespace ndes {

#ifdef NDES_HAVE_GZIP
struct MetricsHandler::Gzip {
  GzipAnswers answers;
};
#else
struct MetricsHandler::Gzip {};
#endif

MetricsHandler::MetricsHandler(const Scraper& scraper, std::function<std::string()> web_metrics)
    : scraper_(scraper), web_metrics_(std::move(web_metrics)), gzip_(std::make_unique<Gzip>()) {}

MetricsHandler::~MetricsHandler() = default;

Response MetricsHandler::operator()(const Request& request) {
  Response r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  r.headers.emplace_back("Vary", "Accept-Encoding");
  const auto text = scraper_.scrape_shared();
  std::string web_metrics = web_metrics_();
#ifdef NDES_HAVE_GZIP
  if (accepts_gzip(request.header("Accept-Encoding"))) {
    const std::span<const std::shared_ptr<const std::string>> parts(text->parts);
    std::string rest;
    for (const auto& part : parts.subspan(text->stable_parts)) {
      rest += *part;
    }
    rest += web_metrics;
    r.shared_parts = gzip_->answers.compress(parts.first(text->stable_parts), std::move(rest));
    r.headers.emplace_back("Content-Encoding", "gzip");
    return r;
  }
#else
  (void)request;
#endif
  r.shared_parts = text->parts;
  r.body = std::move(web_metrics);
  return r;
}

}  // namespace ndes
