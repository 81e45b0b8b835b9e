// How the engine follows a scenario's flow against a device: loops, optional blocks, matching
// responses to their requests, bounds of waits, and hostile input from the device.
#include "support.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace sipwright;
using engine::test::fast;
using engine::test::load;
using engine::test::play_pair;
using namespace engine::test;

TEST_CASE("A next= loop sends new transactions: each OPTIONS gets its own answer [engine]") {
  auto callee =
      load(scenario_xml("<label id=\"top\"/>\n<recv request=\"OPTIONS\"/>\n" + response("200 OK") +
                        "<nop><action><add assign_to=\"n\" value=\"1\"/>"
                        "<test assign_to=\"again\" variable=\"n\" compare=\"less_than\" "
                        "value=\"3\"/></action></nop>\n"
                        "<nop next=\"top\" test=\"again\"/>\n"),
           "loop_uas.xml");
  auto caller = load(scenario_xml("<label id=\"top\"/>\n" + request("OPTIONS") +
                                  "<recv response=\"200\"/>\n"
                                  "<nop><action><add assign_to=\"n\" value=\"1\"/>"
                                  "<test assign_to=\"again\" variable=\"n\" compare=\"less_than\" "
                                  "value=\"3\"/></action></nop>\n"
                                  "<nop next=\"top\" test=\"again\"/>\n"),
                     "loop_uac.xml");
  auto r = play_pair(callee, caller, fast(), fast());
  INFO("caller: " << failures(r.caller) << "callee: " << failures(r.callee));
  CHECK(r.caller.passed());
  CHECK(r.callee.passed());
}

TEST_CASE("A response to another request of the call does not satisfy a recv [engine]"
          "[rfc3261][17.1.3]") {
  // The device answers the BYE with a 200 whose CSeq names the INVITE: not the BYE's answer.
  auto callee = load(scenario_xml("<recv request=\"OPTIONS\"/>\n" + response("200 OK") +
                                  "<recv request=\"BYE\"/>\n"
                                  "<send><![CDATA[\nSIP/2.0 200 OK\n[last_Via:]\n[last_From:]\n"
                                  "[last_To:];tag=b\n[last_Call-ID:]\nCSeq: 1 INVITE\n"
                                  "Content-Length: 0\n]]></send>\n"),
                     "wrong.xml");
  auto caller = load(scenario_xml(request("OPTIONS") + "<recv response=\"200\"/>\n" +
                                  request("BYE") + "<recv response=\"200\" timeout=\"500\"/>\n"),
                     "bye.xml");
  auto r = play_pair(callee, caller, fast(), fast());
  REQUIRE(r.caller.calls.size() == 1);
  CHECK_THAT(r.caller.calls[0].failure,
             Catch::Contains("unexpected SIP/2.0 200 OK while waiting for response 200 (it "
                             "answers no request of this call)"));
}

TEST_CASE("A label between optional recvs keeps the block together [engine]") {
  auto callee = load(scenario_xml("<recv request=\"INVITE\"/>\n" + response("180 Ringing") +
                                  response("200 OK", "Contact: <sip:b@[local_ip]:[local_port]>\n") +
                                  "<recv request=\"ACK\"/>\n"),
                     "uas.xml");
  auto caller =
      load(scenario_xml(request("INVITE") +
                        "<recv response=\"100\" optional=\"true\"/>\n<label id=\"ringing\"/>\n"
                        "<recv response=\"180\" optional=\"true\"/>\n"
                        "<recv response=\"200\" rrs=\"true\"/>\n" +
                        ack()),
           "label.xml");
  auto r = play_pair(callee, caller, fast(), fast());
  INFO("caller: " << failures(r.caller) << "callee: " << failures(r.callee));
  CHECK(r.caller.passed());
  CHECK(r.callee.passed());
}

TEST_CASE("After a provisional response the wait for the final one is not cut at 64*T1 "
          "[engine][rfc3261][17.1.1.2]") {
  // T1 = 20 ms: 64*T1 = 1.28 s; the callee rings for 1.6 s.
  auto callee = load(scenario_xml("<recv request=\"INVITE\"/>\n" + response("180 Ringing") +
                                  "<pause milliseconds=\"1600\"/>\n" +
                                  response("200 OK", "Contact: <sip:b@[local_ip]:[local_port]>\n") +
                                  "<recv request=\"ACK\"/>\n"),
                     "slow.xml");
  auto caller = load(scenario_xml(request("INVITE") +
                                  "<recv response=\"180\"/>\n<recv response=\"200\" "
                                  "rrs=\"true\"/>\n" +
                                  ack()),
                     "patient.xml");
  auto r = play_pair(callee, caller, fast(), fast());
  INFO("caller: " << failures(r.caller) << "callee: " << failures(r.callee));
  CHECK(r.caller.passed());
  CHECK(r.callee.passed());
}

TEST_CASE("A 40 KB header from the device does not bring the harness down [engine]") {
  // SIPp's regexp scenario matches ".*" against the Contact: a recursive regex engine would
  // overflow its stack on this.
  std::string big(40000, 'x');
  auto callee = load(scenario_xml("<recv request=\"INVITE\"/>\n" +
                                  response("200 OK", "Contact: <sip:" + big + "@[local_ip]>\n") +
                                  "<recv request=\"ACK\"/>\n"),
                     "big.xml");
  auto caller = load(scenario_xml(request("INVITE") +
                                  "<recv response=\"200\" rrs=\"true\"><action><ereg "
                                  "regexp=\".*\" search_in=\"hdr\" header=\"Contact:\" "
                                  "check_it=\"true\" assign_to=\"c\"/></action></recv>\n" +
                                  ack()),
                     "regexp.xml");
  // T1 = 200 ms: matching 40 KB takes a while in a sanitizer build, and the 2xx retransmission
  // schedule is not what this test is about.
  auto slow = fast();
  slow.t1 = std::chrono::milliseconds(200);
  slow.t2 = std::chrono::milliseconds(1600);
  auto r = play_pair(callee, caller, slow, slow);
  INFO("caller: " << failures(r.caller) << "callee: " << failures(r.callee));
  CHECK(r.caller.passed());
}

TEST_CASE("retrans=\"0\" sends a 2xx once, on purpose [engine]") {
  auto callee = load(scenario_xml("<recv request=\"INVITE\"/>\n" +
                                  response("200 OK", "Contact: <sip:b@[local_ip]:[local_port]>\n",
                                           " retrans=\"0\"") +
                                  "<pause milliseconds=\"300\"/>\n"),
                     "once.xml");
  auto caller = load(scenario_xml(request("INVITE") + "<recv response=\"200\"/>\n" +
                                  "<pause milliseconds=\"300\"/>\n"),
                     "noack.xml");
  auto r = play_pair(callee, caller, fast(), fast());
  std::size_t sent = 0;
  for (const auto& e : r.callee.trace.entries())
    sent += e.dir == transport::direction::out && e.bytes.starts_with("SIP/2.0 200");
  CHECK(sent == 1);
}
