// UDP transport on loopback (RFC 3261 18.1.1, 18.2.1): every datagram in and out is traced.
#include "support.hpp"

#include <catch2/catch.hpp>

#include <memory>
#include <optional>
#include <string>

namespace tp = sipwright::transport;
using namespace transport_test;

constexpr auto udp = tp::protocol::udp;
using udp_pair = pair_of<udp>;

TEST_CASE("UDP: a request and its response, traced byte-exact on both sides [RFC 3261 18.1.1]",
          "[transport][udp][rfc3261-18.1.1]") {
  const std::string address = GENERATE(as<std::string>{}, "127.0.0.1", "::1");
  INFO(address);
  transport_pair p(udp, address);
  CHECK(p.a.proto() == tp::protocol::udp);
  CHECK(p.a.local_endpoint().address == address);
  CHECK(p.a.local_endpoint().port != 0);
  CHECK(p.b.local_endpoint().port != 0);
  CHECK(p.a.local_endpoint().port != p.b.local_endpoint().port);
  p.ra.attach(p.a);
  // UDP sends from the port it listens on.
  const tp::endpoint from = check_request_and_response(p, udp, "first try");
  CHECK(from == p.a.local_endpoint());
}

TEST_CASE("UDP: one trace shared by two transports keeps the order of events", "[transport][udp]") {
  boost::asio::io_context io;
  tp::trace tr;
  tp::transport a(io, bind_at(udp, "127.0.0.1"), tr);
  tp::transport b(io, bind_at(udp, "127.0.0.1"), tr);
  recorder ra, rb;
  ra.attach(a);
  rb.attach(b);
  a.send(b.local_endpoint(), request());
  REQUIRE(run_until(io, [&] { return rb.messages.size() == 1; }));
  REQUIRE(tr.size() == 2u);
  CHECK(tr.entries()[0].dir == tp::direction::out);
  CHECK(tr.entries()[0].local == a.local_endpoint());
  CHECK(tr.entries()[1].dir == tp::direction::in);
  CHECK(tr.entries()[1].local == b.local_endpoint());
  CHECK(rb.messages[0].trace_index == 1u);
}

TEST_CASE_METHOD(
    udp_pair,
    "UDP: a datagram that does not parse is traced with its parse error and not delivered "
    "[RFC 3261 7]",
    "[transport][udp][rfc3261-7]") {
  a.start({}, {});
  a.send(b.local_endpoint(), "hello\r\n");
  a.send(b.local_endpoint(), "INVITE sip:bob@example.com SIP/2.0\nVia: x\r\n\r\n");
  // The receive loop goes on: a good message after the bad ones is delivered.
  a.send(b.local_endpoint(), request());
  REQUIRE(run_until(io, [&] { return rb.messages.size() == 1; }));
  run_for(io, std::chrono::milliseconds(20));
  CHECK(rb.messages.size() == 1u);
  CHECK(rb.errors.empty());
  CHECK(rb.messages[0].trace_index == 2u);
  REQUIRE(tb.size() == 3u);
  CHECK(tb.entries()[0].dir == tp::direction::in);
  CHECK(tb.entries()[0].bytes == "hello\r\n");
  CHECK(tb.entries()[0].remote == a.local_endpoint());
  CHECK(tb.entries()[0].parse_error ==
        "2:1: no empty line (CRLF CRLF) ends the headers (RFC 3261 7) [framing.no-empty-line]");
  CHECK(tb.entries()[1].bytes == "INVITE sip:bob@example.com SIP/2.0\nVia: x\r\n\r\n");
  CHECK(tb.entries()[1].parse_error ==
        "1:35: line ends with LF without CR (RFC 3261 7) [framing.bare-lf]");
  CHECK(tb.entries()[2].parse_error.empty());
}

TEST_CASE_METHOD(udp_pair,
                 "UDP: a datagram of CRLFs is a keep-alive: traced, not delivered [RFC 5626 4.4.1]",
                 "[transport][udp][rfc5626-4.4.1]") {
  a.send(b.local_endpoint(), "\r\n\r\n");
  a.send(b.local_endpoint(), request());
  REQUIRE(run_until(io, [&] { return rb.messages.size() == 1; }));
  REQUIRE(tb.size() == 2u);
  CHECK(tb.entries()[0].bytes == "\r\n\r\n");
  CHECK(tb.entries()[0].note == "keep-alive");
  CHECK(tb.entries()[0].parse_error.empty());
  CHECK(rb.messages[0].trace_index == 1u);
}

TEST_CASE_METHOD(
    udp_pair, "UDP: grammar findings travel with the message, the trace keeps the whole datagram",
    "[transport][udp][rfc3261-18.3]") {
  std::string bad_cseq = request();
  bad_cseq.replace(bad_cseq.find("CSeq: 63104"), 11, "CSeq: x");
  // Leading CRLFs are ignored and bytes past Content-Length discarded (RFC 3261 7.5, 18.3),
  // but the trace keeps the datagram as it was.
  const std::string datagram = "\r\n" + bad_cseq + "tail";
  a.send(b.local_endpoint(), datagram);
  REQUIRE(run_until(io, [&] { return rb.messages.size() == 1; }));
  CHECK(rb.messages[0].msg.has_errors());
  CHECK(rb.messages[0].msg.bytes() == bad_cseq);
  REQUIRE(tb.size() == 1u);
  CHECK(tb.entries()[0].bytes == datagram);
  CHECK(tb.entries()[0].parse_error.empty());
}

TEST_CASE_METHOD(udp_pair, "UDP: port unreachable is reported for the peer and receiving goes on",
                 "[transport][udp]") {
  const tp::endpoint gone{"127.0.0.1", closed_port(io, udp, "127.0.0.1")};
  ra.attach(a);
  a.send(gone, request());
  REQUIRE(run_until(io, [&] { return !ra.errors.empty(); }));
  CHECK(ra.errors[0].peer == gone);
  CHECK(ra.errors[0].what == "cannot send UDP to " + gone.str() + ": Connection refused");
  b.send(a.local_endpoint(), request("2"));
  REQUIRE(run_until(io, [&] { return ra.messages.size() == 1; }));
  CHECK(ra.messages[0].from == b.local_endpoint());
}

TEST_CASE("UDP: binding a port in use is a setup error saying so", "[transport][udp]") {
  boost::asio::io_context io;
  tp::trace tr;
  tp::transport a(io, bind_at(udp, "127.0.0.1"), tr);
  const auto port = a.local_endpoint().port;
  try {
    tp::transport b(io, bind_at(udp, "127.0.0.1", port), tr);
    FAIL("bound twice");
  } catch (const tp::setup_error& e) {
    CHECK(std::string(e.what()) ==
          "cannot bind UDP 127.0.0.1:" + std::to_string(port) + ": Address already in use");
  }
  CHECK_THROWS_WITH(tp::transport(io, bind_at(udp, "192.0.2.1"), tr),
                    "cannot bind UDP 192.0.2.1:0: Cannot assign requested address");
  CHECK_THROWS_WITH(tp::transport(io, bind_at(udp, "example.com"), tr),
                    "cannot bind UDP example.com:0: not a numeric IP address");
}

TEST_CASE_METHOD(udp_pair, "UDP: after close nothing is delivered and sends are traced as not sent",
                 "[transport][udp]") {
  b.close();
  CHECK(b.send(a.local_endpoint(), request(), "late") == 0u);
  CHECK(tb.entries()[0].note == "late; not sent: transport closed");
  a.send(b.local_endpoint(), request());
  run_for(io, std::chrono::milliseconds(30));
  CHECK(rb.messages.empty());
  CHECK(rb.errors.empty());
  CHECK(tb.size() == 1u);
}

TEST_CASE("UDP: destroying a transport with operations pending is safe", "[transport][udp]") {
  boost::asio::io_context io;
  tp::trace ta, tb;
  auto b = std::make_unique<tp::transport>(io, bind_at(udp, "::1"), tb);
  tp::transport a(io, bind_at(udp, "::1"), ta);
  recorder rb;
  rb.attach(*b);
  a.send(b->local_endpoint(), request());
  b->send(a.local_endpoint(), request()); // a never started: stays queued in the kernel
  b.reset();                              // a receive and a send are pending
  run_for(io, std::chrono::milliseconds(30));
  CHECK(rb.messages.empty());
  CHECK(tb.size() == 1u);
}
