#pragma once
// Shared by the transport tests: a bounded io_context loop, a recorder for what a transport
// hands over, a pair of transports on loopback, small SIP messages and the request/response
// exchange both protocols must carry.
#include "sipwright/transport/transport.hpp"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

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
      : transport_pair(bind_at(proto, address), bind_at(proto, address)) {}
  // Each side with its own options (e.g. TLS certificates).
  transport_pair(const tp::options& oa, const tp::options& ob) : a(io, oa, ta), b(io, ob, tb) {
    rb.attach(b);
  }
};

// The same, default-constructed for TEST_CASE_METHOD: two transports on 127.0.0.1.
template <tp::protocol Proto>
struct pair_of : transport_pair {
  pair_of() : transport_pair(Proto) {}
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

// a sends request() (traced with `note`) to b, b sends response() back to where the request came
// from [RFC 3261 18.2.2]: what each side delivers and traces is checked byte-exact. Returns that
// endpoint, a's side of the exchange as b sees it. ra must have been attached to a.
inline tp::endpoint check_request_and_response(transport_pair& p, tp::protocol proto,
                                               const std::string& note) {
  CHECK(p.a.send(p.b.local_endpoint(), request(), note) == 0u);
  REQUIRE(run_until(p.io, [&] { return p.rb.messages.size() == 1; }));
  const tp::received& req = p.rb.messages[0];
  const tp::endpoint conn = req.from;
  CHECK(req.msg.method() == "OPTIONS");
  CHECK(req.msg.bytes() == request());
  CHECK(req.trace_index == 0u);

  CHECK(p.b.send(conn, response()) == 1u);
  REQUIRE(run_until(p.io, [&] { return p.ra.messages.size() == 1; }));
  const tp::received& resp = p.ra.messages[0];
  CHECK(resp.from == p.b.local_endpoint());
  CHECK(resp.msg.status_code() == 200);
  CHECK(resp.msg.bytes() == response());
  CHECK(resp.trace_index == 1u);
  CHECK(p.ra.errors.empty());
  CHECK(p.rb.errors.empty());

  REQUIRE(p.ta.size() == 2u);
  const auto& a_out = p.ta.entries()[0];
  CHECK(a_out.dir == tp::direction::out);
  CHECK(a_out.proto == proto);
  CHECK(a_out.local == conn); // over TCP: completed once connected
  CHECK(a_out.remote == p.b.local_endpoint());
  CHECK(a_out.bytes == request());
  CHECK(a_out.parse_error.empty());
  CHECK(a_out.note == note);
  const auto& a_in = p.ta.entries()[1];
  CHECK(a_in.dir == tp::direction::in);
  CHECK(a_in.local == conn); // over TCP: the response came over the same connection
  CHECK(a_in.remote == p.b.local_endpoint());
  CHECK(a_in.bytes == response());
  CHECK(a_in.parse_error.empty());
  CHECK(a_in.note.empty());
  CHECK(a_in.at >= a_out.at);
  CHECK(resp.at == a_in.at);

  REQUIRE(p.tb.size() == 2u);
  const auto& b_in = p.tb.entries()[0];
  CHECK(b_in.dir == tp::direction::in);
  CHECK(b_in.local == p.b.local_endpoint());
  CHECK(b_in.remote == conn);
  CHECK(b_in.bytes == request());
  const auto& b_out = p.tb.entries()[1];
  CHECK(b_out.dir == tp::direction::out);
  CHECK(b_out.local == p.b.local_endpoint());
  CHECK(b_out.remote == conn);
  CHECK(b_out.bytes == response());
  return conn;
}

} // namespace transport_test
