// Keyword values and actions of one call, without the network.
#include "call_context.hpp"

#include "sipwright/auth/server.hpp"
#include "sipwright/parser/parser.hpp"
#include "sipwright/scenario/loader.hpp"

#include <catch2/catch.hpp>

using namespace sipwright;
using engine::call_context;

namespace {

sip::message parse(std::string_view bytes) {
  parser::parser p(parser::options{parser::mode::datagram, {}, true, false});
  REQUIRE(p.put(bytes).status == parser::status::done);
  return p.release();
}

call_context make_context() {
  engine::environment env;
  env.service = "alice";
  env.local = {"127.0.0.1", 5070};
  env.remote = {"::1", 5080};
  env.pid = 42;
  env.run_token = "beef";
  return call_context(env, 3, "3-42-beef@127.0.0.1");
}

std::string expand(const call_context& c, scenario::keyword_id id, std::string arg = {},
                   int offset = 0) {
  std::string out;
  c.expand(scenario::keyword{id, std::move(arg), offset}, out);
  return out;
}

const std::string invite_with_routes = "INVITE sip:alice@127.0.0.1:5070 SIP/2.0\r\n"
                                       "Via: SIP/2.0/UDP p2.example.com;branch=z9hG4bKp2, "
                                       "SIP/2.0/UDP p1.example.com;branch=z9hG4bKp1\r\n"
                                       "v: SIP/2.0/UDP [::1]:5080;branch=z9hG4bKa\r\n"
                                       "Record-Route: <sip:p2.example.com;lr>\r\n"
                                       "Record-Route: <sip:p1.example.com;lr>\r\n"
                                       "From: Bob <sip:bob@[::1]>;tag=from-tag\r\n"
                                       "To: <sip:alice@127.0.0.1>\r\n"
                                       "Call-ID: abc\r\n"
                                       "CSeq: 7 INVITE\r\n"
                                       "Contact: <sip:bob@[::1]:5080>\r\n"
                                       "Max-Forwards: 68\r\n"
                                       "Content-Type: application/sdp\r\n"
                                       "Content-Length: 33\r\n"
                                       "\r\n"
                                       "v=0\r\n"
                                       "o=user1 53655765 2353687637 IN\r\n";

} // namespace

TEST_CASE("Addresses, ports and ids expand as SIPp writes them, IPv6 in brackets in URIs "
          "[engine][keywords][rfc5118]") {
  auto c = make_context();
  using k = scenario::keyword_id;
  CHECK(expand(c, k::service) == "alice");
  CHECK(expand(c, k::remote_ip) == "[::1]");
  CHECK(expand(c, k::remote_port) == "5080");
  CHECK(expand(c, k::local_ip) == "127.0.0.1");
  CHECK(expand(c, k::local_ip_type) == "4");
  CHECK(expand(c, k::media_ip) == "127.0.0.1");
  CHECK(expand(c, k::transport) == "UDP");
  CHECK(expand(c, k::call_id) == "3-42-beef@127.0.0.1");
  CHECK(expand(c, k::call_number) == "3");
  CHECK(expand(c, k::pid) == "42");
  CHECK(expand(c, k::peer_tag_param).empty());
  CHECK(expand(c, k::routes).empty());
}

TEST_CASE("[branch] has the magic cookie and is new for every send, [branch-N] is the branch "
          "the message N before last sent [engine][keywords][rfc3261][8.1.1.7]") {
  auto c = make_context();
  CHECK(c.branch(0, 1) == "z9hG4bK-42-beef-3-0-1");
  auto sc = scenario::load_string(R"xml(<scenario>
  <send><![CDATA[
    INVITE sip:x@[remote_ip] SIP/2.0
    Via: SIP/2.0/UDP [local_ip];branch=[branch]
    X-Again: [branch]
  ]]></send>
  <send><![CDATA[
    ACK sip:x@[remote_ip] SIP/2.0
    Via: SIP/2.0/UDP [local_ip];branch=[branch-1]
  ]]></send>
</scenario>)xml",
                                  "branch.xml");
  const auto invite = c.render(sc.steps.at(0).msg, 0);
  const auto b = c.current_branch();
  CHECK(invite.find("branch=" + b + "\r\nX-Again: " + b + "\r\n") != std::string::npos);
  CHECK(c.render(sc.steps.at(1).msg, 1).find("branch=" + b + "\r\n") != std::string::npos);
  // Sent again (a loop), the INVITE is a new transaction.
  c.render(sc.steps.at(0).msg, 0);
  CHECK(c.current_branch() != b);
}

TEST_CASE("[cseq] moves on before each request other than ACK and CANCEL, as in SIPp "
          "[engine][keywords]") {
  auto sc = scenario::load_string(R"xml(<scenario>
  <send><![CDATA[
    OPTIONS sip:x@[remote_ip] SIP/2.0
    CSeq: [cseq] OPTIONS
  ]]></send>
  <send><![CDATA[
    ACK sip:x@[remote_ip] SIP/2.0
    CSeq: [cseq] ACK
  ]]></send>
</scenario>)xml",
                                  "cseq.xml");
  auto c = make_context();
  CHECK(c.render(sc.steps.at(0).msg, 0).find("CSeq: 1 OPTIONS\r\n") != std::string::npos);
  CHECK(c.render(sc.steps.at(1).msg, 1).find("CSeq: 1 ACK\r\n") != std::string::npos);
  CHECK(c.render(sc.steps.at(0).msg, 0).find("CSeq: 2 OPTIONS\r\n") != std::string::npos);
}

TEST_CASE(
    "[last_Via:] copies every Via line as received, compact forms included, and rrs keeps the "
    "route set and the Contact [engine][keywords][rfc3261][12.1.1]") {
  auto c = make_context();
  c.on_received(parse(invite_with_routes), true);
  using k = scenario::keyword_id;
  CHECK(expand(c, k::last_header, "Via") ==
        "Via: SIP/2.0/UDP p2.example.com;branch=z9hG4bKp2, SIP/2.0/UDP "
        "p1.example.com;branch=z9hG4bKp1\r\nv: SIP/2.0/UDP [::1]:5080;branch=z9hG4bKa");
  CHECK(expand(c, k::last_header, "call-id") == "Call-ID: abc");
  CHECK(expand(c, k::last_header, "Subject").empty());
  // A request received: the peer's tag is its From tag; the route set in order (12.1.1).
  CHECK(expand(c, k::peer_tag_param) == ";tag=from-tag");
  CHECK(expand(c, k::routes) == "Route: <sip:p2.example.com;lr>, <sip:p1.example.com;lr>");
  CHECK(expand(c, k::next_url) == "sip:bob@[::1]:5080");
}

TEST_CASE("ereg fills variables with the match and its groups as SIPp's regexp scenario uses "
          "them [engine][actions]") {
  auto sc = scenario::load_string(R"xml(<scenario>
  <recv request="INVITE">
    <action>
      <ereg regexp="o=([[:alnum:]]*) ([[:alnum:]]*) ([[:alnum:]]*)" search_in="msg"
            check_it="true" assign_to="3,4,5,8"/>
      <ereg regexp=".*" search_in="hdr" header="Contact:" assign_to="6"/>
      <ereg regexp="nomatch" search_in="body" assign_to="9"/>
    </action>
  </recv>
  <send next="end" test="3"><![CDATA[
    SIP/2.0 200 OK
    Content-Length: 0
  ]]></send>
  <label id="end"/>
</scenario>)xml",
                                  "ereg.xml");
  auto c = make_context();
  auto msg = parse(invite_with_routes);
  std::string failure, int_cmd;
  std::vector<std::string> log, commands;
  REQUIRE(c.run_actions(sc.steps.at(0).actions, &msg, failure, log, int_cmd, commands));
  CHECK(c.vars().at("3").str() == "o=user1 53655765 2353687637");
  CHECK(c.vars().at("4").str() == "user1");
  CHECK(c.vars().at("5").str() == "53655765");
  CHECK(c.vars().at("8").str() == "2353687637");
  CHECK(c.vars().at("6").str() == "<sip:bob@[::1]:5080>");
  CHECK(c.test("3"));
  CHECK_FALSE(c.test("9"));
}

TEST_CASE("A check_it regexp that does not match fails with its position [engine][actions]") {
  auto sc = scenario::load_string(R"xml(<scenario>
  <recv request="INVITE">
    <action>
      <ereg regexp="^Subject" search_in="msg" check_it="true" assign_to="1"/>
    </action>
  </recv>
</scenario>)xml",
                                  "check.xml");
  auto c = make_context();
  auto msg = parse(invite_with_routes);
  std::string failure, int_cmd;
  std::vector<std::string> log, commands;
  CHECK_FALSE(c.run_actions(sc.steps.at(0).actions, &msg, failure, log, int_cmd, commands));
  CHECK(failure == "check.xml:4: regexp \"^Subject\" did not match the message (check_it)");
}

TEST_CASE("[authentication] answers the challenge kept by <recv auth=\"true\"> over the request "
          "it is in [engine][keywords][rfc3261][22.2]") {
  auto sc = scenario::load_string(R"xml(<scenario>
  <send><![CDATA[
    REGISTER sip:lab.example SIP/2.0
    Via: SIP/2.0/UDP [local_ip]:[local_port];branch=[branch]
    CSeq: [cseq] REGISTER
    [authentication]
    Content-Length: 0
  ]]></send>
</scenario>)xml",
                                  "auth.xml");
  const auto& reg = sc.steps.at(0).msg;
  auth::server_options so;
  so.realm = "lab";
  auth::digest_server server(so);
  const auto challenge = auth::format(server.issue().at(0));
  const auto unauthorized = parse("SIP/2.0 401 Unauthorized\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;"
                                  "branch=z9hG4bKx\r\nWWW-Authenticate: " +
                                  challenge + "\r\nContent-Length: 0\r\n\r\n");

  SECTION("without a challenge the call fails, saying why") {
    auto c = make_context();
    c.render(reg, 0);
    CHECK(c.render_error() == "[authentication]: no challenge to answer (a <recv "
                              "response=\"401\" or \"407\" auth=\"true\"> must come first)");
  }
  SECTION("without credentials the call fails, saying where they come from") {
    auto c = make_context();
    c.on_received(unauthorized, false, true);
    c.render(reg, 0);
    CHECK(c.render_error() == "[authentication]: no credentials (give them in the device "
                              "profile's [auth] or in SIPWRIGHT_AUTH_USER and "
                              "SIPWRIGHT_AUTH_PASSWORD)");
  }
  SECTION("a challenge received without auth=\"true\" is not kept") {
    auto env = make_context().env();
    env.credentials = auth::credentials{"bob", "secret", ""};
    call_context c(env, 1, "1@h");
    c.on_received(unauthorized, false, false);
    c.render(reg, 0);
    CHECK(!c.render_error().empty());
  }
  SECTION("the Authorization verifies at the server that challenged, nc counting up") {
    auto env = make_context().env();
    env.credentials = auth::credentials{"bob", "secret", ""};
    call_context c(env, 1, "1@h");
    c.on_received(unauthorized, false, true);
    const std::vector<auth::credentials> accounts{{"bob", "secret", "lab"}};
    for (const char* nc : {"nc=00000001", "nc=00000002"}) {
      const auto bytes = c.render(reg, 0);
      REQUIRE(c.render_error().empty());
      CHECK(bytes.find("\r\nAuthorization: Digest username=\"bob\", realm=\"lab\"") !=
            std::string::npos);
      CHECK(bytes.find(nc) != std::string::npos);
      const auto v = server.verify(parse(bytes), accounts);
      CHECK(v.reason == "");
      CHECK(v.ok());
    }
  }
}

TEST_CASE("[challenge] writes fresh digest challenges fitting the response it is in "
          "[engine][keywords][rfc3261][22.1][22.3]") {
  auto sc = scenario::load_string(R"xml(<scenario>
  <send><![CDATA[
    SIP/2.0 407 Proxy Authentication Required
    Via: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bKa
    [challenge]
    Content-Length: 0
  ]]></send>
  <send><![CDATA[
    SIP/2.0 401 Unauthorized
    Via: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bKa
    [challenge]
    Content-Length: 0
  ]]></send>
  <send><![CDATA[
    SIP/2.0 200 OK
    Via: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bKa
    [challenge]
    Content-Length: 0
  ]]></send>
</scenario>)xml",
                                  "challenge.xml");
  auto c = make_context();
  const auto proxy = parse(c.render(sc.steps.at(0).msg, 0));
  REQUIRE(c.render_error().empty());
  const auto offered = auth::parse_challenges(proxy);
  CHECK(offered.ok());
  REQUIRE(offered.challenges.size() == 2); // SHA-256 first, MD5 for older devices (RFC 8760)
  CHECK(offered.challenges[0].proxy);
  CHECK(offered.challenges[0].algorithm == auth::digest_algorithm::sha256);
  CHECK(offered.challenges[1].algorithm == auth::digest_algorithm::md5);
  CHECK(offered.challenges[0].realm == "sipwright");
  CHECK(offered.challenges[0].qop_options == std::vector<std::string>{"auth"});
  CHECK(offered.challenges[0].nonce != offered.challenges[1].nonce);
  const auto www = auth::parse_challenges(parse(c.render(sc.steps.at(1).msg, 1)));
  REQUIRE(www.challenges.size() == 2);
  CHECK(!www.challenges[0].proxy);
  CHECK(www.challenges[0].nonce != offered.challenges[0].nonce); // fresh for each response
  c.render(sc.steps.at(2).msg, 2);
  CHECK(c.render_error() == "[challenge] belongs in a 401 or a 407 response");
}
