#pragma once
// Builders of run-result values for the reports' tests (and the HTML sample program): a run with
// fixed properties, trace entries, verdicts and scenarios. No Catch2 here.
#include "sipwright/reports/run_result.hpp"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace sipwright::reports::test {

using namespace std::chrono_literals;

inline run_result base_run() {
  run_result run;
  auto& p = run.properties;
  p.version = "0.1.0";
  p.device = "127.0.0.1:5062";
  p.transport = "UDP";
  p.t1 = 100ms;
  p.t2 = 4000ms;
  p.host = "ci-host";
  p.start =
      std::chrono::system_clock::time_point{} + std::chrono::seconds{1714564800}; // 2024-05-01
  return run;
}

inline transport::trace_entry entry(transport::direction dir, std::string bytes,
                                    std::chrono::milliseconds after = 0ms, std::string note = {}) {
  transport::trace_entry e;
  e.at = std::chrono::steady_clock::time_point{} + after;
  e.dir = dir;
  e.local = {"127.0.0.1", 5060};
  e.remote = {"127.0.0.1", 5062};
  e.bytes = std::move(bytes);
  e.note = std::move(note);
  return e;
}

inline checks::verdict verdict(checks::rule_id r, checks::outcome o,
                               std::vector<std::size_t> evidence = {}, std::string expected = {},
                               std::string observed = {}, std::string note = {}) {
  return {r, o, std::move(expected), std::move(observed), std::move(note), std::move(evidence)};
}

inline engine::scenario_result make_scenario(std::string file, int calls = 1) {
  engine::scenario_result sc;
  sc.file = std::move(file);
  sc.name = "a scenario";
  sc.role = scenario::role::caller;
  sc.elapsed = 1500ms;
  for (int c = 1; c <= calls; ++c) {
    engine::call_result call;
    call.call_number = c;
    call.passed = true;
    sc.calls.push_back(call);
  }
  return sc;
}

// A fresh directory under the system's temporary directory.
inline std::filesystem::path temp_dir(const std::string& prefix = "reports-test") {
  std::string templ = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
  if (::mkdtemp(templ.data()) == nullptr)
    throw std::runtime_error("cannot create a temporary directory " + templ);
  return templ;
}

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A SIP message: the start line, the header fields (one per line, "\n"-separated), CRLFs, a body.
inline std::string sip(const std::string& start, const std::string& headers,
                       const std::string& body = {}) {
  std::string m = start + "\r\n";
  std::istringstream lines(headers);
  for (std::string h; std::getline(lines, h);) m += h + "\r\n";
  m += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  return m;
}

// What a misbehaving device might send: control bytes, markup, a script and bytes that are not
// UTF-8. The HTML report must show it as text.
inline std::string hostile_message() {
  static constexpr char bytes[] =
      "SIP/2.0 200 OK<script>alert(1)</script>\r\n"
      "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-1&x=<b>bold</b>\r\n"
      "X-Nul: a\0b\x01\x1b[31m\x7f\r\n"
      "X-Bytes: \xff\xfe caf\xc3\xa9 \xe2\x82\xac \xed\xa0\x80 \xc0\xaf\r\n"
      "X-Img: <img src=x onerror=\"document.title='pwned'\">\r\n"
      "Content-Length: 0\r\n\r\n";
  return std::string(bytes, sizeof bytes - 1);
}

// The run the HTML tests and the browser test look at: a passing scenario, a failing one with
// evidence (and a device message that is hostile to HTML), a passing one with a SHOULD warning,
// a skipped one and one interrupted by SIGTERM.
inline run_result sample_run() {
  using transport::direction;
  const auto in = direction::in, out = direction::out;
  using checks::outcome;
  using checks::rule_id;
  auto run = base_run();
  run.properties.device = "127.0.0.1:5062";
  run.properties.host = "ci-host";

  const std::string dialog = "From: <sip:sipwright@127.0.0.1>;tag=a1\n"
                             "To: <sip:service@127.0.0.1:5062>\nCall-ID: c1@127.0.0.1\n";
  const std::string via = "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-1\n";
  const std::string to_tag = "From: <sip:sipwright@127.0.0.1>;tag=a1\n"
                             "To: <sip:service@127.0.0.1:5062>;tag=d9\nCall-ID: c1@127.0.0.1\n";

  // 1. basic call, passed.
  auto a = make_scenario("/usr/share/sipwright/scenarios/device-callee/basic-call.xml");
  a.id = "device-callee/basic-call";
  a.name = "Basic call answered by the device";
  a.local = {"127.0.0.1", 5060};
  a.elapsed = 2140ms;
  a.trace.add(entry(out, sip("INVITE sip:service@127.0.0.1:5062 SIP/2.0",
                             via + dialog + "CSeq: 1 INVITE\nMax-Forwards: 70")));
  a.trace.add(entry(in, sip("SIP/2.0 100 Trying", via + dialog + "CSeq: 1 INVITE"), 3ms));
  a.trace.add(entry(in, sip("SIP/2.0 180 Ringing", via + to_tag + "CSeq: 1 INVITE"), 12ms));
  a.trace.add(entry(
      in,
      sip("SIP/2.0 200 OK", via + to_tag + "CSeq: 1 INVITE\nContact: <sip:service@127.0.0.1:5062>"),
      1030ms));
  a.trace.add(entry(out,
                    sip("ACK sip:service@127.0.0.1:5062 SIP/2.0",
                        "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-2\n" + to_tag +
                            "CSeq: 1 ACK\nMax-Forwards: 70"),
                    1031ms));
  a.trace.add(entry(out,
                    sip("BYE sip:service@127.0.0.1:5062 SIP/2.0",
                        "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-3\n" + to_tag +
                            "CSeq: 2 BYE\nMax-Forwards: 70"),
                    2100ms));
  a.trace.add(entry(in,
                    sip("SIP/2.0 200 OK", "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-3\n" +
                                              to_tag + "CSeq: 2 BYE"),
                    2112ms));
  a.calls[0].verdicts = {verdict(rule_id::msg_grammar, outcome::pass),
                         verdict(rule_id::resp_to_tag, outcome::pass),
                         verdict(rule_id::uas_2xx_contact, outcome::pass, {3})};
  a.calls[0].log = {"the device answered"};

  // 2. the device calls; its ACK has the wrong CSeq and it sends bytes that do not parse.
  auto b = make_scenario("/usr/share/sipwright/scenarios/device-caller/basic-answer.xml");
  b.id = "device-caller/basic-answer";
  b.name = "The device calls, sipwright answers 200";
  b.role = scenario::role::callee;
  b.local = {"127.0.0.1", 5060};
  b.elapsed = 3250ms;
  b.trace.add(entry(in, sip("INVITE sip:service@127.0.0.1:5060 SIP/2.0",
                            "Via: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK-d1\n" + dialog +
                                "CSeq: 1 INVITE\nMax-Forwards: 70")));
  b.trace.add(entry(out,
                    sip("SIP/2.0 200 OK", "Via: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK-d1\n" +
                                              to_tag + "CSeq: 1 INVITE"),
                    2ms));
  b.trace.add(entry(out,
                    sip("SIP/2.0 200 OK", "Via: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK-d1\n" +
                                              to_tag + "CSeq: 1 INVITE"),
                    102ms, "retransmission"));
  b.trace.add(entry(in,
                    sip("ACK sip:sipwright@127.0.0.1:5060 SIP/2.0",
                        "Via: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK-d2\n" + to_tag +
                            "CSeq: 2 ACK\nMax-Forwards: 70"),
                    150ms));
  b.trace.add(entry(in, hostile_message(), 1200ms));
  b.trace.at(4).parse_error = "line 3: a NUL byte in a header field";
  b.trace.add(entry(out,
                    sip("BYE sip:service@127.0.0.1:5062 SIP/2.0", via + to_tag + "CSeq: 1 BYE"),
                    3200ms, "not sent: the scenario stopped"));
  auto& bc = b.calls[0];
  bc.passed = false;
  bc.failure = "basic-answer.xml:41: expected a BYE, received a message that does not parse";
  bc.failure_message = hostile_message();
  bc.verdicts = {
      verdict(rule_id::msg_grammar, outcome::fail, {4}, "a SIP message", "line 3: a NUL byte"),
      verdict(rule_id::ack_2xx_received, outcome::pass, {3}),
      verdict(rule_id::ack_2xx_cseq, outcome::fail, {3}, "CSeq 1 ACK", "CSeq 2 ACK"),
      verdict(rule_id::ack_2xx_sdp_answer, outcome::not_applicable, {}, {}, {},
              "no offer in the 2xx"),
  };
  bc.scenario_warnings = {verdict(rule_id::resp_to_tag, outcome::fail, {1}, "a To tag", "none")};
  bc.log = {"answered the INVITE with 200", "<warning> the device did not hang up"};

  // 3. passed, with a SHOULD-level warning.
  auto c = make_scenario("/usr/share/sipwright/scenarios/device-callee/no-ack.xml");
  c.id = "device-callee/no-ack";
  c.name = "No ACK: the device ends the dialog";
  c.local = {"127.0.0.1", 5060};
  c.elapsed = 6420ms;
  c.trace.add(entry(out, sip("INVITE sip:service@127.0.0.1:5062 SIP/2.0",
                             via + dialog + "CSeq: 1 INVITE\nMax-Forwards: 70")));
  c.trace.add(entry(in, sip("SIP/2.0 200 OK", via + to_tag + "CSeq: 1 INVITE"), 20ms));
  c.trace.add(
      entry(in, sip("SIP/2.0 200 OK", via + to_tag + "CSeq: 1 INVITE"), 120ms, "retransmission"));
  c.trace.add(
      entry(in, sip("SIP/2.0 200 OK", via + to_tag + "CSeq: 1 INVITE"), 320ms, "retransmission"));
  c.trace.add(
      entry(in,
            sip("CANCEL sip:sipwright@127.0.0.1:5060 SIP/2.0",
                "Via: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK-d7\n" + to_tag + "CSeq: 1 CANCEL"),
            6400ms));
  c.calls[0].verdicts = {
      verdict(rule_id::uas_2xx_retransmit, outcome::pass, {1, 2, 3}),
      verdict(rule_id::uas_2xx_bye_without_ack, outcome::warn, {4}, "a BYE within 64*T1",
              "a CANCEL"),
  };

  // 4. skipped.
  auto d = make_scenario("/usr/share/sipwright/scenarios/device-callee/alt-service-380.xml", 0);
  d.id = "device-callee/alt-service-380";
  d.name = "380 Alternative Service";
  d.elapsed = 0ms;
  d.skipped = "the device profile lacks the capability alt-service";

  // 5. interrupted by SIGTERM.
  auto e = make_scenario("/usr/share/sipwright/scenarios/device-callee/cancel.xml");
  e.id = "device-callee/cancel";
  e.name = "CANCEL before the answer";
  e.local = {"127.0.0.1", 5060};
  e.elapsed = 800ms;
  e.interrupted = 15;
  e.calls[0].passed = false;
  e.trace.add(entry(out, sip("INVITE sip:service@127.0.0.1:5062 SIP/2.0",
                             via + dialog + "CSeq: 1 INVITE\nMax-Forwards: 70")));
  e.trace.add(entry(in, sip("SIP/2.0 100 Trying", via + dialog + "CSeq: 1 INVITE"), 4ms));

  run.scenarios = {a, b, c, d, e};
  run.interrupted = true;
  run.interrupted_scenario = e.file;
  return run;
}

} // namespace sipwright::reports::test
