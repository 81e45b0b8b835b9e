#pragma once
// Runs a callee scenario and a caller scenario against each other on loopback, each engine on
// its own thread, the callee bound to a free port that the caller is then pointed at.
#include "sipwright/engine/run.hpp"
#include "sipwright/scenario/loader.hpp"

#include <future>
#include <string>

namespace sipwright::engine::test {

inline scenario::scenario load(const std::string& xml, const std::string& name) {
  return scenario::load_string(xml, name);
}

struct pair_result {
  scenario_result callee;
  scenario_result caller;
};

inline pair_result play_pair(const scenario::scenario& callee, const scenario::scenario& caller,
                             run_options callee_opts, run_options caller_opts) {
  std::promise<transport::endpoint> bound;
  auto bound_f = bound.get_future();
  callee_opts.local = transport::endpoint{"127.0.0.1", 0};
  callee_opts.on_listening = [&bound](transport::protocol, const transport::endpoint& e) {
    bound.set_value(e);
  };
  auto callee_f = std::async(std::launch::async, [&] { return run_scenario(callee, callee_opts); });
  caller_opts.dut = bound_f.get();
  caller_opts.proto = callee_opts.proto;
  pair_result r;
  r.caller = run_scenario(caller, caller_opts);
  r.callee = callee_f.get();
  return r;
}

inline run_options fast(std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
  run_options o;
  o.t1 = std::chrono::milliseconds(20);
  o.t2 = std::chrono::milliseconds(160);
  o.timeout = timeout;
  o.seed = 1;
  return o;
}

} // namespace sipwright::engine::test
