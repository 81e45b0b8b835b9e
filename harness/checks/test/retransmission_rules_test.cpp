// The device is the callee and answered the harness's INVITE: its 2xx carries a Contact and the
// Record-Route (RFC 3261 12.1.1) and is retransmitted from T1, doubling up to T2, until the ACK
// (13.3.1.4); a final non-2xx follows Timer G (17.2.1). Judged in virtual time from the arrival of
// each copy, with T1 = 500 ms, T2 = 4 s and the default tolerance (+- half the interval + 50 ms).
#include "support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <optional>
#include <string>
#include <tuple>

using namespace sipwright;
using namespace sipwright::checks;
using namespace sipwright::checks::test;
using namespace std::chrono_literals;
using std::chrono::milliseconds;

namespace {

// What the harness sends (the device is the callee).
const std::string invite = invite_to_device();

// The device's answers to it.
std::string response(std::string_view status, std::string_view extra) {
  return device_response(status, "", ";tag=a6c85cf", extra);
}
const std::string ok_200 = response("200 OK", "Contact: <sip:bob@192.0.2.2:5062>\n");
const std::string busy_486 = response("486 Busy Here", "");

// The harness's ACKs: a new transaction for the 2xx, the INVITE's for the 486 (17.1.1.3).
std::string ack(std::string_view request_uri, std::string_view branch) {
  return crlf("ACK " + std::string(request_uri) +
              " SIP/2.0\n"
              "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=" +
              std::string(branch) +
              "\n"
              "Max-Forwards: 70\n"
              "To: Bob <sip:bob@192.0.2.2>;tag=a6c85cf\n"
              "From: Alice <sip:alice@192.0.2.1>;tag=1928301774\n"
              "Call-ID: a84b4c76e66710@192.0.2.1\n"
              "CSeq: 314159 ACK\n"
              "Content-Length: 0\n"
              "\n");
}
const std::string ack_2xx = ack("sip:bob@192.0.2.2:5062", "z9hG4bKack2xx");
const std::string ack_486 = ack("sip:bob@192.0.2.2", "z9hG4bK776asdhds");

// One call in virtual time: the INVITE at 0 (msg #1), then the device's copies of `response`,
// the harness's ACK and the device's BYE in time order (a copy before an ACK at the same time).
struct flow {
  std::vector<milliseconds> copies;
  std::optional<milliseconds> ack;
  milliseconds end;
  std::string response = ok_200;
  std::optional<milliseconds> bye = std::nullopt;
  std::string request = invite;
  timing t{};
};

feeder run(const flow& fl) {
  feeder f(detail::make_retransmission_rules(fl.t));
  f.at(0ms).sent(fl.request);
  enum kind { copy, ack, bye_ };
  std::vector<std::tuple<milliseconds, kind>> events;
  for (auto c : fl.copies) events.emplace_back(c, copy);
  if (fl.ack) events.emplace_back(*fl.ack, ack);
  if (fl.bye) events.emplace_back(*fl.bye, bye_);
  std::stable_sort(events.begin(), events.end());
  const bool success = fl.response.starts_with("SIP/2.0 2");
  bool first = true;
  for (const auto& [at, what] : events) {
    f.at(at);
    switch (what) {
    case copy:
      if (first)
        f.received(fl.response);
      else
        f.received_again(fl.response);
      first = false;
      break;
    case ack:
      f.sent(success ? ack_2xx : ack_486);
      break;
    case bye_:
      f.received(device_bye);
      break;
    }
  }
  f.end(fl.end);
  return f;
}

// The RFC schedule from 0 with T1 = 500 ms, T2 = 4 s: 0, 0.5, 1.5, 3.5, 7.5, 11.5 ... s.
std::vector<milliseconds> schedule(std::size_t copies) {
  std::vector<milliseconds> v{0ms};
  milliseconds interval = 500ms;
  while (v.size() < copies) {
    v.push_back(v.back() + interval);
    interval = std::min(interval * 2, milliseconds(4000));
  }
  return v;
}

} // namespace

TEST_CASE("a 2xx retransmitted at T1, doubling, until the ACK passes (RFC 3261 13.3.1.4)",
          "[checks][retransmission][rfc3261]") {
  auto f = run({{0ms, 500ms, 1500ms, 3500ms}, 3600ms, 10s});
  INFO(described(f.out().all()));
  CHECK(f.failures().empty());
  CHECK(only(f, rule_id::uas_2xx_retransmit) ==
        "uas-2xx.retransmit PASS (RFC 3261 13.3.1.4): intervals 500 ms, 1000 ms, 2000 ms (msg #2, "
        "#3, #4, #5)");
  CHECK(only(f, rule_id::uas_2xx_stop_on_ack) == "uas-2xx.stop-on-ack PASS (RFC 3261 13.3.1.4)");
  CHECK(only(f, rule_id::uas_2xx_contact) == "uas-2xx.contact PASS (RFC 3261 12.1.1) (msg #2)");
  CHECK(only(f, rule_id::uas_2xx_record_route) ==
        "uas-2xx.record-route N/A (RFC 3261 12.1.1): the INVITE had no Record-Route");
  CHECK(only(f, rule_id::uas_2xx_bye_without_ack) ==
        "uas-2xx.bye-without-ack N/A (RFC 3261 13.3.1.4): the harness ACKed the 2xx");
  CHECK(f.of(rule_id::uas_non2xx_retransmit).empty());
}

TEST_CASE("2xx retransmission intervals stop doubling at T2 (RFC 3261 13.3.1.4)",
          "[checks][retransmission][rfc3261]") {
  SECTION("capped at T2: pass") {
    auto f = run({schedule(6), 11600ms, 20s});
    INFO(described(f.out().all()));
    CHECK(f.failures().empty());
    CHECK(only(f, rule_id::uas_2xx_retransmit) ==
          "uas-2xx.retransmit PASS (RFC 3261 13.3.1.4): intervals 500 ms, 1000 ms, 2000 ms, 4000 "
          "ms, 4000 ms (msg #2, #3, #4, #5, #6, #7)");
  }
  SECTION("doubling past T2: fail") {
    auto f = run({{0ms, 500ms, 1500ms, 3500ms, 7500ms, 15500ms}, 15600ms, 25s});
    CHECK(
        describe(the_failure(f)) ==
        "uas-2xx.retransmit FAIL (RFC 3261 13.3.1.4): expected the 2xx again after 500 ms, 1000 "
        "ms, 2000 ms, 4000 ms, 4000 ms, 4000 ms until the ACK, observed retransmission 5 came "
        "8000 ms after the previous one, expected 4000 ms +- 2050 ms (intervals: 500 ms, 1000 ms, "
        "2000 ms, 4000 ms, 8000 ms) (msg #2, #3, #4, #5, #6, #7)");
  }
}

TEST_CASE("a 2xx retransmission schedule that breaks 13.3.1.4 fails with the schedule observed",
          "[checks][retransmission][rfc3261]") {
  SECTION("not doubling") {
    auto f = run({{0ms, 500ms, 1000ms, 1500ms}, 3600ms, 10s});
    CHECK(describe(the_failure(f)) ==
          "uas-2xx.retransmit FAIL (RFC 3261 13.3.1.4): expected the 2xx again after 500 ms, 1000 "
          "ms, 2000 ms until the ACK, observed retransmission 3 came 500 ms after the previous "
          "one, expected 2000 ms +- 1050 ms (intervals: 500 ms, 500 ms, 500 ms) (msg #2, #3, #4, "
          "#5)");
  }
  SECTION("no retransmission while the ACK is delayed 3 s") {
    auto f = run({{0ms}, 3000ms, 10s});
    CHECK(describe(the_failure(f)) ==
          "uas-2xx.retransmit FAIL (RFC 3261 13.3.1.4): expected the 2xx again after 500 ms, 1000 "
          "ms until the ACK, observed 0 retransmissions within 3000 ms, expected 2 (intervals: "
          "none) (msg #2)");
  }
  SECTION("the first retransmission late") {
    auto f = run({{0ms, 1500ms, 2500ms}, 3000ms, 10s});
    CHECK(describe(the_failure(f)) ==
          "uas-2xx.retransmit FAIL (RFC 3261 13.3.1.4): expected the 2xx again after 500 ms, 1000 "
          "ms until the ACK, observed retransmission 1 came 1500 ms after the previous one, "
          "expected 500 ms +- 300 ms (intervals: 1500 ms, 1000 ms) (msg #2, #3, #4)");
  }
  SECTION("the ACK before T1: nothing to judge") {
    auto f = run({{0ms}, 300ms, 10s});
    CHECK(f.failures().empty());
    CHECK(only(f, rule_id::uas_2xx_retransmit) ==
          "uas-2xx.retransmit N/A (RFC 3261 13.3.1.4): the ACK went out 300 ms after the 2xx, "
          "before T1 (500 ms)");
    CHECK(only(f, rule_id::uas_2xx_stop_on_ack) == "uas-2xx.stop-on-ack PASS (RFC 3261 13.3.1.4)");
  }
}

TEST_CASE("2xx retransmissions stop once the ACK has arrived (RFC 3261 13.3.1.4)",
          "[checks][retransmission][rfc3261]") {
  SECTION("copies continuing for 8 s after the ACK") {
    auto f = run({schedule(6), 3600ms, 20s});
    CHECK(describe(the_failure(f)) ==
          "uas-2xx.stop-on-ack FAIL (RFC 3261 13.3.1.4): expected no 2xx after the ACK, observed 2 "
          "more copies after the ACK, the last 7900 ms after it (msg #7, #8)");
    CHECK(f.of(rule_id::uas_2xx_retransmit)[0].outcome == outcome::pass);
  }
  SECTION("a copy in flight arrives 100 ms after the ACK") {
    for (const auto& [copies, ack] :
         {std::pair{schedule(3), 1400ms}, std::pair{schedule(4), 3400ms}}) {
      auto f = run({copies, ack, 10s});
      INFO(described(f.out().all()));
      CHECK(f.failures().empty());
      CHECK(f.of(rule_id::uas_2xx_retransmit)[0].outcome == outcome::pass);
      CHECK(only(f, rule_id::uas_2xx_stop_on_ack) ==
            "uas-2xx.stop-on-ack PASS (RFC 3261 13.3.1.4)");
    }
  }
  SECTION("the call ends before T2 after the ACK") {
    auto f = run({schedule(2), 600ms, 2s});
    CHECK(f.failures().empty());
    CHECK(only(f, rule_id::uas_2xx_stop_on_ack) ==
          "uas-2xx.stop-on-ack N/A (RFC 3261 13.3.1.4): the call ended 1400 ms after the ACK, "
          "before T2");
  }
}

TEST_CASE("the 2xx carries a Contact and copies the Record-Route (RFC 3261 12.1.1)",
          "[checks][retransmission][rfc3261]") {
  const std::string rr = "Record-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>\r\n";
  SECTION("no Contact") {
    auto f = run({{0ms}, 100ms, 10s, edited(ok_200, "Contact: <sip:bob@192.0.2.2:5062>\r\n", "")});
    CHECK(describe(the_failure(f)) ==
          "uas-2xx.contact FAIL (RFC 3261 12.1.1): expected one Contact with a SIP or SIPS URI, "
          "observed no Contact header field: the remote target comes from it (RFC 3261 12.1) (msg "
          "#1, #2)");
  }
  SECTION("a tel: Contact") {
    auto f =
        run({{0ms}, 100ms, 10s, edited(ok_200, "<sip:bob@192.0.2.2:5062>", "<tel:+15551234>")});
    CHECK(the_failure(f).rule == rule_id::uas_2xx_contact);
  }
  SECTION("Record-Route copied") {
    auto f = run({{0ms},
                  100ms,
                  10s,
                  edited(ok_200, "Content-Length", rr + "Content-Length"),
                  std::nullopt,
                  edited(invite, "Content-Length", rr + "Content-Length")});
    INFO(described(f.out().all()));
    CHECK(f.failures().empty());
    CHECK(only(f, rule_id::uas_2xx_record_route) ==
          "uas-2xx.record-route PASS (RFC 3261 12.1.1) (msg #2)");
  }
  SECTION("Record-Route not copied") {
    auto f = run({{0ms},
                  100ms,
                  10s,
                  ok_200,
                  std::nullopt,
                  edited(invite, "Content-Length", rr + "Content-Length")});
    CHECK(describe(the_failure(f)) ==
          "uas-2xx.record-route FAIL (RFC 3261 12.1.1): expected Record-Route "
          "<sip:p1.example.com;lr>, <sip:p2.example.com;lr>, observed Record-Route (none) (msg #1, "
          "#2)");
  }
  SECTION("a proxy's entry above the INVITE's: copied (RFC 3261 16.6 step 4)") {
    auto f = run({{0ms},
                  100ms,
                  10s,
                  edited(ok_200, "Content-Length",
                         "Record-Route: <sip:proxy.example.net;lr>\r\n" + rr + "Content-Length"),
                  std::nullopt,
                  edited(invite, "Content-Length", rr + "Content-Length")});
    CHECK(only(f, rule_id::uas_2xx_record_route) ==
          "uas-2xx.record-route PASS (RFC 3261 12.1.1) (msg #2)");
  }
  SECTION("an extra entry below the INVITE's: not a copy") {
    auto f = run({{0ms},
                  100ms,
                  10s,
                  edited(ok_200, "Content-Length",
                         rr + "Record-Route: <sip:extra.example.net;lr>\r\nContent-Length"),
                  std::nullopt,
                  edited(invite, "Content-Length", rr + "Content-Length")});
    CHECK(describe(the_failure(f)) ==
          "uas-2xx.record-route FAIL (RFC 3261 12.1.1): expected Record-Route "
          "<sip:p1.example.com;lr>, <sip:p2.example.com;lr> at the end (proxies' entries above), "
          "observed Record-Route <sip:p1.example.com;lr>, <sip:p2.example.com;lr>, "
          "<sip:extra.example.net;lr> (msg #1, #2)");
  }
  SECTION("Record-Route reversed") {
    auto f = run({{0ms},
                  100ms,
                  10s,
                  edited(ok_200, "Content-Length",
                         "Record-Route: <sip:p2.example.com;lr>, <sip:p1.example.com;lr>\r\n"
                         "Content-Length"),
                  std::nullopt,
                  edited(invite, "Content-Length", rr + "Content-Length")});
    CHECK(the_failure(f).rule == rule_id::uas_2xx_record_route);
  }
}

TEST_CASE("a 2xx never ACKed: the device should end the dialog with BYE after 64*T1 "
          "(RFC 3261 13.3.1.4)",
          "[checks][retransmission][rfc3261]") {
  // 0.5 s ... 31.5 s: the copies 64*T1 (32 s) allows, then the device gives up.
  const auto copies = schedule(11);
  REQUIRE(copies.back() == 31500ms);
  SECTION("the device sends BYE") {
    auto f = run({copies, std::nullopt, 40s, ok_200, 32s});
    INFO(described(f.out().all()));
    CHECK(f.failures().empty());
    CHECK(only(f, rule_id::uas_2xx_bye_without_ack) ==
          "uas-2xx.bye-without-ack PASS (RFC 3261 13.3.1.4) (msg #13)");
    CHECK(only(f, rule_id::uas_2xx_stop_on_ack) ==
          "uas-2xx.stop-on-ack N/A (RFC 3261 13.3.1.4): the harness sent no ACK");
    // Retransmitting for 64*T1 and no longer is the schedule (13.3.1.4).
    CHECK(f.of(rule_id::uas_2xx_retransmit)[0].outcome == outcome::pass);
  }
  SECTION("no BYE within 64*T1 + T2: a warning (SHOULD)") {
    auto f = run({copies, std::nullopt, 40s});
    CHECK(describe(the_failure(f)) ==
          "uas-2xx.bye-without-ack WARN (RFC 3261 13.3.1.4): expected a BYE about 64*T1 (32000 "
          "ms) after the 2xx that was never ACKed, observed no BYE within 40.000 s (msg #2)");
    CHECK_FALSE(f.out().any_failure());
    CHECK(f.out().any_warning());
  }
  SECTION("the call ends before 64*T1") {
    auto f = run({schedule(3), std::nullopt, 2s});
    INFO(described(f.out().all()));
    CHECK(f.failures().empty());
    CHECK(only(f, rule_id::uas_2xx_bye_without_ack) ==
          "uas-2xx.bye-without-ack N/A (RFC 3261 13.3.1.4): the call ended 2.000 s after the "
          "unACKed 2xx, before 64*T1");
  }
  SECTION("the device stops retransmitting before 64*T1") {
    auto f = run({schedule(5), std::nullopt, 40s, ok_200, 32s});
    CHECK(describe(the_failure(f)) ==
          "uas-2xx.retransmit FAIL (RFC 3261 13.3.1.4): expected the 2xx again after 500 ms, 1000 "
          "ms, 2000 ms, 4000 ms, 4000 ms, 4000 ms, 4000 ms, 4000 ms, ... until the ACK (none was "
          "sent), observed 4 retransmissions within 32000 ms, expected 9 (intervals: 500 ms, 1000 "
          "ms, 2000 ms, 4000 ms) (msg #2, #3, #4, #5, #6)");
  }
}

TEST_CASE("a final non-2xx is retransmitted with Timer G over UDP (RFC 3261 17.2.1)",
          "[checks][retransmission][rfc3261]") {
  SECTION("T1, 2T1, 4T1, then T2") {
    auto f = run({schedule(6), 11600ms, 20s, busy_486});
    INFO(described(f.out().all()));
    CHECK(f.failures().empty());
    CHECK(only(f, rule_id::uas_non2xx_retransmit) ==
          "uas-non2xx.retransmit PASS (RFC 3261 17.2.1): intervals 500 ms, 1000 ms, 2000 ms, 4000 "
          "ms, 4000 ms (msg #2, #3, #4, #5, #6, #7)");
    CHECK(only(f, rule_id::uas_non2xx_stop_on_ack) ==
          "uas-non2xx.stop-on-ack PASS (RFC 3261 17.2.1)");
    // None of the 2xx rules is armed by a 486.
    CHECK(f.of(rule_id::uas_2xx_contact).empty());
    CHECK(f.of(rule_id::uas_2xx_bye_without_ack).empty());
  }
  SECTION("every 2 s instead") {
    auto f = run({{0ms, 2000ms, 4000ms}, 4100ms, 20s, busy_486});
    CHECK(describe(the_failure(f)) ==
          "uas-non2xx.retransmit FAIL (RFC 3261 17.2.1): expected the 486 again after 500 ms, "
          "1000 ms, 2000 ms until the ACK, observed retransmission 1 came 2000 ms after the "
          "previous one, expected 500 ms +- 300 ms (intervals: 2000 ms, 2000 ms) (msg #2, #3, "
          "#4)");
  }
  SECTION("not stopping after the ACK") {
    auto f = run({schedule(6), 1600ms, 20s, busy_486});
    CHECK(describe(the_failure(f)) ==
          "uas-non2xx.stop-on-ack FAIL (RFC 3261 17.2.1): expected no 486 after the ACK, observed "
          "3 more copies after the ACK, the last 9900 ms after it (msg #6, #7, #8)");
  }
  SECTION("over a reliable transport Timer G does not run") {
    flow fl{{0ms}, 3000ms, 10s, busy_486};
    fl.t.reliable = true;
    auto f = run(fl);
    CHECK(f.failures().empty());
    CHECK(only(f, rule_id::uas_non2xx_retransmit) ==
          "uas-non2xx.retransmit N/A (RFC 3261 17.2.1): reliable transport: Timer G does not run "
          "(RFC 3261 17.2.1)");
    CHECK(only(f, rule_id::uas_non2xx_stop_on_ack) ==
          "uas-non2xx.stop-on-ack N/A (RFC 3261 17.2.1): reliable transport");
  }
}

TEST_CASE("the 2xx is retransmitted over reliable transports too (RFC 3261 13.3.1.4)",
          "[checks][retransmission][rfc3261]") {
  flow fl{{0ms}, 3000ms, 10s};
  fl.t.reliable = true;
  auto f = run(fl);
  CHECK(the_failure(f).rule == rule_id::uas_2xx_retransmit);
}

TEST_CASE("the schedule follows the device's T1 and T2", "[checks][retransmission][rfc3261]") {
  flow fl{{0ms, 1000ms, 3000ms, 5000ms, 7000ms}, 7100ms, 20s};
  fl.t.t1 = 1000ms;
  fl.t.t2 = 2000ms;
  auto f = run(fl);
  INFO(described(f.out().all()));
  CHECK(f.failures().empty());
  CHECK(f.of(rule_id::uas_2xx_retransmit)[0].note ==
        "intervals 1000 ms, 2000 ms, 2000 ms, 2000 ms");
}

TEST_CASE("a call that ends before T1 leaves the schedule unjudged", "[checks][retransmission]") {
  auto f = run({{0ms}, std::nullopt, 300ms});
  CHECK(f.failures().empty());
  CHECK(only(f, rule_id::uas_2xx_retransmit) ==
        "uas-2xx.retransmit N/A (RFC 3261 13.3.1.4): the call ended 300 ms after the 2xx, before "
        "T1 (500 ms)");
}
