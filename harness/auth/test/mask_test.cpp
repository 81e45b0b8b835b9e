// Masking secrets for reports, and the ACK's credentials against its INVITE's (RFC 3261 22.1,
// 13.2.2.4).
#include "sipwright/auth/mask.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace auth = sipwright::auth;

TEST_CASE("Masking: the response value of Authorization and Proxy-Authorization, byte-exact",
          "[auth][mask]") {
  struct row {
    std::string in, out;
  };
  const std::vector<row> rows = {
      // quoted; the other parameters and the line end are kept
      {"Authorization: Digest username=\"bob\", realm=\"biloxi.com\", nonce=\"n\", "
       "uri=\"sip:bob@biloxi.com\", response=\"6629fae49393a05397450978507c4ef1\", qop=auth\r\n",
       "Authorization: Digest username=\"bob\", realm=\"biloxi.com\", nonce=\"n\", "
       "uri=\"sip:bob@biloxi.com\", response=\"***\", qop=auth\r\n"},
      // unquoted, odd case and spacing, no CR, last parameter
      {"proxy-authorization :Digest RESPONSE = 6629fae4,nc=00000001\n",
       "proxy-authorization :Digest RESPONSE = ***,nc=00000001\n"},
      {"Proxy-Authorization: Digest realm=\"r\",response=abc",
       "Proxy-Authorization: Digest realm=\"r\",response=***"},
      // an escaped quote inside the value, a comma inside another quoted value
      {"Authorization: Digest realm=\"a, response=\\\"x\", response=\"a\\\"b\"\r\n",
       "Authorization: Digest realm=\"a, response=\\\"x\", response=\"***\"\r\n"},
      // folded over lines
      {"Authorization: Digest username=\"bob\",\r\n  response=\r\n   \"abcdef\",\r\n  "
       "nc=00000001\r\n"
       "To: <sip:bob@biloxi.com>\r\n",
       "Authorization: Digest username=\"bob\",\r\n  response=\r\n   \"***\",\r\n  nc=00000001\r\n"
       "To: <sip:bob@biloxi.com>\r\n"},
      // AKA resynchronisation token (RFC 3310)
      {"Authorization: Digest username=\"u\", response=\"\", auts=\"CjkyMzRmM2Y=\"\r\n",
       "Authorization: Digest username=\"u\", response=\"\", auts=\"***\"\r\n"},
      // unterminated quoted value: masked to the line end
      {"Authorization: Digest response=\"abc\r\n", "Authorization: Digest response=\"***\r\n"},
      // other schemes: Basic carries the password, Bearer a token
      {"Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\n", "Authorization: Basic ***\r\n"},
      {"Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.x \r\n", "Authorization: Bearer *** \r\n"},
      {"Authorization: Digest username=\"a\", response=\"r1\", Basic QWxh\r\n",
       "Authorization: Digest username=\"a\", response=\"***\", Basic ***\r\n"},
      // not these headers: untouched
      {"WWW-Authenticate: Digest realm=\"r\", response=\"x\"\r\n",
       "WWW-Authenticate: Digest realm=\"r\", response=\"x\"\r\n"},
      {"X-Authorization: Digest response=\"x\"\r\n", "X-Authorization: Digest response=\"x\"\r\n"},
      {" Authorization: Digest response=\"x\"\r\n", " Authorization: Digest response=\"x\"\r\n"},
      {"Authorization: Digest xresponse=\"x\", response_=\"y\"\r\n",
       "Authorization: Digest xresponse=\"x\", response_=\"y\"\r\n"},
      {"", ""},
      {"\r\n\r\n", "\r\n\r\n"},
      {"Authorization:", "Authorization:"},
  };
  for (const auto& r : rows) {
    INFO(r.in);
    CHECK(auth::mask_credentials(r.in) == r.out);
  }
}

TEST_CASE("Masking a whole message and a sipfrag body, everything else byte-exact",
          "[auth][mask]") {
  const std::string in = "INVITE sip:bob@biloxi.com SIP/2.0\r\n"
                         "Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds\r\n"
                         "Authorization: Digest username=\"alice\", realm=\"atlanta.com\",\r\n"
                         " nonce=\"84a4cc6f3082121f32b42a2187831a9e\",\r\n"
                         " response=\"7587245234b3434cc3412213e5f113a5432\"\r\n"
                         "Proxy-Authorization: Digest username=\"alice\", response=\"42ce3cef\"\r\n"
                         "Content-Type: message/sipfrag\r\n"
                         "Content-Length: 64\r\n"
                         "\r\n"
                         "SIP/2.0 200 OK\r\n"
                         "Authorization: Digest response=\"deadbeef\"\r\n";
  const std::string out = "INVITE sip:bob@biloxi.com SIP/2.0\r\n"
                          "Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds\r\n"
                          "Authorization: Digest username=\"alice\", realm=\"atlanta.com\",\r\n"
                          " nonce=\"84a4cc6f3082121f32b42a2187831a9e\",\r\n"
                          " response=\"***\"\r\n"
                          "Proxy-Authorization: Digest username=\"alice\", response=\"***\"\r\n"
                          "Content-Type: message/sipfrag\r\n"
                          "Content-Length: 64\r\n"
                          "\r\n"
                          "SIP/2.0 200 OK\r\n"
                          "Authorization: Digest response=\"***\"\r\n";
  CHECK(auth::mask_credentials(in) == out);
  CHECK(auth::mask_credentials(out) == out); // idempotent
  // Hostile text: no crash, the same length or shorter where values were masked.
  std::string noise(64 * 1024, '"');
  noise.insert(0, "Authorization: Digest response=");
  CHECK(auth::mask_credentials(noise).size() <= noise.size());
}

namespace {

const std::string creds = "Digest username=\"alice\", realm=\"atlanta.com\", nonce=\"n1\", "
                          "uri=\"sip:bob@biloxi.com\", response=\"abc\", qop=auth, nc=00000001, "
                          "cnonce=\"c1\", algorithm=MD5";

} // namespace

TEST_CASE("ACK credentials equal the INVITE's by meaning [RFC 3261 13.2.2.4] [RFC 3261 22.1]",
          "[auth][mask][rfc3261-13.2.2.4][rfc3261-22.1]") {
  const auto invite = auth_test::request(
      "INVITE", "sip:bob@biloxi.com",
      {{"Authorization", creds}, {"Proxy-Authorization", "Digest realm=\"p\", response=\"x\""}});
  // Reordered, requoted, other case and spacing: the same credentials.
  const auto same = auth_test::request(
      "ACK", "sip:bob@biloxi.com",
      {{"proxy-authorization", "digest  RESPONSE=x,realm=p"},
       {"Authorization", "Digest algorithm=md5, cnonce=c1, nc=00000001, qop=\"auth\", "
                         "response=\"abc\", uri=\"sip:bob@biloxi.com\", nonce=\"n1\", "
                         "realm=\"atlanta.com\", username=\"alice\""}});
  CHECK(auth::same_credentials(invite, same).same);

  const auto missing = auth_test::request("ACK", "sip:bob@biloxi.com", {{"Authorization", creds}});
  auto r = auth::same_credentials(invite, missing);
  CHECK_FALSE(r.same);
  CHECK(r.reason == "the ACK carries 0 Proxy-Authorization values, the INVITE 1 (RFC 3261 "
                    "13.2.2.4: the ACK MUST contain the same credentials as the INVITE)");

  // A recomputed response (e.g. for method ACK) and a new nc: named, the values not shown.
  std::string recomputed = creds;
  recomputed.replace(recomputed.find("abc"), 3, "def");
  recomputed.replace(recomputed.find("00000001"), 8, "00000002");
  const auto changed =
      auth_test::request("ACK", "sip:bob@biloxi.com",
                         {{"Authorization", recomputed},
                          {"Proxy-Authorization", "Digest realm=\"p\", response=\"x\""}});
  r = auth::same_credentials(invite, changed, auth::ack_kind::for_non_2xx);
  CHECK_FALSE(r.same);
  CHECK(r.reason == "the ACK's Authorization differs from the INVITE's in nc, response (RFC 3261 "
                    "22.1: the ACK duplicates the INVITE's Authorization and Proxy-Authorization "
                    "values)");
  CHECK(r.reason.find("def") == std::string::npos);

  // Neither carries credentials: nothing to repeat.
  const auto bare_invite = auth_test::request("INVITE", "sip:bob@biloxi.com", {});
  const auto bare_ack = auth_test::request("ACK", "sip:bob@biloxi.com", {});
  CHECK(auth::same_credentials(bare_invite, bare_ack).same);
  r = auth::same_credentials(bare_invite, missing);
  CHECK_FALSE(r.same);
  CHECK(r.reason == "the ACK carries 1 Authorization value, the INVITE 0 (RFC 3261 13.2.2.4: the "
                    "ACK MUST contain the same credentials as the INVITE)");

  // Unparsable values compare as text.
  const auto odd_invite =
      auth_test::request("INVITE", "sip:bob@biloxi.com", {{"Authorization", "Digest \"x"}});
  const auto odd_ack =
      auth_test::request("ACK", "sip:bob@biloxi.com", {{"Authorization", "Digest \"x"}});
  CHECK(auth::same_credentials(odd_invite, odd_ack).same);
  const auto odd_other =
      auth_test::request("ACK", "sip:bob@biloxi.com", {{"Authorization", "Digest \"y"}});
  CHECK(auth::same_credentials(odd_invite, odd_other).reason ==
        "the ACK's Authorization differs from the INVITE's in its text (RFC 3261 13.2.2.4: the "
        "ACK MUST contain the same credentials as the INVITE)");
}
