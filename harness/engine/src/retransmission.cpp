#include "retransmission.hpp"

#include "exchanges.hpp"

namespace sipwright::engine {

void retransmission::sent_at(clock::time_point now) {
  next = now + interval;
  interval *= 2;
  if (cap.count() && interval > cap) interval = cap;
}

bool retransmission::stopped_by(const sip::message& m, std::chrono::milliseconds t2) {
  if (request) {
    if (!m.is_response() || transaction_id(m) != tx) return false;
    auto cs = m.cseq();
    if (!cs || cs->method != method) return false;
    if (method == "INVITE" || m.status_code() >= 200) return true;
    cap = t2; // 17.1.2.2: in Proceeding, Timer E fires every T2
    if (interval > t2) interval = t2;
    return false;
  }
  if (method != "INVITE") return false;
  if (!m.is_request() || m.method() != "ACK") return false;
  auto cs = m.cseq();
  if (!cs || cs->number != cseq || m.call_id().value_or("") != call_id) return false;
  // A non-2xx is acknowledged within its transaction (17.1.1.3): same branch.
  return status < 300 || transaction_id(m) == tx;
}

} // namespace sipwright::engine
