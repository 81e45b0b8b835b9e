#pragma once
// `sipwright run`: loads every scenario first (a bad file stops the run before anything is
// sent, exit 2), then plays them against the device, several at once when --jobs (or the device
// profile) allows, and writes the reports.
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace sipwright::cli {

// What the command line gave; an option left out takes the device profile's value, else the
// default noted here.
struct run_cli_options {
  std::vector<std::string> files; // scenario files or library ids; none with --profile: the library
  std::string profile;            // --profile FILE
  std::string dut;                // HOST:PORT, empty when not given
  std::string local;              // IP:PORT, empty when not given
  std::optional<std::string> transport;   // udp
  std::optional<std::string> service;     // "service", or a library scenario's own
  std::optional<std::string> trigger;     // see engine::run_options::trigger
  std::optional<int> t1_ms;               // 500
  std::optional<int> t2_ms;               // 8 * T1, as RFC 3261's defaults (500 ms, 4 s) relate
  std::optional<double> timeout_s;        // 120
  std::optional<double> timing_tolerance; // 0.5
  std::optional<int> jobs;                // scenarios at once: the profile's parallel, else 1
  // TLS (the profile's [tls], which these override): --tls-cert, --tls-key, --tls-ca,
  // --tls-server-name, --tls-insecure (accept any certificate of the device: labs only),
  // --tls-verify-client (devices that connect must show a certificate of --tls-ca).
  std::optional<std::string> tls_cert;
  std::optional<std::string> tls_key;
  std::optional<std::string> tls_ca;
  std::optional<std::string> tls_server_name;
  bool tls_insecure = false;
  bool tls_verify_client = false;
  int calls = 1;
  unsigned seed = 0;
  bool verbose = false;       // every message of the run, in full
  bool quiet = false;         // only failures and the summary
  bool strict = false;        // SHOULD-level violations fail
  std::string color = "auto"; // auto (on a terminal, unless NO_COLOR), always, never
  bool terminal = false;      // the console is a terminal: a progress line, colours with auto
  std::string junit;          // --junit FILE
  std::string html;           // --html FILE
  std::string pcap;           // --pcap FILE
  std::string out_dir;        // --out DIR: junit.xml, report.html and run.pcap (the default when no
                              // report file is named: sipwright-results)
};

// Console: one line per scenario (PASS/FAIL/SKIP, role, calls, time), the failures beneath it, and
// `N passed, N failed, N skipped`. Returns 0 all passed, 1 some failed, 2 usage or setup error.
int run_scenarios(const run_cli_options& opts, std::ostream& out, std::ostream& err);

// `sipwright list`: the bundled library, one scenario per line (or JSON).
int run_list(bool json, std::ostream& out, std::ostream& err);

} // namespace sipwright::cli
