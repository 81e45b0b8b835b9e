#pragma once
// Timer names and values of the RFC 3261 section 17 transactions (table 4) plus RFC 6026's
// timers L and M. Values are per transaction instance: a timer_config is passed at construction.
#include <chrono>
#include <cstdint>
#include <string_view>

namespace sipwright::transaction {

enum class timer : std::uint8_t {
  timer_a, // INVITE client request retransmission (unreliable transports only)
  timer_b, // INVITE client transaction timeout
  timer_d, // INVITE client wait for response retransmissions in completed
  timer_e, // non-INVITE client request retransmission (unreliable transports only)
  timer_f, // non-INVITE client transaction timeout
  timer_g, // INVITE server final response retransmission (unreliable transports only)
  timer_h, // INVITE server wait for ACK
  timer_i, // INVITE server wait for ACK retransmissions in confirmed
  timer_j, // non-INVITE server wait for request retransmissions in completed
  timer_k, // non-INVITE client wait for response retransmissions in completed
  timer_l, // INVITE server wait in accepted (RFC 6026)
  timer_m, // INVITE client wait in accepted (RFC 6026)
};
inline constexpr std::size_t timer_count = 12;

std::string_view to_string(timer t);

struct timer_config {
  std::chrono::milliseconds t1{500};  // RTT estimate
  std::chrono::milliseconds t2{4000}; // maximum retransmit interval of non-INVITE requests
  std::chrono::milliseconds t4{5000}; // maximum time a message stays in the network
  bool reliable = false;              // TCP, TLS, SCTP: no retransmissions, zero D/I/J/K
  // Timer D on unreliable transports: "at least 32 s" (RFC 3261 17.1.1.2); a setting so that a
  // run with a scaled T1 can scale it too.
  std::chrono::milliseconds d_unreliable{32000};

  // The first duration of a timer under this configuration (RFC 3261 table 4, RFC 6026 7.1, 7.2).
  std::chrono::milliseconds initial(timer t) const;
  // The next interval of a retransmission timer after it fired with `current`: A doubles
  // (17.1.1.2), E and G double up to T2 (17.1.2.2, 17.2.1).
  std::chrono::milliseconds doubled(timer t, std::chrono::milliseconds current) const;
};

} // namespace sipwright::transaction
