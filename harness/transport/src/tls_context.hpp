#pragma once
// The OpenSSL side of the TLS transport: one context per transport (our certificate, the CA
// store, the protocol floor) and the per-connection checks. Used by transport.cpp only.
#include "sipwright/transport/endpoint.hpp"
#include "sipwright/transport/tls_options.hpp"

#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <string>

namespace sipwright::transport::detail {

// The context of a TLS transport bound at `bound_address`: TLS 1.2 or later, our certificate and
// key (or a throwaway self-signed one, see tls_options), the CA store. Throws setup_error when a
// file cannot be used ("cannot use TLS certificate FILE: why").
std::shared_ptr<boost::asio::ssl::context> make_tls_context(const tls_options& o,
                                                            const std::string& bound_address);

// Sets up the client side of a connection to `peer`: SNI and the name check when verifying
// (RFC 5922 7.1-7.3: a DNS name as a DNS or sip URI subjectAltName, no wildcards; an IP address
// as an iPAddress one), no check at all in the insecure mode. Returns why the connection must be
// refused when the name to check cannot be set (fail closed), else empty.
std::string prepare_client(SSL* ssl, const tls_options& o, const endpoint& peer);

// Sets up the server side: a client certificate is asked for only with require_client_certificate.
void prepare_server(SSL* ssl, const tls_options& o);

// Whether the peer presented a certificate that passed the checks and names `ip_address`.
bool peer_certificate_names(SSL* ssl, const std::string& ip_address);

// Why the peer's certificate was refused ("certificate verify failed: self-signed certificate"),
// or empty when it was not (or none was checked).
std::string verify_failure(SSL* ssl);

} // namespace sipwright::transport::detail
