#pragma once
// TLS settings of a transport (RFC 3261 26.2, 26.3.1; RFC 5922 for the certificate checks), as
// the engine, the device profile and the command line carry them. No Asio and no OpenSSL here.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace sipwright::transport {

struct tls_options {
  // Our certificate (PEM; the file may hold the chain after it) and its private key (PEM): what
  // we present to peers that connect to us, and to servers that ask for a client certificate.
  // Both or neither. Neither: the transport makes a throwaway self-signed certificate for the
  // loopback names (127.0.0.1, ::1, localhost) and the bound address, so that it can still accept
  // TLS connections from peers that are told to accept it (a lab's insecure mode).
  std::string certificate;
  std::string private_key;
  // The CA certificates (PEM file) a peer's certificate must chain to; empty: the system's store.
  std::string ca;
  // When we connect: check the server's certificate chain and that it names the server (RFC 5922
  // 7.3: by the name we asked for, here `server_name` or else the address we connect to). false
  // is the lab's insecure mode: any certificate, self-signed or for another name, is accepted.
  bool verify = true;
  // The name the server's certificate must carry (a DNS name, also sent as SNI, or an IP
  // address, IPv6 without brackets; see tls_server_name); empty: the numeric address we connect to.
  std::string server_name;
  // When peers connect: ask for a client certificate and refuse the connection unless it chains
  // to `ca` (mutual TLS). false: no client certificate is asked for. A peer so checked may have
  // its connection reused for requests to it (RFC 5923 `alias`).
  bool require_client_certificate = false;
  // Bound of a connection's setup: over TLS the TCP connect and the handshake, either side; over
  // plain TCP the connect (the transport takes it from here for both).
  std::chrono::milliseconds handshake_timeout{10000};
};

// A server name as a user writes it (command line, profile) in the form tls_options takes: a DNS
// name as it is, an IP address as it is, a bracketed IPv6 address ("[::1]") without its brackets
// (an IP address, not a DNS name). Nothing for an empty name, one with white space, or brackets
// around anything but an IPv6 address.
std::optional<std::string> tls_server_name(std::string_view text);

} // namespace sipwright::transport
