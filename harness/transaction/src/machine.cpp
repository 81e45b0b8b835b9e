#include "sipwright/transaction/machine.hpp"

#include "tables.hpp"

namespace sipwright::transaction {

using std::chrono::milliseconds;

std::span<const row> table(kind k) {
  switch (k) {
  case kind::invite_client:
    return detail::invite_client_table();
  case kind::non_invite_client:
    return detail::non_invite_client_table();
  case kind::invite_server:
    return detail::invite_server_table();
  case kind::non_invite_server:
    return detail::non_invite_server_table();
  }
  return {};
}

input recv_response(int status) {
  if (status < 200) return input::recv_1xx;
  if (status < 300) return input::recv_2xx;
  return input::recv_300_699;
}

input tu_response(int status) {
  if (status < 200) return input::tu_1xx;
  if (status < 300) return input::tu_2xx;
  return input::tu_300_699;
}

machine::machine(transaction::kind k, const timer_config& config) : kind_(k), config_(config) {}

std::vector<action> machine::start(milliseconds now) {
  bool client = kind_ == kind::invite_client || kind_ == kind::non_invite_client;
  return handle(client ? input::tu_request : input::recv_request, now);
}

const row* machine::find(input in) const {
  for (const row& r : table(kind_)) {
    if (r.from != state_ || r.on != in) continue;
    if (r.guard == guard::unreliable && config_.reliable) continue;
    if (r.guard == guard::reliable && !config_.reliable) continue;
    return &r;
  }
  return nullptr;
}

std::vector<action> machine::handle(input in, milliseconds now) {
  std::vector<action> out;
  if (is_timer(in)) {
    auto idx = static_cast<std::size_t>(timer_of(in));
    if (!running_[idx]) return out; // stale: cancelled or never armed
    running_[idx] = false;
  }
  const row* r = find(in);
  if (!r) return out;
  timer fired_timer = is_timer(in) ? timer_of(in) : timer::timer_a;
  for (const step& s : r->steps) perform(s, fired_timer, now, out);
  history_.push_back({now, state_, in, r->to});
  state_ = r->to;
  if (state_ == state::terminated) {
    for (std::size_t t = 0; t < timer_count; ++t) {
      if (!running_[t]) continue;
      running_[t] = false;
      out.push_back({action_kind::cancel_timer, static_cast<timer>(t), {}, {}});
    }
    out.push_back({action_kind::terminated, timer::timer_a, {}, {}});
  }
  return out;
}

void machine::arm(timer t, milliseconds d, milliseconds now, std::vector<action>& out) {
  auto idx = static_cast<std::size_t>(t);
  running_[idx] = true;
  interval_[idx] = d;
  out.push_back({action_kind::start_timer, t, d, now + d});
}

void machine::perform(const step& s, timer fired_timer, milliseconds now,
                      std::vector<action>& out) {
  auto emit = [&](action_kind k) { out.push_back({k, timer::timer_a, {}, {}}); };
  switch (s.op) {
  case op::none:
    break;
  case op::send_request:
    emit(action_kind::send_request);
    break;
  case op::retransmit_request:
    emit(action_kind::retransmit_request);
    break;
  case op::send_ack:
    emit(action_kind::send_ack);
    break;
  case op::send_response:
    response_sent_ = true;
    emit(action_kind::send_response);
    break;
  case op::retransmit_response:
    if (response_sent_) emit(action_kind::retransmit_response);
    break;
  case op::pass_to_tu:
    emit(action_kind::pass_to_tu);
    break;
  case op::inform_timeout:
    emit(action_kind::timeout);
    break;
  case op::inform_transport_error:
    emit(action_kind::transport_error);
    break;
  case op::start_timer:
    arm(s.timer, config_.initial(s.timer), now, out);
    break;
  case op::restart_doubled:
    arm(s.timer, config_.doubled(s.timer, interval(fired_timer)), now, out);
    break;
  case op::restart_at_t2:
    arm(s.timer, config_.t2, now, out);
    break;
  case op::cancel_timer:
    if (running(s.timer)) {
      running_[static_cast<std::size_t>(s.timer)] = false;
      out.push_back({action_kind::cancel_timer, s.timer, {}, {}});
    }
    break;
  }
}

std::string_view to_string(kind k) {
  static constexpr std::string_view names[] = {"invite_client", "non_invite_client",
                                               "invite_server", "non_invite_server"};
  return names[static_cast<std::size_t>(k)];
}

std::string_view to_string(state s) {
  static constexpr std::string_view names[] = {"idle",     "calling",   "trying",    "proceeding",
                                               "accepted", "completed", "confirmed", "terminated"};
  return names[static_cast<std::size_t>(s)];
}

std::string_view to_string(input in) {
  if (is_timer(in)) return to_string(timer_of(in));
  static constexpr std::string_view names[] = {
      "tu_request",   "recv_request", "recv_ack", "recv_1xx",   "recv_2xx",
      "recv_300_699", "tu_1xx",       "tu_2xx",   "tu_300_699", "transport_error"};
  return names[static_cast<std::size_t>(in)];
}

std::string_view to_string(action_kind a) {
  static constexpr std::string_view names[] = {
      "send_request",        "retransmit_request", "send_ack",  "send_response",
      "retransmit_response", "pass_to_tu",         "timeout",   "transport_error",
      "start_timer",         "cancel_timer",       "terminated"};
  return names[static_cast<std::size_t>(a)];
}

} // namespace sipwright::transaction
