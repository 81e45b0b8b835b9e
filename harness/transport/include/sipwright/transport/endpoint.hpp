#pragma once
// Transport protocols and endpoints as the rest of the harness sees them (no Asio here).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sipwright::transport {

// TLS is TLS over TCP (RFC 3261 26.2): the same stream framing and connection rules as TCP.
enum class protocol : std::uint8_t { udp, tcp, tls };

// "UDP" / "TCP" / "TLS", as a Via sent-protocol writes it (RFC 3261 18, 20.42).
std::string_view to_string(protocol p);
// "udp" / "tcp" / "tls": the name on command lines, in profiles and in {transport}.
std::string_view lower_name(protocol p);
// "udp" / "tcp" / "tls" in any case; nothing for anything else.
std::optional<protocol> protocol_from(std::string_view name);
// Whether `p` carries messages on a connection (TCP, TLS) rather than in datagrams.
inline bool stream_based(protocol p) {
  return p != protocol::udp;
}
// The port an address without one means: 5061 over TLS, else 5060 (RFC 3261 19.1.2).
inline std::uint16_t default_port(protocol p) {
  return p == protocol::tls ? 5061 : 5060;
}

struct endpoint {
  std::string address; // numeric IPv4 or IPv6 address, IPv6 without brackets
  std::uint16_t port = 0;

  bool v6() const { return address.find(':') != std::string::npos; }
  // "127.0.0.1:5060", "[::1]:5060"
  std::string str() const;
  bool operator==(const endpoint&) const = default;
};

// Parses "HOST:PORT", "HOST", "[V6]:PORT" or "[V6]" (numeric addresses; "localhost" resolves to
// 127.0.0.1). A missing port is `default_port`. Nothing when the text is not one of these.
std::optional<endpoint> parse_endpoint(std::string_view text, std::uint16_t default_port);

} // namespace sipwright::transport
