// The INVITE client transaction in virtual time (RFC 3261 17.1.1, RFC 6026 7.2).
#include "drive.hpp"

#include <catch2/catch.hpp>

using namespace sipwright::transaction;
using namespace sipwright::transaction::test;
using ak = action_kind;

TEST_CASE("INVITE client retransmits at T1, 2T1, 4T1 ... until timer B at 64*T1",
          "[transaction][invite_client][rfc3261]") {
  drive d(kind::invite_client, fast());
  CHECK(d.start() == std::vector<action>{act(ak::send_request),
                                         start_at(timer::timer_a, 100ms, 0ms),
                                         start_at(timer::timer_b, 6400ms, 0ms)});
  CHECK(d.current() == state::calling);
  d.run_until(60s);
  // A doubles without a cap (17.1.1.2): intervals 100, 200, 400, 800, 1600, 3200, 6400.
  CHECK(d.times_of(ak::retransmit_request) ==
        std::vector<ms>{100ms, 300ms, 700ms, 1500ms, 3100ms, 6300ms});
  CHECK(d.machine().interval(timer::timer_a) == 6400ms);
  CHECK(d.times_of(ak::timeout) == std::vector<ms>{6400ms});
  CHECK(d.times_of(ak::cancel_timer) == std::vector<ms>{6400ms}); // A, pending at 12700
  CHECK(d.times_of(ak::terminated) == std::vector<ms>{6400ms});
  CHECK(d.current() == state::terminated);
}

TEST_CASE("INVITE client: a 1xx stops retransmissions and timer B (proceeding)",
          "[transaction][invite_client][rfc3261]") {
  drive d(kind::invite_client, fast());
  d.start();
  CHECK(d.at(250ms, input::recv_1xx) ==
        std::vector<action>{act(ak::pass_to_tu), cancel(timer::timer_a), cancel(timer::timer_b)});
  CHECK(d.current() == state::proceeding);
  CHECK(d.at(400ms, input::recv_1xx) == std::vector<action>{act(ak::pass_to_tu)});
  d.run_until(120s);
  CHECK(d.times_of(ak::retransmit_request) == std::vector<ms>{100ms});
  CHECK(d.times_of(ak::timeout).empty());
  CHECK(d.current() == state::proceeding);
}

TEST_CASE("INVITE client ACKs a non-2xx final response and its retransmissions until timer D",
          "[transaction][invite_client][rfc3261]") {
  drive d(kind::invite_client, fast());
  d.start();
  CHECK(d.at(50ms, input::recv_300_699) ==
        std::vector<action>{act(ak::send_ack), act(ak::pass_to_tu), cancel(timer::timer_a),
                            cancel(timer::timer_b), start_at(timer::timer_d, 32s, 50ms)});
  CHECK(d.current() == state::completed);
  CHECK(d.at(1000ms, input::recv_300_699) == std::vector<action>{act(ak::send_ack)});
  CHECK(d.at(1100ms, input::recv_1xx).empty());
  CHECK(d.at(1200ms, input::recv_2xx).empty());
  d.run_until(32049ms);
  CHECK(d.current() == state::completed);
  d.run_until(32050ms);
  CHECK(d.current() == state::terminated);
  CHECK(d.times_of(ak::terminated) == std::vector<ms>{32050ms});
}

TEST_CASE("INVITE client in proceeding ACKs a non-2xx final response",
          "[transaction][invite_client][rfc3261]") {
  drive d(kind::invite_client, fast());
  d.start();
  d.at(10ms, input::recv_1xx);
  CHECK(d.at(20ms, input::recv_300_699) ==
        std::vector<action>{act(ak::send_ack), act(ak::pass_to_tu),
                            start_at(timer::timer_d, 32s, 20ms)});
  CHECK(d.current() == state::completed);
}

TEST_CASE("INVITE client accepted state passes 2xx retransmissions to the TU until timer M",
          "[transaction][invite_client][rfc6026]") {
  drive d(kind::invite_client, fast());
  d.start();
  d.at(100ms, input::recv_1xx); // A fired at 100 first
  CHECK(d.at(1000ms, input::recv_2xx) ==
        std::vector<action>{act(ak::pass_to_tu), start_at(timer::timer_m, 6400ms, 1000ms)});
  CHECK(d.current() == state::accepted);
  for (ms t : {1500ms, 2500ms, 4500ms})
    CHECK(d.at(t, input::recv_2xx) == std::vector<action>{act(ak::pass_to_tu)});
  CHECK(d.at(4600ms, input::recv_1xx).empty());
  CHECK(d.at(4700ms, input::recv_300_699).empty());
  d.run_until(7399ms);
  CHECK(d.current() == state::accepted);
  d.run_until(7400ms);
  CHECK(d.current() == state::terminated);
  // Observation: every 2xx the TU saw, with its virtual time.
  CHECK(d.times_of(ak::pass_to_tu) == std::vector<ms>{100ms, 1000ms, 1500ms, 2500ms, 4500ms});
}

TEST_CASE("INVITE client: a 2xx in calling goes straight to accepted",
          "[transaction][invite_client][rfc6026]") {
  drive d(kind::invite_client, fast());
  d.start();
  CHECK(d.at(30ms, input::recv_2xx) ==
        std::vector<action>{act(ak::pass_to_tu), cancel(timer::timer_a), cancel(timer::timer_b),
                            start_at(timer::timer_m, 6400ms, 30ms)});
  CHECK(d.current() == state::accepted);
}

TEST_CASE("INVITE client on a reliable transport: no timer A, timer D is zero",
          "[transaction][invite_client][reliable][rfc3261]") {
  drive d(kind::invite_client, fast(true));
  CHECK(d.start() ==
        std::vector<action>{act(ak::send_request), start_at(timer::timer_b, 6400ms, 0ms)});
  CHECK(d.at(300ms, input::recv_300_699) ==
        std::vector<action>{act(ak::send_ack), act(ak::pass_to_tu), cancel(timer::timer_b),
                            start_at(timer::timer_d, 0ms, 300ms)});
  d.run_until(300ms);
  CHECK(d.current() == state::terminated);
  CHECK(d.times_of(ak::terminated) == std::vector<ms>{300ms});
  CHECK(d.times_of(ak::retransmit_request).empty());
}

TEST_CASE("INVITE client on a reliable transport times out at timer B",
          "[transaction][invite_client][reliable][rfc3261]") {
  drive d(kind::invite_client, fast(true));
  d.start();
  d.run_until(10s);
  CHECK(d.times_of(ak::timeout) == std::vector<ms>{6400ms});
  CHECK(d.times_of(ak::retransmit_request).empty());
}

TEST_CASE("INVITE client: a transport error terminates and informs the TU",
          "[transaction][invite_client][rfc3261]") {
  SECTION("in calling") {
    drive d(kind::invite_client, fast());
    d.start();
    CHECK(d.at(10ms, input::transport_error) ==
          std::vector<action>{act(ak::transport_error), cancel(timer::timer_a),
                              cancel(timer::timer_b), act(ak::terminated)});
  }
  SECTION("in completed") {
    drive d(kind::invite_client, fast());
    d.start();
    d.at(10ms, input::recv_300_699);
    CHECK(d.at(20ms, input::transport_error) == std::vector<action>{act(ak::transport_error),
                                                                    cancel(timer::timer_d),
                                                                    act(ak::terminated)});
    CHECK(d.current() == state::terminated);
  }
}

TEST_CASE("INVITE client records each transition with its virtual time",
          "[transaction][invite_client][observe]") {
  drive d(kind::invite_client, fast());
  d.start();
  d.run_until(150ms);
  d.at(200ms, input::recv_2xx);
  const auto& h = d.machine().history();
  REQUIRE(h.size() == 3);
  CHECK(h[0].at == 0ms);
  CHECK(h[0].to == state::calling);
  CHECK(h[1].at == 100ms);
  CHECK(h[1].on == input::timer_a);
  CHECK(h[2].at == 200ms);
  CHECK(h[2].from == state::calling);
  CHECK(h[2].to == state::accepted);
  CHECK(to_string(h[2].on) == "recv_2xx");
}
