// Creating dialogs as UAC and as UAS (RFC 3261 12.1).
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
using dlg::dialog_state;
using dlg::error_code;

namespace {

const std::vector<std::string> three_record_routes = {
    "<sip:p3.example.com;lr>", "<sip:p2.example.com;lr>, <sip:p1.example.com;lr>"};

} // namespace

TEST_CASE("UAC dialog from a 2xx: Record-Route reversed, Contact as remote target [RFC 3261 "
          "12.1.2]",
          "[dialog][rfc3261-12.1.2]") {
  response_spec ok;
  ok.record_route = three_record_routes;
  auto d = dlg::dialog::create_uac(build(request_spec{}), build(ok), false);
  REQUIRE(d.ok());
  CHECK(d.value().state() == dialog_state::confirmed);
  CHECK(d.value().role() == dlg::role::uac);
  CHECK(d.value().id() ==
        dlg::dialog_id{"a84b4c76e66710@pc33.atlanta.example.com", "1928301774", "a6c85cf"});
  CHECK(d.value().route_set() == std::vector<std::string>{"sip:p1.example.com;lr",
                                                          "sip:p2.example.com;lr",
                                                          "sip:p3.example.com;lr"});
  CHECK(d.value().remote_target() == "sip:bob@192.0.2.4");
  CHECK(d.value().local_uri() == "sip:alice@atlanta.example.com");
  CHECK(d.value().remote_uri() == "sip:bob@biloxi.example.com");
  CHECK(d.value().local_cseq() == 314159u);
  CHECK_FALSE(d.value().remote_cseq());
  CHECK_FALSE(d.value().secure());
}

TEST_CASE("UAC dialog from a 1xx with a To tag is early [RFC 3261 12.1.2]",
          "[dialog][rfc3261-12.1.2]") {
  response_spec ringing;
  ringing.status = 180;
  ringing.reason = "Ringing";
  ringing.record_route = {"<sip:p1.example.com;lr>"};
  auto d = dlg::dialog::create_uac(build(request_spec{}), build(ringing), false);
  REQUIRE(d.ok());
  CHECK(d.value().state() == dialog_state::early);
  CHECK(d.value().route_set() == std::vector<std::string>{"sip:p1.example.com;lr"});
  CHECK(d.value().remote_target() == "sip:bob@192.0.2.4");
}

TEST_CASE("UAS dialog: Record-Route in order, remote CSeq and target from the request [RFC "
          "3261 12.1.1]",
          "[dialog][rfc3261-12.1.1]") {
  request_spec invite;
  invite.record_route = three_record_routes;
  response_spec ok;
  ok.record_route = three_record_routes;
  auto d = dlg::dialog::create_uas(build(invite), build(ok), false);
  REQUIRE(d.ok());
  CHECK(d.value().state() == dialog_state::confirmed);
  CHECK(d.value().role() == dlg::role::uas);
  CHECK(d.value().id() ==
        dlg::dialog_id{"a84b4c76e66710@pc33.atlanta.example.com", "a6c85cf", "1928301774"});
  CHECK(d.value().route_set() == std::vector<std::string>{"sip:p3.example.com;lr",
                                                          "sip:p2.example.com;lr",
                                                          "sip:p1.example.com;lr"});
  CHECK(d.value().remote_target() == "sip:alice@pc33.atlanta.example.com");
  CHECK(d.value().local_uri() == "sip:bob@biloxi.example.com");
  CHECK(d.value().remote_uri() == "sip:alice@atlanta.example.com");
  CHECK(d.value().remote_cseq() == 314159u);
  CHECK_FALSE(d.value().local_cseq());
}

TEST_CASE("UAS accepts a From without a tag: the remote tag is empty [RFC 3261 12.1.1]",
          "[dialog][rfc3261-12.1.1]") {
  request_spec invite;
  invite.from = "<sip:alice@atlanta.example.com>";
  response_spec ringing;
  ringing.status = 180;
  ringing.reason = "Ringing";
  ringing.from = invite.from;
  auto d = dlg::dialog::create_uas(build(invite), build(ringing), false);
  REQUIRE(d.ok());
  CHECK(d.value().state() == dialog_state::early);
  CHECK(d.value().id().remote_tag.empty());
  CHECK(d.value().id().local_tag == "a6c85cf");
}

TEST_CASE("Secure flag needs TLS and a SIPS Request-URI [RFC 3261 12.1.1 12.1.2]",
          "[dialog][rfc3261-12.1.1][rfc3261-12.1.2]") {
  request_spec invite;
  invite.uri = "sips:bob@biloxi.example.com";
  invite.contact = "<sips:alice@pc33.atlanta.example.com>";
  response_spec ok;
  ok.contact = "<sips:bob@192.0.2.4>";
  auto req = build(invite);
  auto resp = build(ok);
  auto made = dlg::dialog::create_uac(req, resp, true);
  REQUIRE(made.ok());
  CHECK(made.value().secure());
  CHECK_FALSE(dlg::dialog::create_uac(req, resp, false).value().secure());
  CHECK(dlg::dialog::create_uas(req, resp, true).value().secure());
  CHECK_FALSE(dlg::dialog::create_uac(build(request_spec{}), resp, true).value().secure());
}

TEST_CASE("Bad input gives an error result, never an exception [RFC 3261 12.1]",
          "[dialog][rfc3261-12.1]") {
  struct row {
    const char* name;
    bool uac;
    request_spec request;
    response_spec response;
    error_code code;
    std::string text;
  };
  auto req = [](auto f) {
    request_spec s;
    f(s);
    return s;
  };
  auto resp = [](auto f) {
    response_spec s;
    f(s);
    return s;
  };
  const std::vector<row> rows = {
      {"UAC: response without To tag",
       true,
       {},
       resp([](auto& s) { s.to = "Bob <sip:bob@biloxi.example.com>"; }),
       error_code::no_to_tag,
       "response To has no tag: no dialog without a remote tag (RFC 3261 12.1.2)"},
      {"UAS: response without To tag",
       false,
       {},
       resp([](auto& s) { s.to = "Bob <sip:bob@biloxi.example.com>"; }),
       error_code::no_to_tag,
       "response To has no tag: a dialog-creating response needs one (RFC 3261 12.1.1)"},
      {"UAC: response without Contact",
       true,
       {},
       resp([](auto& s) { s.contact = ""; }),
       error_code::no_contact,
       "no Contact header field: the remote target comes from it (RFC 3261 12.1)"},
      {"UAS: request without Contact",
       false,
       req([](auto& s) { s.contact = ""; }),
       {},
       error_code::no_contact,
       "no Contact header field: the remote target comes from it (RFC 3261 12.1)"},
      {"UAC: unparsable Contact",
       true,
       {},
       resp([](auto& s) { s.contact = "<sip:bob@>"; }),
       error_code::bad_contact,
       ""},
      {"UAC: Contact star",
       true,
       {},
       resp([](auto& s) { s.contact = "*"; }),
       error_code::bad_contact,
       "Contact \"*\" is allowed only in REGISTER (RFC 3261 8.1.1.8, 10.2.2)"},
      {"UAC: two Contacts",
       true,
       {},
       resp([](auto& s) { s.contact = "<sip:bob@192.0.2.4>, <sip:bob@192.0.2.5>"; }),
       error_code::bad_contact,
       "Contact has 2 entries, expected exactly one (RFC 3261 8.1.1.8)"},
      {"UAC: tel Contact",
       true,
       {},
       resp([](auto& s) { s.contact = "<tel:+15551234>"; }),
       error_code::bad_contact,
       "Contact URI \"tel:+15551234\" is not a SIP or SIPS URI (RFC 3261 8.1.1.8)"},
      {"UAC: unparsable Record-Route",
       true,
       {},
       resp([](auto& s) {
         s.record_route = {"<sip:p1.example.com;lr>", "<sip:@@>"};
       }),
       error_code::bad_record_route,
       ""},
      {"UAC: 100 Trying",
       true,
       {},
       resp([](auto& s) {
         s.status = 100;
         s.reason = "Trying";
       }),
       error_code::not_dialog_creating,
       "status 100 creates no dialog: expected 101-199 or 2xx (RFC 3261 12.1)"},
      {"UAS: 486 Busy Here",
       false,
       {},
       resp([](auto& s) {
         s.status = 486;
         s.reason = "Busy Here";
       }),
       error_code::not_dialog_creating,
       "status 486 creates no dialog: expected 101-199 or 2xx (RFC 3261 12.1)"},
      {"UAC: not an INVITE",
       true,
       req([](auto& s) {
         s.method = "OPTIONS";
         s.cseq = "314159 OPTIONS";
       }),
       {},
       error_code::not_invite,
       "dialog-creating request must be an INVITE, got \"OPTIONS\" (RFC 3261 12.1)"},
      {"UAC: From without tag",
       true,
       req([](auto& s) { s.from = "<sip:alice@a.example.com>"; }),
       {},
       error_code::no_from_tag,
       "request From has no tag (RFC 3261 8.1.1.3)"},
      {"UAC: Call-ID mismatch",
       true,
       {},
       resp([](auto& s) { s.call_id = "other@example.com"; }),
       error_code::call_id_mismatch,
       "response Call-ID \"other@example.com\" differs from the request's "
       "\"a84b4c76e66710@pc33.atlanta.example.com\" (RFC 3261 8.2.6.2)"},
      {"UAS: no CSeq",
       false,
       req([](auto& s) { s.cseq = ""; }),
       {},
       error_code::bad_cseq,
       "request has no parsable CSeq (RFC 3261 8.1.1.5)"},
  };
  for (const auto& r : rows) {
    INFO(r.name);
    auto request = build(r.request);
    auto response = build(r.response);
    REQUIRE_NOTHROW(r.uac ? dlg::dialog::create_uac(request, response, false)
                          : dlg::dialog::create_uas(request, response, false));
    auto d = r.uac ? dlg::dialog::create_uac(request, response, false)
                   : dlg::dialog::create_uas(request, response, false);
    REQUIRE_FALSE(d.ok());
    CHECK(d.err().code == r.code);
    if (!r.text.empty()) CHECK(d.err().text == r.text);
    CHECK_FALSE(d.err().text.empty());
  }
}
