// The INVITE server transaction in virtual time (RFC 3261 17.2.1, RFC 6026 7.1).
#include "drive.hpp"

#include <catch2/catch.hpp>

using namespace sipwright::transaction;
using namespace sipwright::transaction::test;
using ak = action_kind;

namespace {
timer_config t1_100_t2_400(bool reliable = false) {
  timer_config c = fast(reliable);
  c.t2 = 400ms;
  return c;
}
} // namespace

TEST_CASE("INVITE server retransmits a 3xx-6xx at T1, 2T1, 4T1 capped at T2 until timer H",
          "[transaction][invite_server][rfc3261]") {
  drive d(kind::invite_server, t1_100_t2_400());
  CHECK(d.start() == std::vector<action>{act(ak::pass_to_tu)});
  CHECK(d.current() == state::proceeding);
  CHECK(d.at(0ms, input::tu_300_699) == std::vector<action>{act(ak::send_response),
                                                            start_at(timer::timer_g, 100ms, 0ms),
                                                            start_at(timer::timer_h, 6400ms, 0ms)});
  CHECK(d.current() == state::completed);
  d.run_until(60s);
  std::vector<ms> expected{100ms, 300ms};
  for (ms t = 700ms; t < 6400ms; t += 400ms) expected.push_back(t);
  CHECK(d.times_of(ak::retransmit_response) == expected);
  CHECK(d.times_of(ak::timeout) == std::vector<ms>{6400ms});
  CHECK(d.current() == state::terminated);
}

TEST_CASE("INVITE server: the ACK moves completed to confirmed, timer I = T4 absorbs ACKs",
          "[transaction][invite_server][rfc3261]") {
  drive d(kind::invite_server, t1_100_t2_400());
  d.start();
  d.at(0ms, input::tu_300_699);
  CHECK(d.at(350ms, input::recv_request) == std::vector<action>{act(ak::retransmit_response)});
  CHECK(d.at(500ms, input::recv_ack) ==
        std::vector<action>{cancel(timer::timer_g), cancel(timer::timer_h),
                            start_at(timer::timer_i, 5000ms, 500ms)});
  CHECK(d.current() == state::confirmed);
  CHECK(d.at(600ms, input::recv_ack).empty());
  CHECK(d.at(700ms, input::recv_request).empty());
  d.run_until(5499ms);
  CHECK(d.current() == state::confirmed);
  d.run_until(5500ms);
  CHECK(d.current() == state::terminated);
  // G fired at 100 and 300, the INVITE at 350 was answered too; nothing after the ACK.
  CHECK(d.times_of(ak::retransmit_response) == std::vector<ms>{100ms, 300ms, 350ms});
}

TEST_CASE("INVITE server: a retransmitted INVITE gets the last provisional response",
          "[transaction][invite_server][rfc3261]") {
  drive d(kind::invite_server, fast());
  d.start();
  CHECK(d.at(10ms, input::recv_request).empty()); // nothing sent yet
  CHECK(d.at(20ms, input::tu_1xx) == std::vector<action>{act(ak::send_response)});
  CHECK(d.at(30ms, input::tu_1xx) == std::vector<action>{act(ak::send_response)});
  CHECK(d.at(40ms, input::recv_request) == std::vector<action>{act(ak::retransmit_response)});
  CHECK(d.current() == state::proceeding);
}

TEST_CASE("INVITE server accepted state: TU 2xx retransmissions sent, INVITEs absorbed, ACKs to "
          "the TU, until timer L",
          "[transaction][invite_server][rfc6026]") {
  drive d(kind::invite_server, fast());
  d.start();
  CHECK(d.at(0ms, input::tu_2xx) ==
        std::vector<action>{act(ak::send_response), start_at(timer::timer_l, 6400ms, 0ms)});
  CHECK(d.current() == state::accepted);
  CHECK(d.at(50ms, input::recv_request).empty());
  CHECK(d.at(100ms, input::tu_2xx) == std::vector<action>{act(ak::send_response)});
  CHECK(d.at(300ms, input::tu_2xx) == std::vector<action>{act(ak::send_response)});
  CHECK(d.at(320ms, input::recv_ack) == std::vector<action>{act(ak::pass_to_tu)});
  CHECK(d.at(330ms, input::recv_ack) == std::vector<action>{act(ak::pass_to_tu)});
  CHECK(d.at(340ms, input::transport_error) == std::vector<action>{act(ak::transport_error)});
  CHECK(d.current() == state::accepted);
  d.run_until(6399ms);
  CHECK(d.current() == state::accepted);
  d.run_until(6400ms);
  CHECK(d.current() == state::terminated);
  // The transaction never retransmits a 2xx on its own (RFC 6026 7.1).
  CHECK(d.times_of(ak::retransmit_response).empty());
  CHECK(d.times_of(ak::send_response) == std::vector<ms>{0ms, 100ms, 300ms});
}

TEST_CASE("INVITE server on a reliable transport: no timer G, timer I is zero",
          "[transaction][invite_server][reliable][rfc3261]") {
  drive d(kind::invite_server, t1_100_t2_400(true));
  d.start();
  CHECK(d.at(0ms, input::tu_300_699) ==
        std::vector<action>{act(ak::send_response), start_at(timer::timer_h, 6400ms, 0ms)});
  CHECK(d.at(800ms, input::recv_ack) ==
        std::vector<action>{cancel(timer::timer_h), start_at(timer::timer_i, 0ms, 800ms)});
  d.run_until(800ms);
  CHECK(d.current() == state::terminated);
  CHECK(d.times_of(ak::retransmit_response).empty());
}

TEST_CASE("INVITE server: a transport error terminates and informs the TU",
          "[transaction][invite_server][rfc3261]") {
  SECTION("in proceeding") {
    drive d(kind::invite_server, fast());
    d.start();
    CHECK(d.at(10ms, input::transport_error) ==
          std::vector<action>{act(ak::transport_error), act(ak::terminated)});
  }
  SECTION("in completed") {
    drive d(kind::invite_server, fast());
    d.start();
    d.at(0ms, input::tu_300_699);
    CHECK(d.at(10ms, input::transport_error) ==
          std::vector<action>{act(ak::transport_error), cancel(timer::timer_g),
                              cancel(timer::timer_h), act(ak::terminated)});
  }
}
