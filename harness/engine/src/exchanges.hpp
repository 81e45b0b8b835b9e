#pragma once
// What the harness sent and received in one call, by transaction, so that a retransmission from
// the device is absorbed the way RFC 3261 says rather than by SIPp's "identical to the last
// message" shortcut: a retransmitted request gets the last response again (17.2.1, 17.2.2), a
// retransmitted final response gets the ACK again (17.1.1.2 for non-2xx, 13.2.2.4 for 2xx).
// Asio-free.
#include "sipwright/sip/message.hpp"
#include "sipwright/transport/endpoint.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sipwright::engine {

struct replay {
  transport::endpoint to;
  std::string bytes;
};

struct classified {
  bool retransmission = false;
  bool unknown_transaction = false;    // a response to no request this call sent
  std::optional<engine::replay> again; // what to send again for a retransmission
  std::string note;                    // for the trace
};

class exchanges {
public:
  // A message the harness sent (parsed back from its bytes) to `to`.
  void on_sent(const sip::message& msg, const transport::endpoint& to, const std::string& bytes);
  // Classifies a message from the device and remembers it.
  classified on_received(const sip::message& msg, const transport::endpoint& from);
  // Where a response goes (RFC 3261 18.2.2): back to the source of the request it answers,
  // at the sent-by port unless the Via asked for rport (RFC 3581); over TCP the connection.
  std::optional<transport::endpoint> response_destination(const sip::message& response,
                                                          bool reliable) const;

private:
  struct server_tx {
    std::string branch; // top Via branch, or for RFC 2543 peers the CSeq and Call-ID
    std::string method; // of the request (ACK kept apart from INVITE)
    transport::endpoint source;
    bool rport = false;
    std::uint16_t sent_by_port = 5060;
    std::optional<engine::replay> last_response;
  };
  struct client_tx {
    std::string branch;
    std::string method;
    std::string call_id;
    std::uint32_t cseq = 0;
    std::vector<std::pair<int, std::string>> seen; // status and To tag of responses received
    std::vector<std::pair<std::string, engine::replay>> acks; // To tag -> ACK sent
  };
  server_tx* find_server(std::string_view branch, std::string_view method);
  const server_tx* find_server(std::string_view branch, std::string_view method) const;
  client_tx* find_client(std::string_view branch, std::string_view method);

  std::vector<server_tx> servers_;
  std::vector<client_tx> clients_;
};

// The transaction id this harness uses for a message: the top Via branch when it has the magic
// cookie (RFC 3261 17.2.3), else Call-ID, CSeq number and From tag (the RFC 2543 fallback).
std::string transaction_id(const sip::message& msg);

} // namespace sipwright::engine
