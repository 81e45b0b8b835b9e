#pragma once
// The rules of one call, as observers: they see every message the harness sent and received, in
// order and with its time, arm themselves from the flow (a 2xx sent to an INVITE arms the 2xx ACK
// rules, a 380 received arms the body rules ...) and never change what is sent. Time is an input,
// so tests run in virtual time.
#include "sipwright/checks/verdict.hpp"
#include "sipwright/sip/message.hpp"

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

namespace sipwright::checks {

struct timing {
  std::chrono::milliseconds t1{500}; // the device's T1 and T2 (flags or profile)
  std::chrono::milliseconds t2{4000};
  // How far an observed retransmission may be from the RFC schedule, as a fraction of the
  // interval expected (0.5: 500 ms +- 250 ms), plus a fixed allowance for a loaded device.
  double tolerance = 0.5;
  std::chrono::milliseconds slack{50};
  bool reliable = false; // TCP/TLS: no Timer G retransmissions of non-2xx (RFC 3261 17.2.1)
};

enum class direction : std::uint8_t { received, sent }; // seen from the harness

struct observed {
  const sip::message& msg;
  checks::direction dir;
  std::chrono::steady_clock::time_point at;
  std::size_t trace_index = 0;
  bool retransmission = false; // the harness sent it again (retrans=), or the device did
};

// Whom the rules judge. The device: what it sends, by every rule. The scenario: what the harness
// sends, seen through the same rules with the directions swapped (message grammar and framing,
// the ACK fields), so that a scenario that sends a broken message gets a scenario warning, kept
// apart from the device's verdicts.
enum class judged : std::uint8_t { device, scenario };

class call_checks {
public:
  explicit call_checks(checks::timing t, judged who = judged::device);
  ~call_checks();
  call_checks(call_checks&&) noexcept;
  call_checks& operator=(call_checks&&) noexcept;

  void on_message(const observed& m);
  // The harness challenged the device (RFC 3261 22.2, 22.3) and checked the credentials of the
  // request at `trace_index` against the challenges it issued (the engine holds their nonces):
  // `problem` empty when they answer them, else what is wrong, citing the section; `note` says
  // what could not be checked (e.g. no account to check the digest against).
  void on_credentials(std::size_t trace_index, const std::string& problem,
                      const std::string& note = {});
  // The call ended (its scenario finished or failed) at `at`: rules still waiting conclude, e.g.
  // an ACK that never came, a schedule that stopped early.
  void on_end(std::chrono::steady_clock::time_point at);

  const checks::verdicts& result() const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace sipwright::checks
