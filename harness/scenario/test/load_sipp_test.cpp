// SIPp's built-in scenarios (printed by `sipp -sd NAME`, kept byte-identical in data/sipp) load
// unmodified (DESIGN.md section 3: simple SIPp scenarios run as they are).
#include "support.hpp"

#include <catch2/catch.hpp>

using namespace scenario_test;
using sc::step;

namespace {

// One letter per step: S send, R recv, P pause, W timewait, N nop, L label, C sendCmd,
// D recvCmd.
std::string shape(const sc::scenario& s) {
  std::string out;
  for (const auto& st : s.steps) {
    switch (st.what) {
    case step::kind::send:
      out += 'S';
      break;
    case step::kind::recv:
      out += 'R';
      break;
    case step::kind::pause:
      out += st.timewait ? 'W' : 'P';
      break;
    case step::kind::nop:
      out += 'N';
      break;
    case step::kind::label:
      out += 'L';
      break;
    case step::kind::send_cmd:
      out += 'C';
      break;
    case step::kind::recv_cmd:
      out += 'D';
      break;
    }
  }
  return out;
}

sc::scenario load_sipp(const std::string& name) {
  return sc::load_file(std::string(SCENARIO_TEST_DATA) + "/sipp/" + name + ".xml");
}

// "INVITE" for a request template, "200" for a status template: the start line's first token.
std::string first_token(const sc::message_template& m) {
  const auto& p = m.head.front().pieces.front();
  std::string t = p.text;
  if (t.rfind("SIP/2.0 ", 0) == 0) return t.substr(8, 3);
  return t.substr(0, t.find(' '));
}

} // namespace

TEST_CASE("SIPp built-in scenarios load with their roles and steps", "[scenario][sipp]") {
  struct row {
    const char* file;
    const char* name;
    sc::role role;
    const char* shape;
  };
  const row rows[] = {
      {"uac", "Basic Sipstone UAC", sc::role::caller, "SRRRRSPSR"},
      {"uas", "Basic UAS responder", sc::role::callee, "RSSRRSW"},
      {"branchc", "branch_client", sc::role::caller, "SRRLSRRRRRSPLSRP"},
      {"branchs", "branch_server", sc::role::callee, "RSRSSLSSRLRSW"},
      {"regexp", "Client with regexp scenario", sc::role::caller, "SRRRRSPSR"},
  };
  for (const auto& r : rows) {
    INFO(r.file);
    const auto s = load_sipp(r.file);
    CHECK(s.name == r.name);
    CHECK(s.role == r.role);
    CHECK(shape(s) == r.shape);
    CHECK(s.file == std::string(SCENARIO_TEST_DATA) + "/sipp/" + r.file + ".xml");
  }
}

TEST_CASE("uac: the INVITE template, retransmission and optional provisional responses",
          "[scenario][sipp]") {
  const auto s = load_sipp("uac");
  const auto& invite = s.steps[0];
  CHECK(invite.pos.line == 25);
  CHECK(invite.pos.column == 3);
  REQUIRE(invite.retrans);
  CHECK(invite.retrans->count() == 500);
  CHECK(first_token(invite.msg) == "INVITE");
  CHECK(invite.msg.head.size() == 11);
  CHECK(invite.msg.head.front().line == 28); // leading empty line dropped
  CHECK(invite.msg.body.size() == 7);
  CHECK(invite.msg.has_body_separator);
  CHECK(s.steps[1].response == 100);
  CHECK(s.steps[1].optional);
  CHECK(s.steps[3].response == 183);
  CHECK_FALSE(s.steps[4].optional);
  CHECK(first_token(s.steps[5].msg) == "ACK");
  CHECK_FALSE(s.steps[5].retrans);
  CHECK(s.steps[5].msg.body.empty());
  CHECK(s.steps[5].msg.has_body_separator);
  REQUIRE(s.steps[6].milliseconds);
  CHECK(s.steps[6].milliseconds->count() == 0); // <pause/>: SIPp's -d default
  CHECK(s.variables.empty());
}

TEST_CASE("uas: [last_Header:] lines and the timewait", "[scenario][sipp]") {
  const auto s = load_sipp("uas");
  CHECK(s.steps[0].request == "INVITE");
  const auto& ringing = s.steps[1].msg;
  CHECK(first_token(ringing) == "180");
  const auto& via = ringing.head[1].pieces;
  REQUIRE(via.size() == 1);
  CHECK(via[0].is_keyword);
  CHECK(via[0].kw.id == sc::keyword_id::last_header);
  CHECK(via[0].kw.arg == "Via");
  const auto& to = ringing.head[3].pieces;
  REQUIRE(to.size() == 5);
  CHECK(to[0].kw.arg == "To");
  CHECK(to[1].text == ";tag=");
  CHECK(to[2].kw.id == sc::keyword_id::pid);
  CHECK(to[3].text == "SIPpTag01");
  CHECK(to[4].kw.id == sc::keyword_id::call_number);
  CHECK(s.steps[3].request == "ACK");
  CHECK(s.steps[3].optional);
  CHECK(s.steps[6].timewait);
  CHECK(s.steps[6].milliseconds->count() == 4000);
}

TEST_CASE("branchc and branchs: jumps resolve to their label steps", "[scenario][sipp]") {
  const auto c = load_sipp("branchc");
  CHECK(c.steps[1].next == "5");
  CHECK(c.steps[1].next_index == 3);
  CHECK(c.steps[3].id == "5");
  CHECK(c.steps[8].response == 403);
  CHECK(c.steps[8].next_index == 12);
  CHECK(c.steps[10].test == "8");
  CHECK(c.steps[10].next_index == 12);
  CHECK(c.steps[12].id == "1");
  REQUIRE(c.steps[9].actions.size() == 1);
  const auto& ereg = c.steps[9].actions[0];
  CHECK(ereg.what == sc::action::kind::ereg);
  CHECK(ereg.regexp == "ua25");
  CHECK(ereg.where == sc::action::search_in::hdr);
  CHECK(ereg.header == "From: ");
  CHECK(ereg.assign_to == std::vector<std::string>{"8"});
  CHECK(c.variables == std::vector<std::string>{"8"});

  const auto s = load_sipp("branchs");
  CHECK(s.steps[3].next_index == 5);
  CHECK(s.steps[4].next_index == 9);
  CHECK(s.steps[9].id == "2");
  for (const auto& st : s.steps)
    if (st.next.empty()) CHECK(st.next_index == -1);
}

TEST_CASE("regexp: ereg actions and variables in the ACK", "[scenario][sipp]") {
  const auto s = load_sipp("regexp");
  const auto& acts = s.steps[4].actions;
  REQUIRE(acts.size() == 3);
  CHECK(acts[0].where == sc::action::search_in::msg);
  CHECK(acts[0].check_it);
  CHECK(acts[0].pos.line == 85);
  CHECK(acts[1].header == "Contact:");
  CHECK(acts[2].regexp == "o=([[:alnum:]]*) ([[:alnum:]]*) ([[:alnum:]]*)");
  CHECK(acts[2].assign_to == std::vector<std::string>{"3", "4", "5", "8"});
  CHECK(s.variables == std::vector<std::string>{"1", "6", "3", "4", "5", "8"});
  const auto& ack = s.steps[5].msg;
  CHECK(ack.body.empty()); // no blank line after the head: only the spaces before "]]>"
  CHECK(ack.head.size() == 16);
  CHECK(ack.head.front().line == 103); // no leading empty line in this one
  const auto& ip = ack.head[6].pieces;
  REQUIRE(ip.size() == 2);
  CHECK(ip[0].text == "retrievedIp: ");
  CHECK(ip[1].kw.id == sc::keyword_id::variable);
  CHECK(ip[1].kw.arg == "1");
  CHECK(s.steps[6].milliseconds->count() == 1000);
}

TEST_CASE("a SIPp scenario renders to a well-formed message", "[scenario][sipp][render]") {
  const auto s = load_sipp("uac");
  fake_source src;
  const auto bytes = sc::render(s.steps[0].msg, src);
  const std::string body = "v=0\r\n"
                           "o=user1 53655765 2353687637 IN IP4 192.0.2.20\r\n"
                           "s=-\r\n"
                           "c=IN IP4 192.0.2.30\r\n"
                           "t=0 0\r\n"
                           "m=audio 6000 RTP/AVP 0\r\n"
                           "a=rtpmap:0 PCMU/8000\r\n";
  CHECK(bytes.rfind("INVITE sip:service@192.0.2.10:5070 SIP/2.0\r\n"
                    "Via: SIP/2.0/UDP 192.0.2.20:5080;branch=z9hG4bK-0\r\n",
                    0) == 0);
  CHECK(bytes.find("Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body) !=
        std::string::npos);
  CHECK(bytes.size() - bytes.find("\r\n\r\n") - 4 == body.size());
}
