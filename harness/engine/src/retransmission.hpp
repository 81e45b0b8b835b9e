#pragma once
// What the harness retransmits on its own, per message sent (RFC 3261 17.1.1.2 Timer A, 17.1.2.2
// Timer E, 17.2.1 Timer G, 13.3.1.4 for a 2xx), and what stops it. Asio-free.
#include "sipwright/sip/message.hpp"
#include "sipwright/transport/endpoint.hpp"

#include <chrono>
#include <cstdint>
#include <string>

namespace sipwright::engine {

struct retransmission {
  using clock = std::chrono::steady_clock;
  std::string bytes;
  sip::message parsed; // the same message parsed once, for the rules that observe each copy
  transport::endpoint to;
  std::chrono::milliseconds interval{0};
  std::chrono::milliseconds cap{0}; // 0: doubles without cap (Timer A)
  clock::time_point next;
  clock::time_point give_up;
  bool request = false;
  std::string method;  // request: its method; response: its CSeq method
  std::string tx;      // transaction id (see exchanges.hpp)
  int status = 0;      // response: its status
  std::string call_id; // response: for matching the ACK of a 2xx
  std::uint32_t cseq = 0;

  // Schedules the next copy after one was sent at `now`.
  void sent_at(clock::time_point now);
  // Whether `m`, received, ends the retransmissions: any response for an INVITE (Timer A,
  // 17.1.1.2), a final response for other requests (a provisional one moves the interval to T2,
  // 17.1.2.2), the ACK for an INVITE's final response (13.3.1.4, 17.2.1).
  bool stopped_by(const sip::message& m, std::chrono::milliseconds t2);
};

} // namespace sipwright::engine
