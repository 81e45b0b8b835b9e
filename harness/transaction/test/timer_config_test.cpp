// Timer values of RFC 3261 table 4 and RFC 6026, per instance.
#include "sipwright/transaction/timer_config.hpp"

#include <catch2/catch.hpp>

#include <utility>
#include <vector>

using namespace sipwright::transaction;
using namespace std::chrono_literals;
using ms = std::chrono::milliseconds;

TEST_CASE("default timer values (RFC 3261 table 4, RFC 6026 7.1 and 7.2)",
          "[transaction][timers][rfc3261][rfc6026]") {
  timer_config unreliable;
  timer_config reliable;
  reliable.reliable = true;
  const std::vector<std::pair<timer, std::pair<ms, ms>>> expected{
      {timer::timer_a, {500ms, 500ms}}, {timer::timer_b, {32s, 32s}},
      {timer::timer_d, {32s, 0ms}},     {timer::timer_e, {500ms, 500ms}},
      {timer::timer_f, {32s, 32s}},     {timer::timer_g, {500ms, 500ms}},
      {timer::timer_h, {32s, 32s}},     {timer::timer_i, {5s, 0ms}},
      {timer::timer_j, {32s, 0ms}},     {timer::timer_k, {5s, 0ms}},
      {timer::timer_l, {32s, 32s}},     {timer::timer_m, {32s, 32s}},
  };
  for (const auto& [t, values] : expected) {
    INFO(to_string(t));
    CHECK(unreliable.initial(t) == values.first);
    CHECK(reliable.initial(t) == values.second);
  }
}

TEST_CASE("derived timers scale with T1 and T4 of the instance", "[transaction][timers]") {
  timer_config c;
  c.t1 = 100ms;
  c.t4 = 2s;
  c.d_unreliable = 3200ms;
  CHECK(c.initial(timer::timer_b) == 6400ms);
  CHECK(c.initial(timer::timer_j) == 6400ms);
  CHECK(c.initial(timer::timer_k) == 2s);
  CHECK(c.initial(timer::timer_i) == 2s);
  CHECK(c.initial(timer::timer_d) == 3200ms);
}

TEST_CASE("A doubles without a cap, E and G double up to T2", "[transaction][timers][rfc3261]") {
  timer_config c;
  CHECK(c.doubled(timer::timer_a, 4s) == 8s);
  CHECK(c.doubled(timer::timer_a, 16s) == 32s);
  CHECK(c.doubled(timer::timer_e, 1s) == 2s);
  CHECK(c.doubled(timer::timer_e, 2s) == 4s);
  CHECK(c.doubled(timer::timer_e, 4s) == 4s);
  CHECK(c.doubled(timer::timer_g, 3s) == 4s);
  CHECK(to_string(timer::timer_m) == "timer_m");
}
