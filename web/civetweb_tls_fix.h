// Debian 12's civetweb 1.15 was built for the OpenSSL 1.1 API: it loads libssl.so at
// run time and looks up SSL_get_peer_certificate, which OpenSSL 3 renamed
// SSL_get1_peer_certificate (same meaning: a new reference the caller frees). The
// lookup fails quietly, the slot in civetweb's function table stays NULL, and
// civetweb calls it after every TLS handshake: a crash. This fills that one slot.
#pragma once

#include <string>

namespace ndes::web {

// Finds civetweb's table entry for SSL_get_peer_certificate and, when it is NULL,
// points it at SSL_get1_peer_certificate. Call after civetweb loaded libssl (its
// init_ssl callback) and before the first connection. Returns "" when the slot is
// usable (patched or already set), else why it is not.
std::string fix_civetweb_peer_certificate_slot();

}  // namespace ndes::web
