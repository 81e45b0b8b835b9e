// What `sipwright run` prints per scenario: the exact lines tools and people read, colours only
// when asked, the progress line only when on, and quiet mode.
#include "console.hpp"

#include <catch2/catch.hpp>

#include <sstream>

namespace sipwright::cli {
namespace {

engine::scenario_result failing() {
  engine::scenario_result r;
  r.id = "device-callee/basic-call";
  r.file = "/lib/device-callee/basic-call.xml";
  r.name = "Basic call";
  r.role = scenario::role::caller;
  r.elapsed = std::chrono::milliseconds(1250);
  engine::call_result c;
  c.call_number = 1;
  c.failure = "basic-call.xml:40: timeout: no response 200 within 6.400 s";
  checks::verdict v;
  v.rule = checks::rule_id::msg_grammar;
  v.outcome = checks::outcome::fail;
  v.expected = "a SIP message";
  v.observed = "line 3: a NUL byte";
  v.evidence = {2};
  c.verdicts.push_back(v);
  v.outcome = checks::outcome::pass;
  v.rule = checks::rule_id::msg_content_length;
  c.verdicts.push_back(v);
  r.calls.push_back(c);
  return r;
}

engine::scenario_result passing() {
  engine::scenario_result r;
  r.file = "/tmp/uac.xml";
  r.name = "Basic Sipstone UAC";
  r.elapsed = std::chrono::milliseconds(4);
  engine::call_result c;
  c.call_number = 1;
  c.passed = true;
  r.calls.push_back(c);
  return r;
}

engine::scenario_result skipped() {
  engine::scenario_result r;
  r.id = "device-caller/busy-486";
  r.role = scenario::role::callee;
  r.skipped = "not applicable: no [trigger] command: the device cannot be made to call";
  return r;
}

std::string print(console_options o, const std::vector<engine::scenario_result>& rs) {
  std::ostringstream out;
  console con(out, o);
  for (const auto& r : rs) con.scenario(r);
  con.summary(1, 1, 1);
  return out.str();
}

} // namespace

TEST_CASE("console: one line per scenario, the failures and violated rules beneath", "[console]") {
  CHECK(print({}, {passing(), failing(), skipped()}) ==
        "PASS  uac.xml  (Basic Sipstone UAC, caller)  1/1 call passed  0.004 s\n"
        "FAIL  device-callee/basic-call  (Basic call, caller)  0/1 call passed  1.250 s\n"
        "      call 1: basic-call.xml:40: timeout: no response 200 within 6.400 s\n"
        "      call 1: msg.grammar FAIL (RFC 3261 25): expected a SIP message, observed line 3: "
        "a NUL byte (msg #3)\n"
        "SKIP  device-caller/busy-486  (callee)  not applicable: no [trigger] command: the "
        "device cannot be made to call\n"
        "1 passed, 1 failed, 1 skipped\n");
}

TEST_CASE("console: --quiet prints failing scenarios and the summary only", "[console]") {
  console_options o;
  o.quiet = true;
  auto warned = passing();
  checks::verdict w;
  w.rule = checks::rule_id::msg_grammar;
  w.outcome = checks::outcome::fail;
  warned.calls[0].scenario_warnings.push_back(w);
  const auto text = print(o, {warned, failing(), skipped()});
  CHECK(text.find("PASS") == std::string::npos);
  CHECK(text.find("scenario warning") == std::string::npos);
  CHECK(text.find("SKIP") == std::string::npos);
  CHECK(text.find("FAIL  device-callee/basic-call") == 0);
  CHECK(text.find("1 passed, 1 failed, 1 skipped\n") != std::string::npos);
}

TEST_CASE("console: --verbose adds passing verdicts", "[console]") {
  console_options o;
  o.verbose = true;
  CHECK(print(o, {failing()}).find("call 1: msg.content-length PASS (RFC 3261 18.3, 20.14)") !=
        std::string::npos);
  CHECK(print({}, {failing()}).find("msg.content-length") == std::string::npos);
}

TEST_CASE("console: colours only when asked, and only on the outcome words", "[console]") {
  CHECK(print({}, {passing(), failing()}).find('\x1b') == std::string::npos);
  console_options o;
  o.color = true;
  const auto text = print(o, {passing(), failing(), skipped()});
  CHECK(text.find("\x1b[32mPASS\x1b[0m  uac.xml") != std::string::npos);
  CHECK(text.find("\x1b[31mFAIL\x1b[0m  device-callee/basic-call") != std::string::npos);
  CHECK(text.find("call 1: msg.grammar \x1b[31mFAIL\x1b[0m (RFC 3261 25)") != std::string::npos);
  CHECK(text.find("\x1b[36mSKIP\x1b[0m  device-caller/busy-486") != std::string::npos);
}

TEST_CASE("console: the progress line is rewritten in place and cleared before output",
          "[console]") {
  std::ostringstream out;
  console_options o;
  console quiet(out, o);
  quiet.progress(1, 3, "running a");
  CHECK(out.str().empty());
  o.progress = true;
  console con(out, o);
  con.progress(1, 3, "running a, b");
  CHECK(out.str() == "\r\x1b[2K[1/3] running a, b");
  con.line("listening on UDP 127.0.0.1:5060");
  CHECK(out.str() == "\r\x1b[2K[1/3] running a, b\r\x1b[2Klistening on UDP 127.0.0.1:5060\n");
  out.str("");
  con.progress(2, 3, std::string(200, 'x'));
  CHECK(out.str().size() == 5 + 100); // "\r\x1b[2K", then 100 characters at most
  CHECK(out.str().ends_with("..."));
}

TEST_CASE("console: control bytes from a device do not reach the terminal", "[console]") {
  auto r = failing();
  r.calls[0].failure_message = "SIP/2.0 200 OK\r\nX-Evil: \x1b]0;pwned\x07\r\n\r\n";
  std::ostringstream out;
  console con(out, {});
  con.scenario(r);
  CHECK(out.str().find("      | X-Evil: ?]0;pwned?\n") != std::string::npos);
  CHECK(out.str().find('\x1b') == std::string::npos);
}

TEST_CASE("console: no digest response reaches the terminal (RFC 3261 22)", "[console]") {
  auto r = failing();
  r.calls[0].failure_message = "INVITE sip:bob@h SIP/2.0\r\nAuthorization: Digest username=\"a\", "
                               "response=\"feedface\"\r\n\r\n";
  std::ostringstream out;
  console con(out, {});
  con.scenario(r);
  CHECK(out.str().find("      | Authorization: Digest username=\"a\", response=\"***\"\n") !=
        std::string::npos);
  CHECK(out.str().find("feedface") == std::string::npos);
}

} // namespace sipwright::cli
