// Writes the sample HTML report the browser test opens (test/html_browser.py):
//   html_sample FILE               the sample run of support.hpp (every kind of scenario)
//   html_sample --big N FILE       one scenario of N messages (N/100 of them cited by a failure)
// and prints what the page must show, read from the run-result model (not from the page), as one
// line of JSON: {"scenarios": N, "passed": N, "failed": N, "skipped": N, "trace": [size, ...],
// "failing": [[scenario, index, rule id, section], ...], "hostile": [scenario, index, hex bytes]}
// (scenarios numbered from 1, trace indexes from 0; "hostile": the message that carries markup,
// control bytes and invalid UTF-8, when there is one).
#include "sipwright/checks/rules.hpp"
#include "sipwright/reports/html.hpp"

#include "support.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <stdexcept>
#include <string>
#include <string_view>

namespace {

sipwright::reports::run_result big_run(std::size_t n) {
  using namespace sipwright;
  using namespace sipwright::reports::test;
  auto run = base_run();
  auto sc = make_scenario("big.xml");
  sc.elapsed = std::chrono::milliseconds(n);
  std::vector<std::size_t> cited;
  for (std::size_t i = 0; i < n; ++i) {
    const bool out = i % 2 == 0;
    sc.trace.add(
        entry(out ? transport::direction::out : transport::direction::in,
              sip(out ? "OPTIONS sip:service@127.0.0.1:5062 SIP/2.0" : "SIP/2.0 200 OK",
                  "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-" + std::to_string(i) +
                      "\nCall-ID: big@127.0.0.1\nCSeq: " + std::to_string(i / 2 + 1) + " OPTIONS"),
              std::chrono::milliseconds(i)));
    if (!out && i % 100 == 1) cited.push_back(i);
  }
  sc.calls[0].passed = false;
  sc.calls[0].verdicts = {
      verdict(checks::rule_id::resp_to_tag, checks::outcome::fail, cited, "a To tag", "none")};
  run.scenarios = {sc};
  return run;
}

// Sections and rule ids are ASCII without quotes or backslashes; the check keeps it so.
std::string json_string(std::string_view s) {
  for (char c : s)
    if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20 ||
        static_cast<unsigned char>(c) >= 0x80)
      throw std::runtime_error("cannot quote for JSON: " + std::string(s));
  return fmt::format("\"{}\"", s);
}

std::string expectations(const sipwright::reports::run_result& run) {
  using namespace sipwright;
  std::size_t passed = 0, failed = 0, skipped = 0;
  std::string trace, failing, hostile = "null";
  const auto marker = reports::test::hostile_message();
  for (std::size_t k = 0; k < run.scenarios.size(); ++k) {
    const auto& sc = run.scenarios[k];
    if (!sc.skipped.empty())
      ++skipped;
    else if (sc.passed() && !sc.interrupted)
      ++passed;
    else
      ++failed;
    trace += fmt::format("{}{}", k ? "," : "", sc.trace.size());
    for (const auto& call : sc.calls)
      for (const auto& v : call.verdicts) {
        const bool fails = v.outcome == checks::outcome::fail ||
                           (v.outcome == checks::outcome::warn && run.properties.strict);
        if (!fails) continue;
        const auto& rule = checks::rule_of(v.rule);
        for (auto i : v.evidence)
          failing += fmt::format("{}[{},{},{},{}]", failing.empty() ? "" : ",", k + 1, i,
                                 json_string(rule.id), json_string(rule.section));
      }
    for (std::size_t i = 0; i < sc.trace.size(); ++i)
      if (sc.trace.entries()[i].bytes == marker) {
        std::string hex;
        for (unsigned char b : marker) hex += fmt::format("{:02x}", b);
        hostile = fmt::format("[{},{},\"{}\"]", k + 1, i, hex);
      }
  }
  return fmt::format("{{\"scenarios\": {}, \"passed\": {}, \"failed\": {}, \"skipped\": {}, "
                     "\"trace\": [{}], \"failing\": [{}], \"hostile\": {}}}\n",
                     run.scenarios.size(), passed, failed, skipped, trace, failing, hostile);
}

} // namespace

int main(int argc, char** argv) {
  try {
    if (argc == 2 || (argc == 4 && std::string(argv[1]) == "--big")) {
      const auto run = argc == 2 ? sipwright::reports::test::sample_run()
                                 : big_run(std::strtoul(argv[2], nullptr, 10));
      sipwright::reports::write_html(run, argv[argc - 1]);
      std::fputs(expectations(run).c_str(), stdout);
      return 0;
    }
    std::fprintf(stderr, "usage: html_sample FILE | html_sample --big N FILE\n");
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "html_sample: %s\n", e.what());
    return 1;
  }
}
