// The <action> children of a step, run against the message the step received (SIPp semantics
// where they are clear; see scenarios/README.md).
#include "call_context.hpp"

#include "sipwright/scenario/render.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>

namespace sipwright::engine {
namespace {

using scenario::action;

// The value of the Nth (1-based) header field the action names, "" when there are fewer.
std::string nth_field(const action& a, const sip::message* msg, int n) {
  if (!msg) return {};
  const auto fields = fields_named(*msg, a.header);
  return n >= 1 && static_cast<std::size_t>(n) <= fields.size()
             ? std::string(msg->value(*fields[static_cast<std::size_t>(n - 1)]))
             : std::string();
}

// The text an ereg searches: the whole message, the body, the values of the named header (every
// occurrence, joined by ", " as one list, RFC 3261 7.3.1), or a variable.
std::string search_text(const action& a, const sip::message* msg, const variables& vars) {
  switch (a.where) {
  case action::search_in::msg:
    return msg ? std::string(msg->bytes()) : std::string();
  case action::search_in::body:
    return msg ? std::string(msg->body()) : std::string();
  case action::search_in::var: {
    auto it = vars.find(a.variable);
    return it == vars.end() ? std::string() : it->second.str();
  }
  case action::search_in::hdr: {
    if (!msg) return {};
    std::string out;
    for (const auto* f : fields_named(*msg, a.header)) {
      if (!out.empty()) out += ", ";
      out += msg->value(*f);
    }
    return out;
  }
  }
  return {};
}

bool compare(double l, action::compare c, double r) {
  switch (c) {
  case action::compare::equal:
    return l == r;
  case action::compare::not_equal:
    return l != r;
  case action::compare::greater_than:
    return l > r;
  case action::compare::less_than:
    return l < r;
  case action::compare::greater_than_equal:
    return l >= r;
  case action::compare::less_than_equal:
    return l <= r;
  }
  return false;
}

std::string where_text(const action& a) {
  switch (a.where) {
  case action::search_in::msg:
    return "the message";
  case action::search_in::body:
    return "the body";
  case action::search_in::var:
    return "variable " + a.variable;
  case action::search_in::hdr:
    return "header " + a.header;
  }
  return {};
}

} // namespace

const boost::regex& call_context::compiled(const action& a) {
  auto it = regex_cache_.find(&a);
  if (it != regex_cache_.end()) return it->second;
  boost::regex::flag_type flags = boost::regex::extended;
  if (a.case_indep) flags |= boost::regex::icase;
  // The loader compiled it already, so this cannot throw for a loaded scenario.
  return regex_cache_.emplace(&a, boost::regex(a.regexp, flags)).first->second;
}

bool call_context::ereg(const action& a, const sip::message* msg, std::string& failure) {
  const std::string text = search_text(a, msg, vars_);
  boost::smatch m;
  bool found = false;
  // search_in="hdr": occurrence picks the Nth header field of that name, as SIPp does (the text
  // holds them all); elsewhere the Nth match.
  const int matches = a.where == action::search_in::hdr ? 1 : std::max(1, a.occurrence);
  const bool pick = a.where == action::search_in::hdr && a.occurrence > 1;
  const std::string nth = pick ? nth_field(a, msg, a.occurrence) : std::string();
  const std::string& haystack = pick ? nth : text;
  auto begin = haystack.cbegin();
  // Boost.Regex matches without recursion (a device's 40 KB header cannot exhaust the stack) and
  // throws when a match gets too complex: then the call fails and the run goes on.
  try {
    for (int n = 0; n < matches; ++n) {
      if (!boost::regex_search(begin, haystack.cend(), m, compiled(a))) {
        found = false;
        break;
      }
      found = true;
      begin = m[0].second == m[0].first && m[0].second != haystack.cend() ? m[0].second + 1
                                                                          : m[0].second;
    }
  } catch (const std::runtime_error& e) {
    failure = fmt::format("regexp \"{}\" could not be matched against {} ({} bytes): {}", a.regexp,
                          where_text(a), haystack.size(), e.what());
    return false;
  }
  // assign_to: the first variable takes the whole match, the next ones the submatches.
  for (std::size_t i = 0; i < a.assign_to.size(); ++i) {
    auto& v = vars_[a.assign_to[i]];
    v.kind = variable::type::text;
    v.flag = found;
    v.text = found && i < m.size() ? m[i].str() : std::string();
  }
  if (a.check_it && !found) {
    failure = fmt::format("regexp \"{}\" did not match {} (check_it)", a.regexp, where_text(a));
    return false;
  }
  if (a.check_it_inverse && found) {
    failure = fmt::format("regexp \"{}\" matched {} (check_it_inverse)", a.regexp, where_text(a));
    return false;
  }
  return true;
}

bool call_context::run_actions(const std::vector<action>& actions, const sip::message* msg,
                               std::string& failure, std::vector<std::string>& log,
                               std::string& int_cmd, std::vector<std::string>& exec_commands) {
  for (const auto& a : actions) {
    auto value_of = [&]() -> double {
      if (a.value) return *a.value;
      auto it = vars_.find(a.variable);
      return it == vars_.end() ? 0 : it->second.num();
    };
    auto set_number = [&](double d) {
      for (const auto& name : a.assign_to) {
        auto& v = vars_[name];
        v.kind = variable::type::number;
        v.number = d;
      }
    };
    auto current = [&]() { return a.assign_to.empty() ? 0.0 : vars_[a.assign_to.front()].num(); };
    switch (a.what) {
    case action::kind::ereg:
      if (!ereg(a, msg, failure)) {
        failure = fmt::format("{}:{}: {}", a.pos.file, a.pos.line, failure);
        return false;
      }
      break;
    case action::kind::assign:
      if (!a.value && !a.variable.empty()) {
        auto it = vars_.find(a.variable);
        for (const auto& name : a.assign_to)
          vars_[name] = it == vars_.end() ? variable{} : it->second;
      } else {
        set_number(value_of());
      }
      break;
    case action::kind::add:
      set_number(current() + value_of());
      break;
    case action::kind::subtract:
      set_number(current() - value_of());
      break;
    case action::kind::multiply:
      set_number(current() * value_of());
      break;
    case action::kind::divide: {
      const double d = value_of();
      set_number(d == 0 ? 0 : current() / d);
      break;
    }
    case action::kind::test: {
      auto it = vars_.find(a.variable);
      const double l = it == vars_.end() ? 0 : it->second.num();
      double r = 0;
      if (a.value)
        r = *a.value;
      else if (auto jt = vars_.find(a.variable2); jt != vars_.end())
        r = jt->second.num();
      for (const auto& name : a.assign_to) {
        auto& v = vars_[name];
        v.kind = variable::type::boolean;
        v.flag = compare(l, a.cmp, r);
      }
      break;
    }
    case action::kind::strcmp: {
      auto it = vars_.find(a.variable);
      const std::string l = it == vars_.end() ? std::string() : it->second.str();
      std::string r = a.value_text;
      if (!a.variable2.empty())
        if (auto jt = vars_.find(a.variable2); jt != vars_.end()) r = jt->second.str();
      const int c = l.compare(r);
      set_number(c < 0 ? -1 : c > 0 ? 1 : 0);
      break;
    }
    case action::kind::log:
      log.push_back(scenario::render_line(a.message, *this));
      break;
    case action::kind::warning:
      log.push_back("warning: " + scenario::render_line(a.message, *this));
      break;
    case action::kind::exec:
      if (!a.int_cmd.empty()) int_cmd = a.int_cmd;
      if (!a.command.empty()) exec_commands.push_back(a.command);
      break;
    }
  }
  return true;
}

} // namespace sipwright::engine
