#pragma once
// Runs a callee scenario and a caller scenario against each other on loopback, each engine on
// its own thread, the callee bound to a free port that the caller is then pointed at.
#include "sipwright/engine/run.hpp"
#include "sipwright/scenario/loader.hpp"

#include <algorithm>
#include <fstream>
#include <future>
#include <set>
#include <sstream>
#include <string>
#include <string_view>

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

// Helpers shared by the engine tests: what a run sent, what it broke, and scenario builders.
inline std::string sipp_file(const std::string& name) {
  std::ifstream in(std::string(SIPWRIGHT_SIPP_SCENARIOS) + "/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::size_t count_sent(const engine::scenario_result& r, std::string_view start) {
  return static_cast<std::size_t>(
      std::count_if(r.trace.entries().begin(), r.trace.entries().end(), [&](const auto& e) {
        return e.dir == transport::direction::out && e.bytes.starts_with(start);
      }));
}

// The rules a call broke, by id.
inline std::set<std::string> violated(const engine::scenario_result& r) {
  std::set<std::string> ids;
  for (const auto& c : r.calls)
    for (const auto& v : c.verdicts)
      if (v.outcome == checks::outcome::fail || v.outcome == checks::outcome::warn)
        ids.insert(std::string(checks::rule_of(v.rule).id));
  return ids;
}

inline bool played_through(const engine::scenario_result& r) {
  return !r.calls.empty() && std::all_of(r.calls.begin(), r.calls.end(),
                                         [](const auto& c) { return c.failure.empty(); });
}

inline std::string failures(const engine::scenario_result& r) {
  std::string s;
  for (const auto& c : r.calls) {
    s += c.failure + "\n";
    for (const auto& v : c.verdicts)
      if (v.outcome == checks::outcome::fail || v.outcome == checks::outcome::warn)
        s += checks::describe(v) + "\n";
  }
  return s;
}

// A request template the caller scenarios below share.
inline std::string request(const std::string& method, const std::string& extra = {}) {
  return "<send><![CDATA[\n" + method +
         " sip:[service]@[remote_ip]:[remote_port] SIP/2.0\n"
         "Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\n"
         "From: a <sip:a@[local_ip]:[local_port]>;tag=[call_number]\n"
         "To: b <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]\n"
         "Call-ID: [call_id]\n"
         "CSeq: [cseq] " +
         method + "\n" + extra +
         "Max-Forwards: 70\n"
         "Content-Length: 0\n"
         "]]></send>\n";
}

// The ACK of a 2xx: to the remote target and route set remembered by rrs="true" (RFC 3261
// 13.2.2.4, 12.2.1.1).
inline std::string ack() {
  return "<send><![CDATA[\n"
         "ACK [next_url] SIP/2.0\n"
         "Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\n"
         "From: a <sip:a@[local_ip]:[local_port]>;tag=[call_number]\n"
         "To: b <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]\n"
         "Call-ID: [call_id]\n"
         "CSeq: [cseq] ACK\n"
         "[routes]\n"
         "Max-Forwards: 70\n"
         "Content-Length: 0\n"
         "]]></send>\n";
}

// A response template answering the last request received.
inline std::string response(const std::string& status, const std::string& extra = {},
                            const std::string& attrs = {}) {
  return "<send" + attrs + "><![CDATA[\nSIP/2.0 " + status +
         "\n[last_Via:]\n[last_From:]\n[last_To:];tag=b[call_number]\n[last_Call-ID:]\n"
         "[last_CSeq:]\n" +
         extra + "Content-Length: 0\n]]></send>\n";
}

inline std::string scenario_xml(const std::string& body) {
  return "<?xml version=\"1.0\"?>\n<scenario name=\"t\">\n" + body + "</scenario>\n";
}

} // namespace sipwright::engine::test
