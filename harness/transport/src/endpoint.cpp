#include "sipwright/transport/endpoint.hpp"
#include "sipwright/transport/tls_options.hpp"

#include "sipwright/sip/charclass.hpp"

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <cctype>

namespace sipwright::transport {

namespace {

using sip::chars::iequals;

// 1 to 5 decimal digits, at most 65535 (0 allowed: "any port" when binding).
std::optional<std::uint16_t> parse_port(std::string_view text) {
  if (text.empty() || text.size() > 5) return std::nullopt;
  unsigned value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

// A numeric IPv4 address or "localhost", in the canonical text form.
std::optional<std::string> parse_v4(std::string_view host) {
  if (iequals(host, "localhost")) return std::string("127.0.0.1");
  boost::system::error_code ec;
  auto a = boost::asio::ip::make_address_v4(std::string(host), ec);
  if (ec) return std::nullopt;
  return a.to_string();
}

// A numeric IPv6 address (no brackets), in the canonical text form.
std::optional<std::string> parse_v6(std::string_view host) {
  boost::system::error_code ec;
  auto a = boost::asio::ip::make_address_v6(std::string(host), ec);
  if (ec) return std::nullopt;
  return a.to_string();
}

} // namespace

std::string_view to_string(protocol p) {
  switch (p) {
  case protocol::udp:
    return "UDP";
  case protocol::tcp:
    return "TCP";
  case protocol::tls:
    return "TLS";
  }
  return "?";
}

std::string_view lower_name(protocol p) {
  switch (p) {
  case protocol::udp:
    return "udp";
  case protocol::tcp:
    return "tcp";
  case protocol::tls:
    return "tls";
  }
  return "?";
}

std::optional<protocol> protocol_from(std::string_view name) {
  if (iequals(name, "udp")) return protocol::udp;
  if (iequals(name, "tcp")) return protocol::tcp;
  if (iequals(name, "tls")) return protocol::tls;
  return std::nullopt;
}

std::string endpoint::str() const {
  std::string port_text = std::to_string(port);
  if (v6()) return "[" + address + "]:" + port_text;
  return address + ":" + port_text;
}

std::optional<endpoint> parse_endpoint(std::string_view text, std::uint16_t default_port) {
  if (text.empty()) return std::nullopt;
  std::optional<std::string> address;
  std::string_view port_text;
  bool has_port = false;
  if (text.front() == '[') {
    // "[V6]" or "[V6]:PORT"
    auto close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    address = parse_v6(text.substr(1, close - 1));
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      port_text = rest.substr(1);
      has_port = true;
    }
  } else {
    auto colons = std::count(text.begin(), text.end(), ':');
    if (colons > 1) {
      address = parse_v6(text); // a bare IPv6 address: no port
    } else if (colons == 1) {
      auto colon = text.find(':');
      address = parse_v4(text.substr(0, colon));
      port_text = text.substr(colon + 1);
      has_port = true;
    } else {
      address = parse_v4(text);
    }
  }
  if (!address) return std::nullopt;
  std::uint16_t port = default_port;
  if (has_port) {
    auto p = parse_port(port_text);
    if (!p) return std::nullopt;
    port = *p;
  }
  return endpoint{std::move(*address), port};
}

std::optional<std::string> tls_server_name(std::string_view text) {
  if (text.empty() || text.find_first_of(" \t\r\n") != std::string_view::npos) return std::nullopt;
  if (text.front() != '[' && text.back() != ']') return std::string(text);
  if (text.size() < 3 || text.front() != '[' || text.back() != ']') return std::nullopt;
  const std::string_view inner = text.substr(1, text.size() - 2);
  if (!parse_v6(inner)) return std::nullopt;
  return std::string(inner); // as written (a %scope kept): the name check strips the scope
}

} // namespace sipwright::transport
