// Endpoints and protocol names: parsing and printing.
#include "sipwright/transport/endpoint.hpp"
#include "sipwright/transport/tls_options.hpp"
#include "sipwright/transport/trace.hpp"

#include <catch2/catch.hpp>

#include <optional>
#include <string>

namespace tp = sipwright::transport;

TEST_CASE("Protocol names as a Via writes them, parsed in any case [RFC 3261 20.42]",
          "[transport][endpoint]") {
  CHECK(tp::to_string(tp::protocol::udp) == "UDP");
  CHECK(tp::to_string(tp::protocol::tcp) == "TCP");
  CHECK(tp::to_string(tp::protocol::tls) == "TLS");
  CHECK(tp::lower_name(tp::protocol::udp) == "udp");
  CHECK(tp::lower_name(tp::protocol::tcp) == "tcp");
  CHECK(tp::lower_name(tp::protocol::tls) == "tls");
  CHECK(tp::protocol_from("udp") == tp::protocol::udp);
  CHECK(tp::protocol_from("UDP") == tp::protocol::udp);
  CHECK(tp::protocol_from("Tcp") == tp::protocol::tcp);
  CHECK(tp::protocol_from("TLS") == tp::protocol::tls);
  CHECK_FALSE(tp::stream_based(tp::protocol::udp));
  CHECK(tp::stream_based(tp::protocol::tcp));
  CHECK(tp::stream_based(tp::protocol::tls));
  CHECK(tp::default_port(tp::protocol::udp) == 5060);
  CHECK(tp::default_port(tp::protocol::tcp) == 5060);
  CHECK(tp::default_port(tp::protocol::tls) == 5061);
  CHECK_FALSE(tp::protocol_from("sctp"));
  CHECK_FALSE(tp::protocol_from("dtls"));
  CHECK_FALSE(tp::protocol_from(""));
  CHECK_FALSE(tp::protocol_from("udp "));
}

TEST_CASE("Endpoint text: IPv4 plain, IPv6 in brackets", "[transport][endpoint]") {
  CHECK(tp::endpoint{"127.0.0.1", 5060}.str() == "127.0.0.1:5060");
  CHECK(tp::endpoint{"::1", 5060}.str() == "[::1]:5060");
  CHECK(tp::endpoint{"192.0.2.7", 0}.str() == "192.0.2.7:0");
  CHECK_FALSE(tp::endpoint{"127.0.0.1", 1}.v6());
  CHECK(tp::endpoint{"fe80::1", 1}.v6());
}

TEST_CASE("parse_endpoint: accepted forms, canonical address text", "[transport][endpoint]") {
  struct row {
    const char* text;
    std::string address;
    std::uint16_t port;
  };
  const row rows[] = {
      {"127.0.0.1:5060", "127.0.0.1", 5060},
      {"127.0.0.1", "127.0.0.1", 5070},
      {"192.0.2.1:0", "192.0.2.1", 0},
      {"10.0.0.1:65535", "10.0.0.1", 65535},
      {"localhost", "127.0.0.1", 5070},
      {"LocalHost:5080", "127.0.0.1", 5080},
      {"[::1]:5060", "::1", 5060},
      {"[::1]", "::1", 5070},
      {"::1", "::1", 5070},
      {"[0:0:0:0:0:0:0:1]:5061", "::1", 5061},
      {"[2001:DB8::10]:1", "2001:db8::10", 1},
      {"2001:db8::10", "2001:db8::10", 5070},
      {"[::ffff:192.0.2.1]:5060", "::ffff:192.0.2.1", 5060},
      {"0.0.0.0:0", "0.0.0.0", 0},
      // Without brackets every colon belongs to the IPv6 address (RFC 3261 19.1.1 brackets).
      {"2001:db8::1:5060", "2001:db8::1:5060", 5070},
  };
  for (const auto& r : rows) {
    INFO(r.text);
    auto e = tp::parse_endpoint(r.text, 5070);
    REQUIRE(e);
    CHECK(e->address == r.address);
    CHECK(e->port == r.port);
  }
}

TEST_CASE("parse_endpoint: rejects what is not a numeric address and port",
          "[transport][endpoint]") {
  const char* rows[] = {
      "",
      ":5060",
      "127.0.0.1:",
      "127.0.0.1:65536",
      "127.0.0.1:99999",
      "127.0.0.1:123456",
      "127.0.0.1:-1",
      "127.0.0.1:+5060",
      "127.0.0.1:50a",
      "127.0.0.1: 5060",
      "127.0.0.1:5060:1",
      "127.0.0.1 ",
      " 127.0.0.1",
      "127.0.0",
      "127.0.0.1.1",
      "256.0.0.1",
      "01.2.3.4",
      "example.com",
      "example.com:5060",
      "localhost.",
      "[::1",
      "[::1]5060",
      "[::1]:",
      "[::1]:65536",
      "[127.0.0.1]:5060",
      "[]:5060",
      "[example.com]",
      "::1:5060:",
      ":::1",
      "[::1]]",
      "1:2:3:4:5:6:7:8:9",
  };
  for (const char* text : rows) {
    INFO('"' << text << '"');
    CHECK_FALSE(tp::parse_endpoint(text, 5060));
  }
}

TEST_CASE("tls_server_name: a bracketed IPv6 address is an IP address, not a DNS name",
          "[transport][tls]") {
  CHECK(tp::tls_server_name("sip.example.test") == "sip.example.test");
  CHECK(tp::tls_server_name("127.0.0.1") == "127.0.0.1");
  CHECK(tp::tls_server_name("::1") == "::1");
  CHECK(tp::tls_server_name("[::1]") == "::1");
  CHECK(tp::tls_server_name("[2001:db8::5]") == "2001:db8::5");
  CHECK(tp::tls_server_name("[fe80::1%lo]") == "fe80::1%lo");
  for (const char* text :
       {"", "a b", "[]", "[::1", "::1]", "[example.com]", "[127.0.0.1]", "[[::1]]", "\tsip.test"}) {
    INFO('"' << text << '"');
    CHECK_FALSE(tp::tls_server_name(text));
  }
}

TEST_CASE("Trace entries are appended in order and addressed by index", "[transport][trace]") {
  tp::trace tr;
  tp::trace_entry a;
  a.bytes = "first";
  tp::trace_entry b;
  b.bytes = "second";
  b.dir = tp::direction::out;
  CHECK(tr.add(a) == 0u);
  CHECK(tr.add(b) == 1u);
  REQUIRE(tr.size() == 2u);
  CHECK(tr.entries()[0].bytes == "first");
  CHECK(tr.at(1).dir == tp::direction::out);
  tr.at(1).note = "retransmission";
  CHECK(tr.entries()[1].note == "retransmission");
  CHECK_THROWS_AS(tr.at(2), std::out_of_range);
}
