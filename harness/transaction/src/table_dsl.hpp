#pragma once
// Short names for writing the transition tables (internal to this library).
#include "sipwright/transaction/machine.hpp"

namespace sipwright::transaction::dsl {

using enum state;
using enum input;

inline constexpr step send_request{op::send_request};
inline constexpr step retransmit_request{op::retransmit_request};
inline constexpr step send_ack{op::send_ack};
inline constexpr step send_response{op::send_response};
inline constexpr step retransmit_response{op::retransmit_response};
inline constexpr step pass_to_tu{op::pass_to_tu};
inline constexpr step inform_timeout{op::inform_timeout};
inline constexpr step inform_transport_error{op::inform_transport_error};
constexpr step start(timer t) {
  return {op::start_timer, t};
}
constexpr step restart_doubled(timer t) {
  return {op::restart_doubled, t};
}
constexpr step restart_at_t2(timer t) {
  return {op::restart_at_t2, t};
}
constexpr step cancel(timer t) {
  return {op::cancel_timer, t};
}

inline constexpr guard any = guard::none;
inline constexpr guard unreliable = guard::unreliable;
inline constexpr guard reliable = guard::reliable;

inline constexpr timer a = timer::timer_a, b = timer::timer_b, d = timer::timer_d,
                       e = timer::timer_e, f = timer::timer_f, g = timer::timer_g,
                       h = timer::timer_h, i = timer::timer_i, j = timer::timer_j,
                       k = timer::timer_k, l = timer::timer_l, m = timer::timer_m;

} // namespace sipwright::transaction::dsl
