#pragma once
// Builds the parsed messages the dialog tests feed in: an Alice-to-Bob INVITE (RFC 3261 24.2
// style) and its responses; a field left empty is not written.
#include "sipwright/parser/parser.hpp"
#include "sipwright/sip/builder.hpp"
#include "sipwright/sip/message.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace dialog_test {

struct request_spec {
  std::string method = "INVITE";
  std::string uri = "sip:bob@biloxi.example.com";
  std::string to = "Bob <sip:bob@biloxi.example.com>";
  std::string from = "Alice <sip:alice@atlanta.example.com>;tag=1928301774";
  std::string call_id = "a84b4c76e66710@pc33.atlanta.example.com";
  std::string cseq = "314159 INVITE";
  std::string contact = "<sip:alice@pc33.atlanta.example.com>";
  std::vector<std::string> record_route; // one header row each
};

struct response_spec {
  int status = 200;
  std::string reason = "OK";
  std::string to = "Bob <sip:bob@biloxi.example.com>;tag=a6c85cf";
  std::string from = "Alice <sip:alice@atlanta.example.com>;tag=1928301774";
  std::string call_id = "a84b4c76e66710@pc33.atlanta.example.com";
  std::string cseq = "314159 INVITE";
  std::string contact = "<sip:bob@192.0.2.4>";
  std::vector<std::string> record_route; // one header row each
};

inline sipwright::sip::message parse(const std::string& bytes) {
  sipwright::parser::options opts;
  opts.strict = false; // the tests feed malformed values on purpose
  sipwright::parser::parser p(opts);
  REQUIRE(p.put(bytes).status == sipwright::parser::status::done);
  return p.release();
}

inline void add(sipwright::sip::message_builder& b, const char* name, const std::string& value) {
  if (!value.empty()) b.header(name, value);
}

// The headers requests and responses share in these tests: Record-Route, To, From, Call-ID,
// CSeq, Contact (an empty value leaves the header out).
template <class Spec>
void add_dialog_headers(sipwright::sip::message_builder& b, const Spec& s) {
  for (const auto& rr : s.record_route) b.header("Record-Route", rr);
  add(b, "To", s.to);
  add(b, "From", s.from);
  add(b, "Call-ID", s.call_id);
  add(b, "CSeq", s.cseq);
  add(b, "Contact", s.contact);
}

inline sipwright::sip::message build(const request_spec& s) {
  auto b = sipwright::sip::message_builder::request(s.method, s.uri);
  b.header("Via", "SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds");
  b.header("Max-Forwards", "70");
  add_dialog_headers(b, s);
  return parse(b.str());
}

inline sipwright::sip::message build(const response_spec& s) {
  auto b = sipwright::sip::message_builder::response(s.status, s.reason);
  b.header("Via", "SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds");
  add_dialog_headers(b, s);
  return parse(b.str());
}

} // namespace dialog_test
