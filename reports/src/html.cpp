#include "sipwright/reports/html.hpp"

#include "atomic_file.hpp"
#include "sipwright/auth/mask.hpp"
#include "sipwright/checks/rules.hpp"
#include "sipwright/checks/verdict.hpp"
#include "sipwright/reports/junit.hpp"
#include "text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <iterator>
#include <map>
#include <vector>

namespace sipwright::reports {

namespace {

using checks::outcome;
using detail::iso8601;
using detail::seconds;
using detail::utf8_at;
using detail::utf8_continuation;

// ---------------------------------------------------------------------------------------------
// Text

enum class mode { text, wire, attribute };

// Escapes `in` onto `out` (see html_escape). Runs of bytes shown as \xNN share one span.cc.
void append_escaped(std::string& out, std::string_view in, mode m) {
  bool chip = false; // inside a span.cc
  const auto hex = [&](std::string_view bytes) {
    if (!chip && m != mode::attribute) out += "<span class=\"cc\">";
    chip = m != mode::attribute;
    for (unsigned char b : bytes) fmt::format_to(std::back_inserter(out), "\\x{:02x}", b);
  };
  const auto plain = [&]() -> std::string& {
    if (chip) out += "</span>";
    chip = false;
    return out;
  };
  for (std::size_t i = 0; i < in.size();) {
    const auto b = static_cast<unsigned char>(in[i]);
    if (b >= 0x80) {
      const auto [c, n] = utf8_at(in, i);
      if (n == 0) {
        hex(in.substr(i, 1));
        ++i;
      } else if (c <= 0x9F) { // C1 controls: valid UTF-8, but invisible
        hex(in.substr(i, n));
        i += n;
      } else {
        plain().append(in.substr(i, n));
        i += n;
      }
      continue;
    }
    switch (b) {
    case '&':
      plain() += "&amp;";
      break;
    case '<':
      plain() += "&lt;";
      break;
    case '>':
      plain() += "&gt;";
      break;
    case '"':
      plain() += "&quot;";
      break;
    case '\'':
      plain() += "&#39;";
      break;
    case '\t':
      plain() += '\t';
      break;
    case '\n':
      if (m == mode::wire) hex(in.substr(i, 1)); // a bare LF (CRLF is handled below)
      plain() += '\n';
      break;
    case '\r':
      if (m == mode::wire && i + 1 < in.size() && in[i + 1] == '\n') {
        plain() += '\n';
        ++i;
      } else {
        hex(in.substr(i, 1));
      }
      break;
    default:
      if (b < 0x20 || b == 0x7F)
        hex(in.substr(i, 1));
      else
        plain() += static_cast<char>(b);
    }
    ++i;
  }
  plain();
}

// Text for an attribute's value (no markup).
std::string attr(std::string_view s) {
  std::string out;
  append_escaped(out, s, mode::attribute);
  return out;
}

// The message's first line (request line or status line), at most `limit` bytes cut on a UTF-8
// character boundary, with "…" when cut.
std::string first_line(std::string_view bytes, std::size_t limit = 200) {
  auto end = bytes.find('\n');
  std::string_view line = bytes.substr(0, end);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::string out;
  if (line.size() > limit) {
    std::size_t cut = limit;
    while (cut > 0 && utf8_continuation(static_cast<unsigned char>(line[cut]))) --cut;
    append_escaped(out, line.substr(0, cut), mode::text);
    out += "\xE2\x80\xA6";
  } else {
    append_escaped(out, line, mode::text);
  }
  return out;
}

std::string signal_name(int signal) {
  switch (signal) {
  case 1:
    return "SIGHUP (signal 1)";
  case 2:
    return "SIGINT (signal 2)";
  case 15:
    return "SIGTERM (signal 15)";
  case 0:
    return "a signal";
  default:
    return fmt::format("signal {}", signal);
  }
}

std::string plural(std::size_t n, std::string_view what) {
  return fmt::format("{} {}{}", n, what, n == 1 ? "" : "s");
}

// ---------------------------------------------------------------------------------------------
// The model, digested

enum class scenario_outcome { pass, fail, error, skipped };

std::string_view css(scenario_outcome c) {
  switch (c) {
  case scenario_outcome::pass:
    return "pass";
  case scenario_outcome::fail:
    return "fail";
  case scenario_outcome::error:
    return "error";
  case scenario_outcome::skipped:
    return "skipped";
  }
  return "fail";
}

std::string_view label(scenario_outcome c) {
  switch (c) {
  case scenario_outcome::pass:
    return "PASS";
  case scenario_outcome::fail:
    return "FAIL";
  case scenario_outcome::error:
    return "ERROR";
  case scenario_outcome::skipped:
    return "SKIPPED";
  }
  return "FAIL";
}

std::string_view outcome_css(outcome o) {
  switch (o) {
  case outcome::pass:
    return "pass";
  case outcome::fail:
    return "fail";
  case outcome::warn:
    return "warn";
  case outcome::not_applicable:
    return "na";
  }
  return "na";
}

// One row of the summary, one section.
struct row {
  const engine::scenario_result* sc = nullptr; // null: interrupted before it recorded anything
  std::string anchor;                          // "sc-1"
  std::string title;                           // id or file
  scenario_outcome result = scenario_outcome::pass;
  int signal = 0; // when interrupted
  std::size_t calls_passed = 0;
  std::size_t failed_rules = 0, warned_rules = 0;
};

// A verdict that fails the call: FAIL, and WARN under --strict.
bool failing(const run_result& run, const checks::verdict& v) {
  return v.outcome == outcome::fail || (v.outcome == outcome::warn && run.properties.strict);
}

std::vector<row> digest(const run_result& run) {
  std::vector<row> rows;
  const auto& which = run.interrupted_scenario;
  bool hit = false;
  for (std::size_t k = 0; k < run.scenarios.size(); ++k) {
    const auto& sc = run.scenarios[k];
    row r;
    r.sc = &sc;
    r.anchor = fmt::format("sc-{}", k + 1);
    r.title = junit_suite_name(sc);
    const bool named = run.interrupted && !which.empty() &&
                       (sc.file == which || sc.name == which || r.title == which);
    r.signal = sc.interrupted;
    if (sc.interrupted || named) {
      r.result = scenario_outcome::error;
      hit = true;
    } else if (!sc.skipped.empty()) {
      r.result = scenario_outcome::skipped;
    } else {
      r.result = sc.passed() ? scenario_outcome::pass : scenario_outcome::fail;
    }
    std::vector<char> failed(checks::catalogue().size() + 1), warned(failed.size());
    for (const auto& call : sc.calls) {
      r.calls_passed += call.passed;
      for (const auto& v : call.verdicts) {
        const auto id = static_cast<std::size_t>(v.rule);
        if (id >= failed.size()) continue;
        if (failing(run, v))
          failed[id] = 1;
        else if (v.outcome == outcome::warn)
          warned[id] = 1;
      }
    }
    for (std::size_t id = 0; id < failed.size(); ++id) {
      r.failed_rules += failed[id];
      r.warned_rules += warned[id] && !failed[id];
    }
    rows.push_back(std::move(r));
  }
  if (run.interrupted && !hit && !which.empty()) {
    row r;
    r.anchor = fmt::format("sc-{}", rows.size() + 1);
    r.title = which;
    r.result = scenario_outcome::error;
    rows.push_back(std::move(r));
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// The page

constexpr std::string_view style = R"css(
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg2:#f6f8fa;--pass:#1a7f37;--fail:#cf222e;
--warn:#9a6700;--skip:#6e7781;--error:#8250df;--out:#0b5cad;--in:#1b7c83;--agent:#0b5cad;
--device:#bc4c00;--tw:6.5em;--nw:19em}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;
color:var(--fg);margin:0;padding:1.2em 2em 3em;background:#fff}
h1{font-size:1.6em;margin:0 0 .3em}h2{font-size:1.3em;margin:0 0 .5em}
h3{font-size:1.05em;margin:1.2em 0 .4em;color:var(--muted);text-transform:uppercase;
letter-spacing:.04em}
a{color:var(--out)}
code,pre,.mono,.label,.sub,.time,.head .addr{
font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace}
pre{font-size:12.5px;margin:0;white-space:pre-wrap;overflow-wrap:anywhere}
table{border-collapse:collapse}
th,td{border:1px solid var(--line);padding:.3em .6em;text-align:left;vertical-align:top}
th{background:var(--bg2);font-weight:600}
header.run{border-bottom:1px solid var(--line);padding-bottom:1em;margin-bottom:1.2em}
.totals{font-size:1.25em;font-weight:600;margin:.2em 0 .6em}.totals .passed{color:var(--pass)}
.totals .failed{color:var(--fail)}.totals .skipped{color:var(--skip)}
.interrupted{background:#fbefff;border:1px solid var(--error);color:var(--error);padding:.5em .8em;
border-radius:6px;font-weight:600;display:inline-block;margin:0 0 .8em}
table.properties th{width:9em}
table.properties td{font-family:ui-monospace,"DejaVu Sans Mono",monospace}
table#summary{width:100%;margin-bottom:1.5em}
table#summary td.num,table#summary th.num{text-align:right;white-space:nowrap}
table#summary .name{color:var(--muted);font-size:.9em}
.badge{display:inline-block;min-width:4.6em;text-align:center;border-radius:4px;padding:0 .4em;
font-weight:700;font-size:.85em;color:#fff;letter-spacing:.03em}
.badge.pass{background:var(--pass)}.badge.fail{background:var(--fail)}
.badge.warn{background:var(--warn)}.badge.na,.badge.skipped{background:var(--skip)}
.badge.error{background:var(--error)}
section.scenario{border:1px solid var(--line);border-radius:8px;padding:1em 1.2em;margin:0 0 1.5em}
section.scenario.fail{border-left:6px solid var(--fail)}
section.scenario.pass{border-left:6px solid var(--pass)}
section.scenario.skipped{border-left:6px solid var(--skip)}
section.scenario.error{border-left:6px solid var(--error)}.facts{color:var(--muted);margin:0 0 .5em}
.facts .scenario-name{color:var(--fg);font-weight:600}
.notice{padding:.4em .8em;border-radius:6px;margin:.4em 0}
.notice.skipped{background:var(--bg2);border:1px solid var(--line)}
.notice.error{background:#fbefff;border:1px solid var(--error);color:var(--error)}
.failure{border:1px solid #f5c2c7;background:#fff5f5;border-radius:6px;padding:.5em .8em;
margin:.4em 0}
.failure p{margin:0 0 .3em;color:var(--fail);font-weight:600}
.failure pre{background:#fff;border:1px solid #f5c2c7;padding:.4em .6em;border-radius:4px}
table.verdicts{width:100%;font-size:.95em}table.verdicts tr.fail td{background:#fff5f5}
table.verdicts tr.warn td{background:#fff8e1}
table.verdicts td.rule{white-space:nowrap;font-family:ui-monospace,"DejaVu Sans Mono",monospace}
table.verdicts .note{color:var(--muted);font-style:italic}tr:target td{outline:2px solid var(--out)}
ul.scenario-warnings{margin:.2em 0;padding-left:1.4em}ul.scenario-warnings li{color:var(--warn)}
pre.log{background:var(--bg2);border:1px solid var(--line);border-radius:6px;padding:.5em .8em}
.ladder{position:relative;--cols:var(--tw) repeat(2,minmax(0,1fr)) var(--nw);margin-top:.4em;
padding-bottom:1.5em}
.lifeline{position:absolute;top:0;bottom:0;width:0;border-left:2px solid #9aa6b2;margin-left:-1px}
.lifeline.agent{border-color:#8fb3dc}.lifeline.device{border-color:#e3b48f}
.heads,.ladder summary{display:grid;grid-template-columns:var(--cols);align-items:center}
.heads{position:sticky;top:0;z-index:3;padding:.3em 0 .6em}
.head{justify-self:center;text-align:center;background:#fff;border:2px solid;border-radius:6px;
padding:.15em .8em;font-weight:600;max-width:100%;overflow:hidden;text-overflow:ellipsis;
white-space:nowrap}
.head .addr{display:block;font-weight:400;font-size:.85em}
.head.agent{border-color:var(--agent);color:var(--agent)}
.head.device{border-color:var(--device);color:var(--device)}
.ladder.big details.message{content-visibility:auto;contain-intrinsic-size:auto 3.6em}
details.message>summary{list-style:none;cursor:pointer;padding:.3em 0;position:relative;z-index:1}
details.message>summary::-webkit-details-marker{display:none}
details.message>summary:hover{background:rgba(11,92,173,.06)}
details.message:target>summary{background:rgba(11,92,173,.12)}
.time{color:var(--muted);font-size:12px;text-align:right;padding-right:.8em}
.time .n{display:block;font-size:11px;color:#8c959f}.time .n::before{content:"\25B8  "}
details[open]>summary .time .n::before{content:"\25BE  "}
.span{position:relative;display:flex;flex-direction:column;justify-content:space-between;
min-height:2.9em;padding:0 14px;color:var(--out);min-width:0}
.message.in .span{color:var(--in)}
.span::before{content:"";position:absolute;left:0;right:0;top:50%;border-top:2px solid currentColor}
.span.ltr::after,.span.rtl::after{content:"";position:absolute;top:calc(50% - 6px);
border:7px solid transparent}
.span.ltr::after{right:-1px;border-left:12px solid currentColor;border-right:0}
.span.rtl::after{left:-1px;border-right:12px solid currentColor;border-left:0}
.label,.sub{display:block;text-align:center;white-space:nowrap;overflow:hidden;
text-overflow:ellipsis;position:relative;background:transparent}
.label{font-size:12.5px;font-weight:600;color:var(--fg);padding-bottom:.5em}
.sub{font-size:11px;color:var(--muted);padding-top:.5em}.note{font-style:italic;color:var(--warn)}
.note.parse-error{color:var(--fail)}.message.not-sent .span::before{border-top-style:dashed}
.message.not-sent .span{color:#8c959f}.message.failing>summary{background:rgba(207,34,46,.07)}
.message.failing .span,.message.failing .label{color:var(--fail)}
.message.failing .span::before{border-top-width:3px}
.message.warning>summary{background:rgba(154,103,0,.07)}
.message.warning .span,.message.warning .label{color:var(--warn)}.time{grid-column:1/2}
.refs{grid-column:-2/-1;padding-left:.8em;font-size:12px;line-height:1.3;min-width:0}
.rule-ref{display:block;text-decoration:none;font-family:ui-monospace,"DejaVu Sans Mono",monospace;
overflow-wrap:anywhere}
.rule-ref:hover{text-decoration:underline}.rule-ref.fail{color:var(--fail)}
.rule-ref.warn{color:var(--warn)}
.rule-ref .section{color:var(--muted);font-family:system-ui,sans-serif}
.message .body{position:relative;z-index:2;margin:.1em var(--nw) .8em var(--tw);
background:var(--bg2);border:1px solid var(--line);border-radius:6px;padding:.5em .8em}
.message .body .meta{color:var(--muted);font-size:12px;margin-bottom:.3em}
.empty{color:var(--muted);font-style:italic}
.cc{color:#cf222e;background:#ffebe9;border-radius:3px;padding:0 1px;font-weight:400}
)css";

constexpr std::string_view script = R"js(
(function(){function show(){var id=decodeURIComponent(location.hash.slice(1));
var e=id&&document.getElementById(id);if(e&&e.tagName==='DETAILS')e.open=true;}
addEventListener('hashchange',show);show();})();
)js";

// From this many messages on, a ladder is "big" (see ladder()).
constexpr std::size_t big_ladder = 300;

class page {
public:
  explicit page(const run_result& run) : run_(run), rows_(digest(run)) {}

  std::string render() {
    std::size_t bytes = 0;
    for (const auto& sc : run_.scenarios)
      for (const auto& e : sc.trace.entries()) bytes += e.bytes.size();
    out_.reserve(64 * 1024 + bytes * 2);
    head();
    out_ += "<body>\n";
    header();
    out_ += "<main>\n";
    summary();
    for (const auto& r : rows_) section(r);
    out_ += "</main>\n<script>";
    out_ += script;
    out_ += "</script>\n</body>\n</html>\n";
    return std::move(out_);
  }

private:
  template <typename... Args>
  void put(fmt::format_string<Args...> f, Args&&... args) {
    fmt::format_to(std::back_inserter(out_), f, std::forward<Args>(args)...);
  }
  void text(std::string_view s, bool wire = false) {
    append_escaped(out_, s, wire ? mode::wire : mode::text);
  }

  void totals(std::size_t& passed, std::size_t& failed, std::size_t& skipped) const {
    passed = failed = skipped = 0;
    for (const auto& r : rows_) {
      if (r.result == scenario_outcome::pass) ++passed;
      if (r.result == scenario_outcome::fail || r.result == scenario_outcome::error) ++failed;
      if (r.result == scenario_outcome::skipped) ++skipped;
    }
  }

  void head() {
    std::size_t passed, failed, skipped;
    totals(passed, failed, skipped);
    out_ += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    out_ +=
        "<meta name=\"generator\" content=\"sipwright " + attr(run_.properties.version) + "\">\n";
    put("<title>sipwright report: {} passed, {} failed, {} skipped</title>\n", passed, failed,
        skipped);
    out_ += "<link rel=\"icon\" href=\"data:,\">\n<style>";
    out_ += style;
    out_ += "</style>\n</head>\n";
  }

  void property(std::string_view name, std::string_view value) {
    put("<tr><th>{}</th><td>", name);
    text(value);
    out_ += "</td></tr>\n";
  }

  void header() {
    const auto& p = run_.properties;
    std::size_t passed, failed, skipped;
    totals(passed, failed, skipped);
    out_ += "<header class=\"run\" id=\"run\">\n<h1>sipwright conformance report</h1>\n";
    put("<p class=\"totals\" id=\"totals\"><span class=\"passed\">{} passed</span>, "
        "<span class=\"failed\">{} failed</span>, <span class=\"skipped\">{} skipped</span></p>\n",
        passed, failed, skipped);
    if (run_.interrupted) {
      int signal = 0;
      std::string during = run_.interrupted_scenario;
      for (const auto& r : rows_)
        if (r.result == scenario_outcome::error) {
          if (!signal) signal = r.signal;
          if (during.empty()) during = r.title;
        }
      out_ += "<p class=\"interrupted\" id=\"interrupted\">Interrupted by ";
      text(signal_name(signal));
      if (!during.empty()) {
        out_ += " during ";
        text(during);
      }
      out_ += ": the scenarios not played by then are skipped.</p>\n";
    }
    out_ += "<table class=\"properties\" id=\"properties\">\n";
    property("sipwright", p.version);
    property("device", p.device);
    property("transport", p.transport);
    property("T1", fmt::format("{} ms", p.t1.count()));
    property("T2", fmt::format("{} ms", p.t2.count()));
    property("strict", p.strict ? "yes (SHOULD-level warnings fail)" : "no");
    property("start (UTC)", iso8601(p.start, true));
    property("host", p.host);
    out_ += "</table>\n</header>\n";
  }

  void summary() {
    out_ += "<h2>Scenarios</h2>\n<table id=\"summary\">\n<thead><tr><th class=\"num\">#</th>"
            "<th>scenario</th><th>role</th><th>outcome</th><th class=\"num\">calls passed</th>"
            "<th class=\"num\">time</th><th class=\"num\">failed rules</th>"
            "<th class=\"num\">warned rules</th><th class=\"num\">messages</th></tr></thead>\n"
            "<tbody>\n";
    if (rows_.empty())
      out_ += "<tr class=\"empty\"><td colspan=\"9\">no scenario was run</td></tr>\n";
    for (std::size_t k = 0; k < rows_.size(); ++k) {
      const auto& r = rows_[k];
      put("<tr class=\"scenario {}\" data-outcome=\"{}\"><td class=\"num\">{}</td>"
          "<td><a href=\"#{}\">",
          css(r.result), label(r.result), k + 1, r.anchor);
      text(r.title);
      out_ += "</a>";
      if (r.sc && !r.sc->name.empty()) {
        out_ += "<div class=\"name\">";
        text(r.sc->name);
        out_ += "</div>";
      }
      put("</td><td>{}</td><td class=\"outcome\"><span class=\"badge {}\">{}</span>",
          r.sc ? role(*r.sc) : "", css(r.result), label(r.result));
      if (r.result == scenario_outcome::error) out_ += " <span class=\"why\">interrupted</span>";
      if (r.result == scenario_outcome::skipped) {
        out_ += " <span class=\"why\">";
        text(r.sc->skipped);
        out_ += "</span>";
      }
      out_ += "</td>";
      if (r.sc && r.result != scenario_outcome::skipped)
        put("<td class=\"num\">{}/{}</td>", r.calls_passed, r.sc->calls.size());
      else
        out_ += "<td class=\"num\">&#8212;</td>";
      put("<td class=\"num\">{} s</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
          "<td class=\"num\">{}</td></tr>\n",
          r.sc ? seconds(r.sc->elapsed) : "0.000", r.failed_rules, r.warned_rules,
          r.sc ? r.sc->trace.size() : 0);
    }
    out_ += "</tbody>\n</table>\n";
  }

  // sipwright's role, or the agents of a scenario with several (escaped).
  static std::string role(const engine::scenario_result& sc) {
    if (sc.calls.empty() || sc.calls.front().agent.empty())
      return sc.role == scenario::role::caller ? "caller" : "callee";
    std::string out = "agents ";
    for (std::size_t c = 0; c < sc.calls.size(); ++c)
      out += (c ? ", " : "") + attr(sc.calls[c].agent);
    return out;
  }

  void evidence_links(const row& r, const std::vector<std::size_t>& evidence) {
    bool first = true;
    for (auto i : evidence) {
      if (!first) out_ += ' ';
      first = false;
      if (i < r.sc->trace.size())
        put("<a class=\"evidence\" href=\"#{}-m-{}\">#{}</a>", r.anchor, i + 1, i + 1);
      else
        put("<span class=\"evidence missing\">#{} (not in the trace)</span>", i + 1);
    }
  }

  void section(const row& r) {
    put("<section class=\"scenario {}\" id=\"{}\" data-outcome=\"{}\">\n<h2><span class=\"badge "
        "{}\">{}</span> ",
        css(r.result), r.anchor, label(r.result), css(r.result), label(r.result));
    text(r.title);
    out_ += "</h2>\n";
    if (r.result == scenario_outcome::error) {
      out_ += "<p class=\"notice error\">Interrupted by ";
      text(signal_name(r.signal));
      out_ += r.sc ? " while this scenario was playing: what it recorded is below."
                   : " before this scenario recorded anything.";
      out_ += "</p>\n";
    }
    if (!r.sc) {
      out_ += "</section>\n";
      return;
    }
    const auto& sc = *r.sc;
    out_ += "<p class=\"facts\">";
    if (!sc.name.empty()) {
      out_ += "<span class=\"scenario-name\">";
      text(sc.name);
      out_ += "</span> &#183; ";
    }
    out_ += "<span class=\"mono\">";
    text(sc.file);
    put("</span> &#183; sipwright {} {}",
        sc.calls.empty() || sc.calls.front().agent.empty() ? "is the" : "plays the", role(sc));
    if (sc.local.port || !sc.local.address.empty()) {
      out_ += " at <span class=\"mono\">";
      text(sc.local.str());
      out_ += "</span>";
    }
    if (sc.skipped.empty())
      put(" &#183; {}/{} {} passed &#183; {} s &#183; {}", r.calls_passed, sc.calls.size(),
          sc.calls.size() == 1 ? "call" : "calls", seconds(sc.elapsed),
          plural(sc.trace.size(), "message"));
    out_ += "</p>\n";
    if (!sc.skipped.empty()) {
      out_ += "<p class=\"notice skipped\">Skipped: ";
      text(sc.skipped);
      out_ += "</p>\n";
    }
    failures(sc);
    verdicts(r);
    warnings(r);
    logs(sc);
    ladder(r);
    out_ += "</section>\n";
  }

  // "2", or "2 (alice)" in a scenario with agents (escaped).
  static std::string number(const engine::call_result& call, std::size_t c) {
    const int n = call.call_number > 0 ? call.call_number : static_cast<int>(c + 1);
    return call.agent.empty() ? std::to_string(n)
                              : std::to_string(n) + " (" + attr(call.agent) + ")";
  }

  void failures(const engine::scenario_result& sc) {
    bool any = false;
    for (std::size_t c = 0; c < sc.calls.size(); ++c) {
      const auto& call = sc.calls[c];
      if (call.failure.empty()) continue;
      if (!any) out_ += "<h3>Failures</h3>\n";
      any = true;
      put("<div class=\"failure\"><p>call {}: ", number(call, c));
      text(call.failure);
      out_ += "</p>";
      if (!call.failure_message.empty()) {
        out_ += "<div class=\"caused-by\">the message that caused it:</div><pre class=\"wire\">";
        text(auth::mask_credentials(call.failure_message), true);
        out_ += "</pre>";
      }
      out_ += "</div>\n";
    }
  }

  void verdicts(const row& r) {
    const auto& sc = *r.sc;
    std::size_t n = 0;
    for (const auto& call : sc.calls) n += call.verdicts.size();
    if (!n) return;
    out_ += "<h3>Verdicts</h3>\n<table class=\"verdicts\">\n<thead><tr><th>call</th><th>rule</th>"
            "<th>outcome</th><th>level</th><th>section</th><th>title</th><th>expected</th>"
            "<th>observed</th><th>evidence</th></tr></thead>\n<tbody>\n";
    // Failures and warnings first, so a failing scenario shows why at the top; each row keeps
    // the id of its place in the call's verdicts (the ladder links to it).
    for (const bool bad_pass : {true, false}) {
      std::size_t k = 0;
      for (std::size_t c = 0; c < sc.calls.size(); ++c) {
        const auto& call = sc.calls[c];
        for (const auto& v : call.verdicts) {
          ++k;
          const bool bad = v.outcome == outcome::fail || v.outcome == outcome::warn;
          if (bad != bad_pass) continue;
          verdict_row(r, call, c, v, k);
        }
      }
    }
    out_ += "</tbody>\n</table>\n";
  }

  void verdict_row(const row& r, const engine::call_result& call, std::size_t c,
                   const checks::verdict& v, std::size_t k) {
    const auto& rule = checks::rule_of(v.rule);
    const auto o = v.outcome;
    put("<tr class=\"verdict {}\" id=\"{}-v-{}\" data-rule=\"{}\"><td>{}</td>"
        "<td class=\"rule\">{}</td><td><span class=\"badge {}\">{}</span></td><td>{}</td>"
        "<td>",
        outcome_css(o), r.anchor, k, attr(rule.id), number(call, c), attr(rule.id), outcome_css(o),
        checks::to_string(o), checks::to_string(rule.level));
    text(rule.section);
    out_ += "</td><td>";
    text(rule.title);
    out_ += "</td><td>";
    text(v.expected);
    out_ += "</td><td>";
    text(v.observed);
    if (!v.note.empty()) {
      out_ += v.observed.empty() ? "<span class=\"note\">" : " <span class=\"note\">";
      text(v.note);
      out_ += "</span>";
    }
    out_ += "</td><td>";
    evidence_links(r, v.evidence);
    out_ += "</td></tr>\n";
  }

  void warnings(const row& r) {
    const auto& sc = *r.sc;
    bool any = false;
    for (std::size_t c = 0; c < sc.calls.size(); ++c)
      for (const auto& v : sc.calls[c].scenario_warnings) {
        if (!any)
          out_ += "<h3>Scenario warnings</h3>\n<p class=\"facts\">The rules applied to what the "
                  "scenario made sipwright send: they never fail a call.</p>\n"
                  "<ul class=\"scenario-warnings\">\n";
        any = true;
        put("<li class=\"scenario-warning\">call {}: ", number(sc.calls[c], c));
        text(checks::describe(v));
        if (!v.evidence.empty()) {
          out_ += " &#8212; ";
          evidence_links(r, v.evidence);
        }
        out_ += "</li>\n";
      }
    if (any) out_ += "</ul>\n";
  }

  void logs(const engine::scenario_result& sc) {
    bool any = !sc.log.empty();
    for (const auto& call : sc.calls) any = any || !call.log.empty() || call.stopped;
    if (!any) return;
    out_ += "<h3>Log</h3>\n<pre class=\"log\">";
    for (const auto& line : sc.log) {
      text(line);
      out_ += '\n';
    }
    for (std::size_t c = 0; c < sc.calls.size(); ++c) {
      const auto& call = sc.calls[c];
      for (const auto& line : call.log) {
        put("call {}: ", number(call, c));
        text(line);
        out_ += '\n';
      }
      if (call.stopped) put("call {}: stopped by an exec int_cmd\n", number(call, c));
    }
    out_ += "</pre>\n";
  }

  // A FAIL/WARN verdict citing a message.
  struct cite {
    std::size_t verdict = 0; // 1-based, as in the verdict row's id
    checks::rule_id rule{};
    bool failing = false;
  };

  void ladder(const row& r) {
    const auto& sc = *r.sc;
    const auto& entries = sc.trace.entries();
    out_ += "<h3>Messages</h3>\n";
    if (entries.empty()) {
      out_ += "<p class=\"empty\">no messages</p>\n";
      return;
    }
    // The lifelines: each local endpoint of the harness, then each remote address of the device,
    // in order of appearance.
    std::map<std::string, std::size_t> agent_index, device_index;
    std::vector<std::string> agents, devices;
    std::vector<std::pair<std::size_t, std::size_t>> ends(entries.size());
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const auto& e = entries[i];
      auto a = agent_index.try_emplace(e.local.str(), agents.size());
      if (a.second) agents.push_back(e.local.str());
      auto d = device_index.try_emplace(e.remote.address, devices.size());
      if (d.second) devices.push_back(e.remote.address);
      ends[i] = {a.first->second, d.first->second};
    }
    // The FAIL/WARN verdicts citing each message.
    std::vector<std::vector<cite>> cites(entries.size());
    std::size_t k = 0;
    for (const auto& call : sc.calls)
      for (const auto& v : call.verdicts) {
        ++k;
        if (v.outcome != outcome::fail && v.outcome != outcome::warn) continue;
        for (auto i : v.evidence) {
          if (i >= entries.size()) continue;
          auto& c = cites[i];
          if (!c.empty() && c.back().rule == v.rule) { // one reference per rule
            c.back().failing = c.back().failing || failing(run_, v);
            continue;
          }
          c.push_back({k, v.rule, failing(run_, v)});
        }
      }

    const std::size_t lanes = agents.size() + devices.size();
    // A big ladder renders only the arrows near the viewport (content-visibility: auto); a small
    // one renders whole, for printing and full-page screenshots.
    put("<div class=\"ladder{}\" data-messages=\"{}\" style=\"--cols:var(--tw) "
        "repeat({},minmax(0,1fr)) var(--nw);min-width:calc(var(--tw) + var(--nw) + {}em)\">\n",
        entries.size() > big_ladder ? " big" : "", entries.size(), 2 * lanes, 13 * lanes);
    for (std::size_t l = 0; l < lanes; ++l)
      put("<div class=\"lifeline {}\" style=\"left:calc(var(--tw) + (100% - var(--tw) - "
          "var(--nw)) * {:.6f})\"></div>\n",
          l < agents.size() ? "agent" : "device",
          static_cast<double>(2 * l + 1) / static_cast<double>(2 * lanes));
    out_ += "<div class=\"heads\">";
    for (std::size_t l = 0; l < lanes; ++l) {
      const bool agent = l < agents.size();
      put("<div class=\"head {}\" style=\"grid-column:{}/{}\">{}<span class=\"addr\">",
          agent ? "agent" : "device", 2 + 2 * l, 4 + 2 * l, agent ? "sipwright" : "device");
      text(agent ? agents[l] : devices[l - agents.size()]);
      out_ += "</span></div>";
    }
    out_ += "</div>\n";

    const auto t0 = entries.front().at;
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const auto& e = entries[i];
      const bool out = e.dir == transport::direction::out;
      const bool not_sent = e.note.rfind("not sent", 0) == 0;
      const auto& c = cites[i];
      const bool fails = std::any_of(c.begin(), c.end(), [](const cite& x) { return x.failing; });
      const std::size_t from = ends[i].first, to = agents.size() + ends[i].second;
      put("<details class=\"arrow message {}{}{}{}\" data-index=\"{}\" id=\"{}-m-{}\">"
          "<summary><span class=\"time\">{}<span class=\"n\">#{}</span></span>"
          "<span class=\"span {}\" style=\"grid-column:{}/{}\"><span class=\"label\">",
          out ? "out" : "in", fails ? " failing" : (c.empty() ? "" : " warning"),
          not_sent ? " not-sent" : "", e.parse_error.empty() ? "" : " unparsed", i, r.anchor, i + 1,
          seconds(e.at - t0), i + 1, out ? "ltr" : "rtl", 3 + 2 * from, 3 + 2 * to);
      if (auto line = first_line(e.bytes); !line.empty())
        out_ += line;
      else
        out_ += e.bytes.empty() ? "(no bytes)" : "(blank first line)";
      put("</span><span class=\"sub\">{} {} ", transport::to_string(e.proto), out ? "to" : "from");
      text(e.remote.str());
      if (!e.note.empty()) {
        out_ += " <span class=\"note\">";
        text(e.note);
        out_ += "</span>";
      }
      if (!e.parse_error.empty()) out_ += " <span class=\"note parse-error\">parse error</span>";
      out_ += "</span></span><span class=\"refs\">";
      for (const auto& x : c) {
        const auto& rule = checks::rule_of(x.rule);
        put("<a class=\"rule-ref {}\" href=\"#{}-v-{}\" title=\"{}\">", x.failing ? "fail" : "warn",
            r.anchor, x.verdict, attr(rule.title));
        text(rule.id);
        out_ += " <span class=\"section\">";
        text(rule.section);
        out_ += "</span></a>";
      }
      put("</span></summary><div class=\"body\"><div class=\"meta\">#{} +{} s {} {} ", i + 1,
          seconds(e.at - t0), out ? "sent" : "received", transport::to_string(e.proto));
      text(out ? e.local.str() : e.remote.str());
      out_ += " &#8594; ";
      text(out ? e.remote.str() : e.local.str());
      put(", {}", plural(e.bytes.size(), "byte"));
      if (!e.note.empty()) {
        out_ += " (";
        text(e.note);
        out_ += ')';
      }
      if (!e.parse_error.empty()) {
        out_ += "<br><span class=\"note parse-error\">parse error: ";
        text(e.parse_error);
        out_ += "</span>";
      }
      out_ += "</div><pre class=\"wire\">";
      text(auth::mask_credentials(e.bytes), true); // no digest response in a report
      out_ += "</pre></div></details>\n";
    }
    out_ += "</div>\n";
  }

  const run_result& run_;
  std::vector<row> rows_;
  std::string out_;
};

} // namespace

std::string html_escape(std::string_view text, bool wire) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  append_escaped(out, text, wire ? mode::wire : mode::text);
  return out;
}

std::string html_report(const run_result& run) {
  return page(run).render();
}

void write_html(const run_result& run, const std::filesystem::path& file) {
  detail::write_atomically(file, html_report(run), "HTML report");
}

} // namespace sipwright::reports
