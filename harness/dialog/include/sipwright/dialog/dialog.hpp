#pragma once
// A dialog's state (RFC 3261 section 12): id, route set, remote target, CSeq numbers, local and
// remote URI, secure flag. Sans-I/O: fed with parsed messages, it owns copies of every value.
#include "sipwright/dialog/error.hpp"
#include "sipwright/dialog/routing.hpp"
#include "sipwright/sip/message.hpp"

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sipwright::dialog {

// RFC 3261 12: Call-ID, local tag and remote tag identify a dialog.
struct dialog_id {
  std::string call_id;
  std::string local_tag;
  std::string remote_tag; // may be empty: a UAS accepts a From without tag (RFC 3261 12.1.1)
  friend auto operator<=>(const dialog_id&, const dialog_id&) = default;
};

// The id of the dialog a received request belongs to: Call-ID, To tag = local, From tag =
// remote (RFC 3261 12.2.2). nullopt without a parsable Call-ID, From or To.
std::optional<dialog_id> id_of_received_request(const sip::message& request);
// The id of the dialog a received response belongs to: Call-ID, From tag = local, To tag =
// remote (RFC 3261 12.2.1.2). nullopt without a parsable Call-ID, From or To.
std::optional<dialog_id> id_of_received_response(const sip::message& response);

enum class dialog_state : std::uint8_t { early, confirmed, terminated };
enum class role : std::uint8_t { uac, uas };

std::string_view to_string(dialog_state s);

// What happened to a message given to the dialog.
enum class update_result : std::uint8_t {
  accepted,      // applied (or nothing to change)
  out_of_order,  // CSeq lower than the remote CSeq: answer 500 (RFC 3261 12.2.2)
  wrong_dialog,  // the message's dialog id is not this dialog's
  bad_cseq,      // missing or unparsable CSeq
  bad_contact,   // a target refresh with a Contact that is not one SIP/SIPS URI
  bad_route_set, // a confirming 2xx whose Record-Route does not parse
  terminated,    // the dialog is terminated; nothing applied
};

std::string_view to_string(update_result r);

class dialog {
public:
  // UAC side (RFC 3261 12.1.2): from the INVITE sent and a 101-199 response with a To tag
  // (early) or a 2xx (confirmed). over_tls: the request was sent over TLS.
  static result<dialog> create_uac(const sip::message& request, const sip::message& response,
                                   bool over_tls);
  // UAS side (RFC 3261 12.1.1): from the INVITE received and the 101-199 (with To tag) or
  // 2xx response sent. over_tls: the request arrived over TLS.
  static result<dialog> create_uas(const sip::message& request, const sip::message& response,
                                   bool over_tls);

  const dialog_id& id() const { return id_; }
  dialog_state state() const { return state_; }
  sipwright::dialog::role role() const { return role_; }
  const std::vector<std::string>& route_set() const { return route_set_; }
  const std::string& remote_target() const { return remote_target_; }
  const std::string& local_uri() const { return local_uri_; }
  const std::string& remote_uri() const { return remote_uri_; }
  std::optional<std::uint32_t> local_cseq() const { return local_cseq_; }
  std::optional<std::uint32_t> remote_cseq() const { return remote_cseq_; }
  bool secure() const { return secure_; }

  // Request-URI and Route values of the next request within the dialog (RFC 3261 12.2.1.1).
  request_target target() const;
  // CSeq number for a new request with `method` (RFC 3261 12.2.1.1): the local CSeq plus one
  // (`initial` when it is empty), recorded; ACK and CANCEL reuse the last INVITE's number
  // (RFC 3261 13.2.2.4, 9.1), nullopt when this side sent no INVITE.
  std::optional<std::uint32_t> next_cseq(std::string_view method, std::uint32_t initial = 1);

  // A request received within the dialog (RFC 3261 12.2.2): id match, remote CSeq check and
  // record, remote target replaced by the Contact of a target refresh (INVITE, UPDATE).
  update_result on_request_received(const sip::message& request);
  // A response received to a request this side sent: an early dialog confirmed by a 2xx to
  // INVITE re-computes route set and remote target (RFC 3261 12.1.2, 13.2.2.4); a 2xx to a
  // target refresh replaces the remote target (12.2.1.2); a non-2xx final to the INVITE ends
  // an early dialog (12.3); 481 or 408 ends a confirmed one (12.2.1.2).
  update_result on_response_received(const sip::message& response);
  // A response this side sent: a 2xx to INVITE confirms an early dialog, a non-2xx final
  // response to INVITE ends it (RFC 3261 12.1.1, 12.3).
  update_result on_response_sent(const sip::message& response);

  void terminate() { state_ = dialog_state::terminated; }

private:
  dialog() = default;

  dialog_id id_;
  dialog_state state_ = dialog_state::early;
  sipwright::dialog::role role_ = role::uac;
  std::vector<std::string> route_set_;
  std::string remote_target_;
  std::string local_uri_;
  std::string remote_uri_;
  std::optional<std::uint32_t> local_cseq_;
  std::optional<std::uint32_t> remote_cseq_;
  std::optional<std::uint32_t> invite_cseq_; // the last INVITE this side sent, for ACK/CANCEL
  bool secure_ = false;
};

} // namespace sipwright::dialog
