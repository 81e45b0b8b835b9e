#include "transaction_runner.hpp"

#include "sipwright/transport/transport.hpp"

namespace sipwright::refdut::detail {

using transaction::action_kind;

transaction_runner::transaction_runner(transaction::kind k, const transaction::timer_config& config,
                                       scheduler& sched, transport::transport& tp,
                                       transport::endpoint peer, hooks h)
    : machine_(k, config), sched_(sched), tp_(tp), peer_(std::move(peer)), hooks_(std::move(h)),
      epoch_(std::chrono::steady_clock::now()) {}

transaction_runner::~transaction_runner() {
  for (auto id : timers_)
    if (id) sched_.cancel(id);
}

std::chrono::milliseconds transaction_runner::now() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               epoch_);
}

bool transaction_runner::start() {
  return perform(machine_.start(now()), false);
}

bool transaction_runner::handle(transaction::input in) {
  return perform(machine_.handle(in, now()), in == transaction::input::timer_g);
}

bool transaction_runner::perform(const std::vector<transaction::action>& actions, bool by_timer_g) {
  bool passed = false;
  bool terminated = false;
  for (const auto& a : actions) {
    auto& slot = timers_[static_cast<std::size_t>(a.timer)];
    switch (a.kind) {
    case action_kind::send_request:
      tp_.send(peer_, request);
      break;
    case action_kind::retransmit_request:
      tp_.send(peer_, request, "retransmission");
      break;
    case action_kind::send_ack:
      // 17.1.1.2: the ACK of a non-2xx final response, again for each retransmission of it.
      if (!ack.empty() && !(ack_once && acks_sent_ > 0)) {
        tp_.send(peer_, ack, acks_sent_ ? "ACK again" : "");
        ++acks_sent_;
      }
      break;
    case action_kind::send_response:
      tp_.send(peer_, response);
      break;
    case action_kind::retransmit_response:
      if (!(by_timer_g && suppress_timer_g)) tp_.send(peer_, response, "retransmission");
      break;
    case action_kind::pass_to_tu:
      passed = true;
      break;
    case action_kind::timeout:
    case action_kind::transport_error:
      if (hooks_.on_timeout) hooks_.on_timeout();
      break;
    case action_kind::start_timer: {
      if (slot) sched_.cancel(slot);
      const auto t = a.timer;
      slot = sched_.after(a.duration, [this, t] {
        timers_[static_cast<std::size_t>(t)] = 0;
        handle(transaction::fired(t));
      });
      break;
    }
    case action_kind::cancel_timer:
      if (slot) sched_.cancel(slot);
      slot = 0;
      break;
    case action_kind::terminated:
      terminated = true;
      break;
    }
  }
  if (terminated) {
    for (auto& id : timers_) {
      if (id) sched_.cancel(id);
      id = 0;
    }
    if (hooks_.on_terminated) hooks_.on_terminated();
  }
  return passed;
}

} // namespace sipwright::refdut::detail
