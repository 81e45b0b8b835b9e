#pragma once
// Device profiles: a small TOML file that says how to test one device (`sipwright run --profile
// FILE`): where it is or how to start it, its transports, timers, which user makes it answer with
// which status, how to make it call, and what it supports. load_profile() checks every key and
// value before anything runs; skip_reason() says which library scenarios do not apply.
// No TOML and no Asio here: toml++ is used in src/load.cpp only.
#include "sipwright/scenario/model.hpp"
#include "sipwright/transport/endpoint.hpp"
#include "sipwright/transport/tls_options.hpp"

#include <array>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace sipwright::profile {

// A profile that cannot be used: "FILE:LINE:COL: error: WHAT", or "FILE: error: WHAT" when there
// is no position (an unreadable file, a table that is missing). Exit code 2, like a bad scenario.
class profile_error : public std::runtime_error {
public:
  profile_error(std::string file, int line, int column, const std::string& what);
  const std::string& file() const { return file_; }
  int line() const { return line_; } // 1-based; 0: no position
  int column() const { return column_; }
  const std::string& text() const { return text_; } // WHAT alone

private:
  std::string file_;
  int line_ = 0;
  int column_ = 0;
  std::string text_;
};

struct profile {
  std::string name; // shown in reports; default: the file name without its extension
  std::string file; // the file as given to load_profile

  // [device]: exactly one of address and launch.
  // A device that runs already (port 1..65535).
  std::optional<transport::endpoint> address;
  // Or the command that starts it (placeholders: launch_placeholders).
  std::string launch;
  // The default transport, and every transport the device takes (never empty; has `transport`).
  transport::protocol transport = transport::protocol::udp;
  std::vector<transport::protocol> transports{transport::protocol::udp};
  int parallel = 1;                      // scenarios the device takes at once
  std::vector<std::string> capabilities; // what the device supports

  // [harness]
  transport::endpoint local{"127.0.0.1", 0}; // where sipwright binds; [::1]:0 for an IPv6 address

  // [timers]
  int t1_ms = 500;
  std::optional<int> t2_ms; // unset: 8 * T1 (whatever T1 the run ends up with)
  double timeout_s = 120;   // bound of one scenario
  double timing_tolerance = 0.5;

  // [services]: "486" -> "busy": the user that makes the device answer with that status.
  std::map<std::string, std::string> services;

  // [trigger] command: makes the device call (placeholders: trigger_placeholders); empty: none.
  std::string trigger;

  // [auth]: the credentials for challenges (RFC 3261 22); never printed.
  struct auth_spec {
    std::string user;
    std::string password;     // in the file, or
    std::string password_env; // the environment variable that holds it
    std::string realm;        // empty: any realm
  };
  std::optional<auth_spec> auth;
  // [agents.NAME]: for scenarios with several agents (<agent name="NAME">), where each plays from
  // and as whom (RFC 3261 22): user, password or password_env, realm, local. An agent without
  // credentials of its own uses [auth]; without local, [harness] local's address, any port.
  struct agent_spec {
    std::optional<auth_spec> auth;
    std::optional<transport::endpoint> local;
  };
  std::map<std::string, agent_spec> agents;

  // [tls]: certificate, key, ca (paths, relative ones from the profile's folder), verify,
  // server_name, verify_client. What sipwright uses over TLS; the defaults check the device's
  // certificate against the system's store (tls_options).
  transport::tls_options tls;

  int t2() const { return t2_ms.value_or(8 * t1_ms); }
  bool supports(transport::protocol p) const;
};

// The placeholders each command may use; load_profile refuses any other {name}.
// {sipwright}: the running sipwright executable; {transport}: udp, tcp or tls; {t1}, {t2}: in ms.
inline constexpr std::array<std::string_view, 4> launch_placeholders = {"sipwright", "transport",
                                                                        "t1", "t2"};
// The trigger takes those too, and {host}, {port}: where sipwright listens; {user}: the
// scenario's service user (known only when the scenario runs: the engine fills these in).
inline constexpr std::array<std::string_view, 7> trigger_placeholders = {
    "host", "port", "user", "transport", "sipwright", "t1", "t2"};

// Reads and checks a profile. Throws profile_error on an unreadable file, a TOML syntax error,
// an unknown table or key (with the closest known one when it is near), a value of the wrong
// type, or a value out of range.
profile load_profile(const std::filesystem::path& file);

// The names of the {name} placeholders in a command, in order (name: a letter or '_', then
// letters, digits, '_'). A "${name}" is the shell's, not a placeholder.
std::vector<std::string> placeholders(std::string_view command);

// Replaces each {name} placeholder whose name is in `fields` by its value, in one pass (a value is
// never expanded again). Any other {name}, and every "${name}", is left as it is: load_profile has
// already refused unknown placeholders, and braces that are not placeholders belong to the shell.
// Values are inserted as they are (no shell quoting).
std::string expand(std::string_view command, const std::map<std::string, std::string>& fields);

// Why a library scenario does not apply to this device over `transport`, or nothing when it does:
// a capability the profile does not list, a transport the scenario or the device does not take,
// no [services] user for the status a device-callee scenario needs, or no [trigger] for a
// device-caller scenario.
std::optional<std::string> skip_reason(const profile& p, const scenario::metadata& m,
                                       transport::protocol transport);

// The user for the scenario's [service]: the profile's [services] entry for the metadata service
// when there is one, else the metadata service itself (empty when the scenario names none: keep
// the run's default).
std::string service_user(const profile& p, const scenario::metadata& m);

} // namespace sipwright::profile
