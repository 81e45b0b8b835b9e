// The reference device on ::1 over UDP, TCP and TLS, as callee and as caller: the bytes it writes
// carry IPv6 in RFC 5118 form (bracketed in URIs and the Via sent-by) and name the transport.
#include "support.hpp"

#include <catch2/catch.hpp>

namespace sipwright::refdut::test {
namespace {

// The hand-driven peer bound to [::1] over any transport (TLS: a throwaway certificate, and any
// certificate of the device accepted).
transport::options v6(transport::protocol proto) {
  transport::options o;
  o.proto = proto;
  o.local = {"::1", 0};
  o.tls.verify = false;
  return o;
}

std::string line_of(std::string_view msg, std::string_view name) {
  const auto at = msg.find("\r\n" + std::string(name) + ": ");
  if (at == std::string_view::npos) return {};
  return std::string(msg.substr(at + 2, msg.find("\r\n", at + 2) - at - 2));
}

} // namespace

TEST_CASE("refdut on ::1 writes RFC 5118 forms and names the transport, as callee and caller "
          "[RFC 5118] [RFC 3261 26.2]",
          "[refdut][ipv6][tls]") {
  const auto proto =
      GENERATE(transport::protocol::udp, transport::protocol::tcp, transport::protocol::tls);
  const std::string name(transport::lower_name(proto));
  const std::string upper(transport::to_string(proto));
  const std::string param = proto == transport::protocol::udp ? "" : ";transport=" + name;
  INFO(name);
  peer p(v6(proto));
  const std::string peer_at = p.local().str();

  SECTION("callee: the 200's Contact") {
    refdut_options o;
    o.local = "[::1]:0";
    o.transport = name;
    o.t1_ms = 50;
    o.calls = 1;
    o.timeout_s = 1; // the call is left unfinished: the device stops at this bound
    device d(o);
    const auto dut = d.where();
    REQUIRE(dut.address == "::1");
    auto b = sip::message_builder::request("INVITE", uri_of("service", dut));
    b.header("Via", "SIP/2.0/" + upper + " " + peer_at + ";branch=z9hG4bK-v6-1");
    b.header("Max-Forwards", "70");
    b.header("From", "<sip:peer@" + peer_at + ">;tag=peer-tag");
    b.header("To", "<" + uri_of("service", dut) + ">");
    b.header("Call-ID", "v6-call@[::1]");
    b.header("CSeq", "1 INVITE");
    b.header("Contact", "<sip:peer@" + peer_at + param + ">");
    b.body("application/sdp", "v=0\r\no=peer 1 1 IN IP6 ::1\r\ns=-\r\nc=IN IP6 ::1\r\nt=0 0\r\n"
                              "m=audio 40000 RTP/AVP 0\r\n");
    p.send(dut, b.str());
    REQUIRE(p.run_until([&] { return p.first("SIP/2.0 200 ") != nullptr; }));
    const auto ok = p.first("SIP/2.0 200 ")->msg.bytes();
    CHECK(line_of(ok, "Contact") == "Contact: <sip:refdut-callee@" + dut.str() + param + ">");
    CHECK(line_of(ok, "To").starts_with("To: <sip:service@" + dut.str() + ">;tag="));
    CHECK(ok.find("\r\nc=IN IP6 ::1\r\n") != std::string::npos);
  }
  SECTION("caller: the INVITE") {
    refdut_options o;
    o.call = peer_at;
    o.transport = name;
    o.tls_insecure = true; // the peer's throwaway certificate
    o.t1_ms = 20;          // Timer D (UDP): 64 * T1
    o.timeout_s = 5;
    device d(o);
    REQUIRE(p.run_until([&] { return p.first("INVITE ") != nullptr; }));
    const auto* a = p.first("INVITE ");
    const auto inv = a->msg.bytes();
    CHECK(a->from.address == "::1");
    CHECK(inv.starts_with("INVITE sip:service@" + peer_at + param + " SIP/2.0\r\nVia: SIP/2.0/" +
                          upper + " [::1]:"));
    CHECK(line_of(inv, "From").starts_with("From: <sip:refdut@[::1]:"));
    CHECK(line_of(inv, "To") == "To: <sip:service@" + peer_at + param + ">");
    CHECK(line_of(inv, "Contact").starts_with("Contact: <sip:refdut-caller@[::1]:"));
    CHECK(line_of(inv, "Contact").ends_with(param + ">"));
    CHECK(inv.find("\r\nc=IN IP6 ::1\r\n") != std::string::npos);
    // A 486 ends the call: the device ACKs it, and is done once Timer D has fired.
    p.send(a->from, answer(a->msg, 486, "Busy Here"));
    REQUIRE(p.run_until([&] { return p.first("ACK ") != nullptr; }));
    CHECK(p.first("ACK ")->msg.bytes().starts_with(
        "ACK sip:service@" + peer_at + param + " SIP/2.0\r\nVia: SIP/2.0/" + upper + " [::1]:"));
    CHECK(d.join() == exit_ok);
    CHECK(d.out().find("INVITE -> 486, ACK sent") != std::string::npos);
  }
}

} // namespace sipwright::refdut::test
