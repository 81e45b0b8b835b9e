#pragma once
// Test support for the rule observers: messages parsed as the engine parses them, fed to one
// observer in trace order, and the verdicts of one rule picked out.
#include "observer.hpp"
#include "sipwright/checks/verdict.hpp"
#include "sipwright/parser/parser.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sipwright::checks::test {

// "\n" -> "\r\n", so messages read naturally in the tests.
inline std::string crlf(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

// One datagram, parsed as the engine does: validated, not strict (grammar errors become the
// message's diagnostics instead of stopping it).
inline sip::message parse(std::string_view datagram) {
  parser::parser p(parser::options{parser::mode::datagram, {}, true, false});
  const auto r = p.put(datagram);
  INFO(p.error().text);
  REQUIRE(r.status == parser::status::done);
  return p.release();
}

// Headers (lines ending in \n) and a body: Content-Length is what the body holds unless the
// headers carry one already.
inline std::string with_body(std::string_view head, std::string_view body) {
  std::string h = crlf(head);
  if (h.find("Content-Length:") == std::string::npos)
    h += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  return h + "\r\n" + std::string(body);
}

// `text` with its first `from` replaced by `to` (a test's edit of a conformant message).
inline std::string edited(std::string text, std::string_view from, std::string_view to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

// Virtual time: `t` after the start of the call (the clock's epoch).
inline detail::clock::time_point at_ms(std::chrono::milliseconds t) {
  return detail::clock::time_point{} + t;
}

// One observer and the trace it has seen: feed() numbers the messages 0, 1, 2 ... and stamps
// them with the virtual time set by at() (the call's start until then).
class feeder {
public:
  explicit feeder(std::unique_ptr<detail::observer> o) : observer_(std::move(o)) {}

  std::size_t feed(const sip::message& m, direction dir, bool retransmission = false) {
    const std::size_t index = next_++;
    observer_->on_message(observed{m, dir, now_, index, retransmission}, out_);
    return index;
  }
  // What is fed next happens `t` after the start of the call.
  feeder& at(std::chrono::milliseconds t) {
    now_ = at_ms(t);
    return *this;
  }
  // The call ends `t` after its start: the rules still waiting conclude.
  void end(std::chrono::milliseconds t) { observer_->on_end(at_ms(t), out_); }
  std::size_t received(std::string_view datagram) {
    return feed(parse(datagram), direction::received);
  }
  std::size_t sent(std::string_view datagram) { return feed(parse(datagram), direction::sent); }
  // A copy of what was received or sent before (the transport layer marks it so).
  std::size_t received_again(std::string_view datagram) {
    return feed(parse(datagram), direction::received, true);
  }
  std::size_t sent_again(std::string_view datagram) {
    return feed(parse(datagram), direction::sent, true);
  }

  const verdicts& out() const { return out_; }
  std::vector<verdict> of(rule_id r) const {
    std::vector<verdict> v;
    for (const auto& x : out_.all())
      if (x.rule == r) v.push_back(x);
    return v;
  }
  std::vector<verdict> failures() const {
    std::vector<verdict> v;
    for (const auto& x : out_.all())
      if (x.outcome == outcome::fail || x.outcome == outcome::warn) v.push_back(x);
    return v;
  }

private:
  std::unique_ptr<detail::observer> observer_;
  verdicts out_;
  std::size_t next_ = 0;
  detail::clock::time_point now_{};
};

// All verdicts as describe() prints them, for a failing CHECK's message.
inline std::string described(const std::vector<verdict>& vs) {
  std::string s;
  for (const auto& v : vs) s += describe(v) + "\n";
  return s;
}

// The one failure (or warning) `f` has seen; the test stops if there is not exactly one.
// The outcomes of one rule's verdicts, in order.
inline std::vector<outcome> outcomes(const feeder& f, rule_id r) {
  std::vector<outcome> v;
  for (const auto& x : f.of(r)) v.push_back(x.outcome);
  return v;
}

inline verdict the_failure(const feeder& f) {
  const auto bad = f.failures();
  INFO(described(f.out().all()));
  REQUIRE(bad.size() == 1);
  return bad[0];
}

// The one verdict of rule `r`, as describe() prints it; the test stops if there is not exactly
// one.
inline std::string only(const feeder& f, rule_id r) {
  const auto v = f.of(r);
  INFO(described(f.out().all()));
  REQUIRE(v.size() == 1);
  return describe(v[0]);
}

// A call the harness places, the device being the callee (RFC 3261 24.2's addresses). The
// harness's INVITE, `via_params` following its Via branch:
inline std::string invite_to_device(std::string_view via_params = "") {
  return crlf("INVITE sip:bob@192.0.2.2 SIP/2.0\n"
              "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds" +
              std::string(via_params) +
              "\n"
              "Max-Forwards: 70\n"
              "To: Bob <sip:bob@192.0.2.2>\n"
              "From: Alice <sip:alice@192.0.2.1>;tag=1928301774\n"
              "Call-ID: a84b4c76e66710@192.0.2.1\n"
              "CSeq: 314159 INVITE\n"
              "Contact: <sip:alice@192.0.2.1:5060>\n"
              "Content-Length: 0\n"
              "\n");
}

// The device's response to it: `via_params` after the Via branch, `to_tag` after the To URI,
// `extra` lines before Content-Length.
inline std::string device_response(std::string_view status, std::string_view via_params,
                                   std::string_view to_tag, std::string_view extra) {
  return crlf("SIP/2.0 " + std::string(status) +
              "\n"
              "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds" +
              std::string(via_params) +
              "\n"
              "To: Bob <sip:bob@192.0.2.2>" +
              std::string(to_tag) +
              "\n"
              "From: Alice <sip:alice@192.0.2.1>;tag=1928301774\n"
              "Call-ID: a84b4c76e66710@192.0.2.1\n"
              "CSeq: 314159 INVITE\n" +
              std::string(extra) +
              "Content-Length: 0\n"
              "\n");
}

// The device ends the call it answered.
inline const std::string device_bye = crlf("BYE sip:alice@192.0.2.1:5060 SIP/2.0\n"
                                           "Via: SIP/2.0/UDP 192.0.2.2:5062;branch=z9hG4bKnashds7\n"
                                           "Max-Forwards: 70\n"
                                           "From: Bob <sip:bob@192.0.2.2>;tag=a6c85cf\n"
                                           "To: Alice <sip:alice@192.0.2.1>;tag=1928301774\n"
                                           "Call-ID: a84b4c76e66710@192.0.2.1\n"
                                           "CSeq: 231 BYE\n"
                                           "Content-Length: 0\n"
                                           "\n");

} // namespace sipwright::checks::test
