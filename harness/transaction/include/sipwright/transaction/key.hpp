#pragma once
// Transaction keys: which transaction a message belongs to (RFC 3261 17.1.3 and 17.2.3).
// Keys own their strings, so they outlive the message they were computed from.
#include "sipwright/sip/message.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace sipwright::transaction {

inline constexpr std::string_view magic_cookie = "z9hG4bK";

// 17.1.3: a response matches a client transaction by the top Via branch and the CSeq method.
struct client_key {
  std::string branch;
  std::string method;
  bool operator==(const client_key&) const = default;
};

// Of the request that creates a client transaction, or of a response to match against one.
// Nothing when the message has no top Via with a branch, or no CSeq.
std::optional<client_key> client_key_of(const sip::message& msg);

// 17.2.3: a request matches a server transaction by branch (with the magic cookie), sent-by and
// method, an ACK counting as INVITE. Without the cookie (RFC 2543 peers), by Request-URI, To tag,
// From tag, Call-ID, CSeq and top Via; an ACK then carries the To tag of the server's response.
struct server_key {
  bool rfc2543 = false;
  // RFC 3261 key
  std::string branch;
  std::string sent_by; // host (lowercased) and ":port" when present
  std::string method;  // ACK becomes INVITE
  // RFC 2543 key
  std::string request_uri;
  std::string to_tag;
  std::string from_tag;
  std::string call_id;
  std::string cseq;    // number and method, ACK becomes INVITE
  std::string top_via; // the whole top Via element as seen
  bool operator==(const server_key&) const = default;
};

// Of a received request. Nothing when the request lacks a parseable top Via or CSeq.
std::optional<server_key> server_key_of(const sip::message& request);

// The key an ACK for the INVITE keyed `invite` carries once the server answered with a final
// response whose To tag is `response_to_tag`: only the RFC 2543 key changes (17.2.3).
server_key ack_key_for(const server_key& invite, std::string_view response_to_tag);

} // namespace sipwright::transaction
