// TLS contexts and certificate checks on OpenSSL (RFC 3261 26.2, 26.3.1; RFC 5922 7).
#include "tls_context.hpp"

#include "sipwright/transport/transport.hpp"

#include <boost/asio/ip/address.hpp>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <string_view>

namespace sipwright::transport::detail {

namespace {

namespace asio = boost::asio;

struct pkey_free {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct x509_free {
  void operator()(X509* x) const { X509_free(x); }
};
struct ext_free {
  void operator()(X509_EXTENSION* e) const { X509_EXTENSION_free(e); }
};

// The first OpenSSL error queued, the cause, as text, e.g. "no start line" (the queue is emptied).
std::string openssl_error(const std::string& fallback, unsigned long* code = nullptr) {
  const unsigned long first = ERR_get_error();
  ERR_clear_error();
  if (code) *code = first;
  if (first == 0) return fallback;
  const char* reason = ERR_reason_error_string(first);
  return reason ? reason : fallback;
}

[[noreturn]] void fail(const std::string& what, const std::string& file, const std::string& why) {
  throw setup_error("cannot use TLS " + what + " " + file + ": " + why);
}

void require_file(const std::string& what, const std::string& file) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) fail(what, file, "no such file");
}

bool is_ip(const std::string& text) {
  boost::system::error_code ec;
  asio::ip::make_address(text, ec);
  return !ec;
}

// A throwaway self-signed certificate (P-256, SHA-256, valid from an hour ago for a week) for the
// loopback names and `bound_address`: a transport that has no certificate can still accept TLS
// connections from peers that accept any certificate.
void use_ephemeral_certificate(SSL_CTX* ctx, const std::string& bound_address) {
  std::unique_ptr<EVP_PKEY, pkey_free> key(EVP_EC_gen("P-256"));
  std::unique_ptr<X509, x509_free> cert(X509_new());
  if (!key || !cert) throw setup_error("cannot make a TLS certificate: " + openssl_error("?"));
  X509_set_version(cert.get(), 2);
  unsigned char serial[8];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7f; // positive
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 7 * 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("sipwright ephemeral"), -1, -1,
                             0);
  X509_set_issuer_name(cert.get(), name);
  std::string names = "IP:127.0.0.1,IP:::1,DNS:localhost";
  if (is_ip(bound_address) && bound_address != "127.0.0.1" && bound_address != "::1" &&
      bound_address != "0.0.0.0" && bound_address != "::")
    names += ",IP:" + bound_address;
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, cert.get(), cert.get(), nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, ext_free> san(
      X509V3_EXT_conf_nid(nullptr, &v3, NID_subject_alt_name, names.c_str()));
  if (!san || !X509_add_ext(cert.get(), san.get(), -1) ||
      !X509_sign(cert.get(), key.get(), EVP_sha256()) ||
      SSL_CTX_use_certificate(ctx, cert.get()) != 1 || SSL_CTX_use_PrivateKey(ctx, key.get()) != 1)
    throw setup_error("cannot make a TLS certificate: " + openssl_error("?"));
}

// RFC 5922 7.1: the host of a subjectAltName URI that is a SIP domain identity: scheme sip (not
// sips), no userinfo; "sip:example.test" and "sip:example.test:5061;transport=tls" give
// "example.test". Empty when the URI is not one.
std::string sip_uri_host(std::string_view uri) {
  if (uri.size() < 4 || uri.find('\0') != std::string_view::npos) return {};
  for (std::size_t i = 0; i < 3; ++i)
    if (std::tolower(static_cast<unsigned char>(uri[i])) != "sip"[i]) return {};
  if (uri[3] != ':') return {};
  const std::string_view rest = uri.substr(4);
  if (rest.find('@') != std::string_view::npos) return {}; // a user's identity, not a domain's
  return std::string(rest.substr(0, rest.find_first_of(":;?")));
}

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Whether `cert` carries the SIP domain identity `host` (RFC 5922 7.1, compared per 7.2: case
// aside, exactly, never by a wildcard): a DNS subjectAltName, or a sip URI subjectAltName of that
// host; the subject's CN only in a certificate without subjectAltName.
bool names_sip_domain(X509* cert, const std::string& host) {
  const bool has_san = X509_get_ext_by_NID(cert, NID_subject_alt_name, -1) >= 0;
  const unsigned int flags =
      X509_CHECK_FLAG_NO_WILDCARDS | (has_san ? X509_CHECK_FLAG_NEVER_CHECK_SUBJECT : 0u);
  if (X509_check_host(cert, host.data(), host.size(), flags, nullptr) == 1) return true;
  auto* names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (!names) return false;
  bool found = false;
  for (int i = 0; i < sk_GENERAL_NAME_num(names) && !found; ++i) {
    const GENERAL_NAME* n = sk_GENERAL_NAME_value(names, i);
    if (n->type != GEN_URI) continue;
    const ASN1_IA5STRING* u = n->d.uniformResourceIdentifier;
    const std::string_view uri(reinterpret_cast<const char*>(ASN1_STRING_get0_data(u)),
                               static_cast<std::size_t>(ASN1_STRING_length(u)));
    const std::string uri_host = sip_uri_host(uri);
    found = !uri_host.empty() && iequal(uri_host, host);
  }
  GENERAL_NAMES_free(names);
  return found;
}

// The verify callback of a client: OpenSSL checks the chain and, for an IP address, the
// iPAddress entries; for a DNS name the server's certificate is judged by names_sip_domain
// instead of OpenSSL's own name check (which knows no sip URIs and falls back to the CN whenever
// no DNS entry is there), the refusal saying "hostname mismatch" as OpenSSL's does.
int check_sip_identity(int ok, X509_STORE_CTX* ctx) {
  if (X509_STORE_CTX_get_error_depth(ctx) != 0) return ok;
  const int err = X509_STORE_CTX_get_error(ctx);
  if (!ok && err != X509_V_ERR_HOSTNAME_MISMATCH) return ok;
  const char* host = X509_VERIFY_PARAM_get0_host(X509_STORE_CTX_get0_param(ctx), 0);
  X509* cert = X509_STORE_CTX_get_current_cert(ctx);
  if (!host || !cert) return ok;
  if (names_sip_domain(cert, host)) {
    if (!ok) X509_STORE_CTX_set_error(ctx, X509_V_OK);
    return 1;
  }
  X509_STORE_CTX_set_error(ctx, X509_V_ERR_HOSTNAME_MISMATCH);
  return 0;
}

} // namespace

std::shared_ptr<asio::ssl::context> make_tls_context(const tls_options& o,
                                                     const std::string& bound_address) {
  auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls);
  SSL_CTX* native = ctx->native_handle();
  // TLS 1.0 and 1.1 are deprecated (RFC 8996); SIP over TLS asks for no less than 1.2.
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_compression);
  if (o.certificate.empty() != o.private_key.empty())
    throw setup_error(o.certificate.empty()
                          ? "cannot use TLS key " + o.private_key + ": no certificate given with it"
                          : "cannot use TLS certificate " + o.certificate +
                                ": no private key given with it");
  ERR_clear_error();
  if (o.certificate.empty()) {
    use_ephemeral_certificate(native, bound_address);
  } else {
    require_file("certificate", o.certificate);
    require_file("key", o.private_key);
    if (SSL_CTX_use_certificate_chain_file(native, o.certificate.c_str()) != 1)
      fail("certificate", o.certificate, openssl_error("not a PEM certificate"));
    if (SSL_CTX_use_PrivateKey_file(native, o.private_key.c_str(), SSL_FILETYPE_PEM) != 1) {
      unsigned long code = 0;
      std::string why = openssl_error("not a PEM private key", &code);
      if (ERR_GET_REASON(code) == X509_R_KEY_VALUES_MISMATCH)
        why = "it does not match certificate " + o.certificate;
      fail("key", o.private_key, why);
    }
    if (SSL_CTX_check_private_key(native) != 1)
      fail("key", o.private_key, "it does not match certificate " + o.certificate);
  }
  if (!o.ca.empty()) {
    require_file("CA file", o.ca);
    if (SSL_CTX_load_verify_locations(native, o.ca.c_str(), nullptr) != 1)
      fail("CA file", o.ca, openssl_error("no PEM certificate in it"));
  } else if (SSL_CTX_set_default_verify_paths(native) != 1) {
    ERR_clear_error(); // no system store: verification will say so, per connection
  }
  return ctx;
}

std::string prepare_client(SSL* ssl, const tls_options& o, const endpoint& peer) {
  std::string name = o.server_name.empty() ? peer.address : o.server_name;
  const bool ip = is_ip(name);
  // A scoped IPv6 address (fe80::1%eth0): the scope says where to send, not who the server is;
  // the certificate names the address alone.
  if (ip) name = name.substr(0, name.find('%'));
  if (!ip) SSL_set_tlsext_host_name(ssl, name.c_str()); // SNI takes DNS names only (RFC 6066 3)
  if (!o.verify) {
    SSL_set_verify(ssl, SSL_VERIFY_NONE, nullptr);
    return {};
  }
  SSL_set_verify(ssl, SSL_VERIFY_PEER, check_sip_identity);
  // RFC 5922 7.3: the certificate must name the server the client meant to reach. Fail closed:
  // without the expected identity set, any certificate of the CA would do.
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  // RFC 5922 7.2: wildcards MUST NOT match.
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_WILDCARDS);
  const int set = ip ? X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str())
                     : X509_VERIFY_PARAM_set1_host(param, name.data(), name.size());
  if (set != 1) {
    ERR_clear_error();
    return "cannot check that the server's certificate names " +
           (o.server_name.empty() ? peer.address : o.server_name) + ": not a name OpenSSL takes";
  }
  return {};
}

void prepare_server(SSL* ssl, const tls_options& o) {
  if (o.require_client_certificate)
    SSL_set_verify(ssl, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  else
    SSL_set_verify(ssl, SSL_VERIFY_NONE, nullptr);
}

bool peer_certificate_names(SSL* ssl, const std::string& ip_address) {
  std::unique_ptr<X509, x509_free> cert(SSL_get1_peer_certificate(ssl));
  return cert && SSL_get_verify_result(ssl) == X509_V_OK &&
         X509_check_ip_asc(cert.get(), ip_address.c_str(), 0) == 1;
}

std::string verify_failure(SSL* ssl) {
  const long result = SSL_get_verify_result(ssl);
  if (result == X509_V_OK) return {};
  return std::string("certificate verify failed: ") + X509_verify_cert_error_string(result);
}

} // namespace sipwright::transport::detail
