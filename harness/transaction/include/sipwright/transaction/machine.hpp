#pragma once
// A sans-I/O transaction state machine driven by a transition table (one table per RFC 3261
// figure 5-8). Inputs are events with the virtual time they happen at; outputs are actions the
// caller performs. Nothing here sleeps, sends or owns messages: the caller keeps the request
// and the last response and does what the actions say.
#include "sipwright/transaction/timer_config.hpp"

#include <array>
#include <bitset>
#include <chrono>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace sipwright::transaction {

enum class kind : std::uint8_t {
  invite_client,
  non_invite_client,
  invite_server,
  non_invite_server
};

// RFC state names; `idle` is the arrow into each figure (before the first message).
enum class state : std::uint8_t {
  idle,
  calling,
  trying,
  proceeding,
  accepted,
  completed,
  confirmed,
  terminated,
};

enum class input : std::uint8_t {
  tu_request,   // client: the TU hands over the request (starts the transaction)
  recv_request, // server: the request arrived (first copy starts the transaction)
  recv_ack,     // INVITE server: an ACK matching the transaction
  recv_1xx,     // client: responses received, by class
  recv_2xx,
  recv_300_699,
  tu_1xx, // server: responses the TU sends, by class
  tu_2xx,
  tu_300_699,
  transport_error, // the transport failed to send
  timer_a,         // timer_a ... timer_m: that timer fired (same order as enum timer)
  timer_b,
  timer_d,
  timer_e,
  timer_f,
  timer_g,
  timer_h,
  timer_i,
  timer_j,
  timer_k,
  timer_l,
  timer_m,
};

constexpr input fired(timer t) {
  return static_cast<input>(static_cast<int>(input::timer_a) + static_cast<int>(t));
}
constexpr bool is_timer(input in) {
  return in >= input::timer_a;
}
constexpr timer timer_of(input in) {
  return static_cast<timer>(static_cast<int>(in) - static_cast<int>(input::timer_a));
}
// The input for a response of this status code received by a client transaction.
input recv_response(int status);
// The input for a response of this status code the TU passes to a server transaction.
input tu_response(int status);

enum class action_kind : std::uint8_t {
  send_request,        // hand the request to the transport
  retransmit_request,  // send the request again
  send_ack,            // INVITE client: send the ACK for a non-2xx final response (17.1.1.3)
  send_response,       // hand the TU's response to the transport
  retransmit_response, // send the last response again
  pass_to_tu,          // deliver the received message to the TU
  timeout,             // tell the TU the transaction timed out
  transport_error,     // tell the TU the transport failed
  start_timer,         // arm timer `t` for `duration` (due at `deadline`)
  cancel_timer,        // disarm timer `t`
  terminated,          // the transaction is over; the caller destroys it
};

struct action {
  action_kind kind = action_kind::send_request;
  transaction::timer timer = timer::timer_a; // start_timer, cancel_timer
  std::chrono::milliseconds duration{0};     // start_timer
  std::chrono::milliseconds deadline{0};     // start_timer: the event's time + duration
  bool operator==(const action&) const = default;
};

// --- the table ---

enum class guard : std::uint8_t { none, unreliable, reliable };

enum class op : std::uint8_t {
  none,
  send_request,
  retransmit_request,
  send_ack,
  send_response,
  retransmit_response, // only when a response was sent before
  pass_to_tu,
  inform_timeout,
  inform_transport_error,
  start_timer,     // with the timer's initial duration
  restart_doubled, // the fired timer again with its doubled interval
  restart_at_t2,   // the fired timer again with interval T2 (17.1.2.2, proceeding)
  cancel_timer,    // emitted only when the timer runs
};

struct step {
  transaction::op op = op::none;
  transaction::timer timer = timer::timer_a;
};

inline constexpr std::size_t max_steps = 5;

struct row {
  state from;
  input on;
  transaction::guard guard;
  state to;
  std::array<step, max_steps> steps{};
};

std::span<const row> table(kind k);

// One transition taken, for observers (a conformance layer judging timing).
struct transition_record {
  std::chrono::milliseconds at{0};
  state from = state::idle;
  input on = input::tu_request;
  state to = state::idle;
};

std::string_view to_string(kind k);
std::string_view to_string(state s);
std::string_view to_string(input in);
std::string_view to_string(action_kind a);

class machine {
public:
  machine(transaction::kind k, const timer_config& config);

  // The first message: the TU's request (clients) or the received request (servers).
  std::vector<action> start(std::chrono::milliseconds now);
  // Any later input. Inputs without a row (e.g. a 1xx in completed) are absorbed: no action.
  // A timer input for a timer that is not running (cancelled, or never started) is ignored.
  std::vector<action> handle(input in, std::chrono::milliseconds now);

  transaction::kind kind() const { return kind_; }
  state current() const { return state_; }
  const timer_config& config() const { return config_; }
  bool running(timer t) const { return running_[static_cast<std::size_t>(t)]; }
  // The interval a retransmission timer was last armed with.
  std::chrono::milliseconds interval(timer t) const {
    return interval_[static_cast<std::size_t>(t)];
  }
  const std::vector<transition_record>& history() const { return history_; }

private:
  const row* find(input in) const;
  void perform(const step& s, timer fired_timer, std::chrono::milliseconds now,
               std::vector<action>& out);
  void arm(timer t, std::chrono::milliseconds d, std::chrono::milliseconds now,
           std::vector<action>& out);

  transaction::kind kind_;
  timer_config config_;
  state state_ = state::idle;
  bool response_sent_ = false;
  std::bitset<timer_count> running_;
  std::array<std::chrono::milliseconds, timer_count> interval_{};
  std::vector<transition_record> history_;
};

} // namespace sipwright::transaction
