// The reference device as notifier for message-summary (RFC 6665, RFC 3842), driven by a
// hand-written UDP peer: the 200's Expires, the NOTIFY at once and its retransmission as a
// non-INVITE client transaction, refresh, unsubscribe, and the fault switches that break these.
#include "support.hpp"

#include <catch2/catch.hpp>

namespace sipwright::refdut::test {
namespace {

refdut_options notifier(std::vector<std::string> faults = {}, double timeout_s = 1.5) {
  refdut_options o;
  o.local = "127.0.0.1:0";
  o.t1_ms = 50;
  o.t2_ms = 400;
  o.timeout_s = timeout_s; // no calls to count: the device stops on its own
  o.faults = std::move(faults);
  return o;
}

struct sub_spec {
  std::uint32_t cseq = 1;
  std::string to_tag;
  std::string event = "message-summary";
  std::string expires = "7200";
};

std::string subscribe(const peer& p, const transport::endpoint& dut, const sub_spec& s) {
  auto b = sip::message_builder::request("SUBSCRIBE", "sip:mwi@" + dut.str());
  b.header("Via",
           "SIP/2.0/UDP " + p.local().str() + ";branch=z9hG4bK-sub-" + std::to_string(s.cseq));
  b.header("Max-Forwards", "70");
  b.header("From", "<sip:watcher@127.0.0.1>;tag=w-tag");
  b.header("To", "<sip:mwi@127.0.0.1>" + (s.to_tag.empty() ? "" : ";tag=" + s.to_tag));
  b.header("Call-ID", "sub-1@127.0.0.1");
  b.header("CSeq", std::to_string(s.cseq) + " SUBSCRIBE");
  b.header("Contact", "<sip:watcher@" + p.local().str() + ">");
  b.header("Event", s.event);
  if (!s.expires.empty()) b.header("Expires", s.expires);
  return b.str();
}

// The response to the SUBSCRIBE with this CSeq, once it came.
const sip::message* answer_to(peer& p, std::uint32_t cseq) {
  const sip::message* found = nullptr;
  p.run_until([&] {
    for (const auto& a : p.got)
      if (a.msg.is_response() && a.msg.cseq() && a.msg.cseq()->number == cseq &&
          a.msg.cseq()->method == "SUBSCRIBE")
        found = &a.msg;
    return found != nullptr;
  });
  return found;
}

// The NOTIFYs with this CSeq number (copies included), once `n` came.
std::vector<const arrival*> notifies(peer& p, std::uint32_t cseq, std::size_t n = 1) {
  std::vector<const arrival*> out;
  p.run_until([&] {
    out.clear();
    for (const auto* a : p.requests("NOTIFY"))
      if (a->msg.cseq() && a->msg.cseq()->number == cseq) out.push_back(a);
    return out.size() >= n;
  });
  return out;
}

} // namespace

TEST_CASE("notifier: 200 with Expires, a NOTIFY at once, retransmitted over UDP until answered, "
          "refresh and unsubscribe [RFC 6665 4.2.1, 4.2.2]",
          "[refdut][notifier]") {
  device d(notifier({}, 3));
  peer p;
  const auto dut = d.where();
  p.send(dut, subscribe(p, dut, {}));
  const auto* ok = answer_to(p, 1);
  REQUIRE(ok);
  CHECK(ok->status_code() == 200);
  CHECK(ok->value(sip::header_id::expires) == "3600"); // 3.1.1: shortened, never lengthened
  const auto tag = to_tag_of(*ok);
  CHECK_FALSE(tag.empty());

  // 4.2.1.2: the NOTIFY; unanswered, retransmitted at T1, then 2*T1 (17.1.2.2, Timer E).
  auto first = notifies(p, 1, 3);
  REQUIRE(first.size() >= 3);
  const auto& n = first[0]->msg;
  CHECK(n.start_line() == "NOTIFY sip:watcher@" + p.local().str() + " SIP/2.0");
  CHECK(n.value(sip::header_id::from) == "<sip:mwi@127.0.0.1>;tag=" + tag);
  CHECK(n.value(sip::header_id::to) == "<sip:watcher@127.0.0.1>;tag=w-tag");
  CHECK(n.value(sip::header_id::call_id) == "sub-1@127.0.0.1");
  CHECK(n.value(sip::header_id::event) == "message-summary");
  CHECK(n.value(sip::header_id::subscription_state) == "active;expires=3600");
  CHECK(n.value(sip::header_id::content_type) == "application/simple-message-summary");
  CHECK(n.body() == "Messages-Waiting: no\r\n");
  for (const auto* c : first) CHECK(top_branch(c->msg) == top_branch(n));
  const auto gap1 = ms_between(first[0]->at, first[1]->at);
  const auto gap2 = ms_between(first[1]->at, first[2]->at);
  CHECK(gap1 >= 40);
  CHECK(gap1 < 90);
  CHECK(gap2 >= 90);
  CHECK(gap2 < 160);
  p.send(dut, answer(n, 200, "OK"));
  p.run_for(250ms);
  const auto copies = notifies(p, 1).size();
  p.run_for(250ms);
  CHECK(notifies(p, 1).size() == copies); // answered: no more copies

  // 4.2.1.4: a refresh in the dialog; the NOTIFY says the new time left.
  p.send(dut, subscribe(p, dut, {2, tag, "message-summary", "120"}));
  const auto* refreshed = answer_to(p, 2);
  REQUIRE(refreshed);
  CHECK(refreshed->status_code() == 200);
  CHECK(refreshed->value(sip::header_id::expires) == "120");
  auto second = notifies(p, 2);
  REQUIRE(second.size() == 1);
  CHECK(second[0]->msg.value(sip::header_id::subscription_state) == "active;expires=120");
  p.send(dut, answer(second[0]->msg, 200, "OK"));

  // 4.1.2.3, 4.2.1.4: an unsubscribe; the last NOTIFY says terminated.
  p.send(dut, subscribe(p, dut, {3, tag, "message-summary", "0"}));
  const auto* gone = answer_to(p, 3);
  REQUIRE(gone);
  CHECK(gone->value(sip::header_id::expires) == "0");
  auto last = notifies(p, 3);
  REQUIRE(last.size() == 1);
  CHECK(last[0]->msg.value(sip::header_id::subscription_state) == "terminated;reason=timeout");
  p.send(dut, answer(last[0]->msg, 200, "OK"));

  // The subscription is over: its dialog answers 481.
  p.send(dut, subscribe(p, dut, {4, tag, "message-summary", "600"}));
  const auto* late = answer_to(p, 4);
  REQUIRE(late);
  CHECK(late->status_code() == 481);
  CHECK(d.out().find("refdut: subscription 1 from " + p.local().str() +
                     " (message-summary): SUBSCRIBE -> 200 (Expires 3600), NOTIFY active, "
                     "SUBSCRIBE refresh -> 200 (Expires 120), NOTIFY active, SUBSCRIBE "
                     "(Expires 0) -> 200, NOTIFY terminated\n") != std::string::npos);
}

TEST_CASE("notifier: an unknown package gets 489, too brief a subscription 423 "
          "[RFC 6665 4.2.1.1]",
          "[refdut][notifier]") {
  device d(notifier());
  peer p;
  const auto dut = d.where();
  p.send(dut, subscribe(p, dut, {1, "", "presence", "600"}));
  const auto* bad_event = answer_to(p, 1);
  REQUIRE(bad_event);
  CHECK(bad_event->start_line() == "SIP/2.0 489 Bad Event");
  CHECK(bad_event->value(sip::header_id::allow_events) == "message-summary");
  p.send(dut, subscribe(p, dut, {2, "", "message-summary", "10"}));
  const auto* brief = answer_to(p, 2);
  REQUIRE(brief);
  CHECK(brief->status_code() == 423);
  CHECK(brief->value(sip::header_id::min_expires) == "60");
  // 3.1.1, 4.4.3: Expires: 0 fetches the state: 200, then a terminated NOTIFY.
  p.send(dut, subscribe(p, dut, {3, "", "message-summary", "0"}));
  const auto* fetch = answer_to(p, 3);
  REQUIRE(fetch);
  CHECK(fetch->value(sip::header_id::expires) == "0");
  auto n = notifies(p, 1);
  REQUIRE(n.size() == 1);
  CHECK(n[0]->msg.value(sip::header_id::subscription_state) == "terminated;reason=timeout");
  CHECK(p.requests("NOTIFY").size() == 1); // nothing for the refused ones
}

TEST_CASE("notifier: a 481 to the NOTIFY ends the subscription [RFC 6665 4.2.2]",
          "[refdut][notifier]") {
  device d(notifier());
  peer p;
  const auto dut = d.where();
  p.send(dut, subscribe(p, dut, {}));
  const auto* ok = answer_to(p, 1);
  REQUIRE(ok);
  auto n = notifies(p, 1);
  REQUIRE(n.size() == 1);
  p.send(dut, answer(n[0]->msg, 481, "Call/Transaction Does Not Exist"));
  p.run_for(100ms);
  p.send(dut, subscribe(p, dut, {2, to_tag_of(*ok), "message-summary", "600"}));
  const auto* refresh = answer_to(p, 2);
  REQUIRE(refresh);
  CHECK(refresh->status_code() == 481);
}

TEST_CASE("notifier: the fault switches break the 200 and the NOTIFY",
          "[refdut][notifier][faults]") {
  const auto [fault, header, expected] = GENERATE(table<std::string, std::string, std::string>({
      {"notify-wrong-event", "Event", "presence"},
      {"notify-no-state", "Subscription-State", ""},
      {"notify-lengthen-expires", "Subscription-State", "active;expires=4200"},
  }));
  device d(notifier({fault, "subscribe-no-expires"}));
  peer p;
  const auto dut = d.where();
  p.send(dut, subscribe(p, dut, {1, "", "message-summary", "600"}));
  const auto* ok = answer_to(p, 1);
  REQUIRE(ok);
  CHECK_FALSE(ok->find(sip::header_id::expires)); // subscribe-no-expires
  auto n = notifies(p, 1);
  REQUIRE(n.size() == 1);
  CHECK(n[0]->msg.value(sip::lookup_header(header)) == expected);
}

TEST_CASE("notifier: the fault switches no-notify and unsubscribe-active",
          "[refdut][notifier][faults]") {
  SECTION("no-notify") {
    device d(notifier({"no-notify"}));
    peer p;
    p.send(d.where(), subscribe(p, d.where(), {}));
    REQUIRE(answer_to(p, 1));
    p.run_for(300ms);
    CHECK(p.requests("NOTIFY").empty());
  }
  SECTION("unsubscribe-active") {
    device d(notifier({"unsubscribe-active"}));
    peer p;
    p.send(d.where(), subscribe(p, d.where(), {1, "", "message-summary", "0"}));
    REQUIRE(answer_to(p, 1));
    auto n = notifies(p, 1);
    REQUIRE(n.size() == 1);
    CHECK(n[0]->msg.value(sip::header_id::subscription_state) == "active;expires=0");
  }
}

TEST_CASE("notifier: an Expires too large for 64 bits is clamped to the notifier's maximum "
          "[RFC 3261 20.19, RFC 6665 4.2.1.1]",
          "[refdut][notifier]") {
  device d(notifier());
  peer p;
  const auto dut = d.where();
  p.send(dut, subscribe(p, dut, {1, "", "message-summary", "99999999999999999999999"}));
  const auto* ok = answer_to(p, 1);
  REQUIRE(ok);
  CHECK(ok->status_code() == 200);
  CHECK(ok->value(sip::header_id::expires) == "3600");
  auto n = notifies(p, 1);
  REQUIRE(n.size() >= 1);
  CHECK(n[0]->msg.value(sip::header_id::subscription_state) == "active;expires=3600");
  p.send(dut, answer(n[0]->msg, 200, "OK"));
  // The refresh in the dialog is clamped the same way.
  p.send(dut, subscribe(p, dut, {2, to_tag_of(*ok), "message-summary", "18446744073709551616"}));
  const auto* refreshed = answer_to(p, 2);
  REQUIRE(refreshed);
  CHECK(refreshed->status_code() == 200);
  CHECK(refreshed->value(sip::header_id::expires) == "3600");
}

} // namespace sipwright::refdut::test
