// Matching messages to transactions (RFC 3261 17.1.3, 17.2.3).
#include "sipwright/parser/parser.hpp"
#include "sipwright/sip/builder.hpp"
#include "sipwright/transaction/key.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <utility>

using namespace sipwright;
using transaction::client_key_of;
using transaction::server_key_of;

namespace {

struct fields {
  std::string method = "INVITE";
  std::string uri = "sip:bob@example.com";
  std::string via = "SIP/2.0/UDP pc33.example.com:5060;branch=z9hG4bK776asdhds";
  std::string to = "<sip:bob@example.com>";
  std::string from = "<sip:alice@example.com>;tag=1928301774";
  std::string call_id = "a84b4c76e66710@pc33.example.com";
  std::string cseq = "314159 INVITE";
};

sip::message request(const fields& f) {
  auto bytes = sip::message_builder::request(f.method, f.uri)
                   .header("Via", f.via)
                   .header("Max-Forwards", "70")
                   .header("To", f.to)
                   .header("From", f.from)
                   .header("Call-ID", f.call_id)
                   .header("CSeq", f.cseq)
                   .str();
  parser::parser p;
  REQUIRE(p.put(bytes).status == parser::status::done);
  return p.release();
}

sip::message response(int status, std::string_view via, std::string_view cseq) {
  auto bytes = sip::message_builder::response(status, status == 200 ? "OK" : "Busy Here")
                   .header("Via", via)
                   .header("To", "<sip:bob@example.com>;tag=a6c85cf")
                   .header("From", "<sip:alice@example.com>;tag=1928301774")
                   .header("Call-ID", "a84b4c76e66710@pc33.example.com")
                   .header("CSeq", cseq)
                   .str();
  parser::parser p;
  REQUIRE(p.put(bytes).status == parser::status::done);
  return p.release();
}

} // namespace

TEST_CASE("a response matches its client transaction by branch and CSeq method",
          "[transaction][key][rfc3261]") {
  fields f;
  auto invite = client_key_of(request(f));
  REQUIRE(invite);
  CHECK(invite->branch == "z9hG4bK776asdhds");
  CHECK(invite->method == "INVITE");
  CHECK(client_key_of(response(486, f.via, "314159 INVITE")) == invite);
  // Another branch, or the CANCEL's response on the same branch: another transaction.
  CHECK(client_key_of(response(200, "SIP/2.0/UDP pc33.example.com:5060;branch=z9hG4bKother",
                               "314159 INVITE")) != invite);
  CHECK(client_key_of(response(200, f.via, "314159 CANCEL")) != invite);
}

TEST_CASE("a request matches a server transaction by branch, sent-by and method",
          "[transaction][key][rfc3261]") {
  fields f;
  auto invite = server_key_of(request(f));
  REQUIRE(invite);
  CHECK_FALSE(invite->rfc2543);
  CHECK(invite->sent_by == "pc33.example.com:5060");
  CHECK(invite->method == "INVITE");
  CHECK(server_key_of(request(f)) == invite); // a retransmission

  SECTION("the ACK for a non-2xx matches the INVITE transaction") {
    fields ack = f;
    ack.method = "ACK";
    ack.cseq = "314159 ACK";
    ack.to = "<sip:bob@example.com>;tag=a6c85cf";
    CHECK(server_key_of(request(ack)) == invite);
  }
  SECTION("a CANCEL on the same branch does not match the INVITE") {
    fields cancel = f;
    cancel.method = "CANCEL";
    cancel.cseq = "314159 CANCEL";
    auto key = server_key_of(request(cancel));
    REQUIRE(key);
    CHECK(key != invite);
    CHECK(key->method == "CANCEL");
  }
  SECTION("another sent-by with the same branch does not match") {
    fields other = f;
    other.via = "SIP/2.0/UDP pc34.example.com:5060;branch=z9hG4bK776asdhds";
    CHECK(server_key_of(request(other)) != invite);
  }
  SECTION("sent-by host compares case-insensitively") {
    fields other = f;
    other.via = "SIP/2.0/UDP PC33.Example.COM:5060;branch=z9hG4bK776asdhds";
    CHECK(server_key_of(request(other)) == invite);
  }
  SECTION("another branch does not match") {
    fields other = f;
    other.via = "SIP/2.0/UDP pc33.example.com:5060;branch=z9hG4bK776asdhdt";
    CHECK(server_key_of(request(other)) != invite);
  }
}

TEST_CASE("RFC 2543 fallback: without the magic cookie, match by URI, tags, Call-ID, CSeq, Via",
          "[transaction][key][rfc3261][rfc2543]") {
  fields f;
  f.via = "SIP/2.0/UDP pc33.example.com:5060;branch=776asdhds";
  auto invite = server_key_of(request(f));
  REQUIRE(invite);
  CHECK(invite->rfc2543);
  CHECK(invite->request_uri == "sip:bob@example.com");
  CHECK(invite->to_tag.empty());
  CHECK(invite->from_tag == "1928301774");
  CHECK(invite->cseq == "314159 INVITE");
  CHECK(invite->top_via == f.via);
  CHECK(server_key_of(request(f)) == invite);

  fields ack = f;
  ack.method = "ACK";
  ack.cseq = "314159 ACK";
  ack.to = "<sip:bob@example.com>;tag=a6c85cf";
  // 17.2.3: the ACK's To tag is the one of the server's response.
  CHECK(server_key_of(request(ack)) == transaction::ack_key_for(*invite, "a6c85cf"));
  CHECK(server_key_of(request(ack)) != transaction::ack_key_for(*invite, "other"));
  CHECK(server_key_of(request(ack)) != invite);

  SECTION("no branch at all") {
    fields plain = f;
    plain.via = "SIP/2.0/UDP pc33.example.com:5060";
    auto key = server_key_of(request(plain));
    REQUIRE(key);
    CHECK(key->rfc2543);
    CHECK(key != invite); // the top Via differs
  }
  SECTION("each field takes part") {
    const std::pair<std::string fields::*, std::string> changes[] = {
        {&fields::uri, "sip:carol@example.com"},
        {&fields::to, "<sip:bob@example.com>;tag=5"},
        {&fields::from, "<sip:alice@example.com>;tag=99"},
        {&fields::call_id, "other@pc33.example.com"},
        {&fields::cseq, "314160 INVITE"},
        {&fields::via, "SIP/2.0/UDP pc33.example.com:5061;branch=776asdhds"},
    };
    for (const auto& [field, value] : changes) {
      fields other = f;
      other.*field = value;
      INFO(value);
      CHECK(server_key_of(request(other)) != invite);
    }
  }
}

TEST_CASE("a message without a top Via or CSeq has no transaction key", "[transaction][key]") {
  auto bytes = sip::message_builder::request("OPTIONS", "sip:bob@example.com")
                   .header("To", "<sip:bob@example.com>")
                   .header("From", "<sip:alice@example.com>;tag=1")
                   .header("Call-ID", "x@y")
                   .header("CSeq", "1 OPTIONS")
                   .str();
  parser::options opts;
  opts.strict = false;
  parser::parser p(opts);
  p.put(bytes);
  REQUIRE(p.has_message());
  auto m = p.release();
  CHECK_FALSE(client_key_of(m));
  CHECK_FALSE(server_key_of(m));
}
