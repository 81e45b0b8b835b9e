#pragma once
// One RFC 3261 section 17 transaction at work: the project's transition-table machine, its timers
// on the scheduler (real time), its send actions on the transport. The owner (the UA core) keeps
// the request and sets the response or ACK to send before it feeds the input that sends it.
#include "scheduler.hpp"

#include "sipwright/transaction/machine.hpp"
#include "sipwright/transport/transport.hpp"

#include <array>
#include <chrono>
#include <functional>
#include <string>

namespace sipwright::refdut::detail {

class transaction_runner {
public:
  struct hooks {
    std::function<void()> on_timeout;    // Timer B/F/H fired, or the transport failed
    std::function<void()> on_terminated; // the machine reached terminated (owner may destroy)
  };

  transaction_runner(transaction::kind k, const transaction::timer_config& config, scheduler& sched,
                     transport::transport& tp, transport::endpoint peer, hooks h);
  ~transaction_runner();
  transaction_runner(const transaction_runner&) = delete;
  transaction_runner& operator=(const transaction_runner&) = delete;

  // What the send actions send: the request (clients), the response (servers), the ACK of a
  // non-2xx final response (INVITE clients, 17.1.1.3). An empty ACK is not sent.
  std::string request;
  std::string response;
  std::string ack;
  // Faults: drop the retransmissions Timer G triggers; ACK only the first non-2xx copy.
  bool suppress_timer_g = false;
  bool ack_once = false;

  // Starts the machine (the client's request goes out, the server's request goes to the TU).
  // Returns true when the machine passed the message to the TU.
  bool start();
  // Feeds an input; returns true when the machine passed the message to the TU.
  bool handle(transaction::input in);

  transaction::state state() const { return machine_.current(); }
  const transport::endpoint& peer() const { return peer_; }
  int acks_sent() const { return acks_sent_; }

private:
  bool perform(const std::vector<transaction::action>& actions, bool by_timer_g);
  std::chrono::milliseconds now() const;

  transaction::machine machine_;
  scheduler& sched_;
  transport::transport& tp_;
  transport::endpoint peer_;
  hooks hooks_;
  std::chrono::steady_clock::time_point epoch_;
  std::array<scheduler::timer_id, transaction::timer_count> timers_{};
  int acks_sent_ = 0;
};

} // namespace sipwright::refdut::detail
