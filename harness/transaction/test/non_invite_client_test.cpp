// The non-INVITE client transaction in virtual time (RFC 3261 17.1.2).
#include "drive.hpp"

#include <catch2/catch.hpp>

using namespace sipwright::transaction;
using namespace sipwright::transaction::test;
using ak = action_kind;

namespace {
timer_config t1_100_t2_400() {
  timer_config c = fast();
  c.t2 = 400ms;
  return c;
}
} // namespace

TEST_CASE("non-INVITE client retransmissions double up to T2 until timer F",
          "[transaction][non_invite_client][rfc3261]") {
  drive d(kind::non_invite_client, t1_100_t2_400());
  CHECK(d.start() == std::vector<action>{act(ak::send_request),
                                         start_at(timer::timer_e, 100ms, 0ms),
                                         start_at(timer::timer_f, 6400ms, 0ms)});
  CHECK(d.current() == state::trying);
  d.run_until(60s);
  // Intervals 100, 200, 400, then 400 (capped at T2) until F at 6400.
  std::vector<ms> expected{100ms, 300ms};
  for (ms t = 700ms; t < 6400ms; t += 400ms) expected.push_back(t);
  CHECK(d.times_of(ak::retransmit_request) == expected);
  CHECK(expected.back() == 6300ms);
  CHECK(d.times_of(ak::timeout) == std::vector<ms>{6400ms});
  CHECK(d.current() == state::terminated);
}

TEST_CASE("non-INVITE client in proceeding retransmits at T2",
          "[transaction][non_invite_client][rfc3261]") {
  drive d(kind::non_invite_client, fast()); // T1 100 ms, T2 4 s
  d.start();
  CHECK(d.at(150ms, input::recv_1xx) == std::vector<action>{act(ak::pass_to_tu)});
  CHECK(d.current() == state::proceeding);
  CHECK(d.at(160ms, input::recv_1xx) == std::vector<action>{act(ak::pass_to_tu)});
  d.run_until(60s);
  // E fired at 100 (trying, next 200) and at 300 (proceeding: reset to T2), then 4300.
  CHECK(d.times_of(ak::retransmit_request) == std::vector<ms>{100ms, 300ms, 4300ms});
  CHECK(d.machine().interval(timer::timer_e) == 4000ms);
  CHECK(d.times_of(ak::timeout) == std::vector<ms>{6400ms});
  CHECK(d.current() == state::terminated);
}

TEST_CASE("non-INVITE client completed absorbs responses until timer K = T4",
          "[transaction][non_invite_client][rfc3261]") {
  for (auto in : {input::recv_2xx, input::recv_300_699}) {
    drive d(kind::non_invite_client, fast());
    d.start();
    CHECK(d.at(50ms, in) == std::vector<action>{act(ak::pass_to_tu), cancel(timer::timer_e),
                                                cancel(timer::timer_f),
                                                start_at(timer::timer_k, 5000ms, 50ms)});
    CHECK(d.current() == state::completed);
    CHECK(d.at(60ms, in).empty());
    CHECK(d.at(70ms, input::recv_1xx).empty());
    d.run_until(5049ms);
    CHECK(d.current() == state::completed);
    d.run_until(5050ms);
    CHECK(d.current() == state::terminated);
  }
}

TEST_CASE("non-INVITE client final response in proceeding goes to completed",
          "[transaction][non_invite_client][rfc3261]") {
  drive d(kind::non_invite_client, fast());
  d.start();
  d.at(10ms, input::recv_1xx);
  CHECK(d.at(20ms, input::recv_300_699) ==
        std::vector<action>{act(ak::pass_to_tu), cancel(timer::timer_e), cancel(timer::timer_f),
                            start_at(timer::timer_k, 5000ms, 20ms)});
}

TEST_CASE("non-INVITE client on a reliable transport: no timer E, timer K is zero",
          "[transaction][non_invite_client][reliable][rfc3261]") {
  drive d(kind::non_invite_client, fast(true));
  CHECK(d.start() ==
        std::vector<action>{act(ak::send_request), start_at(timer::timer_f, 6400ms, 0ms)});
  d.at(10ms, input::recv_1xx);
  CHECK(d.at(20ms, input::recv_2xx) == std::vector<action>{act(ak::pass_to_tu),
                                                           cancel(timer::timer_f),
                                                           start_at(timer::timer_k, 0ms, 20ms)});
  d.run_until(20ms);
  CHECK(d.current() == state::terminated);
  CHECK(d.times_of(ak::retransmit_request).empty());
}

TEST_CASE("non-INVITE client: a transport error terminates and informs the TU",
          "[transaction][non_invite_client][rfc3261]") {
  for (bool provisional : {false, true}) {
    drive d(kind::non_invite_client, fast());
    d.start();
    if (provisional) d.at(10ms, input::recv_1xx);
    CHECK(d.at(20ms, input::transport_error) ==
          std::vector<action>{act(ak::transport_error), cancel(timer::timer_e),
                              cancel(timer::timer_f), act(ak::terminated)});
  }
}
