#pragma once
// The run-result model every writer takes: the run's properties and, per scenario, its calls
// with their verdicts (rule, outcome, expected, observed, evidence) and the trace of every message.
// Writers (JUnit, pcap, HTML, console) read only this.
#include "sipwright/engine/run.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace sipwright::reports {

struct run_properties {
  std::string version;   // sipwright's
  std::string device;    // what was tested: "127.0.0.1:5062" or a profile's name
  std::string transport; // "UDP" / "TCP"
  std::chrono::milliseconds t1{500};
  std::chrono::milliseconds t2{4000};
  bool strict = false;
  std::chrono::system_clock::time_point start;
  std::string host; // the machine the run ran on
};

struct run_result {
  run_properties properties;
  std::vector<engine::scenario_result> scenarios;
  // A run cut short (SIGINT/SIGTERM): the scenario that was playing, reported as an error.
  bool interrupted = false;
  std::string interrupted_scenario;
};

} // namespace sipwright::reports
