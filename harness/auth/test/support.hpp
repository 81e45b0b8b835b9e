#pragma once
// Parsed messages for the auth tests.
#include "sipwright/parser/parser.hpp"
#include "sipwright/sip/builder.hpp"
#include "sipwright/sip/message.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

namespace auth_test {

inline sipwright::sip::message parse(const std::string& bytes) {
  sipwright::parser::options opts;
  opts.strict = false; // the tests feed odd header values on purpose
  sipwright::parser::parser p(opts);
  REQUIRE(p.put(bytes).status == sipwright::parser::status::done);
  return p.release();
}

using header_list = std::vector<std::pair<std::string, std::string>>;

// A request with the usual headers plus the given ones.
inline sipwright::sip::message request(const std::string& method, const std::string& uri,
                                       const header_list& extra, const std::string& body = {}) {
  auto b = sipwright::sip::message_builder::request(method, uri);
  b.header("Via", "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds");
  b.header("Max-Forwards", "70");
  b.header("To", "<sip:bob@biloxi.example.com>");
  b.header("From", "<sip:alice@atlanta.example.com>;tag=1928301774");
  b.header("Call-ID", "a84b4c76e66710@pc33.atlanta.example.com");
  b.header("CSeq", "2 " + method);
  for (const auto& [n, v] : extra) b.header(n, v);
  if (!body.empty()) b.body("application/sdp", body);
  return parse(b.str());
}

inline sipwright::sip::message response(int status, const std::string& reason,
                                        const header_list& extra) {
  auto b = sipwright::sip::message_builder::response(status, reason);
  b.header("Via", "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds");
  b.header("To", "<sip:bob@biloxi.example.com>;tag=a6c85cf");
  b.header("From", "<sip:alice@atlanta.example.com>;tag=1928301774");
  b.header("Call-ID", "a84b4c76e66710@pc33.atlanta.example.com");
  b.header("CSeq", "1 INVITE");
  for (const auto& [n, v] : extra) b.header(n, v);
  return parse(b.str());
}

} // namespace auth_test
