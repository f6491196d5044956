// Start-up: cpp-httplib calls OPENSSL_init_ssl from a static constructor (its SSLInit object), so every run of the
// binary would initialise OpenSSL before main, though only the action's HTTPS calls use it. The treeprint binary is
// linked with -Wl,--wrap=OPENSSL_init_ssl: until the first TLS client is made (publish/http_transport.h,
// tls_in_use()) the call succeeds without doing anything; from then on it is OpenSSL's own, which SSL_CTX_new calls
// itself before any TLS work. Only the binary is linked this way; the test programs initialise OpenSSL as usual.

#include <openssl/ssl.h>

#include <cstdint>

#include "publish/http_transport.h"

extern "C" int __real_OPENSSL_init_ssl(uint64_t opts, const OPENSSL_INIT_SETTINGS* settings);

extern "C" int __wrap_OPENSSL_init_ssl(uint64_t opts, const OPENSSL_INIT_SETTINGS* settings) {
  if (!treeprint::tls_in_use()) return 1;
  return __real_OPENSSL_init_ssl(opts, settings);
}
