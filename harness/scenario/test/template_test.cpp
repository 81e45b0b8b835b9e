// Message templates as SIPp reads them: trimming, head/body split, keywords and literal brackets.
#include "support.hpp"

#include <catch2/catch.hpp>

using namespace scenario_test;

namespace {

sc::message_template tmpl(std::string_view text) {
  auto s = load(wrap("<send><![CDATA[" + std::string(text) + "]]></send>\n"));
  return s.steps.at(0).msg;
}

// Pieces as text: literals quoted, keywords in a canonical bracket form.
std::string describe(const sc::template_line& line) {
  using id = sc::keyword_id;
  std::string out;
  for (const auto& p : line.pieces) {
    if (!p.is_keyword) {
      out += "'" + p.text + "'";
      continue;
    }
    switch (p.kw.id) {
    case id::last_header:
      out += "[last:" + p.kw.arg + "]";
      break;
    case id::variable:
      out += "[$" + p.kw.arg + "]";
      break;
    case id::cseq:
      out += "[cseq" + std::to_string(p.kw.offset) + "]";
      break;
    case id::branch:
      out += "[branch" + std::to_string(p.kw.offset) + "]";
      break;
    default:
      out += "[#" + std::to_string(static_cast<int>(p.kw.id)) + "]";
      break;
    }
  }
  return out;
}

std::string describe_line(std::string_view header) {
  auto m = tmpl("\nOPTIONS sip:a@b SIP/2.0\n" + std::string(header) + "\n");
  REQUIRE(m.head.size() == 2);
  return describe(m.head[1]);
}

} // namespace

TEST_CASE("template lines are trimmed and split at the first empty line", "[scenario][template]") {
  auto m = tmpl("\n \t\n  OPTIONS sip:a@b SIP/2.0 \r\n\tVia: x\t\n \r\n  v=0 \n\n  a=x\n \n\t\n");
  REQUIRE(m.head.size() == 2);
  CHECK(describe(m.head[0]) == "'OPTIONS sip:a@b SIP/2.0'");
  CHECK(m.head[0].line == 4);
  CHECK(describe(m.head[1]) == "'Via: x'");
  CHECK(m.has_body_separator);
  REQUIRE(m.body.size() == 3); // an empty line inside the body stays; trailing ones go
  CHECK(describe(m.body[0]) == "'v=0'");
  CHECK(m.body[1].pieces.empty());
  CHECK(describe(m.body[2]) == "'a=x'");
  CHECK(m.body[2].line == 9);
}

TEST_CASE("a template without an empty line has no body separator", "[scenario][template]") {
  auto m = tmpl("OPTIONS sip:a@b SIP/2.0\nVia: x");
  CHECK(m.head.size() == 2);
  CHECK_FALSE(m.has_body_separator);
  CHECK(m.body.empty());
  auto n = tmpl("OPTIONS sip:a@b SIP/2.0\nVia: x\n\n\n");
  CHECK(n.has_body_separator);
  CHECK(n.body.empty());
}

TEST_CASE("a plain-text <send> works as well as CDATA", "[scenario][template]") {
  auto s = load(wrap("<send>\n  OPTIONS sip:a@b SIP/2.0\n  Via: &lt;x&gt;\n</send>\n"));
  const auto& m = s.steps[0].msg;
  REQUIRE(m.head.size() == 2);
  CHECK(m.head[0].line == 3);
  CHECK(describe(m.head[1]) == "'Via: <x>'");
}

TEST_CASE("keywords are parsed with their arguments", "[scenario][template]") {
  struct row {
    const char* line;
    const char* pieces;
  };
  const row rows[] = {
      {"Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]",
       "'Via: SIP/2.0/'[#6]' '[#3]':'[#5]';branch='[branch0]"},
      {"CSeq: [cseq] INVITE", "'CSeq: '[cseq0]' INVITE'"},
      {"CSeq: [cseq+1] BYE", "'CSeq: '[cseq1]' BYE'"},
      {"CSeq: [cseq-2] ACK", "'CSeq: '[cseq-2]' ACK'"},
      {"Via: SIP/2.0/UDP h;branch=[branch-1]", "'Via: SIP/2.0/UDP h;branch='[branch-1]"},
      {"[last_Via:]", "[last:Via]"},
      {"[last_Via]", "[last:Via]"},
      {"[last_Record-Route:]", "[last:Record-Route]"},
      {"[last_To:];tag=[pid]x", "[last:To]';tag='[#14]'x'"},
      {"[routes]", "[#18]"},
      {"X: [$1][$name_2]", "'X: '[$1][$name_2]"},
      {"Route: <[next_url]>", "'Route: <'[#19]'>'"},
      {"To: <sip:b@c>[peer_tag_param]", "'To: <sip:b@c>'[#16]"},
      {"Content-Length: [len]", "'Content-Length: '[#15]"},
      // brackets that are not keywords stay text
      {"Contact: <sip:a@[2001:db8::1]:5060>", "'Contact: <sip:a@[2001:db8::1]:5060>'"},
      {"Contact: <sip:a@[::1]>", "'Contact: <sip:a@[::1]>'"},
      {"Contact: <sip:a@[fe80::1]>", "'Contact: <sip:a@[fe80::1]>'"},
      {"X: [a b] [x.y] [] [1x] a]b [", "'X: [a b] [x.y] [] [1x] a]b ['"},
      {"X: [[service]]", "'X: ['[#0]']'"},
  };
  for (const auto& r : rows) {
    INFO(r.line);
    CHECK(describe_line(r.line) == r.pieces);
  }
}

TEST_CASE("start lines and header lines that are accepted", "[scenario][template]") {
  const char* ok[] = {
      "INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0\nVia: x",
      "SIP/2.0 [$code] Whatever\n[last_Via:]",
      "[$method] sip:a@b SIP/2.0\n[$whole_header]",
      "INVITE [$uri] SIP/2.0\n[routes]\nVia : spaced colon",
      "ACK [next_url] SIP/2.0\nv: compact",
      "SIP/2.0 200 OK",
      "MESSAGE sip:a@[::1] SIP/2.0\nX-Custom.Header!: y",
  };
  for (const char* t : ok) {
    INFO(t);
    CHECK_NOTHROW(tmpl(t));
  }
}

TEST_CASE("SIPp's bracket keywords that sipwright lacks are named", "[scenario][template]") {
  CHECK(error_of(wrap("<send><![CDATA[\nOPTIONS sip:a@b SIP/2.0\nX: [last_Request_URI]\n]]>"
                      "</send>\n")) ==
        "t.xml:4:4: error: keyword [last_Request_URI] is a SIPp feature not supported by "
        "sipwright");
  CHECK(error_of(wrap("<send><![CDATA[\nOPTIONS sip:a@b SIP/2.0\nX: [field12]\n]]></send>\n")) ==
        "t.xml:4:4: error: keyword [field12] is a SIPp feature not supported by sipwright");
}

TEST_CASE("log messages are parsed into pieces", "[scenario][template]") {
  auto s = load(wrap(std::string(ok_send) +
                     "<nop><action><log message=\"got [$x] from [remote_ip]\"/></action></nop>\n"));
  const auto& a = s.steps[1].actions.at(0);
  CHECK(a.what == sc::action::kind::log);
  CHECK(describe(a.message) == "'got '[$x]' from '[#1]");
  CHECK(s.variables == std::vector<std::string>{"x"});
}
