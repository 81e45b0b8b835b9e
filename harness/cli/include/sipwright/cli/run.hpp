#pragma once
// `sipwright run`: loads every scenario first (a bad file stops the run before anything is
// sent, exit 2), then plays them one after the other against the device.
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace sipwright::cli {

struct run_cli_options {
  std::vector<std::string> files;
  std::string dut;   // HOST:PORT, empty when not given
  std::string local; // IP:PORT, empty when not given
  std::string transport = "udp";
  std::string service = "service";
  bool service_given = false; // else a library scenario's own service applies
  std::string trigger;        // see engine::run_options::trigger
  int t1_ms = 500;
  int t2_ms = 0; // 0: 8 * T1, as RFC 3261's defaults (500 ms, 4 s) relate
  double timeout_s = 120;
  int calls = 1;
  unsigned seed = 0;
  bool verbose = false; // every message of the run, in full
  bool quiet = false;   // only failures and the summary
  bool strict = false;  // SHOULD-level violations fail
  std::string junit;    // --junit FILE
  std::string pcap;     // --pcap FILE
  std::string out_dir;  // --out DIR: junit.xml and run.pcap there (the default when none is given)
  double timing_tolerance = 0.5;
};

// Console: one line per scenario (PASS/FAIL, role, calls, time), the failures beneath it, and
// `N passed, N failed, N skipped`. Returns 0 all passed, 1 some failed, 2 usage or setup error.
int run_scenarios(const run_cli_options& opts, std::ostream& out, std::ostream& err);

// `sipwright list`: the bundled library, one scenario per line (or JSON).
int run_list(bool json, std::ostream& out, std::ostream& err);

} // namespace sipwright::cli
