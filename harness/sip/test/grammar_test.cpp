// Grammar of header values (RFC 3261 25.1, RFC 5118): data-driven, exact codes and messages.
#include "sipwright/sip/grammar.hpp"
#include "sipwright/sip/message.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace sipwright::sip;

namespace {
struct row {
  header_id id;
  const char* value;
  const char* code; // "" when valid
};

std::string check(header_id id, std::string_view v) {
  report r(v.data());
  bool ok = check_header_value(id, v, r);
  CHECK(ok == r.ok());
  return r.error() ? std::string(r.error()->code) : std::string();
}
} // namespace

TEST_CASE("header values are checked against their grammar", "[grammar][rfc3261]") {
  const row rows[] = {
      {header_id::via, "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776;rport", ""},
      {header_id::via, "SIP / 2.0 / TCP host.example.com ; branch = z9hG4bK1", ""},
      {header_id::via, "SIP/2.0/UDP [2001:db8::1]:5060;received=2001:db8::2;branch=z9hG4bK1", ""},
      {header_id::via, "SIP/2.0/UDP h.example.com;ttl=16;maddr=224.2.0.1;branch=z9hG4bK1", ""},
      {header_id::via, "SIP/2.0/UDP 192.0.2.15;;", "param.empty"},
      {header_id::via, "SIP/2.0 192.0.2.15", "via.sent-protocol"},
      {header_id::via, "SIP/2.0/UDP", "via.sent-by"},
      {header_id::via, "SIP/2.0/UDP h.example.com:70000", "via.sent-by"},
      {header_id::via, "SIP/2.0/UDP h;received=host.example.com", "via.received"},
      {header_id::via, "SIP/2.0/UDP h;ttl=300", "via.ttl"},
      {header_id::via, "SIP/2.0/UDP h;branch=", "via.branch"},
      {header_id::from, "\"Alice\" <sip:alice@example.com>;tag=1928301774", ""},
      {header_id::from, "Alice Liddell <sip:alice@example.com>;tag=1", ""},
      {header_id::from, "sip:alice@example.com;tag=1", ""},
      {header_id::from, "<tel:+1-201-555-0123>;tag=1", ""},
      {header_id::from, "\"unterminated <sip:a@b>", "quoted-string"},
      {header_id::from, "< sip:a@example.com>", "address.laquot"},
      {header_id::from, "<sip:a@example.com", "address.raquot"},
      {header_id::from, "Bell, Alexander <sip:a@example.com>", "address.display-name"},
      {header_id::from, "<sip:a@example.com> junk", "address.trailing"},
      {header_id::from, "<sip:a@exa mple.com>", "address.addr-spec"},
      {header_id::to, "sip:a@example.com?subject=x", "address.needs-brackets"},
      {header_id::to, "<sip:a@example.com?subject=x>", ""},
      {header_id::to, "<sip:a@-bad.example.com>", "uri.host"},
      {header_id::to, "<sip:a@example.com:99999>", "uri.port"},
      {header_id::to, "<sip:a%4@example.com>", "uri.user"},
      {header_id::to, "<sip:a@[2001:db8::1]>", ""},
      {header_id::to, "<sip:a@[2001:db8:1]>", "uri.ipv6"},
      {header_id::to, "<sip:a@[2001:db8::1::2]>", "uri.ipv6"},
      {header_id::to, "<sip:a@[::ffff:192.0.2.1]>", ""},
      {header_id::to, "<sip:a@192.0.2>", "uri.host"},
      {header_id::to, "<sip:a@example.com;;lr>", "uri.param"},
      {header_id::to, "<mailto:a@example.com>", ""},
      {header_id::to, "<1sip:a@example.com>", "uri.scheme"},
      {header_id::contact, "*", ""},
      {header_id::contact, "<sip:a@example.com>;q=0.7;expires=3600", ""},
      {header_id::contact, "<sip:a@example.com>;q=1.5", "contact.q"},
      {header_id::route, "<sip:p1.example.com;lr>", ""},
      {header_id::route, "sip:p1.example.com;lr", "address.name-addr-required"},
      {header_id::cseq, "4711 INVITE", ""},
      {header_id::cseq, "2147483648 INVITE", "cseq.range"},
      {header_id::cseq, "INVITE", "cseq.syntax"},
      {header_id::cseq, "1INVITE", "cseq.syntax"},
      {header_id::call_id, "f81d4fae-7dec-11d0-a765-00a0c91e6bf6@foo.bar.com", ""},
      {header_id::call_id, "a b", "call-id.syntax"},
      {header_id::call_id, "abc@", "call-id.syntax"},
      {header_id::content_length, "12", ""},
      {header_id::content_length, "-1", "content-length.syntax"},
      {header_id::max_forwards, "70", ""},
      {header_id::max_forwards, "256", "max-forwards.range"},
      {header_id::expires, "3600", ""},
      {header_id::expires, "soon", "delta-seconds.syntax"},
      {header_id::content_type, "application/sdp", ""},
      {header_id::content_type, "multipart/mixed;boundary=\"abc def\"", ""},
      {header_id::content_type, "application", "media-type.syntax"},
      {header_id::date, "Sat, 13 Nov 2010 23:29:00 GMT", ""},
      {header_id::date, "Sat, 13 Nov 2010 23:29:00 EST", "date.gmt"},
      {header_id::date, "13 Nov 2010", "date.syntax"},
      {header_id::warning, "307 isi.edu \"Session parameter 'foo' not understood\"", ""},
      {header_id::warning, "30 isi.edu \"x\"", "warning.code"},
      {header_id::require, "100rel", ""},
      {header_id::require, "", "header.empty"},
      {header_id::supported, "", ""},
      {header_id::retry_after, "18000;duration=3600", ""},
      {header_id::retry_after, "120 (I'm in a meeting)", ""},
      {header_id::rack, "776656 1 INVITE", ""},
      {header_id::rack, "776656 INVITE", "rack.syntax"},
      {header_id::unknown, ";;,,;;,;", ""},
  };
  for (const auto& r : rows) {
    INFO(info(r.id).name << ": " << r.value);
    CHECK(check(r.id, r.value) == r.code);
  }
}

TEST_CASE("grammar errors name the rule, the section and the spot", "[grammar]") {
  std::string_view v = "SIP/2.0/UDP 192.0.2.15;;,";
  report r(v.data());
  via out;
  CHECK_FALSE(parse_via(v, out, r));
  REQUIRE(r.error());
  CHECK(r.error()->rule == "generic-param");
  CHECK(r.error()->section == "RFC 3261 25.1");
  CHECK(r.error()->offset == 23);
  CHECK(r.error()->text == "empty parameter in Via (a ';' must be followed by a token), saw ;,");
}

TEST_CASE("start lines (RFC 3261 7.1, 7.2)", "[grammar][rfc3261]") {
  const std::pair<const char*, const char*> requests[] = {
      {"INVITE sip:bob@example.com SIP/2.0", ""},
      {"INVITE sip:bob@example.com sip/2.0", ""},
      {"INVITE  sip:bob@example.com SIP/2.0", "start-line.whitespace"},
      {"INVITE sip:bob@example.com SIP/2.0 ", "start-line.whitespace"},
      {"INVITE sip:bob@example.com; lr SIP/2.0", "start-line.whitespace"},
      {"INVITE <sip:bob@example.com> SIP/2.0", "uri.scheme"},
      {"INVITE sip:bob@example.com SIP/3.0", "start-line.version"},
      {"INVITE sip:bob@example.com HTTP/1.1", "start-line.version"},
      {"INV@TE sip:bob@example.com SIP/2.0", "start-line.method"},
      {"INVITE sip:bob@example.com?Route=x SIP/2.0", "uri.headers-in-request-uri"},
  };
  for (auto [line, code] : requests) {
    INFO(line);
    report r(line);
    request_line rl;
    parse_request_line(line, rl, r);
    CHECK((r.error() ? std::string(r.error()->code) : "") == code);
  }
  const std::pair<const char*, const char*> responses[] = {
      {"SIP/2.0 200 OK", ""},
      {"SIP/2.0 100 ", ""},
      {"SIP/2.0 380 Alternative Service", ""},
      {"SIP/2.0 2000 OK", "start-line.status-code"},
      {"SIP/2.0 099 Low", "start-line.status-code"},
      {"SIP/2.0 OK", "start-line.status-code"},
  };
  for (auto [line, code] : responses) {
    INFO(line);
    report r(line);
    status_line sl;
    parse_status_line(line, sl, r);
    CHECK((r.error() ? std::string(r.error()->code) : "") == code);
  }
}

TEST_CASE("URIs expose their parts as views", "[grammar][uri]") {
  uri u;
  report r;
  REQUIRE(parse_uri("sips:alice:secret@[2001:db8::7]:5061;transport=tcp;lr?subject=project", u, r));
  CHECK(u.is_sips);
  CHECK(u.user == "alice");
  CHECK(u.password == "secret");
  CHECK(u.host.host == "[2001:db8::7]");
  CHECK(u.host.kind == host_kind::ipv6);
  CHECK(u.host.port == 5061);
  CHECK(u.params.find("transport") == "tcp");
  CHECK(u.params.find("lr") == "");
  CHECK_FALSE(u.params.find("maddr"));
  CHECK(u.headers == "subject=project");
  REQUIRE(parse_uri("tel:+1-201-555-0123;phone-context=example.com", u, r));
  CHECK(u.is_tel);
  CHECK(u.user == "+1-201-555-0123");
  CHECK(u.params.find("phone-context") == "example.com");
}

TEST_CASE("list values split on commas outside quotes and angle brackets (RFC 3261 7.3.1)",
          "[grammar]") {
  std::vector<std::string_view> parts;
  for_each_element("\"Doe, John\" <sip:j@x;a=b,c>, <sip:k@y> ,sip:l@z",
                   [&](std::string_view e) { parts.push_back(e); });
  REQUIRE(parts.size() == 3);
  CHECK(parts[0] == "\"Doe, John\" <sip:j@x;a=b,c>");
  CHECK(parts[1] == "<sip:k@y>");
  CHECK(parts[2] == "sip:l@z");
}

TEST_CASE("display names and escaped URIs turn into text", "[grammar]") {
  name_addr na;
  report r;
  REQUIRE(parse_name_addr(R"("J Rosenberg \\\"" <sip:jdrosen@example.com>;tag=98asjd8)", na, r));
  CHECK(na.display_name == R"("J Rosenberg \\\"")");
  CHECK(na.display_text() == R"(J Rosenberg \")");
  REQUIRE(parse_name_addr("caller<sip:caller@example.com>", na, r));
  CHECK(na.display_text() == "caller");
  CHECK(unescape("sips%3Auser%40example.com") == "sips:user@example.com");
  CHECK(unescape("null-%00-null") == std::string("null-\0-null", 11));
  CHECK(unescape("100%") == "100%");
  CHECK(unescape("%4g") == "%4g");
}
