// The device as registrar (RFC 3261 10.3): the bindings in its 200 to REGISTER, Min-Expires in a
// 423.
#include "support.hpp"

#include <catch2/catch.hpp>

using namespace sipwright;
using namespace sipwright::checks;
using namespace sipwright::checks::test;

namespace {

std::string reg(std::string_view contact_and_expires) {
  return crlf("REGISTER sip:lab.example SIP/2.0\n"
              "Via: SIP/2.0/UDP 192.0.2.5:5070;branch=z9hG4bKr1\n"
              "Max-Forwards: 70\n"
              "To: <sip:bob@lab.example>\n"
              "From: <sip:bob@lab.example>;tag=b1\n"
              "Call-ID: r1@192.0.2.5\n"
              "CSeq: 2 REGISTER\n" +
              std::string(contact_and_expires) + "Content-Length: 0\n\n");
}

std::string answer(std::string_view status, std::string_view headers) {
  return crlf("SIP/2.0 " + std::string(status) +
              "\n"
              "Via: SIP/2.0/UDP 192.0.2.5:5070;branch=z9hG4bKr1\n"
              "To: <sip:bob@lab.example>;tag=k9\n"
              "From: <sip:bob@lab.example>;tag=b1\n"
              "Call-ID: r1@192.0.2.5\n"
              "CSeq: 2 REGISTER\n" +
              std::string(headers) + "Content-Length: 0\n\n");
}

feeder registered(const std::string& request, const std::string& response) {
  feeder f(detail::make_register_rules());
  f.at(std::chrono::milliseconds(0)).sent(request);
  f.at(std::chrono::milliseconds(10)).received(response);
  return f;
}

const std::string contact = "Contact: <sip:bob@192.0.2.5:5070;transport=udp>\nExpires: 300\n";

} // namespace

TEST_CASE("reg.bindings: the 200 lists the binding with the expires the registrar chose "
          "(RFC 3261 10.3)",
          "[checks][register][rfc3261]") {
  SECTION("conformant, with another binding of the same AOR and parameters compared by meaning") {
    auto f = registered(reg(contact),
                        answer("200 OK", "Contact: <sip:bob@192.0.2.9>;expires=120, "
                                         "<sip:bob@192.0.2.5:5070;TRANSPORT=UDP>;expires=300\n"));
    CHECK(f.failures().empty());
    CHECK(outcomes(f, rule_id::reg_bindings) == std::vector<outcome>{outcome::pass});
  }
  SECTION("a Contact without expires") {
    auto f = registered(reg(contact),
                        answer("200 OK", "Contact: <sip:bob@192.0.2.5:5070;transport=udp>\n"
                                         "Expires: 300\n"));
    CHECK(describe(the_failure(f)) ==
          "reg.bindings FAIL (RFC 3261 10.3): expected every current binding as a Contact with an "
          "expires parameter, the REGISTER's among them, observed Contact "
          "<sip:bob@192.0.2.5:5070;transport=udp> without expires (msg #1, #2)");
  }
  SECTION("the binding missing (another port), though a transport parameter in one URI only "
          "would not count (RFC 3261 19.1.4)") {
    auto f =
        registered(reg(contact), answer("200 OK", "Contact: <sip:bob@192.0.2.5>;expires=300\n"));
    CHECK(describe(the_failure(f)) ==
          "reg.bindings FAIL (RFC 3261 10.3): expected every current binding as a Contact with an "
          "expires parameter, the REGISTER's among them, observed no binding for "
          "sip:bob@192.0.2.5:5070;transport=udp (msg #1, #2)");
  }
  SECTION("a removal (Expires: 0) expects no binding for it") {
    auto f =
        registered(reg("Contact: <sip:bob@192.0.2.5:5070>\nExpires: 0\n"), answer("200 OK", ""));
    CHECK(f.failures().empty());
    CHECK(outcomes(f, rule_id::reg_bindings) == std::vector<outcome>{outcome::pass});
  }
  SECTION("a removed binding still listed as current") {
    auto f = registered(reg("Contact: <sip:bob@192.0.2.5:5070>\nExpires: 0\n"),
                        answer("200 OK", "Contact: <sip:bob@192.0.2.5:5070>;expires=300\n"));
    CHECK(describe(the_failure(f)) ==
          "reg.bindings FAIL (RFC 3261 10.3): expected every current binding as a Contact with an "
          "expires parameter, the REGISTER's among them, observed Contact "
          "<sip:bob@192.0.2.5:5070>;expires=300 still bound, though the REGISTER removed it "
          "(msg #1, #2)");
  }
  SECTION("Contact: * removes every binding of the AOR; one listed with expires=0 is no binding") {
    auto good = registered(reg("Contact: *\nExpires: 0\n"),
                           answer("200 OK", "Contact: <sip:bob@192.0.2.9>;expires=0\n"));
    CHECK(good.failures().empty());
    auto bad = registered(reg("Contact: *\nExpires: 0\n"),
                          answer("200 OK", "Contact: <sip:bob@192.0.2.9>;expires=60\n"));
    CHECK(describe(the_failure(bad)) ==
          "reg.bindings FAIL (RFC 3261 10.3): expected every current binding as a Contact with an "
          "expires parameter, the REGISTER's among them, observed Contact "
          "<sip:bob@192.0.2.9>;expires=60 still bound, though the REGISTER removed it (msg #1, "
          "#2)");
  }
  SECTION("a challenge is not judged here") {
    auto f =
        registered(reg(contact), answer("401 Unauthorized",
                                        "WWW-Authenticate: Digest realm=\"lab\", nonce=\"n\"\n"));
    CHECK(f.out().all().empty());
  }
}

TEST_CASE("reg.min-expires: a 423 carries Min-Expires (RFC 3261 10.3, 20.23)",
          "[checks][register][rfc3261]") {
  auto good = registered(reg(contact), answer("423 Interval Too Brief", "Min-Expires: 3600\n"));
  CHECK(outcomes(good, rule_id::reg_min_expires) == std::vector<outcome>{outcome::pass});
  auto bad = registered(reg(contact), answer("423 Interval Too Brief", ""));
  CHECK(describe(the_failure(bad)) ==
        "reg.min-expires FAIL (RFC 3261 10.3, 20.23): expected a 423 with Min-Expires, observed "
        "a 423 without Min-Expires (msg #1, #2)");
}
