// The HTTP client against a real HTTPS server on loopback, with a throwaway CA and server certificate made here with
// OpenSSL: TLS is verified against $SSL_CERT_FILE (or the default bundle), never skipped.

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cstdio>
#include <map>

#include "publish/http_client.h"
#include "publish/local_server.h"
#include "test_support.h"

namespace treeprint {
namespace {

using testing::ServerThread;
using testing::TempDir;

struct KeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CertDeleter {
  void operator()(X509* c) const { X509_free(c); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyDeleter>;
using Cert = std::unique_ptr<X509, CertDeleter>;

Key new_key() { return Key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")); }

void add_ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  ASSERT_NE(ext, nullptr) << value;
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

/// A certificate for `key`, signed by `issuer` (self-signed when null). `san` is empty for a CA.
Cert make_cert(EVP_PKEY* key, const char* cn, X509* issuer, EVP_PKEY* issuer_key, const char* san) {
  static long serial = 1;
  Cert cert(X509_new());
  X509* x = cert.get();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
  X509_gmtime_adj(X509_getm_notBefore(x), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x), 24 * 3600);
  X509_set_pubkey(x, key);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn), -1, -1, 0);
  X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
  X509* signer = issuer ? issuer : x;
  if (san == nullptr) {
    add_ext(x, signer, NID_basic_constraints, "critical,CA:TRUE");
    add_ext(x, signer, NID_key_usage, "critical,keyCertSign,cRLSign");
    add_ext(x, signer, NID_subject_key_identifier, "hash");
  } else {
    add_ext(x, signer, NID_basic_constraints, "critical,CA:FALSE");
    add_ext(x, signer, NID_ext_key_usage, "serverAuth");
    add_ext(x, signer, NID_subject_alt_name, san);
    add_ext(x, signer, NID_authority_key_identifier, "keyid:always");
  }
  X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256());
  return cert;
}

void write_pem(const std::string& path, X509* cert, EVP_PKEY* key) {
  FILE* f = fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  if (cert) PEM_write_X509(f, cert);
  if (key) PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
  fclose(f);
}

/// Two unrelated CAs; an HTTPS server on 127.0.0.1 whose certificate the first one signed for `san`.
class TlsTest : public ::testing::Test {
 protected:
  void start(const char* san) {
    Key ca_key = new_key();
    Cert ca = make_cert(ca_key.get(), "treeprint test CA", nullptr, nullptr, nullptr);
    Key other_key = new_key();
    Cert other = make_cert(other_key.get(), "some other CA", nullptr, nullptr, nullptr);
    Key server_key = new_key();
    Cert server_cert = make_cert(server_key.get(), "treeprint test server", ca.get(), ca_key.get(), san);
    write_pem(m_dir / "ca.pem", ca.get(), nullptr);
    write_pem(m_dir / "other-ca.pem", other.get(), nullptr);
    write_pem(m_dir / "server.pem", server_cert.get(), nullptr);
    write_pem(m_dir / "server.key", nullptr, server_key.get());
    auto server = std::make_unique<httplib::SSLServer>((m_dir / "server.pem").c_str(), (m_dir / "server.key").c_str());
    ASSERT_TRUE(server->is_valid());
    server->Get("/hello", [](const httplib::Request&, httplib::Response& res) { res.set_content("hi", "text/plain"); });
    m_server = std::make_unique<ServerThread>(std::move(server));
    m_url = "https://127.0.0.1:" + std::to_string(m_server->port()) + "/hello";
    m_where = "127.0.0.1:" + std::to_string(m_server->port());
  }

  /// A client that sees only `env` as its environment.
  Result<HttpResponse> get(std::map<std::string, std::string> env) {
    HttpClientOptions o;
    o.sleep = [this](std::chrono::milliseconds) { ++m_sleeps; };
    o.getenv = [env](const char* name) -> std::optional<std::string> {
      auto it = env.find(name);
      return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
    };
    HttpRequest r;
    r.url = m_url;
    return HttpClient(o).send(r);
  }

  TempDir m_dir;
  std::unique_ptr<ServerThread> m_server;
  std::string m_url;
  std::string m_where;
  int m_sleeps = 0;
};

TEST_F(TlsTest, SucceedsWhenSslCertFileHoldsTheCa) {
  start("IP:127.0.0.1");
  auto r = get({{"SSL_CERT_FILE", m_dir / "ca.pem"}});
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hi");
}

TEST_F(TlsTest, FailsWithAClearMessageAgainstAnotherCa) {
  start("IP:127.0.0.1");
  auto r = get({{"SSL_CERT_FILE", m_dir / "other-ca.pem"}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), "GET " + m_url + ": TLS certificate verification failed for " + m_where +
                           ": unable to get local issuer certificate (CA bundle '" + (m_dir / "other-ca.pem") + "')");
  EXPECT_EQ(m_sleeps, 0);  // not a transient failure
}

TEST_F(TlsTest, CleanEnvironmentUsesTheSystemBundleWhichDoesNotTrustTheTestCa) {
  start("IP:127.0.0.1");
  auto r = get({});
  ASSERT_FALSE(r);
  struct stat st {};
  if (stat("/etc/ssl/certs/ca-certificates.crt", &st) == 0) {
    EXPECT_EQ(r.error(), "GET " + m_url + ": TLS certificate verification failed for " + m_where +
                             ": unable to get local issuer certificate (CA bundle "
                             "'/etc/ssl/certs/ca-certificates.crt')");
  } else {
    EXPECT_EQ(r.error().find("GET " + m_url + ": cannot read the CA bundle '/etc/ssl/certs/ca-certificates.crt'"), 0u)
        << r.error();
  }
}

TEST_F(TlsTest, CertificateForAnotherHostIsRefused) {
  start("DNS:localhost");
  auto r = get({{"SSL_CERT_FILE", m_dir / "ca.pem"}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), "GET " + m_url + ": TLS certificate verification failed for " + m_where +
                           ": the certificate is not for host '127.0.0.1'");
}

}  // namespace
}  // namespace treeprint
