// The device as notifier (RFC 6665): Expires in its 2xx to SUBSCRIBE, the NOTIFY that follows at
// once, its Event and Subscription-State.
#include "support.hpp"

#include <catch2/catch.hpp>

using namespace sipwright;
using namespace sipwright::checks;
using namespace sipwright::checks::test;
using std::chrono::milliseconds;

namespace {

// The harness subscribes (RFC 6665 3.1); `extra` lines (Event, Expires) before Content-Length.
std::string subscribe(std::string_view branch, int cseq, std::string_view extra,
                      std::string_view to_tag = "") {
  return crlf("SUBSCRIBE sip:alice@192.0.2.2 SIP/2.0\n"
              "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=" +
              std::string(branch) +
              "\n"
              "Max-Forwards: 70\n"
              "To: <sip:alice@192.0.2.2>" +
              std::string(to_tag) +
              "\n"
              "From: <sip:watcher@192.0.2.1>;tag=w1\n"
              "Call-ID: s1@192.0.2.1\n"
              "CSeq: " +
              std::to_string(cseq) +
              " SUBSCRIBE\n"
              "Contact: <sip:watcher@192.0.2.1:5060>\n" +
              std::string(extra) + "Content-Length: 0\n\n");
}

std::string answer(std::string_view branch, int cseq, std::string_view status,
                   std::string_view extra) {
  return crlf("SIP/2.0 " + std::string(status) +
              "\n"
              "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=" +
              std::string(branch) +
              "\n"
              "To: <sip:alice@192.0.2.2>;tag=n9\n"
              "From: <sip:watcher@192.0.2.1>;tag=w1\n"
              "Call-ID: s1@192.0.2.1\n"
              "CSeq: " +
              std::to_string(cseq) +
              " SUBSCRIBE\n"
              "Contact: <sip:alice@192.0.2.2:5062>\n" +
              std::string(extra) + "Content-Length: 0\n\n");
}

// The device's NOTIFY in the subscription's dialog; `extra` holds Event and Subscription-State.
std::string notify(int cseq, std::string_view extra) {
  return crlf("NOTIFY sip:watcher@192.0.2.1:5060 SIP/2.0\n"
              "Via: SIP/2.0/UDP 192.0.2.2:5062;branch=z9hG4bKn" +
              std::to_string(cseq) +
              "\n"
              "Max-Forwards: 70\n"
              "To: <sip:watcher@192.0.2.1>;tag=w1\n"
              "From: <sip:alice@192.0.2.2>;tag=n9\n"
              "Call-ID: s1@192.0.2.1\n"
              "CSeq: " +
              std::to_string(cseq) +
              " NOTIFY\n"
              "Contact: <sip:alice@192.0.2.2:5062>\n" +
              std::string(extra) + "Content-Length: 0\n\n");
}

const std::string asked = "Event: presence\nExpires: 600\n";
const std::string active = "Event: presence\nSubscription-State: active;expires=600\n";

feeder subscribed(std::string_view ok_extra, std::string_view notify_extra) {
  feeder f(detail::make_subscribe_rules(timing{}));
  f.at(milliseconds(0)).sent(subscribe("z9hG4bKs1", 1, asked));
  f.at(milliseconds(10)).received(answer("z9hG4bKs1", 1, "200 OK", ok_extra));
  f.at(milliseconds(12)).received(notify(1, notify_extra));
  f.end(milliseconds(100));
  return f;
}

} // namespace

TEST_CASE("sub.expires: the 2xx to SUBSCRIBE carries Expires, not longer than asked "
          "(RFC 6665 3.1.1, 4.2.1.1)",
          "[checks][subscribe][rfc6665]") {
  SECTION("conformant: shortened, and the whole flow passes") {
    auto f =
        subscribed("Expires: 300\n", "Event: presence\nSubscription-State: active;expires=300\n");
    INFO(described(f.out().all()));
    CHECK(f.failures().empty());
    for (auto r : {rule_id::sub_expires, rule_id::sub_notify_immediate, rule_id::sub_notify_event,
                   rule_id::sub_notify_state, rule_id::sub_notify_expires})
      CHECK(outcomes(f, r) == std::vector<outcome>{outcome::pass});
    CHECK(f.of(rule_id::sub_unsubscribe_terminated).empty());
  }
  SECTION("no Expires") {
    auto f = subscribed("", active);
    CHECK(describe(the_failure(f)) ==
          "sub.expires FAIL (RFC 6665 3.1.1, 4.2.1.1): expected Expires of at most 600 (the "
          "SUBSCRIBE's), observed a 200 without Expires (msg #1, #2)");
  }
  SECTION("longer than asked") {
    auto f = subscribed("Expires: 3600\n", active);
    CHECK(describe(the_failure(f)) ==
          "sub.expires FAIL (RFC 6665 3.1.1, 4.2.1.1): expected Expires of at most 600 (the "
          "SUBSCRIBE's), observed Expires: 3600 (msg #1, #2)");
  }
  SECTION("not a number") {
    auto f = subscribed("Expires: soon\n", active);
    CHECK(describe(the_failure(f)) ==
          "sub.expires FAIL (RFC 6665 3.1.1, 4.2.1.1): expected Expires of at most 600 (the "
          "SUBSCRIBE's), observed Expires: soon (msg #1, #2)");
  }
  SECTION("a SUBSCRIBE without Expires: any Expires will do (the package's default applies)") {
    feeder f(detail::make_subscribe_rules(timing{}));
    f.sent(subscribe("z9hG4bKs1", 1, "Event: presence\n"));
    f.received(answer("z9hG4bKs1", 1, "202 Accepted", "Expires: 7200\n"));
    CHECK(outcomes(f, rule_id::sub_expires) == std::vector<outcome>{outcome::pass});
  }
  SECTION("a non-2xx is not judged, and owes no NOTIFY") {
    feeder f(detail::make_subscribe_rules(timing{}));
    f.at(milliseconds(0)).sent(subscribe("z9hG4bKs1", 1, asked));
    f.received(answer("z9hG4bKs1", 1, "489 Bad Event", ""));
    f.end(milliseconds(100000));
    CHECK(f.out().all().empty());
  }
}

TEST_CASE("sub.notify-immediate: a NOTIFY follows every 2xx to SUBSCRIBE (RFC 6665 4.2.1.2)",
          "[checks][subscribe][rfc6665]") {
  timing t;
  t.t1 = milliseconds(100);
  SECTION("none within 64*T1") {
    feeder f(detail::make_subscribe_rules(t));
    f.at(milliseconds(0)).sent(subscribe("z9hG4bKs1", 1, asked));
    f.at(milliseconds(10)).received(answer("z9hG4bKs1", 1, "200 OK", "Expires: 600\n"));
    f.end(milliseconds(6410));
    CHECK(describe(the_failure(f)) ==
          "sub.notify-immediate FAIL (RFC 6665 4.2.1.2): expected a NOTIFY after the 200 to "
          "SUBSCRIBE, observed no NOTIFY within 6.400 s (msg #1, #2)");
  }
  SECTION("the call ended before 64*T1: not judged") {
    feeder f(detail::make_subscribe_rules(t));
    f.at(milliseconds(0)).sent(subscribe("z9hG4bKs1", 1, asked));
    f.at(milliseconds(10)).received(answer("z9hG4bKs1", 1, "200 OK", "Expires: 600\n"));
    f.end(milliseconds(1010));
    CHECK(only(f, rule_id::sub_notify_immediate) ==
          "sub.notify-immediate N/A (RFC 6665 4.2.1.2): the call ended 1.000 s after the 200, "
          "before a NOTIFY was due");
  }
  SECTION("the NOTIFY may come before the 2xx; a refresh owes a NOTIFY of its own") {
    feeder f(detail::make_subscribe_rules(t));
    f.at(milliseconds(0)).sent(subscribe("z9hG4bKs1", 1, asked));
    f.at(milliseconds(5)).received(notify(1, active));
    f.at(milliseconds(10)).received(answer("z9hG4bKs1", 1, "200 OK", "Expires: 600\n"));
    f.at(milliseconds(20)).sent(subscribe("z9hG4bKs2", 2, asked, ";tag=n9"));
    f.at(milliseconds(30)).received(answer("z9hG4bKs2", 2, "200 OK", "Expires: 600\n"));
    f.end(milliseconds(9000));
    CHECK(outcomes(f, rule_id::sub_notify_immediate) ==
          (std::vector<outcome>{outcome::pass, outcome::fail}));
    CHECK(describe(the_failure(f)) ==
          "sub.notify-immediate FAIL (RFC 6665 4.2.1.2): expected a NOTIFY after the 200 to "
          "SUBSCRIBE, observed no NOTIFY within 8.970 s (msg #4, #5)");
  }
}

TEST_CASE("sub.notify-event: the NOTIFY's Event is the SUBSCRIBE's package and id "
          "(RFC 6665 3.2.1, 8.2.1)",
          "[checks][subscribe][rfc6665]") {
  SECTION("another package") {
    auto f =
        subscribed("Expires: 600\n", "Event: dialog\nSubscription-State: active;expires=600\n");
    CHECK(describe(the_failure(f)) ==
          "sub.notify-event FAIL (RFC 6665 3.2.1, 8.2.1): expected Event: presence, observed "
          "Event: dialog (msg #1, #3)");
  }
  SECTION("no Event") {
    auto f = subscribed("Expires: 600\n", "Subscription-State: active;expires=600\n");
    CHECK(describe(the_failure(f)) ==
          "sub.notify-event FAIL (RFC 6665 3.2.1, 8.2.1): expected Event: presence, observed a "
          "NOTIFY without Event (msg #1, #3)");
  }
  SECTION("the id left out; other parameters do not count") {
    feeder f(detail::make_subscribe_rules(timing{}));
    f.sent(subscribe("z9hG4bKs1", 1, "Event: presence;id=7\nExpires: 600\n"));
    f.received(answer("z9hG4bKs1", 1, "200 OK", "Expires: 600\n"));
    f.received(notify(1, "Event: presence;x=1\nSubscription-State: active;expires=600\n"));
    CHECK(describe(the_failure(f)) ==
          "sub.notify-event FAIL (RFC 6665 3.2.1, 8.2.1): expected Event: presence;id=7, observed "
          "Event: presence;x=1 (msg #1, #3)");
    f.received(notify(2, "Event: presence;x=2;id=7\nSubscription-State: active;expires=600\n"));
    CHECK(outcomes(f, rule_id::sub_notify_event) ==
          (std::vector<outcome>{outcome::fail, outcome::pass}));
  }
}

TEST_CASE("sub.notify-state and sub.notify-expires: Subscription-State, with an expires not "
          "above the subscription's (RFC 6665 4.2.2, 8.2.3)",
          "[checks][subscribe][rfc6665]") {
  SECTION("no Subscription-State") {
    auto f = subscribed("Expires: 600\n", "Event: presence\n");
    CHECK(describe(the_failure(f)) ==
          "sub.notify-state FAIL (RFC 6665 4.2.2, 8.2.3): expected a Subscription-State header, "
          "observed a NOTIFY without Subscription-State (msg #1, #3)");
    CHECK(f.of(rule_id::sub_notify_expires).empty());
  }
  SECTION("active without expires") {
    auto f = subscribed("Expires: 300\n", "Event: presence\nSubscription-State: active\n");
    CHECK(describe(the_failure(f)) ==
          "sub.notify-expires FAIL (RFC 6665 4.2.2): expected an expires parameter of at most 300 "
          "(the 2xx's Expires), observed Subscription-State: active (msg #1, #3)");
  }
  SECTION("pending, lengthening the subscription") {
    auto f =
        subscribed("Expires: 300\n", "Event: presence\nSubscription-State: pending;expires=301\n");
    CHECK(describe(the_failure(f)) ==
          "sub.notify-expires FAIL (RFC 6665 4.2.2): expected an expires parameter of at most 300 "
          "(the 2xx's Expires), observed Subscription-State: pending;expires=301 (msg #1, #3)");
  }
  SECTION("terminated needs no expires") {
    auto f = subscribed("Expires: 300\n",
                        "Event: presence\nSubscription-State: terminated;reason=noresource\n");
    CHECK(f.failures().empty());
    CHECK(f.of(rule_id::sub_notify_expires).empty());
  }
}

TEST_CASE("sub.unsubscribe-terminated: the NOTIFY after Expires: 0 says terminated "
          "(RFC 6665 4.2.1.4)",
          "[checks][subscribe][rfc6665]") {
  auto unsubscribed = [](std::string_view state) {
    feeder f(detail::make_subscribe_rules(timing{}));
    f.sent(subscribe("z9hG4bKs1", 1, asked));
    f.received(answer("z9hG4bKs1", 1, "200 OK", "Expires: 600\n"));
    f.received(notify(1, active));
    f.sent(subscribe("z9hG4bKs2", 2, "Event: presence\nExpires: 0\n", ";tag=n9"));
    f.received(answer("z9hG4bKs2", 2, "200 OK", "Expires: 0\n"));
    f.received(notify(2, "Event: presence\nSubscription-State: " + std::string(state) + "\n"));
    return f;
  };
  auto good = unsubscribed("terminated;reason=timeout");
  CHECK(good.failures().empty());
  CHECK(outcomes(good, rule_id::sub_unsubscribe_terminated) == std::vector<outcome>{outcome::pass});
  auto bad = unsubscribed("active;expires=0");
  CHECK(describe(the_failure(bad)) ==
        "sub.unsubscribe-terminated WARN (RFC 6665 4.2.1.4): expected Subscription-State: "
        "terminated, observed Subscription-State: active;expires=0 (msg #4, #6)");
}

TEST_CASE("subscription rules: a NOTIFY of another dialog and retransmissions are not judged",
          "[checks][subscribe][rfc6665]") {
  feeder f(detail::make_subscribe_rules(timing{}));
  f.sent(subscribe("z9hG4bKs1", 1, asked));
  f.sent_again(subscribe("z9hG4bKs1", 1, asked));
  f.received(answer("z9hG4bKs1", 1, "200 OK", "Expires: 600\n"));
  f.received(edited(notify(1, "Event: dialog\n"), "tag=w1", "tag=other"));
  f.received_again(notify(1, "Event: dialog\n"));
  CHECK(f.failures().empty());
  CHECK(outcomes(f, rule_id::sub_expires) == std::vector<outcome>{outcome::pass});
  CHECK(f.of(rule_id::sub_notify_event).empty());
}

TEST_CASE("subscription rules: a NOTIFY from another fork is judged on its own dialog "
          "(RFC 6665 4.1.2.4, 4.2.2)",
          "[checks][subscribe][rfc6665]") {
  // The 2xx came from dialog n9 (Expires: 300); a second fork (From tag f2) has sent no 2xx,
  // so its NOTIFY may state up to the SUBSCRIBE's 600.
  const auto fork = [](std::string_view state) {
    feeder f(detail::make_subscribe_rules(timing{}));
    f.sent(subscribe("z9hG4bKs1", 1, asked));
    f.received(answer("z9hG4bKs1", 1, "200 OK", "Expires: 300\n"));
    f.received(notify(1, "Event: presence\nSubscription-State: active;expires=300\n"));
    f.received(
        edited(notify(1, "Event: presence\nSubscription-State: " + std::string(state) + "\n"),
               "tag=n9", "tag=f2"));
    return f;
  };
  SECTION("conformant: the SUBSCRIBE's Expires is that dialog's limit") {
    auto f = fork("active;expires=600");
    INFO(described(f.out().all()));
    CHECK(f.failures().empty());
    CHECK(outcomes(f, rule_id::sub_notify_expires) ==
          (std::vector<outcome>{outcome::pass, outcome::pass}));
  }
  SECTION("longer than the SUBSCRIBE asked") {
    auto f = fork("active;expires=601");
    CHECK(describe(the_failure(f)) ==
          "sub.notify-expires FAIL (RFC 6665 4.2.2): expected an expires parameter of at most 600 "
          "(the SUBSCRIBE's Expires), observed Subscription-State: active;expires=601 (msg #1, "
          "#4)");
  }
  SECTION("a refresh on the first dialog is not confirmed by the other fork's NOTIFY") {
    timing t;
    t.t1 = milliseconds(100);
    feeder f(detail::make_subscribe_rules(t));
    f.at(milliseconds(0)).sent(subscribe("z9hG4bKs1", 1, asked));
    f.at(milliseconds(10)).received(answer("z9hG4bKs1", 1, "200 OK", "Expires: 300\n"));
    f.at(milliseconds(12))
        .received(notify(1, "Event: presence\nSubscription-State: active;expires=300\n"));
    f.at(milliseconds(20))
        .sent(subscribe("z9hG4bKs2", 2, "Event: presence\nExpires: 100\n", ";tag=n9"));
    f.at(milliseconds(30)).received(answer("z9hG4bKs2", 2, "200 OK", "Expires: 100\n"));
    f.at(milliseconds(40))
        .received(edited(notify(1, "Event: presence\nSubscription-State: active;expires=600\n"),
                         "tag=n9", "tag=f2"));
    f.end(milliseconds(9000));
    INFO(described(f.out().all()));
    CHECK(outcomes(f, rule_id::sub_notify_expires) ==
          (std::vector<outcome>{outcome::pass, outcome::pass}));
    CHECK(describe(the_failure(f)) ==
          "sub.notify-immediate FAIL (RFC 6665 4.2.1.2): expected a NOTIFY after the 200 to "
          "SUBSCRIBE, observed no NOTIFY within 8.970 s (msg #4, #5)");
  }
}

TEST_CASE("subscription rules: two subscriptions in one dialog are told apart by the Event id "
          "(RFC 6665 8.2.1, 4.2.1.4)",
          "[checks][subscribe][rfc6665]") {
  // id=1 is subscribed, then id=2 added in its dialog and id=1 ended; the device answers both
  // and notifies id=1 (terminated) before id=2 (active).
  const std::string one = "Event: presence;id=1\n", two = "Event: presence;id=2\n";
  feeder f(detail::make_subscribe_rules(timing{}));
  f.sent(subscribe("z9hG4bKs1", 1, one + "Expires: 600\n"));
  f.received(answer("z9hG4bKs1", 1, "200 OK", "Expires: 600\n"));
  f.received(notify(1, one + "Subscription-State: active;expires=600\n"));
  f.sent(subscribe("z9hG4bKs2", 2, two + "Expires: 600\n", ";tag=n9"));
  f.sent(subscribe("z9hG4bKs3", 3, one + "Expires: 0\n", ";tag=n9"));
  f.received(answer("z9hG4bKs2", 2, "200 OK", "Expires: 600\n"));
  f.received(answer("z9hG4bKs3", 3, "200 OK", "Expires: 0\n"));
  f.received(notify(2, one + "Subscription-State: terminated;reason=timeout\n"));
  f.received(notify(3, two + "Subscription-State: active;expires=600\n"));
  INFO(described(f.out().all()));
  CHECK(f.failures().empty());
  CHECK(outcomes(f, rule_id::sub_notify_event) ==
        (std::vector<outcome>{outcome::pass, outcome::pass, outcome::pass}));
  CHECK(outcomes(f, rule_id::sub_unsubscribe_terminated) == std::vector<outcome>{outcome::pass});
  CHECK(outcomes(f, rule_id::sub_notify_immediate) ==
        (std::vector<outcome>{outcome::pass, outcome::pass, outcome::pass}));

  SECTION("the unsubscribed id still active is reported against its own SUBSCRIBE") {
    feeder g(detail::make_subscribe_rules(timing{}));
    g.sent(subscribe("z9hG4bKs1", 1, one + "Expires: 600\n"));
    g.received(answer("z9hG4bKs1", 1, "200 OK", "Expires: 600\n"));
    g.received(notify(1, one + "Subscription-State: active;expires=600\n"));
    g.sent(subscribe("z9hG4bKs2", 2, two + "Expires: 600\n", ";tag=n9"));
    g.sent(subscribe("z9hG4bKs3", 3, one + "Expires: 0\n", ";tag=n9"));
    g.received(notify(2, one + "Subscription-State: active;expires=0\n"));
    CHECK(describe(the_failure(g)) ==
          "sub.unsubscribe-terminated WARN (RFC 6665 4.2.1.4): expected Subscription-State: "
          "terminated, observed Subscription-State: active;expires=0 (msg #5, #6)");
  }
}
