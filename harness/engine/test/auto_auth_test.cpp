// The engine answering 401/407 challenges on its own (RFC 3261 22.2, 22.3): the messages it
// writes, byte for byte, and a SIPp scenario with no auth steps against a challenging callee.
#include "auto_auth.hpp"
#include "support.hpp"

#include "sipwright/parser/parser.hpp"

#include <catch2/catch.hpp>

using namespace sipwright;
using namespace engine::test;

namespace {

sip::message parse(const std::string& bytes) {
  parser::parser p(parser::options{parser::mode::datagram, {}, false, false});
  REQUIRE(p.put(bytes).status == parser::status::done);
  return p.release();
}

const std::string invite = "INVITE sip:bob@192.0.2.1 SIP/2.0\r\n"
                           "Via: SIP/2.0/UDP 192.0.2.9:5070;branch=z9hG4bK-1;rport, "
                           "SIP/2.0/UDP 192.0.2.8;branch=z9hG4bK-0\r\n"
                           "Route: <sip:p1.example;lr>\r\n"
                           "Max-Forwards: 70\r\n"
                           "From: A <sip:alice@example.com>;tag=a1\r\n"
                           "To: <sip:bob@example.com>\r\n"
                           "Call-ID: c1@192.0.2.9\r\n"
                           "CSeq: 7 INVITE\r\n"
                           "Authorization: Digest username=\"alice\", realm=\"other\"\r\n"
                           "Content-Type: application/sdp\r\n"
                           "Content-Length: 4\r\n"
                           "\r\n"
                           "v=0\n";

const std::string challenge =
    "SIP/2.0 407 Proxy Authentication Required\r\n"
    "Via: SIP/2.0/UDP 192.0.2.9:5070;branch=z9hG4bK-1;rport=5070\r\n"
    "From: A <sip:alice@example.com>;tag=a1\r\n"
    "To: <sip:bob@example.com>;tag=p9\r\n"
    "Call-ID: c1@192.0.2.9\r\n"
    "CSeq: 7 INVITE\r\n"
    "Proxy-Authenticate: Digest realm=\"r\", nonce=\"n\", qop=\"auth\"\r\n"
    "Content-Length: 0\r\n\r\n";

// A callee that challenges the INVITE with a 407 and then plays the call.
const std::string challenging_callee =
    scenario_xml("<recv request=\"INVITE\"/>\n" +
                 response("407 Proxy Authentication Required", "[challenge]\n") +
                 "<recv request=\"ACK\"/>\n<recv request=\"INVITE\"/>\n" + response("180 Ringing") +
                 response("200 OK", "Contact: <sip:b@[local_ip]:[local_port]>\n") +
                 "<recv request=\"ACK\"/>\n<recv request=\"BYE\"/>\n" + response("200 OK") +
                 "<pause milliseconds=\"100\"/>\n");

// One that challenges every INVITE: the credentials are refused.
const std::string refusing_callee =
    scenario_xml("<recv request=\"INVITE\"/>\n" + response("401 Unauthorized", "[challenge]\n") +
                 "<recv request=\"ACK\"/>\n<recv request=\"INVITE\"/>\n" +
                 response("401 Unauthorized", "[challenge]\n") + "<recv request=\"ACK\"/>\n" +
                 "<pause milliseconds=\"200\"/>\n");

engine::credentials alice() {
  return {"alice", "alice-secret", ""};
}

std::vector<std::string> sent(const engine::scenario_result& r, std::string_view start) {
  std::vector<std::string> out;
  for (const auto& e : r.trace.entries())
    if (e.dir == transport::direction::out && e.bytes.starts_with(start)) out.push_back(e.bytes);
  return out;
}

} // namespace

TEST_CASE("The ACK of a challenge copies the INVITE's top Via, Route, From, Call-ID, CSeq and "
          "credentials with the response's To [engine][rfc3261][17.1.1.3]") {
  CHECK(engine::ack_of_non2xx(parse(invite), parse(challenge)) ==
        "ACK sip:bob@192.0.2.1 SIP/2.0\r\n"
        "Via: SIP/2.0/UDP 192.0.2.9:5070;branch=z9hG4bK-1;rport\r\n"
        "Route: <sip:p1.example;lr>\r\n"
        "Max-Forwards: 70\r\n"
        "From: A <sip:alice@example.com>;tag=a1\r\n"
        "To: <sip:bob@example.com>;tag=p9\r\n"
        "Call-ID: c1@192.0.2.9\r\n"
        "CSeq: 7 ACK\r\n"
        "Authorization: Digest username=\"alice\", realm=\"other\"\r\n"
        "Content-Length: 0\r\n\r\n");
}

TEST_CASE("The request sent again has a new branch, the next CSeq and the new credentials, "
          "every other byte kept [engine][rfc3261][22.2][8.1.3.5]") {
  const auto proxy = "Proxy-Authorization: Digest username=\"alice\", realm=\"r\"";
  CHECK(engine::with_credentials(parse(invite), "z9hG4bK-2", 8, proxy, "r") ==
        "INVITE sip:bob@192.0.2.1 SIP/2.0\r\n"
        "Via: SIP/2.0/UDP 192.0.2.9:5070;branch=z9hG4bK-2;rport, "
        "SIP/2.0/UDP 192.0.2.8;branch=z9hG4bK-0\r\n"
        "Route: <sip:p1.example;lr>\r\n"
        "Max-Forwards: 70\r\n"
        "From: A <sip:alice@example.com>;tag=a1\r\n"
        "To: <sip:bob@example.com>\r\n"
        "Call-ID: c1@192.0.2.9\r\n"
        "CSeq: 8 INVITE\r\n"
        "Authorization: Digest username=\"alice\", realm=\"other\"\r\n"
        "Content-Type: application/sdp\r\n"
        "Content-Length: 4\r\n"
        "Proxy-Authorization: Digest username=\"alice\", realm=\"r\"\r\n"
        "\r\n"
        "v=0\n");
  // Credentials of the same kind for the same realm are replaced, not doubled; those of another
  // realm stay (RFC 3261 22.3: one per protection domain).
  const auto www = "Authorization: Digest username=\"alice\", realm=\"other\", nonce=\"2\"";
  const auto again = engine::with_credentials(parse(invite), "z9hG4bK-3", 8, www, "other");
  CHECK(again.find("Authorization: Digest username=\"alice\", realm=\"other\"\r\n") ==
        std::string::npos);
  CHECK(again.find("Content-Length: 4\r\nAuthorization: Digest username=\"alice\", "
                   "realm=\"other\", nonce=\"2\"\r\n\r\nv=0\n") != std::string::npos);
  const auto both = engine::with_credentials(parse(invite), "z9hG4bK-4", 8,
                                             "Authorization: Digest realm=\"r\"", "r");
  CHECK(both.find("Authorization: Digest username=\"alice\", realm=\"other\"\r\n") !=
        std::string::npos);
  CHECK(both.find("Authorization: Digest realm=\"r\"\r\n") != std::string::npos);
}

TEST_CASE("SIPp's uac.xml, which has no auth step, answers a 407 on its own: ACK, INVITE with "
          "Proxy-Authorization, and its ACK and BYE follow the new CSeq [engine][rfc3261][22.3]") {
  auto caller_opts = fast();
  caller_opts.credentials = alice();
  auto r = play_pair(load(challenging_callee, "challenging.xml"),
                     load(sipp_file("uac.xml"), "uac.xml"), fast(), caller_opts);
  INFO("caller: " << failures(r.caller) << "callee: " << failures(r.callee));
  CHECK(r.caller.passed());
  CHECK(played_through(r.callee));
  // Only the finding SIPp's uac.xml always earns (its ACK goes to the Request-URI).
  CHECK(violated(r.callee) == std::set<std::string>{"ack-2xx.request-uri"});
  REQUIRE(r.caller.calls.size() == 1);
  // What the harness sent conforms but for that same ACK Request-URI: the ACK's CSeq and
  // credentials follow the INVITE sent again (13.2.2.4, 22.1).
  std::set<std::string> own;
  for (const auto& v : r.caller.calls[0].scenario_warnings)
    own.insert(std::string(checks::rule_of(v.rule).id));
  CHECK(own == std::set<std::string>{"ack-2xx.request-uri"});
  const auto invites = sent(r.caller, "INVITE ");
  REQUIRE(invites.size() == 2);
  CHECK(invites[0].find("CSeq: 1 INVITE\r\n") != std::string::npos);
  CHECK(invites[1].find("CSeq: 2 INVITE\r\n") != std::string::npos);
  CHECK(invites[1].find("\r\nProxy-Authorization: Digest username=\"alice\"") != std::string::npos);
  const auto acks = sent(r.caller, "ACK ");
  REQUIRE(acks.size() == 2);
  CHECK(acks[0].find("CSeq: 1 ACK\r\n") != std::string::npos);
  // uac.xml writes "CSeq: 1 ACK" and "CSeq: 2 BYE": both follow the INVITE sent again.
  CHECK(acks[1].find("CSeq: 2 ACK\r\n") != std::string::npos);
  CHECK(acks[1].find("\r\nProxy-Authorization: Digest username=\"alice\"") != std::string::npos);
  const auto byes = sent(r.caller, "BYE ");
  REQUIRE(byes.size() == 1);
  CHECK(byes[0].find("CSeq: 3 BYE\r\n") != std::string::npos);
  const auto& log = r.caller.calls[0].log;
  CHECK(std::find(log.begin(), log.end(),
                  "answered the 407 to INVITE with Proxy-Authorization (RFC 3261 22.3)") !=
        log.end());
}

TEST_CASE("Without credentials a challenge fails the call and says why [engine][rfc3261][22.2]") {
  auto r =
      play_pair(load(challenging_callee, "challenging.xml"), load(sipp_file("uac.xml"), "uac.xml"),
                fast(std::chrono::milliseconds(1500)), fast());
  REQUIRE(r.caller.calls.size() == 1);
  CHECK_THAT(r.caller.calls[0].failure,
             Catch::Contains("unexpected SIP/2.0 407 Proxy Authentication Required while waiting "
                             "for response 100") &&
                 Catch::EndsWith("(a challenge sipwright could not answer: no credentials to "
                                 "answer it with (give them in the device profile's [auth] or "
                                 "in SIPWRIGHT_AUTH_USER and SIPWRIGHT_AUTH_PASSWORD))"));
}

TEST_CASE("Credentials challenged again are not sent a third time [engine][rfc3261][22.2]") {
  auto caller_opts = fast();
  caller_opts.credentials = alice();
  auto r = play_pair(load(refusing_callee, "refusing.xml"), load(sipp_file("uac.xml"), "uac.xml"),
                     fast(), caller_opts);
  REQUIRE(r.caller.calls.size() == 1);
  CHECK_THAT(r.caller.calls[0].failure,
             Catch::EndsWith("(a challenge sipwright could not answer: the device challenged "
                             "again the credentials sipwright answered with (Authorization realm "
                             "\"sipwright\"))"));
  CHECK(sent(r.caller, "INVITE ").size() == 2);
  // Both challenges were ACKed (17.1.1.3).
  CHECK(sent(r.caller, "ACK ").size() == 2);
  CHECK(played_through(r.callee));
}

TEST_CASE("After a [challenge] the device's credentials are checked against its account "
          "[engine][rfc3261][22.3][auth.credentials]") {
  auto caller_opts = fast();
  caller_opts.credentials = alice();
  auto verdict_of = [](const engine::scenario_result& r) {
    REQUIRE(r.calls.size() == 1);
    for (const auto& v : r.calls[0].verdicts)
      if (v.rule == checks::rule_id::auth_credentials) return checks::describe(v);
    return std::string("none");
  };
  SECTION("the account's password: pass") {
    auto callee_opts = fast();
    callee_opts.credentials = alice();
    auto r = play_pair(load(challenging_callee, "challenging.xml"),
                       load(sipp_file("uac.xml"), "uac.xml"), callee_opts, caller_opts);
    CHECK_THAT(verdict_of(r.callee), Catch::StartsWith("auth.credentials PASS (RFC 3261 22.2, "
                                                       "22.3; RFC 7616 3.4) (msg #4)"));
  }
  SECTION("another password: fail, naming the header and the user, not the digest") {
    auto callee_opts = fast();
    callee_opts.credentials = engine::credentials{"alice", "not-alice-secret", ""};
    auto r = play_pair(load(challenging_callee, "challenging.xml"),
                       load(sipp_file("uac.xml"), "uac.xml"), callee_opts, caller_opts);
    CHECK(verdict_of(r.callee) ==
          "auth.credentials FAIL (RFC 3261 22.2, 22.3; RFC 7616 3.4): expected credentials "
          "that answer the challenge, observed Proxy-Authorization response for \"alice\" does "
          "not match: wrong password, or computed over other values (RFC 7616 3.4.1) (msg #4)");
    CHECK_FALSE(r.callee.passed());
  }
  SECTION("no account: the digest is not checked, and it says so") {
    auto r = play_pair(load(challenging_callee, "challenging.xml"),
                       load(sipp_file("uac.xml"), "uac.xml"), fast(), caller_opts);
    CHECK(verdict_of(r.callee) ==
          "auth.credentials PASS (RFC 3261 22.2, 22.3; RFC 7616 3.4): the digest was not "
          "checked: no account to check it against (the device profile's [auth]) (msg #4)");
  }
}

TEST_CASE("A 401 to a REGISTER is answered with Authorization and no ACK [engine][rfc3261][22.2]") {
  const auto registrar = scenario_xml(
      "<recv request=\"REGISTER\"/>\n" + response("401 Unauthorized", "[challenge]\n") +
      "<recv request=\"REGISTER\"/>\n" + response("200 OK", "[last_Contact:];expires=300\n") +
      "<pause milliseconds=\"100\"/>\n");
  const auto phone =
      scenario_xml(request("REGISTER", "Contact: <sip:a@[local_ip]:[local_port]>\n") +
                   "<recv response=\"200\"/>\n");
  auto caller_opts = fast();
  caller_opts.credentials = alice();
  auto callee_opts = fast();
  callee_opts.credentials = alice();
  auto r = play_pair(load(registrar, "registrar.xml"), load(phone, "phone.xml"), callee_opts,
                     caller_opts);
  INFO("phone: " << failures(r.caller) << "registrar: " << failures(r.callee));
  CHECK(r.caller.passed());
  CHECK(r.callee.passed());
  const auto regs = sent(r.caller, "REGISTER ");
  REQUIRE(regs.size() == 2);
  CHECK(regs[1].find("CSeq: 2 REGISTER\r\n") != std::string::npos);
  CHECK(regs[1].find("\r\nAuthorization: Digest username=\"alice\"") != std::string::npos);
  CHECK(sent(r.caller, "ACK ").empty());
  CHECK(std::find(r.caller.calls[0].log.begin(), r.caller.calls[0].log.end(),
                  "answered the 401 to REGISTER with Authorization (RFC 3261 22.2)") !=
        r.caller.calls[0].log.end());
  CHECK(violated(r.callee).empty());
}

TEST_CASE("A 401 behind a 407 (another protection domain) is answered too, keeping the "
          "Proxy-Authorization [engine][rfc3261][22.3]") {
  // A proxy challenges with 407, then the device behind it with 401 (two realms).
  const auto two_hops = scenario_xml(
      "<recv request=\"INVITE\"/>\n" +
      response("407 Proxy Authentication Required",
               "Proxy-Authenticate: Digest realm=\"proxy\", nonce=\"p1\", qop=\"auth\"\n") +
      "<recv request=\"ACK\"/>\n<recv request=\"INVITE\"/>\n" +
      response("401 Unauthorized",
               "WWW-Authenticate: Digest realm=\"pbx\", nonce=\"u1\", qop=\"auth\"\n") +
      "<recv request=\"ACK\"/>\n<recv request=\"INVITE\"/>\n" +
      response("200 OK", "Contact: <sip:b@[local_ip]:[local_port]>\n") +
      "<recv request=\"ACK\"/>\n<recv request=\"BYE\"/>\n" + response("200 OK") +
      "<pause milliseconds=\"100\"/>\n");
  auto caller_opts = fast();
  caller_opts.credentials = alice();
  auto r = play_pair(load(two_hops, "two-hops.xml"), load(sipp_file("uac.xml"), "uac.xml"), fast(),
                     caller_opts);
  INFO("caller: " << failures(r.caller) << "callee: " << failures(r.callee));
  CHECK(r.caller.passed());
  const auto invites = sent(r.caller, "INVITE ");
  REQUIRE(invites.size() == 3);
  CHECK(invites[2].find("CSeq: 3 INVITE\r\n") != std::string::npos);
  CHECK(invites[2].find("\r\nProxy-Authorization: Digest username=\"alice\", realm=\"proxy\"") !=
        std::string::npos);
  CHECK(invites[2].find("\r\nAuthorization: Digest username=\"alice\", realm=\"pbx\"") !=
        std::string::npos);
  CHECK(sent(r.caller, "BYE ")[0].find("CSeq: 4 BYE\r\n") != std::string::npos);
}
