#pragma once
// Verdicts: what a rule concluded about the device, with what it expected, what it observed and
// the trace entries that show it. A failure is a value, never an exception (DESIGN.md 2).
#include "sipwright/checks/rules.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace sipwright::checks {

enum class outcome : std::uint8_t {
  pass,
  fail,          // a MUST rule was broken
  warn,          // a SHOULD rule was broken (a failure under --strict)
  not_applicable // the rule was armed but the flow never reached what it judges
};
std::string_view to_string(outcome o); // "PASS", "FAIL", "WARN", "N/A"

struct verdict {
  rule_id rule = rule_id::msg_grammar;
  checks::outcome outcome = outcome::pass;
  std::string expected;
  std::string observed;
  std::string note;                  // e.g. "no body: no alternative service is described"
  std::vector<std::size_t> evidence; // trace indices, in order
};

// One line as the console and JUnit print it, e.g.
// "ack-2xx.cseq FAIL (RFC 3261 13.2.2.4): expected CSeq 1 ACK, observed CSeq 2 ACK (msg #7)".
std::string describe(const verdict& v);

// Collects a call's verdicts. A rule judged several times (every message received, every ACK)
// keeps every failure and one pass per rule when it never failed.
class verdicts {
public:
  void pass(rule_id r, std::vector<std::size_t> evidence = {}, std::string note = {});
  // MUST rules fail, SHOULD rules warn.
  void violated(rule_id r, std::string expected, std::string observed,
                std::vector<std::size_t> evidence);
  void not_applicable(rule_id r, std::string note);

  // In catalogue order: the failures and warnings of each rule, else its pass, else its N/A.
  std::vector<verdict> summary() const;
  const std::vector<verdict>& all() const { return all_; }
  bool any_failure() const;
  bool any_warning() const;

private:
  std::vector<verdict> all_;
};

} // namespace sipwright::checks
