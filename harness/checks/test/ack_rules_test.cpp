// The device is the caller and the harness answered its INVITE: the ACK rules of a 2xx (RFC 3261
// 13.2.2.4, 12.2.1.1, 22.1, 8.1.1.6, 13.2.1) and of a final non-2xx (17.1.1.2, 17.1.1.3), in
// virtual time: each fires on its fault and stays silent on the conformant flow.
#include "support.hpp"

#include "sipwright/checks/call_checks.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace sipwright;
using namespace sipwright::checks;
using namespace sipwright::checks::test;
using namespace std::chrono_literals;

namespace {

const std::string offer = crlf("v=0\n"
                               "o=alice 2890844526 2890844526 IN IP4 192.0.2.2\n"
                               "s=-\n"
                               "c=IN IP4 192.0.2.2\n"
                               "t=0 0\n"
                               "m=audio 49170 RTP/AVP 0\n");
const std::string answer = crlf("v=0\n"
                                "o=bob 2808844564 2808844564 IN IP4 192.0.2.1\n"
                                "s=-\n"
                                "c=IN IP4 192.0.2.1\n"
                                "t=0 0\n"
                                "m=audio 3456 RTP/AVP 0\n");

// The device's INVITE (received by the harness); `extra` lines go before the body's fields.
std::string invite(std::string_view extra = "", bool with_offer = true) {
  return with_body(std::string("INVITE sip:bob@192.0.2.1 SIP/2.0\n"
                               "Via: SIP/2.0/UDP 192.0.2.2:5062;branch=z9hG4bKinv1\n"
                               "Max-Forwards: 70\n"
                               "To: Bob <sip:bob@192.0.2.1>\n"
                               "From: Alice <sip:alice@192.0.2.2>;tag=al1\n"
                               "Call-ID: c1@192.0.2.2\n"
                               "CSeq: 7 INVITE\n"
                               "Contact: <sip:alice@192.0.2.2:5062>\n") +
                       std::string(extra) + (with_offer ? "Content-Type: application/sdp\n" : ""),
                   with_offer ? offer : "");
}

// The harness's final response to it: a 2xx carries a Contact other than the INVITE's
// Request-URI, so that an ACK sent to the Request-URI shows.
std::string response(std::string_view status, std::string_view to_tag, std::string_view extra = "",
                     std::string_view body = "") {
  return with_body(std::string("SIP/2.0 ") + std::string(status) +
                       "\n"
                       "Via: SIP/2.0/UDP 192.0.2.2:5062;branch=z9hG4bKinv1\n"
                       "To: Bob <sip:bob@192.0.2.1>;tag=" +
                       std::string(to_tag) +
                       "\n"
                       "From: Alice <sip:alice@192.0.2.2>;tag=al1\n"
                       "Call-ID: c1@192.0.2.2\n"
                       "CSeq: 7 INVITE\n" +
                       std::string(extra) + (body.empty() ? "" : "Content-Type: application/sdp\n"),
                   body);
}
std::string ok_200(std::string_view extra = "", std::string_view body = answer) {
  return response("200 OK", "bt1",
                  "Contact: <sip:bob@192.0.2.1:5070;transport=udp>\n" + std::string(extra), body);
}
const std::string busy_486 = response("486 Busy Here", "bt2");

// The device's ACK to `request_uri` on `branch`, with the To tag of the response it ACKs.
std::string ack(std::string_view request_uri, std::string_view branch, std::string_view to_tag,
                std::string_view extra, std::string_view body) {
  return with_body("ACK " + std::string(request_uri) +
                       " SIP/2.0\n"
                       "Via: SIP/2.0/UDP 192.0.2.2:5062;branch=" +
                       std::string(branch) +
                       "\n"
                       "Max-Forwards: 70\n"
                       "To: Bob <sip:bob@192.0.2.1>;tag=" +
                       std::string(to_tag) +
                       "\n"
                       "From: Alice <sip:alice@192.0.2.2>;tag=al1\n"
                       "Call-ID: c1@192.0.2.2\n"
                       "CSeq: 7 ACK\n" +
                       std::string(extra) + (body.empty() ? "" : "Content-Type: application/sdp\n"),
                   body);
}

// The device's conformant ACK of the 2xx: a new transaction to the 2xx's Contact.
std::string ack_2xx(std::string_view extra = "", std::string_view body = "") {
  return ack("sip:bob@192.0.2.1:5070;transport=udp", "z9hG4bKack1", "bt1", extra, body);
}

// The device's conformant ACK of the 486: part of the INVITE transaction (17.1.1.3).
std::string ack_486(std::string_view extra = "") {
  return ack("sip:bob@192.0.2.1", "z9hG4bKinv1", "bt2", extra, "");
}

const std::string bye = crlf("BYE sip:bob@192.0.2.1 SIP/2.0\n"
                             "Via: SIP/2.0/UDP 192.0.2.2:5062;branch=z9hG4bKbye1\n"
                             "Max-Forwards: 70\n"
                             "To: Bob <sip:bob@192.0.2.1>;tag=bt2\n"
                             "From: Alice <sip:alice@192.0.2.2>;tag=al1\n"
                             "Call-ID: c1@192.0.2.2\n"
                             "CSeq: 8 BYE\n"
                             "Content-Length: 0\n"
                             "\n");

const std::string credentials =
    "Authorization: Digest username=\"alice\", realm=\"example.com\", nonce=\"n0nce\", "
    "uri=\"sip:bob@192.0.2.1\", response=\"6629fae49393a05397450978507c4ef1\"\n"
    "Proxy-Authorization: Digest username=\"alice\", realm=\"proxy.example.com\", "
    "nonce=\"pn0nce\", uri=\"sip:bob@192.0.2.1\", response=\"42ce3cef44b22f50c6a6071bc8\"\n";

feeder ack_rules() {
  return feeder(detail::make_ack_rules(timing{}));
}

// The device's INVITE at 0 (msg #1) and the harness's final response to it at 10 ms (#2).
feeder answered(const std::string& resp, const std::string& inv = invite()) {
  auto f = ack_rules();
  f.at(0ms).received(inv);
  f.at(10ms).sent(resp);
  return f;
}

// Then the ACK at 20 ms (#3); the call ends at 1 s.
feeder one_ack(const std::string& inv, const std::string& resp, const std::string& ack) {
  auto f = answered(resp, inv);
  f.at(20ms).received(ack);
  f.end(1s);
  return f;
}

const std::vector<outcome> passed{outcome::pass};
const std::vector<outcome> not_applicable{outcome::not_applicable};

} // namespace

TEST_CASE("a conformant ACK of a 2xx passes every 2xx ACK rule (RFC 3261 13.2.2.4, 12.2.1.1)",
          "[checks][ack][rfc3261]") {
  auto f = one_ack(invite(), ok_200(), ack_2xx());
  INFO(described(f.out().all()));
  CHECK(f.failures().empty());
  const rule_id judged[] = {rule_id::ack_2xx_received,    rule_id::ack_2xx_new_transaction,
                            rule_id::ack_2xx_call_id,     rule_id::ack_2xx_from,
                            rule_id::ack_2xx_to,          rule_id::ack_2xx_cseq,
                            rule_id::ack_2xx_request_uri, rule_id::ack_2xx_route,
                            rule_id::ack_2xx_max_forwards};
  for (auto r : judged) {
    INFO(rule_of(r).id);
    CHECK(outcomes(f, r) == passed);
  }
  // What the flow never made relevant is N/A, with the reason.
  const struct {
    rule_id rule;
    const char* described;
  } na[] = {
      {rule_id::ack_2xx_each,
       "ack-2xx.each-retransmission N/A (RFC 3261 13.2.2.4): the response was sent once"},
      {rule_id::ack_2xx_credentials,
       "ack-2xx.credentials N/A (RFC 3261 13.2.2.4, 22.1): the INVITE carried no credentials"},
      {rule_id::ack_2xx_sdp_answer,
       "ack-2xx.sdp-answer N/A (RFC 3261 13.2.1): the INVITE carried the offer"},
  };
  for (const auto& c : na) {
    const auto v = f.of(c.rule);
    REQUIRE(v.size() == 1);
    CHECK(describe(v[0]) == c.described);
  }
  // The non-2xx rules are not armed by a 2xx.
  CHECK(f.of(rule_id::ack_non2xx_received).empty());
  CHECK(f.of(rule_id::ack_non2xx_no_bye).empty());
  CHECK(describe(f.of(rule_id::ack_2xx_received)[0]) ==
        "ack-2xx.received PASS (RFC 3261 13.2.2.4) (msg #3)");
}

TEST_CASE("conformant 2xx ACKs in other flows pass (RFC 3261 12.2.1.1, 13.2.1, 22.1)",
          "[checks][ack][rfc3261]") {
  const struct {
    const char* what;
    std::string invite, response, ack;
    rule_id also; // a rule this flow arms
  } cases[] = {
      {"offer in the 2xx, answer in the ACK", invite("", false), ok_200("", offer),
       ack_2xx("", answer), rule_id::ack_2xx_sdp_answer},
      {"credentials repeated", invite(credentials), ok_200(), ack_2xx(credentials),
       rule_id::ack_2xx_credentials},
      {"loose routing: Route is the reversed Record-Route", invite(),
       ok_200("Record-Route: <sip:p2.example.com;lr>, <sip:p1.example.com;lr>\n"),
       ack_2xx("Route: <sip:p1.example.com;lr>\nRoute: <sip:p2.example.com;lr>\n"),
       rule_id::ack_2xx_route},
      {"through a record-routing proxy: its entry came with the INVITE and it removed it from "
       "the ACK (RFC 3261 16.4, 16.12); the harness's own entry stays",
       invite("Record-Route: <sip:proxy.example.com;lr>\n"),
       ok_200("Record-Route: <sip:own.example.com;lr>, <sip:proxy.example.com;lr>\n"),
       ack_2xx("Route: <sip:own.example.com;lr>\n"), rule_id::ack_2xx_route},
      {"strict routing: Request-URI is the first route, the Contact last in Route", invite(),
       ok_200("Record-Route: <sip:p2.example.com;lr>\nRecord-Route: <sip:p1.example.com>\n"),
       edited(ack_2xx("Route: <sip:p2.example.com;lr>, <sip:bob@192.0.2.1:5070;transport=udp>\n"),
              "ACK sip:bob@192.0.2.1:5070;transport=udp", "ACK sip:p1.example.com"),
       rule_id::ack_2xx_request_uri},
      {"Request-URI equivalent to the Contact (RFC 3261 19.1.4)", invite(), ok_200(),
       edited(ack_2xx(), "ACK sip:bob@192.0.2.1:5070;transport=udp",
              "ACK sip:bob@192.0.2.1:5070;TRANSPORT=UDP"),
       rule_id::ack_2xx_request_uri},
      {"From re-serialized with its tag", invite(), ok_200(),
       edited(ack_2xx(), "From: Alice <sip:alice@192.0.2.2>;tag=al1",
              "f: <sip:alice@192.0.2.2>;tag=al1"),
       rule_id::ack_2xx_from},
  };
  for (const auto& c : cases) {
    SECTION(c.what) {
      auto f = one_ack(c.invite, c.response, c.ack);
      INFO(described(f.out().all()));
      CHECK(f.failures().empty());
      CHECK(outcomes(f, c.also) == std::vector<outcome>(1, outcome::pass));
    }
  }
}

namespace {

struct fault_case {
  const char* what;
  std::string invite, response, ack;
  const char* described; // the one failure, as describe() prints it
};

} // namespace

TEST_CASE("each 2xx ACK rule fires on the ACK that breaks it (RFC 3261 13.2.2.4, 12.2.1.1)",
          "[checks][ack][rfc3261]") {
  const std::string record_route =
      "Record-Route: <sip:p2.example.com;lr>, <sip:p1.example.com;lr>\n";
  const fault_case cases[] = {
      {"the ACK reuses the INVITE's branch", invite(), ok_200(),
       edited(ack_2xx(), "branch=z9hG4bKack1", "branch=z9hG4bKinv1"),
       "ack-2xx.new-transaction FAIL (RFC 3261 13.2.2.4, 17.1.1.3, 8.1.1.7): expected a new branch "
       "with the magic cookie (the INVITE's is z9hG4bKinv1), observed branch z9hG4bKinv1 (msg #1, "
       "#2, #3)"},
      {"the ACK's branch lacks the magic cookie", invite(), ok_200(),
       edited(ack_2xx(), "branch=z9hG4bKack1", "branch=ack1"),
       "ack-2xx.new-transaction FAIL (RFC 3261 13.2.2.4, 17.1.1.3, 8.1.1.7): expected a new branch "
       "with the magic cookie (the INVITE's is z9hG4bKinv1), observed branch ack1 (msg #1, #2, "
       "#3)"},
      {"another Call-ID", invite(), ok_200(), edited(ack_2xx(), "Call-ID: c1@", "Call-ID: c2@"),
       "ack-2xx.call-id FAIL (RFC 3261 13.2.2.4, 12.2.1.1): expected Call-ID c1@192.0.2.2, "
       "observed Call-ID c2@192.0.2.2 (msg #1, #2, #3)"},
      {"From without its tag", invite(), ok_200(), edited(ack_2xx(), ";tag=al1", ""),
       "ack-2xx.from FAIL (RFC 3261 13.2.2.4, 12.2.1.1): expected From Alice "
       "<sip:alice@192.0.2.2>;tag=al1, observed From Alice <sip:alice@192.0.2.2> (msg #1, #2, #3)"},
      {"From with another URI", invite(), ok_200(),
       edited(ack_2xx(), "<sip:alice@192.0.2.2>;tag=al1", "<sip:carol@192.0.2.2>;tag=al1"),
       "ack-2xx.from FAIL (RFC 3261 13.2.2.4, 12.2.1.1): expected From Alice "
       "<sip:alice@192.0.2.2>;tag=al1, observed From Alice <sip:carol@192.0.2.2>;tag=al1 (msg #1, "
       "#2, #3)"},
      {"To without the 2xx's tag", invite(), ok_200(), edited(ack_2xx(), ";tag=bt1", ""),
       "ack-2xx.to FAIL (RFC 3261 13.2.2.4, 12.2.1.1): expected To tag bt1 (the 2xx's), observed "
       "no To tag (msg #1, #2, #3)"},
      {"To with another tag", invite(), ok_200(), edited(ack_2xx(), ";tag=bt1", ";tag=bt9"),
       "ack-2xx.to FAIL (RFC 3261 13.2.2.4, 12.2.1.1): expected To tag bt1 (the 2xx's), observed "
       "To tag bt9 (msg #1, #2, #3)"},
      {"CSeq number of another request", invite(), ok_200(),
       edited(ack_2xx(), "CSeq: 7 ACK", "CSeq: 8 ACK"),
       "ack-2xx.cseq FAIL (RFC 3261 13.2.2.4): expected CSeq 7 ACK (INVITE CSeq 7 INVITE), "
       "observed CSeq 8 ACK (msg #1, #2, #3)"},
      {"CSeq method INVITE", invite(), ok_200(), edited(ack_2xx(), "CSeq: 7 ACK", "CSeq: 7 INVITE"),
       "ack-2xx.cseq FAIL (RFC 3261 13.2.2.4): expected CSeq 7 ACK (INVITE CSeq 7 INVITE), "
       "observed CSeq 7 INVITE (msg #1, #2, #3)"},
      {"Request-URI is the INVITE's, not the 2xx's Contact", invite(), ok_200(),
       edited(ack_2xx(), "ACK sip:bob@192.0.2.1:5070;transport=udp", "ACK sip:bob@192.0.2.1"),
       "ack-2xx.request-uri FAIL (RFC 3261 12.2.1.1, 13.2.2.4): expected Request-URI "
       "sip:bob@192.0.2.1:5070;transport=udp (the 2xx's Contact), observed Request-URI "
       "sip:bob@192.0.2.1 (msg #1, #2, #3)"},
      {"no Route though the 2xx had Record-Route", invite(), ok_200(record_route), ack_2xx(),
       "ack-2xx.route FAIL (RFC 3261 12.2.1.1): expected Route <sip:p1.example.com;lr>, "
       "<sip:p2.example.com;lr>, observed Route (none) (msg #1, #2, #3)"},
      {"Route in Record-Route order, not reversed", invite(), ok_200(record_route),
       ack_2xx("Route: <sip:p2.example.com;lr>, <sip:p1.example.com;lr>\n"),
       "ack-2xx.route FAIL (RFC 3261 12.2.1.1): expected Route <sip:p1.example.com;lr>, "
       "<sip:p2.example.com;lr>, observed Route <sip:p2.example.com;lr>, <sip:p1.example.com;lr> "
       "(msg #1, #2, #3)"},
      {"loose route sent as a strict one (the route in the Request-URI)", invite(),
       ok_200("Record-Route: <sip:p1.example.com;lr>\n"),
       edited(ack_2xx("Route: <sip:p1.example.com;lr>\n"),
              "ACK sip:bob@192.0.2.1:5070;transport=udp", "ACK sip:p1.example.com;lr"),
       "ack-2xx.request-uri FAIL (RFC 3261 12.2.1.1, 13.2.2.4): expected Request-URI "
       "sip:bob@192.0.2.1:5070;transport=udp (per the route set), observed Request-URI "
       "sip:p1.example.com;lr (msg #1, #2, #3)"},
      {"credentials not repeated", invite(credentials), ok_200(),
       ack_2xx(credentials.substr(credentials.find("Proxy-Authorization"))),
       // Compared by meaning, and the digest response (a hash of the password) is not shown.
       "ack-2xx.credentials FAIL (RFC 3261 13.2.2.4, 22.1): expected the INVITE's credentials, "
       "observed the ACK carries 0 Authorization values, the INVITE 1 (RFC 3261 13.2.2.4: the "
       "ACK MUST contain the same credentials as the INVITE) (msg #1, #2, #3)"},
      {"no Max-Forwards", invite(), ok_200(), edited(ack_2xx(), "Max-Forwards: 70\r\n", ""),
       "ack-2xx.max-forwards FAIL (RFC 3261 8.1.1.6): expected Max-Forwards, observed no "
       "Max-Forwards (msg #1, #2, #3)"},
      {"no SDP answer to the 2xx's offer", invite("", false), ok_200("", offer), ack_2xx(),
       "ack-2xx.sdp-answer FAIL (RFC 3261 13.2.1): expected an SDP answer in the ACK (the INVITE "
       "had no offer, the 2xx carried one), observed an ACK without a body (msg #1, #2, #3)"},
  };
  for (const auto& c : cases) {
    SECTION(c.what) {
      auto f = one_ack(c.invite, c.response, c.ack);
      CHECK(describe(the_failure(f)) == c.described);
      // The ACK still counts as the ACK of the 2xx.
      CHECK(outcomes(f, rule_id::ack_2xx_received) == passed);
    }
  }
}

TEST_CASE("a 2xx never ACKed fails after 64*T1, and is not judged when the call ends first "
          "(RFC 3261 13.2.2.4, 13.3.1.4)",
          "[checks][ack][rfc3261]") {
  SECTION("no ACK within 64*T1") {
    auto f = answered(ok_200());
    f.end(32010ms);
    CHECK(describe(the_failure(f)) ==
          "ack-2xx.received FAIL (RFC 3261 13.2.2.4): expected an ACK for the "
          "200, observed no ACK within 32.000 s (msg #2)");
    // Nothing to judge the fields of.
    CHECK(f.of(rule_id::ack_2xx_cseq).empty());
  }
  SECTION("a BYE instead of the ACK") {
    auto f = answered(ok_200());
    f.at(2s).received(edited(bye, "tag=bt2", "tag=bt1"));
    f.end(3s);
    CHECK(describe(the_failure(f)) ==
          "ack-2xx.received FAIL (RFC 3261 13.2.2.4): expected an ACK for the "
          "200, observed no ACK within 2.990 s, though the device sent another "
          "request (msg #2)");
  }
  SECTION("the call ends before an ACK was due") {
    auto f = answered(ok_200());
    f.end(5s);
    CHECK(f.failures().empty());
    const auto v = f.of(rule_id::ack_2xx_received);
    REQUIRE(v.size() == 1);
    CHECK(describe(v[0]) == "ack-2xx.received N/A (RFC 3261 13.2.2.4): the call ended 4.990 s "
                            "after the 200, before an ACK was due");
  }
}

TEST_CASE("every retransmission of the 2xx gets its own ACK (RFC 3261 13.2.2.4)",
          "[checks][ack][rfc3261]") {
  SECTION("three copies, three ACKs") {
    auto f = answered(ok_200());
    f.at(20ms).received(ack_2xx());
    f.at(510ms).sent_again(ok_200());
    f.at(520ms).received(ack_2xx());
    f.at(1510ms).sent_again(ok_200());
    f.at(1520ms).received(ack_2xx());
    f.end(5s);
    INFO(described(f.out().all()));
    CHECK(f.failures().empty());
    const auto v = f.of(rule_id::ack_2xx_each);
    REQUIRE(v.size() == 1);
    CHECK(describe(v[0]) ==
          "ack-2xx.each-retransmission PASS (RFC 3261 13.2.2.4) (msg #3, #5, #7)");
    // The fields are judged on the first ACK only.
    CHECK(outcomes(f, rule_id::ack_2xx_cseq) == passed);
  }
  SECTION("three copies, one ACK") {
    auto f = answered(ok_200());
    f.at(20ms).received(ack_2xx());
    f.at(510ms).sent_again(ok_200());
    f.at(1510ms).sent_again(ok_200());
    f.end(5s);
    CHECK(describe(the_failure(f)) ==
          "ack-2xx.each-retransmission FAIL (RFC 3261 13.2.2.4): expected an ACK for each of the 3 "
          "copies of the 200, observed 1 ACK for them (msg #2, #4, #5)");
  }
  SECTION("a copy sent just before the end is not judged") {
    auto f = answered(ok_200());
    f.at(20ms).received(ack_2xx());
    f.at(510ms).sent_again(ok_200());
    f.end(900ms);
    INFO(described(f.out().all()));
    CHECK(f.failures().empty());
  }
}

TEST_CASE("a conformant ACK of a non-2xx passes every non-2xx ACK rule (RFC 3261 17.1.1.3)",
          "[checks][ack][rfc3261]") {
  const std::string route = "Route: <sip:proxy.example.com;lr>\n";
  auto f = one_ack(invite(route), busy_486, ack_486(route));
  INFO(described(f.out().all()));
  CHECK(f.failures().empty());
  const rule_id judged[] = {
      rule_id::ack_non2xx_received, rule_id::ack_non2xx_branch, rule_id::ack_non2xx_request_uri,
      rule_id::ack_non2xx_call_id,  rule_id::ack_non2xx_from,   rule_id::ack_non2xx_to,
      rule_id::ack_non2xx_cseq,     rule_id::ack_non2xx_route,  rule_id::ack_non2xx_no_bye};
  for (auto r : judged) {
    INFO(rule_of(r).id);
    CHECK(outcomes(f, r) == passed);
  }
  CHECK(describe(f.of(rule_id::ack_non2xx_each)[0]) ==
        "ack-non2xx.each-retransmission N/A (RFC 3261 17.1.1.2): the response was sent once");
  CHECK(f.of(rule_id::ack_2xx_received).empty());
}

TEST_CASE("a non-2xx ACK's Via is compared by meaning, not bytes (RFC 3261 17.1.1.3, 7.3.1)",
          "[checks][ack][rfc3261]") {
  auto f = one_ack(invite(), busy_486,
                   edited(ack_486(), "Via: SIP/2.0/UDP 192.0.2.2:5062;branch=z9hG4bKinv1",
                          "v: SIP/2.0/UDP 192.0.2.2:5062 ; branch=z9hG4bKinv1"));
  INFO(described(f.out().all()));
  CHECK(f.failures().empty());
}

TEST_CASE("each non-2xx ACK rule fires on the ACK that breaks it (RFC 3261 17.1.1.3)",
          "[checks][ack][rfc3261]") {
  const std::string route = "Route: <sip:proxy.example.com;lr>\n";
  const fault_case cases[] = {
      {"a new branch", invite(), busy_486,
       edited(ack_486(), "branch=z9hG4bKinv1", "branch=z9hG4bKack1"),
       "ack-non2xx.branch FAIL (RFC 3261 17.1.1.3): expected one Via equal to the INVITE's top "
       "Via (SIP/2.0/UDP 192.0.2.2:5062;branch=z9hG4bKinv1), observed Via SIP/2.0/UDP "
       "192.0.2.2:5062;branch=z9hG4bKack1 (msg #1, #2, #3)"},
      {"two Via values", invite(), busy_486,
       edited(ack_486(), "Max-Forwards",
              "Via: SIP/2.0/UDP 203.0.113.9;branch=z9hG4bKx\r\nMax-Forwards"),
       "ack-non2xx.branch FAIL (RFC 3261 17.1.1.3): expected one Via equal to the INVITE's top "
       "Via (SIP/2.0/UDP 192.0.2.2:5062;branch=z9hG4bKinv1), observed Via SIP/2.0/UDP "
       "192.0.2.2:5062;branch=z9hG4bKinv1, SIP/2.0/UDP 203.0.113.9;branch=z9hG4bKx (msg #1, #2, "
       "#3)"},
      {"another Request-URI", invite(), busy_486,
       edited(ack_486(), "ACK sip:bob@192.0.2.1 ", "ACK sip:bob@192.0.2.1:5070 "),
       "ack-non2xx.request-uri FAIL (RFC 3261 17.1.1.3): expected Request-URI sip:bob@192.0.2.1, "
       "observed Request-URI sip:bob@192.0.2.1:5070 (msg #1, #2, #3)"},
      {"another Call-ID", invite(), busy_486, edited(ack_486(), "Call-ID: c1@", "Call-ID: c2@"),
       "ack-non2xx.call-id FAIL (RFC 3261 17.1.1.3): expected Call-ID c1@192.0.2.2, observed "
       "Call-ID c2@192.0.2.2 (msg #1, #2, #3)"},
      {"another From tag", invite(), busy_486, edited(ack_486(), ";tag=al1", ";tag=al2"),
       "ack-non2xx.from FAIL (RFC 3261 17.1.1.3): expected From Alice "
       "<sip:alice@192.0.2.2>;tag=al1, observed From Alice <sip:alice@192.0.2.2>;tag=al2 (msg #1, "
       "#2, #3)"},
      {"To without the response's tag", invite(), busy_486, edited(ack_486(), ";tag=bt2", ""),
       "ack-non2xx.to FAIL (RFC 3261 17.1.1.3): expected To Bob <sip:bob@192.0.2.1>;tag=bt2 (the "
       "response's), observed To Bob <sip:bob@192.0.2.1> (msg #1, #2, #3)"},
      {"CSeq method INVITE", invite(), busy_486, edited(ack_486(), "CSeq: 7 ACK", "CSeq: 7 INVITE"),
       "ack-non2xx.cseq FAIL (RFC 3261 17.1.1.3): expected CSeq 7 ACK (INVITE CSeq 7 INVITE), "
       "observed CSeq 7 INVITE (msg #1, #2, #3)"},
      {"CSeq number of another request", invite(), busy_486,
       edited(ack_486(), "CSeq: 7 ACK", "CSeq: 8 ACK"),
       "ack-non2xx.cseq FAIL (RFC 3261 17.1.1.3): expected CSeq 7 ACK (INVITE CSeq 7 INVITE), "
       "observed CSeq 8 ACK (msg #1, #2, #3)"},
      {"the INVITE's Route left out", invite(route), busy_486, ack_486(),
       "ack-non2xx.route FAIL (RFC 3261 17.1.1.3): expected Route <sip:proxy.example.com;lr>, "
       "observed Route (none) (msg #1, #2, #3)"},
  };
  for (const auto& c : cases) {
    SECTION(c.what) {
      auto f = one_ack(c.invite, c.response, c.ack);
      CHECK(describe(the_failure(f)) == c.described);
      CHECK(outcomes(f, rule_id::ack_non2xx_received) == passed);
    }
  }
}

TEST_CASE("no BYE follows a final non-2xx (RFC 3261 17.1.1.3, 13.2.2.3)",
          "[checks][ack][rfc3261]") {
  auto f = answered(busy_486);
  f.at(20ms).received(ack_486());
  f.at(1s).received(bye);
  // The device retransmits its BYE: the same fault, not another one.
  f.at(1500ms).received_again(bye);
  f.end(3s);
  CHECK(describe(the_failure(f)) ==
        "ack-non2xx.no-bye FAIL (RFC 3261 17.1.1.3, 13.2.2.3): expected no "
        "BYE after a final non-2xx response, observed BYE after 486 Busy Here "
        "(msg #2, #4)");
  CHECK(outcomes(f, rule_id::ack_non2xx_no_bye) == std::vector<outcome>{outcome::fail});
}

TEST_CASE("a BYE of the dialog of the INVITE sent again after a 407 follows no non-2xx "
          "(RFC 3261 22.2, 17.1.1.3)",
          "[checks][ack][rfc3261]") {
  auto again = [](std::string text) {
    return edited(edited(text, "z9hG4bKinv1", "z9hG4bKinv2"), "CSeq: 7 INVITE", "CSeq: 8 INVITE");
  };
  auto f = answered(response("407 Proxy Authentication Required", "bt2"));
  f.at(20ms).received(ack_486());
  f.at(30ms).received(again(invite(credentials)));
  f.at(40ms).sent(again(ok_200()));
  f.at(50ms).received(edited(ack_2xx(credentials), "CSeq: 7 ACK", "CSeq: 8 ACK"));
  f.at(1s).received(edited(edited(bye, "tag=bt2", "tag=bt1"), "CSeq: 8 BYE", "CSeq: 9 BYE"));
  f.end(3s);
  INFO(described(f.out().all()));
  CHECK(f.failures().empty());
  CHECK(outcomes(f, rule_id::ack_non2xx_no_bye) == std::vector<outcome>{outcome::pass});
  CHECK(outcomes(f, rule_id::ack_2xx_credentials) == std::vector<outcome>{outcome::pass});
}

TEST_CASE("a non-2xx never ACKed fails after 64*T1 (RFC 3261 17.1.1.2, 17.2.1)",
          "[checks][ack][rfc3261]") {
  {
    auto f = answered(busy_486);
    f.end(40s);
    CHECK(describe(the_failure(f)) ==
          "ack-non2xx.received FAIL (RFC 3261 17.1.1.2): expected an ACK for "
          "the 486, observed no ACK within 39.990 s (msg #2)");
  }
  {
    auto f = answered(busy_486);
    f.end(2s);
    CHECK(f.failures().empty());
    CHECK(outcomes(f, rule_id::ack_non2xx_received) == not_applicable);
  }
}

TEST_CASE("every retransmission of the non-2xx gets an ACK (RFC 3261 17.1.1.2)",
          "[checks][ack][rfc3261]") {
  for (const bool each : {true, false}) {
    auto f = answered(busy_486);
    f.at(20ms).received(ack_486());
    f.at(510ms).sent_again(busy_486);
    if (each) f.at(520ms).received(ack_486());
    f.at(1510ms).sent_again(busy_486);
    if (each) f.at(1520ms).received(ack_486());
    f.end(5s);
    INFO(described(f.out().all()));
    if (each) {
      CHECK(f.failures().empty());
      CHECK(outcomes(f, rule_id::ack_non2xx_each) == passed);
    } else {
      CHECK(describe(the_failure(f)) ==
            "ack-non2xx.each-retransmission FAIL (RFC 3261 17.1.1.2): expected an ACK for each of "
            "the 3 copies of the 486, observed 1 ACK for them (msg #2, #4, #5)");
    }
  }
}

TEST_CASE("a conformant call as caller passes end to end through call_checks",
          "[checks][ack][rfc3261]") {
  call_checks c(timing{});
  const auto feed = [&](const std::string& text, direction d, std::chrono::milliseconds t,
                        std::size_t index) {
    const auto m = parse(text);
    c.on_message({m, d, at_ms(t), index});
  };
  feed(invite(), direction::received, 0ms, 0);
  feed(ok_200(), direction::sent, 10ms, 1);
  feed(ack_2xx(), direction::received, 20ms, 2);
  feed(edited(bye, "tag=bt2", "tag=bt1"), direction::received, 2s, 3);
  c.on_end(at_ms(3s));
  INFO(described(c.result().all()));
  CHECK_FALSE(c.result().any_failure());
  CHECK_FALSE(c.result().any_warning());
  for (const auto& v : c.result().summary()) {
    INFO(describe(v));
    CHECK(v.outcome != outcome::fail);
  }
}

TEST_CASE("what the harness's own 2xx leaves open is N/A, not a pass (RFC 3261 12.2.1.1, 13.2.1)",
          "[checks][ack][rfc3261]") {
  SECTION("a 2xx without Contact gives no target for the ACK") {
    const auto no_contact = response("200 OK", "bt1", "", answer);
    auto f = one_ack(invite(), no_contact, ack_2xx());
    INFO(described(f.out().all()));
    CHECK(f.failures().empty());
    const char* why = "the 2xx has no usable Contact or Record-Route: no Contact header field: "
                      "the remote target comes from it (RFC 3261 12.1)";
    CHECK(describe(f.of(rule_id::ack_2xx_request_uri).at(0)) ==
          std::string("ack-2xx.request-uri N/A (RFC 3261 12.2.1.1, 13.2.2.4): ") + why);
    CHECK(describe(f.of(rule_id::ack_2xx_route).at(0)) ==
          std::string("ack-2xx.route N/A (RFC 3261 12.2.1.1): ") + why);
  }
  SECTION("no offer anywhere") {
    auto f = one_ack(invite("", false), ok_200("", ""), ack_2xx());
    CHECK(f.failures().empty());
    CHECK(describe(f.of(rule_id::ack_2xx_sdp_answer).at(0)) ==
          "ack-2xx.sdp-answer N/A (RFC 3261 13.2.1): neither the INVITE nor the 2xx carried an "
          "offer");
  }
}

TEST_CASE("an ACK of another call is not judged against this one", "[checks][ack]") {
  auto f = answered(ok_200());
  // Another Call-ID and none of the dialog's tags: not this 2xx's ACK.
  f.at(20ms).received(
      edited(edited(edited(ack_2xx(), "Call-ID: c1@", "Call-ID: c9@"), ";tag=al1", ";tag=x1"),
             ";tag=bt1", ";tag=x2"));
  f.end(40s);
  CHECK(the_failure(f).rule == rule_id::ack_2xx_received);
  CHECK(f.of(rule_id::ack_2xx_call_id).empty());
}
