// The reference device as registrar (RFC 3261 10.3), driven by a hand-written UDP peer: bindings
// added, refreshed and removed, the 200 listing them all, 423 with Min-Expires, and the fault
// switches that break these.
#include "support.hpp"

#include <catch2/catch.hpp>

namespace sipwright::refdut::test {
namespace {

refdut_options registrar(std::vector<std::string> faults = {}) {
  refdut_options o;
  o.local = "127.0.0.1:0";
  o.t1_ms = 50;
  o.timeout_s = 1.5; // no calls to count: the device stops on its own
  o.faults = std::move(faults);
  return o;
}

// A REGISTER for sip:bob@127.0.0.1 with these Contact (and Expires) lines.
std::string reg(const peer& p, const transport::endpoint& dut, std::uint32_t cseq,
                const std::vector<std::pair<std::string, std::string>>& lines) {
  auto b = sip::message_builder::request("REGISTER", "sip:" + dut.str());
  static int sent = 0; // a new transaction each time, also for a CSeq sent before
  b.header("Via",
           "SIP/2.0/UDP " + p.local().str() + ";branch=z9hG4bK-reg-" + std::to_string(++sent));
  b.header("Max-Forwards", "70");
  b.header("From", "<sip:bob@127.0.0.1>;tag=reg-tag");
  b.header("To", "<sip:bob@127.0.0.1>");
  b.header("Call-ID", "reg-1@127.0.0.1");
  b.header("CSeq", std::to_string(cseq) + " REGISTER");
  for (const auto& [name, value] : lines) b.header(name, value);
  return b.str();
}

// The response to the REGISTER with this CSeq, once it came.
const sip::message* answer_to(peer& p, std::uint32_t cseq) {
  const sip::message* found = nullptr;
  p.run_until([&] {
    for (const auto& a : p.got)
      if (a.msg.is_response() && a.msg.cseq() && a.msg.cseq()->number == cseq) found = &a.msg;
    return found != nullptr;
  });
  return found;
}

std::vector<std::string> contacts(const sip::message& m) {
  std::vector<std::string> out;
  for (auto v : m.all_elements(sip::header_id::contact)) out.emplace_back(v);
  return out;
}

} // namespace

TEST_CASE("registrar: bindings with their expires and Contact parameters, refreshed and removed "
          "[RFC 3261 10.3]",
          "[refdut][registrar]") {
  device d(registrar());
  peer p;
  const auto dut = d.where();
  const std::string desk = "<sip:desk@" + p.local().str() + ">";
  const std::string mobile = "<sip:mobile@" + p.local().str() + ";transport=udp>";

  // Step 8: the 200 lists the binding with the registered parameters and the expires chosen.
  p.send(dut, reg(p, dut, 1, {{"Contact", desk + ";q=0.5;+sip.x=\"a;expires=9\";expires=120"}}));
  const auto* first = answer_to(p, 1);
  REQUIRE(first);
  CHECK(first->status_code() == 200);
  CHECK(contacts(*first) ==
        std::vector<std::string>{desk + ";q=0.5;+sip.x=\"a;expires=9\";expires=120"});
  CHECK(first->find(sip::header_id::date));
  CHECK_FALSE(to_tag_of(*first).empty());

  // A second binding from the Expires header, shortened to the registrar's maximum (7200 s).
  p.send(dut, reg(p, dut, 2, {{"Contact", mobile}, {"Expires", "86400"}}));
  const auto* second = answer_to(p, 2);
  REQUIRE(second);
  CHECK(contacts(*second) == std::vector<std::string>{desk + ";q=0.5;+sip.x=\"a;expires=9\";"
                                                             "expires=120",
                                                      mobile + ";expires=7200"});

  // Step 7: below an hour and below the minimum: 423 with Min-Expires, nothing changed.
  p.send(dut, reg(p, dut, 3, {{"Contact", desk + ";expires=30"}}));
  const auto* brief = answer_to(p, 3);
  REQUIRE(brief);
  CHECK(brief->start_line() == "SIP/2.0 423 Interval Too Brief");
  CHECK(brief->value(sip::header_id::min_expires) == "60");

  // Step 7: the same Call-ID with a CSeq not higher than the binding's fails.
  p.send(dut, reg(p, dut, 1, {{"Contact", desk}}));
  p.run_for(100ms);
  CHECK(p.responses(500, "REGISTER").size() == 1);

  // Step 6: "*" only with Expires: 0.
  p.send(dut, reg(p, dut, 4, {{"Contact", "*"}, {"Expires", "60"}}));
  const auto* star = answer_to(p, 4);
  REQUIRE(star);
  CHECK(star->status_code() == 400);

  // 10.2.2: expires=0 removes one binding; the other is listed alone.
  p.send(dut, reg(p, dut, 5, {{"Contact", desk + ";expires=0"}}));
  const auto* removed = answer_to(p, 5);
  REQUIRE(removed);
  CHECK(contacts(*removed) == std::vector<std::string>{mobile + ";expires=7200"});

  // 10.2.2: "*" with Expires: 0 removes every binding; the 200 lists none.
  p.send(dut, reg(p, dut, 6, {{"Contact", "*"}, {"Expires", "0"}}));
  const auto* all = answer_to(p, 6);
  REQUIRE(all);
  CHECK(all->status_code() == 200);
  CHECK(contacts(*all).empty());

  // A REGISTER without Contact is a query: still nothing bound.
  p.send(dut, reg(p, dut, 7, {}));
  const auto* query = answer_to(p, 7);
  REQUIRE(query);
  CHECK(query->status_code() == 200);
  CHECK(contacts(*query).empty());
  CHECK(d.out().find("refdut: REGISTER from " + p.local().str() +
                     " for sip:bob@127.0.0.1 -> 200 (2 bindings)\n") != std::string::npos);
}

TEST_CASE("registrar: the fault switches register-no-expires and 423-no-min-expires",
          "[refdut][registrar][faults]") {
  device d(registrar({"register-no-expires", "423-no-min-expires"}));
  peer p;
  const auto dut = d.where();
  const std::string desk = "<sip:desk@" + p.local().str() + ">";
  p.send(dut, reg(p, dut, 1, {{"Contact", desk + ";q=0.5"}, {"Expires", "300"}}));
  const auto* ok = answer_to(p, 1);
  REQUIRE(ok);
  CHECK(contacts(*ok) == std::vector<std::string>{desk + ";q=0.5"});
  p.send(dut, reg(p, dut, 2, {{"Contact", desk}, {"Expires", "5"}}));
  const auto* brief = answer_to(p, 2);
  REQUIRE(brief);
  CHECK(brief->status_code() == 423);
  CHECK_FALSE(brief->find(sip::header_id::min_expires));
}

TEST_CASE("registrar: an expiry too large for 64 bits is clamped, not refused "
          "[RFC 3261 20.19, 10.2.1.1]",
          "[refdut][registrar]") {
  device d(registrar());
  peer p;
  const auto dut = d.where();
  const std::string desk = "<sip:desk@" + p.local().str() + ">";
  const std::string mobile = "<sip:mobile@" + p.local().str() + ">";
  const std::string huge = "123456789012345678901234567890"; // above 2^64
  // The Expires header and the expires parameter alike: 2^32-1, then the registrar's maximum.
  p.send(dut, reg(p, dut, 1, {{"Contact", desk}, {"Expires", huge}}));
  const auto* header = answer_to(p, 1);
  REQUIRE(header);
  CHECK(header->status_code() == 200);
  CHECK(contacts(*header) == std::vector<std::string>{desk + ";expires=7200"});
  p.send(dut, reg(p, dut, 2, {{"Contact", mobile + ";expires=0000" + huge}}));
  const auto* param = answer_to(p, 2);
  REQUIRE(param);
  CHECK(param->status_code() == 200);
  CHECK(contacts(*param) ==
        std::vector<std::string>{desk + ";expires=7200", mobile + ";expires=7200"});
  // Not a number is still refused.
  p.send(dut, reg(p, dut, 3, {{"Contact", desk}, {"Expires", "12x"}}));
  const auto* bad = answer_to(p, 3);
  REQUIRE(bad);
  CHECK(bad->status_code() == 400);
}

} // namespace sipwright::refdut::test
