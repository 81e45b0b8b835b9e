#include "sipwright/transaction/timer_wheel.hpp"

#include <algorithm>

namespace sipwright::transaction {

void timer_wheel::apply(std::span<const action> actions) {
  for (const action& a : actions) {
    if (a.kind != action_kind::start_timer && a.kind != action_kind::cancel_timer) continue;
    std::erase_if(entries_, [&](const entry& e) { return e.timer == a.timer; });
    if (a.kind == action_kind::start_timer) entries_.push_back({a.deadline, seq_++, a.timer});
  }
}

std::optional<std::chrono::milliseconds> timer_wheel::next_deadline() const {
  if (entries_.empty()) return std::nullopt;
  return std::min_element(entries_.begin(), entries_.end(),
                          [](const entry& x, const entry& y) { return x.deadline < y.deadline; })
      ->deadline;
}

std::optional<timer> timer_wheel::pop_due(std::chrono::milliseconds until) {
  auto it = std::min_element(entries_.begin(), entries_.end(), [](const entry& x, const entry& y) {
    return x.deadline != y.deadline ? x.deadline < y.deadline : x.seq < y.seq;
  });
  if (it == entries_.end() || it->deadline > until) {
    now_ = std::max(now_, until);
    return std::nullopt;
  }
  now_ = std::max(now_, it->deadline);
  timer t = it->timer;
  entries_.erase(it);
  return t;
}

} // namespace sipwright::transaction
