// Bad scenarios: each is refused with FILE:LINE:COL and what was expected (DESIGN.md section 3).
#include "support.hpp"

#include <catch2/catch.hpp>

using namespace scenario_test;

namespace {
struct row {
  const char* what;
  std::string xml;
  std::string error;
};

std::string send_of(std::string_view tmpl) {
  return "<send><![CDATA[\n" + std::string(tmpl) + "]]></send>\n";
}
} // namespace

TEST_CASE("bad scenarios are refused with position and expectation", "[scenario][errors]") {
  const std::string ok(ok_send);
  const row rows[] = {
      // XML
      {"empty file", "", "t.xml:1:1: error: malformed XML: no <scenario> element"},
      {"unclosed element", "<scenario name=\"t\">\n" + ok,
       "t.xml:5:11: error: malformed XML: the file ends before every element is closed"},
      {"mismatched end tag", wrap(ok + "<pause></paus>\n"),
       "t.xml:6:10: error: malformed XML: end tag does not match the open element, or an "
       "element is not closed"},
      {"bad attribute syntax", wrap("<pause milliseconds=10/>\n"),
       "t.xml:2:21: error: malformed XML: bad attribute (expected name=\"value\")"},
      {"unterminated CDATA", wrap("<send><![CDATA[\nOPTIONS sip:a@b SIP/2.0\n"),
       "t.xml:2:7: error: malformed XML: unterminated <![CDATA[ section"},
      {"wrong root", "<scenarios/>\n",
       "t.xml:1:1: error: the root element is <scenarios>, expected <scenario>"},
      {"second root", wrap(ok) + "<scenario/>\n",
       "t.xml:7:1: error: a second root element <scenario> after </scenario>"},
      {"UTF-16 file", std::string("\xff\xfe<\0s\0", 6),
       "t.xml:1:1: error: the file is UTF-16 or UTF-32: save it as UTF-8 or ISO-8859-1"},
      // elements and attributes
      {"unknown element", wrap(ok + "  <sned/>\n"),
       "t.xml:6:3: error: unknown element <sned> (expected send, recv, pause, nop, label, "
       "timewait, ResponseTimeRepartition, CallLengthRepartition, Global, User, Reference, "
       "metadata or agent)"},
      {"3PCC element outside an agent", wrap(ok + "<sendCmd/>\n"),
       "t.xml:6:1: error: <sendCmd> passes commands between agents: it belongs in an <agent>"},
      {"steps and agents mixed", wrap(ok + "<agent name=\"a\">" + ok + "</agent>\n"),
       "t.xml:6:1: error: <agent> after steps: a scenario with agents has its steps in them"},
      {"steps after agents",
       "<scenario name=\"t\">\n<agent name=\"a\">\n" + ok + "</agent>\n<pause/>\n</scenario>\n",
       "t.xml:8:1: error: <pause> after <agent>: a scenario with agents has its steps in them"},
      {"agent without a name", "<scenario name=\"t\">\n<agent>\n" + ok + "</agent>\n</scenario>\n",
       "t.xml:2:1: error: <agent> needs the attribute 'name'"},
      {"two agents of one name",
       "<scenario name=\"t\">\n<agent name=\"a\">\n" + ok + "</agent>\n<agent name=\"a\">\n" + ok +
           "</agent>\n</scenario>\n",
       "t.xml:8:8: error: a second <agent name=\"a\"> (first at line 2)"},
      {"command to no agent",
       "<scenario name=\"t\">\n<agent name=\"a\">\n" + ok +
           "<sendCmd dest=\"b\"><![CDATA[X: 1]]></sendCmd>\n</agent>\n</scenario>\n",
       "t.xml:7:1: error: dest=\"b\" names no <agent> of the scenario"},
      {"command that is not header lines",
       "<scenario name=\"t\">\n<agent name=\"a\">\n" + ok +
           "<sendCmd dest=\"b\"><![CDATA[just text]]></sendCmd>\n</agent>\n</scenario>\n",
       "t.xml:7:1: error: a <sendCmd> line is a header field: Name: value"},
      {"text in scenario", wrap(ok + "hello\n"),
       "t.xml:6:1: error: unexpected text in <scenario> (expected send, recv, pause, nop, "
       "label, timewait, ResponseTimeRepartition, CallLengthRepartition, Global, User, "
       "Reference, metadata or agent)"},
      {"unknown scenario attribute", "<scenario nmae=\"x\">\n" + ok + "</scenario>\n",
       "t.xml:1:11: error: unknown attribute 'nmae' on <scenario> (expected name)"},
      {"unknown attribute", wrap(ok + "<recv response=\"200\" optinal=\"true\"/>\n"),
       "t.xml:6:22: error: unknown attribute 'optinal' on <recv> (expected request, response, "
       "optional, timeout, ontimeout, next, test, chance, rrs, auth, regexp_match, "
       "response_txn, lost, crlf, start_rtd, rtd, repeat_rtd, counter, hide, display or "
       "timeout_t1)"},
      {"duplicate attribute", wrap(ok + "<pause milliseconds=\"1\" milliseconds=\"2\"/>\n"),
       "t.xml:6:25: error: duplicate attribute 'milliseconds' on <pause>"},
      {"pause distribution", wrap(ok + "<pause distribution=\"uniform\" min=\"1\"/>\n"),
       "t.xml:6:8: error: attribute 'distribution' on <pause> is not supported by sipwright"},
      {"bad number", wrap("<send retrans=\"5OO\"><![CDATA[\nOPTIONS sip:a@b SIP/2.0\n]]></send>\n"),
       "t.xml:2:7: error: bad value '5OO' for attribute 'retrans' (expected a whole number of "
       "milliseconds, up to a day)"},
      {"bad pause unit", wrap(ok + "<pause milliseconds=\"3 days\"/>\n"),
       "t.xml:6:8: error: bad value '3 days' for attribute 'milliseconds' (expected "
       "milliseconds, up to a day, optionally with a unit ms, s, m or h)"},
      {"bad boolean", wrap(ok + "<recv response=\"200\" rrs=\"yes\"/>\n"),
       "t.xml:6:22: error: bad value 'yes' for attribute 'rrs' (expected true or false)"},
      {"bad optional", wrap(ok + "<recv response=\"200\" optional=\"maybe\"/>\n"),
       "t.xml:6:22: error: bad value 'maybe' for attribute 'optional' (expected true, false or "
       "global)"},
      {"chance above 1", wrap(ok + "<nop chance=\"1.5\"/>\n"),
       "t.xml:6:6: error: bad value '1.5' for attribute 'chance' (expected a probability from 0 "
       "to 1)"},
      {"lost above 100",
       wrap("<send lost=\"101\">" +
            std::string("<![CDATA[\nOPTIONS sip:a@b SIP/2.0\n]]></send>\n")),
       "t.xml:2:7: error: bad value '101' for attribute 'lost' (expected a percentage from 0 to "
       "100)"},
      {"SIPp-only attribute", wrap(ok + "<recv response=\"200\" condexec=\"x\"/>\n"),
       "t.xml:6:22: error: attribute 'condexec' on <recv> is not supported by sipwright"},
      {"recv with both", wrap(ok + "<recv request=\"BYE\" response=\"200\"/>\n"),
       "t.xml:6:21: error: <recv> takes 'request' or 'response', not both"},
      {"recv with neither", wrap(ok + "<recv optional=\"true\"/>\n"),
       "t.xml:6:1: error: <recv> needs the attribute 'request' or 'response'"},
      {"response out of range", wrap(ok + "<recv response=\"700\"/>\n"),
       "t.xml:6:7: error: bad value '700' for attribute 'response' (expected a status code from "
       "100 to 699)"},
      {"response not 3 digits", wrap(ok + "<recv response=\"2000\"/>\n"),
       "t.xml:6:7: error: bad value '2000' for attribute 'response' (expected a status code from "
       "100 to 699)"},
      {"request not a token", wrap(ok + "<recv request=\"IN VITE\"/>\n"),
       "t.xml:6:7: error: bad value 'IN VITE' for attribute 'request' (expected a method name "
       "(RFC 3261 25.1 token))"},
      {"text in recv", wrap(ok + "<recv request=\"BYE\">oops</recv>\n"),
       "t.xml:6:21: error: <recv> takes no text (expected action)"},
      {"element in send", wrap("<send><foo/><![CDATA[\nOPTIONS sip:a@b SIP/2.0\n]]></send>\n"),
       "t.xml:2:7: error: unknown element <foo> in <send> (expected action)"},
      {"send without template", wrap("<send retrans=\"500\"/>\n"),
       "t.xml:2:1: error: <send> needs a message template (a CDATA section)"},
      {"empty template", wrap("<send><![CDATA[\n   \n\n]]></send>\n"),
       "t.xml:2:16: error: empty message template"},
      {"label without id", wrap(ok + "<label/>\n"),
       "t.xml:6:1: error: <label> needs the attribute 'id'"},
      // flow
      {"missing label", wrap(ok + "<recv response=\"200\" next=\"end\"/>\n"),
       "t.xml:6:22: error: jump to label 'end', but there is no <label id=\"end\">"},
      {"missing ontimeout label",
       wrap(ok + "<recv response=\"200\" timeout=\"1s\" ontimeout=\"x\"/>\n"),
       "t.xml:6:35: error: jump to label 'x', but there is no <label id=\"x\">"},
      {"duplicate label", wrap(ok + "<label id=\"a\"/>\n<label id=\"a\"/>\n"),
       "t.xml:7:8: error: duplicate label 'a' (first defined at line 6)"},
      {"test never assigned", wrap(ok + "<nop test=\"flag\"/>\n"),
       "t.xml:6:6: error: test on variable 'flag', which nothing assigns"},
      {"no messages", wrap("<pause/>\n<label id=\"1\"/>\n"),
       "t.xml:1:1: error: the scenario has no <send> or <recv>"},
      // templates
      {"unknown keyword",
       wrap(send_of("OPTIONS sip:a@b SIP/2.0\n  Via: SIP/2.0/UDP [local_ipp]\n")),
       "t.xml:4:20: error: unknown keyword [local_ipp] (expected [service], [remote_ip], "
       "[remote_port], [local_ip], [local_ip_type], [local_port], [transport], [media_ip], "
       "[media_ip_type], [media_port], [call_id], [call_number], [cseq], [cseq+N], [cseq-N], "
       "[branch], [branch-N], [pid], [len], [peer_tag_param], [last_<Header>:], [routes], "
       "[next_url], [authentication], [challenge] or [$variable])"},
      {"SIPp-only keyword", wrap(send_of("OPTIONS sip:a@b SIP/2.0\n[clock_tick]\n")),
       "t.xml:4:1: error: keyword [clock_tick] is a SIPp feature not supported by sipwright"},
      {"credentials in a scenario",
       wrap(send_of("OPTIONS sip:a@b SIP/2.0\n[authentication username=a password=b]\n")),
       "t.xml:4:1: error: [authentication] takes no arguments in sipwright: the credentials come "
       "from the device profile's [auth] or from SIPWRIGHT_AUTH_USER and SIPWRIGHT_AUTH_PASSWORD, "
       "never from the scenario"},
      {"SIPp-only keyword with arguments", wrap(send_of("OPTIONS sip:[field0 line=1]@b SIP/2.0\n")),
       "t.xml:3:13: error: keyword [field0 ...] is a SIPp feature not supported by sipwright"},
      {"bad variable name", wrap(send_of("OPTIONS sip:a@b SIP/2.0\nX: [$a b]\n")),
       "t.xml:4:4: error: bad variable name in [$a b] (expected letters, digits, '_', '-' or '.')"},
      {"unclosed variable", wrap(send_of("OPTIONS sip:a@b SIP/2.0\nX: [$ab\n")),
       "t.xml:4:4: error: keyword [$ab... has no closing ']'"},
      {"bad last_ header", wrap(send_of("OPTIONS sip:a@b SIP/2.0\n[last_]\n")),
       "t.xml:4:1: error: bad header name in [last_] (expected [last_<Header>:])"},
      {"template not SIP", wrap(send_of("Hello world\nVia: x\n")),
       "t.xml:3:1: error: message template is not a SIP message: the first line must be a "
       "Request-Line or a Status-Line (expected Method SP Request-URI SP SIP-Version)"},
      {"bad status code", wrap(send_of("   SIP/2.0 20 OK\n")),
       "t.xml:3:4: error: message template is not a SIP message: the first line must be a "
       "Request-Line or a Status-Line (the status code must be exactly 3 digits, saw 20)"},
      {"header without colon",
       wrap(send_of("OPTIONS sip:a@b SIP/2.0\nVia: x\n\tMax-Forwards 70\n")),
       "t.xml:5:2: error: message template line is not a header field: expected 'Name: value', "
       "[last_<Header>:], [routes], [authentication] or [challenge], saw 'Max-Forwards 70'"},
      // actions
      {"bad regexp",
       wrap(ok + "<recv response=\"200\"><action><ereg regexp=\"a(b\" "
                 "assign_to=\"x\"/></action></recv>\n"),
       "t.xml:6:36: error: bad regular expression 'a(b' (POSIX extended): unmatched ( or )"},
      {"bad request regexp", wrap(ok + "<recv request=\"[abc\" regexp_match=\"true\"/>\n"),
       "t.xml:6:7: error: bad regular expression '[abc' (POSIX extended): unmatched [ or [^"},
      {"huge regexp",
       wrap(ok + "<nop><action><ereg regexp=\"" + std::string(5000, '(') + "\"/></action></nop>\n"),
       "t.xml:6:20: error: bad value '" + std::string(5000, '(') +
           "' for attribute 'regexp' (expected a regular expression of at most 4096 characters)"},
      {"unknown action", wrap(ok + "<nop><action><eregg/></action></nop>\n"),
       "t.xml:6:14: error: unknown action <eregg> (expected ereg, assign, add, subtract, "
       "multiply, divide, test, strcmp, log, warning or exec)"},
      {"SIPp-only action", wrap(ok + "<nop><action><jump value=\"1\"/></action></nop>\n"),
       "t.xml:6:14: error: action <jump> is a SIPp feature not supported by sipwright"},
      {"ereg without regexp", wrap(ok + "<nop><action><ereg assign_to=\"x\"/></action></nop>\n"),
       "t.xml:6:14: error: <ereg> needs the attribute 'regexp'"},
      {"ereg hdr without header",
       wrap(ok + "<nop><action><ereg regexp=\"x\" search_in=\"hdr\"/></action></nop>\n"),
       "t.xml:6:14: error: <ereg> needs the attribute 'header'"},
      {"bad search_in",
       wrap(ok + "<nop><action><ereg regexp=\"x\" search_in=\"all\"/></action></nop>\n"),
       "t.xml:6:31: error: bad value 'all' for attribute 'search_in' (expected msg, hdr, body or "
       "var)"},
      {"bad compare",
       wrap(ok + "<nop><action><test assign_to=\"r\" variable=\"v\" compare=\"eq\" "
                 "value=\"1\"/></action></nop>\n"),
       "t.xml:6:47: error: bad value 'eq' for attribute 'compare' (expected equal, not_equal, "
       "greater_than, less_than, greater_than_equal or less_than_equal)"},
      {"assign with both sources",
       wrap(ok +
            "<nop><action><assign assign_to=\"a\" value=\"1\" variable=\"b\"/></action></nop>\n"),
       "t.xml:6:46: error: <assign> takes 'value' or 'variable', not both"},
      {"divide by zero",
       wrap(ok + "<nop><action><divide assign_to=\"a\" value=\"0\"/></action></nop>\n"),
       "t.xml:6:36: error: bad value '0' for attribute 'value' (expected a number other than 0: "
       "division by zero)"},
      {"bad int_cmd", wrap(ok + "<nop><action><exec int_cmd=\"stop\"/></action></nop>\n"),
       "t.xml:6:20: error: bad value 'stop' for attribute 'int_cmd' (expected stop_call, "
       "stop_now or stop_gracefully)"},
      {"exec rtp_stream", wrap(ok + "<nop><action><exec rtp_stream=\"x.wav\"/></action></nop>\n"),
       "t.xml:6:20: error: attribute 'rtp_stream' on <exec> is not supported by sipwright"},
      {"unknown keyword in log",
       wrap(ok + "<nop><action><log message=\"at [tme]\"/></action></nop>\n"),
       "t.xml:6:31: error: unknown keyword [tme] (expected [service], [remote_ip], "
       "[remote_port], [local_ip], [local_ip_type], [local_port], [transport], [media_ip], "
       "[media_ip_type], [media_port], [call_id], [call_number], [cseq], [cseq+N], [cseq-N], "
       "[branch], [branch-N], [pid], [len], [peer_tag_param], [last_<Header>:], [routes], "
       "[next_url], [authentication], [challenge] or [$variable])"},
  };
  for (const auto& r : rows) {
    INFO(r.what);
    CHECK(error_of(r.xml) == r.error);
  }
}

TEST_CASE("a load_error keeps its position and text apart", "[scenario][errors]") {
  try {
    load(wrap(std::string(ok_send) + "  <sned/>\n"));
    FAIL("loaded");
  } catch (const sc::load_error& e) {
    CHECK(e.pos().file == "t.xml");
    CHECK(e.pos().line == 6);
    CHECK(e.pos().column == 3);
    CHECK(e.text().rfind("unknown element <sned>", 0) == 0);
  }
}

TEST_CASE("an unreadable file is an error without a line", "[scenario][errors]") {
  CHECK_THROWS_WITH(sc::load_file("/nonexistent/x.xml"),
                    "/nonexistent/x.xml: error: cannot read the file: No such file or directory");
}
