// The scenario loader: SIPp's XML vocabulary -> the immutable model. Every problem is a
// load_error at FILE:LINE:COL before anything is sent (DESIGN.md section 3).
#include "sipwright/scenario/loader.hpp"

#include "action_loader.hpp"
#include "template_parser.hpp"
#include "xml_context.hpp"

#include "sipwright/sip/charclass.hpp"

#include <pugixml.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

namespace sipwright::scenario {
namespace {

std::string describe(const source_pos& pos, const std::string& text) {
  if (pos.line <= 0) return pos.file + ": error: " + text;
  return pos.file + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column) +
         ": error: " + text;
}

} // namespace

load_error::load_error(source_pos pos, const std::string& text)
    : std::runtime_error(describe(pos, text)), pos_(std::move(pos)), text_(text) {}

namespace {
using detail::check_attributes;
using detail::xml_context;

constexpr auto step_names = std::to_array<std::string_view>(
    {"send", "recv", "pause", "nop", "label", "timewait", "ResponseTimeRepartition",
     "CallLengthRepartition", "Global", "User", "Reference", "metadata", "agent"});
// SIPp elements sipwright does not implement.
constexpr auto sipp_only_elements = std::to_array<std::string_view>({"init"});

std::string xml_problem(pugi::xml_parse_status status) {
  switch (status) {
  case pugi::status_file_not_found:
  case pugi::status_io_error:
    return "cannot read the file";
  case pugi::status_out_of_memory:
    return "out of memory";
  case pugi::status_unrecognized_tag:
    return "malformed XML: unrecognized markup after '<'";
  case pugi::status_bad_pi:
    return "malformed XML: bad <?...?> processing instruction";
  case pugi::status_bad_comment:
    return "malformed XML: unterminated or bad <!-- comment -->";
  case pugi::status_bad_cdata:
    return "malformed XML: unterminated <![CDATA[ section";
  case pugi::status_bad_doctype:
    return "malformed XML: bad <!DOCTYPE>";
  case pugi::status_bad_pcdata:
    return "malformed XML: bad text";
  case pugi::status_bad_start_element:
    return "malformed XML: bad start tag";
  case pugi::status_bad_attribute:
    return "malformed XML: bad attribute (expected name=\"value\")";
  case pugi::status_bad_end_element:
    return "malformed XML: bad end tag";
  case pugi::status_end_element_mismatch:
    return "malformed XML: end tag does not match the open element, or an element is not closed";
  case pugi::status_no_document_element:
    return "malformed XML: no <scenario> element";
  default:
    return "malformed XML";
  }
}

// Where a jump or test attribute was written, to report a missing label or variable there.
struct pending_ref {
  std::size_t step = 0;
  source_pos pos;
  std::string name;
};

class loader {
public:
  explicit loader(const xml_context& cx) : cx_(cx) {}

  scenario run(const pugi::xml_node& root) {
    scenario out;
    out.file = cx_.file();
    check_attributes(cx_, root, {"name"});
    out.name = root.attribute("name").value();
    for (auto child : root.children()) {
      if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata)
        cx_.fail(cx_.at_text(child),
                 "unexpected text in <scenario> (expected " + detail::join(step_names) + ")");
      if (child.type() != pugi::node_element) continue;
      if (std::string_view(child.name()) == "agent") {
        if (steps_seen_ > 0)
          cx_.fail(cx_.at(child), "<agent> after steps: a scenario with agents has its steps in "
                                  "them");
        out.agents.push_back(loader(cx_).agent(child, out.agents));
        continue;
      }
      if (!out.agents.empty() && std::string_view(child.name()) != "metadata")
        cx_.fail(cx_.at(child), "<" + std::string(child.name()) +
                                    "> after <agent>: a scenario with agents has its steps in "
                                    "them");
      element(child, out.steps);
    }
    if (!out.agents.empty()) {
      check_commands(out.agents);
      out.role = out.agents.front().role;
      out.meta = std::move(meta_); // the device plays between the agents: no single role
      return out;
    }
    resolve(out, root);
    out.variables = vars_.names();
    if (meta_) {
      // The device plays the other side of the harness's role.
      const role want = out.role == role::caller ? role::callee : role::caller;
      if (meta_->device != want)
        cx_.fail(meta_pos_, std::string("device=\"") +
                                (meta_->device == role::callee ? "callee" : "caller") +
                                "\" but the scenario starts by " +
                                (out.role == role::caller ? "sending: the device is the callee"
                                                          : "receiving: the device is the caller"));
      out.meta = std::move(meta_);
    }
    return out;
  }

  // <agent name="...">: its own steps, labels and variables.
  sipwright::scenario::agent agent(const pugi::xml_node& el,
                                   const std::vector<sipwright::scenario::agent>& before) {
    check_attributes(cx_, el, {"name"});
    sipwright::scenario::agent a;
    a.pos = cx_.at(el);
    auto name = el.attribute("name");
    if (!name) cx_.fail(a.pos, "<agent> needs the attribute 'name'");
    a.name = detail::read_name(cx_, name);
    for (const auto& b : before)
      if (b.name == a.name)
        cx_.fail(cx_.at(name), "a second <agent name=\"" + a.name + "\"> (first at line " +
                                   std::to_string(b.pos.line) + ")");
    in_agent_ = true;
    for (auto child : el.children()) {
      if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata)
        cx_.fail(cx_.at_text(child), "unexpected text in <agent>");
      if (child.type() != pugi::node_element) continue;
      const std::string_view n = child.name();
      if (n == "agent" || n == "metadata")
        cx_.fail(cx_.at(child), "<" + std::string(n) + "> belongs in <scenario>, not in <agent>");
      element(child, a.steps);
    }
    scenario flow;
    flow.steps = std::move(a.steps);
    resolve(flow, el);
    a.steps = std::move(flow.steps);
    a.role = flow.role;
    a.variables = vars_.names();
    return a;
  }

  // Every <sendCmd dest> and <recvCmd src> names another agent of the scenario.
  void check_commands(const std::vector<sipwright::scenario::agent>& agents) {
    for (const auto& a : agents)
      for (const auto& s : a.steps) {
        if (s.what != step::kind::send_cmd && s.what != step::kind::recv_cmd) continue;
        if (s.peer.empty()) continue;
        const bool known = std::any_of(agents.begin(), agents.end(),
                                       [&](const auto& b) { return b.name == s.peer; });
        if (!known || s.peer == a.name)
          cx_.fail(s.pos, std::string(s.what == step::kind::send_cmd ? "dest" : "src") + "=\"" +
                              s.peer + "\" names " +
                              (known ? "the agent itself" : "no <agent> of the scenario"));
      }
  }

  // <sendCmd dest="agent">: header lines ("Name: value", keywords allowed) for that agent,
  // which takes them with <recvCmd>; there, [last_Name:] and <ereg> see them (SIPp's 3PCC).
  step send_cmd(const pugi::xml_node& el) {
    check_attributes(cx_, el, {"dest", "next", "test", "chance"});
    step s = begin(el, step::kind::send_cmd);
    auto dest = el.attribute("dest");
    if (!dest) cx_.fail(s.pos, "<sendCmd> needs the attribute 'dest' (the agent it goes to)");
    s.peer = detail::read_name(cx_, dest);
    jumps(el, s);
    pugi::xml_node text;
    children(el, s, &text);
    if (!text) cx_.fail(s.pos, "<sendCmd> needs its lines (a CDATA section)");
    s.msg = detail::parse_template(text.value(), cx_.at(text), false);
    if (!s.msg.body.empty()) cx_.fail(s.pos, "<sendCmd> takes header lines, no empty line or body");
    for (const auto& line : s.msg.head) {
      if (line.pieces.empty() || line.pieces.front().is_keyword) continue;
      const auto& t = line.pieces.front().text;
      const auto colon = t.find(':');
      if (colon == 0 || colon == std::string::npos ||
          !std::all_of(t.begin(), t.begin() + static_cast<std::ptrdiff_t>(colon),
                       sip::chars::is_token))
        cx_.fail(source_pos{s.pos.file, line.line, 1},
                 "a <sendCmd> line is a header field: Name: value");
    }
    for (const auto& line : s.msg.head)
      for (const auto& p : line.pieces)
        if (p.is_keyword && p.kw.id == keyword_id::variable) vars_.use(p.kw.arg);
    ++steps_seen_;
    return s;
  }

  step recv_cmd(const pugi::xml_node& el) {
    check_attributes(cx_, el, {"src", "timeout", "next", "test", "chance"});
    step s = begin(el, step::kind::recv_cmd);
    if (auto src = el.attribute("src")) s.peer = detail::read_name(cx_, src);
    if (auto a = el.attribute("timeout")) s.timeout = detail::read_ms(cx_, a, true);
    jumps(el, s);
    children(el, s, nullptr);
    ++steps_seen_;
    return s;
  }

private:
  void element(const pugi::xml_node& el, std::vector<step>& steps) {
    const std::string_view name = el.name();
    if (name == "send")
      steps.push_back(send(el));
    else if (name == "recv")
      steps.push_back(recv(el));
    else if (name == "pause" || name == "timewait")
      steps.push_back(pause(el));
    else if (name == "nop")
      steps.push_back(nop(el));
    else if (name == "label")
      steps.push_back(label(el, steps.size()));
    else if ((name == "sendCmd" || name == "recvCmd") && !in_agent_)
      cx_.fail(cx_.at(el), "<" + std::string(name) +
                               "> passes commands between agents: it belongs in an <agent>");
    else if (name == "sendCmd")
      steps.push_back(send_cmd(el));
    else if (name == "recvCmd")
      steps.push_back(recv_cmd(el));
    else if (name == "ResponseTimeRepartition" || name == "CallLengthRepartition") {
      check_attributes(cx_, el, {"value"}); // statistics tables: accepted and ignored
      no_children(el);
    } else if (name == "Global" || name == "User" || name == "Reference") {
      declare(el);
    } else if (name == "metadata") {
      metadata(el);
    } else if (std::find(sipp_only_elements.begin(), sipp_only_elements.end(), name) !=
               sipp_only_elements.end()) {
      cx_.fail(cx_.at(el),
               "<" + std::string(name) + "> is a SIPp feature not supported by sipwright");
    } else {
      cx_.fail(cx_.at(el), "unknown element <" + std::string(name) + "> (expected " +
                               detail::join(step_names) + ")");
    }
  }

  void no_children(const pugi::xml_node& el) {
    if (auto c = el.first_child())
      cx_.fail(cx_.at(c), "<" + std::string(el.name()) + "> takes no content");
  }

  // <Global variables="a,b">: names the engine may set before the call (SIPp's -set).
  void declare(const pugi::xml_node& el) {
    check_attributes(cx_, el, {"variables"});
    no_children(el);
    auto a = el.attribute("variables");
    if (!a)
      cx_.fail(cx_.at(el), "<" + std::string(el.name()) + "> needs the attribute 'variables'");
    action scratch;
    std::string_view list = a.value();
    while (true) {
      auto comma = list.find(',');
      auto item = list.substr(0, comma);
      while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
      while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
      if (item.empty()) detail::bad_value(cx_, a, "variable names separated by commas");
      vars_.assign(item);
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
  }

  // next, test, chance: on every step.
  void jumps(const pugi::xml_node& el, step& s) {
    const auto index = steps_seen_;
    if (auto a = el.attribute("next")) {
      s.next = detail::read_name(cx_, a);
      next_refs_.push_back({index, cx_.at(a), s.next});
    }
    if (auto a = el.attribute("test")) {
      s.test = detail::read_name(cx_, a);
      vars_.use(s.test);
      test_refs_.push_back({index, cx_.at(a), s.test});
    }
    if (auto a = el.attribute("chance"))
      s.chance = detail::read_number(cx_, a, 0, 1, "a probability from 0 to 1");
  }

  // Children of a step: <action> elements, and the message text when `text` is given.
  void children(const pugi::xml_node& el, step& s, pugi::xml_node* text) {
    for (auto c : el.children()) {
      if (c.type() == pugi::node_element) {
        if (std::string_view(c.name()) != "action")
          cx_.fail(cx_.at(c), "unknown element <" + std::string(c.name()) + "> in <" +
                                  std::string(el.name()) + "> (expected action)");
        detail::load_actions(cx_, c, vars_, s.actions);
      } else if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) {
        if (!text)
          cx_.fail(cx_.at_text(c),
                   "<" + std::string(el.name()) + "> takes no text (expected action)");
        if (*text) cx_.fail(cx_.at(c), "<send> has more than one message text");
        *text = c;
      }
    }
  }

  step begin(const pugi::xml_node& el, step::kind kind) {
    step s;
    s.what = kind;
    s.pos = cx_.at(el);
    return s;
  }

  step send(const pugi::xml_node& el) {
    check_attributes(cx_, el,
                     {"retrans", "lost", "start_txn", "ack_txn", "next", "test", "chance", "crlf",
                      "start_rtd", "rtd", "repeat_rtd", "counter", "hide", "display"},
                     {"condexec", "condexec_inverse"});
    step s = begin(el, step::kind::send);
    if (auto a = el.attribute("retrans")) {
      // retrans="0": the harness does not retransmit this message (see scenarios/README.md).
      s.retrans = detail::read_ms(cx_, a, false);
    }
    if (auto a = el.attribute("lost"))
      s.lost = detail::read_number(cx_, a, 0, 100, "a percentage from 0 to 100");
    if (auto a = el.attribute("start_txn")) s.start_txn = detail::read_name(cx_, a);
    if (auto a = el.attribute("ack_txn")) s.ack_txn = detail::read_name(cx_, a);
    jumps(el, s);
    pugi::xml_node text;
    children(el, s, &text);
    if (!text) cx_.fail(s.pos, "<send> needs a message template (a CDATA section)");
    s.msg = detail::parse_template(text.value(), cx_.at(text));
    for (const auto* lines : {&s.msg.head, &s.msg.body})
      for (const auto& line : *lines)
        for (const auto& p : line.pieces)
          if (p.is_keyword && p.kw.id == keyword_id::variable) vars_.use(p.kw.arg);
    ++steps_seen_;
    return s;
  }

  step recv(const pugi::xml_node& el) {
    check_attributes(cx_, el,
                     {"request", "response", "optional",  "timeout", "ontimeout",    "next",
                      "test",    "chance",   "rrs",       "auth",    "regexp_match", "response_txn",
                      "lost",    "crlf",     "start_rtd", "rtd",     "repeat_rtd",   "counter",
                      "hide",    "display",  "timeout_t1"},
                     {"ignoresdp", "rtp_echo", "condexec", "condexec_inverse"});
    step s = begin(el, step::kind::recv);
    auto request = el.attribute("request");
    auto response = el.attribute("response");
    if (request && response)
      cx_.fail(cx_.at(response), "<recv> takes 'request' or 'response', not both");
    if (!request && !response)
      cx_.fail(s.pos, "<recv> needs the attribute 'request' or 'response'");
    if (auto a = el.attribute("regexp_match")) s.regexp_match = detail::read_bool(cx_, a);
    if (request) {
      s.request = request.value();
      if (s.regexp_match)
        detail::check_regexp(cx_, request, false);
      else if (s.request.empty() ||
               !std::all_of(s.request.begin(), s.request.end(), sip::chars::is_token))
        detail::bad_value(cx_, request, "a method name (RFC 3261 25.1 token)");
    }
    if (response) {
      const std::string_view v = response.value();
      if (v.size() != 3 || !std::all_of(v.begin(), v.end(), sip::chars::is_digit) || v[0] < '1' ||
          v[0] > '6')
        detail::bad_value(cx_, response, "a status code from 100 to 699"); // RFC 3261 7.2
      s.response = std::stoi(std::string(v));
    }
    if (auto a = el.attribute("optional")) {
      const std::string_view v = a.value();
      if (v == "global")
        s.optional = s.optional_global = true;
      else if (v == "true")
        s.optional = true;
      else if (v != "false")
        detail::bad_value(cx_, a, "true, false or global");
    }
    if (auto a = el.attribute("timeout")) s.timeout = detail::read_ms(cx_, a, true);
    // timeout_t1="N": N times the run's T1 (a sipwright extension, scales with --t1).
    if (auto a = el.attribute("timeout_t1")) {
      if (s.timeout) cx_.fail(cx_.at(a), "<recv> takes 'timeout' or 'timeout_t1', not both");
      s.timeout_t1 = detail::read_number(cx_, a, 0, 1000, "a number of T1s from 0 to 1000");
    }
    if (auto a = el.attribute("ontimeout")) {
      s.ontimeout = detail::read_name(cx_, a);
      timeout_refs_.push_back({steps_seen_, cx_.at(a), s.ontimeout});
    }
    if (auto a = el.attribute("response_txn")) s.response_txn = detail::read_name(cx_, a);
    if (auto a = el.attribute("rrs")) s.rrs = detail::read_bool(cx_, a);
    if (auto a = el.attribute("auth")) s.auth = detail::read_bool(cx_, a);
    if (auto a = el.attribute("lost"))
      s.lost = detail::read_number(cx_, a, 0, 100, "a percentage from 0 to 100");
    jumps(el, s);
    children(el, s, nullptr);
    ++steps_seen_;
    return s;
  }

  // <metadata id title device sections test_purposes capabilities service transports/>: what a
  // library scenario tests. Lists: sections separated by ';', the others by spaces.
  void metadata(const pugi::xml_node& el) {
    check_attributes(cx_, el,
                     {"id", "title", "device", "sections", "test_purposes", "capabilities",
                      "service", "transports"});
    no_children(el);
    if (meta_) cx_.fail(cx_.at(el), "a second <metadata> (one per scenario)");
    sipwright::scenario::metadata m;
    auto need = [&](const char* name) {
      auto a = el.attribute(name);
      if (!a || std::string_view(a.value()).empty())
        cx_.fail(cx_.at(el), std::string("<metadata> needs the attribute '") + name + "'");
      return a;
    };
    m.id = need("id").value();
    m.title = need("title").value();
    auto device = need("device");
    const std::string_view d = device.value();
    if (d == "callee")
      m.device = role::callee;
    else if (d == "caller")
      m.device = role::caller;
    else
      detail::bad_value(cx_, device, "callee or caller (what the device plays)");
    auto split = [](std::string_view text, char sep) {
      std::vector<std::string> out;
      std::size_t start = 0;
      while (start <= text.size()) {
        auto end = text.find(sep, start);
        if (end == std::string_view::npos) end = text.size();
        auto item = text.substr(start, end - start);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
        if (!item.empty()) out.emplace_back(item);
        start = end + 1;
      }
      return out;
    };
    m.sections = split(el.attribute("sections").value(), ';');
    m.test_purposes = split(el.attribute("test_purposes").value(), ' ');
    m.capabilities = split(el.attribute("capabilities").value(), ' ');
    m.service = el.attribute("service").value();
    m.transports = split(el.attribute("transports").value(), ' ');
    for (const auto& t : m.transports)
      if (t != "udp" && t != "tcp" && t != "tls")
        detail::bad_value(cx_, el.attribute("transports"),
                          "udp, tcp and/or tls, separated by spaces");
    meta_pos_ = cx_.at(device);
    meta_ = std::move(m);
  }

  step pause(const pugi::xml_node& el) {
    check_attributes(cx_, el,
                     {"milliseconds", "t1", "variable", "crlf", "next", "test", "chance", "hide"},
                     {"distribution", "normal", "mean", "stdev", "min", "max", "lambda", "shape",
                      "scale", "k", "theta", "mu", "sigma", "sanity_check"});
    step s = begin(el, step::kind::pause);
    s.timewait = std::string_view(el.name()) == "timewait";
    auto ms = el.attribute("milliseconds");
    auto var = el.attribute("variable");
    if (ms && var)
      cx_.fail(cx_.at(var),
               "<" + std::string(el.name()) + "> takes 'milliseconds' or 'variable', not both");
    if (ms) s.milliseconds = detail::read_ms(cx_, ms, true);
    // t1="N": N times the run's T1, so that a scenario's waits scale with --t1.
    if (auto t1 = el.attribute("t1")) {
      if (ms || var)
        cx_.fail(cx_.at(t1), "<" + std::string(el.name()) +
                                 "> takes one of 'milliseconds', 't1' and 'variable'");
      s.t1_multiple = detail::read_number(cx_, t1, 0, 1000, "a number of T1s from 0 to 1000");
    }
    if (var) {
      s.pause_variable = detail::read_name(cx_, var);
      vars_.use(s.pause_variable);
    }
    if (!ms && !var && !s.t1_multiple)
      s.milliseconds = std::chrono::milliseconds(0); // SIPp's -d default
    jumps(el, s);
    no_children(el);
    ++steps_seen_;
    return s;
  }

  step nop(const pugi::xml_node& el) {
    check_attributes(cx_, el, {"next", "test", "chance", "crlf", "hide", "display"},
                     {"condexec", "condexec_inverse"});
    step s = begin(el, step::kind::nop);
    jumps(el, s);
    children(el, s, nullptr);
    ++steps_seen_;
    return s;
  }

  step label(const pugi::xml_node& el, std::size_t index) {
    check_attributes(cx_, el, {"id"});
    step s = begin(el, step::kind::label);
    auto id = el.attribute("id");
    if (!id) cx_.fail(s.pos, "<label> needs the attribute 'id'");
    s.id = detail::read_name(cx_, id);
    auto [it, fresh] = labels_.emplace(s.id, std::make_pair(index, s.pos));
    if (!fresh)
      cx_.fail(cx_.at(id), "duplicate label '" + s.id + "' (first defined at line " +
                               std::to_string(it->second.second.line) + ")");
    no_children(el);
    ++steps_seen_;
    return s;
  }

  void resolve(scenario& out, const pugi::xml_node& root) {
    auto find = [&](const pending_ref& ref) {
      auto it = labels_.find(ref.name);
      if (it == labels_.end())
        cx_.fail(ref.pos, "jump to label '" + ref.name + "', but there is no <label id=\"" +
                              ref.name + "\">");
      return static_cast<int>(it->second.first);
    };
    for (const auto& ref : next_refs_) out.steps[ref.step].next_index = find(ref);
    for (const auto& ref : timeout_refs_) out.steps[ref.step].ontimeout_index = find(ref);
    // SIPp rejects a test on a variable nothing sets, too.
    for (const auto& ref : test_refs_)
      if (!vars_.assigned(ref.name))
        cx_.fail(ref.pos, "test on variable '" + ref.name + "', which nothing assigns");
    auto first = std::find_if(out.steps.begin(), out.steps.end(), [](const step& s) {
      return s.what == step::kind::send || s.what == step::kind::recv;
    });
    if (first == out.steps.end()) cx_.fail(cx_.at(root), "the scenario has no <send> or <recv>");
    out.role = first->what == step::kind::send ? role::caller : role::callee;
  }

  const xml_context& cx_;
  bool in_agent_ = false;
  detail::variable_book vars_;
  std::size_t steps_seen_ = 0;
  std::optional<sipwright::scenario::metadata> meta_;
  source_pos meta_pos_;
  std::map<std::string, std::pair<std::size_t, source_pos>> labels_;
  std::vector<pending_ref> next_refs_, timeout_refs_, test_refs_;
};

} // namespace

scenario load_string(std::string_view xml, const std::string& file) {
  // Parsed in place, as UTF-8 bytes whatever the declared encoding: ISO-8859-1 files load, their
  // bytes are sent as written (as SIPp does), and every pointer pugixml returns is a file offset.
  std::string buffer(xml);
  xml_context cx(file, xml, buffer);
  if (xml.size() >= 2 && ((xml[0] == '\xfe' && xml[1] == '\xff') ||
                          (xml[0] == '\xff' && xml[1] == '\xfe') || xml[0] == '\0'))
    cx.fail(cx.at_offset(0), "the file is UTF-16 or UTF-32: save it as UTF-8 or ISO-8859-1");
  pugi::xml_document doc;
  const auto result = doc.load_buffer_inplace(buffer.data(), buffer.size(), pugi::parse_default,
                                              pugi::encoding_utf8);
  if (!result) {
    auto offset = static_cast<std::size_t>(std::max<std::ptrdiff_t>(result.offset, 0));
    std::string problem = xml_problem(result.status);
    if (result.status == pugi::status_bad_cdata && offset >= 9 &&
        xml.substr(offset - 9, 9) == "<![CDATA[")
      offset -= 9; // point at the section, not at its first byte
    if (result.status == pugi::status_end_element_mismatch &&
        xml.find_first_not_of(" \t\r\n", offset) == std::string_view::npos)
      problem = "malformed XML: the file ends before every element is closed";
    cx.fail(cx.at_offset(offset), problem);
  }
  pugi::xml_node root;
  for (auto n : doc.children()) {
    if (n.type() == pugi::node_pcdata || n.type() == pugi::node_cdata)
      cx.fail(cx.at_text(n), "unexpected text outside <scenario>");
    if (n.type() != pugi::node_element) continue;
    if (root)
      cx.fail(cx.at(n), "a second root element <" + std::string(n.name()) + "> after </scenario>");
    root = n;
  }
  if (!root) cx.fail(cx.at_offset(0), "malformed XML: no <scenario> element");
  if (std::string_view(root.name()) != "scenario")
    cx.fail(cx.at(root),
            "the root element is <" + std::string(root.name()) + ">, expected <scenario>");
  return loader(cx).run(root);
}

scenario load_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw load_error(source_pos{path, 0, 0},
                     "cannot read the file: " + std::string(std::strerror(errno)));
  std::ostringstream data;
  data << in.rdbuf();
  if (in.bad()) throw load_error(source_pos{path, 0, 0}, "cannot read the file");
  return load_string(data.str(), path);
}

} // namespace sipwright::scenario
