// render(): byte-exact messages from templates (CRLF, dropped lines, [len] in octets).
#include "support.hpp"

#include <catch2/catch.hpp>

using namespace scenario_test;

namespace {

std::string render_of(std::string_view text, const fake_source& src = {}) {
  auto s = load(wrap("<send><![CDATA[" + std::string(text) + "]]></send>\n"));
  return sc::render(s.steps.at(0).msg, src);
}

} // namespace

TEST_CASE("render joins head lines with CRLF and ends the head with an empty line",
          "[scenario][render][rfc3261]") {
  struct row {
    const char* what;
    const char* tmpl;
    const char* bytes;
  };
  const row rows[] = {
      {"body-less, no separator", "\n  OPTIONS sip:a@b SIP/2.0\n  Via: x\n  Content-Length: 0",
       "OPTIONS sip:a@b SIP/2.0\r\nVia: x\r\nContent-Length: 0\r\n\r\n"},
      {"body-less, separator and trailing blank lines",
       "\nOPTIONS sip:a@b SIP/2.0\nContent-Length: [len]\n\n  \n\t\n",
       "OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 0\r\n\r\n"},
      {"trimmed lines, CR removed", "\r\n  SIP/2.0 200 OK \r\n\t CSeq: 1 BYE\t\r\n",
       "SIP/2.0 200 OK\r\nCSeq: 1 BYE\r\n\r\n"},
      {"body lines each end with CRLF, [len] counts them",
       "\nINVITE sip:a@b SIP/2.0\nContent-Length: [len]\n\nv=0\ns=-\n\n",
       "INVITE sip:a@b SIP/2.0\r\nContent-Length: 10\r\n\r\nv=0\r\ns=-\r\n"},
      {"an empty line inside the body is kept",
       "\nMESSAGE sip:a@b SIP/2.0\nContent-Length: [len]\n\na\n\nb\n",
       "MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 8\r\n\r\na\r\n\r\nb\r\n"},
      {"[len] counts bytes, not characters (UTF-8 body)",
       "\nMESSAGE sip:a@b SIP/2.0\nContent-Length: [len]\n\n\xc3\xa9t\xc3\xa9 \xe2\x82\xac\n",
       "MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 11\r\n\r\n\xc3\xa9t\xc3\xa9 \xe2\x82\xac\r\n"},
      {"a line of keywords that expand to nothing is dropped",
       "\nSIP/2.0 200 OK\n[last_Via:]\n[routes]\nCSeq: 1 BYE\n",
       "SIP/2.0 200 OK\r\nCSeq: 1 BYE\r\n\r\n"},
      {"a missing [last_X:] drops the rest of its line",
       "\nSIP/2.0 200 OK\n[last_To:];tag=[pid]\nX: a[last_Y:]b\n",
       "SIP/2.0 200 OK\r\nX: a\r\n\r\n"},
      {"keywords expand in head and body",
       "\nBYE sip:[service]@[remote_ip]:[remote_port] SIP/2.0\n"
       "Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch-1]\n"
       "CSeq: [cseq+1] BYE\nContent-Length: [len]\n\nc=IN IP[media_ip_type] [media_ip]\n",
       "BYE sip:service@192.0.2.10:5070 SIP/2.0\r\n"
       "Via: SIP/2.0/UDP 192.0.2.20:5080;branch=z9hG4bK--1\r\n"
       "CSeq: 11 BYE\r\nContent-Length: 21\r\n\r\nc=IN IP4 192.0.2.30\r\n"},
  };
  for (const auto& r : rows) {
    INFO(r.what);
    CHECK(render_of(r.tmpl) == r.bytes);
  }
}

TEST_CASE("[last_Header:] and [routes] expansions are used as given", "[scenario][render]") {
  fake_source src;
  src.headers["Via"] = "Via: SIP/2.0/UDP a;branch=z9hG4bK1\r\nVia: SIP/2.0/UDP b;branch=z9hG4bK2";
  src.headers["To"] = "To: <sip:b@c>";
  src.routes = "Route: <sip:p1;lr>";
  CHECK(render_of("\nSIP/2.0 180 Ringing\n[last_Via:]\n[last_To:];tag=[pid]x\n[routes]\n", src) ==
        "SIP/2.0 180 Ringing\r\n"
        "Via: SIP/2.0/UDP a;branch=z9hG4bK1\r\nVia: SIP/2.0/UDP b;branch=z9hG4bK2\r\n"
        "To: <sip:b@c>;tag=42x\r\n"
        "Route: <sip:p1;lr>\r\n\r\n");
}

TEST_CASE("[len] inside the body counts its own digits", "[scenario][render]") {
  // body "n=[len]" + CRLF: "n=" 2 + digits + 2 = 5 with one digit.
  CHECK(render_of("\nMESSAGE sip:a@b SIP/2.0\nContent-Length: [len]\n\nn=[len]\n") ==
        "MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 5\r\n\r\nn=5\r\n");
  // 7 + 2 bytes around the digits: one digit gives 10, which has two digits: 11 holds.
  CHECK(render_of("\nMESSAGE sip:a@b SIP/2.0\nContent-Length: [len]\n\n1234567[len]\n") ==
        "MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 11\r\n\r\n123456711\r\n");
}

TEST_CASE("the engine is never asked for [len]", "[scenario][render]") {
  const auto bytes = render_of("\nMESSAGE sip:a@b SIP/2.0\nContent-Length: [len]\n\nx\n");
  CHECK(bytes.find("LEN-ASKED") == std::string::npos);
}

TEST_CASE("render_line expands a log message, [len] to nothing", "[scenario][render]") {
  auto s =
      load(wrap(std::string(ok_send) +
                "<nop><action><log message=\"call [call_id] [len]v=[$v]\"/></action></nop>\n"));
  fake_source src;
  src.vars["v"] = "7";
  CHECK(sc::render_line(s.steps[1].actions.at(0).message, src) == "call 1-42@192.0.2.20 v=7");
}
