#include "sipwright/reports/html.hpp"
#include "sipwright/reports/junit.hpp"

#include "support.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace sipwright;
using namespace std::chrono_literals;
using checks::outcome;
using checks::rule_id;
using namespace sipwright::reports::test;

namespace {

// A run with a bit of everything: a pass, a MUST failure with evidence, a SHOULD warning, an N/A,
// a flow failure, a scenario warning, and a second scenario with two calls.
reports::run_result mixed_run(bool strict = false) {
  auto run = base_run();
  run.properties.strict = strict;
  auto a = make_scenario("/lib/scenarios/device-callee/basic-call.xml");
  a.trace.add(entry(transport::direction::out, "INVITE sip:200@127.0.0.1 SIP/2.0\r\n\r\n"));
  a.trace.add(entry(transport::direction::in, "SIP/2.0 200 OK\r\n\r\n", 20ms));
  a.trace.add(entry(transport::direction::out,
                    "ACK sip:200@127.0.0.1 SIP/2.0\r\nCSeq: 2 ACK\r\n\r\n", 30ms,
                    "retransmission"));
  auto& call = a.calls[0];
  call.passed = false;
  call.verdicts = {
      verdict(rule_id::msg_grammar, outcome::pass),
      verdict(rule_id::ack_2xx_cseq, outcome::fail, {2}, "CSeq 1 ACK", "CSeq 2 ACK"),
      verdict(rule_id::uas_2xx_bye_without_ack, outcome::warn, {1}, "an ACK before the BYE",
              "a BYE"),
      verdict(rule_id::ack_2xx_sdp_answer, outcome::not_applicable, {}, {}, {},
              "no offer in the 2xx"),
  };
  call.scenario_warnings = {verdict(rule_id::msg_mandatory, outcome::fail, {0}, "a Via", "none")};
  call.log = {"sent the INVITE"};

  auto b = make_scenario("my-test.xml", 2);
  b.trace.add(entry(transport::direction::in, "SIP/2.0 486 Busy Here\r\n\r\n"));
  b.calls[0].verdicts = {verdict(rule_id::msg_grammar, outcome::pass)};
  b.calls[1].passed = false;
  b.calls[1].failure = "my-test.xml:12: expected 200, got 486";
  b.calls[1].failure_message = "SIP/2.0 486 Busy Here\r\n\r\n";
  b.calls[1].verdicts = {verdict(rule_id::msg_grammar, outcome::pass)};
  run.scenarios = {a, b};
  return run;
}

std::string run_command(const std::string& cmd, int& status) {
  std::string out;
  FILE* f = ::popen(cmd.c_str(), "r");
  REQUIRE(f != nullptr);
  char buf[4096];
  while (const auto n = std::fread(buf, 1, sizeof buf, f)) out.append(buf, n);
  status = ::pclose(f);
  return out;
}

// Validates with xmllint against junit-10.xsd; false (with a warning) when that cannot be done.
bool validate(const fs::path& file) {
  const fs::path schema = fs::path(SIPWRIGHT_SCHEMA_DIR) / "junit-10.xsd";
  if (!fs::exists(schema)) {
    WARN("skipped: no JUnit schema at " << schema << " (set SIPWRIGHT_SCHEMA_DIR)");
    return false;
  }
  if (std::system("command -v xmllint >/dev/null 2>&1") != 0) {
    WARN("skipped: xmllint is not installed");
    return false;
  }
  int status = 0;
  const auto out = run_command(
      "xmllint --noout --schema '" + schema.string() + "' '" + file.string() + "' 2>&1", status);
  INFO(out);
  CHECK(status == 0);
  return true;
}

struct counts {
  int tests = 0, failures = 0, errors = 0, skipped = 0;
  bool operator==(const counts&) const = default;
};
std::ostream& operator<<(std::ostream& o, const counts& c) {
  return o << c.tests << " tests, " << c.failures << " failures, " << c.errors << " errors, "
           << c.skipped << " skipped";
}

// Per suite: the counts junitparser reads from the attributes and from the testcases.
std::map<std::string, std::pair<counts, counts>> junitparser_counts(const fs::path& file) {
  std::map<std::string, std::pair<counts, counts>> out;
  if (!fs::exists("/usr/bin/python3") ||
      std::system("/usr/bin/python3 -c 'import junitparser' 2>/dev/null") != 0) {
    WARN("skipped: /usr/bin/python3 with junitparser (python3-junitparser) is not installed");
    return out;
  }
  int status = 0;
  const auto text = run_command(
      "/usr/bin/python3 '" SIPWRIGHT_JUNIT_COUNTS "' '" + file.string() + "' 2>&1", status);
  INFO(text);
  REQUIRE(status == 0);
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    const auto t1 = line.find('\t'), t2 = line.rfind('\t');
    REQUIRE(t1 != std::string::npos);
    REQUIRE(t2 != t1);
    counts a, c;
    std::istringstream(line.substr(t1 + 1, t2 - t1 - 1)) >> a.tests >> a.failures >> a.errors >>
        a.skipped;
    std::istringstream(line.substr(t2 + 1)) >> c.tests >> c.failures >> c.errors >> c.skipped;
    out[line.substr(0, t1)] = {a, c};
  }
  return out;
}

std::size_t occurrences(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (auto i = s.find(what); i != std::string::npos; i = s.find(what, i + 1)) ++n;
  return n;
}

} // namespace

TEST_CASE("junit: a small report byte for byte") {
  auto run = base_run();
  auto sc = make_scenario("scenarios/device-callee/busy-486.xml");
  sc.trace.add(entry(transport::direction::in, "SIP/2.0 486 Busy Here\r\n\r\n", 0ms));
  sc.calls[0].verdicts = {
      verdict(rule_id::msg_grammar, outcome::pass, {0}),
      verdict(rule_id::ack_2xx_cseq, outcome::fail, {0}, "CSeq 1 ACK", "CSeq 2 ACK"),
      verdict(rule_id::ack_2xx_sdp_answer, outcome::not_applicable, {}, {}, {}, "no offer"),
  };
  run.scenarios = {sc};
  const std::string expected =
      R"(<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="sipwright" tests="4" failures="1" errors="0" time="1.500">
  <testsuite name="device-callee/busy-486" tests="4" failures="1" errors="0" skipped="1" time="1.500" timestamp="2024-05-01T12:00:00" hostname="ci-host">
    <properties>
      <property name="sipwright.version" value="0.1.0"/>
      <property name="device" value="127.0.0.1:5062"/>
      <property name="transport" value="UDP"/>
      <property name="T1" value="100ms"/>
      <property name="T2" value="4000ms"/>
      <property name="strict" value="false"/>
      <property name="scenario.file" value="scenarios/device-callee/busy-486.xml"/>
      <property name="scenario.name" value="a scenario"/>
      <property name="role" value="caller"/>
    </properties>
    <testcase classname="device-callee/busy-486" name="flow" time="1.500"/>
    <testcase classname="device-callee/busy-486" name="msg.grammar the message parses per the SIP grammar" time="0.000"/>
    <testcase classname="device-callee/busy-486" name="ack-2xx.cseq )" +
      reports::xml_escape(checks::rule_of(rule_id::ack_2xx_cseq).title, true) + R"(" time="0.000">
      <failure message="expected CSeq 1 ACK, observed CSeq 2 ACK" type="ack-2xx.cseq">ack-2xx.cseq FAIL (RFC 3261 13.2.2.4): expected CSeq 1 ACK, observed CSeq 2 ACK (msg #1)
section: RFC 3261 13.2.2.4
offending message(s):
#1 +0.000s in UDP 127.0.0.1:5062 -&gt; 127.0.0.1:5060
SIP/2.0 486 Busy Here&#13;
&#13;
</failure>
    </testcase>
    <testcase classname="device-callee/busy-486" name="ack-2xx.sdp-answer )" +
      reports::xml_escape(checks::rule_of(rule_id::ack_2xx_sdp_answer).title, true) +
      R"(" time="0.000">
      <skipped message="no offer"/>
    </testcase>
    <system-out>trace: 1 message

#1 +0.000s in UDP 127.0.0.1:5062 -&gt; 127.0.0.1:5060
SIP/2.0 486 Busy Here&#13;
&#13;
</system-out>
  </testsuite>
</testsuites>
)";
  CHECK(reports::junit_xml(run) == expected);
}

TEST_CASE("junit: counts add up and junitparser reads them") {
  for (bool strict : {false, true}) {
    INFO("strict " << strict);
    const auto run = mixed_run(strict);
    const auto xml = reports::junit_xml(run);
    // basic-call: flow, msg.grammar, ack-2xx.cseq (fail), bye-without-ack (warn), sdp (N/A).
    // my-test.xml: flow (call 1), msg.grammar (call 1), flow (call 2, fails), msg.grammar (call 2).
    const std::map<std::string, counts> expected = {
        {"device-callee/basic-call", {5, strict ? 2 : 1, 0, 1}},
        {"my-test.xml", {4, 1, 0, 0}},
    };
    const int failures = strict ? 3 : 2;
    CHECK(xml.find(fmt::format(
              R"(<testsuites name="sipwright" tests="9" failures="{}" errors="0" time="3.000">)",
              failures)) != std::string::npos);
    CHECK(occurrences(xml, "<failure ") == static_cast<std::size_t>(failures));
    CHECK(occurrences(xml, "<skipped ") == 1);
    CHECK(occurrences(xml, "<testcase ") == 9);
    CHECK(occurrences(xml, "WARNING: uas-2xx.bye-without-ack WARN") == (strict ? 0 : 1));
    CHECK(occurrences(xml, "scenario warning: msg.mandatory-headers FAIL") == 1);
    CHECK(occurrences(xml, "name=\"flow (call 2)\"") == 1);
    CHECK(occurrences(xml,
                      R"(<failure message="my-test.xml:12: expected 200, got 486" type="flow">)") ==
          1);

    const auto dir = temp_dir("junit-test");
    const auto file = dir / "junit.xml";
    reports::write_junit(run, file);
    validate(file);
    const auto read = junitparser_counts(file);
    if (!read.empty()) {
      CHECK(read.size() == expected.size());
      for (const auto& [name, want] : expected) {
        INFO(name);
        REQUIRE(read.count(name) == 1);
        CHECK(read.at(name).first == want);  // the attributes
        CHECK(read.at(name).second == want); // the testcases
      }
    }
    fs::remove_all(dir);
  }
}

TEST_CASE("junit: classname and name are unique") {
  auto run = mixed_run();
  // The same rule judged in a call with a pass and failures, and a duplicate scenario.
  run.scenarios[0].calls[0].verdicts.push_back(
      verdict(rule_id::ack_2xx_cseq, outcome::fail, {1}, "CSeq 1 ACK", "CSeq 3 ACK"));
  run.scenarios.push_back(run.scenarios[1]);
  const auto xml = reports::junit_xml(run);
  std::set<std::string> seen;
  std::string suite;
  std::size_t n = 0;
  for (auto i = xml.find("<testsuite "); i != std::string::npos;
       i = xml.find("<testsuite ", i + 1)) {
    const auto end = xml.find("</testsuite>", i);
    const auto body = xml.substr(i, end - i);
    std::set<std::string> in_suite;
    for (auto t = body.find("<testcase "); t != std::string::npos;
         t = body.find("<testcase ", t + 1)) {
      const auto tag = body.substr(t, body.find('>', t) - t);
      const auto c = tag.find("classname=\""), nm = tag.find(" name=\"");
      const auto key = tag.substr(c, tag.find('"', c + 11) - c) + "|" +
                       tag.substr(nm, tag.find('"', nm + 7) - nm);
      CHECK(in_suite.insert(key).second);
      ++n;
    }
  }
  CHECK(n == 5 + 4 + 4);
  // Both ACK CSeq failures are in the one testcase.
  CHECK(xml.find("expected CSeq 1 ACK, observed CSeq 2 ACK (and 1 more)") != std::string::npos);
  CHECK(xml.find("#2 +0.020s in UDP 127.0.0.1:5062 -&gt; 127.0.0.1:5060") != std::string::npos);
}

TEST_CASE("junit: control bytes and invalid UTF-8 from a device do not break the file") {
  std::string nasty;
  for (int b = 0; b < 0x20; ++b) nasty += static_cast<char>(b);
  nasty += "\xff<&>\"'\xc3\xa9\xe2\x82\xac\xef\xbf\xbf\xed\xa0\x80\xc0\xaf\xf4\x90\x80\x80";
  auto run = base_run();
  run.properties.host = "host\x01<\"'>";
  auto sc = make_scenario("odd\x02&name.xml");
  sc.trace.add(entry(transport::direction::in, nasty, 0ms, "note\x1b"));
  sc.trace.at(0).parse_error = "bad byte \x7f\x80";
  sc.calls[0].verdicts = {
      verdict(rule_id::msg_grammar, outcome::fail, {0}, "a message\x03", nasty)};
  sc.calls[0].failure = "failed \x04";
  sc.calls[0].failure_message = nasty;
  sc.calls[0].log = {nasty};
  run.scenarios = {sc};

  const auto xml = reports::junit_xml(run);
  for (char c : xml) {
    const auto b = static_cast<unsigned char>(c);
    CHECK((b >= 0x20 || b == '\n' || b == '\t'));
    CHECK(b != 0xff);
  }
  // Escaped visibly.
  CHECK(xml.find("\\x00\\x01\\x02") != std::string::npos);
  CHECK(xml.find("\\x1f\\xff&lt;&amp;&gt;&quot;&apos;") != std::string::npos);
  CHECK(xml.find(
            "\xc3\xa9\xe2\x82\xac\\xef\\xbf\\xbf\\xed\\xa0\\x80\\xc0\\xaf\\xf4\\x90\\x80\\x80") !=
        std::string::npos);
  CHECK(xml.find("\t\n\\x0b\\x0c&#13;\\x0e") != std::string::npos); // in text: tab, LF kept
  CHECK(xml.find(R"(message="expected a message\x03, observed \x00)") != std::string::npos);
  CHECK(xml.find(R"(hostname="host\x01&lt;&quot;&apos;&gt;")") != std::string::npos);
  CHECK(reports::xml_escape("a\tb\nc\rd", true) == "a&#9;b&#10;c&#13;d");
  CHECK(reports::xml_escape("a\tb\nc\rd", false) == "a\tb\nc&#13;d");

  const auto dir = temp_dir("junit-test");
  const auto file = dir / "junit.xml";
  reports::write_junit(run, file);
  CHECK(slurp(file) == xml);
  validate(file);
  const auto read = junitparser_counts(file);
  if (!read.empty()) {
    REQUIRE(read.size() == 1);
    CHECK(read.begin()->second.first == counts{2, 2, 0, 0});
    CHECK(read.begin()->second.second == counts{2, 2, 0, 0});
  }
  fs::remove_all(dir);
}

TEST_CASE("junit: an interrupted run marks its scenario as an error") {
  auto run = mixed_run();
  run.interrupted = true;
  run.interrupted_scenario = "my-test.xml";
  auto xml = reports::junit_xml(run);
  CHECK(occurrences(xml, R"(<error message="interrupted by signal" type="interrupted">)") == 1);
  CHECK(xml.find(R"(<testsuite name="my-test.xml" tests="5" failures="1" errors="1" )") !=
        std::string::npos);
  CHECK(xml.find(R"(tests="10" failures="2" errors="1")") != std::string::npos);

  // Interrupted before the scenario recorded anything: a suite of its own.
  run.interrupted_scenario = "scenarios/device-caller/cancel.xml";
  xml = reports::junit_xml(run);
  CHECK(
      xml.find(
          R"(<testsuite name="scenarios/device-caller/cancel.xml" tests="1" failures="0" errors="1" )") !=
      std::string::npos);

  const auto dir = temp_dir("junit-test");
  const auto file = dir / "junit.xml";
  reports::write_junit(run, file);
  validate(file);
  const auto read = junitparser_counts(file);
  if (!read.empty()) {
    CHECK(read.at("scenarios/device-caller/cancel.xml").first == counts{1, 0, 1, 0});
    CHECK(read.at("scenarios/device-caller/cancel.xml").second == counts{1, 0, 1, 0});
  }
  fs::remove_all(dir);
}

TEST_CASE("junit: an empty run is a valid report") {
  const auto dir = temp_dir("junit-test");
  reports::write_junit(base_run(), dir / "junit.xml");
  CHECK(slurp(dir / "junit.xml") ==
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<testsuites name=\"sipwright\" tests=\"0\" failures=\"0\" errors=\"0\" time=\"0.000\">\n"
        "</testsuites>\n");
  validate(dir / "junit.xml");
  fs::remove_all(dir);
}

TEST_CASE("junit: written atomically") {
  const auto dir = temp_dir("junit-test");
  const auto file = dir / "junit.xml";
  {
    std::ofstream old(file);
    old << "the previous report";
  }
  const auto run = mixed_run();
  reports::write_junit(run, file);
  CHECK(slurp(file) == reports::junit_xml(run));
  // Nothing but the report is left in the directory.
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  CHECK(names == std::vector<std::string>{"junit.xml"});

  SECTION("an unwritable directory gives the error and leaves the old file") {
    fs::permissions(dir, fs::perms::owner_read | fs::perms::owner_exec);
    if (::access(dir.c_str(), W_OK) == 0) {
      WARN("skipped: running as root, the directory stays writable");
    } else {
      CHECK_THROWS_WITH(reports::write_junit(mixed_run(true), file),
                        Catch::Contains("cannot write JUnit report") &&
                            Catch::Contains(file.string()) && Catch::Contains("Permission denied"));
      CHECK(slurp(file) == reports::junit_xml(run));
    }
    fs::permissions(dir, fs::perms::owner_all);
  }
  SECTION("a file where the directory should be") {
    CHECK_THROWS_WITH(reports::write_junit(run, file / "junit.xml"),
                      Catch::Contains("cannot write JUnit report") &&
                          Catch::Contains("Not a directory"));
    CHECK(slurp(file) == reports::junit_xml(run));
  }
  SECTION("a missing directory") {
    CHECK_THROWS_WITH(reports::write_junit(run, dir / "missing" / "junit.xml"),
                      Catch::Contains("cannot write JUnit report") &&
                          Catch::Contains("No such file or directory"));
  }
  SECTION("a directory as the target") {
    CHECK_THROWS_WITH(reports::write_junit(run, dir), Catch::Contains("it is a directory"));
  }
  names.clear();
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  CHECK(names == std::vector<std::string>{"junit.xml"});
  fs::remove_all(dir);
}

TEST_CASE("A library scenario's suite is named by its metadata id", "[reports][junit]") {
  sipwright::engine::scenario_result sc;
  sc.id = "device-callee/basic-call";
  sc.file = "/elsewhere/copy.xml";
  CHECK(sipwright::reports::junit_suite_name(sc) == "device-callee/basic-call");
  sc.id.clear();
  CHECK(sipwright::reports::junit_suite_name(sc) == "copy.xml");
}

TEST_CASE("junit and html: no digest response reaches a report (RFC 3261 22, issue 7)") {
  auto run = base_run();
  auto sc = make_scenario("auth.xml");
  const auto invite = sip("INVITE sip:bob@127.0.0.1:5062 SIP/2.0",
                          "Proxy-Authorization: Digest username=\"alice\", realm=\"lab\", "
                          "nonce=\"n1\", uri=\"sip:bob@127.0.0.1:5062\", "
                          "response=\"0123456789abcdef0123456789abcdef\"");
  sc.trace.add(entry(transport::direction::out, invite));
  sc.calls[0].passed = false;
  sc.calls[0].failure = "auth.xml:10: unexpected INVITE";
  sc.calls[0].failure_message = invite;
  run.scenarios.push_back(sc);
  for (const auto& text : {junit_xml(run), html_report(run)}) {
    CHECK(text.find("0123456789abcdef0123456789abcdef") == std::string::npos);
    CHECK(text.find("username=") != std::string::npos); // the rest of the header stays
  }
  CHECK(junit_xml(run).find("response=&quot;***&quot;") != std::string::npos);
}
