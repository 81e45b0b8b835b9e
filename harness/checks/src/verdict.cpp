#include "sipwright/checks/verdict.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace sipwright::checks {

std::string_view to_string(outcome o) {
  switch (o) {
  case outcome::pass:
    return "PASS";
  case outcome::fail:
    return "FAIL";
  case outcome::warn:
    return "WARN";
  case outcome::not_applicable:
    return "N/A";
  }
  return "?";
}

std::string describe(const verdict& v) {
  const auto& r = rule_of(v.rule);
  std::string s = fmt::format("{} {} ({})", r.id, to_string(v.outcome), r.section);
  if (v.outcome == outcome::fail || v.outcome == outcome::warn)
    s += fmt::format(": expected {}, observed {}", v.expected, v.observed);
  else if (!v.note.empty())
    s += ": " + v.note;
  if (!v.evidence.empty()) {
    s += " (msg";
    for (std::size_t i = 0; i < v.evidence.size(); ++i)
      s += fmt::format("{}#{}", i ? ", " : " ", v.evidence[i] + 1);
    s += ")";
  }
  return s;
}

void verdicts::pass(rule_id r, std::vector<std::size_t> evidence, std::string note) {
  all_.push_back({r, outcome::pass, {}, {}, std::move(note), std::move(evidence)});
}

void verdicts::violated(rule_id r, std::string expected, std::string observed,
                        std::vector<std::size_t> evidence) {
  const auto o = rule_of(r).level == level::must ? outcome::fail : outcome::warn;
  all_.push_back({r, o, std::move(expected), std::move(observed), {}, std::move(evidence)});
}

void verdicts::not_applicable(rule_id r, std::string note) {
  all_.push_back({r, outcome::not_applicable, {}, {}, std::move(note), {}});
}

std::vector<verdict> verdicts::summary() const {
  std::vector<verdict> out;
  for (const auto& rule : catalogue()) {
    const verdict* pass = nullptr;
    const verdict* na = nullptr;
    bool bad = false;
    for (const auto& v : all_) {
      if (v.rule != rule.which) continue;
      if (v.outcome == outcome::fail || v.outcome == outcome::warn) {
        out.push_back(v);
        bad = true;
      } else if (v.outcome == outcome::pass && !pass) {
        pass = &v;
      } else if (v.outcome == outcome::not_applicable && !na) {
        na = &v;
      }
    }
    if (!bad && pass)
      out.push_back(*pass);
    else if (!bad && na)
      out.push_back(*na);
  }
  return out;
}

bool verdicts::any_failure() const {
  return std::any_of(all_.begin(), all_.end(),
                     [](const verdict& v) { return v.outcome == outcome::fail; });
}

bool verdicts::any_warning() const {
  return std::any_of(all_.begin(), all_.end(),
                     [](const verdict& v) { return v.outcome == outcome::warn; });
}

} // namespace sipwright::checks
