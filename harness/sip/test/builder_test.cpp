// The builder writes canonical messages (RFC 3261 7: CRLF; 20.14: Content-Length).
#include "sipwright/sip/builder.hpp"

#include <catch2/catch.hpp>

using sipwright::sip::message_builder;

TEST_CASE("a built request is canonical with Content-Length computed", "[builder]") {
  auto s = message_builder::request("INVITE", "sip:bob@example.com")
               .header("Via", "SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1")
               .header("Content-Length", "999") // ignored: always computed
               .body("application/sdp", "v=0\r\n")
               .str();
  CHECK(s == "INVITE sip:bob@example.com SIP/2.0\r\n"
             "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n"
             "Content-Type: application/sdp\r\n"
             "Content-Length: 5\r\n"
             "\r\n"
             "v=0\r\n");
}

TEST_CASE("a built response has no body unless given one", "[builder]") {
  auto s =
      message_builder::response(380, "Alternative Service").header("To", "<sip:a@b>;tag=1").str();
  CHECK(s == "SIP/2.0 380 Alternative Service\r\nTo: <sip:a@b>;tag=1\r\nContent-Length: 0\r\n\r\n");
}
