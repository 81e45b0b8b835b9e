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

// The device as registrar: one binding of an address-of-record (RFC 3261 10.3 step 7).
struct user_agent::binding {
  std::string uri;     // the Contact URI, compared to refresh or remove the binding
  std::string contact; // the Contact value as registered, its parameters but expires kept
  std::string call_id; // of the REGISTER that last updated it, with its CSeq
  std::uint32_t cseq = 0;
  std::chrono::steady_clock::time_point expires_at;
};

// The device as notifier: one subscription to message-summary and its dialog (RFC 6665 4.2,
// 4.4.1).
struct user_agent::subscription {
  int number = 0;
  std::string call_id;
  std::string local_tag;           // the To tag of the device's 200
  std::string remote_tag;          // the SUBSCRIBE's From tag
  std::string local;               // the NOTIFY's From: the SUBSCRIBE's To, with local_tag
  std::string remote;              // the NOTIFY's To: the SUBSCRIBE's From
  std::string event;               // the Event value of the subscription (package and id)
  std::string request_uri;         // the remote target (the SUBSCRIBE's Contact) or first route
  std::vector<std::string> routes; // the route set (12.1.1), as Route values
  transport::endpoint peer;
  std::uint32_t local_cseq = 0;
  std::uint32_t remote_cseq = 0;
  std::chrono::seconds granted{0};
  std::chrono::steady_clock::time_point expires_at;
  scheduler::timer_id expiry_timer = 0;
  bool terminated = false;
  std::vector<std::string> events; // for the subscription's log line
};

} // namespace sipwright::refdut::detail
