#pragma once
// Test helper: one machine on a virtual clock; every action is logged with its virtual time.
#include "sipwright/transaction/machine.hpp"
#include "sipwright/transaction/timer_wheel.hpp"

#include <chrono>
#include <vector>

namespace sipwright::transaction::test {

using namespace std::chrono_literals;
using ms = std::chrono::milliseconds;

struct logged {
  ms at;
  transaction::action action;
};

class drive {
public:
  drive(transaction::kind k, const timer_config& c) : machine_(k, c) {}

  std::vector<action> start() { return record(machine_.start(wheel_.now())); }
  // An input at time `at` (timers due before it fire first).
  std::vector<action> at(ms t, input in) {
    run_until(t);
    return record(machine_.handle(in, wheel_.now()));
  }
  // Fires every timer due up to t, in order.
  void run_until(ms t) {
    while (auto due = wheel_.pop_due(t)) record(machine_.handle(fired(*due), wheel_.now()));
  }
  // The virtual times of the logged actions of one kind.
  std::vector<ms> times_of(action_kind k) const {
    std::vector<ms> out;
    for (const auto& l : log_)
      if (l.action.kind == k) out.push_back(l.at);
    return out;
  }
  state current() const { return machine_.current(); }
  const transaction::machine& machine() const { return machine_; }
  ms now() const { return wheel_.now(); }

private:
  std::vector<action> record(std::vector<action> acts) {
    wheel_.apply(acts);
    for (const auto& a : acts) log_.push_back({wheel_.now(), a});
    return acts;
  }

  transaction::machine machine_;
  timer_wheel wheel_;
  std::vector<logged> log_;
};

// Action builders for exact comparisons.
inline action act(action_kind k) {
  return {k, timer::timer_a, {}, {}};
}
inline action start_at(timer t, ms duration, ms now) {
  return {action_kind::start_timer, t, duration, now + duration};
}
inline action cancel(timer t) {
  return {action_kind::cancel_timer, t, {}, {}};
}

inline timer_config fast(bool reliable = false) {
  timer_config c;
  c.t1 = std::chrono::milliseconds(100);
  c.reliable = reliable;
  return c;
}

} // namespace sipwright::transaction::test
