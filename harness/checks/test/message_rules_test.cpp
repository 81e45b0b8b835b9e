// The rules every message from the device meets (RFC 3261 7, 8.1.1, 8.2.6.2, 18.3, 20, 25):
// each fires on a broken message and passes a conformant one.
#include "equivalence.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace sipwright;
using namespace sipwright::checks;
using namespace sipwright::checks::test;

namespace {

// What the harness sends (the device is the callee).
const std::string invite = invite_to_device(";rport");

// The device's conformant answers to it.
std::string response(std::string_view status, std::string_view to_tag = ";tag=a6c85cf") {
  return device_response(status, ";rport=5060;received=198.51.100.7", to_tag,
                         "Contact: <sip:bob@192.0.2.2:5062>\n");
}
const std::string ok_200 = response("200 OK");

// A request from the device (the device ends the call).
const std::string& bye = device_bye;

feeder message_rules() {
  return feeder(detail::make_message_rules());
}

} // namespace

TEST_CASE("a conformant call passes every message rule", "[checks][message][rfc3261]") {
  auto f = message_rules();
  f.sent(invite);
  f.received(response("100 Trying", ""));
  f.received(response("180 Ringing"));
  f.received(ok_200);
  f.received(bye);
  INFO(described(f.failures()));
  CHECK(f.failures().empty());
  const rule_id judged[] = {rule_id::msg_grammar,        rule_id::msg_mandatory,
                            rule_id::msg_content_length, rule_id::msg_content_type,
                            rule_id::msg_branch_cookie,  rule_id::resp_copies_request,
                            rule_id::resp_to_tag};
  for (auto r : judged) {
    INFO(rule_of(r).id);
    CHECK_FALSE(f.of(r).empty());
  }
  CHECK(f.of(rule_id::msg_grammar).size() == 4);       // every message received
  CHECK(f.of(rule_id::msg_branch_cookie).size() == 1); // requests only
  CHECK(f.of(rule_id::resp_copies_request).size() == 3);
  CHECK(f.of(rule_id::resp_to_tag).size() == 2); // not the 100
  CHECK(f.of(rule_id::resp_copies_request)[2].evidence == std::vector<std::size_t>{0, 3});
}

TEST_CASE("messages the harness sends are never judged", "[checks][message]") {
  auto f = message_rules();
  f.sent(crlf("INVITE sip:bob@192.0.2.2 SIP/2.0\n"
              "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=1\n"
              "CSeq: 1 OPTIONS\n"
              "Content-Length: 3\n"
              "\n"
              "abc"));
  CHECK(f.out().all().empty());
}

TEST_CASE("a response to no request the harness sent is judged alone", "[checks][message]") {
  auto f = message_rules();
  f.received(ok_200);
  CHECK(f.failures().empty());
  CHECK(f.of(rule_id::resp_copies_request).empty());
  REQUIRE(f.of(rule_id::resp_to_tag).size() == 1);
  CHECK(f.of(rule_id::resp_to_tag)[0].evidence == std::vector<std::size_t>{0});
}

namespace {

struct broken_case {
  const char* what;
  std::string message; // received after the INVITE was sent (trace index 1)
  rule_id rule;
  const char* expected;
  const char* observed;
};

} // namespace

TEST_CASE("each message rule fires on the message that breaks it", "[checks][message][rfc3261]") {
  const broken_case cases[] = {
      {"Via sent-by port out of range (25.1)",
       edited(ok_200, "192.0.2.1:5060;branch", "192.0.2.1:65536;branch"), rule_id::msg_grammar,
       "port per RFC 3261 25.1", "line 2:28: sent-by port must be 1 to 65535, saw 65536"},
      {"CSeq method differs from the request method (8.1.1.5)",
       edited(bye, "CSeq: 231 BYE", "CSeq: 231 INVITE"), rule_id::msg_grammar,
       "CSeq per RFC 3261 8.1.1.5",
       "line 7:7: CSeq method INVITE differs from the request method BYE"},
      {"request without Max-Forwards (8.1.1)", edited(bye, "Max-Forwards: 70\r\n", ""),
       rule_id::msg_mandatory, "To, From, CSeq, Call-ID, Max-Forwards and Via in every request",
       "Max-Forwards missing"},
      {"ACK without Max-Forwards (8.1.1)",
       edited(edited(edited(bye, "BYE sip", "ACK sip"), "231 BYE", "231 ACK"),
              "Max-Forwards: 70\r\n", ""),
       rule_id::msg_mandatory, "To, From, CSeq, Call-ID, Max-Forwards and Via in every request",
       "Max-Forwards missing"},
      {"response without Call-ID and CSeq (8.2.6.2)",
       edited(edited(ok_200, "Call-ID: a84b4c76e66710@192.0.2.1\r\n", ""),
              "CSeq: 314159 INVITE\r\n", ""),
       rule_id::msg_mandatory, "To, From, CSeq, Call-ID and Via in every response",
       "CSeq and Call-ID missing"},
      {"Content-Length smaller than the datagram's body (18.3)",
       edited(ok_200, "Content-Length: 0\r\n\r\n",
              "Content-Type: text/plain\r\nContent-Length: 3\r\n\r\nhello"),
       rule_id::msg_content_length, "Content-Length equal to the body's length",
       "Content-Length 3, but 5 bytes follow the headers in the datagram (2 after the declared "
       "body are discarded)"},
      {"a body without Content-Type (7.4.1)",
       edited(ok_200, "Content-Length: 0\r\n\r\n", "Content-Length: 5\r\n\r\nhello"),
       rule_id::msg_content_type, "a Content-Type for the 5-byte body", "no Content-Type"},
      {"branch without the magic cookie (8.1.1.7)",
       edited(bye, "branch=z9hG4bKnashds7", "branch=nashds7"), rule_id::msg_branch_cookie,
       "a top Via branch starting with z9hG4bK", "branch=nashds7"},
      {"Via without a branch (8.1.1.7)", edited(bye, ";branch=z9hG4bKnashds7", ""),
       rule_id::msg_branch_cookie, "a top Via branch starting with z9hG4bK", "no branch parameter"},
      {"branch of the magic cookie alone (8.1.1.7)",
       edited(bye, "branch=z9hG4bKnashds7", "branch=z9hG4bK"), rule_id::msg_branch_cookie,
       "a top Via branch starting with z9hG4bK",
       "branch=z9hG4bK, the magic cookie alone, which cannot identify a transaction"},
      {"another Call-ID (8.2.6.2)", edited(ok_200, "a84b4c76e66710@", "b84b4c76e66710@"),
       rule_id::resp_copies_request, "the request's Call-ID, CSeq, From and Via",
       "Call-ID 'b84b4c76e66710@192.0.2.1' where the request has 'a84b4c76e66710@192.0.2.1'"},
      {"another CSeq number (8.2.6.2)", edited(ok_200, "CSeq: 314159", "CSeq: 314160"),
       rule_id::resp_copies_request, "the request's Call-ID, CSeq, From and Via",
       "CSeq '314160 INVITE' where the request has '314159 INVITE'"},
      {"another From tag (8.2.6.2)", edited(ok_200, "tag=1928301774", "tag=1928301775"),
       rule_id::resp_copies_request, "the request's Call-ID, CSeq, From and Via",
       "From 'Alice <sip:alice@192.0.2.1>;tag=1928301775' where the request has "
       "'Alice <sip:alice@192.0.2.1>;tag=1928301774'"},
      {"From without its tag (8.2.6.2)", edited(ok_200, ";tag=1928301774", ""),
       rule_id::resp_copies_request, "the request's Call-ID, CSeq, From and Via",
       "From 'Alice <sip:alice@192.0.2.1>' where the request has "
       "'Alice <sip:alice@192.0.2.1>;tag=1928301774'"},
      {"another From user (8.2.6.2)", edited(ok_200, "sip:alice@", "sip:Alice@"),
       rule_id::resp_copies_request, "the request's Call-ID, CSeq, From and Via",
       "From 'Alice <sip:Alice@192.0.2.1>;tag=1928301774' where the request has "
       "'Alice <sip:alice@192.0.2.1>;tag=1928301774'"},
      {"a Via value added (8.2.6.2)",
       edited(ok_200, "To: ", "Via: SIP/2.0/UDP 203.0.113.9;branch=z9hG4bKx\r\nTo: "),
       rule_id::resp_copies_request, "the request's Call-ID, CSeq, From and Via",
       "2 Via values where the request has 1"},
      {"a Via parameter dropped (8.2.6.2)", edited(ok_200, ";rport=5060", ""),
       rule_id::resp_copies_request, "the request's Call-ID, CSeq, From and Via",
       "Via #1 'SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds;received=198.51.100.7' where "
       "the request has 'SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds;rport'"},
      {"another Via transport (8.2.6.2)", edited(ok_200, "SIP/2.0/UDP", "SIP/2.0/TCP"),
       rule_id::resp_copies_request, "the request's Call-ID, CSeq, From and Via",
       "Via #1 'SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bK776asdhds;rport=5060;received=198.51."
       "100.7' where the request has 'SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds;rport'"},
      {"180 without a To tag (8.2.6.2)", response("180 Ringing", ""), rule_id::resp_to_tag,
       "a To tag in the 180 to INVITE", "To without a tag"},
      {"486 without a To tag (8.2.6.2)", response("486 Busy Here", ""), rule_id::resp_to_tag,
       "a To tag in the 486 to INVITE", "To without a tag"},
  };
  for (const auto& c : cases) {
    SECTION(c.what) {
      auto f = message_rules();
      f.sent(invite);
      f.received(c.message);
      const auto bad = the_failure(f);
      CHECK(bad.rule == c.rule);
      CHECK(bad.outcome == outcome::fail);
      CHECK(bad.expected == c.expected);
      CHECK(bad.observed == c.observed);
      CHECK(bad.evidence.back() == 1);
    }
  }
}

TEST_CASE("a response copies From, Via and the rest by meaning, not by bytes (RFC 3261 20.20, "
          "7.3.1, 18.2.1)",
          "[checks][message][rfc3261]") {
  const struct {
    const char* what;
    std::string response;
  } cases[] = {
      {"display name and brackets dropped, host case changed",
       edited(ok_200, "From: Alice <sip:alice@192.0.2.1>", "f: <sip:alice@192.0.2.1>")},
      {"a quoted display name, scheme case and an escaped user",
       edited(ok_200, "Alice <sip:alice@192.0.2.1>;tag", "\"Alice\" <SIP:%61lice@192.0.2.1>;tag")},
      {"a parameter the request lacks (ignored, 20.20)",
       edited(ok_200, ";tag=1928301774", ";tag=1928301774;x-extra=1")},
      {"Via received and rport left as the request had them",
       edited(ok_200, ";rport=5060;received=198.51.100.7", ";rport")},
      {"Via in compact form with other spacing and case",
       edited(ok_200, "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds;rport=5060;",
              "v: sip/2.0/udp 192.0.2.1:5060 ; BRANCH=z9hG4bK776asdhds;RPORT=5060;")},
  };
  for (const auto& c : cases) {
    SECTION(c.what) {
      auto f = message_rules();
      f.sent(invite);
      f.received(c.response);
      INFO(described(f.out().all()));
      CHECK(f.failures().empty());
      CHECK(f.of(rule_id::resp_copies_request).size() == 1);
    }
  }
}

TEST_CASE("Via values split over rows equal one row holding them all (RFC 3261 7.3.1)",
          "[checks][message][rfc3261]") {
  auto f = message_rules();
  f.sent(edited(invite, "Max-Forwards",
                "Via: SIP/2.0/UDP 203.0.113.9;branch=z9hG4bK1\r\nMax-Forwards"));
  f.received(edited(ok_200, ";received=198.51.100.7\r\n",
                    ";received=198.51.100.7, SIP/2.0/UDP 203.0.113.9;branch=z9hG4bK1\r\n"));
  INFO(described(f.out().all()));
  CHECK(f.failures().empty());
  // received is the device's server transport's to add on the top Via only (18.2.1).
  auto g = message_rules();
  g.sent(edited(invite, "Max-Forwards",
                "Via: SIP/2.0/UDP 203.0.113.9;branch=z9hG4bK1\r\nMax-Forwards"));
  g.received(edited(ok_200, ";received=198.51.100.7\r\n",
                    ";received=198.51.100.7\r\nVia: SIP/2.0/UDP 203.0.113.9;branch=z9hG4bK1;"
                    "received=192.0.2.9\r\n"));
  REQUIRE(g.failures().size() == 1);
  CHECK(g.failures()[0].observed == "Via #2 'SIP/2.0/UDP 203.0.113.9;branch=z9hG4bK1;received="
                                    "192.0.2.9' where the request has 'SIP/2.0/UDP "
                                    "203.0.113.9;branch=z9hG4bK1'");
}

TEST_CASE("a response within a dialog carries the request's To tag (RFC 3261 8.2.6.2)",
          "[checks][message][rfc3261]") {
  const auto reinvite = edited(
      edited(invite, "To: Bob <sip:bob@192.0.2.2>", "To: Bob <sip:bob@192.0.2.2>;tag=a6c85cf"),
      "314159 INVITE", "314160 INVITE");
  auto f = message_rules();
  f.sent(reinvite);
  f.received(edited(response("200 OK", ";tag=other"), "314159 INVITE", "314160 INVITE"));
  REQUIRE(f.failures().size() == 1);
  CHECK(f.failures()[0].rule == rule_id::resp_to_tag);
  CHECK(f.failures()[0].expected == "the request's To tag 'a6c85cf'");
  CHECK(f.failures()[0].observed == "To tag 'other'");
  CHECK(f.failures()[0].evidence == std::vector<std::size_t>{0, 1});
}

TEST_CASE("To tags are judged on responses to dialog-creating requests only",
          "[checks][message][rfc3261]") {
  const auto options =
      edited(edited(invite, "INVITE sip:", "OPTIONS sip:"), "314159 INVITE", "314159 OPTIONS");
  auto f = message_rules();
  f.sent(options);
  f.received(edited(response("200 OK", ""), "314159 INVITE", "314159 OPTIONS"));
  CHECK(f.failures().empty());
  CHECK(f.of(rule_id::resp_to_tag).empty());
  CHECK(f.of(rule_id::resp_copies_request).size() == 1);
}

TEST_CASE("a CANCEL's response is matched to the CANCEL, not to the INVITE with its branch",
          "[checks][message][rfc3261]") {
  const auto cancel =
      edited(edited(edited(invite, "INVITE sip:", "CANCEL sip:"), "314159 INVITE", "314159 CANCEL"),
             "Contact: <sip:alice@192.0.2.1:5060>\r\n", "");
  auto f = message_rules();
  f.sent(invite);
  f.sent(cancel);
  f.received(edited(ok_200, "314159 INVITE", "314159 CANCEL"));
  f.received(response("487 Request Terminated"));
  CHECK(f.failures().empty());
  const auto copies = f.of(rule_id::resp_copies_request);
  REQUIRE(copies.size() == 2);
  CHECK(copies[0].evidence == std::vector<std::size_t>{1, 2});
  CHECK(copies[1].evidence == std::vector<std::size_t>{0, 3});
}

TEST_CASE("a message without Content-Length passes with a note (RFC 3261 18.3)",
          "[checks][message][rfc3261]") {
  auto f = message_rules();
  f.received(edited(bye, "Content-Length: 0\r\n", ""));
  const auto v = f.of(rule_id::msg_content_length);
  REQUIRE(v.size() == 1);
  CHECK(describe(v[0]) ==
        "msg.content-length PASS (RFC 3261 18.3, 20.14): no Content-Length: the datagram frames "
        "the body (RFC 3261 18.3; a stream transport would have needed it) (msg #1)");
}

TEST_CASE("one message's grammar errors are reported up to ten, the tenth counting the rest",
          "[checks][message][rfc3261]") {
  std::string headers;
  for (int i = 0; i < 12; ++i)
    headers += "Contact: <sip:bob@192.0.2.2>;q=" + std::to_string(i + 2) + "\r\n";
  auto f = message_rules();
  f.received(edited(bye, "Content-Length", headers + "Content-Length"));
  const auto v = f.of(rule_id::msg_grammar);
  REQUIRE(v.size() == 10);
  CHECK(v[0].observed == "line 8:32: q must be a qvalue between 0 and 1, saw 2");
  CHECK(v[9].observed == "line 17:32: q must be a qvalue between 0 and 1, saw 11 (and 2 more "
                         "grammar errors)");
}

TEST_CASE("missing mandatory headers are not also grammar failures", "[checks][message]") {
  auto f = message_rules();
  f.received(edited(edited(bye, "Call-ID: a84b4c76e66710@192.0.2.1\r\n", ""),
                    "Content-Length: 0\r\n\r\n", "Content-Length: 2\r\n\r\nhi"));
  const auto bad = f.failures();
  REQUIRE(bad.size() == 2);
  CHECK(bad[0].rule == rule_id::msg_mandatory);
  CHECK(bad[0].observed == "Call-ID missing");
  CHECK(bad[1].rule == rule_id::msg_content_type);
}

TEST_CASE("a verdict describes itself with its section, expectation and evidence",
          "[checks][message][verdict]") {
  auto f = message_rules();
  f.sent(invite);
  f.received(edited(ok_200, "CSeq: 314159", "CSeq: 314160"));
  CHECK(describe(the_failure(f)) ==
        "resp.copies-request FAIL (RFC 3261 8.2.6.2): expected the request's Call-ID, CSeq, From "
        "and Via, observed CSeq '314160 INVITE' where the request has '314159 INVITE' (msg #1, "
        "#2)");
}

TEST_CASE("URIs compare as RFC 3261 19.1.4 compares them", "[checks][message][rfc3261]") {
  const struct {
    const char* a;
    const char* b;
    bool equivalent;
  } cases[] = {
      {"sip:%61lice@atlanta.com;transport=TCP", "sip:alice@AtLanTa.CoM;Transport=tcp", true},
      {"sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5", true},
      {"sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com",
       "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com", true},
      {"sip:alice@atlanta.com?subject=project%20x&priority=urgent",
       "sip:alice@atlanta.com?priority=urgent&subject=project%20x", true},
      {"SIP:ALICE@AtLanTa.CoM;Transport=udp", "sip:alice@AtLanTa.CoM;Transport=UDP", false},
      {"sip:bob@biloxi.com", "sip:bob@biloxi.com:5060", false},
      {"sip:bob@biloxi.com", "sips:bob@biloxi.com", false},
      {"sip:bob@biloxi.com", "sip:bob@biloxi.com;maddr=192.0.2.4", false},
      {"sip:bob@biloxi.com", "sip:bob@biloxi.com;user=phone", false},
      {"sip:carol@chicago.com;security=on", "sip:carol@chicago.com;security=off", false},
      {"sip:carol@chicago.com", "sip:carol@chicago.com?Subject=next%20meeting", false},
      {"tel:+1-201-555-0123", "TEL:+1-201-555-0123", true},
  };
  for (const auto& c : cases) {
    INFO(c.a << " vs " << c.b);
    sip::uri a, b;
    sip::report r(nullptr, false);
    REQUIRE(sip::parse_uri(c.a, a, r));
    REQUIRE(sip::parse_uri(c.b, b, r));
    CHECK(detail::uri_equivalent(a, b) == c.equivalent);
    CHECK(detail::uri_equivalent(b, a) == c.equivalent);
  }
}

TEST_CASE("a From the harness sent broken passes when copied byte for byte", "[checks][message]") {
  const auto broken = edited(invite, ";tag=1928301774", " x;tag=1928301774");
  auto f = message_rules();
  f.sent(broken);
  f.received(edited(ok_200, ";tag=1928301774", " x;tag=1928301774"));
  INFO(described(f.out().all()));
  REQUIRE(f.of(rule_id::resp_copies_request).size() == 1);
  CHECK(f.of(rule_id::resp_copies_request)[0].outcome == outcome::pass);
  REQUIRE(f.failures().size() == 1); // the device's copy is as broken as the original
  CHECK(f.failures()[0].rule == rule_id::msg_grammar);
}
