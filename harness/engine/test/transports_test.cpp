// The library's basic calls played engine against engine on ::1 over UDP, TCP and TLS: the bytes
// sipwright writes carry IPv6 in RFC 5118 form (bracketed in URIs and in the Via sent-by, bare in
// SDP) and name the transport (Via sent-protocol, Contact transport parameter).
#include "support.hpp"

#include "sipwright/scenario/library.hpp"

#include <catch2/catch.hpp>

#include <future>
#include <regex>

using namespace sipwright;
using namespace sipwright::engine::test;

namespace {

scenario::scenario library(const std::string& id) {
  return scenario::load_file(
      (std::filesystem::path(SIPWRIGHT_LIBRARY_DIR) / (id + ".xml")).string());
}

// The first message `r` sent that starts with `start`.
std::string first_sent(const engine::scenario_result& r, std::string_view start) {
  for (const auto& e : r.trace.entries())
    if (e.dir == transport::direction::out && e.bytes.starts_with(start)) return e.bytes;
  return {};
}

std::string line_of(const std::string& msg, std::string_view name) {
  const auto at = msg.find("\r\n" + std::string(name) + ": ");
  if (at == std::string::npos) return {};
  return msg.substr(at + 2, msg.find("\r\n", at + 2) - at - 2);
}

} // namespace

TEST_CASE("IPv6 in RFC 5118 form and the transport named, in what sipwright sends over UDP, TCP "
          "and TLS [engine][rfc5118][rfc3261-26.2]") {
  const auto proto =
      GENERATE(transport::protocol::udp, transport::protocol::tcp, transport::protocol::tls);
  const std::string t(transport::to_string(proto));
  INFO(t);
  const auto caller = library("device-callee/basic-call"); // sipwright calls
  const auto callee = library("device-caller/basic-call"); // sipwright answers
  auto co = fast();
  co.proto = proto;
  co.local = transport::endpoint{"::1", 0};
  co.tls.verify = false; // the callee's throwaway certificate
  std::promise<transport::endpoint> bound;
  co.on_listening = [&bound](transport::protocol, const transport::endpoint& e) {
    bound.set_value(e);
  };
  auto callee_f = std::async(std::launch::async, [&] { return run_scenario(callee, co); });
  auto ro = fast();
  ro.proto = proto;
  ro.service = "200";
  ro.dut = bound.get_future().get();
  ro.tls.verify = false;
  const auto r = run_scenario(caller, ro);
  const auto c = callee_f.get();
  INFO(failures(r) << failures(c));
  REQUIRE(played_through(r));
  REQUIRE(played_through(c));

  const std::string here = "[::1]:" + std::to_string(r.local.port);
  const std::string there = "[::1]:" + std::to_string(c.local.port);
  CHECK(ro.dut->str() == there);
  const std::string invite = first_sent(r, "INVITE ");
  CHECK(invite.starts_with("INVITE sip:200@" + there + " SIP/2.0\r\nVia: SIP/2.0/" + t + " " +
                           here + ";branch=z9hG4bK"));
  CHECK(
      line_of(invite, "From").starts_with("From: \"sipwright\" <sip:sipwright@" + here + ">;tag="));
  CHECK(line_of(invite, "To") == "To: <sip:200@" + there + ">");
  CHECK(line_of(invite, "Contact") == "Contact: <sip:sipwright@" + here + ";transport=" + t + ">");
  CHECK(line_of(invite, "Call-ID").ends_with("@[::1]"));
  CHECK(invite.find("\r\no=sipwright 1 1 IN IP6 ::1\r\n") != std::string::npos);
  CHECK(invite.find("\r\nc=IN IP6 ::1\r\n") != std::string::npos);

  const std::string ok = first_sent(c, "SIP/2.0 200 OK");
  CHECK(line_of(ok, "Via").starts_with("Via: SIP/2.0/" + t + " " + here + ";branch=z9hG4bK"));
  CHECK(line_of(ok, "Contact") ==
        "Contact: <sip:sipwright-callee@" + there + ";transport=" + t + ">");
  CHECK(ok.find("\r\nc=IN IP6 ::1\r\n") != std::string::npos);

  // The ACK and the BYE go to the 2xx's Contact (RFC 3261 12.2.1.1), as written there.
  CHECK(first_sent(r, "ACK ").starts_with("ACK sip:sipwright-callee@" + there + ";transport=" + t +
                                          " SIP/2.0\r\nVia: SIP/2.0/" + t + " " + here + ";"));
  CHECK(first_sent(r, "BYE ").starts_with("BYE sip:sipwright-callee@" + there + ";transport=" + t +
                                          " SIP/2.0\r\n"));

  // No IPv6 address outside brackets in any SIP header line sipwright wrote (SDP lines take it
  // bare, RFC 4566; Call-IDs are words, not hosts).
  const std::regex bare(R"((^|[^\[])::1($|[^\]]))");
  for (const auto* res : {&r, &c})
    for (const auto& e : res->trace.entries()) {
      if (e.dir != transport::direction::out) continue;
      const auto head = e.bytes.substr(0, e.bytes.find("\r\n\r\n"));
      INFO(head);
      CHECK_FALSE(std::regex_search(head, bare));
    }
}
