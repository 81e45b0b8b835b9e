#include "sipwright/reports/html.hpp"

#include "support.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace fs = std::filesystem;
using namespace sipwright;
using namespace sipwright::reports::test;
using namespace std::chrono_literals;
using checks::outcome;
using checks::rule_id;
using transport::direction;

namespace {

std::size_t occurrences(std::string_view s, std::string_view what) {
  std::size_t n = 0;
  for (auto i = s.find(what); i != std::string_view::npos; i = s.find(what, i + 1)) ++n;
  return n;
}

bool contains(std::string_view s, std::string_view what) {
  return s.find(what) != std::string_view::npos;
}

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing beyond U+10FFFF.
bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t n = b < 0x80             ? 1
                    : (b & 0xE0) == 0xC0 ? 2
                    : (b & 0xF0) == 0xE0 ? 3
                    : (b & 0xF8) == 0xF0 ? 4
                                         : 0;
    if (n == 0 || i + n > s.size()) return false;
    char32_t c = n == 1 ? b : n == 2 ? (b & 0x1F) : n == 3 ? (b & 0x0F) : (b & 0x07);
    for (std::size_t k = 1; k < n; ++k) {
      const auto x = static_cast<unsigned char>(s[i + k]);
      if ((x & 0xC0) != 0x80) return false;
      c = c << 6 | (x & 0x3F);
    }
    const char32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
    if (c < min[n] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return false;
    i += n;
  }
  return true;
}

// Only tab and newline among the C0 controls, no DEL, and valid UTF-8.
void check_clean(const std::string& html) {
  CHECK(valid_utf8(html));
  std::size_t bad = 0;
  for (char ch : html) {
    const auto b = static_cast<unsigned char>(ch);
    bad += (b < 0x20 && b != '\n' && b != '\t') || b == 0x7F;
  }
  CHECK(bad == 0);
}

// The text of the element of `html` opened by the tag holding `marker`, up to its closing tag
// `close`.
std::string element(const std::string& html, std::string_view marker, std::string_view tag,
                    std::string_view close) {
  const auto at = html.find(marker);
  if (at == std::string::npos) return {};
  const auto start = html.rfind(tag, at);
  const auto end = html.find(close, at);
  REQUIRE(start != std::string::npos);
  REQUIRE(end != std::string::npos);
  return html.substr(start, end + close.size() - start);
}

std::string section(const std::string& html, const std::string& id) {
  return element(html, "id=\"" + id + "\" data-outcome", "<section ", "</section>");
}

std::string arrow(const std::string& html, const std::string& scenario, std::size_t index) {
  return element(html, fmt::format("data-index=\"{}\" id=\"{}-m-{}\"", index, scenario, index + 1),
                 "<details ", "</details>");
}

// The opening tag of an element.
std::string opening(const std::string& element) {
  return element.substr(0, element.find('>') + 1);
}

} // namespace

TEST_CASE("html: html_escape byte for byte") {
  CHECK(reports::html_escape("<script>alert(1)</script> & \"'") ==
        "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;&#39;");
  // Control bytes as \xNN, a run of them in one highlighted span.
  CHECK(reports::html_escape(std::string("a\0b\x01\x1b\x1f\x7f", 7)) ==
        R"(a<span class="cc">\x00</span>b<span class="cc">\x01\x1b\x1f\x7f</span>)");
  // Our own text keeps LF and tab; a message's CRLF is a line break, a bare LF or CR is shown.
  CHECK(reports::html_escape("A\r\nB\tC") == "A<span class=\"cc\">\\x0d</span>\nB\tC");
  CHECK(reports::html_escape("A\r\nB\nC\rD\tE\r\n", true) ==
        "A\nB<span class=\"cc\">\\x0a</span>\nC<span class=\"cc\">\\x0d</span>D\tE\n");
  // Each byte that is not UTF-8 too; valid UTF-8 stays.
  CHECK(reports::html_escape("\xff caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80") ==
        "<span class=\"cc\">\\xff</span> caf\u00e9 \u20ac \U0001F600");
  CHECK(reports::html_escape("\xed\xa0\x80|\xc0\xaf|\xf4\x90\x80\x80|\xef\xbf\xbf|\xe2\x82") ==
        R"(<span class="cc">\xed\xa0\x80</span>|<span class="cc">\xc0\xaf</span>|)"
        R"(<span class="cc">\xf4\x90\x80\x80</span>|<span class="cc">\xef\xbf\xbf</span>|)"
        R"(<span class="cc">\xe2\x82</span>)");
  // C1 controls are valid UTF-8 but invisible.
  CHECK(reports::html_escape("a\xc2\x85"
                             "b\xc2\xa0") == "a<span class=\"cc\">\\xc2\\x85</span>b\u00a0");
  CHECK(reports::html_escape("") == "");
}

TEST_CASE("html: a device's hostile bytes come out as text") {
  auto run = base_run();
  run.properties.host = std::string("host\x01<b>\xff", 9);
  auto sc = make_scenario("odd\x02&<name>.xml");
  sc.name = "<i>name</i>";
  sc.trace.add(entry(direction::in, hostile_message(), 0ms, "note\x1b<"));
  sc.trace.at(0).parse_error = "bad byte \x7f\x80";
  sc.calls[0].passed = false;
  sc.calls[0].failure = "failed <\x04>";
  sc.calls[0].failure_message = hostile_message();
  sc.calls[0].log = {hostile_message()};
  sc.calls[0].verdicts = {
      verdict(rule_id::msg_grammar, outcome::fail, {0}, "a message\x03", "<script>x</script>")};
  run.scenarios = {sc};

  const auto html = reports::html_report(run);
  check_clean(html);
  // Only the page's own script and no element from the device.
  CHECK(occurrences(html, "<script") == 1);
  CHECK(occurrences(html, "<img") == 0);
  CHECK(!contains(html, "<b>bold"));
  CHECK(occurrences(html, "<i>") == 0);

  const std::string shown =
      "SIP/2.0 200 OK&lt;script&gt;alert(1)&lt;/script&gt;\n"
      "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-1&amp;x=&lt;b&gt;bold&lt;/b&gt;\n"
      R"(X-Nul: a<span class="cc">\x00</span>b<span class="cc">\x01\x1b</span>[31m)"
      R"(<span class="cc">\x7f</span>)"
      "\n"
      R"(X-Bytes: <span class="cc">\xff\xfe</span> caf)"
      "\u00e9 \u20ac "
      R"(<span class="cc">\xed\xa0\x80</span> <span class="cc">\xc0\xaf</span>)"
      "\n"
      "X-Img: &lt;img src=x onerror=&quot;document.title=&#39;pwned&#39;&quot;&gt;\n"
      "Content-Length: 0\n\n";
  // In the ladder and under the failure, byte for byte.
  CHECK(occurrences(html, "<pre class=\"wire\">" + shown + "</pre>") == 2);
  // The arrow's label: the first line.
  CHECK(contains(
      html, "<span class=\"label\">SIP/2.0 200 OK&lt;script&gt;alert(1)&lt;/script&gt;</span>"));
  CHECK(contains(html, R"(<span class="note">note<span class="cc">\x1b</span>&lt;</span>)"));
  CHECK(contains(html, R"(parse error: bad byte <span class="cc">\x7f\x80</span></span>)"));
  CHECK(contains(html, R"(<tr><th>host</th><td>host<span class="cc">\x01</span>&lt;b&gt;)"
                       R"(<span class="cc">\xff</span></td></tr>)"));
  CHECK(contains(html, R"(odd<span class="cc">\x02</span>&amp;&lt;name&gt;.xml)"));
  CHECK(contains(html, "&lt;i&gt;name&lt;/i&gt;"));
  CHECK(contains(html, R"(<p>call 1: failed &lt;<span class="cc">\x04</span>&gt;</p>)"));
  CHECK(contains(html, R"(<td>a message<span class="cc">\x03</span></td>)"
                       R"(<td>&lt;script&gt;x&lt;/script&gt;</td>)"));
  // The log is our own text: the device's CRs are shown there.
  CHECK(contains(html, "call 1: SIP/2.0 200 OK&lt;script&gt;alert(1)&lt;/script&gt;<span "
                       "class=\"cc\">\\x0d</span>\n"));
}

TEST_CASE("html: the page's structure") {
  const auto run = sample_run();
  const auto html = reports::html_report(run);
  check_clean(html);
  CHECK(html.rfind("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n", 0) ==
        0);
  CHECK(html.size() >= 8);
  CHECK(html.substr(html.size() - 8) == "</html>\n");
  CHECK(occurrences(
            html, "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                  "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">") == 1);
  // Nothing to fetch.
  CHECK(occurrences(html, "http://") == 0);
  CHECK(occurrences(html, "https://") == 0);
  CHECK(occurrences(html, "<link ") == 1);
  CHECK(contains(html, "<link rel=\"icon\" href=\"data:,\">"));
  CHECK(occurrences(html, "url(") == 0);

  // The header.
  CHECK(contains(html, "<title>sipwright report: 2 passed, 2 failed, 1 skipped</title>"));
  CHECK(contains(html, "<p class=\"totals\" id=\"totals\"><span class=\"passed\">2 passed</span>, "
                       "<span class=\"failed\">2 failed</span>, <span class=\"skipped\">1 "
                       "skipped</span></p>"));
  for (const auto* p :
       {"<tr><th>sipwright</th><td>0.1.0</td></tr>",
        "<tr><th>device</th><td>127.0.0.1:5062</td></tr>",
        "<tr><th>transport</th><td>UDP</td></tr>", "<tr><th>T1</th><td>100 ms</td></tr>",
        "<tr><th>T2</th><td>4000 ms</td></tr>", "<tr><th>strict</th><td>no</td></tr>",
        "<tr><th>start (UTC)</th><td>2024-05-01T12:00:00Z</td></tr>",
        "<tr><th>host</th><td>ci-host</td></tr>"}) {
    INFO(p);
    CHECK(contains(html, p));
  }

  // The summary: one row per scenario, in order, each linking to its section.
  CHECK(occurrences(html, "<tr class=\"scenario ") == run.scenarios.size());
  CHECK(occurrences(html, "<section class=\"scenario ") == run.scenarios.size());
  const char* outcomes[] = {"PASS", "FAIL", "PASS", "SKIPPED", "ERROR"};
  const char* classes[] = {"pass", "fail", "pass", "skipped", "error"};
  std::size_t at = 0;
  for (std::size_t k = 0; k < run.scenarios.size(); ++k) {
    INFO("scenario " << k + 1);
    const auto row = fmt::format("<tr class=\"scenario {}\" data-outcome=\"{}\"><td "
                                 "class=\"num\">{}</td><td><a href=\"#sc-{}\">{}</a>",
                                 classes[k], outcomes[k], k + 1, k + 1, run.scenarios[k].id);
    const auto found = html.find(row, at);
    REQUIRE(found != std::string::npos);
    at = found;
    // The section: one arrow per trace entry, with data-index 0..n-1 in order.
    const auto sec = section(html, fmt::format("sc-{}", k + 1));
    REQUIRE(!sec.empty());
    CHECK(contains(sec, fmt::format("data-outcome=\"{}\"", outcomes[k])));
    const auto& trace = run.scenarios[k].trace;
    CHECK(occurrences(sec, "<details class=\"arrow message ") == trace.size());
    CHECK(occurrences(sec, "<summary>") == trace.size());
    std::size_t pos = 0;
    for (std::size_t i = 0; i < trace.size(); ++i) {
      pos = sec.find(fmt::format("data-index=\"{}\" id=\"sc-{}-m-{}\"", i, k + 1, i + 1), pos);
      CHECK(pos != std::string::npos);
    }
  }
  // The failing scenario's row: 0/1 calls, 2 failed rules, no warned rule, 6 messages.
  CHECK(contains(html,
                 "<td class=\"num\">0/1</td><td class=\"num\">3.250 s</td><td "
                 "class=\"num\">2</td><td class=\"num\">0</td><td class=\"num\">6</td></tr>"));
  // The warning's row: passed, 1 warned rule.
  CHECK(contains(html,
                 "<td class=\"num\">1/1</td><td class=\"num\">6.420 s</td><td "
                 "class=\"num\">0</td><td class=\"num\">1</td><td class=\"num\">5</td></tr>"));

  // The failing scenario's section: the failure, the verdicts, the warnings, the log.
  const auto failed = section(html, "sc-2");
  CHECK(contains(failed,
                 "<h3>Failures</h3>\n<div class=\"failure\"><p>call 1: basic-answer.xml:41: "
                 "expected a BYE, received a message that does not parse</p>"));
  CHECK(occurrences(failed, "<tr class=\"verdict ") == 4);
  CHECK(contains(
      failed, "<tr class=\"verdict fail\" id=\"sc-2-v-3\" data-rule=\"ack-2xx.cseq\"><td>1</td>"
              "<td class=\"rule\">ack-2xx.cseq</td><td><span class=\"badge fail\">FAIL</span></td>"
              "<td>MUST</td><td>RFC 3261 13.2.2.4</td><td>the ACK&#39;s CSeq has the INVITE&#39;s "
              "number and the method ACK</td><td>CSeq 1 ACK</td><td>CSeq 2 ACK</td><td><a "
              "class=\"evidence\" href=\"#sc-2-m-4\">#4</a></td></tr>"));
  CHECK(contains(failed, "<td><span class=\"note\">no offer in the 2xx</span></td><td></td></tr>"));
  CHECK(contains(failed, "<li class=\"scenario-warning\">call 1: resp.to-tag FAIL (RFC 3261 "
                         "8.2.6.2, 12.1.1): expected a To tag, observed none (msg #2) &#8212; <a "
                         "class=\"evidence\" href=\"#sc-2-m-2\">#2</a></li>"));
  CHECK(contains(failed, "<pre class=\"log\">call 1: answered the INVITE with 200\ncall 1: "
                         "&lt;warning&gt; the device did not hang up\n</pre>"));
  // The ladder: one lifeline for sipwright, one for the device; relative times.
  CHECK(contains(failed, "<div class=\"ladder\" data-messages=\"6\" style=\"--cols:var(--tw) "
                         "repeat(4,minmax(0,1fr)) var(--nw);min-width:calc(var(--tw) + var(--nw) + "
                         "26em)\">"));
  CHECK(occurrences(failed, "<div class=\"lifeline agent\"") == 1);
  CHECK(occurrences(failed, "<div class=\"lifeline device\"") == 1);
  CHECK(contains(failed, "<span class=\"time\">0.102<span class=\"n\">#3</span></span>"));
  CHECK(contains(arrow(html, "sc-2", 2), "<span class=\"sub\">UDP to 127.0.0.1:5062 <span "
                                         "class=\"note\">retransmission</span></span>"));
}

TEST_CASE("html: a failing verdict marks the messages it cites") {
  for (bool strict : {false, true}) {
    INFO("strict " << strict);
    auto run = sample_run();
    run.properties.strict = strict;
    const auto html = reports::html_report(run);

    // The device's ACK with the wrong CSeq (#4) and its unparsable message (#5).
    const auto ack = arrow(html, "sc-2", 3);
    CHECK(opening(ack) == "<details class=\"arrow message in failing\" data-index=\"3\" "
                          "id=\"sc-2-m-4\">");
    CHECK(contains(ack, "<span class=\"label\">ACK sip:sipwright@127.0.0.1:5060 SIP/2.0</span>"));
    CHECK(contains(ack, "<span class=\"refs\"><a class=\"rule-ref fail\" href=\"#sc-2-v-3\" "
                        "title=\"the ACK&#39;s CSeq has the INVITE&#39;s number and the method "
                        "ACK\">ack-2xx.cseq <span class=\"section\">RFC 3261 "
                        "13.2.2.4</span></a></span>"));
    CHECK(occurrences(ack, "class=\"rule-ref") == 1);
    const auto bad = arrow(html, "sc-2", 4);
    CHECK(opening(bad) == "<details class=\"arrow message in failing unparsed\" data-index=\"4\" "
                          "id=\"sc-2-m-5\">");
    CHECK(contains(bad, ">msg.grammar <span class=\"section\">RFC 3261 25</span></a>"));
    CHECK(opening(arrow(html, "sc-2", 5)) == "<details class=\"arrow message out not-sent\" "
                                             "data-index=\"5\" id=\"sc-2-m-6\">");
    // The others are not marked (a pass citing a message does not mark it).
    for (std::size_t i : {0, 1, 2, 5}) {
      const auto a = arrow(html, "sc-2", i);
      CHECK(!contains(opening(a), "failing"));
      CHECK(!contains(a, "rule-ref"));
    }
    CHECK(occurrences(html, "<details class=\"arrow message in failing") == (strict ? 3 : 2));
    // A SHOULD-level warning marks its message as a warning, or as failing under --strict.
    const auto cancel = arrow(html, "sc-3", 4);
    CHECK(opening(cancel) ==
          fmt::format("<details class=\"arrow message in {}\" data-index=\"4\" id=\"sc-3-m-5\">",
                      strict ? "failing" : "warning"));
    CHECK(contains(cancel, fmt::format("<a class=\"rule-ref {}\" href=\"#sc-3-v-2\"",
                                       strict ? "fail" : "warn")));
    CHECK(contains(cancel, ">uas-2xx.bye-without-ack <span class=\"section\">RFC 3261 "
                           "13.3.1.4</span></a>"));
    // The verdict table lists failures and warnings first; the rows the ladder links to exist.
    const auto table =
        html.substr(html.find("<table class=\"verdicts\">", html.find("id=\"sc-2\"")));
    CHECK(table.find("<tr class=\"verdict fail\"") < table.find("<tr class=\"verdict pass\""));
    CHECK(contains(html, "<tr class=\"verdict fail\" id=\"sc-2-v-3\" "
                         "data-rule=\"ack-2xx.cseq\">"));
    CHECK(contains(html, strict ? "<td class=\"num\">1/1</td><td class=\"num\">6.420 s</td><td "
                                  "class=\"num\">1</td><td class=\"num\">0</td>"
                                : "<td class=\"num\">1/1</td><td class=\"num\">6.420 s</td><td "
                                  "class=\"num\">0</td><td class=\"num\">1</td>"));
  }
}

TEST_CASE("html: lifelines per sipwright endpoint and per device address") {
  auto run = base_run();
  auto sc = make_scenario("two.xml");
  sc.trace.add(entry(direction::out, "OPTIONS sip:a SIP/2.0\r\n\r\n"));
  auto e = entry(direction::in, "SIP/2.0 200 OK\r\n\r\n", 1250ms);
  e.remote = {"::1", 5070};
  sc.trace.add(e);
  e = entry(direction::out, "OPTIONS sip:b SIP/2.0\r\n\r\n", 1300ms);
  e.local = {"127.0.0.1", 5080};
  e.remote = {"127.0.0.1", 5064}; // the first device address again, another port
  sc.trace.add(e);
  sc.trace.add(entry(direction::in, "", 1400ms));
  sc.calls[0].verdicts = {verdict(rule_id::msg_grammar, outcome::fail, {1, 7}, "x", "y")};
  run.scenarios = {sc};
  const auto html = reports::html_report(run);
  check_clean(html);
  // Lanes: sipwright 127.0.0.1:5060 (grid line 3), 127.0.0.1:5080 (5); device 127.0.0.1 (7),
  // ::1 (9).
  CHECK(occurrences(html, "<div class=\"lifeline agent\"") == 2);
  CHECK(occurrences(html, "<div class=\"lifeline device\"") == 2);
  CHECK(contains(html, "<div class=\"head agent\" style=\"grid-column:2/4\">sipwright<span "
                       "class=\"addr\">127.0.0.1:5060</span></div>"));
  CHECK(contains(html, "<div class=\"head agent\" style=\"grid-column:4/6\">sipwright<span "
                       "class=\"addr\">127.0.0.1:5080</span></div>"));
  CHECK(contains(html, "<div class=\"head device\" style=\"grid-column:6/8\">device<span "
                       "class=\"addr\">127.0.0.1</span></div>"));
  CHECK(contains(html, "<div class=\"head device\" style=\"grid-column:8/10\">device<span "
                       "class=\"addr\">::1</span></div>"));
  CHECK(contains(arrow(html, "sc-1", 0), "<span class=\"span ltr\" style=\"grid-column:3/7\">"));
  const auto second = arrow(html, "sc-1", 1);
  CHECK(contains(second, "<span class=\"time\">1.250<span class=\"n\">#2</span></span><span "
                         "class=\"span rtl\" style=\"grid-column:3/9\">"));
  CHECK(contains(second, "<span class=\"sub\">UDP from [::1]:5070</span>"));
  CHECK(contains(arrow(html, "sc-1", 2), "<span class=\"span ltr\" style=\"grid-column:5/7\">"));
  CHECK(contains(arrow(html, "sc-1", 2), "UDP to 127.0.0.1:5064"));
  CHECK(contains(arrow(html, "sc-1", 3), "<span class=\"label\">(no bytes)</span>"));
  // Evidence outside the trace is named, not linked.
  CHECK(contains(html, "<a class=\"evidence\" href=\"#sc-1-m-2\">#2</a> <span class=\"evidence "
                       "missing\">#8 (not in the trace)</span>"));
}

TEST_CASE("html: skipped and interrupted scenarios") {
  auto run = sample_run();
  auto html = reports::html_report(run);
  const auto skipped = section(html, "sc-4");
  CHECK(contains(html, "<span class=\"badge skipped\">SKIPPED</span> <span class=\"why\">the "
                       "device profile lacks the capability alt-service</span></td><td "
                       "class=\"num\">&#8212;</td>"));
  CHECK(contains(skipped, "<p class=\"notice skipped\">Skipped: the device profile lacks the "
                          "capability alt-service</p>"));
  CHECK(contains(skipped, "<p class=\"empty\">no messages</p>"));
  CHECK(!contains(skipped, "<details"));
  CHECK(!contains(skipped, "Verdicts"));

  const auto cut = section(html, "sc-5");
  CHECK(contains(html, "<span class=\"badge error\">ERROR</span> <span "
                       "class=\"why\">interrupted</span>"));
  CHECK(contains(cut, "<p class=\"notice error\">Interrupted by SIGTERM (signal 15) while this "
                      "scenario was playing: what it recorded is below.</p>"));
  CHECK(occurrences(cut, "<details class=\"arrow message ") == 2);
  CHECK(contains(html, "<p class=\"interrupted\" id=\"interrupted\">Interrupted by SIGTERM "
                       "(signal 15) during "
                       "/usr/share/sipwright/scenarios/device-callee/cancel.xml: the scenarios "
                       "not played by then are skipped.</p>"));

  // Interrupted before the scenario recorded anything: a row and a section of its own.
  run.scenarios.pop_back();
  run.interrupted_scenario = "scenarios/device-caller/late.xml";
  html = reports::html_report(run);
  CHECK(occurrences(html, "<tr class=\"scenario ") == 5);
  CHECK(contains(html, "<tr class=\"scenario error\" data-outcome=\"ERROR\"><td "
                       "class=\"num\">5</td><td><a "
                       "href=\"#sc-5\">scenarios/device-caller/late.xml</a></td>"));
  CHECK(contains(section(html, "sc-5"), "Interrupted by a signal before this scenario recorded "
                                        "anything."));
  CHECK(contains(html, "<span class=\"passed\">2 passed</span>, <span class=\"failed\">2 "
                       "failed</span>, <span class=\"skipped\">1 skipped</span>"));
  // A run that was not interrupted says nothing of it.
  run.interrupted = false;
  html = reports::html_report(run);
  CHECK(!contains(html, "id=\"interrupted\""));
  CHECK(occurrences(html, "<tr class=\"scenario ") == 4);
}

TEST_CASE("html: an empty run") {
  const auto html = reports::html_report(base_run());
  check_clean(html);
  CHECK(occurrences(html, "<tr class=\"scenario ") == 0);
  CHECK(occurrences(html, "<section") == 0);
  CHECK(contains(html, "<tr class=\"empty\"><td colspan=\"9\">no scenario was run</td></tr>"));
  CHECK(contains(html, "<span class=\"passed\">0 passed</span>, <span class=\"failed\">0 "
                       "failed</span>, <span class=\"skipped\">0 skipped</span>"));
  CHECK(html.substr(html.size() - 8) == "</html>\n");
}

TEST_CASE("html: a big trace stays linear") {
  const auto make = [](std::size_t n) {
    auto run = base_run();
    auto sc = make_scenario("big.xml");
    std::vector<std::size_t> every;
    for (std::size_t i = 0; i < n; ++i) {
      sc.trace.add(entry(i % 2 ? direction::in : direction::out,
                         sip(i % 2 ? "SIP/2.0 200 OK" : "OPTIONS sip:x@127.0.0.1 SIP/2.0",
                             fmt::format("CSeq: {} OPTIONS", i)),
                         std::chrono::milliseconds(i)));
      every.push_back(i);
    }
    // One verdict citing every message, and one verdict per message.
    sc.calls[0].verdicts.push_back(verdict(rule_id::msg_grammar, outcome::fail, every, "a", "b"));
    for (std::size_t i = 0; i < n; ++i)
      sc.calls[0].verdicts.push_back(verdict(rule_id::resp_to_tag, outcome::warn, {i}, "a", "b"));
    run.scenarios = {sc};
    return run;
  };
  const auto t0 = std::chrono::steady_clock::now();
  const auto small = reports::html_report(make(10000));
  const auto t1 = std::chrono::steady_clock::now();
  const auto large = reports::html_report(make(20000));
  const auto t2 = std::chrono::steady_clock::now();
  CHECK(occurrences(small, "<details class=\"arrow message ") == 10000);
  CHECK(occurrences(large, "<details class=\"arrow message ") == 20000);
  CHECK(occurrences(small, "class=\"rule-ref") == 20000);
  // A big ladder only renders what is near the viewport.
  CHECK(contains(small, "<div class=\"ladder big\" data-messages=\"10000\" "));
  // Bounded per message (the message is ~60 bytes, its row and verdicts well under 2 KB).
  CHECK(small.size() < 10000 * 2000);
  const double ratio = double(large.size()) / double(small.size());
  CHECK(ratio > 1.9);
  CHECK(ratio < 2.1);
  INFO("10000 messages: " << std::chrono::duration<double>(t1 - t0).count() << " s, 20000: "
                          << std::chrono::duration<double>(t2 - t1).count() << " s");
  CHECK(t2 - t1 < 10s);
}

TEST_CASE("html: written atomically") {
  const auto dir = temp_dir("html-test");
  const auto file = dir / "report.html";
  {
    std::ofstream old(file);
    old << "the previous report";
  }
  const auto run = sample_run();
  reports::write_html(run, file);
  CHECK(slurp(file) == reports::html_report(run));
  const auto names = [&] {
    std::vector<std::string> n;
    for (const auto& e : fs::directory_iterator(dir)) n.push_back(e.path().filename().string());
    return n;
  };
  CHECK(names() == std::vector<std::string>{"report.html"});

  CHECK_THROWS_WITH(reports::write_html(run, dir / "missing" / "report.html"),
                    Catch::Contains("cannot write HTML report") &&
                        Catch::Contains("No such file or directory"));
  CHECK_THROWS_WITH(reports::write_html(run, dir), Catch::Contains("cannot write HTML report") &&
                                                       Catch::Contains("it is a directory"));
  CHECK_THROWS_WITH(reports::write_html(run, file / "x.html"), Catch::Contains("Not a directory"));
  CHECK(slurp(file) == reports::html_report(run));
  CHECK(names() == std::vector<std::string>{"report.html"});
  fs::remove_all(dir);
}

TEST_CASE("html: a scenario with agents names them, escaped, in its row and by each call") {
  auto run = base_run();
  auto sc = make_scenario("agents.xml", 2);
  sc.calls[0].agent = "bob";
  sc.calls[1].agent = "<al&ce>";
  sc.calls[1].call_number = 2;
  sc.calls[1].verdicts = {verdict(rule_id::msg_grammar, outcome::pass, {}, "", "")};
  run.scenarios = {sc};
  const auto html = reports::html_report(run);
  check_clean(html);
  CHECK(contains(html, "<td>agents bob, &lt;al&amp;ce&gt;</td>"));
  CHECK(contains(html, "sipwright plays the agents bob, &lt;al&amp;ce&gt;"));
  CHECK(contains(html, "<td>2 (&lt;al&amp;ce&gt;)</td><td class=\"rule\">msg.grammar</td>"));
  CHECK(!contains(html, "<al&ce>"));
}
