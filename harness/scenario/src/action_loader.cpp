// <action> children: ereg, assign, add, subtract, multiply, divide, test, strcmp, log, warning,
// exec (SIPp's vocabulary; the SIPp actions sipwright lacks are named as unsupported).
#include "action_loader.hpp"

#include "template_parser.hpp"

#include <algorithm>
#include <array>
#include <boost/regex.hpp>
#include <limits>

namespace sipwright::scenario::detail {

void variable_book::use(std::string_view name) {
  if (std::find(names_.begin(), names_.end(), name) == names_.end()) names_.emplace_back(name);
}

void variable_book::assign(std::string_view name) {
  use(name);
  if (!assigned(name)) assigned_.emplace_back(name);
}

bool variable_book::assigned(std::string_view name) const {
  return std::find(assigned_.begin(), assigned_.end(), name) != assigned_.end();
}

namespace {

constexpr auto action_names =
    std::to_array<std::string_view>({"ereg", "assign", "add", "subtract", "multiply", "divide",
                                     "test", "strcmp", "log", "warning", "exec"});
constexpr auto sipp_only_actions = std::to_array<std::string_view>(
    {"assignstr", "gettimeofday", "index", "jump", "lookup", "insert", "replace", "setdest",
     "closecon", "verifyauth", "sample", "todouble", "urldecode", "urlencode", "trim", "rtp_stream",
     "play_pcap_audio"});

std::string regex_problem(boost::regex_constants::error_type code) {
  namespace rc = boost::regex_constants;
  switch (code) {
  case rc::error_collate:
    return "invalid collating element";
  case rc::error_ctype:
    return "invalid character class";
  case rc::error_escape:
    return "invalid escape";
  case rc::error_backref:
    return "invalid back reference";
  case rc::error_brack:
    return "unmatched [ or [^";
  case rc::error_paren:
    return "unmatched ( or )";
  case rc::error_brace:
    return "unmatched { or }";
  case rc::error_badbrace:
    return "invalid repeat count in {}";
  case rc::error_range:
    return "invalid character range";
  case rc::error_space:
    return "out of memory";
  case rc::error_badrepeat:
    return "*, +, ? or { does not follow an expression";
  case rc::error_complexity:
    return "too complex";
  case rc::error_stack:
    return "too complex";
  default:
    return "invalid";
  }
}

pugi::xml_attribute need(const xml_context& cx, const pugi::xml_node& el, const char* name) {
  auto a = el.attribute(name);
  if (!a) cx.fail(cx.at(el), "<" + std::string(el.name()) + "> needs the attribute '" + name + "'");
  return a;
}

// Exactly one of two attributes.
pugi::xml_attribute one_of(const xml_context& cx, const pugi::xml_node& el, const char* a,
                           const char* b) {
  auto first = el.attribute(a);
  auto second = el.attribute(b);
  if (first && second)
    cx.fail(cx.at(second),
            "<" + std::string(el.name()) + "> takes '" + a + "' or '" + b + "', not both");
  if (!first && !second)
    cx.fail(cx.at(el),
            "<" + std::string(el.name()) + "> needs the attribute '" + a + "' or '" + b + "'");
  return first ? first : second;
}

std::string variable_name(const xml_context& cx, const pugi::xml_attribute& a,
                          variable_book& vars) {
  auto name = read_name(cx, a);
  vars.use(name);
  return name;
}

void assign_targets(const xml_context& cx, const pugi::xml_attribute& a, variable_book& vars,
                    action& out) {
  std::string_view list = a.value();
  while (true) {
    auto comma = list.find(',');
    auto item = list.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.empty() || item.find_first_of(" \t\r\n") != std::string_view::npos)
      bad_value(cx, a, "variable names separated by commas");
    out.assign_to.emplace_back(item);
    vars.assign(item);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
}

void load_ereg(const xml_context& cx, const pugi::xml_node& el, variable_book& vars, action& out) {
  check_attributes(cx, el,
                   {"regexp", "search_in", "header", "variable", "check_it", "check_it_inverse",
                    "case_indep", "occurrence", "start_line", "assign_to"});
  auto regexp = need(cx, el, "regexp");
  out.regexp = regexp.value();
  if (auto a = el.attribute("case_indep")) out.case_indep = read_bool(cx, a);
  check_regexp(cx, regexp, out.case_indep);
  if (auto a = el.attribute("search_in")) {
    const std::string_view v = a.value();
    if (v == "msg")
      out.where = action::search_in::msg;
    else if (v == "hdr")
      out.where = action::search_in::hdr;
    else if (v == "body")
      out.where = action::search_in::body;
    else if (v == "var")
      out.where = action::search_in::var;
    else
      bad_value(cx, a, "msg, hdr, body or var");
  }
  if (out.where == action::search_in::hdr) out.header = need(cx, el, "header").value();
  if (out.where == action::search_in::var)
    out.variable = variable_name(cx, need(cx, el, "variable"), vars);
  if (auto a = el.attribute("check_it")) out.check_it = read_bool(cx, a);
  if (auto a = el.attribute("check_it_inverse")) out.check_it_inverse = read_bool(cx, a);
  if (auto a = el.attribute("start_line")) out.start_line = read_bool(cx, a);
  if (auto a = el.attribute("occurrence"))
    out.occurrence = static_cast<int>(read_integer(cx, a, 1, 1000));
  if (auto a = el.attribute("assign_to")) assign_targets(cx, a, vars, out);
}

void load_arithmetic(const xml_context& cx, const pugi::xml_node& el, variable_book& vars,
                     action& out) {
  const bool assign = out.what == action::kind::assign;
  if (assign)
    check_attributes(cx, el, {"assign_to", "value", "variable"});
  else
    check_attributes(cx, el, {"assign_to", "value"});
  assign_targets(cx, need(cx, el, "assign_to"), vars, out);
  auto source = assign ? one_of(cx, el, "value", "variable") : need(cx, el, "value");
  if (std::string_view(source.name()) == "variable") {
    out.variable = variable_name(cx, source, vars);
    return;
  }
  constexpr double big = std::numeric_limits<double>::max();
  out.value = read_number(cx, source, -big, big, "a number");
  if (out.what == action::kind::divide && *out.value == 0)
    bad_value(cx, source, "a number other than 0: division by zero");
}

void load_test(const xml_context& cx, const pugi::xml_node& el, variable_book& vars, action& out) {
  check_attributes(cx, el, {"assign_to", "variable", "compare", "value", "variable2"});
  assign_targets(cx, need(cx, el, "assign_to"), vars, out);
  out.variable = variable_name(cx, need(cx, el, "variable"), vars);
  auto compare = need(cx, el, "compare");
  const std::string_view c = compare.value();
  using cmp = action::compare;
  if (c == "equal")
    out.cmp = cmp::equal;
  else if (c == "not_equal")
    out.cmp = cmp::not_equal;
  else if (c == "greater_than")
    out.cmp = cmp::greater_than;
  else if (c == "less_than")
    out.cmp = cmp::less_than;
  else if (c == "greater_than_equal")
    out.cmp = cmp::greater_than_equal;
  else if (c == "less_than_equal")
    out.cmp = cmp::less_than_equal;
  else
    bad_value(cx, compare,
              "equal, not_equal, greater_than, less_than, greater_than_equal or "
              "less_than_equal");
  auto other = one_of(cx, el, "value", "variable2");
  if (std::string_view(other.name()) == "variable2") {
    out.variable2 = variable_name(cx, other, vars);
    return;
  }
  out.value_text = other.value();
  out.value = read_number(cx, other, -std::numeric_limits<double>::max(),
                          std::numeric_limits<double>::max(), "a number");
}

void load_strcmp(const xml_context& cx, const pugi::xml_node& el, variable_book& vars,
                 action& out) {
  check_attributes(cx, el, {"assign_to", "variable", "variable2", "value"});
  assign_targets(cx, need(cx, el, "assign_to"), vars, out);
  out.variable = variable_name(cx, need(cx, el, "variable"), vars);
  auto other = one_of(cx, el, "variable2", "value");
  if (std::string_view(other.name()) == "variable2")
    out.variable2 = variable_name(cx, other, vars);
  else
    out.value_text = other.value();
}

void load_log(const xml_context& cx, const pugi::xml_node& el, variable_book& vars, action& out) {
  check_attributes(cx, el, {"message"});
  auto message = need(cx, el, "message");
  const std::string_view text = message.value();
  if (text.find('\n') != std::string_view::npos) bad_value(cx, message, "one line of text");
  out.message = parse_line(text, cx.at(message.value()));
  for (const auto& p : out.message.pieces)
    if (p.is_keyword && p.kw.id == keyword_id::variable) vars.use(p.kw.arg);
}

void load_exec(const xml_context& cx, const pugi::xml_node& el, action& out) {
  check_attributes(cx, el, {"command", "int_cmd"},
                   {"play_pcap_audio", "play_pcap_video", "rtp_stream", "rtp_echo"});
  auto a = one_of(cx, el, "command", "int_cmd");
  if (std::string_view(a.name()) == "command") {
    out.command = a.value();
    if (out.command.empty()) bad_value(cx, a, "a shell command");
    return;
  }
  out.int_cmd = a.value();
  if (out.int_cmd != "stop_call" && out.int_cmd != "stop_now" && out.int_cmd != "stop_gracefully")
    bad_value(cx, a, "stop_call, stop_now or stop_gracefully");
}

action load_one(const xml_context& cx, const pugi::xml_node& el, variable_book& vars) {
  action out;
  out.pos = cx.at(el);
  const std::string_view name = el.name();
  using k = action::kind;
  if (el.first_child())
    cx.fail(cx.at(el.first_child()), "<" + std::string(name) + "> takes no content");
  if (name == "ereg")
    out.what = k::ereg, load_ereg(cx, el, vars, out);
  else if (name == "assign")
    out.what = k::assign, load_arithmetic(cx, el, vars, out);
  else if (name == "add")
    out.what = k::add, load_arithmetic(cx, el, vars, out);
  else if (name == "subtract")
    out.what = k::subtract, load_arithmetic(cx, el, vars, out);
  else if (name == "multiply")
    out.what = k::multiply, load_arithmetic(cx, el, vars, out);
  else if (name == "divide")
    out.what = k::divide, load_arithmetic(cx, el, vars, out);
  else if (name == "test")
    out.what = k::test, load_test(cx, el, vars, out);
  else if (name == "strcmp")
    out.what = k::strcmp, load_strcmp(cx, el, vars, out);
  else if (name == "log")
    out.what = k::log, load_log(cx, el, vars, out);
  else if (name == "warning")
    out.what = k::warning, load_log(cx, el, vars, out);
  else if (name == "exec")
    out.what = k::exec, load_exec(cx, el, out);
  else if (std::find(sipp_only_actions.begin(), sipp_only_actions.end(), name) !=
           sipp_only_actions.end())
    cx.fail(out.pos, "action <" + std::string(name) +
                         "> is a SIPp feature not supported by "
                         "sipwright");
  else
    cx.fail(out.pos,
            "unknown action <" + std::string(name) + "> (expected " + join(action_names) + ")");
  return out;
}

} // namespace

void check_regexp(const xml_context& cx, const pugi::xml_attribute& a, bool icase) {
  // Boost.Regex (as the engine) matches without recursion; the size bound keeps compiling cheap.
  constexpr std::size_t max_regexp = 4096;
  if (std::string_view(a.value()).size() > max_regexp)
    bad_value(cx, a, "a regular expression of at most 4096 characters");
  boost::regex::flag_type flags = boost::regex::extended;
  if (icase) flags |= boost::regex::icase;
  try {
    boost::regex re(a.value(), flags);
  } catch (const boost::regex_error& e) {
    cx.fail(cx.at(a), "bad regular expression '" + std::string(a.value()) +
                          "' (POSIX extended): " + regex_problem(e.code()));
  }
}

void load_actions(const xml_context& cx, const pugi::xml_node& el, variable_book& vars,
                  std::vector<action>& out) {
  check_attributes(cx, el, {});
  for (auto child : el.children()) {
    if (child.type() == pugi::node_element)
      out.push_back(load_one(cx, child, vars));
    else if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata)
      cx.fail(cx.at_text(child),
              "unexpected text in <action> (expected " + join(action_names) + ")");
  }
}

} // namespace sipwright::scenario::detail
