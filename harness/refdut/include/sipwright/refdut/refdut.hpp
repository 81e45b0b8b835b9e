#pragma once
// The reference device: a conformant SIP user agent built on sipwright's own stack (transport,
// message model, RFC 3261 section 17 transaction machines, section 12 dialogs). It is the default
// device under test, so the suite runs out of the box, and each fault switch injects one known
// defect that one conformance rule must catch. No Asio here: the loop lives in src/.
#include <functional>
#include <iosfwd>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sipwright::refdut {

struct refdut_options {
  // Callee (the default mode): where to listen ("IP:PORT", port 0: any free port). Caller: the
  // local address to send from.
  std::string local;
  // Caller mode: the HOST:PORT to call. Empty: callee mode.
  std::string call;
  std::string transport = "udp";
  // TLS: the device's certificate and key (PEM; none: a throwaway self-signed certificate), the CA
  // certificates a server it calls must chain to (none: the system's store), and the insecure
  // mode that accepts any server certificate (labs, and a harness with a throwaway certificate).
  std::string tls_cert;
  std::string tls_key;
  std::string tls_ca;
  bool tls_insecure = false;
  // Callee: the final answer when the Request-URI user does not choose one (200, 380, 486, 503).
  int answer = 200;
  // Caller: the user part of the Request-URI.
  std::string user = "service";
  int t1_ms = 500;
  int t2_ms = 4000;
  std::vector<std::string> faults; // names, see faults()
  int calls = 0;                   // callee: stop after this many calls (0: run until a signal)
  double timeout_s = 0;            // bound of the whole run (0: none as callee, 60 s as caller)
  int hangup_after_ms = 1000;      // caller: BYE this long after the 2xx
  int ring_ms = 0;                 // callee: time between 180 Ringing and the final answer
  bool late_offer = false;         // caller: INVITE without SDP (the ACK carries the answer)
  std::string route;               // caller: a preloaded Route URI for the INVITE
  bool list_faults = false;        // print the fault switches and exit
  // Embedding (tests, an in-process harness): called once the device is bound, with its local
  // "IP:PORT", on the device's thread.
  std::function<void(const std::string&)> on_listening;
};

// Whom a fault affects: the device as caller, as callee, or both.
enum class fault_role : unsigned char { caller, callee, both };

struct fault_info {
  std::string_view name;        // the --fault NAME
  std::string_view description; // one line
  std::string_view rule;        // the conformance rule id it should trip
  fault_role role;
};

// Every fault switch, in a stable order.
std::span<const fault_info> faults();

// Exit codes of run_refdut.
inline constexpr int exit_ok = 0;     // callee: stopped cleanly; caller: the call completed
inline constexpr int exit_failed = 1; // caller: no final answer, timeout, transport failure ...
inline constexpr int exit_usage = 2;  // bad option, unknown fault, cannot bind

// Runs the device until a signal (SIGINT/SIGTERM), --calls calls, the caller's call ends or
// --timeout. One line per call goes to `out` ("refdut: call 1 from ...: INVITE -> 200, ACK ok,
// BYE -> 200"), and "listening on UDP IP:PORT" (flushed) once bound. Setup errors go to `err`.
int run_refdut(const refdut_options& opts, std::ostream& out, std::ostream& err);

} // namespace sipwright::refdut
