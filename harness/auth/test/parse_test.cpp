// Reading challenges and credentials, tolerantly, and writing them (RFC 3261 22, 25.1;
// RFC 7235 2.1, 4.1; RFC 7616 3.3, 3.4).
#include "sipwright/auth/digest.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace auth = sipwright::auth;
using auth::digest_algorithm;

TEST_CASE("The RFC 3261 22.2 challenge, folded over lines [RFC 3261 22.2]",
          "[auth][parse][rfc3261-22.2]") {
  const auto m = auth_test::parse("SIP/2.0 401 Unauthorized\r\n"
                                  "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK776asdhds\r\n"
                                  "To: <sip:bob@biloxi.com>;tag=a6c85cf\r\n"
                                  "From: <sip:alice@atlanta.com>;tag=1928301774\r\n"
                                  "Call-ID: a84b4c76e66710\r\n"
                                  "CSeq: 1 INVITE\r\n"
                                  "WWW-Authenticate: Digest\r\n"
                                  "        realm=\"biloxi.com\",\r\n"
                                  "        qop=\"auth,auth-int\",\r\n"
                                  "        nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\",\r\n"
                                  "        opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"\r\n"
                                  "Content-Length: 0\r\n\r\n");
  const auto r = auth::parse_challenges(m);
  CHECK(r.ok());
  REQUIRE(r.challenges.size() == 1);
  const auto& c = r.challenges[0];
  CHECK(c.is_digest());
  CHECK_FALSE(c.proxy);
  CHECK(c.realm == "biloxi.com");
  CHECK(c.nonce == "dcd98b7102dd2f0e8b11d0f600bfb0c093");
  CHECK(c.opaque == "5ccc069c403ebaf9f0171e9517f40e41");
  CHECK(c.qop_options == std::vector<std::string>{"auth", "auth-int"});
  CHECK(c.algorithm == digest_algorithm::md5); // absent: MD5 (RFC 7616 3.3)
  CHECK(c.algorithm_text.empty());
  CHECK(c.notes.empty());
  CHECK_FALSE(auth::unanswerable(c));
}

TEST_CASE("Commas and escaped quotes inside quoted strings [RFC 3261 25.1] [RFC 7235 2.1]",
          "[auth][parse]") {
  const auto r = auth::parse_challenges(
      R"(Digest realm="a, b \"c\"", domain="sip:a.example.com sip:b.example.com", )"
      R"(nonce="x,y", opaque="\\", qop="auth")");
  CHECK(r.ok());
  REQUIRE(r.challenges.size() == 1);
  const auto& c = r.challenges[0];
  CHECK(c.realm == "a, b \"c\"");
  CHECK(c.domain == std::vector<std::string>{"sip:a.example.com", "sip:b.example.com"});
  CHECK(c.nonce == "x,y");
  CHECK(c.opaque == "\\");
  // Written back, the value reads the same.
  const auto again = auth::parse_challenges(auth::format(c));
  REQUIRE(again.challenges.size() == 1);
  CHECK(again.challenges[0].realm == c.realm);
  CHECK(again.challenges[0].opaque == c.opaque);
}

TEST_CASE("Parameter names and the scheme in any case, extra whitespace [RFC 7235 2.1]",
          "[auth][parse]") {
  const auto r = auth::parse_challenges("  digest   REALM = \"r\" ,NONCE=\"n\"  ,\t"
                                        "Algorithm=sha-512-256-SESS , QOP=\"AUTH\"  ");
  CHECK(r.ok());
  REQUIRE(r.challenges.size() == 1);
  const auto& c = r.challenges[0];
  CHECK(c.scheme == "digest");
  CHECK(c.is_digest());
  CHECK(c.realm == "r");
  CHECK(c.nonce == "n");
  CHECK(c.algorithm == digest_algorithm::sha512_256_sess);
  CHECK(c.algorithm_text == "sha-512-256-SESS");
  CHECK(c.offers(auth::qop::auth));
  CHECK_FALSE(c.offers(auth::qop::auth_int));
}

TEST_CASE("Values without quotes are accepted, with a note [RFC 7616 3.3]", "[auth][parse]") {
  const auto r = auth::parse_challenges(
      "Digest realm=biloxi.com, nonce=abc/def+==, qop=auth, algorithm=\"SHA-256\", stale=TRUE");
  CHECK(r.ok());
  REQUIRE(r.challenges.size() == 1);
  const auto& c = r.challenges[0];
  CHECK(c.realm == "biloxi.com");
  CHECK(c.nonce == "abc/def+==");
  CHECK(c.qop_options == std::vector<std::string>{"auth"});
  CHECK(c.algorithm == digest_algorithm::sha256);
  CHECK(c.stale);
  CHECK(c.notes ==
        std::vector<std::string>{
            "the value of nonce is not a token and is not quoted (RFC 3261 25.1 auth-param)",
            "realm is not a quoted-string (RFC 7616 3.3: senders quote it)",
            "nonce is not a quoted-string (RFC 7616 3.3: senders quote it)",
            "qop is not a quoted-string (RFC 7616 3.3: senders quote it)",
            "algorithm is a quoted-string (RFC 7616 3.3: senders do not quote it)",
        });
}

TEST_CASE("Several challenges in one header and in several headers [RFC 7235 4.1] [RFC 8760 2.3]",
          "[auth][parse][rfc8760]") {
  const auto one =
      auth::parse_challenges(R"(Digest realm="a", nonce="1", algorithm=SHA-512-256, qop="auth", )"
                             R"(Digest realm="a", nonce="2", algorithm=SHA-256, qop="auth",)"
                             R"(Digest realm="a", nonce="3", algorithm=MD5, qop="auth")",
                             true);
  CHECK(one.ok());
  REQUIRE(one.challenges.size() == 3);
  CHECK(one.challenges[0].nonce == "1");
  CHECK(one.challenges[1].algorithm == digest_algorithm::sha256);
  CHECK(one.challenges[2].nonce == "3");
  CHECK(one.challenges[2].proxy);

  // The RFC 7235 4.1 example: other schemes, one with a quoted-pair, are read and kept.
  const auto mixed = auth::parse_challenges(
      R"(Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple")");
  CHECK(mixed.ok());
  REQUIRE(mixed.challenges.size() == 2);
  CHECK(mixed.challenges[0].scheme == "Newauth");
  CHECK(mixed.challenges[0].params.size() == 3);
  CHECK(mixed.challenges[0].params[2].value == "Login to \"apps\"");
  CHECK(mixed.challenges[1].scheme == "Basic");
  CHECK(auth::choose_challenge(mixed.challenges) == nullptr);

  const auto m = auth_test::response(
      407, "Proxy Authentication Required",
      {{"Proxy-Authenticate", R"(Digest realm="p1", nonce="a", qop="auth")"},
       {"WWW-Authenticate", R"(Digest realm="u", nonce="b", qop="auth", algorithm=SHA-256)"},
       {"proxy-authenticate", R"(Digest realm="p2", nonce="c", qop="auth")"}});
  const auto all = auth::parse_challenges(m);
  CHECK(all.ok());
  REQUIRE(all.challenges.size() == 3);
  CHECK(all.challenges[0].proxy);
  CHECK(all.challenges[0].realm == "p1");
  CHECK_FALSE(all.challenges[1].proxy);
  CHECK(all.challenges[2].proxy);
  CHECK(all.challenges[2].header_name() == "Proxy-Authenticate");
}

TEST_CASE("Unknown parameters and algorithms are kept, not fatal [RFC 7616 3.3] [RFC 8760 2.4]",
          "[auth][parse]") {
  const auto r = auth::parse_challenges(
      R"(Digest realm="r", nonce="n", algorithm=SHA-1024, qop="auth", x-vendor="1", )"
      R"(userhash=true, charset=UTF-8, stale=false)");
  CHECK(r.ok());
  REQUIRE(r.challenges.size() == 1);
  const auto& c = r.challenges[0];
  CHECK(c.algorithm == digest_algorithm::unknown);
  CHECK(c.algorithm_text == "SHA-1024");
  CHECK(c.userhash);
  CHECK(c.charset == "UTF-8");
  CHECK_FALSE(c.stale);
  REQUIRE(c.params.size() == 8);
  CHECK(c.params[4].name == "x-vendor");
  CHECK(c.params[4].value == "1");
  REQUIRE(auth::unanswerable(c));
  CHECK(auth::unanswerable(c)->text == "WWW-Authenticate algorithm \"SHA-1024\" is not "
                                       "implemented; such a challenge is ignored (RFC 8760 2.4)");
}

TEST_CASE("A repeated parameter: the first counts, with a note [RFC 7235 2.1]", "[auth][parse]") {
  const auto r = auth::parse_challenges(R"(Digest realm="a", nonce="1", realm="b")");
  CHECK(r.ok());
  REQUIRE(r.challenges.size() == 1);
  CHECK(r.challenges[0].realm == "a");
  CHECK(r.challenges[0].notes ==
        std::vector<std::string>{"parameter realm appears more than once; the first is used "
                                 "(RFC 7235 2.1)"});
}

TEST_CASE("Garbage gives error values, never an exception [RFC 3261 25.1]", "[auth][parse]") {
  struct bad_case {
    std::string value;
    std::string error;
    std::size_t offset;
  };
  const std::vector<bad_case> cases = {
      {"", "WWW-Authenticate: empty value (RFC 3261 25.1)", 0},
      {" , ,", "WWW-Authenticate: empty value (RFC 3261 25.1)", 0},
      {"===",
       "WWW-Authenticate: expected an auth-scheme or a parameter name, saw \"===\" (RFC "
       "3261 25.1, RFC 7235 2.1)",
       0},
      {R"(realm="x")",
       "WWW-Authenticate: parameter \"realm\" comes before any auth-scheme (RFC "
       "3261 25.1, RFC 7235 2.1)",
       0},
      {R"(Digest realm="x)",
       "WWW-Authenticate: unterminated quoted-string in the value of "
       "\"realm\" (RFC 3261 25.1)",
       13},
      {R"(Digest realm="x"junk, nonce="1")",
       "WWW-Authenticate: unexpected \"junk\" after the "
       "quoted value of \"realm\" (RFC 3261 25.1)",
       16},
      {"Digest\x01realm",
       "WWW-Authenticate: unexpected \"\\x01realm\" after the auth-scheme "
       "\"Digest\" (RFC 3261 25.1)",
       6},
      {"Digest @@@",
       "WWW-Authenticate: expected an auth-param (name=value) or a token68 after "
       "the auth-scheme, saw \"@@@\" (RFC 3261 25.1, RFC 7235 2.1)",
       7},
  };
  for (const auto& c : cases) {
    INFO(c.value);
    const auto r = auth::parse_challenges(c.value);
    CHECK(r.challenges.empty());
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].code == auth::error_code::syntax);
    CHECK(r.errors[0].text == c.error);
    CHECK(r.errors[0].offset == c.offset);
  }
}

TEST_CASE("A bad challenge does not spoil its neighbours [RFC 3261 22.3]", "[auth][parse]") {
  const auto r = auth::parse_challenges(
      R"(Digest realm="a", nonce="1", =bad, Digest realm="b", nonce="2", qop="auth")");
  CHECK_FALSE(r.ok());
  REQUIRE(r.errors.size() == 1);
  REQUIRE(r.challenges.size() == 1);
  CHECK(r.challenges[0].realm == "b");

  // In a message the offset counts from the message's first byte.
  const std::string bytes = "SIP/2.0 401 Unauthorized\r\n"
                            "WWW-Authenticate: Digest realm=\"a\", nonce=\"1\", qop=\"auth\"\r\n"
                            "WWW-Authenticate: ???\r\n"
                            "Content-Length: 0\r\n\r\n";
  const auto m = auth_test::parse(bytes);
  const auto all = auth::parse_challenges(m);
  REQUIRE(all.challenges.size() == 1);
  REQUIRE(all.errors.size() == 1);
  CHECK(all.errors[0].offset == bytes.find("???"));
}

TEST_CASE("64 KB hostile header values: no crash, bounded results [RFC 3261 25.1]",
          "[auth][parse]") {
  // Each byte is visited a bounded number of times (at most 64 challenges of 64 parameters and
  // 8 errors are kept), so the time is linear in the size.
  constexpr std::size_t size = 64 * 1024;
  std::vector<std::string> values;
  auto repeat = [](std::string prefix, const std::string& unit) {
    while (prefix.size() < size) prefix += unit;
    return prefix;
  };
  values.push_back(repeat("Digest ", "a=b, "));
  values.push_back(repeat("Digest realm=\"", "x"));
  values.push_back(repeat("Digest realm=\"", "\\\""));
  values.push_back(repeat("", ","));
  values.push_back(repeat("", "Digest realm=\"r\", nonce=\"n\", "));
  values.push_back(repeat("", "= "));
  values.push_back(repeat("Digest ", "<"));
  values.push_back(repeat("Digest nonce=", "\"a\""));
  std::string noise;
  std::uint32_t x = 12345;
  while (noise.size() < size) {
    x = x * 1103515245u + 12345u;
    noise += static_cast<char>(x >> 24);
  }
  values.push_back(noise);
  for (const auto& v : values) {
    INFO(v.substr(0, 20));
    const auto r = auth::parse_challenges(v);
    CHECK(r.challenges.size() <= 64);
    CHECK(r.errors.size() <= 9);
    for (const auto& c : r.challenges) CHECK(c.params.size() <= 64);
    const auto a = auth::parse_authorizations(v);
    CHECK(a.values.size() <= 64);
    CHECK(a.errors.size() <= 9);
    auth::select_challenges(r.challenges);
  }
  const auto many = auth::parse_challenges(values[4]);
  CHECK(many.challenges.size() == 64);
  REQUIRE_FALSE(many.errors.empty());
  CHECK(many.errors.back().text ==
        "WWW-Authenticate: more than 64 challenges or credentials in one value; the rest is "
        "ignored");
}

TEST_CASE("Credentials: the RFC 3261 22.2 Authorization example [RFC 3261 22.2] [RFC 7616 3.4]",
          "[auth][parse][rfc3261-22.2]") {
  const auto r =
      auth::parse_authorizations("Digest username=\"bob\",\r\n"
                                 "        realm=\"biloxi.com\",\r\n"
                                 "        nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\",\r\n"
                                 "        uri=\"sip:bob@biloxi.com\",\r\n"
                                 "        qop=auth,\r\n"
                                 "        nc=00000001,\r\n"
                                 "        cnonce=\"0a4f113b\",\r\n"
                                 "        response=\"6629fae49393a05397450978507c4ef1\",\r\n"
                                 "        opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"");
  CHECK(r.ok());
  REQUIRE(r.values.size() == 1);
  const auto& a = r.values[0];
  CHECK(a.is_digest());
  CHECK(a.username == "bob");
  CHECK(a.realm == "biloxi.com");
  CHECK(a.uri == "sip:bob@biloxi.com");
  CHECK(a.qop_value() == auth::qop::auth);
  CHECK(a.nc == "00000001");
  CHECK(a.cnonce == "0a4f113b");
  CHECK(a.response == "6629fae49393a05397450978507c4ef1");
  CHECK(a.opaque == "5ccc069c403ebaf9f0171e9517f40e41");
  CHECK(a.algorithm == digest_algorithm::md5);
  CHECK(a.notes.empty());

  const auto odd = auth::parse_authorizations(
      R"(Digest username=bob, realm="r", nonce="n", uri=sip:bob@biloxi.com, response="x", )"
      R"(qop="auth", nc="00000001", algorithm="MD5")",
      true);
  REQUIRE(odd.values.size() == 1);
  CHECK(odd.values[0].proxy);
  CHECK(odd.values[0].header_name() == "Proxy-Authorization");
  CHECK(odd.values[0].notes ==
        std::vector<std::string>{
            "the value of uri is not a token and is not quoted (RFC 3261 25.1 auth-param)",
            "username is not a quoted-string (RFC 7616 3.4: senders quote it)",
            "uri is not a quoted-string (RFC 3261 22.4 item 2: senders quote it)",
            "qop is a quoted-string (RFC 7616 3.4: senders do not quote it)",
            "nc is a quoted-string (RFC 7616 3.4: senders do not quote it)",
            "algorithm is a quoted-string (RFC 7616 3.4: senders do not quote it)",
        });

  const auto basic = auth::parse_authorizations("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  REQUIRE(basic.values.size() == 1);
  CHECK(basic.values[0].scheme == "Basic");
  CHECK(basic.values[0].token68 == "QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
}

TEST_CASE("Writing: quoting as RFC 7616 3.3 and 3.4 prescribe [RFC 7616 3.3] [RFC 7616 3.4]",
          "[auth][format]") {
  auth::challenge c;
  c.scheme = "Digest";
  c.realm = "biloxi.com";
  c.nonce = "n\"1";
  c.opaque = "o";
  c.algorithm = digest_algorithm::sha256;
  c.qop_options = {"auth", "auth-int"};
  c.stale = true;
  c.userhash = true;
  CHECK(auth::format(c) == R"(Digest realm="biloxi.com", nonce="n\"1", opaque="o", stale=true, )"
                           R"(algorithm=SHA-256, qop="auth,auth-int", userhash=true)");

  auth::authorization a;
  a.username = "bob";
  a.realm = "biloxi.com";
  a.nonce = "n";
  a.uri = "sip:bob@biloxi.com";
  a.response = "abc";
  a.algorithm = digest_algorithm::md5_sess;
  a.algorithm_text = "md5-sess";
  a.cnonce = "c";
  a.opaque = "";
  a.qop_text = "auth";
  a.nc = "00000001";
  CHECK(auth::format(a) ==
        R"(Digest username="bob", realm="biloxi.com", nonce="n", uri="sip:bob@biloxi.com", )"
        R"(response="abc", algorithm=MD5-sess, cnonce="c", opaque="", qop=auth, nc=00000001)");
  const auto back = auth::parse_authorizations(auth::format(a));
  REQUIRE(back.values.size() == 1);
  CHECK(back.values[0].notes.empty());
  CHECK(back.values[0].opaque == "");
}
