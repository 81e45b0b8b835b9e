// Request-URI and Route of requests within a dialog (RFC 3261 12.2.1.1).
#include "messages.hpp"
#include "sipwright/dialog/dialog.hpp"
#include "sipwright/dialog/routing.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace dlg = sipwright::dialog;
using dialog_test::build;
using dialog_test::request_spec;
using dialog_test::response_spec;
using dlg::dialog;
using dlg::request_target;

TEST_CASE("Loose routing: Request-URI is the remote target, Route the route set [RFC 3261 "
          "12.2.1.1]",
          "[routing][rfc3261-12.2.1.1]") {
  response_spec ok;
  ok.record_route = {"<sip:p3.example.com;lr>", "<sip:p2.example.com;lr>",
                     "<sip:p1.example.com;lr>"};
  auto d = dlg::dialog::create_uac(build(request_spec{}), build(ok), false);
  REQUIRE(d.ok());
  CHECK(d.value().target() == request_target{"sip:bob@192.0.2.4",
                                             {"<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>",
                                              "<sip:p3.example.com;lr>"}});
}

TEST_CASE("Strict routing: Request-URI is the first route, the remote target ends Route [RFC "
          "3261 12.2.1.1]",
          "[routing][rfc3261-12.2.1.1]") {
  response_spec ok;
  ok.record_route = {"<sip:p2.example.com;lr>", "<sip:p1.example.com;transport=tcp>"};
  auto d = dlg::dialog::create_uac(build(request_spec{}), build(ok), false);
  REQUIRE(d.ok());
  CHECK(d.value().target() == request_target{"sip:p1.example.com;transport=tcp",
                                             {"<sip:p2.example.com;lr>", "<sip:bob@192.0.2.4>"}});

  // A single strict router: Route holds only the remote target.
  std::vector<std::string> one = {"sip:p1.example.com"};
  CHECK(dlg::target_for(one, "sip:bob@192.0.2.4") ==
        request_target{"sip:p1.example.com", {"<sip:bob@192.0.2.4>"}});
}

TEST_CASE("Strict routing drops a method parameter and headers from the Request-URI [RFC 3261 "
          "19.1.1]",
          "[routing][rfc3261-19.1.1]") {
  CHECK(dlg::request_uri_form("sip:p1.example.com;transport=tcp;method=INVITE;maddr=10.0.0.1"
                              "?subject=x") == "sip:p1.example.com;transport=tcp;maddr=10.0.0.1");
  CHECK(dlg::request_uri_form("sip:p1.example.com?subject=x") == "sip:p1.example.com");
  CHECK(dlg::request_uri_form("sip:p1.example.com:5070;lr") == "sip:p1.example.com:5070;lr");
  CHECK(dlg::request_uri_form("not a uri") == "not a uri");
  std::vector<std::string> routes = {"sip:p1.example.com;method=BYE;ttl=2?h=v",
                                     "sip:p2.example.com;lr"};
  CHECK(dlg::target_for(routes, "sip:bob@192.0.2.4") ==
        request_target{"sip:p1.example.com;ttl=2",
                       {"<sip:p2.example.com;lr>", "<sip:bob@192.0.2.4>"}});
}

TEST_CASE("Empty route set: Request-URI is the remote target, no Route [RFC 3261 12.2.1.1]",
          "[routing][rfc3261-12.2.1.1]") {
  auto d = dlg::dialog::create_uac(build(request_spec{}), build(response_spec{}), false);
  REQUIRE(d.ok());
  CHECK(d.value().target() == request_target{"sip:bob@192.0.2.4", {}});
  std::vector<std::string> bad = {"<<not a uri"};
  CHECK_FALSE(dlg::target_for(bad, "sip:bob@192.0.2.4"));
}

TEST_CASE("ACK of a 2xx: Request-URI from its Contact, Route from its reversed Record-Route "
          "[RFC 3261 13.2.2.4 12.2.1.1]",
          "[routing][rfc3261-13.2.2.4]") {
  response_spec ok;
  ok.contact = "Bob <sip:bob@192.0.2.4;transport=udp>;expires=60";
  ok.record_route = {"<sip:p2.example.com;lr>, <sip:p1.example.com;lr;foo=bar>;hp=1"};
  auto msg = build(ok);
  auto routes = dlg::route_set_of(msg, true);
  REQUIRE(routes.ok());
  CHECK(routes.value() ==
        std::vector<std::string>{"sip:p1.example.com;lr;foo=bar", "sip:p2.example.com;lr"});
  auto target = dlg::contact_uri_of(msg);
  REQUIRE(target.ok());
  CHECK(target.value() == "sip:bob@192.0.2.4;transport=udp");
  CHECK(dlg::target_for(routes.value(), target.value()) ==
        request_target{"sip:bob@192.0.2.4;transport=udp",
                       {"<sip:p1.example.com;lr;foo=bar>", "<sip:p2.example.com;lr>"}});
  auto in_order = dlg::route_set_of(msg, false);
  REQUIRE(in_order.ok());
  CHECK(in_order.value() ==
        std::vector<std::string>{"sip:p2.example.com;lr", "sip:p1.example.com;lr;foo=bar"});
}
