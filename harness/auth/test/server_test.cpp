// The harness challenging the device and verifying its credentials (RFC 3261 22.1-22.4;
// RFC 7616 3.3, 3.4; RFC 8760 2.3).
#include "sipwright/auth/client.hpp"
#include "sipwright/auth/server.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

namespace auth = sipwright::auth;
using auth::digest_algorithm;
using auth::verify_status;

namespace {

// Predictable "random" bytes: 0, 1, 2, ...
auth::random_source counter() {
  return [n = 0u](std::span<unsigned char> out) mutable {
    std::generate(out.begin(), out.end(), [&n] { return static_cast<unsigned char>(n++); });
  };
}

const std::vector<auth::credentials> accounts = {
    {"alice", "wonderland", ""},
    {"bob", "builder", "elsewhere"}, // only for another realm
    {"carol", "s3cret", "sipwright"},
};

const std::string uri = "sip:bob@biloxi.example.com";

auth::server_options options(digest_algorithm a = digest_algorithm::sha256) {
  auth::server_options o;
  o.realm = "sipwright";
  o.algorithms = {a};
  return o;
}

// The device's side: answers the challenge as a conformant client would.
auth::authorization answer(const auth::challenge& c, const auth::credentials& who,
                           const std::string& method = "INVITE",
                           const std::string& request_uri = uri, const std::string& body = {}) {
  auth::digest_client client([] { return std::string("0a4f113b"); });
  auto a = client.answer(c, who, method, request_uri, body);
  REQUIRE(a.ok());
  return a.value();
}

auth::verification verify(auth::digest_server& s, const auth::authorization& a,
                          const std::string& method = "INVITE",
                          const std::string& request_uri = uri, const std::string& body = {}) {
  const auto m =
      auth_test::request(method, request_uri, {{a.header_name().data(), auth::format(a)}}, body);
  return s.verify(m, accounts);
}

} // namespace

TEST_CASE("Challenges: realm, fresh nonce and opaque, qop=auth, algorithm, in preference order "
          "[RFC 7616 3.3] [RFC 8760 2.3] [RFC 3261 22.4]",
          "[auth][server][rfc8760]") {
  auto o = options();
  o.algorithms = {digest_algorithm::sha512_256, digest_algorithm::sha256, digest_algorithm::md5};
  auth::digest_server s(o, counter());
  const auto cs = s.issue();
  REQUIRE(cs.size() == 3);
  CHECK(auth::format(cs[0]) ==
        R"(Digest realm="sipwright", nonce="000102030405060708090a0b0c0d0e0f1011121314151617", )"
        R"(opaque="18191a1b1c1d1e1f2021222324252627", algorithm=SHA-512-256, qop="auth")");
  CHECK(cs[1].algorithm == digest_algorithm::sha256);
  CHECK(cs[2].algorithm == digest_algorithm::md5);
  CHECK(cs[0].nonce != cs[1].nonce);
  CHECK_FALSE(cs[0].proxy);
  CHECK(cs[0].header_name() == "WWW-Authenticate");

  auto p = options();
  p.proxy = true;
  p.qop_auth_int = true;
  p.userhash = true;
  auth::digest_server proxy(p, counter());
  const auto stale = proxy.issue(true);
  REQUIRE(stale.size() == 1);
  CHECK(stale[0].header_name() == "Proxy-Authenticate");
  CHECK(auth::format(stale[0]) ==
        R"(Digest realm="sipwright", nonce="000102030405060708090a0b0c0d0e0f1011121314151617", )"
        R"(opaque="18191a1b1c1d1e1f2021222324252627", stale=true, algorithm=SHA-256, )"
        R"(qop="auth,auth-int", userhash=true)");

  // The default source is the CSPRNG: nonces differ between servers.
  auth::digest_server a, b;
  CHECK(a.issue()[0].nonce != b.issue()[0].nonce);
  CHECK(a.issue()[0].nonce.size() == 48);
}

TEST_CASE("Round trip client -> server for every algorithm [RFC 7616 3.4] [RFC 8760 2.2]",
          "[auth][server][client][rfc8760]") {
  for (auto alg : {digest_algorithm::md5, digest_algorithm::md5_sess, digest_algorithm::sha256,
                   digest_algorithm::sha256_sess, digest_algorithm::sha512_256,
                   digest_algorithm::sha512_256_sess}) {
    for (bool auth_int : {false, true}) {
      INFO(auth::to_string(alg) << (auth_int ? " auth-int" : " auth"));
      auto o = options(alg);
      o.qop_auth = !auth_int;
      o.qop_auth_int = auth_int;
      auth::digest_server s(o, counter());
      const auto c = s.issue().at(0);
      const auto a = answer(c, accounts[0], "INVITE", uri, "v=0\r\n");
      CHECK(a.qop_text == (auth_int ? "auth-int" : "auth"));
      const auto v = verify(s, a, "INVITE", uri, "v=0\r\n");
      CHECK(v.status == verify_status::ok);
      CHECK(v.reason.empty());
      CHECK(v.username == "alice");
      CHECK(v.account == "alice");
      if (auth_int) { // auth-int protects the body
        auth::digest_server s2(o, counter());
        const auto a2 = answer(s2.issue().at(0), accounts[0], "INVITE", uri, "v=0\r\n");
        CHECK(verify(s2, a2, "INVITE", uri, "v=1\r\n").status == verify_status::bad_response);
      }
    }
  }
}

TEST_CASE("Round trip with userhash and with a proxy challenge [RFC 7616 3.4.4] [RFC 3261 22.3]",
          "[auth][server][client][rfc7616-3.4.4]") {
  auto o = options(digest_algorithm::sha512_256);
  o.userhash = true;
  o.proxy = true;
  auth::digest_server s(o, counter());
  const auto a = answer(s.issue().at(0), accounts[2]);
  CHECK(a.proxy);
  CHECK(a.username != "carol");
  const auto v = verify(s, a);
  CHECK(v.status == verify_status::ok);
  CHECK(v.account == "carol");
  // A proxy reads Proxy-Authorization only.
  auto plain = a;
  plain.proxy = false;
  const auto w = verify(s, plain);
  CHECK(w.status == verify_status::no_credentials);
  CHECK(w.reason == "the INVITE carries no Proxy-Authorization (RFC 3261 22.3)");
}

TEST_CASE("Verify: every verdict, with its reason [RFC 7616 3.4] [RFC 3261 22]",
          "[auth][server][rfc7616-3.4]") {
  auth::digest_server s(options(), counter());
  const auto c = s.issue().at(0);
  const std::string n = c.nonce;
  const auto good = answer(c, accounts[0]);

  SECTION("no credentials") {
    const auto v = s.verify(auth_test::request("INVITE", uri, {}), accounts);
    CHECK(v.status == verify_status::no_credentials);
    CHECK(v.reason == "the INVITE carries no Authorization (RFC 3261 22.2)");
  }
  SECTION("malformed: unparsable, missing parameter, bad nc") {
    auto v = s.verify(auth_test::request("INVITE", uri, {{"Authorization", "Digest realm=\"x"}}),
                      accounts);
    CHECK(v.status == verify_status::malformed);
    CHECK(v.reason ==
          "Authorization: unterminated quoted-string in the value of \"realm\" (RFC 3261 25.1)");
    auto a = good;
    a.params.clear();
    std::string text = auth::format(a);
    text.replace(text.find("uri="), 4, "url=");
    v = s.verify(auth_test::request("INVITE", uri, {{"Authorization", text}}), accounts);
    CHECK(v.status == verify_status::malformed);
    CHECK(v.reason == "Authorization lacks the uri parameter (RFC 7616 3.4)");
    a = good;
    a.nc = "1";
    v = verify(s, a);
    CHECK(v.status == verify_status::malformed);
    CHECK(v.reason == "Authorization nc \"1\" is not 8 hex digits (RFC 7616 3.4)");
    a = good;
    a.cnonce.clear();
    v = verify(s, a);
    CHECK(v.status == verify_status::malformed);
    CHECK(v.reason == "Authorization has qop=auth but no cnonce (RFC 7616 3.4)");
  }
  SECTION("unsupported scheme") {
    const auto v = s.verify(
        auth_test::request("INVITE", uri, {{"Authorization", "Basic YWxpY2U6d29uZGVybGFuZA=="}}),
        accounts);
    CHECK(v.status == verify_status::unsupported_scheme);
    CHECK(v.reason == "Authorization uses the \"Basic\" scheme (RFC 3261 22: servers MUST NOT "
                      "accept Basic; only Digest is specified)");
  }
  SECTION("wrong realm") {
    auto a = good;
    a.realm = "elsewhere";
    const auto v = verify(s, a);
    CHECK(v.status == verify_status::wrong_realm);
    CHECK(v.reason == "Authorization is for realm \"elsewhere\", the challenge was for "
                      "\"sipwright\" (RFC 3261 22.1: the realm names the protection domain; "
                      "22.3)");
  }
  SECTION("unknown user, including an account for another realm") {
    auto v = verify(s, answer(c, {"mallory", "x", ""}));
    CHECK(v.status == verify_status::unknown_user);
    CHECK(v.reason == "Authorization username \"mallory\" has no account in realm \"sipwright\"");
    CHECK(v.username == "mallory");
    v = verify(s, answer(c, {"bob", "builder", ""}));
    CHECK(v.status == verify_status::unknown_user);
  }
  SECTION("unknown nonce") {
    auto c2 = c;
    c2.nonce = "deadbeef";
    const auto v = verify(s, answer(c2, accounts[0]));
    CHECK(v.status == verify_status::unknown_nonce);
    CHECK(v.reason == "Authorization nonce \"deadbeef\" was not issued by this server, or is long "
                      "forgotten (RFC 7616 3.3)");
  }
  SECTION("stale: an expired nonce with a correct response; a wrong one is a bad response") {
    s.expire(n);
    auto v = verify(s, good);
    CHECK(v.status == verify_status::stale);
    CHECK(v.reason == "Authorization nonce \"" + n +
                          "\" has expired; the response is right, so the new challenge says "
                          "stale=true (RFC 7616 3.3)");
    v = verify(s, answer(c, {"alice", "wrong", ""}));
    CHECK(v.status == verify_status::bad_response);
  }
  SECTION("algorithm mismatch") {
    auto c2 = c;
    c2.algorithm = digest_algorithm::md5;
    c2.algorithm_text = "MD5";
    const auto v = verify(s, answer(c2, accounts[0]));
    CHECK(v.status == verify_status::algorithm_mismatch);
    CHECK(v.reason == "Authorization algorithm \"MD5\", the challenge with this nonce said SHA-256 "
                      "(RFC 7616 3.4)");
    c2.algorithm_text.clear();
    CHECK(verify(s, answer(c2, accounts[0])).reason ==
          "Authorization algorithm absent (MD5), the challenge with this nonce said SHA-256 (RFC "
          "7616 3.4)");
  }
  SECTION("qop missing though offered, or not offered") {
    auto c2 = c;
    c2.qop_options.clear();
    auto v = verify(s, answer(c2, accounts[0]));
    CHECK(v.status == verify_status::qop_mismatch);
    CHECK(v.reason == "Authorization has no qop though the challenge offered it (RFC 3261 22.4 "
                      "item 8: the client MUST send qop)");
    c2.qop_options = {"auth-int"};
    v = verify(s, answer(c2, accounts[0]));
    CHECK(v.status == verify_status::qop_mismatch);
    CHECK(v.reason == "Authorization qop \"auth-int\" was not offered (RFC 7616 3.4)");
  }
  SECTION("opaque changed or dropped") {
    auto a = good;
    a.opaque = "x";
    auto v = verify(s, a);
    CHECK(v.status == verify_status::opaque_mismatch);
    CHECK(v.reason == "Authorization opaque \"x\" differs from the challenge's opaque \"" +
                          *c.opaque + "\" (RFC 7616 3.4)");
    a.opaque.reset();
    v = verify(s, a);
    CHECK(v.status == verify_status::opaque_mismatch);
    CHECK(v.reason ==
          "Authorization lacks the challenge's opaque \"" + *c.opaque + "\" (RFC 7616 3.4)");
  }
  SECTION("bad response: wrong password, or another method") {
    auto v = verify(s, answer(c, {"alice", "guess", ""}));
    CHECK(v.status == verify_status::bad_response);
    CHECK(v.reason == "Authorization response for \"alice\" does not match: wrong password, or "
                      "computed over other values (RFC 7616 3.4.1)");
    v = verify(s, good, "BYE");
    CHECK(v.status == verify_status::bad_response);
  }
  SECTION("uri mismatch with the Request-URI; equal URIs in other case pass") {
    const auto other = answer(c, accounts[0], "INVITE", "sip:carol@biloxi.example.com");
    const auto v = verify(s, other);
    CHECK(v.status == verify_status::uri_mismatch);
    CHECK(v.reason == "Authorization uri \"sip:carol@biloxi.example.com\" is not the Request-URI "
                      "\"sip:bob@biloxi.example.com\" (RFC 7616 3.4.6; RFC 3261 22.4 item 6 "
                      "allows it after a proxy's rewrite)");
    const auto cased = answer(c, accounts[0], "INVITE", "SIP:bob@BILOXI.example.com");
    CHECK(verify(s, cased).status == verify_status::ok);
  }
  SECTION("nc replay; out-of-order values within the window pass") {
    REQUIRE(verify(s, good).ok());
    auto v = verify(s, good);
    CHECK(v.status == verify_status::nc_replay);
    CHECK(v.reason == "Authorization nc 00000001 was already used with this nonce, or is too old "
                      "(highest so far 00000001) (RFC 7616 3.4: the same nc twice is a replay)");
    auth::digest_client client([] { return std::string("c"); });
    std::vector<auth::authorization> a;
    for (int i = 0; i < 70; ++i) a.push_back(client.answer(c, accounts[0], "INVITE", uri).value());
    CHECK(verify(s, a[2]).ok());                               // nc 3
    CHECK(verify(s, a[1]).ok());                               // nc 2, late but unseen
    CHECK(verify(s, a[69]).ok());                              // nc 70
    CHECK(verify(s, a[3]).status == verify_status::nc_replay); // nc 4: below the window
    CHECK(verify(s, a[68]).ok());                              // nc 69
    CHECK(verify(s, a[68]).status == verify_status::nc_replay);
  }
}

TEST_CASE("Nonce lifetime by uses, and the oldest nonces are forgotten [RFC 7616 3.3]",
          "[auth][server]") {
  auto o = options();
  o.max_nonce_uses = 1;
  o.max_nonces = 2;
  auth::digest_server s(o, counter());
  const auto c1 = s.issue().at(0);
  auth::digest_client client([] { return std::string("c"); });
  CHECK(verify(s, client.answer(c1, accounts[0], "INVITE", uri).value()).ok());
  CHECK(verify(s, client.answer(c1, accounts[0], "INVITE", uri).value()).status ==
        verify_status::stale);
  const auto c2 = s.issue().at(0);
  const auto c3 = s.issue().at(0);
  CHECK(verify(s, answer(c1, accounts[0])).status == verify_status::unknown_nonce);
  CHECK(verify(s, answer(c3, accounts[0])).ok());
  s.expire_all();
  CHECK(verify(s, answer(c2, accounts[0])).status == verify_status::stale);
}

TEST_CASE("An ACK with the INVITE's credentials is accepted: same nc, even when stale [RFC 3261 "
          "22.1] [RFC 3261 13.2.2.4]",
          "[auth][server][rfc3261-22.1]") {
  auth::digest_server s(options(), counter());
  const auto c = s.issue().at(0);
  const auto a = answer(c, accounts[0]);
  REQUIRE(verify(s, a).ok());
  CHECK(verify(s, a, "ACK").ok());
  CHECK(verify(s, a, "ACK").ok());
  s.expire_all();
  CHECK(verify(s, a, "ACK").ok());
  // Credentials computed for the ACK method are not the INVITE's.
  CHECK(verify(s, answer(c, accounts[0], "ACK"), "ACK").status == verify_status::bad_response);
  CHECK_FALSE(auth::may_challenge("ACK"));
  CHECK_FALSE(auth::may_challenge("CANCEL"));
  CHECK(auth::may_challenge("BYE"));
}

TEST_CASE("Several credentials: the one for this realm counts [RFC 3261 22.3]",
          "[auth][server][rfc3261-22.3]") {
  auth::digest_server s(options(), counter());
  const auto c = s.issue().at(0);
  auto other = answer(c, accounts[0]);
  other.realm = "elsewhere";
  const auto mine = answer(c, accounts[0]);
  const auto m = auth_test::request(
      "INVITE", uri,
      {{"Authorization", auth::format(other)}, {"Authorization", auth::format(mine)}});
  CHECK(s.verify(m, accounts).ok());
}

TEST_CASE("Session algorithms (-sess): a session key kept from the first cnonce is accepted [RFC "
          "7616 3.4.2]",
          "[auth][server][rfc7616-3.4.2]") {
  auth::digest_server s(options(digest_algorithm::sha256_sess), counter());
  const auto c = s.issue().at(0);
  REQUIRE(verify(s, answer(c, accounts[0])).ok()); // cnonce 0a4f113b, nc 1
  // A second request with a new cnonce whose session key still uses the first one.
  auth::authorization a = answer(c, accounts[0]);
  a.cnonce = "fresh";
  a.nc = "00000002";
  auth::digest_input in;
  in.algorithm = digest_algorithm::sha256_sess;
  in.username = "alice";
  in.realm = "sipwright";
  in.password = "wonderland";
  in.nonce = c.nonce;
  in.cnonce = "fresh";
  in.session_cnonce = "0a4f113b";
  in.nc = "00000002";
  in.qop_value = auth::qop::auth;
  in.method = "INVITE";
  in.uri = uri;
  a.response = auth::compute_response(in);
  CHECK(verify(s, a).ok());
  // And one whose session key uses its own cnonce.
  in.session_cnonce = "";
  in.nc = "00000003";
  a.nc = "00000003";
  a.response = auth::compute_response(in);
  CHECK(verify(s, a).ok());
}

TEST_CASE("uri check can be switched off for requests through rewriting proxies [RFC 3261 22.4]",
          "[auth][server][rfc3261-22.4]") {
  auto o = options();
  o.check_uri = false;
  auth::digest_server s(o, counter());
  const auto a = answer(s.issue().at(0), accounts[0], "INVITE", "sip:bob@proxy.example.com");
  CHECK(verify(s, a).ok());
}

TEST_CASE("Verify names every status", "[auth][server]") {
  CHECK(auth::to_string(verify_status::ok) == "ok");
  CHECK(auth::to_string(verify_status::nc_replay) == "nc-replay");
  CHECK(auth::to_string(verify_status::uri_mismatch) == "uri-mismatch");
}
