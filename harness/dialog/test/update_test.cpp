// Dialog state after creation: confirmation, target refresh, CSeq and matching (RFC 3261 12.2,
// 12.3, 13.2.2.4).
#include "messages.hpp"
#include "sipwright/dialog/dialog.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace dlg = sipwright::dialog;
using dialog_test::build;
using dialog_test::request_spec;
using dialog_test::response_spec;
using dlg::dialog;
using dlg::dialog_id;
using dlg::dialog_state;
using dlg::update_result;

namespace {

response_spec ringing() {
  response_spec s;
  s.status = 180;
  s.reason = "Ringing";
  s.record_route = {"<sip:p2.example.com;lr>", "<sip:p1.example.com;lr>"};
  return s;
}

dialog uac_dialog(const response_spec& response) {
  auto d = dlg::dialog::create_uac(build(request_spec{}), build(response), false);
  REQUIRE(d.ok());
  return std::move(d).value();
}

dialog uas_dialog(const response_spec& response) {
  auto d = dlg::dialog::create_uas(build(request_spec{}), build(response), false);
  REQUIRE(d.ok());
  return std::move(d).value();
}

// A request Bob sends to Alice within the dialog.
request_spec from_bob(const std::string& method, const std::string& cseq) {
  request_spec s;
  s.method = method;
  s.uri = "sip:alice@pc33.atlanta.example.com";
  s.from = "Bob <sip:bob@biloxi.example.com>;tag=a6c85cf";
  s.to = "Alice <sip:alice@atlanta.example.com>;tag=1928301774";
  s.cseq = cseq + " " + method;
  s.contact = "";
  return s;
}

// A request Alice sends to Bob within the dialog.
request_spec from_alice(const std::string& method, const std::string& cseq) {
  request_spec s;
  s.method = method;
  s.to = "Bob <sip:bob@biloxi.example.com>;tag=a6c85cf";
  s.cseq = cseq + " " + method;
  s.contact = "";
  return s;
}

} // namespace

TEST_CASE("An early dialog confirmed by a 2xx re-computes the route set [RFC 3261 12.1.2 "
          "13.2.2.4]",
          "[dialog][rfc3261-12.1.2][rfc3261-13.2.2.4]") {
  auto d = uac_dialog(ringing());
  REQUIRE(d.state() == dialog_state::early);
  REQUIRE(d.route_set() ==
          std::vector<std::string>{"sip:p1.example.com;lr", "sip:p2.example.com;lr"});

  response_spec ok;
  ok.record_route = {"<sip:p3.example.com;lr>", "<sip:p1.example.com;lr>"};
  ok.contact = "<sip:bob@192.0.2.99>";
  CHECK(d.on_response_received(build(ok)) == update_result::accepted);
  CHECK(d.state() == dialog_state::confirmed);
  CHECK(d.route_set() ==
        std::vector<std::string>{"sip:p1.example.com;lr", "sip:p3.example.com;lr"});
  CHECK(d.remote_target() == "sip:bob@192.0.2.99");

  // Once confirmed, the route set is fixed (RFC 3261 12.2.1.2).
  ok.record_route = {"<sip:p9.example.com;lr>"};
  ok.cseq = "314160 INVITE";
  CHECK(d.on_response_received(build(ok)) == update_result::accepted);
  CHECK(d.route_set() ==
        std::vector<std::string>{"sip:p1.example.com;lr", "sip:p3.example.com;lr"});
}

TEST_CASE("A 2xx with a broken Record-Route or Contact leaves the early dialog [RFC 3261 12.1.2]",
          "[dialog][rfc3261-12.1.2]") {
  auto d = uac_dialog(ringing());
  response_spec ok;
  ok.record_route = {"<sip:@@>"};
  CHECK(d.on_response_received(build(ok)) == update_result::bad_route_set);
  ok.record_route = {};
  ok.contact = "";
  CHECK(d.on_response_received(build(ok)) == update_result::bad_contact);
  CHECK(d.state() == dialog_state::early);
  CHECK(d.route_set() ==
        std::vector<std::string>{"sip:p1.example.com;lr", "sip:p2.example.com;lr"});
}

TEST_CASE("A target refresh replaces the remote target, not the route set [RFC 3261 12.2.1.2 "
          "12.2.2]",
          "[dialog][rfc3261-12.2.1.2][rfc3261-12.2.2]") {
  SECTION("UAC: 2xx to a re-INVITE and to an UPDATE") {
    auto d = uac_dialog(response_spec{});
    response_spec ok;
    ok.cseq = "314160 INVITE";
    ok.contact = "<sip:bob@192.0.2.5>";
    ok.record_route = {"<sip:p1.example.com;lr>"};
    CHECK(d.on_response_received(build(ok)) == update_result::accepted);
    CHECK(d.remote_target() == "sip:bob@192.0.2.5");
    CHECK(d.route_set().empty());
    ok.cseq = "314161 UPDATE";
    ok.contact = "<sip:bob@192.0.2.6>";
    CHECK(d.on_response_received(build(ok)) == update_result::accepted);
    CHECK(d.remote_target() == "sip:bob@192.0.2.6");
    // Not a target refresh: the Contact of a 2xx to INFO changes nothing.
    ok.cseq = "314162 INFO";
    ok.contact = "<sip:bob@192.0.2.7>";
    CHECK(d.on_response_received(build(ok)) == update_result::accepted);
    CHECK(d.remote_target() == "sip:bob@192.0.2.6");
    // A 2xx to a re-INVITE with an unparsable Contact is reported and ignored.
    ok.cseq = "314163 INVITE";
    ok.contact = "<sip:bob@>";
    CHECK(d.on_response_received(build(ok)) == update_result::bad_contact);
    CHECK(d.remote_target() == "sip:bob@192.0.2.6");
  }
  SECTION("UAS: re-INVITE and UPDATE received") {
    auto d = uas_dialog(response_spec{});
    auto update = from_alice("UPDATE", "314160");
    update.contact = "<sip:alice@192.0.2.20>";
    CHECK(d.on_request_received(build(update)) == update_result::accepted);
    CHECK(d.remote_target() == "sip:alice@192.0.2.20");
    auto info = from_alice("INFO", "314161");
    info.contact = "<sip:alice@192.0.2.21>";
    CHECK(d.on_request_received(build(info)) == update_result::accepted);
    CHECK(d.remote_target() == "sip:alice@192.0.2.20");
    auto reinvite = from_alice("INVITE", "314162");
    reinvite.contact = "<sip:alice@192.0.2.22>";
    reinvite.record_route = {"<sip:p7.example.com;lr>"};
    CHECK(d.on_request_received(build(reinvite)) == update_result::accepted);
    CHECK(d.remote_target() == "sip:alice@192.0.2.22");
    CHECK(d.route_set().empty());
    CHECK(d.remote_cseq() == 314162u);
  }
}

TEST_CASE("Local CSeq grows by one per request, ACK and CANCEL reuse the INVITE's [RFC 3261 "
          "12.2.1.1 13.2.2.4 9.1]",
          "[dialog][rfc3261-12.2.1.1][rfc3261-13.2.2.4]") {
  auto d = uac_dialog(response_spec{});
  CHECK(d.next_cseq("ACK") == 314159u);
  CHECK(d.local_cseq() == 314159u);
  CHECK(d.next_cseq("INFO") == 314160u);
  CHECK(d.next_cseq("INVITE") == 314161u);
  CHECK(d.next_cseq("ACK") == 314161u);
  CHECK(d.next_cseq("CANCEL") == 314161u);
  CHECK(d.next_cseq("BYE") == 314162u);
  CHECK(d.local_cseq() == 314162u);

  // A UAS has no local CSeq until it sends a request; it sent no INVITE to ACK.
  auto u = uas_dialog(response_spec{});
  CHECK_FALSE(u.local_cseq());
  CHECK_FALSE(u.next_cseq("ACK"));
  CHECK(u.next_cseq("BYE", 7) == 7u);
  CHECK(u.next_cseq("INVITE", 100) == 8u);
  CHECK(u.next_cseq("ACK") == 8u);
}

TEST_CASE("Remote CSeq: lower is out of order, otherwise recorded [RFC 3261 12.2.2]",
          "[dialog][rfc3261-12.2.2]") {
  SECTION("UAS: remote CSeq from the INVITE") {
    auto d = uas_dialog(response_spec{});
    CHECK(d.on_request_received(build(from_alice("ACK", "314159"))) == update_result::accepted);
    CHECK(d.on_request_received(build(from_alice("INFO", "314158"))) ==
          update_result::out_of_order);
    CHECK(d.remote_cseq() == 314159u);
    CHECK(d.on_request_received(build(from_alice("INFO", "314170"))) == update_result::accepted);
    CHECK(d.remote_cseq() == 314170u);
    CHECK(d.on_request_received(build(from_alice("BYE", "314160"))) == update_result::out_of_order);
    auto no_cseq = from_alice("BYE", "1");
    no_cseq.cseq = "";
    CHECK(d.on_request_received(build(no_cseq)) == update_result::bad_cseq);
    CHECK(d.remote_cseq() == 314170u);
  }
  SECTION("UAC: the remote CSeq starts empty, any first value is accepted") {
    auto d = uac_dialog(response_spec{});
    CHECK_FALSE(d.remote_cseq());
    CHECK(d.on_request_received(build(from_bob("INFO", "5"))) == update_result::accepted);
    CHECK(d.remote_cseq() == 5u);
    CHECK(d.on_request_received(build(from_bob("BYE", "4"))) == update_result::out_of_order);
    CHECK(d.on_request_received(build(from_bob("BYE", "6"))) == update_result::accepted);
  }
}

TEST_CASE("Dialog id of received requests and responses [RFC 3261 12 12.2.1.2 12.2.2]",
          "[dialog][rfc3261-12.2.2][rfc3261-12.2.1.2]") {
  auto d = uac_dialog(response_spec{});
  auto bye = build(from_bob("BYE", "1"));
  REQUIRE(dlg::id_of_received_request(bye));
  CHECK(*dlg::id_of_received_request(bye) == d.id());
  auto ok = build(response_spec{});
  REQUIRE(dlg::id_of_received_response(ok));
  CHECK(*dlg::id_of_received_response(ok) == d.id());
  // The same message seen from the other direction is another dialog.
  CHECK(*dlg::id_of_received_request(ok) != d.id());

  auto stranger = from_bob("BYE", "1");
  stranger.from = "Bob <sip:bob@biloxi.example.com>;tag=other";
  CHECK(d.on_request_received(build(stranger)) == update_result::wrong_dialog);
  response_spec forked;
  forked.to = "Bob <sip:bob@biloxi.example.com>;tag=fork2";
  CHECK(d.on_response_received(build(forked)) == update_result::wrong_dialog);
  auto no_call_id = from_bob("BYE", "1");
  no_call_id.call_id = "";
  CHECK_FALSE(dlg::id_of_received_request(build(no_call_id)));
  CHECK(d.on_request_received(build(no_call_id)) == update_result::wrong_dialog);

  CHECK(dialog_id{"c", "a", "b"} == dialog_id{"c", "a", "b"});
  CHECK(dialog_id{"c", "a", "b"} != dialog_id{"c", "b", "a"});
  CHECK(dialog_id{"c", "a", "b"} < dialog_id{"d", "a", "b"});
}

TEST_CASE("Early and confirmed dialogs end on failure responses [RFC 3261 12.3 12.2.1.2]",
          "[dialog][rfc3261-12.3][rfc3261-12.2.1.2]") {
  SECTION("UAC: non-2xx final response to the INVITE ends an early dialog") {
    auto d = uac_dialog(ringing());
    response_spec busy;
    busy.status = 486;
    busy.reason = "Busy Here";
    CHECK(d.on_response_received(build(busy)) == update_result::accepted);
    CHECK(d.state() == dialog_state::terminated);
    CHECK(d.on_response_received(build(response_spec{})) == update_result::terminated);
  }
  SECTION("UAC: 481 to a request within a confirmed dialog ends it") {
    auto d = uac_dialog(response_spec{});
    response_spec failure;
    failure.status = 488;
    failure.reason = "Not Acceptable Here";
    failure.cseq = "314160 INVITE";
    CHECK(d.on_response_received(build(failure)) == update_result::accepted);
    CHECK(d.state() == dialog_state::confirmed);
    failure.status = 481;
    failure.reason = "Call/Transaction Does Not Exist";
    failure.cseq = "314161 INFO";
    CHECK(d.on_response_received(build(failure)) == update_result::accepted);
    CHECK(d.state() == dialog_state::terminated);
    CHECK(d.on_request_received(build(from_bob("BYE", "9"))) == update_result::terminated);
  }
  SECTION("UAS: the response sent confirms or ends the early dialog") {
    response_spec r = ringing();
    auto d = uas_dialog(r);
    REQUIRE(d.state() == dialog_state::early);
    CHECK(d.on_response_sent(build(response_spec{})) == update_result::accepted);
    CHECK(d.state() == dialog_state::confirmed);

    auto e = uas_dialog(r);
    response_spec busy;
    busy.status = 486;
    busy.reason = "Busy Here";
    CHECK(e.on_response_sent(build(busy)) == update_result::accepted);
    CHECK(e.state() == dialog_state::terminated);
  }
}
