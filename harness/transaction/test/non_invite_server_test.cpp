// The non-INVITE server transaction in virtual time (RFC 3261 17.2.2).
#include "drive.hpp"

#include <catch2/catch.hpp>

using namespace sipwright::transaction;
using namespace sipwright::transaction::test;
using ak = action_kind;

TEST_CASE("non-INVITE server: trying absorbs, proceeding and completed resend, timer J ends it",
          "[transaction][non_invite_server][rfc3261]") {
  drive d(kind::non_invite_server, fast());
  CHECK(d.start() == std::vector<action>{act(ak::pass_to_tu)});
  CHECK(d.current() == state::trying);
  CHECK(d.at(10ms, input::recv_request).empty());
  CHECK(d.at(20ms, input::tu_1xx) == std::vector<action>{act(ak::send_response)});
  CHECK(d.current() == state::proceeding);
  CHECK(d.at(30ms, input::recv_request) == std::vector<action>{act(ak::retransmit_response)});
  CHECK(d.at(40ms, input::tu_1xx) == std::vector<action>{act(ak::send_response)});
  CHECK(d.at(50ms, input::tu_2xx) ==
        std::vector<action>{act(ak::send_response), start_at(timer::timer_j, 6400ms, 50ms)});
  CHECK(d.current() == state::completed);
  CHECK(d.at(60ms, input::recv_request) == std::vector<action>{act(ak::retransmit_response)});
  CHECK(d.at(70ms, input::tu_300_699).empty());
  d.run_until(6449ms);
  CHECK(d.current() == state::completed);
  d.run_until(6450ms);
  CHECK(d.current() == state::terminated);
}

TEST_CASE("non-INVITE server: a final response from trying goes to completed",
          "[transaction][non_invite_server][rfc3261]") {
  drive d(kind::non_invite_server, fast());
  d.start();
  CHECK(d.at(5ms, input::tu_300_699) ==
        std::vector<action>{act(ak::send_response), start_at(timer::timer_j, 6400ms, 5ms)});
}

TEST_CASE("non-INVITE server on a reliable transport: timer J is zero",
          "[transaction][non_invite_server][reliable][rfc3261]") {
  drive d(kind::non_invite_server, fast(true));
  d.start();
  CHECK(d.at(5ms, input::tu_2xx) ==
        std::vector<action>{act(ak::send_response), start_at(timer::timer_j, 0ms, 5ms)});
  d.run_until(5ms);
  CHECK(d.current() == state::terminated);
}

TEST_CASE("non-INVITE server: a transport error terminates and informs the TU",
          "[transaction][non_invite_server][rfc3261]") {
  SECTION("in proceeding") {
    drive d(kind::non_invite_server, fast());
    d.start();
    d.at(0ms, input::tu_1xx);
    CHECK(d.at(10ms, input::transport_error) ==
          std::vector<action>{act(ak::transport_error), act(ak::terminated)});
  }
  SECTION("in completed") {
    drive d(kind::non_invite_server, fast());
    d.start();
    d.at(0ms, input::tu_2xx);
    CHECK(d.at(10ms, input::transport_error) == std::vector<action>{act(ak::transport_error),
                                                                    cancel(timer::timer_j),
                                                                    act(ak::terminated)});
  }
}
