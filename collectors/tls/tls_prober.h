// The `tls` prober: a TLS handshake with SNI against host:port, reporting the whole
// presented chain whether or not it verifies.
#pragma once

#include <string>
#include <string_view>

#include "probe/probe.h"

namespace ndes::probe {

void probe_tls(const ProbeContext& context, ProbeOutcome& out);

// OpenSSL's protocol name ("TLSv1.3") as blackbox_exporter's
// probe_tls_version_info shows it ("TLS 1.3"), so dashboards can share values.
std::string tls_version_label(std::string_view openssl_name);

}  // namespace ndes::probe
