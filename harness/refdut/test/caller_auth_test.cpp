// The reference device as caller against a UAS that challenges its INVITE with a 407 (or 401):
// the ACK of the challenge (17.1.1.3), the INVITE again with credentials (22.2, 22.3), the ACK of
// the 2xx with the same credentials (13.2.2.4), the fault that drops them, no credentials, and
// no loop on a second challenge.
#include "support.hpp"

#include "sipwright/auth/mask.hpp"
#include "sipwright/auth/server.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <optional>

namespace sipwright::refdut::test {
namespace {

constexpr const char* user_var = "SIPWRIGHT_REFDUT_AUTH_USER";
constexpr const char* password_var = "SIPWRIGHT_REFDUT_AUTH_PASSWORD";
constexpr std::string_view password = "s3cret-pw";

// Sets (or unsets) an environment variable for a scope and restores the previous state after.
class env_var {
public:
  env_var(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value)
      ::setenv(name, value->c_str(), 1);
    else
      ::unsetenv(name);
  }
  ~env_var() {
    if (old_)
      ::setenv(name_, old_->c_str(), 1);
    else
      ::unsetenv(name_);
  }
  env_var(const env_var&) = delete;
  env_var& operator=(const env_var&) = delete;

private:
  const char* name_;
  std::optional<std::string> old_;
};

refdut_options caller_to(const peer& p, std::vector<std::string> faults = {}) {
  refdut_options o;
  o.call = p.local().str();
  o.t1_ms = 20;
  o.timeout_s = 10;
  o.hangup_after_ms = 200;
  o.faults = std::move(faults);
  return o;
}

std::string from_tag_of(const sip::message& m) {
  const auto from = m.from();
  return from && from->tag() ? std::string(*from->tag()) : std::string();
}

// Every row of a header, as written (credentials hold commas: all_elements would split them).
std::vector<std::string> rows(const sip::message& m, sip::header_id id) {
  std::vector<std::string> out;
  for (const auto& f : m.fields())
    if (f.id == id) out.emplace_back(m.value(f));
  return out;
}

// A UAS that challenges INVITEs with digest_server (`challenges` times), then answers 200. A
// copy of the first challenge is sent again when the second INVITE arrives.
struct challenging_uas {
  challenging_uas(peer& p, bool proxy, int challenges)
      : server(options(proxy)), proxy(proxy), left(challenges) {
    p.on_message = [this, &p](const arrival& a) {
      if (!a.msg.is_request()) return;
      const auto method = a.msg.method();
      if (method == "INVITE") {
        ++invites;
        if (invites == 2 && !challenge.empty()) p.send(a.from, challenge); // a copy
        if (left > 0) {
          --left;
          std::vector<std::pair<std::string, std::string>> extra;
          for (const auto& c : server.issue())
            extra.emplace_back(std::string(c.header_name()), auth::format(c));
          const auto bytes = this->proxy
                                 ? answer(a.msg, 407, "Proxy Authentication Required", extra)
                                 : answer(a.msg, 401, "Unauthorized", extra);
          if (challenge.empty()) challenge = bytes;
          p.send(a.from, bytes);
          return;
        }
        verdict = server.verify(a.msg, accounts);
        p.send(a.from,
               answer(a.msg, 200, "OK", {{"Contact", "<sip:uas@" + p.local().str() + ">"}}));
      } else if (method == "BYE") {
        p.send(a.from, answer(a.msg, 200, "OK"));
      }
    };
  }
  static auth::server_options options(bool proxy) {
    auth::server_options o;
    o.proxy = proxy;
    return o;
  }
  auth::digest_server server;
  bool proxy;
  int left;
  int invites = 0;
  std::string challenge; // the first 401/407 as sent
  std::vector<auth::credentials> accounts{{"alice", std::string(password), ""}};
  std::optional<auth::verification> verdict;
};

} // namespace

TEST_CASE("caller: a 407 is ACKed, the INVITE goes again with Proxy-Authorization in the same "
          "call, and the 2xx's ACK repeats it [RFC 3261 22.2, 22.3, 13.2.2.4]",
          "[refdut][caller][auth]") {
  const auto fault = GENERATE(as<std::string>{}, "", "ack-no-credentials");
  env_var user(user_var, "alice");
  env_var pw(password_var, std::string(password));
  peer p;
  challenging_uas uas(p, true, 1);
  device d(caller_to(p, fault.empty() ? std::vector<std::string>{} : std::vector{fault}));
  REQUIRE(p.run_until([&] { return !p.requests("BYE").empty(); }));
  CHECK(d.join() == exit_ok);

  const auto invites = p.requests("INVITE");
  REQUIRE(invites.size() == 2);
  const auto& first = invites[0]->msg;
  const auto& second = invites[1]->msg;
  CHECK(first.find(sip::header_id::proxy_authorization) == nullptr);
  // 22.2: the same call, CSeq plus one, a new transaction.
  CHECK(second.call_id() == first.call_id());
  CHECK(from_tag_of(second) == from_tag_of(first));
  CHECK(!from_tag_of(first).empty());
  CHECK(second.request_uri() == first.request_uri());
  CHECK(first.value(sip::header_id::cseq) == "1 INVITE");
  CHECK(second.value(sip::header_id::cseq) == "2 INVITE");
  CHECK(top_branch(second) != top_branch(first));
  CHECK(top_branch(second).starts_with("z9hG4bK"));
  CHECK(second.find(sip::header_id::authorization) == nullptr);
  REQUIRE(uas.verdict);
  INFO(uas.verdict->reason);
  CHECK(uas.verdict->ok());
  CHECK(uas.verdict->account == "alice");

  // The 407 and its copy: ACKed by the first INVITE's transaction (17.1.1.3).
  std::vector<const sip::message*> non2xx_acks, acks_2xx;
  for (const auto* a : p.requests("ACK"))
    (a->msg.value(sip::header_id::cseq) == "1 ACK" ? non2xx_acks : acks_2xx).push_back(&a->msg);
  REQUIRE(non2xx_acks.size() == 2);
  for (const auto* ack : non2xx_acks) {
    CHECK(top_branch(*ack) == top_branch(first));
    CHECK(ack->request_uri() == first.request_uri());
    CHECK(ack->find(sip::header_id::proxy_authorization) == nullptr);
  }
  REQUIRE(acks_2xx.size() == 1);
  const auto& ack = *acks_2xx.front();
  CHECK(ack.value(sip::header_id::cseq) == "2 ACK");
  CHECK(top_branch(ack) != top_branch(second));
  const auto sent = rows(second, sip::header_id::proxy_authorization);
  REQUIRE(sent.size() == 1);
  if (fault.empty()) {
    CHECK(rows(ack, sip::header_id::proxy_authorization) == sent);
    CHECK(auth::same_credentials(second, ack).same);
  } else {
    CHECK(ack.find(sip::header_id::proxy_authorization) == nullptr);
    CHECK_FALSE(auth::same_credentials(second, ack).same);
  }
  CHECK(p.requests("BYE").front()->msg.value(sip::header_id::cseq) == "3 BYE");

  // Nothing secret in the output: no password, no digest response.
  const auto out = d.out();
  CHECK(out.find("INVITE -> 407, ACK sent, INVITE again with Proxy-Authorization, INVITE -> 200, "
                 "ACK sent, BYE -> 200") != std::string::npos);
  CHECK(out.find(password) == std::string::npos);
  const auto creds = auth::parse_authorizations(second);
  REQUIRE(creds.values.size() == 1);
  CHECK(out.find(creds.values.front().response) == std::string::npos);
  CHECK(d.err().empty());
}

TEST_CASE("caller: a 401 is answered with Authorization [RFC 3261 22.2]",
          "[refdut][caller][auth]") {
  env_var user(user_var, "alice");
  env_var pw(password_var, std::string(password));
  peer p;
  challenging_uas uas(p, false, 1);
  device d(caller_to(p));
  REQUIRE(p.run_until([&] { return !p.requests("BYE").empty(); }));
  CHECK(d.join() == exit_ok);
  const auto invites = p.requests("INVITE");
  REQUIRE(invites.size() == 2);
  CHECK(invites[1]->msg.find(sip::header_id::proxy_authorization) == nullptr);
  REQUIRE(uas.verdict);
  CHECK(uas.verdict->ok());
  const auto acks = p.requests("ACK");
  REQUIRE(!acks.empty());
  const auto& ack = acks.back()->msg;
  CHECK(ack.value(sip::header_id::cseq) == "2 ACK");
  CHECK(rows(ack, sip::header_id::authorization) ==
        rows(invites[1]->msg, sip::header_id::authorization));
  CHECK(d.out().find("INVITE again with Authorization") != std::string::npos);
}

TEST_CASE("caller: without credentials in the environment a 407 ends the call as a final "
          "answer [RFC 3261 17.1.1.3]",
          "[refdut][caller][auth]") {
  env_var user(user_var, std::nullopt);
  env_var pw(password_var, std::nullopt);
  peer p;
  challenging_uas uas(p, true, 1);
  device d(caller_to(p));
  REQUIRE(p.run_until([&] { return !p.requests("ACK").empty(); }));
  d.join();
  p.run_for(50ms);
  REQUIRE(p.requests("INVITE").size() == 1);
  const auto& invite = p.requests("INVITE").front()->msg;
  REQUIRE(p.requests("ACK").size() == 1);
  CHECK(top_branch(p.requests("ACK").front()->msg) == top_branch(invite));
  CHECK(p.requests("BYE").empty());
  const auto out = d.out();
  CHECK(out.find("INVITE -> 407, ACK sent") != std::string::npos);
  CHECK(out.find("INVITE again") == std::string::npos);
}

TEST_CASE("caller: a second challenge after credentials ends the call, no loop [RFC 3261 22.2]",
          "[refdut][caller][auth]") {
  env_var user(user_var, "alice");
  env_var pw(password_var, std::string(password));
  peer p;
  challenging_uas uas(p, true, 5);
  device d(caller_to(p));
  REQUIRE(p.run_until([&] { return p.requests("ACK").size() >= 2; }));
  d.join();
  p.run_for(50ms);
  const auto invites = p.requests("INVITE");
  REQUIRE(invites.size() == 2);
  CHECK(p.requests("BYE").empty());
  // Both challenges ACKed, each in its own transaction; the second ACK repeats the credentials.
  bool second_acked = false;
  for (const auto* a : p.requests("ACK"))
    if (top_branch(a->msg) == top_branch(invites[1]->msg)) {
      second_acked = true;
      CHECK(a->msg.value(sip::header_id::cseq) == "2 ACK");
      CHECK(rows(a->msg, sip::header_id::proxy_authorization) ==
            rows(invites[1]->msg, sip::header_id::proxy_authorization));
    }
  CHECK(second_acked);
  CHECK(d.out().find("INVITE -> 407, ACK sent, challenged again after credentials, giving up") !=
        std::string::npos);
}

} // namespace sipwright::refdut::test
