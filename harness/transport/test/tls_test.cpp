// TLS transport on loopback (RFC 3261 26.2; certificate checks per RFC 5922 7.3): the framing and
// connection rules of TCP over a TLS session; the server's certificate checked by default, the
// lab's insecure mode accepting any; failures reported, never hanging.
#include "pki.hpp"
#include "support.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>

#include <memory>
#include <string>

namespace tp = sipwright::transport;
using namespace transport_test;

namespace {

constexpr auto tls = tp::protocol::tls;

// A TLS server with the PKI's server certificate.
tp::options server_at(const test_pki& pki, const std::string& address) {
  auto o = bind_at(tls, address);
  o.tls.certificate = pki.file("server.pem");
  o.tls.private_key = pki.file("server.key");
  return o;
}

// A TLS client that checks servers against the test CA.
tp::options client_at(const test_pki& pki, const std::string& address) {
  auto o = bind_at(tls, address);
  o.tls.ca = pki.file("ca.pem");
  return o;
}

// What a client reports when its handshake with `server` fails for `why`.
std::string handshake_failed(const tp::endpoint& server, const std::string& why) {
  return "TLS handshake with " + server.str() + " failed: " + why;
}

// a sends a request to b; returns when a reported an error, with that error.
error_seen refused(transport_pair& p) {
  p.ra.attach(p.a);
  p.a.send(p.b.local_endpoint(), request(), "INVITE");
  REQUIRE(run_until(p.io, [&] { return !p.ra.errors.empty(); }));
  run_for(p.io, std::chrono::milliseconds(30));
  CHECK(p.rb.messages.empty());
  CHECK(p.ra.errors.size() == 1u);
  REQUIRE(p.ta.size() == 1u);
  CHECK(p.ta.entries()[0].note == "INVITE; not sent: " + p.ra.errors[0].what);
  CHECK(p.ta.entries()[0].proto == tls);
  return p.ra.errors[0];
}

} // namespace

TEST_CASE("TLS: a response goes back over the connection of its request, the server's "
          "certificate checked [RFC 3261 18.2.2] [RFC 3261 26.2] [RFC 5922 7.3]",
          "[transport][tls][rfc3261-26.2]") {
  const std::string address = GENERATE(as<std::string>{}, "127.0.0.1", "::1");
  INFO(address);
  test_pki pki;
  transport_pair p(client_at(pki, address), server_at(pki, address));
  CHECK(p.a.proto() == tls);
  CHECK(p.b.local_endpoint().address == address);
  p.ra.attach(p.a);
  const tp::endpoint conn = check_request_and_response(p, tls, "INVITE");
  CHECK(conn.port != p.a.local_endpoint().port);
  CHECK(p.b.accepted_connections() == 1u);

  // Reuse: a second request to the same server rides the open connection, and so does a request
  // from the server to the client's end of the connection the client opened.
  p.a.send(p.b.local_endpoint(), request("2"));
  REQUIRE(run_until(p.io, [&] { return p.rb.messages.size() == 2; }));
  CHECK(p.rb.messages[1].from == conn);
  p.b.send(conn, request("3"));
  REQUIRE(run_until(p.io, [&] { return p.ra.messages.size() == 2; }));
  CHECK(p.ra.messages[1].msg.bytes() == request("3"));
  CHECK(p.b.accepted_connections() == 1u);

  // The client closes (without close_notify: SIP frames by Content-Length): a normal end.
  p.a.close();
  REQUIRE(run_until(p.io, [&] { return p.b.accepted_connections() == 0; }));
  CHECK(p.rb.errors.empty());
}

TEST_CASE("TLS: a self-signed server certificate is refused by default, with the reason",
          "[transport][tls][rfc5922-7.3]") {
  test_pki pki;
  auto server = bind_at(tls, "127.0.0.1"); // no certificate: a throwaway self-signed one
  SECTION("checked against the test CA") {
    transport_pair p(client_at(pki, "127.0.0.1"), server);
    const auto e = refused(p);
    CHECK(e.peer == p.b.local_endpoint());
    CHECK(e.what == handshake_failed(p.b.local_endpoint(),
                                     "certificate verify failed: self-signed certificate"));
    // The server hears of it too (the client's alert), and keeps no connection.
    REQUIRE(run_until(p.io, [&] { return !p.rb.errors.empty(); }));
    CHECK(p.rb.errors[0].what.rfind("TLS handshake from 127.0.0.1:", 0) == 0);
    CHECK(p.b.accepted_connections() == 0u);
  }
  SECTION("checked against the system's store") {
    transport_pair p(bind_at(tls, "127.0.0.1"), server);
    CHECK(refused(p).what ==
          handshake_failed(p.b.local_endpoint(),
                           "certificate verify failed: self-signed certificate"));
  }
  SECTION("a certificate of another CA") {
    server.tls.certificate = pki.file("server.pem");
    server.tls.private_key = pki.file("server.key");
    auto client = bind_at(tls, "127.0.0.1");
    client.tls.ca = pki.file("other-ca.pem");
    transport_pair p(client, server);
    CHECK(refused(p).what ==
          handshake_failed(p.b.local_endpoint(),
                           "certificate verify failed: unable to get local issuer certificate"));
  }
}

TEST_CASE("TLS: the server's certificate must name the server the client asked for [RFC 5922 7.3]",
          "[transport][tls][rfc5922-7.3]") {
  test_pki pki;
  auto client = client_at(pki, "127.0.0.1");
  SECTION("a DNS name it carries") {
    client.tls.server_name = "sip.test";
    transport_pair p(client, server_at(pki, "127.0.0.1"));
    p.ra.attach(p.a);
    check_request_and_response(p, tls, {});
  }
  SECTION("a DNS name it does not carry") {
    client.tls.server_name = "pbx.example.com";
    transport_pair p(client, server_at(pki, "127.0.0.1"));
    CHECK(refused(p).what ==
          handshake_failed(p.b.local_endpoint(), "certificate verify failed: hostname mismatch"));
  }
  SECTION("an IP address it does not carry") {
    client.tls.server_name = "127.0.0.2";
    transport_pair p(client, server_at(pki, "127.0.0.1"));
    CHECK(refused(p).what ==
          handshake_failed(p.b.local_endpoint(), "certificate verify failed: IP address mismatch"));
  }
}

TEST_CASE("TLS: a scoped IPv6 name is checked without its scope, and a name that cannot be "
          "checked refuses the connection [RFC 5922 7.3]",
          "[transport][tls][rfc5922-7.3]") {
  test_pki pki;
  auto client = client_at(pki, "::1");
  SECTION("the address it carries, with a scope") {
    client.tls.server_name = "::1%lo";
    transport_pair p(client, server_at(pki, "::1"));
    p.ra.attach(p.a);
    check_request_and_response(p, tls, {});
  }
  SECTION("an address it does not carry, with a scope") {
    client.tls.server_name = "::2%lo";
    transport_pair p(client, server_at(pki, "::1"));
    CHECK(refused(p).what ==
          handshake_failed(p.b.local_endpoint(), "certificate verify failed: IP address mismatch"));
  }
  SECTION("a name OpenSSL cannot take (an embedded NUL): refused, not left unchecked") {
    client.tls.server_name = std::string("sip.test\0evil", 13);
    transport_pair p(client, server_at(pki, "::1"));
    const std::string what = refused(p).what;
    CHECK(what.rfind(handshake_failed(p.b.local_endpoint(),
                                      "cannot check that the server's certificate names sip.test"),
                     0) == 0);
  }
}

TEST_CASE("TLS: a bracketed IPv6 server name is the IP address [RFC 5922 7.3]",
          "[transport][tls][rfc5922-7.3]") {
  test_pki pki;
  auto client = client_at(pki, "::1");
  const auto name = tp::tls_server_name("[::1]");
  REQUIRE(name);
  client.tls.server_name = *name;
  transport_pair p(client, server_at(pki, "::1"));
  p.ra.attach(p.a);
  check_request_and_response(p, tls, {});
}

TEST_CASE("TLS: a SIP domain is named by a DNS or a sip URI subjectAltName, never by a wildcard "
          "[RFC 5922 7.1] [RFC 5922 7.2]",
          "[transport][tls][rfc5922-7.1][rfc5922-7.2]") {
  test_pki pki;
  auto client = client_at(pki, "127.0.0.1");
  auto server = server_at(pki, "127.0.0.1");
  auto use = [&](const std::string& cn, const std::string& san) {
    pki.server_with("named", cn, san);
    server.tls.certificate = pki.file("named.pem");
    server.tls.private_key = pki.file("named.key");
  };
  const std::string mismatch = "certificate verify failed: hostname mismatch";
  SECTION("a wildcard DNS entry does not match (7.2)") {
    use("wild", "DNS:*.example.test");
    client.tls.server_name = "sip.example.test";
    transport_pair p(client, server);
    CHECK(refused(p).what == handshake_failed(p.b.local_endpoint(), mismatch));
  }
  SECTION("a DNS entry of the name matches") {
    use("dns", "DNS:sip.example.test");
    client.tls.server_name = "sip.example.test";
    transport_pair p(client, server);
    p.ra.attach(p.a);
    check_request_and_response(p, tls, {});
  }
  SECTION("a sip URI entry of the domain matches, case aside (7.1)") {
    use("uri", "URI:sip:example.test");
    client.tls.server_name = GENERATE(as<std::string>{}, "example.test", "Example.TEST");
    transport_pair p(client, server);
    p.ra.attach(p.a);
    check_request_and_response(p, tls, {});
  }
  SECTION("a sip URI entry with a port and parameters names its host (7.1)") {
    use("uri", "URI:sip:example.test:5061;transport=tls");
    client.tls.server_name = "example.test";
    transport_pair p(client, server);
    p.ra.attach(p.a);
    check_request_and_response(p, tls, {});
  }
  SECTION("a URI entry that is no SIP domain identity does not match (7.1)") {
    // Another domain; a user part; another scheme; a wildcard.
    use("uri", GENERATE(as<std::string>{}, "URI:sip:other.test", "URI:sip:alice@example.test",
                        "URI:sips:example.test", "URI:http://example.test/", "URI:sip:*.test"));
    client.tls.server_name = "example.test";
    transport_pair p(client, server);
    CHECK(refused(p).what == handshake_failed(p.b.local_endpoint(), mismatch));
  }
  SECTION("the subject's CN counts only without subjectAltName (7.1)") {
    use("example.test", "URI:sip:other.test");
    client.tls.server_name = "example.test";
    transport_pair p(client, server);
    CHECK(refused(p).what == handshake_failed(p.b.local_endpoint(), mismatch));
  }
  SECTION("a certificate without subjectAltName: its CN (7.1)") {
    use("example.test", "");
    client.tls.server_name = "example.test";
    transport_pair p(client, server);
    p.ra.attach(p.a);
    check_request_and_response(p, tls, {});
  }
}

TEST_CASE("TLS: the lab's insecure mode accepts a self-signed certificate for any name",
          "[transport][tls]") {
  test_pki pki;
  auto client = bind_at(tls, "127.0.0.1");
  client.tls.verify = false;
  client.tls.server_name = "pbx.example.com";
  auto server = bind_at(tls, "127.0.0.1");
  SECTION("the transport's throwaway certificate") {}
  SECTION("a self-signed certificate from a file") {
    server.tls.certificate = pki.file("self.pem");
    server.tls.private_key = pki.file("self.key");
  }
  transport_pair p(client, server);
  p.ra.attach(p.a);
  check_request_and_response(p, tls, "INVITE");
}

TEST_CASE("TLS: a server that asks for client certificates takes only those of its CA",
          "[transport][tls]") {
  test_pki pki;
  auto server = server_at(pki, "127.0.0.1");
  server.tls.require_client_certificate = true;
  server.tls.ca = pki.file("ca.pem");
  auto client = client_at(pki, "127.0.0.1");
  SECTION("the CA's client certificate") {
    client.tls.certificate = pki.file("client.pem");
    client.tls.private_key = pki.file("client.key");
    transport_pair p(client, server);
    p.ra.attach(p.a);
    check_request_and_response(p, tls, {});
  }
  SECTION("a self-signed one") {
    client.tls.certificate = pki.file("self.pem");
    client.tls.private_key = pki.file("self.key");
    transport_pair p(client, server);
    p.ra.attach(p.a);
    p.a.send(p.b.local_endpoint(), request());
    REQUIRE(run_until(p.io, [&] { return !p.rb.errors.empty() && !p.ra.errors.empty(); }));
    CHECK(p.rb.messages.empty());
    const auto& e = p.rb.errors[0];
    CHECK(e.what == "TLS handshake from " + e.peer.str() +
                        " failed: certificate verify failed: self-signed certificate");
    // TLS 1.3: the client may be done with its handshake when the server refuses it.
    const std::string& client_side = p.ra.errors[0].what;
    INFO(client_side);
    CHECK((client_side.rfind(handshake_failed(p.b.local_endpoint(), ""), 0) == 0 ||
           client_side.rfind("TLS connection with " + p.b.local_endpoint().str() + ": ", 0) == 0));
  }
}

TEST_CASE("TLS: a handshake that never completes is given up after the timeout, both sides",
          "[transport][tls]") {
  boost::asio::io_context io;
  using boost::asio::ip::tcp;
  SECTION("a server whose client says nothing") {
    auto o = bind_at(tls, "127.0.0.1");
    o.tls.handshake_timeout = std::chrono::milliseconds(200);
    tp::trace tr;
    tp::transport server(io, o, tr);
    recorder r;
    r.attach(server);
    tcp::socket silent(io);
    silent.connect(
        tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), server.local_endpoint().port));
    REQUIRE(run_until(io, [&] { return !r.errors.empty(); }));
    const tp::endpoint from{"127.0.0.1", silent.local_endpoint().port()};
    CHECK(r.errors[0].peer == from);
    CHECK(r.errors[0].what == "TLS handshake from " + from.str() + " timed out after 200 ms");
    CHECK(server.accepted_connections() == 0u);
  }
  SECTION("a client whose server never answers") {
    tcp::acceptor mute(io, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
    tcp::socket held(io);
    mute.async_accept(held, [](const boost::system::error_code&) {});
    auto o = bind_at(tls, "127.0.0.1");
    o.tls.handshake_timeout = std::chrono::milliseconds(200);
    tp::trace tr;
    tp::transport client(io, o, tr);
    recorder r;
    r.attach(client);
    const tp::endpoint to{"127.0.0.1", mute.local_endpoint().port()};
    client.send(to, request(), "INVITE");
    REQUIRE(run_until(io, [&] { return !r.errors.empty(); }));
    CHECK(r.errors[0].peer == to);
    CHECK(r.errors[0].what == "TLS connection to " + to.str() + " timed out after 200 ms");
    REQUIRE(tr.size() == 1u);
    CHECK(tr.entries()[0].note == "INVITE; not sent: " + r.errors[0].what);
  }
}

TEST_CASE("TLS: plain SIP sent to a TLS server is a failed handshake, not a message",
          "[transport][tls]") {
  boost::asio::io_context io;
  tp::trace ts, tc;
  tp::transport server(io, bind_at(tls, "127.0.0.1"), ts);
  tp::transport plain(io, bind_at(tp::protocol::tcp, "127.0.0.1"), tc);
  recorder r;
  r.attach(server);
  plain.start({}, {});
  plain.send(server.local_endpoint(), request());
  REQUIRE(run_until(io, [&] { return !r.errors.empty(); }));
  CHECK(r.messages.empty());
  CHECK(ts.size() == 0u);
  CHECK(r.errors[0].what.rfind("TLS handshake from " + r.errors[0].peer.str() + " failed: ", 0) ==
        0);
}

TEST_CASE("TLS: certificate, key and CA files that cannot be used are setup errors saying why",
          "[transport][tls]") {
  test_pki pki;
  boost::asio::io_context io;
  tp::trace tr;
  auto o = bind_at(tls, "127.0.0.1");
  o.tls.certificate = pki.file("missing.pem");
  o.tls.private_key = pki.file("server.key");
  CHECK_THROWS_WITH(tp::transport(io, o, tr),
                    "cannot use TLS certificate " + pki.file("missing.pem") + ": no such file");
  o.tls.certificate = pki.file("server.key");
  CHECK_THROWS_WITH(tp::transport(io, o, tr),
                    "cannot use TLS certificate " + pki.file("server.key") + ": no start line");
  o.tls.certificate = pki.file("server.pem");
  o.tls.private_key = pki.file("client.key");
  CHECK_THROWS_WITH(tp::transport(io, o, tr), "cannot use TLS key " + pki.file("client.key") +
                                                  ": it does not match certificate " +
                                                  pki.file("server.pem"));
  o.tls.private_key.clear();
  CHECK_THROWS_WITH(tp::transport(io, o, tr), "cannot use TLS certificate " +
                                                  pki.file("server.pem") +
                                                  ": no private key given with it");
  o.tls.private_key = pki.file("server.key");
  o.tls.ca = pki.file("server.key");
  CHECK_THROWS_WITH(tp::transport(io, o, tr), "cannot use TLS CA file " + pki.file("server.key") +
                                                  ": no certificate or crl found");
}

TEST_CASE("TLS: a client that sends alias and proves its address with a certificate gets requests "
          "over its own connection [RFC 5923]",
          "[transport][tls][rfc5923]") {
  test_pki pki;
  auto server = server_at(pki, "127.0.0.1");
  server.tls.ca = pki.file("ca.pem");
  auto client = client_at(pki, "127.0.0.1");
  client.tls.certificate = pki.file("client.pem"); // names 127.0.0.1
  client.tls.private_key = pki.file("client.key");
  bool reused = true;
  std::string via_params = ";alias";
  SECTION("alias, and the client's certificate checked: reused") {
    server.tls.require_client_certificate = true;
  }
  SECTION("alias, but no client certificate asked for: a connection of its own") {
    reused = false;
  }
  SECTION("the client's certificate checked, but no alias: a connection of its own") {
    server.tls.require_client_certificate = true;
    via_params.clear();
    reused = false;
  }
  transport_pair p(client, server);
  p.ra.attach(p.a);
  // The client's Via names where it listens (RFC 3261 18.1.1), with alias (RFC 5923).
  std::string m = request();
  const std::string old_via = "SIP/2.0/UDP client.example.com:5060;branch=z9hG4bK1";
  m.replace(m.find(old_via), old_via.size(),
            "SIP/2.0/TLS " + p.a.local_endpoint().str() + ";branch=z9hG4bK1" + via_params);
  p.a.send(p.b.local_endpoint(), m);
  REQUIRE(run_until(p.io, [&] { return p.rb.messages.size() == 1; }));
  const tp::endpoint conn = p.rb.messages[0].from;
  REQUIRE(conn != p.a.local_endpoint());

  // The server sends a request to where the client listens.
  p.b.send(p.a.local_endpoint(), request("2"));
  REQUIRE(run_until(p.io, [&] { return p.ra.messages.size() == 1; }));
  CHECK(p.ra.messages[0].msg.bytes() == request("2"));
  CHECK(p.ra.errors.empty());
  CHECK(p.rb.errors.empty());
  if (reused) {
    CHECK(p.ra.messages[0].from == p.b.local_endpoint()); // the client's connection
    CHECK(p.a.accepted_connections() == 0u);
    REQUIRE(p.tb.size() == 2u);
    CHECK(p.tb.entries()[1].remote == p.a.local_endpoint());
    CHECK(p.tb.entries()[1].local == p.b.local_endpoint());
  } else {
    CHECK(p.ra.messages[0].from != p.b.local_endpoint()); // a new connection from the server
    CHECK(p.a.accepted_connections() == 1u);
  }
}
