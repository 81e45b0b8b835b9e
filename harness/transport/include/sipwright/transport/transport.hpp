#pragma once
// One SIP transport bound to a local address: UDP datagrams, TCP streams (RFC 3261 18) or TLS
// streams over TCP (RFC 3261 26.2), IPv4 or IPv6. The only module that includes Asio's sockets; its
// users see messages, endpoints and the trace. Everything runs on the io_context's thread; handlers
// are called there.
#include "sipwright/sip/message.hpp"
#include "sipwright/transport/endpoint.hpp"
#include "sipwright/transport/tls_options.hpp"
#include "sipwright/transport/trace.hpp"

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

namespace boost::asio {
class io_context;
}

namespace sipwright::transport {

// A local setup problem (address in use, not a local address, ...): main turns it into exit
// code 2. what() says what was asked and why it failed, e.g.
// "cannot bind UDP 127.0.0.1:5060: Address already in use".
class setup_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

struct options {
  protocol proto = protocol::udp;
  endpoint local{"127.0.0.1", 0};              // port 0: any free port (see local_endpoint())
  std::size_t socket_buffer = 4 * 1024 * 1024; // SO_RCVBUF / SO_SNDBUF asked of the kernel
  std::size_t max_message = 256 * 1024;        // parser limit per message
  tls_options tls;                             // protocol::tls only
};

// A message that arrived and parsed (possibly with grammar diagnostics: the checks judge those).
struct received {
  sip::message msg;
  endpoint from;
  std::chrono::steady_clock::time_point at;
  std::size_t trace_index = 0; // its entry in the trace
};

class transport {
public:
  using message_handler = std::function<void(received&&)>;
  // Something went wrong that the engine should know: a send failed (connection refused,
  // reset), a TCP stream lost its framing. `peer` is the remote side concerned.
  using error_handler = std::function<void(const endpoint& peer, const std::string& what)>;

  // Binds (and listens, for TCP and TLS) at once; throws setup_error when that fails, or when a
  // TLS certificate, key or CA file cannot be used ("cannot use TLS certificate FILE: why").
  transport(boost::asio::io_context& io, options opts, trace& tr);
  ~transport();
  transport(const transport&) = delete;
  transport& operator=(const transport&) = delete;

  // The address and port actually bound.
  endpoint local_endpoint() const;
  protocol proto() const;

  // Starts receiving. Unparsable input is recorded in the trace (with its parse error) and not
  // delivered; over TCP the connection is then closed, its framing being lost.
  void start(message_handler on_message, error_handler on_error);

  // Sends `bytes` to `to` and records it in the trace (with `note`). UDP: one datagram. TCP and
  // TLS: over the connection to or from `to` if one is open, else a new connection (RFC 3261
  // 18.2.2: responses go back over the connection the request came on). Failures go to the error
  // handler: a refused connection, a TLS handshake that failed ("TLS handshake with IP:PORT failed:
  // certificate verify failed: self-signed certificate"), one that took longer than
  // tls.handshake_timeout. Over TLS a connection the peer opened also carries requests to its
  // Via sent-by when that Via had `alias` and the peer's client certificate, checked, names that
  // address (RFC 5923). Returns the trace index of the entry.
  std::size_t send(const endpoint& to, std::string bytes, const std::string& note = {});

  // TCP or TLS connections the peers opened and have not closed yet. The side that opened a
  // connection closes it, so a server lets its clients close first (RFC 3261 18: connections stay
  // open for a while after the last message).
  std::size_t accepted_connections() const;

  // Closes sockets and connections; handlers are not called afterwards.
  void close();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace sipwright::transport
