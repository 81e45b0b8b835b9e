// Several agents in one scenario (<agent>): they play at once from their own addresses, pass
// commands (<sendCmd>/<recvCmd>), take requests of other dialogs the device sends them, and
// their results become one, with one trace in time order.
#include "support.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <ctime>

using namespace sipwright;
using namespace engine::test;

namespace {

// What each agent does towards the device: an OPTIONS, then the MESSAGE the device sends it in
// a dialog of its own (another Call-ID), answered.
std::string options_then_message(const std::string& extra) {
  return request("OPTIONS", extra) + "<recv response=\"200\"/>\n" +
         "<recv request=\"MESSAGE\"/>\n" + response("200 OK") +
         // Until the device has the 200 (its MESSAGE may be on its way again).
         "<pause milliseconds=\"200\"/>\n";
}

const std::string agents_xml =
    "<?xml version=\"1.0\"?>\n<scenario name=\"two agents\">\n"
    "<agent name=\"bob\">\n" +
    options_then_message("") +
    "<sendCmd dest=\"alice\"><![CDATA[\nX-Bob: ready at [local_port]\n]]></sendCmd>\n"
    "</agent>\n"
    "<agent name=\"alice\">\n"
    "<recvCmd src=\"bob\" timeout=\"2000\">\n"
    "  <action><ereg regexp=\"ready at ([0-9]+)\" search_in=\"hdr\" header=\"X-Bob:\" "
    "assign_to=\"all,port\"/></action>\n"
    "</recvCmd>\n" +
    options_then_message("X-Bob-Port: [$port]\n") + "</agent>\n</scenario>\n";

// The device: answers each OPTIONS, then sends a MESSAGE of its own, with another Call-ID, to
// whoever sent it. Once: its 200 carries a Call-ID this plain scenario does not know (an agent's
// flow takes every dialog; a plain scenario's call only its own).
const std::string device_xml =
    scenario_xml("<recv request=\"OPTIONS\"/>\n" + response("200 OK") +
                 "<send retrans=\"0\"><![CDATA[\n"
                 "MESSAGE sip:x@[remote_ip]:[remote_port] SIP/2.0\n"
                 "Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\n"
                 "From: <sip:device@[local_ip]:[local_port]>;tag=m[call_number]\n"
                 "To: <sip:x@[remote_ip]:[remote_port]>\n"
                 "Call-ID: message-[call_id]\n"
                 "CSeq: 1 MESSAGE\n"
                 "Max-Forwards: 70\n"
                 "Content-Length: 0\n"
                 "]]></send>\n"
                 "<pause milliseconds=\"300\"/>\n");

const std::string waiting_xml = "<?xml version=\"1.0\"?>\n<scenario name=\"waits\">\n"
                                "<agent name=\"a\">\n<recvCmd src=\"b\" timeout=\"200\"/>\n" +
                                request("OPTIONS") + "</agent>\n<agent name=\"b\">\n" +
                                request("OPTIONS") +
                                "<recv response=\"200\"/>\n</agent>\n"
                                "</scenario>\n";

} // namespace

TEST_CASE("Two agents play at once, pass a command, and take the device's own requests [engine]") {
  auto device_opts = fast();
  device_opts.calls = 2;
  auto r = play_pair(load(device_xml, "device.xml"), load(agents_xml, "agents.xml"), device_opts,
                     fast());
  INFO("agents: " << failures(r.caller) << "device: " << failures(r.callee));
  CHECK(r.caller.passed());
  CHECK(r.callee.passed());
  REQUIRE(r.caller.calls.size() == 2);
  CHECK(r.caller.calls[0].agent == "bob");
  CHECK(r.caller.calls[0].call_number == 1);
  CHECK(r.caller.calls[1].agent == "alice");
  CHECK(r.caller.calls[1].call_number == 2);
  // Alice read bob's port from his command and sent it on.
  std::string bob_port, alice_saw;
  for (const auto& e : r.callee.trace.entries())
    if (e.dir == transport::direction::in && e.bytes.starts_with("OPTIONS ")) {
      if (auto at = e.bytes.find("X-Bob-Port: "); at != std::string::npos)
        alice_saw = e.bytes.substr(at + 12, e.bytes.find("\r\n", at) - at - 12);
      else
        bob_port = std::to_string(e.remote.port);
    }
  CHECK(!bob_port.empty());
  CHECK(alice_saw == bob_port);
  // One trace: both agents' 4 messages, in time order.
  const auto& t = r.caller.trace.entries();
  std::string dump;
  for (const auto& e : t)
    dump += (e.dir == transport::direction::out ? "out " : "in  ") + e.local.str() + " " +
            e.bytes.substr(0, e.bytes.find("\r\n")) + " " + e.note + "\n";
  INFO(dump);
  CHECK(t.size() == 8);
  CHECK(
      std::is_sorted(t.begin(), t.end(), [](const auto& a, const auto& b) { return a.at < b.at; }));
  // The verdicts' evidence points into the merged trace: at the messages of the agent's own
  // address.
  for (const auto& c : r.caller.calls)
    for (const auto& v : c.verdicts)
      for (auto e : v.evidence) {
        REQUIRE(e < t.size());
        const auto& local = t[e].local;
        CHECK(std::count_if(t.begin(), t.end(), [&](const auto& x) { return x.local == local; }) ==
              4);
      }
}

TEST_CASE("A recvCmd that gets no command fails at its timeout, naming the agent [engine]") {
  auto device_opts = fast();
  device_opts.calls = 1;
  const auto agents = load(waiting_xml, "waits.xml");
  auto r = play_pair(
      load(scenario_xml("<recv request=\"OPTIONS\"/>\n" + response("200 OK")), "device.xml"),
      agents, device_opts, fast());
  REQUIRE(r.caller.calls.size() == 2);
  CHECK(r.caller.calls[0].agent == "a");
  CHECK_THAT(r.caller.calls[0].failure,
             Catch::StartsWith("waits.xml:4: timeout: no command from b within 0.2"));
  CHECK(r.caller.calls[1].passed);
}

TEST_CASE("A recvCmd waits for its agent's command while another agent's is queued [engine]") {
  // carol gets alice's command first, but waits for bob's: it must not spin on alice's, and must
  // still take bob's when it comes.
  const std::string options = request("OPTIONS") + "<recv response=\"200\"/>\n";
  const std::string xml =
      "<?xml version=\"1.0\"?>\n<scenario name=\"three\">\n"
      "<agent name=\"alice\">\n" +
      options + "<sendCmd dest=\"carol\"><![CDATA[\nX-From: alice\n]]></sendCmd>\n</agent>\n" +
      "<agent name=\"bob\">\n" + options +
      "<pause milliseconds=\"300\"/>\n"
      "<sendCmd dest=\"carol\"><![CDATA[\nX-From: bob\n]]></sendCmd>\n</agent>\n"
      "<agent name=\"carol\">\n" +
      options +
      "<recvCmd src=\"bob\" timeout=\"3000\">\n"
      "  <action><ereg regexp=\"bob\" search_in=\"hdr\" header=\"X-From:\" check_it=\"true\" "
      "assign_to=\"b\"/></action>\n</recvCmd>\n"
      "<recvCmd src=\"alice\" timeout=\"1000\"/>\n</agent>\n</scenario>\n";
  auto device_opts = fast();
  device_opts.calls = 3;
  const auto start = std::chrono::steady_clock::now();
  const auto cpu_start = std::clock();
  auto r = play_pair(
      load(scenario_xml("<recv request=\"OPTIONS\"/>\n" + response("200 OK")), "device.xml"),
      load(xml, "three.xml"), device_opts, fast());
  const auto took = std::chrono::steady_clock::now() - start;
  const double cpu = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  INFO("agents: " << failures(r.caller));
  CHECK(r.caller.passed());
  CHECK(took < std::chrono::milliseconds(2000));
  // Waiting is not spinning: far less CPU than the wall time the wait took.
  CHECK(cpu < 0.25);
}
