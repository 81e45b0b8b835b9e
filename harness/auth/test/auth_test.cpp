// The digest arithmetic against published and independently computed vectors (RFC 7616 3.4,
// 3.9.1; RFC 2617 3.5; RFC 8760), algorithm names and choosing among challenges.
#include "sipwright/auth/digest.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace auth = sipwright::auth;
using auth::digest_algorithm;
using auth::qop;

namespace {

// RFC 7616 3.9.1: the inputs of both examples (password "Circle of Life", lowercase "of").
auth::digest_input rfc7616(digest_algorithm a) {
  auth::digest_input in;
  in.algorithm = a;
  in.username = "Mufasa";
  in.realm = "http-auth@example.org";
  in.password = "Circle of Life";
  in.nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
  in.cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
  in.nc = "00000001";
  in.qop_value = qop::auth;
  in.method = "GET";
  in.uri = "/dir/index.html";
  return in;
}

// RFC 2617 3.5: password "Circle Of Life", capital "O".
auth::digest_input rfc2617() {
  auth::digest_input in;
  in.algorithm = digest_algorithm::md5;
  in.username = "Mufasa";
  in.realm = "testrealm@host.com";
  in.password = "Circle Of Life";
  in.nonce = "dcd98b7102dd2f0e8b11d0f600bfb0c093";
  in.cnonce = "0a4f113b";
  in.nc = "00000001";
  in.qop_value = qop::auth;
  in.method = "GET";
  in.uri = "/dir/index.html";
  return in;
}

auth::challenge digest(std::string realm, digest_algorithm a, bool proxy = false) {
  auth::challenge c;
  c.scheme = "Digest";
  c.proxy = proxy;
  c.realm = std::move(realm);
  c.nonce = "n-" + std::string(auth::to_string(a));
  c.algorithm = a;
  c.algorithm_text = std::string(auth::to_string(a));
  c.qop_options = {"auth"};
  c.params = {{"realm", c.realm, true}, {"nonce", c.nonce, true}};
  return c;
}

} // namespace

TEST_CASE("RFC 7616 3.9.1 example: MD5 and SHA-256 responses for Mufasa [RFC 7616 3.9.1]",
          "[auth][digest][rfc7616-3.9.1]") {
  CHECK(auth::compute_response(rfc7616(digest_algorithm::md5)) ==
        "8ca523f5e9506fed4657c9700eebdbec");
  CHECK(auth::compute_response(rfc7616(digest_algorithm::sha256)) ==
        "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
}

TEST_CASE("RFC 2617 3.5 example: MD5 with qop=auth [RFC 2617 3.5]", "[auth][digest]") {
  CHECK(auth::compute_response(rfc2617()) == "6629fae49393a05397450978507c4ef1");
  auto second = rfc2617();
  second.nc = "00000002"; // computed with openssl dgst -md5 when this test was written
  CHECK(auth::compute_response(second) == "15b6bb427e3fecd23a43cb702ce447d5");
}

TEST_CASE("SHA-512-256 responses match openssl dgst -sha512-256 [RFC 7616 3.4.1] [RFC 8760]",
          "[auth][digest][rfc8760]") {
  // These values were computed with the command line `openssl dgst -sha512-256` (OpenSSL
  // 3.0.19), chaining H(A1), H(A2) and the response by hand, when this test was written; the
  // RFC 7616 3.9.2 SHA-512-256 example is not used because its printed values do not reproduce
  // (a reported erratum).
  CHECK(auth::hash_hex(digest_algorithm::sha512_256, "abc") ==
        "53048e2681941ef99b2e29b76b4c7dabe4c2d0c634fc6d46e0e2f13107e7af23");
  CHECK(auth::hash_hex(digest_algorithm::sha512_256, "") ==
        "c672b8d1ef56ed28ab87c3622c5114069bdd3ad7b8f9737498d0c01ecef0967a");
  CHECK(auth::compute_response(rfc7616(digest_algorithm::sha512_256)) ==
        "430d05014cecc49cab6fbe03176d41a1da86cbfe24a16580e22aaad928d960d0");
}

TEST_CASE("Session variants (-sess) hash the nonce and cnonce into H(A1) [RFC 7616 3.4.2]",
          "[auth][digest][rfc7616-3.4.2]") {
  // Computed with openssl dgst -md5 / -sha256 / -sha512-256 when this test was written.
  CHECK(auth::compute_response(rfc7616(digest_algorithm::md5_sess)) ==
        "e783283f46242139c486a698fec7211d");
  CHECK(auth::compute_response(rfc7616(digest_algorithm::sha256_sess)) ==
        "2fd51b3a77ad75bad6afad6003e818d767133c46d9e2749e7f5232ae1ea3efd7");
  CHECK(auth::compute_response(rfc7616(digest_algorithm::sha512_256_sess)) ==
        "3f2a34f923c38b0fb26dce2fdfc2ce326c23cecf86fbb1444f3e51fbbc2cb92e");
  // A session key kept from an earlier cnonce differs from one with this request's cnonce.
  auto in = rfc7616(digest_algorithm::md5_sess);
  in.session_cnonce = "first";
  CHECK(auth::compute_response(in) != "e783283f46242139c486a698fec7211d");
  in.session_cnonce = in.cnonce;
  CHECK(auth::compute_response(in) == "e783283f46242139c486a698fec7211d");
}

TEST_CASE("auth-int hashes the body into H(A2), an empty body hashes \"\" [RFC 7616 3.4.3] [RFC "
          "3261 22.4]",
          "[auth][digest][rfc7616-3.4.3][rfc3261-22.4]") {
  // Computed with openssl dgst when this test was written; body "v=0".
  const std::vector<std::pair<digest_algorithm, std::string>> cases = {
      {digest_algorithm::md5, "3835b139d1606d821f6f96713d044ded"},
      {digest_algorithm::sha256,
       "b3a4a0111e74e28223bac4af55ade12af037f6c8a019923135a0dca0d384407f"},
      {digest_algorithm::sha512_256,
       "631be824ac300042f70f9fd3050e439eb706f91ec48c3bacb8c102a628f68cd4"},
  };
  for (const auto& [alg, want] : cases) {
    auto in = rfc7616(alg);
    in.qop_value = qop::auth_int;
    in.body = "v=0";
    INFO(auth::to_string(alg));
    CHECK(auth::compute_response(in) == want);
  }
  // RFC 3261 22.4 item 7: H(entity-body) of no body is MD5("") = d41d8cd9...
  CHECK(auth::hash_hex(digest_algorithm::md5, "") == "d41d8cd98f00b204e9800998ecf8427e");
  auto in = rfc2617();
  in.qop_value = qop::auth_int;
  CHECK(auth::compute_response(in) == "5e6610ecf9ba3017a4870ad48e3ad30b");
}

TEST_CASE("Without qop the RFC 2069 form is used [RFC 2617 3.2.2.1] [RFC 3261 22.4]",
          "[auth][digest][rfc3261-22.4]") {
  auto in = rfc2617();
  in.qop_value = qop::none;
  in.cnonce = "";
  in.nc = "";
  CHECK(auth::compute_response(in) == "670fd8c2df070c60b045671b8b24ff02");
  // Computed with openssl dgst when this test was written.
  const std::vector<std::pair<digest_algorithm, std::string>> cases = {
      {digest_algorithm::md5, "7b2cc3b30e75b4777ea31027084363fd"},
      {digest_algorithm::sha256,
       "a1306b0595a6c7fe96c448631fb5cfbd5107bd1fe1da729d978dd7446b812363"},
      {digest_algorithm::sha512_256,
       "93e9122020ea0624d2ca801426d5bfbeb93d10ff4cc24cb410af3920fa4730e7"},
  };
  for (const auto& [alg, want] : cases) {
    auto i = rfc7616(alg);
    i.qop_value = qop::none;
    INFO(auth::to_string(alg));
    CHECK(auth::compute_response(i) == want);
  }
}

TEST_CASE("Hashed username is H(username:realm) [RFC 7616 3.4.4]",
          "[auth][digest][rfc7616-3.4.4]") {
  // The RFC 7616 3.9.2 inputs; value from openssl dgst -sha512-256 (the RFC's printed userhash
  // does not reproduce).
  CHECK(auth::hashed_username(digest_algorithm::sha512_256, "J\xc3\xa4s\xc3\xb8n Doe",
                              "api@example.org") ==
        "793263caabb707a56211940d90411ea4a575adeccb7e360aeb624ed06ece9b0b");
}

TEST_CASE("Algorithm names are read case-insensitively and written as registered [RFC 7616 "
          "6.1]",
          "[auth][digest]") {
  const std::vector<std::pair<std::string, digest_algorithm>> names = {
      {"MD5", digest_algorithm::md5},
      {"md5", digest_algorithm::md5},
      {"MD5-sess", digest_algorithm::md5_sess},
      {"md5-SESS", digest_algorithm::md5_sess},
      {"SHA-256", digest_algorithm::sha256},
      {"sha-256-sess", digest_algorithm::sha256_sess},
      {"SHA-512-256", digest_algorithm::sha512_256},
      {"SHA-512-256-sess", digest_algorithm::sha512_256_sess},
      {"SHA-512", digest_algorithm::unknown},
      {"AKAv1-MD5", digest_algorithm::unknown},
      {"", digest_algorithm::unknown},
  };
  for (const auto& [text, alg] : names) {
    INFO(text);
    CHECK(auth::parse_algorithm(text) == alg);
  }
  CHECK(auth::to_string(digest_algorithm::sha512_256_sess) == "SHA-512-256-sess");
  CHECK(auth::compute_response(rfc7616(digest_algorithm::unknown)).empty());
}

TEST_CASE("Choosing: the strongest algorithm per realm, unknown algorithms ignored [RFC 8760 "
          "2.4] [RFC 8760 3]",
          "[auth][select][rfc8760]") {
  auto unknown = digest("biloxi.example.com", digest_algorithm::unknown);
  unknown.algorithm_text = "SHA-1024";
  std::vector<auth::challenge> cs = {
      digest("biloxi.example.com", digest_algorithm::md5),
      unknown,
      digest("biloxi.example.com", digest_algorithm::sha256),
      digest("biloxi.example.com", digest_algorithm::sha512_256),
      digest("atlanta.example.com", digest_algorithm::md5, true),
  };
  const auto* best = auth::choose_challenge(cs);
  REQUIRE(best != nullptr);
  CHECK(best->algorithm == digest_algorithm::sha512_256);

  auto per_realm = auth::select_challenges(cs);
  REQUIRE(per_realm.size() == 2);
  CHECK(per_realm[0].realm == "biloxi.example.com");
  CHECK(per_realm[0].algorithm == digest_algorithm::sha512_256);
  CHECK(per_realm[1].realm == "atlanta.example.com");
  CHECK(per_realm[1].proxy);

  // RFC 8760 2.4: the topmost supported one, when that is the policy.
  auto topmost = auth::select_challenges(cs, auth::selection::topmost);
  REQUIRE(topmost.size() == 2);
  CHECK(topmost[0].algorithm == digest_algorithm::md5);
  CHECK(auth::choose_challenge(cs, auth::selection::topmost)->algorithm == digest_algorithm::md5);

  // Ties keep the topmost.
  std::vector<auth::challenge> tie = {digest("r", digest_algorithm::sha256_sess),
                                      digest("r", digest_algorithm::sha256)};
  CHECK(auth::choose_challenge(tie)->algorithm == digest_algorithm::sha256_sess);

  // Nothing answerable: only unknown algorithms and other schemes.
  auth::challenge basic;
  basic.scheme = "Basic";
  basic.realm = "r";
  std::vector<auth::challenge> none = {unknown, basic};
  CHECK(auth::choose_challenge(none) == nullptr);
  CHECK(auth::select_challenges(none).empty());
}

TEST_CASE("Unanswerable challenges say why [RFC 3261 22.4] [RFC 7616 3.3]", "[auth][select]") {
  auto c = digest("r", digest_algorithm::md5_sess);
  c.qop_options.clear();
  auto e = auth::unanswerable(c);
  REQUIRE(e);
  CHECK(e->code == auth::error_code::sess_without_qop);
  CHECK(e->text == "WWW-Authenticate algorithm MD5-sess needs a cnonce, which is only sent with "
                   "qop, and the challenge offers no qop (RFC 3261 22.4 item 8)");

  c = digest("r", digest_algorithm::md5);
  c.qop_options = {"auth-conf"};
  e = auth::unanswerable(c);
  REQUIRE(e);
  CHECK(e->code == auth::error_code::unsupported_qop);
  CHECK(e->text ==
        "WWW-Authenticate qop \"auth-conf\" offers neither auth nor auth-int (RFC 7616 3.3)");

  c = digest("r", digest_algorithm::md5);
  c.nonce.clear();
  e = auth::unanswerable(c);
  REQUIRE(e);
  CHECK(e->code == auth::error_code::missing_parameter);
  CHECK(e->text == "WWW-Authenticate has no nonce (RFC 7616 3.3)");

  c = digest("r", digest_algorithm::md5, true);
  c.realm.clear();
  c.params = {{"nonce", c.nonce, true}};
  e = auth::unanswerable(c);
  REQUIRE(e);
  CHECK(e->text == "Proxy-Authenticate has no realm parameter (RFC 7616 3.3, RFC 3261 22.1)");

  c.scheme = "Basic";
  e = auth::unanswerable(c);
  REQUIRE(e);
  CHECK(e->code == auth::error_code::not_digest);

  CHECK_FALSE(auth::unanswerable(digest("r", digest_algorithm::sha512_256_sess)));
}
