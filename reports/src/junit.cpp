#include "sipwright/reports/junit.hpp"

#include "atomic_file.hpp"
#include "sipwright/auth/mask.hpp"
#include "sipwright/checks/rules.hpp"
#include "sipwright/checks/verdict.hpp"
#include "text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <set>
#include <stdexcept>

namespace sipwright::reports {

namespace {

using checks::outcome;

void append_hex(std::string& out, unsigned char b) {
  out += fmt::format("\\x{:02x}", b);
}

std::string_view role_name(scenario::role r) {
  return r == scenario::role::caller ? "caller" : "callee";
}

std::string_view direction_name(transport::direction d) {
  return d == transport::direction::out ? "out" : "in";
}

// "#3 +0.120s in UDP 127.0.0.1:5062 -> 127.0.0.1:5060 (retransmission)"
std::string entry_header(const transport::trace& trace, std::size_t i) {
  const auto& e = trace.entries().at(i);
  const auto t0 = trace.entries().front().at;
  const bool out = e.dir == transport::direction::out;
  std::string s =
      fmt::format("#{} +{}s {} {} {} -> {}", i + 1, detail::seconds(e.at - t0),
                  direction_name(e.dir), transport::to_string(e.proto),
                  out ? e.local.str() : e.remote.str(), out ? e.remote.str() : e.local.str());
  if (!e.note.empty()) s += fmt::format(" ({})", e.note);
  return s;
}

// The entry as the reports show it: its header, its parse error, then the message text.
std::string entry_text(const transport::trace& trace, std::size_t i) {
  const auto& e = trace.entries().at(i);
  std::string s = entry_header(trace, i) + "\n";
  if (!e.parse_error.empty()) s += "parse error: " + e.parse_error + "\n";
  s += auth::mask_credentials(e.bytes); // no digest response in a report
  if (s.back() != '\n') s += "\n";
  return s;
}

struct testcase {
  std::string name;
  std::string time = "0.000";
  enum kind { passed, failure, error, skipped } result = passed;
  std::string message; // of the failure, error or skipped element
  std::string type;    // of the failure or error element
  std::string text;    // of the failure or error element
  std::string out;     // system-out
};

struct suite {
  std::string name;
  const engine::scenario_result* scenario = nullptr; // null: interrupted before any result
  std::vector<testcase> cases;
  std::string out;
  int failures = 0, errors = 0, skipped = 0;
};

// One testcase for the verdicts of one rule in one call.
testcase rule_case(const run_result& run, const engine::scenario_result& sc, checks::rule_id id,
                   const std::vector<const checks::verdict*>& vs, std::string name) {
  const auto& rule = checks::rule_of(id);
  testcase tc;
  tc.name = std::move(name);
  std::vector<const checks::verdict*> failed, warned, na;
  for (const auto* v : vs) {
    if (v->outcome == outcome::fail || (v->outcome == outcome::warn && run.properties.strict))
      failed.push_back(v);
    else if (v->outcome == outcome::warn)
      warned.push_back(v);
    else if (v->outcome == outcome::not_applicable)
      na.push_back(v);
  }
  const auto evidence = [&](const checks::verdict& v) {
    std::string s;
    for (auto i : v.evidence)
      if (i < sc.trace.size()) s += entry_text(sc.trace, i);
    return s;
  };
  const auto explain = [&](const checks::verdict& v, std::string_view prefix) {
    std::string s = fmt::format("{}{}\nsection: {}\n", prefix, checks::describe(v), rule.section);
    if (const auto ev = evidence(v); !ev.empty()) s += "offending message(s):\n" + ev;
    return s;
  };
  if (!failed.empty()) {
    tc.result = testcase::failure;
    tc.type = rule.id;
    tc.message =
        fmt::format("expected {}, observed {}", failed.front()->expected, failed.front()->observed);
    if (failed.size() > 1) tc.message += fmt::format(" (and {} more)", failed.size() - 1);
    for (std::size_t k = 0; k < failed.size(); ++k)
      tc.text += (k ? "\n" : "") + explain(*failed[k], "");
  } else if (!warned.empty()) {
    for (const auto* v : warned) tc.out += explain(*v, "WARNING: ");
  } else if (na.size() == vs.size()) {
    tc.result = testcase::skipped;
    tc.message = na.front()->note.empty() ? "not applicable" : na.front()->note;
  }
  return tc;
}

suite scenario_suite(const run_result& run, const engine::scenario_result& sc) {
  suite s;
  s.name = junit_suite_name(sc);
  s.scenario = &sc;
  const bool several = sc.calls.size() > 1;
  const auto n_calls = static_cast<long>(sc.calls.empty() ? 1 : sc.calls.size());
  const auto call_time = detail::seconds(sc.elapsed / n_calls);
  if (!sc.skipped.empty()) {
    // Not applicable to this device (its profile): skipped, never passed.
    testcase tc;
    tc.name = "applicable to the device";
    tc.result = testcase::skipped;
    tc.message = sc.skipped;
    s.cases.push_back(std::move(tc));
  }
  for (std::size_t c = 0; c < sc.calls.size(); ++c) {
    const auto& call = sc.calls[c];
    const int number = call.call_number > 0 ? call.call_number : static_cast<int>(c + 1);
    const std::string suffix = !call.agent.empty()
                                   ? fmt::format(" (call {}, agent {})", number, call.agent)
                               : several ? fmt::format(" (call {})", number)
                                         : "";

    testcase flow;
    flow.name = "flow" + suffix;
    flow.time = call_time;
    if (!call.failure.empty()) {
      flow.result = testcase::failure;
      flow.type = "flow";
      flow.message = call.failure;
      flow.text = call.failure + "\n";
      if (!call.failure_message.empty())
        flow.text += "the message that caused it:\n" + auth::mask_credentials(call.failure_message);
    }
    for (const auto& line : call.log) flow.out += line + "\n";
    if (call.stopped) flow.out += "the call was stopped by an exec int_cmd\n";
    s.cases.push_back(std::move(flow));

    // The verdicts of each rule, in the order the rules first appear (catalogue order).
    std::vector<checks::rule_id> order;
    for (const auto& v : call.verdicts)
      if (std::find(order.begin(), order.end(), v.rule) == order.end()) order.push_back(v.rule);
    for (auto id : order) {
      std::vector<const checks::verdict*> vs;
      for (const auto& v : call.verdicts)
        if (v.rule == id) vs.push_back(&v);
      const auto& rule = checks::rule_of(id);
      s.cases.push_back(
          rule_case(run, sc, id, vs, fmt::format("{} {}{}", rule.id, rule.title, suffix)));
    }

    for (const auto& v : call.scenario_warnings)
      s.out += fmt::format("scenario warning{}: {}\n", suffix, checks::describe(v));
  }
  for (const auto& line : sc.log) s.out += "log: " + line + "\n";
  if (!sc.trace.size()) {
    s.out += "trace: no messages\n";
  } else {
    s.out += fmt::format("trace: {} message{}\n", sc.trace.size(), sc.trace.size() == 1 ? "" : "s");
    for (std::size_t i = 0; i < sc.trace.size(); ++i) s.out += "\n" + entry_text(sc.trace, i);
  }
  return s;
}

testcase interrupted_case() {
  testcase tc;
  tc.name = "interrupted";
  tc.result = testcase::error;
  tc.type = "interrupted";
  tc.message = "interrupted by signal";
  tc.text = "the run was interrupted (SIGINT/SIGTERM) while this scenario was playing\n";
  return tc;
}

std::vector<suite> build_suites(const run_result& run) {
  std::vector<suite> suites;
  bool flagged = false; // scenarios that know they were cut short (several run at once)
  for (const auto& sc : run.scenarios) {
    suites.push_back(scenario_suite(run, sc));
    if (sc.interrupted) {
      suites.back().cases.push_back(interrupted_case());
      flagged = true;
    }
  }
  if (run.interrupted && !flagged) {
    const auto& which = run.interrupted_scenario;
    suite* hit = nullptr;
    for (auto& s : suites)
      if (!which.empty() &&
          (s.scenario->file == which || s.scenario->name == which || s.name == which))
        hit = &s;
    if (!hit && which.empty() && !suites.empty()) hit = &suites.back();
    if (!hit) {
      suite s;
      s.name = which.empty() ? "sipwright" : which;
      suites.push_back(std::move(s));
      hit = &suites.back();
    }
    hit->cases.push_back(interrupted_case());
  }
  for (auto& s : suites) {
    // classname + name unique within the suite, whatever the model holds.
    std::set<std::string> seen;
    for (auto& tc : s.cases) {
      const std::string base = tc.name;
      for (int k = 2; !seen.insert(tc.name).second; ++k) tc.name = fmt::format("{} #{}", base, k);
      s.failures += tc.result == testcase::failure;
      s.errors += tc.result == testcase::error;
      s.skipped += tc.result == testcase::skipped;
    }
  }
  return suites;
}

std::string attr(std::string_view s) {
  return xml_escape(s, true);
}
std::string text(std::string_view s) {
  return xml_escape(s, false);
}

void write_property(std::string& x, std::string_view name, std::string_view value) {
  x += fmt::format("      <property name=\"{}\" value=\"{}\"/>\n", attr(name), attr(value));
}

} // namespace

std::string xml_escape(std::string_view in, bool attribute) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size();) {
    const auto b = static_cast<unsigned char>(in[i]);
    if (b >= 0x80) {
      if (const auto n = detail::utf8_at(in, i).second) {
        out.append(in.substr(i, n));
        i += n;
      } else {
        append_hex(out, b);
        ++i;
      }
      continue;
    }
    switch (b) {
    case '&':
      out += "&amp;";
      break;
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '"':
      out += "&quot;";
      break;
    case '\'':
      out += "&apos;";
      break;
    case '\r':
      out += "&#13;";
      break;
    case '\n':
      out += attribute ? "&#10;" : "\n";
      break;
    case '\t':
      out += attribute ? "&#9;" : "\t";
      break;
    default:
      if (b < 0x20)
        append_hex(out, b);
      else
        out += static_cast<char>(b);
    }
    ++i;
  }
  return out;
}

std::string junit_suite_name(const engine::scenario_result& sc) {
  if (!sc.id.empty()) return sc.id; // a library scenario: its <metadata id>
  const std::filesystem::path file(sc.file);
  const auto dir = file.parent_path().filename().string();
  if (file.extension() == ".xml" && (dir == "device-callee" || dir == "device-caller"))
    return dir + "/" + file.stem().string();
  if (!file.filename().empty()) return file.filename().string();
  return sc.name.empty() ? "scenario" : sc.name;
}

std::string junit_xml(const run_result& run) {
  const auto suites = build_suites(run);
  const auto& p = run.properties;
  std::size_t tests = 0;
  int failures = 0, errors = 0;
  std::chrono::nanoseconds total{};
  for (const auto& s : suites) {
    tests += s.cases.size();
    failures += s.failures;
    errors += s.errors;
    if (s.scenario) total += s.scenario->elapsed;
  }

  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  x += fmt::format(
      "<testsuites name=\"sipwright\" tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"{}\">\n",
      tests, failures, errors, detail::seconds(total));
  for (const auto& s : suites) {
    const auto elapsed = s.scenario ? s.scenario->elapsed : std::chrono::nanoseconds{};
    x += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" "
                     "skipped=\"{}\" time=\"{}\" timestamp=\"{}\" hostname=\"{}\">\n",
                     attr(s.name), s.cases.size(), s.failures, s.errors, s.skipped,
                     detail::seconds(elapsed), detail::iso8601(p.start, false), attr(p.host));
    x += "    <properties>\n";
    write_property(x, "sipwright.version", p.version);
    write_property(x, "device", p.device);
    write_property(x, "transport", p.transport);
    write_property(x, "T1", fmt::format("{}ms", p.t1.count()));
    write_property(x, "T2", fmt::format("{}ms", p.t2.count()));
    write_property(x, "strict", p.strict ? "true" : "false");
    if (s.scenario) {
      write_property(x, "scenario.file", s.scenario->file);
      write_property(x, "scenario.name", s.scenario->name);
      write_property(x, "role", role_name(s.scenario->role));
    }
    x += "    </properties>\n";
    for (const auto& tc : s.cases) {
      x += fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"{}\"", attr(s.name),
                       attr(tc.name), tc.time);
      if (tc.result == testcase::passed && tc.out.empty()) {
        x += "/>\n";
        continue;
      }
      x += ">\n";
      switch (tc.result) {
      case testcase::failure:
      case testcase::error: {
        const char* el = tc.result == testcase::failure ? "failure" : "error";
        x += fmt::format("      <{} message=\"{}\" type=\"{}\">{}</{}>\n", el, attr(tc.message),
                         attr(tc.type), text(tc.text), el);
        break;
      }
      case testcase::skipped:
        x += fmt::format("      <skipped message=\"{}\"/>\n", attr(tc.message));
        break;
      case testcase::passed:
        break;
      }
      if (!tc.out.empty()) x += fmt::format("      <system-out>{}</system-out>\n", text(tc.out));
      x += "    </testcase>\n";
    }
    if (!s.out.empty()) x += fmt::format("    <system-out>{}</system-out>\n", text(s.out));
    x += "  </testsuite>\n";
  }
  x += "</testsuites>\n";
  return x;
}

void write_junit(const run_result& run, const std::filesystem::path& file) {
  detail::write_atomically(file, junit_xml(run), "JUnit report");
}

} // namespace sipwright::reports
