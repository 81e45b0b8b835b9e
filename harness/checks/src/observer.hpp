#pragma once
// One family of rules watching a call. Observers keep copies of the messages they need (the
// message seen in on_message lives only for the call).
#include "sipwright/checks/call_checks.hpp"

#include <memory>
#include <vector>

namespace sipwright::checks::detail {

using clock = std::chrono::steady_clock;

class observer {
public:
  virtual ~observer() = default;
  virtual void on_message(const observed& m, verdicts& out) = 0;
  virtual void on_end(clock::time_point /*at*/, verdicts& /*out*/) {}
};

// Every message received: grammar, mandatory headers, framing, Content-Type, branch cookie, and
// for responses what they must copy from the request (message_rules.cpp).
std::unique_ptr<observer> make_message_rules();
// 380 Alternative Service bodies (alt_service.cpp).
std::unique_ptr<observer> make_alt_service_rules();
// The device as caller: the ACK of the harness's 2xx and of its final non-2xx (ack_rules.cpp).
std::unique_ptr<observer> make_ack_rules(const timing& t);
// The device as registrar: bindings in its 200 to REGISTER, Min-Expires in a 423
// (register_rules.cpp).
std::unique_ptr<observer> make_register_rules();
// The device as notifier: Expires in its 2xx to SUBSCRIBE, the NOTIFY that follows, its Event and
// Subscription-State (subscribe_rules.cpp).
std::unique_ptr<observer> make_subscribe_rules(const timing& t);
// The device as callee: its 2xx and final non-2xx retransmission schedules, BYE without ACK
// (retransmission_rules.cpp).
std::unique_ptr<observer> make_retransmission_rules(const timing& t);

} // namespace sipwright::checks::detail
