#pragma once
// A virtual clock with the timers of one transaction: it applies start_timer/cancel_timer
// actions and hands back due timers in deadline order, so tests (and replays) run in virtual
// time without sleeping.
#include "sipwright/transaction/machine.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace sipwright::transaction {

class timer_wheel {
public:
  std::chrono::milliseconds now() const { return now_; }
  // start_timer (re)arms the timer at its deadline; cancel_timer disarms it; others are ignored.
  void apply(std::span<const action> actions);
  std::optional<std::chrono::milliseconds> next_deadline() const;
  // Moves the clock to the earliest timer due at or before `until` and returns it (disarmed);
  // when none is due, moves the clock to `until` and returns nothing. Ties go in arming order.
  std::optional<timer> pop_due(std::chrono::milliseconds until);
  bool empty() const { return entries_.empty(); }

private:
  struct entry {
    std::chrono::milliseconds deadline;
    std::uint64_t seq;
    transaction::timer timer;
  };
  std::vector<entry> entries_;
  std::chrono::milliseconds now_{0};
  std::uint64_t seq_ = 0;
};

} // namespace sipwright::transaction
