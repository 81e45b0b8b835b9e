#pragma once
// Shared by the transport tests: a bounded io_context loop, a recorder for what a transport
// hands over, and small SIP messages.
#include "sipwright/transport/transport.hpp"

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace transport_test {

namespace tp = sipwright::transport;

// Runs io until pred() holds or `limit` passes; returns pred(). Never unbounded.
template <class Pred>
bool run_until(boost::asio::io_context& io, Pred pred,
               std::chrono::milliseconds limit = std::chrono::milliseconds(3000)) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!pred() && std::chrono::steady_clock::now() < end) {
    if (io.stopped()) io.restart();
    io.run_for(std::chrono::milliseconds(5));
  }
  return pred();
}

// Runs io for a while, for "nothing more happens" checks.
inline void run_for(boost::asio::io_context& io, std::chrono::milliseconds d) {
  const auto end = std::chrono::steady_clock::now() + d;
  while (std::chrono::steady_clock::now() < end) {
    if (io.stopped()) io.restart();
    io.run_for(std::chrono::milliseconds(5));
  }
}

struct error_seen {
  tp::endpoint peer;
  std::string what;
};

// Starts a transport and keeps what it delivers.
struct recorder {
  std::vector<tp::received> messages;
  std::vector<error_seen> errors;

  void attach(tp::transport& t) {
    t.start([this](tp::received&& r) { messages.push_back(std::move(r)); },
            [this](const tp::endpoint& peer, const std::string& what) {
              errors.push_back({peer, what});
            });
  }
};

// Options to bind `proto` at `address` (port 0: the kernel picks one).
inline tp::options bind_at(tp::protocol proto, const std::string& address, std::uint16_t port = 0) {
  tp::options o;
  o.proto = proto;
  o.local = {address, port};
  return o;
}

// A port on which nothing listens: bound once, then released.
inline std::uint16_t closed_port(boost::asio::io_context& io, tp::protocol proto,
                                 const std::string& address) {
  tp::trace tr;
  tp::transport t(io, bind_at(proto, address), tr);
  return t.local_endpoint().port;
}

// Two transports of one protocol on one loopback address, each with its own trace: b is started
// with a recorder, a is left for the test to start (or not).
struct transport_pair {
  boost::asio::io_context io;
  tp::trace ta, tb;
  tp::transport a, b;
  recorder ra, rb;

  explicit transport_pair(tp::protocol proto, const std::string& address = "127.0.0.1")
      : a(io, bind_at(proto, address), ta), b(io, bind_at(proto, address), tb) {
    rb.attach(b);
  }
};

// A well-formed OPTIONS request (RFC 3261 11) with the given Via branch suffix and body.
inline std::string request(std::string_view tag = "1", std::string_view body = "") {
  std::string m = "OPTIONS sip:bob@example.com SIP/2.0\r\n"
                  "Via: SIP/2.0/UDP client.example.com:5060;branch=z9hG4bK";
  m += tag;
  m += "\r\n"
       "Max-Forwards: 70\r\n"
       "To: <sip:bob@example.com>\r\n"
       "From: <sip:alice@example.com>;tag=1928301774\r\n"
       "Call-ID: a84b4c76e66710@client.example.com\r\n"
       "CSeq: 63104 OPTIONS\r\n"
       "Content-Length: " +
       std::to_string(body.size()) + "\r\n\r\n";
  m += body;
  return m;
}

// The 200 response to request(tag).
inline std::string response(std::string_view tag = "1") {
  std::string m = "SIP/2.0 200 OK\r\n"
                  "Via: SIP/2.0/UDP client.example.com:5060;branch=z9hG4bK";
  m += tag;
  m += "\r\n"
       "To: <sip:bob@example.com>;tag=a6c85cf\r\n"
       "From: <sip:alice@example.com>;tag=1928301774\r\n"
       "Call-ID: a84b4c76e66710@client.example.com\r\n"
       "CSeq: 63104 OPTIONS\r\n"
       "Content-Length: 0\r\n\r\n";
  return m;
}

} // namespace transport_test
