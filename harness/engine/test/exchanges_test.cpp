// Retransmissions from the device are answered by transaction, not by "same as the last
// message": a retransmitted request gets the last response again (RFC 3261 17.2.1), a
// retransmitted final response to INVITE gets the ACK again (17.1.1.2 non-2xx, 13.2.2.4 2xx).
#include "exchanges.hpp"

#include "sipwright/parser/parser.hpp"

#include <catch2/catch.hpp>

using namespace sipwright;

namespace {

sip::message parse(std::string_view bytes) {
  parser::parser p(parser::options{parser::mode::datagram, {}, false, false});
  REQUIRE(p.put(bytes).status == parser::status::done);
  return p.release();
}

std::string message(std::string_view start, std::string_view branch, std::string_view cseq,
                    std::string_view to_tag) {
  std::string m(start);
  m += "\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=";
  m += branch;
  m += "\r\nFrom: <sip:a@192.0.2.1>;tag=a\r\nTo: <sip:b@192.0.2.2>";
  if (!to_tag.empty()) m += ";tag=" + std::string(to_tag);
  m += "\r\nCall-ID: c1\r\nCSeq: ";
  m += cseq;
  m += "\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
  return m;
}

const transport::endpoint device{"192.0.2.2", 5060};

} // namespace

TEST_CASE("A retransmitted final response to INVITE gets the ACK the scenario sent, again "
          "[engine][rfc3261][17.1.1.2][13.2.2.4]") {
  for (const char* status : {"SIP/2.0 486 Busy Here", "SIP/2.0 200 OK"}) {
    INFO(status);
    engine::exchanges x;
    const auto invite = message("INVITE sip:b@192.0.2.2 SIP/2.0", "z9hG4bKinv", "1 INVITE", "");
    x.on_sent(parse(invite), device, invite);
    const auto resp = parse(message(status, "z9hG4bKinv", "1 INVITE", "t2"));
    CHECK_FALSE(x.on_received(resp, device).retransmission);
    // Before the scenario ACKs, a copy is absorbed with nothing to send.
    auto early = x.on_received(resp, device);
    CHECK(early.retransmission);
    CHECK_FALSE(early.again);
    const auto ack = message("ACK sip:b@192.0.2.2 SIP/2.0", "z9hG4bKack", "1 ACK", "t2");
    x.on_sent(parse(ack), device, ack);
    auto late = x.on_received(resp, device);
    CHECK(late.retransmission);
    REQUIRE(late.again);
    CHECK(late.again->bytes == ack);
    CHECK(late.again->to == device);
  }
}

TEST_CASE("A retransmitted request gets the last response again, an ACK copy nothing "
          "[engine][rfc3261][17.2.1]") {
  engine::exchanges x;
  const auto invite =
      parse(message("INVITE sip:b@192.0.2.2 SIP/2.0", "z9hG4bKdev", "1 INVITE", ""));
  CHECK_FALSE(x.on_received(invite, device).retransmission);
  const auto ringing = message("SIP/2.0 180 Ringing", "z9hG4bKdev", "1 INVITE", "t2");
  x.on_sent(parse(ringing), device, ringing);
  const auto ok = message("SIP/2.0 200 OK", "z9hG4bKdev", "1 INVITE", "t2");
  x.on_sent(parse(ok), device, ok);
  auto again = x.on_received(invite, device);
  CHECK(again.retransmission);
  REQUIRE(again.again);
  CHECK(again.again->bytes == ok);
  // The 2xx's ACK is a new transaction; its copy is absorbed.
  const auto ack = parse(message("ACK sip:b@192.0.2.2 SIP/2.0", "z9hG4bKdevack", "1 ACK", "t2"));
  CHECK_FALSE(x.on_received(ack, device).retransmission);
  auto ack_copy = x.on_received(ack, device);
  CHECK(ack_copy.retransmission);
  CHECK_FALSE(ack_copy.again);
  // A response to nothing the call sent is flagged.
  CHECK(x.on_received(parse(message("SIP/2.0 200 OK", "z9hG4bKother", "2 BYE", "t2")), device)
            .unknown_transaction);
}

TEST_CASE("A provisional response after the final one is absorbed, not handed on "
          "[engine][rfc3261][17.1.1.2]") {
  engine::exchanges x;
  const auto invite = message("INVITE sip:b@192.0.2.2 SIP/2.0", "z9hG4bK-1", "1 INVITE", "");
  x.on_sent(parse(invite), device, invite);
  const auto ringing = parse(message("SIP/2.0 180 Ringing", "z9hG4bK-1", "1 INVITE", "t"));
  CHECK_FALSE(x.on_received(ringing, device).retransmission);
  CHECK_FALSE(
      x.on_received(parse(message("SIP/2.0 486 Busy Here", "z9hG4bK-1", "1 INVITE", "t")), device)
          .retransmission);
  // The 183 a proxy relayed after the 486.
  const auto late = x.on_received(
      parse(message("SIP/2.0 183 Session Progress", "z9hG4bK-1", "1 INVITE", "t")), device);
  CHECK(late.retransmission);
  CHECK_FALSE(late.again);
  CHECK(late.note == "183 after the final response: discarded (RFC 3261 17.1.1.2, 17.1.2.2)");
}
