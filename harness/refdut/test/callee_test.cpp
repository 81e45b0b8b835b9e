// The reference device as callee, driven by a hand-written UDP peer: its 2xx retransmission
// (RFC 3261 13.3.1.4), its non-2xx through the INVITE server transaction (17.2.1), 380 bodies,
// CANCEL (9.2), requests outside dialogs, and the fault switches that break these.
#include "support.hpp"

#include <catch2/catch.hpp>

namespace sipwright::refdut::test {
namespace {

refdut_options callee(int t1_ms, std::vector<std::string> faults = {}) {
  refdut_options o;
  o.local = "127.0.0.1:0";
  o.t1_ms = t1_ms;
  o.calls = 1;
  o.timeout_s = 10;
  o.faults = std::move(faults);
  return o;
}

// ACK of the 2xx (a new transaction) or BYE within the dialog the 2xx set up.
std::string in_dialog(const peer& p, const transport::endpoint& dut, const std::string& method,
                      const std::string& to_tag, std::uint32_t cseq, const std::string& branch) {
  request_spec r;
  r.method = method;
  r.to_tag = to_tag;
  r.cseq = cseq;
  r.branch = branch;
  return request(p, dut, r);
}

} // namespace

TEST_CASE("callee: the 2xx is retransmitted at T1, then 2*T1, until the ACK [RFC 3261 13.3.1.4]",
          "[refdut][callee]") {
  device d(callee(60));
  peer p;
  const auto dut = d.where();
  p.send(dut, request(p, dut, {}));
  REQUIRE(p.run_until([&] { return p.responses(200).size() >= 3; }));
  const auto tag = to_tag_of(p.responses(200).front()->msg);
  const auto acked = clock::now();
  p.send(dut, in_dialog(p, dut, "ACK", tag, 1, "z9hG4bK-ack-1"));
  p.run_for(400ms);

  const auto copies = p.responses(200);
  REQUIRE(copies.size() >= 3);
  CHECK(copies.size() <= 4); // one may have been in flight when the ACK left
  const auto first = ms_between(copies[0]->at, copies[1]->at);
  const auto second = ms_between(copies[1]->at, copies[2]->at);
  CHECK(first >= 50);
  CHECK(first < 110);
  CHECK(second >= 110);
  CHECK(second < 200);
  for (const auto* c : copies) CHECK(ms_between(acked, c->at) < 60);

  SECTION("the 100, 180 and 200 are what RFC 3261 asks of them") {
    REQUIRE(p.responses(100).size() == 1);
    CHECK(to_tag_of(p.responses(100).front()->msg).empty());
    REQUIRE(p.responses(180).size() == 1);
    CHECK(to_tag_of(p.responses(180).front()->msg) == tag);
    const auto& ok = copies.front()->msg;
    CHECK_FALSE(tag.empty());
    REQUIRE(ok.contact());
    CHECK(ok.contact()->address.text != uri_of("service", dut)); // 12.1.1: not the Request-URI
    REQUIRE(ok.content_type());
    CHECK(ok.content_type()->subtype == "sdp");
    CHECK(ok.body().find("m=audio") != std::string_view::npos);
  }
  p.send(dut, in_dialog(p, dut, "BYE", tag, 2, "z9hG4bK-bye-1"));
  REQUIRE(p.run_until([&] { return !p.responses(200, "BYE").empty(); }));
  CHECK(d.join() == exit_ok);
  CHECK(d.out().find("refdut: call 1 from " + p.local().str() +
                     ": INVITE -> 200, ACK ok, BYE -> 200\n") != std::string::npos);
}

TEST_CASE("callee: the 2xx copies the Record-Route, offers SDP when the INVITE had none "
          "[RFC 3261 12.1.1, 13.3.1]",
          "[refdut][callee]") {
  device d(callee(50));
  peer p;
  const auto dut = d.where();
  request_spec r;
  r.sdp = false;
  r.record_route = {"<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>"};
  p.send(dut, request(p, dut, r));
  REQUIRE(p.run_until([&] { return !p.responses(200).empty(); }));
  const auto& ok = p.responses(200).front()->msg;
  CHECK(ok.all_elements(sip::header_id::record_route) ==
        std::vector<std::string_view>{"<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>"});
  CHECK(ok.body().find("o=refdut 2890844526") != std::string_view::npos); // the offer
  const auto tag = to_tag_of(ok);
  p.send(dut, in_dialog(p, dut, "ACK", tag, 1, "z9hG4bK-ack-2"));
  p.send(dut, in_dialog(p, dut, "BYE", tag, 2, "z9hG4bK-bye-2"));
  REQUIRE(p.run_until([&] { return !p.responses(200, "BYE").empty(); }));
  CHECK(d.join() == exit_ok);
}

TEST_CASE("callee: fault no-2xx-retransmit sends the 2xx once", "[refdut][callee][fault]") {
  device d(callee(30, {"no-2xx-retransmit"}));
  peer p;
  const auto dut = d.where();
  p.send(dut, request(p, dut, {}));
  p.run_for(400ms);
  REQUIRE(p.responses(200).size() == 1);
  const auto tag = to_tag_of(p.responses(200).front()->msg);
  p.send(dut, in_dialog(p, dut, "ACK", tag, 1, "z9hG4bK-ack-3"));
  p.send(dut, in_dialog(p, dut, "BYE", tag, 2, "z9hG4bK-bye-3"));
  REQUIRE(p.run_until([&] { return !p.responses(200, "BYE").empty(); }));
  CHECK(d.join() == exit_ok);
}

TEST_CASE("callee: without an ACK the device sends BYE after 64*T1 [RFC 3261 13.3.1.4]",
          "[refdut][callee]") {
  device d(callee(10));
  peer p;
  const auto dut = d.where();
  p.on_message = [&](const arrival& a) {
    if (a.msg.is_request() && a.msg.method() == "BYE") {
      auto ok = sip::message_builder::response(200, "OK");
      for (const auto& via : a.msg.all_elements(sip::header_id::via)) ok.header("Via", via);
      ok.header("From", a.msg.value(sip::header_id::from))
          .header("To", a.msg.value(sip::header_id::to))
          .header("Call-ID", a.msg.value(sip::header_id::call_id))
          .header("CSeq", a.msg.value(sip::header_id::cseq));
      p.send(a.from, ok.str());
    }
  };
  const auto start = clock::now();
  p.send(dut, request(p, dut, {}));
  REQUIRE(p.run_until([&] { return !p.requests("BYE").empty(); }, 3s));
  const auto& bye = p.requests("BYE").front()->msg;
  CHECK(ms_between(start, p.requests("BYE").front()->at) >= 640);
  CHECK(bye.request_uri() == "sip:peer@" + p.local().str()); // the INVITE's Contact
  CHECK(std::string(bye.value(sip::header_id::to)).find("tag=peer-tag") != std::string::npos);
  CHECK(d.join() == exit_ok);
  CHECK(d.out().find("INVITE -> 200, no ACK within 64*T1, BYE sent -> 200") != std::string::npos);
}

TEST_CASE("callee: a 380 carries a valid ims-3gpp body and Timer G runs until the ACK "
          "[RFC 3261 21.3.5, 17.2.1] [3GPP TS 24.229 7.6]",
          "[refdut][callee][380]") {
  device d(callee(40));
  peer p;
  const auto dut = d.where();
  request_spec r;
  r.user = "alt-emergency";
  p.send(dut, request(p, dut, r));
  REQUIRE(p.run_until([&] { return p.responses(380).size() >= 2; }));
  const auto& alt = p.responses(380).front()->msg;
  REQUIRE(alt.content_type());
  CHECK(alt.content_type()->type == "application");
  CHECK(alt.content_type()->subtype == "3gpp-ims+xml");
  CHECK(alt.body() ==
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n"
        "<ims-3gpp version=\"1\">\r\n"
        "  <alternative-service>\r\n"
        "    <type>emergency</type>\r\n"
        "    <reason>emergency call: register for emergency services first</reason>\r\n"
        "    <action>emergency-registration</action>\r\n"
        "  </alternative-service>\r\n"
        "</ims-3gpp>\r\n");
  CHECK(alt.content_length() == alt.body().size());
  // 17.1.1.3: the ACK of a non-2xx reuses the INVITE's branch.
  p.send(dut, in_dialog(p, dut, "ACK", to_tag_of(alt), 1, "z9hG4bK-test-1"));
  REQUIRE(d.join() == exit_ok);
  const auto copies = p.responses(380).size();
  p.run_for(200ms);
  CHECK(p.responses(380).size() == copies);
  CHECK(d.out().find("INVITE -> 380, ACK ok") != std::string::npos);
}

TEST_CASE("callee: fault no-timer-g sends the final non-2xx once", "[refdut][callee][fault]") {
  device d(callee(20, {"no-timer-g"}));
  peer p;
  const auto dut = d.where();
  request_spec r;
  r.user = "busy";
  p.send(dut, request(p, dut, r));
  p.run_for(300ms);
  REQUIRE(p.responses(486).size() == 1);
  p.send(dut,
         in_dialog(p, dut, "ACK", to_tag_of(p.responses(486).front()->msg), 1, "z9hG4bK-test-1"));
  CHECK(d.join() == exit_ok);
}

TEST_CASE("callee: 380 faults change the body as they say", "[refdut][callee][fault][380]") {
  const auto [fault, check] = GENERATE(table<std::string, std::string>({
      {"380-bad-xml", "no closing </ims-3gpp>"},
      {"380-wrong-root", "<ims-3gpp-x version=\"1\">"},
      {"380-unknown-type", "<type>teleportation</type>"},
      {"380-no-content-type", "no Content-Type"},
  }));
  device d(callee(50, {fault}));
  peer p;
  const auto dut = d.where();
  request_spec r;
  r.user = "380";
  p.send(dut, request(p, dut, r));
  REQUIRE(p.run_until([&] { return !p.responses(380).empty(); }));
  const auto& alt = p.responses(380).front()->msg;
  if (fault == "380-bad-xml")
    CHECK(alt.body().find("</ims-3gpp>") == std::string_view::npos);
  else if (fault == "380-no-content-type")
    CHECK(alt.find(sip::header_id::content_type) == nullptr);
  else
    CHECK(alt.body().find(check) != std::string_view::npos);
  p.send(dut, in_dialog(p, dut, "ACK", to_tag_of(alt), 1, "z9hG4bK-test-1"));
  CHECK(d.join() == exit_ok);
}

TEST_CASE("callee: CANCEL before the answer gets 200 and the INVITE 487 [RFC 3261 9.2]",
          "[refdut][callee]") {
  auto o = callee(50);
  o.ring_ms = 2000;
  device d(o);
  peer p;
  const auto dut = d.where();
  p.send(dut, request(p, dut, {}));
  REQUIRE(p.run_until([&] { return !p.responses(180).empty(); }));
  request_spec cancel;
  cancel.method = "CANCEL";
  p.send(dut, request(p, dut, cancel));
  REQUIRE(p.run_until([&] { return !p.responses(487).empty(); }));
  CHECK(p.responses(200, "CANCEL").size() == 1);
  CHECK(p.responses(200).empty());
  p.send(dut,
         in_dialog(p, dut, "ACK", to_tag_of(p.responses(487).front()->msg), 1, "z9hG4bK-test-1"));
  CHECK(d.join() == exit_ok);
  CHECK(d.out().find("INVITE -> 487") == std::string::npos);
  CHECK(d.out().find("CANCEL -> 487, ACK ok") != std::string::npos);
}

TEST_CASE("callee: requests outside any call get 481, 200, 489, 405 or 501, and junk is survived "
          "[RFC 3261 12.2.2, 11.2, 8.2.1]",
          "[refdut][callee]") {
  auto o = callee(50);
  o.calls = 0;
  o.timeout_s = 1;
  device d(o);
  peer p;
  const auto dut = d.where();
  p.send(dut, "\x01\x02 not SIP at all\r\n\r\n");
  p.send(dut, std::string(70000, 'A'));
  request_spec bye;
  bye.method = "BYE";
  bye.to_tag = "nobody";
  bye.branch = "z9hG4bK-b";
  p.send(dut, request(p, dut, bye));
  request_spec options;
  options.method = "OPTIONS";
  options.branch = "z9hG4bK-o";
  p.send(dut, request(p, dut, options));
  request_spec subscribe;
  subscribe.method = "SUBSCRIBE";
  subscribe.branch = "z9hG4bK-s";
  p.send(dut, request(p, dut, subscribe));
  request_spec publish;
  publish.method = "PUBLISH";
  publish.branch = "z9hG4bK-p";
  p.send(dut, request(p, dut, publish));
  request_spec frob;
  frob.method = "FROB";
  frob.branch = "z9hG4bK-f";
  p.send(dut, request(p, dut, frob));
  REQUIRE(p.run_until([&] { return p.got.size() >= 5; }));
  CHECK(p.responses(481, "BYE").size() == 1);
  CHECK(p.responses(200, "OPTIONS").size() == 1);
  CHECK(p.responses(489, "SUBSCRIBE").size() == 1); // RFC 6665 4.2.1.1: no Event it knows
  CHECK(p.responses(405, "PUBLISH").size() == 1);
  CHECK(p.responses(501, "FROB").size() == 1);
  CHECK(d.join() == exit_ok);
}

} // namespace sipwright::refdut::test
