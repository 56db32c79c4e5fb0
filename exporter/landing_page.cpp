#include "exporter/landing_page.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <ctime>
#include <tuple>

namespace ndes {
namespace {

constexpr std::int64_t kDay = 86400;
constexpr std::int64_t kSoonDays = 30;

constexpr std::string_view kStyle = R"(
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 2em; color: #222; }
h1 { margin-bottom: 0.2em; }
.meta { color: #666; margin-top: 0; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.mono { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 0.9em; }
tr.soon { background: #fff4d6; }
tr.expired { background: #fddede; }
tr.failed { background: #fddede; }
.empty { color: #666; font-style: italic; }
.error { color: #a00; }
)";

std::string td(std::string_view text, std::string_view cls = "") {
  std::string out = cls.empty() ? "<td>" : "<td class=\"" + std::string(cls) + "\">";
  out += html_escape(text);
  out += "</td>";
  return out;
}

std::string format_duration(double seconds) {
  std::array<char, 32> buf{};
  std::snprintf(buf.data(), buf.size(), "%.3fs", seconds);
  return buf.data();
}

std::string render_renew_hook(const RenewHookView& hook) {
  std::string h = "<h2>Renewals (ndes_renew_hook)</h2>\n";
  h += "<p>All renewals: <a id=\"renewals-link\" href=\"" + html_escape(hook.renewals_url) + "\">" +
       html_escape(hook.renewals_url) + "</a> (needs the hook's bearer token)";
  if (!hook.mode.empty()) {
    h += " &middot; mode " + html_escape(hook.mode);
  }
  h += "</p>\n";
  if (!hook.error.empty()) {
    return h + "<p class=\"error\" id=\"renew-hook-error\">Cannot show the last renewals: " +
           html_escape(hook.error) + "</p>\n";
  }
  if (hook.last.empty()) {
    return h + "<p class=\"empty\">No renewal yet.</p>\n";
  }
  h += "<table id=\"renewals\">\n<tr><th>Template</th><th>Last renewal</th><th>Status</th>"
       "<th>When</th><th>Thumbprint</th><th>Reason</th></tr>\n";
  for (const auto& r : hook.last) {
    const bool bad = r.status == "failed" || r.status == "interrupted";
    h += bad ? "<tr class=\"failed\">" : "<tr>";
    h += td(r.template_name) + td(r.id) + td(r.status) + td(r.when) + td(r.thumbprint, "mono") +
         td(r.reason) + "</tr>\n";
  }
  return h + "</table>\n";
}

}  // namespace

std::int64_t days_left(std::int64_t not_after, std::int64_t now) {
  const std::int64_t diff = not_after - now;
  // Floor division, so 1 second past NotAfter is day -1, not 0.
  return diff >= 0 ? diff / kDay : -((-diff + kDay - 1) / kDay);
}

std::string iso_time(std::int64_t unix_seconds) {
  const auto t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::array<char, 32> buf{};
  std::strftime(buf.data(), buf.size(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf.data();
}

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string_view row_class(std::int64_t not_after, std::int64_t now) {
  if (not_after <= now) {
    return "expired";
  }
  if (not_after - now < kSoonDays * kDay) {
    return "soon";
  }
  return "";
}

std::string render_landing_page(const LandingPageData& data) {
  std::vector<const CertificateRecord*> certs;
  std::vector<const ReadErrorRecord*> errors;
  for (const auto& result : data.results) {
    for (const auto& c : result.certificates) {
      certs.push_back(&c);
    }
    for (const auto& e : result.errors) {
      errors.push_back(&e);
    }
  }
  std::stable_sort(certs.begin(), certs.end(), [](const auto* a, const auto* b) {
    return std::tie(a->cert.not_after, a->cert.subject, a->origin.path, a->cert.thumbprint) <
           std::tie(b->cert.not_after, b->cert.subject, b->origin.path, b->cert.thumbprint);
  });
  std::stable_sort(errors.begin(), errors.end(),
                   [](const auto* a, const auto* b) { return a->origin.path < b->origin.path; });

  std::string h;
  h.reserve(4096 + certs.size() * 512);
  h += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  h += "<title>NDES Exporter</title>\n<style>";
  h += kStyle;
  h += "</style>\n</head>\n<body>\n";
  h += "<h1>NDES Exporter</h1>\n";
  h += "<p class=\"meta\">Version " + html_escape(data.version) + " (revision " +
       html_escape(data.revision) + ") &middot; as of " + html_escape(iso_time(data.now)) +
       "</p>\n";

  h += "<h2>Endpoints</h2>\n<ul>\n";
  std::vector<PageLink> links = {
      {data.telemetry_path, data.telemetry_path, "Metrics in the Prometheus text format"},
      {"/healthz", "/healthz", "Health check"},
  };
  links.insert(links.end(), data.extra_links.begin(), data.extra_links.end());
  for (const auto& link : links) {
    h += "<li><a href=\"" + html_escape(link.href) + "\">" + html_escape(link.text) + "</a>";
    if (!link.description.empty()) {
      h += " &ndash; " + html_escape(link.description);
    }
    h += "</li>\n";
  }
  h += "</ul>\n";

  h += "<h2>Collectors</h2>\n";
  if (data.collectors.empty()) {
    h += "<p class=\"empty\">No collector is enabled.</p>\n";
  } else {
    h += "<table id=\"collectors\">\n<tr><th>Collector</th><th>Status</th><th>Duration</th>"
         "<th>Certificates</th><th>Read errors</th></tr>\n";
    for (const auto& name : data.collectors) {
      const auto it = std::find_if(data.results.begin(), data.results.end(),
                                   [&](const CollectorResult& r) { return r.collector == name; });
      if (it == data.results.end()) {
        h += "<tr>" + td(name) + td("not run yet") + td("") + td("") + td("") + "</tr>\n";
        continue;
      }
      h += it->success ? "<tr>" : "<tr class=\"failed\">";
      h += td(name) + td(it->success ? "ok" : "failed") +
           td(format_duration(it->duration_seconds), "num") +
           td(std::to_string(it->certificates.size()), "num") +
           td(std::to_string(it->errors.size()), "num") + "</tr>\n";
    }
    h += "</table>\n";
  }

  h += "<h2>Certificates</h2>\n";
  if (certs.empty()) {
    h += "<p class=\"empty\">No certificates found.</p>\n";
  } else {
    h += "<table id=\"certificates\">\n<tr><th>Days left</th><th>NotAfter</th><th>Role</th>"
         "<th>Template</th><th>Subject</th><th>Issuer</th><th>Thumbprint</th><th>Collector</th>"
         "<th>Source</th><th>Path</th></tr>\n";
    for (const auto* rec : certs) {
      const Certificate& c = rec->cert;
      const std::string_view cls = row_class(c.not_after, data.now);
      h += cls.empty() ? "<tr>" : "<tr class=\"" + std::string(cls) + "\">";
      const std::string tmpl = c.template_name.empty() ? c.template_oid : c.template_name;
      h += td(std::to_string(days_left(c.not_after, data.now)), "num");
      h += td(iso_time(c.not_after));
      h += td(to_string(rec->role));
      h += td(tmpl);
      h += td(c.subject);
      h += td(c.issuer);
      h += td(c.thumbprint, "mono");
      h += td(rec->origin.collector);
      h += td(rec->origin.source);
      h += td(rec->origin.path);
      h += "</tr>\n";
    }
    h += "</table>\n";
  }

  if (data.renew_hook) {
    h += render_renew_hook(*data.renew_hook);
  }

  h += "<h2>Read errors</h2>\n";
  if (errors.empty()) {
    h += "<p class=\"empty\">No read errors.</p>\n";
  } else {
    h += "<table id=\"errors\">\n<tr><th>Path</th><th>Reason</th><th>Detail</th>"
         "<th>Collector</th><th>Source</th></tr>\n";
    for (const auto* e : errors) {
      h += "<tr>" + td(e->origin.path) + td(to_string(e->reason)) + td(e->detail) +
           td(e->origin.collector) + td(e->origin.source) + "</tr>\n";
    }
    h += "</table>\n";
  }
  h += "</body>\n</html>\n";
  return h;
}

}  // namespace ndes
