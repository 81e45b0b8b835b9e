#pragma once
// The state of one call, per role (internal to the user agent's .cpp files).
#include "user_agent.hpp"

#include "sipwright/auth/client.hpp"

#include <cstdint>

namespace sipwright::refdut::detail {

// The device as callee: one INVITE it answers (RFC 3261 13.3).
struct user_agent::callee_call {
  int number = 0;
  sip::message invite;
  transport::endpoint peer;
  transaction::server_key key;
  std::string call_id;
  std::string remote_tag; // the INVITE's From tag
  std::string local_tag;  // the To tag of the device's responses
  int status = 0;         // the final answer chosen
  bool final_sent = false;
  std::unique_ptr<transaction_runner> txn; // the INVITE server transaction (17.2.1)
  std::string final_bytes;                 // the 2xx, retransmitted by the UAS core (13.3.1.4)
  std::optional<dialog::dialog> dlg;
  bool acked = false;
  bool bye_sent = false;
  bool finished = false;
  scheduler::timer_id ring_timer = 0;
  scheduler::timer_id retransmit_timer = 0;
  scheduler::timer_id give_up_timer = 0;
  std::chrono::milliseconds interval{0};
  std::vector<std::string> events; // for the call's log line
};

// The device as caller: the one call it places (RFC 3261 13.2).
struct user_agent::caller_call {
  // Fixed for every INVITE of the call (22.2: the same Call-ID, From tag and Request-URI).
  std::string request_uri;
  std::string from;
  std::string call_id;
  std::string body;    // the offer, or "" with a late offer
  sip::message invite; // the current INVITE
  std::string branch;  // its branch
  std::uint32_t cseq = 1;
  bool offer_in_invite = true;
  std::unique_ptr<transaction_runner> txn; // the INVITE client transaction (17.1.1)
  int attempt = 0;                         // which INVITE transaction txn is (1, 2)
  // 22.2, 22.3: the digest state, and whether an INVITE with credentials went out.
  auth::digest_client digest;
  bool credentials_sent = false;
  // The challenged INVITE's transaction, still ACKing copies of the 401/407 until Timer D.
  std::unique_ptr<transaction_runner> challenged_txn;
  std::string challenged_branch;
  std::optional<dialog::dialog> dlg; // confirmed by the first 2xx
  std::string to_tag;                // of that 2xx
  std::string ack;                   // the ACK of that 2xx, sent again for each copy
  int acks_2xx = 0;
  int final_status = 0;
  bool completed = false;
  bool finished = false;
  bool bye_sent = false;
  scheduler::timer_id hangup_timer = 0;
  std::string transport_failure; // what the transport reported, if it failed
  std::vector<std::string> events;
};

} // namespace sipwright::refdut::detail
