// The harness answering challenges (RFC 3261 22.2, 22.3; RFC 7616 3.4).
#include "sipwright/auth/client.hpp"

#include <catch2/catch.hpp>

#include <set>
#include <string>

namespace auth = sipwright::auth;
using auth::digest_algorithm;

namespace {

// RFC 7616 3.9.1's challenge, with the algorithm given.
auth::challenge rfc7616_challenge(std::string_view algorithm) {
  const auto r = auth::parse_challenges(
      "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=" +
      std::string(algorithm) +
      ", nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
      "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"");
  REQUIRE(r.ok());
  REQUIRE(r.challenges.size() == 1);
  return r.challenges[0];
}

auth::cnonce_source fixed(std::string cnonce) {
  return [cnonce] { return cnonce; };
}

const auth::credentials mufasa{"Mufasa", "Circle of Life", ""};

} // namespace

TEST_CASE("The client reproduces RFC 7616 3.9.1 (MD5, SHA-256) [RFC 7616 3.9.1]",
          "[auth][client][rfc7616-3.9.1]") {
  auth::digest_client client(fixed("f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"));
  auto a = client.answer(rfc7616_challenge("SHA-256"), mufasa, "GET", "/dir/index.html");
  REQUIRE(a.ok());
  CHECK(a.value().header_name() == "Authorization");
  CHECK(auth::format(a.value()) ==
        R"(Digest username="Mufasa", realm="http-auth@example.org", )"
        R"(nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", uri="/dir/index.html", )"
        R"(response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1", )"
        R"(algorithm=SHA-256, cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", )"
        R"(opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS", qop=auth, nc=00000001)");

  auth::digest_client md5(fixed("f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"));
  auto b = md5.answer(rfc7616_challenge("MD5"), mufasa, "GET", "/dir/index.html");
  REQUIRE(b.ok());
  CHECK(b.value().response == "8ca523f5e9506fed4657c9700eebdbec");
  CHECK(b.value().algorithm_text == "MD5");
}

TEST_CASE("nc counts per nonce and restarts with a new nonce [RFC 7616 3.4]",
          "[auth][client][rfc7616-3.4]") {
  int n = 0;
  auth::digest_client client([&n] { return "cn" + std::to_string(++n); });
  auto c1 = rfc7616_challenge("SHA-256");
  auto first = client.answer(c1, mufasa, "REGISTER", "sip:example.org");
  auto second = client.answer(c1, mufasa, "REGISTER", "sip:example.org");
  auto third = client.answer(c1, mufasa, "SUBSCRIBE", "sip:example.org");
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  REQUIRE(third.ok());
  CHECK(first.value().nc == "00000001");
  CHECK(second.value().nc == "00000002");
  CHECK(third.value().nc == "00000003");
  CHECK(first.value().response != second.value().response);
  // One cnonce per nonce, so a -sess session key stays the same (RFC 7616 3.4.2).
  CHECK(first.value().cnonce == "cn1");
  CHECK(third.value().cnonce == "cn1");
  CHECK(client.nonce_count(c1.realm, c1.nonce) == 3);

  auto c2 = c1;
  c2.nonce = "another";
  auto fresh = client.answer(c2, mufasa, "REGISTER", "sip:example.org");
  REQUIRE(fresh.ok());
  CHECK(fresh.value().nc == "00000001");
  CHECK(fresh.value().cnonce == "cn2");
  CHECK(client.answer(c1, mufasa, "REGISTER", "sip:example.org").value().nc == "00000004");

  client.forget(c1.realm);
  CHECK(client.nonce_count(c1.realm, c1.nonce) == 0);
  CHECK(client.answer(c1, mufasa, "REGISTER", "sip:example.org").value().nc == "00000001");

  // The table is bounded: the oldest nonce is forgotten first.
  auth::digest_client small(fixed("c"), 2);
  auto ca = c1, cb = c1, cc = c1;
  ca.nonce = "a";
  cb.nonce = "b";
  cc.nonce = "c";
  (void)small.answer(ca, mufasa, "INVITE", "sip:x");
  (void)small.answer(cb, mufasa, "INVITE", "sip:x");
  (void)small.answer(cc, mufasa, "INVITE", "sip:x");
  CHECK(small.nonce_count(c1.realm, "a") == 0);
  CHECK(small.nonce_count(c1.realm, "b") == 1);
  CHECK(small.nonce_count(c1.realm, "c") == 1);
}

TEST_CASE("Without qop in the challenge: the RFC 2069 form, no cnonce, no nc [RFC 3261 22.4]",
          "[auth][client][rfc3261-22.4]") {
  const auto r = auth::parse_challenges(
      R"(Digest realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093")");
  REQUIRE(r.challenges.size() == 1);
  auth::digest_client client(fixed("unused"));
  auto a =
      client.answer(r.challenges[0], {"Mufasa", "Circle Of Life", ""}, "GET", "/dir/index.html");
  REQUIRE(a.ok());
  CHECK(auth::format(a.value()) ==
        R"(Digest username="Mufasa", realm="testrealm@host.com", )"
        R"(nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", )"
        R"(response="670fd8c2df070c60b045671b8b24ff02")");
}

TEST_CASE("auth-int when it is the only qop offered: the body is hashed [RFC 7616 3.4.3]",
          "[auth][client][rfc7616-3.4.3]") {
  auto c = rfc7616_challenge("SHA-256");
  c.qop_options = {"auth-int"};
  auth::digest_client client(fixed("f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"));
  auto a = client.answer(c, mufasa, "GET", "/dir/index.html", "v=0");
  REQUIRE(a.ok());
  CHECK(a.value().qop_text == "auth-int");
  // The value of the auth-int vector in auth_test.cpp (openssl dgst -sha256).
  CHECK(a.value().response == "b3a4a0111e74e28223bac4af55ade12af037f6c8a019923135a0dca0d384407f");
  // When both are offered, auth is used.
  auto both = rfc7616_challenge("SHA-256");
  CHECK(client.answer(both, mufasa, "GET", "/", "v=0").value().qop_text == "auth");
}

TEST_CASE("SHA-512-256 and session (-sess) answers [RFC 7616 3.4.2] [RFC 8760 2.2]",
          "[auth][client][rfc8760]") {
  auth::digest_client client(fixed("f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"));
  auto a = client.answer(rfc7616_challenge("SHA-512-256-sess"), mufasa, "GET", "/dir/index.html");
  REQUIRE(a.ok());
  // The value of the -sess vector in auth_test.cpp (openssl dgst -sha512-256).
  CHECK(a.value().response == "3f2a34f923c38b0fb26dce2fdfc2ce326c23cecf86fbb1444f3e51fbbc2cb92e");
  CHECK(a.value().algorithm_text == "SHA-512-256-sess");
}

TEST_CASE("userhash: the username is H(username:realm) [RFC 7616 3.4.4]",
          "[auth][client][rfc7616-3.4.4]") {
  auto c = rfc7616_challenge("SHA-512-256");
  c.realm = "api@example.org";
  c.userhash = true;
  auth::digest_client client(fixed("x"));
  auto a = client.answer(c, {"J\xc3\xa4s\xc3\xb8n Doe", "Secret, or not?", ""}, "GET", "/doe.json");
  REQUIRE(a.ok());
  CHECK(a.value().userhash);
  CHECK(a.value().username == "793263caabb707a56211940d90411ea4a575adeccb7e360aeb624ed06ece9b0b");
  CHECK(auth::format(a.value()).ends_with(", userhash=true"));
}

TEST_CASE("A 407 is answered in Proxy-Authorization [RFC 3261 22.3]",
          "[auth][client][rfc3261-22.3]") {
  auto c = rfc7616_challenge("SHA-256");
  c.proxy = true;
  auth::digest_client client(fixed("x"));
  auto a = client.answer(c, mufasa, "INVITE", "sip:bob@biloxi.example.com");
  REQUIRE(a.ok());
  CHECK(a.value().proxy);
  CHECK(a.value().header_name() == "Proxy-Authorization");
  CHECK(a.value().uri == "sip:bob@biloxi.example.com");
}

TEST_CASE("Errors as values: other realm, unanswerable challenge [RFC 3261 22.1]",
          "[auth][client][rfc3261-22.1]") {
  auth::digest_client client(fixed("x"));
  auto wrong =
      client.answer(rfc7616_challenge("SHA-256"), {"Mufasa", "pw", "biloxi.com"}, "GET", "/");
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.err().code == auth::error_code::realm_mismatch);
  CHECK(wrong.err().text == "the credentials of \"Mufasa\" are for realm \"biloxi.com\", the "
                            "challenge is for \"http-auth@example.org\" (RFC 3261 22.1)");

  auto unknown = client.answer(rfc7616_challenge("SHA-3"), mufasa, "GET", "/");
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.err().code == auth::error_code::unsupported_algorithm);
  CHECK(client.nonce_count("http-auth@example.org",
                           "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v") == 0);
}

TEST_CASE("The default cnonce comes from the CSPRNG: 32 hex digits, never repeated",
          "[auth][client]") {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const auto c = auth::random_cnonce();
    CHECK(c.size() == 32);
    CHECK(c.find_first_not_of("0123456789abcdef") == std::string::npos);
    seen.insert(c);
  }
  CHECK(seen.size() == 100);
}
