// TCP transport on loopback (RFC 3261 18.1.1, 18.2.2, 18.3): Content-Length frames messages;
// responses go back over the connection the request came on.
#include "support.hpp"

#include <catch2/catch.hpp>

#include <memory>
#include <string>

namespace tp = sipwright::transport;
using namespace transport_test;

constexpr auto tcp = tp::protocol::tcp;
using tcp_pair = pair_of<tcp>;

TEST_CASE("TCP: a response goes back over the connection of its request [RFC 3261 18.2.2]",
          "[transport][tcp][rfc3261-18.2.2]") {
  const std::string address = GENERATE(as<std::string>{}, "127.0.0.1", "::1");
  INFO(address);
  transport_pair p(tcp, address);
  CHECK(p.a.proto() == tp::protocol::tcp);
  CHECK(p.b.local_endpoint().address == address);
  CHECK(p.b.local_endpoint().port != 0);
  p.ra.attach(p.a);
  const tp::endpoint conn = check_request_and_response(p, tcp, "INVITE");
  // From our address and an ephemeral port, not the listening one (RFC 3261 18.1.1).
  CHECK(conn.address == address);
  CHECK(conn.port != 0);
  CHECK(conn.port != p.a.local_endpoint().port);

  // A second request to the same peer reuses the open connection.
  p.a.send(p.b.local_endpoint(), request("2"));
  REQUIRE(run_until(p.io, [&] { return p.rb.messages.size() == 2; }));
  CHECK(p.rb.messages[1].from == conn);
}

TEST_CASE_METHOD(tcp_pair,
                 "TCP: two messages in one write and keep-alives between them, traced one by one "
                 "[RFC 3261 18.3] [RFC 5626 3.5.1]",
                 "[transport][tcp][rfc3261-18.3]") {
  a.start({}, {});
  const std::string first = request("1", "v=0\r\n");
  const std::string second = request("2");
  a.send(b.local_endpoint(), "\r\n\r\n" + first + "\r\n" + second);
  REQUIRE(run_until(io, [&] { return rb.messages.size() == 2; }));
  CHECK(rb.messages[0].msg.bytes() == first);
  CHECK(rb.messages[0].msg.body() == "v=0\r\n");
  CHECK(rb.messages[1].msg.bytes() == second);
  REQUIRE(tb.size() == 2u);
  CHECK(tb.entries()[0].bytes == first);
  CHECK(tb.entries()[1].bytes == second);
  CHECK(rb.messages[1].trace_index == 1u);
  CHECK(rb.errors.empty());
}

TEST_CASE_METHOD(tcp_pair,
                 "TCP: a message split across writes is delivered once, whole [RFC 3261 18.3]",
                 "[transport][tcp][rfc3261-18.3]") {
  a.start({}, {});
  const std::string m = request("1", "hello body");
  const auto cuts = {std::size_t{10}, m.find("\r\n\r\n") + 2, m.size() - 3};
  std::size_t from = 0;
  for (std::size_t cut : cuts) {
    a.send(b.local_endpoint(), m.substr(from, cut - from), "part");
    run_for(io, std::chrono::milliseconds(20));
    CHECK(rb.messages.empty());
    from = cut;
  }
  a.send(b.local_endpoint(), m.substr(from), "last part");
  REQUIRE(run_until(io, [&] { return rb.messages.size() == 1; }));
  CHECK(rb.messages[0].msg.bytes() == m);
  CHECK(rb.messages[0].msg.body() == "hello body");
  REQUIRE(tb.size() == 1u);
  CHECK(tb.entries()[0].bytes == m);
  CHECK(ta.size() == 4u); // the sender traced what it wrote, write by write
}

TEST_CASE_METHOD(
    tcp_pair, "TCP: a stream that loses its framing is traced, reported and closed [RFC 3261 18.3]",
    "[transport][tcp][rfc3261-18.3]") {
  ra.attach(a);
  std::string unframed = request();
  unframed.erase(unframed.find("Content-Length: 0\r\n"), 19);
  a.send(b.local_endpoint(), request() + unframed + "more");
  REQUIRE(run_until(io, [&] { return !rb.errors.empty(); }));
  REQUIRE(rb.messages.size() == 1u);
  const tp::endpoint conn = rb.messages[0].from;
  REQUIRE(tb.size() == 2u);
  CHECK(tb.entries()[0].parse_error.empty());
  CHECK(tb.entries()[1].bytes == unframed + "more");
  const std::string error = "8:1: Content-Length is mandatory on a stream transport "
                            "(RFC 3261 18.3) [framing.content-length-missing]";
  CHECK(tb.entries()[1].parse_error == error);
  CHECK(tb.entries()[1].remote == conn);
  CHECK(rb.errors[0].peer == conn);
  CHECK(rb.errors[0].what == "TCP stream from " + conn.str() + " lost its framing: " + error);
  // b closed the connection; for a that is a normal end, not an error.
  run_for(io, std::chrono::milliseconds(30));
  CHECK(ra.errors.empty());
  CHECK(rb.errors.size() == 1u);
}

TEST_CASE_METHOD(tcp_pair, "TCP: a connection reset by the peer is reported once and forgotten",
                 "[transport][tcp]") {
  ra.attach(a);
  // b gives up the stream at once and closes with unread bytes: the kernel resets.
  a.send(b.local_endpoint(), "garbage\r\n\r\n" + std::string(4 << 20, 'x'), "big");
  REQUIRE(run_until(io, [&] { return !ra.errors.empty(); }));
  run_for(io, std::chrono::milliseconds(20));
  REQUIRE(ra.errors.size() == 1u);
  const tp::endpoint peer = b.local_endpoint();
  CHECK(ra.errors[0].peer == peer);
  const std::string what = ra.errors[0].what;
  INFO(what);
  const bool known =
      what == "cannot send TCP to " + peer.str() + ": Connection reset by peer" ||
      what == "cannot send TCP to " + peer.str() + ": Broken pipe" ||
      what == "TCP connection with " + peer.str() + ": Connection reset by peer" ||
      what == "TCP connection with " + peer.str() + " closed by the peer: 1 message not sent";
  CHECK(known);
  REQUIRE(rb.errors.size() == 1u);
  REQUIRE(ta.size() == 1u);
  CHECK(ta.entries()[0].note.rfind("big; not sent: ", 0) == 0);
  // The next message goes over a new connection.
  a.send(peer, request());
  REQUIRE(run_until(io, [&] { return rb.messages.size() == 1; }));
  CHECK(rb.messages[0].from != rb.errors[0].peer);
}

TEST_CASE("TCP: a peer that closes inside a message is reported [RFC 3261 18.3]",
          "[transport][tcp][rfc3261-18.3]") {
  boost::asio::io_context io;
  tp::trace ta, tb;
  auto a = std::make_unique<tp::transport>(io, bind_at(tcp, "127.0.0.1"), ta);
  tp::transport b(io, bind_at(tcp, "127.0.0.1"), tb);
  recorder rb;
  rb.attach(b);
  const std::string m = request("1", "0123456789");
  a->send(b.local_endpoint(), m.substr(0, m.size() - 4));
  run_for(io, std::chrono::milliseconds(30));
  a.reset();
  REQUIRE(run_until(io, [&] { return !rb.errors.empty(); }));
  CHECK(rb.messages.empty());
  REQUIRE(tb.size() == 1u);
  CHECK(tb.entries()[0].bytes == m.substr(0, m.size() - 4));
  const std::string error = "10:7: the stream ended inside a message (" +
                            std::to_string(m.size() - 4) +
                            " bytes buffered) (RFC 3261 18.3) [framing.truncated]";
  CHECK(tb.entries()[0].parse_error == error);
  CHECK(rb.errors[0].what ==
        "TCP connection from " + rb.errors[0].peer.str() + " closed inside a message: " + error);
}

TEST_CASE("TCP: a refused connect is reported and noted on the queued messages",
          "[transport][tcp]") {
  const std::string address = GENERATE(as<std::string>{}, "127.0.0.1", "::1");
  boost::asio::io_context io;
  const tp::endpoint gone{address, closed_port(io, tcp, address)};
  tp::trace ta;
  tp::transport a(io, bind_at(tcp, address), ta);
  recorder ra;
  ra.attach(a);
  CHECK(a.send(gone, request(), "INVITE") == 0u);
  CHECK(a.send(gone, request("2")) == 1u); // queued behind the connect
  REQUIRE(run_until(io, [&] { return !ra.errors.empty(); }));
  const std::string what = "cannot connect TCP to " + gone.str() + ": Connection refused";
  CHECK(ra.errors[0].peer == gone);
  CHECK(ra.errors[0].what == what);
  run_for(io, std::chrono::milliseconds(20));
  CHECK(ra.errors.size() == 1u);
  REQUIRE(ta.size() == 2u);
  CHECK(ta.entries()[0].note == "INVITE; not sent: " + what);
  CHECK(ta.entries()[1].note == "not sent: " + what);
  CHECK(ta.entries()[0].local == tp::endpoint{address, 0}); // never connected
  // The failed connection is forgotten: the next send tries again.
  a.send(gone, request("3"));
  REQUIRE(run_until(io, [&] { return ra.errors.size() == 2; }));
}

TEST_CASE("TCP: binding a port in use is a setup error saying so", "[transport][tcp]") {
  boost::asio::io_context io;
  tp::trace tr;
  tp::transport a(io, bind_at(tcp, "127.0.0.1"), tr);
  const auto port = a.local_endpoint().port;
  CHECK_THROWS_WITH(tp::transport(io, bind_at(tcp, "127.0.0.1", port), tr),
                    "cannot bind TCP 127.0.0.1:" + std::to_string(port) +
                        ": Address already in use");
  tp::transport v6(io, bind_at(tcp, "::1"), tr);
  const auto port6 = v6.local_endpoint().port;
  CHECK_THROWS_WITH(tp::transport(io, bind_at(tcp, "::1", port6), tr),
                    "cannot bind TCP [::1]:" + std::to_string(port6) + ": Address already in use");
}

TEST_CASE("TCP: destroying transports with connections and writes pending is safe",
          "[transport][tcp]") {
  boost::asio::io_context io;
  tp::trace ta, tb;
  auto a = std::make_unique<tp::transport>(io, bind_at(tcp, "127.0.0.1"), ta);
  auto b = std::make_unique<tp::transport>(io, bind_at(tcp, "127.0.0.1"), tb);
  recorder ra, rb;
  ra.attach(*a);
  rb.attach(*b);
  a->send(b->local_endpoint(), request());
  REQUIRE(run_until(io, [&] { return rb.messages.size() == 1; }));
  b->send(rb.messages[0].from, std::string(1 << 20, 'x')); // a large write, still under way
  a->send(b->local_endpoint(), request("2"));              // a connect to nowhere would do as well
  b.reset();
  a.reset();
  run_for(io, std::chrono::milliseconds(30));
  CHECK(ra.errors.empty());
  CHECK(rb.errors.empty());
}
