// The reference device as caller against a minimal hand-written UAS: the INVITE client
// transaction (Timers A/B, 17.1.1.2), the ACK of every 2xx copy (13.2.2.4, 12.2.1.1), the ACK
// of a non-2xx built by the transaction (17.1.1.3), the BYE, and faults that break the ACK.
#include "support.hpp"

#include <catch2/catch.hpp>

namespace sipwright::refdut::test {
namespace {

refdut_options caller_to(const peer& p, int t1_ms, std::vector<std::string> faults = {}) {
  refdut_options o;
  o.call = p.local().str();
  o.t1_ms = t1_ms;
  o.timeout_s = 10;
  o.hangup_after_ms = 200;
  o.faults = std::move(faults);
  return o;
}

constexpr std::string_view uas_sdp =
    "v=0\r\no=uas 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "m=audio 40002 RTP/AVP 0\r\n";

} // namespace

TEST_CASE("caller: every copy of the 2xx is ACKed as a new transaction to the Contact, along "
          "the reversed Record-Route [RFC 3261 13.2.2.4, 12.2.1.1]",
          "[refdut][caller]") {
  peer p;
  const std::string contact = "sip:uas-contact@" + p.local().str();
  std::string ok;
  p.on_message = [&](const arrival& a) {
    if (a.msg.is_request() && a.msg.method() == "INVITE") {
      ok = answer(a.msg, 200, "OK",
                  {{"Record-Route", "<sip:p1.example.com;lr>"},
                   {"Record-Route", "<sip:p2.example.com;lr>"},
                   {"Contact", "<" + contact + ">"}},
                  uas_sdp);
      p.send(a.from, ok);
    } else if (a.msg.is_request() && a.msg.method() == "BYE") {
      p.send(a.from, answer(a.msg, 200, "OK"));
    }
  };
  device d(caller_to(p, 20));
  REQUIRE(p.run_until([&] { return !p.requests("ACK").empty(); }));
  p.send(p.requests("INVITE").front()->from, ok); // a retransmission of the 2xx
  REQUIRE(p.run_until([&] { return !p.requests("BYE").empty(); }));
  CHECK(d.join() == exit_ok);

  const auto& invite = p.requests("INVITE").front()->msg;
  const auto acks = p.requests("ACK");
  REQUIRE(acks.size() == 2);
  for (const auto* a : acks) {
    const auto& ack = a->msg;
    CHECK(ack.request_uri() == contact);
    CHECK(ack.all_elements(sip::header_id::route) ==
          std::vector<std::string_view>{"<sip:p2.example.com;lr>", "<sip:p1.example.com;lr>"});
    CHECK(top_branch(ack) != top_branch(invite));
    CHECK(top_branch(ack).starts_with("z9hG4bK"));
    CHECK(ack.value(sip::header_id::cseq) == "1 ACK");
    CHECK(to_tag_of(ack) == "uas-tag");
    CHECK(ack.value(sip::header_id::from) == invite.value(sip::header_id::from));
    CHECK(ack.call_id() == invite.call_id());
    CHECK(ack.max_forwards() == 70u);
    CHECK(ack.body().empty()); // the INVITE carried the offer
  }
  CHECK(acks[0]->msg.bytes() == acks[1]->msg.bytes()); // the same ACK again
  const auto& bye = p.requests("BYE").front()->msg;
  CHECK(bye.request_uri() == contact);
  CHECK(bye.value(sip::header_id::cseq) == "2 BYE");
  CHECK(d.out().find("INVITE -> 200, ACK sent, BYE -> 200") != std::string::npos);
}

TEST_CASE("caller: with a late offer the ACK carries the SDP answer [RFC 3261 13.2.1]",
          "[refdut][caller]") {
  peer p;
  p.on_message = [&](const arrival& a) {
    if (!a.msg.is_request()) return;
    if (a.msg.method() == "INVITE")
      p.send(a.from,
             answer(a.msg, 200, "OK", {{"Contact", "<sip:uas@" + p.local().str() + ">"}}, uas_sdp));
    else if (a.msg.method() == "BYE")
      p.send(a.from, answer(a.msg, 200, "OK"));
  };
  auto o = caller_to(p, 20);
  o.late_offer = true;
  device d(o);
  REQUIRE(p.run_until([&] { return !p.requests("BYE").empty(); }));
  CHECK(d.join() == exit_ok);
  CHECK(p.requests("INVITE").front()->msg.body().empty());
  const auto& ack = p.requests("ACK").front()->msg;
  REQUIRE(ack.content_type());
  CHECK(ack.content_type()->subtype == "sdp");
  CHECK(ack.body().find("o=refdut 2890844527") != std::string_view::npos);
}

TEST_CASE("caller: a 486 and its copy are ACKed by the INVITE client transaction with the "
          "INVITE's branch and the response's To tag [RFC 3261 17.1.1.3]",
          "[refdut][caller]") {
  peer p;
  std::string busy;
  p.on_message = [&](const arrival& a) {
    if (a.msg.is_request() && a.msg.method() == "INVITE") {
      busy = answer(a.msg, 486, "Busy Here");
      p.send(a.from, busy);
    }
  };
  device d(caller_to(p, 10)); // Timer D = 64*T1
  REQUIRE(p.run_until([&] { return !p.requests("ACK").empty(); }));
  p.send(p.requests("INVITE").front()->from, busy);
  REQUIRE(p.run_until([&] { return p.requests("ACK").size() == 2; }));
  CHECK(d.join() == exit_ok);
  const auto& invite = p.requests("INVITE").front()->msg;
  for (const auto* a : p.requests("ACK")) {
    const auto& ack = a->msg;
    CHECK(top_branch(ack) == top_branch(invite));
    CHECK(ack.request_uri() == invite.request_uri());
    CHECK(to_tag_of(ack) == "uas-tag");
    CHECK(ack.value(sip::header_id::cseq) == "1 ACK");
    CHECK(ack.value(sip::header_id::from) == invite.value(sip::header_id::from));
  }
  CHECK(p.requests("BYE").empty());
  CHECK(d.out().find("INVITE -> 486, ACK sent") != std::string::npos);
}

TEST_CASE("caller: Timer A retransmits an unanswered INVITE, doubling, and Timer B gives up "
          "[RFC 3261 17.1.1.2]",
          "[refdut][caller]") {
  peer p;
  device d(caller_to(p, 20));
  CHECK(d.join() == exit_failed);
  p.run_for(50ms);
  const auto invites = p.requests("INVITE");
  REQUIRE(invites.size() >= 5);
  CHECK(invites.size() <= 8);
  for (std::size_t i = 2; i < 5; ++i) {
    const auto before = ms_between(invites[i - 2]->at, invites[i - 1]->at);
    const auto now = ms_between(invites[i - 1]->at, invites[i]->at);
    CHECK(now >= before * 3 / 2);
  }
  CHECK(invites[0]->msg.bytes() == invites[1]->msg.bytes());
  CHECK(d.out().find("INVITE: no answer (Timer B)") != std::string::npos);
}

TEST_CASE("caller: ACK faults break exactly the field they name", "[refdut][caller][fault]") {
  peer p;
  p.on_message = [&](const arrival& a) {
    if (!a.msg.is_request()) return;
    if (a.msg.method() == "INVITE")
      p.send(a.from, answer(a.msg, 200, "OK",
                            {{"Contact", "<sip:uas-contact@" + p.local().str() + ">"},
                             {"Record-Route", "<sip:p1.example.com;lr>"}},
                            uas_sdp));
    else if (a.msg.method() == "BYE")
      p.send(a.from, answer(a.msg, 200, "OK"));
  };
  const auto fault =
      GENERATE(as<std::string>{}, "ack-reuse-branch", "ack-wrong-cseq", "ack-to-request-uri",
               "ack-no-route", "ack-no-to-tag", "ack-no-max-forwards", "no-ack");
  device d(caller_to(p, 20, {fault}));
  REQUIRE(p.run_until([&] { return !p.requests("BYE").empty(); }));
  CHECK(d.join() == exit_ok);
  const auto& invite = p.requests("INVITE").front()->msg;
  if (fault == "no-ack") {
    CHECK(p.requests("ACK").empty());
    return;
  }
  REQUIRE(p.requests("ACK").size() == 1);
  const auto& ack = p.requests("ACK").front()->msg;
  CHECK((top_branch(ack) == top_branch(invite)) == (fault == "ack-reuse-branch"));
  CHECK((ack.value(sip::header_id::cseq) == "2 ACK") == (fault == "ack-wrong-cseq"));
  CHECK((ack.request_uri() == invite.request_uri()) == (fault == "ack-to-request-uri"));
  CHECK((ack.find(sip::header_id::route) == nullptr) == (fault == "ack-no-route"));
  CHECK(to_tag_of(ack).empty() == (fault == "ack-no-to-tag"));
  CHECK((ack.find(sip::header_id::max_forwards) == nullptr) == (fault == "ack-no-max-forwards"));
}

} // namespace sipwright::refdut::test
