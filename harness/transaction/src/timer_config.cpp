#include "sipwright/transaction/timer_config.hpp"

#include <algorithm>

namespace sipwright::transaction {

using std::chrono::milliseconds;

std::chrono::milliseconds timer_config::initial(timer t) const {
  const milliseconds zero{0};
  switch (t) {
  case timer::timer_a: // 17.1.1.2: A starts at T1
  case timer::timer_e: // 17.1.2.2: E starts at T1
  case timer::timer_g: // 17.2.1: G starts at T1
    return t1;
  case timer::timer_b: // 17.1.1.2: B = 64*T1
  case timer::timer_f: // 17.1.2.2: F = 64*T1
  case timer::timer_h: // 17.2.1: H = 64*T1
  case timer::timer_l: // RFC 6026 7.1: L = 64*T1
  case timer::timer_m: // RFC 6026 7.2: M = 64*T1
    return 64 * t1;
  case timer::timer_d: // 17.1.1.2: D >= 32 s unreliable, 0 reliable
    return reliable ? zero : d_unreliable;
  case timer::timer_i: // 17.2.1: I = T4 unreliable, 0 reliable
  case timer::timer_k: // 17.1.2.2: K = T4 unreliable, 0 reliable
    return reliable ? zero : t4;
  case timer::timer_j: // 17.2.2: J = 64*T1 unreliable, 0 reliable
    return reliable ? zero : 64 * t1;
  }
  return zero;
}

std::chrono::milliseconds timer_config::doubled(timer t, std::chrono::milliseconds current) const {
  if (t == timer::timer_a) return 2 * current; // 17.1.1.2: A doubles without a cap
  return std::min(2 * current, t2);            // 17.1.2.2, 17.2.1: E and G cap at T2
}

std::string_view to_string(timer t) {
  static constexpr std::string_view names[] = {
      "timer_a", "timer_b", "timer_d", "timer_e", "timer_f", "timer_g",
      "timer_h", "timer_i", "timer_j", "timer_k", "timer_l", "timer_m",
  };
  return names[static_cast<std::size_t>(t)];
}

} // namespace sipwright::transaction
