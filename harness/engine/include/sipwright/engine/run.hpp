#pragma once
// Plays a loaded scenario against a device: the caller towards --dut, or the callee for the calls
// that arrive at --local. Agents are Asio coroutines on one io_context (hidden in the .cpp files);
// this header is Asio-free.
#include "sipwright/checks/verdict.hpp"
#include "sipwright/scenario/model.hpp"
#include "sipwright/transport/endpoint.hpp"
#include "sipwright/transport/tls_options.hpp"
#include "sipwright/transport/trace.hpp"

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace sipwright::engine {

// A problem with the local setup that stops the run before anything is sent (exit code 2).
class setup_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

// Who sipwright authenticates as (RFC 3261 22). Never printed.
struct credentials {
  std::string user;
  std::string password;
  std::string realm; // empty: any realm
};

// One agent of a scenario with several (<agent name="...">): where it plays from and as whom.
struct agent_options {
  std::optional<transport::endpoint> local;       // default: the run's local address, any free port
  std::optional<engine::credentials> credentials; // default: the run's
};

struct run_options {
  transport::protocol proto = transport::protocol::udp;
  std::optional<transport::endpoint> local;  // default: 127.0.0.1:5060 (TLS: 5061) for a callee,
                                             // port 0 else
  std::optional<transport::endpoint> dut;    // required for a caller
  std::string service = "service";           // [service]
  std::chrono::milliseconds t1{500};         // RFC 3261 T1: retransmissions and waits scale with it
  std::chrono::milliseconds t2{4000};        // RFC 3261 T2
  std::chrono::milliseconds timeout{120000}; // bound of the whole scenario run
  int calls = 1;                             // -m: calls to play
  std::uint16_t media_port = 6000;           // [media_port]
  unsigned seed = 0;                         // for lost= and chance=; 0: from the clock
  // How far the device's retransmissions may be from the RFC schedule: a fraction of the
  // interval expected, plus a fixed allowance (see checks::timing).
  double timing_tolerance = 0.5;
  bool strict = false; // SHOULD-level violations fail the call instead of warning
  // What [authentication] answers challenges with (RFC 3261 22): from the device profile's
  // [auth] or the environment, never printed.
  std::optional<engine::credentials> credentials;
  // A callee scenario: the command that makes the device place its call, run once the harness
  // listens, with {host}, {port}, {transport} and {user} filled in (the user: [service]).
  std::string trigger;
  // When set and non-zero (see interrupt_watch): the run was interrupted before this scenario
  // started, which then does not play and is reported as interrupted.
  const std::atomic<int>* interrupted = nullptr;
  // The agents of a scenario with several, by name (from the device profile's [agents.NAME]).
  std::map<std::string, agent_options> agents;
  // Called once the transport is bound, with what it bound (e.g. to print the port).
  std::function<void(transport::protocol, const transport::endpoint&)> on_listening;
  // Over TLS: sipwright's certificate, the CA store, whether the device's certificate is checked.
  transport::tls_options tls;
};

struct call_result {
  int call_number = 0;
  std::string agent; // the <agent> that played it, in a scenario with several
  bool passed = false;
  bool stopped = false;         // ended by an exec int_cmd
  std::string failure;          // "FILE:LINE: what went wrong", empty when passed
  std::string failure_message;  // the received message that caused it, when one did
  std::vector<std::string> log; // <log>/<warning> actions and notes, in order
  // The conformance rules the flow armed: per rule its failures and warnings, else its pass or
  // N/A, in catalogue order.
  std::vector<checks::verdict> verdicts;
  // The same rules applied to what the scenario made the harness send: violations only. They
  // never fail the call (a scenario may break the rules on purpose) but are shown apart.
  std::vector<checks::verdict> scenario_warnings;
};

struct scenario_result {
  std::string id; // the library id (<metadata id>), empty for other scenarios
  std::string file;
  std::string name;
  scenario::role role = scenario::role::caller;
  transport::endpoint local; // as bound
  std::vector<call_result> calls;
  std::chrono::steady_clock::duration elapsed{};
  transport::trace trace;       // every message of the run
  std::vector<std::string> log; // what the run did besides the calls (the trigger command)
  int interrupted = 0;          // the signal (SIGINT, SIGTERM) that cut the run short, else 0
  // Why the scenario was not played (e.g. the device profile lacks a capability it needs), empty
  // when it was. A skipped scenario has no calls and is reported as skipped, never as passed.
  std::string skipped;
  bool passed() const;
};

// Runs `calls` calls of the scenario. Throws setup_error (bad options, address in use) before
// sending anything; everything the device does becomes part of the result instead.
scenario_result run_scenario(const scenario::scenario& sc, const run_options& opts);

} // namespace sipwright::engine
