#include "sipwright/dialog/dialog.hpp"

namespace sipwright::dialog {

namespace {

std::string tag_or_empty(const sip::name_addr& na) {
  auto t = na.tag();
  return t ? std::string(*t) : std::string();
}

bool is_target_refresh(std::string_view method) {
  // RFC 3261 12.2 (and RFC 3311 5.1 for UPDATE): requests that refresh the remote target.
  return method == "INVITE" || method == "UPDATE";
}

// The checks shared by both creation paths: an INVITE and a response that may create a
// dialog, with the same Call-ID. Returns the Call-ID.
result<std::string> check_creation(const sip::message& request, const sip::message& response) {
  // RFC 3261 12.1: here only INVITE creates dialogs.
  if (!request.is_request() || request.method() != "INVITE")
    return error{error_code::not_invite, "dialog-creating request must be an INVITE, got \"" +
                                             std::string(request.method()) + "\" (RFC 3261 12.1)"};
  int code = response.status_code();
  // RFC 3261 12.1: only 101-199 (with a To tag) and 2xx responses create a dialog.
  if (!response.is_response() || code <= 100 || code >= 300)
    return error{error_code::not_dialog_creating,
                 "status " + std::to_string(code) +
                     " creates no dialog: expected 101-199 or 2xx (RFC 3261 12.1)"};
  auto call_id = request.call_id();
  if (!call_id)
    return error{error_code::no_call_id,
                 "request has no parsable Call-ID (RFC 3261 8.1.1.4, 12.1)"};
  auto response_call_id = response.call_id();
  if (!response_call_id)
    return error{error_code::no_call_id,
                 "response has no parsable Call-ID (RFC 3261 8.2.6.2, 12.1)"};
  if (*response_call_id != *call_id)
    return error{error_code::call_id_mismatch, "response Call-ID \"" +
                                                   std::string(*response_call_id) +
                                                   "\" differs from the request's \"" +
                                                   std::string(*call_id) + "\" (RFC 3261 8.2.6.2)"};
  return std::string(*call_id);
}

std::optional<dialog_id> id_of(const sip::message& msg, bool local_is_to) {
  auto call_id = msg.call_id();
  auto from = msg.from();
  auto to = msg.to();
  if (!call_id || !from || !to) return std::nullopt;
  dialog_id id{std::string(*call_id), tag_or_empty(*from), tag_or_empty(*to)};
  if (local_is_to) std::swap(id.local_tag, id.remote_tag);
  return id;
}

} // namespace

std::optional<dialog_id> id_of_received_request(const sip::message& request) {
  // RFC 3261 12.2.2: local tag = To tag, remote tag = From tag.
  return id_of(request, true);
}

std::optional<dialog_id> id_of_received_response(const sip::message& response) {
  // RFC 3261 12.2.1.2: local tag = From tag, remote tag = To tag.
  return id_of(response, false);
}

std::string_view to_string(dialog_state s) {
  switch (s) {
  case dialog_state::early:
    return "early";
  case dialog_state::confirmed:
    return "confirmed";
  case dialog_state::terminated:
    return "terminated";
  }
  return "unknown";
}

std::string_view to_string(update_result r) {
  switch (r) {
  case update_result::accepted:
    return "accepted";
  case update_result::out_of_order:
    return "out-of-order";
  case update_result::wrong_dialog:
    return "wrong-dialog";
  case update_result::bad_cseq:
    return "bad-cseq";
  case update_result::bad_contact:
    return "bad-contact";
  case update_result::bad_route_set:
    return "bad-route-set";
  case update_result::terminated:
    return "terminated";
  }
  return "unknown";
}

result<dialog> dialog::create_uac(const sip::message& request, const sip::message& response,
                                  bool over_tls) {
  auto call_id = check_creation(request, response);
  if (!call_id) return call_id.err();
  auto from = request.from();
  if (!from) return error{error_code::bad_from, "request has no parsable From (RFC 3261 8.1.1.3)"};
  auto local_tag = from->tag();
  // RFC 3261 8.1.1.3: the UAC puts a tag in From; it is the local tag (12.1.2).
  if (!local_tag || local_tag->empty())
    return error{error_code::no_from_tag, "request From has no tag (RFC 3261 8.1.1.3)"};
  auto request_to = request.to();
  if (!request_to)
    return error{error_code::bad_to, "request has no parsable To (RFC 3261 8.1.1.2)"};
  auto to = response.to();
  if (!to) return error{error_code::bad_to, "response has no parsable To (RFC 3261 8.2.6.2)"};
  auto remote_tag = to->tag();
  // RFC 3261 12.1.2: the remote tag is the To tag of the response (8.2.6.2: the UAS adds one).
  if (!remote_tag || remote_tag->empty())
    return error{error_code::no_to_tag,
                 "response To has no tag: no dialog without a remote tag (RFC 3261 12.1.2)"};
  auto cseq = request.cseq();
  if (!cseq) return error{error_code::bad_cseq, "request has no parsable CSeq (RFC 3261 8.1.1.5)"};
  // RFC 3261 12.1.2: remote target = the Contact of the response.
  auto target = contact_uri_of(response);
  if (!target) return target.err();
  // RFC 3261 12.1.2: route set = the response's Record-Route in reverse order.
  auto routes = route_set_of(response, true);
  if (!routes) return routes.err();

  dialog d;
  d.role_ = role::uac;
  d.state_ = response.status_code() >= 200 ? dialog_state::confirmed : dialog_state::early;
  d.id_ = {std::move(call_id).value(), std::string(*local_tag), std::string(*remote_tag)};
  d.route_set_ = std::move(routes).value();
  d.remote_target_ = std::move(target).value();
  // RFC 3261 12.1.2: local URI = From, remote URI = To of the request.
  d.local_uri_ = from->address.text;
  d.remote_uri_ = request_to->address.text;
  // RFC 3261 12.1.2: local CSeq = the request's, remote CSeq empty.
  d.local_cseq_ = cseq->number;
  d.invite_cseq_ = cseq->number;
  auto ruri = request.parsed_request_uri();
  // RFC 3261 12.1.2: secure when sent over TLS to a SIPS Request-URI.
  d.secure_ = over_tls && ruri && ruri->is_sips;
  return d;
}

result<dialog> dialog::create_uas(const sip::message& request, const sip::message& response,
                                  bool over_tls) {
  auto call_id = check_creation(request, response);
  if (!call_id) return call_id.err();
  auto from = request.from();
  if (!from) return error{error_code::bad_from, "request has no parsable From (RFC 3261 8.1.1.3)"};
  auto request_to = request.to();
  if (!request_to)
    return error{error_code::bad_to, "request has no parsable To (RFC 3261 8.1.1.2)"};
  auto to = response.to();
  if (!to) return error{error_code::bad_to, "response has no parsable To (RFC 3261 8.2.6.2)"};
  auto local_tag = to->tag();
  // RFC 3261 12.1.1: the local tag is the To tag of the response the UAS sends.
  if (!local_tag || local_tag->empty())
    return error{error_code::no_to_tag,
                 "response To has no tag: a dialog-creating response needs one (RFC 3261 12.1.1)"};
  auto cseq = request.cseq();
  if (!cseq) return error{error_code::bad_cseq, "request has no parsable CSeq (RFC 3261 8.1.1.5)"};
  // RFC 3261 12.1.1: remote target = the Contact of the request.
  auto target = contact_uri_of(request);
  if (!target) return target.err();
  // RFC 3261 12.1.1: route set = the request's Record-Route in order.
  auto routes = route_set_of(request, false);
  if (!routes) return routes.err();

  dialog d;
  d.role_ = role::uas;
  d.state_ = response.status_code() >= 200 ? dialog_state::confirmed : dialog_state::early;
  // RFC 3261 12.1.1: remote tag = From tag, null when the From has none.
  d.id_ = {std::move(call_id).value(), std::string(*local_tag), tag_or_empty(*from)};
  d.route_set_ = std::move(routes).value();
  d.remote_target_ = std::move(target).value();
  // RFC 3261 12.1.1: remote URI = From, local URI = To of the request.
  d.remote_uri_ = from->address.text;
  d.local_uri_ = request_to->address.text;
  // RFC 3261 12.1.1: remote CSeq = the request's, local CSeq empty.
  d.remote_cseq_ = cseq->number;
  auto ruri = request.parsed_request_uri();
  // RFC 3261 12.1.1: secure when it arrived over TLS with a SIPS Request-URI.
  d.secure_ = over_tls && ruri && ruri->is_sips;
  return d;
}

request_target dialog::target() const {
  // Creation validated every route, so the first one parses.
  return target_for(route_set_, remote_target_).value_or(request_target{remote_target_, {}});
}

std::optional<std::uint32_t> dialog::next_cseq(std::string_view method, std::uint32_t initial) {
  // RFC 3261 13.2.2.4 (ACK), 9.1 (CANCEL): the same number as the INVITE.
  if (method == "ACK" || method == "CANCEL") return invite_cseq_;
  // RFC 3261 12.2.1.1: one more than the local CSeq; chosen as in 8.1.1.5 when empty.
  std::uint32_t number = local_cseq_ ? *local_cseq_ + 1 : initial;
  local_cseq_ = number;
  if (method == "INVITE") invite_cseq_ = number;
  return number;
}

update_result dialog::on_request_received(const sip::message& request) {
  if (state_ == dialog_state::terminated) return update_result::terminated;
  auto id = id_of_received_request(request);
  if (!id || *id != id_) return update_result::wrong_dialog;
  auto cseq = request.cseq();
  if (!cseq) return update_result::bad_cseq;
  // RFC 3261 12.2.2: a CSeq lower than the remote CSeq is out of order (answered with 500).
  if (remote_cseq_ && cseq->number < *remote_cseq_) return update_result::out_of_order;
  std::optional<std::string> new_target;
  // RFC 3261 12.2.2: a target refresh with a Contact replaces the remote target.
  if (is_target_refresh(request.method()) && request.find(sip::header_id::contact)) {
    auto target = contact_uri_of(request);
    if (!target) return update_result::bad_contact;
    new_target = std::move(target).value();
  }
  // RFC 3261 12.2.2: the remote CSeq takes the request's number.
  remote_cseq_ = cseq->number;
  if (new_target) remote_target_ = std::move(*new_target);
  return update_result::accepted;
}

update_result dialog::on_response_received(const sip::message& response) {
  if (state_ == dialog_state::terminated) return update_result::terminated;
  auto id = id_of_received_response(response);
  if (!id || *id != id_) return update_result::wrong_dialog;
  auto cseq = response.cseq();
  if (!cseq) return update_result::bad_cseq;
  int code = response.status_code();
  if (code < 200) return update_result::accepted;
  if (code >= 300) {
    // RFC 3261 12.3: a non-2xx final response to the INVITE ends an early dialog.
    if (state_ == dialog_state::early && cseq->method == "INVITE")
      state_ = dialog_state::terminated;
    // RFC 3261 12.2.1.2: 481 or 408 to a request within the dialog ends it.
    if (code == 481 || code == 408) state_ = dialog_state::terminated;
    return update_result::accepted;
  }
  if (cseq->method == "INVITE" && state_ == dialog_state::early) {
    // RFC 3261 12.1.2, 13.2.2.4: the 2xx confirms the dialog; route set and remote target are
    // re-computed from it.
    auto routes = route_set_of(response, true);
    if (!routes) return update_result::bad_route_set;
    auto target = contact_uri_of(response);
    if (!target) return update_result::bad_contact;
    route_set_ = std::move(routes).value();
    remote_target_ = std::move(target).value();
    state_ = dialog_state::confirmed;
    return update_result::accepted;
  }
  // RFC 3261 12.2.1.2: a 2xx to a target refresh with a Contact replaces the remote target.
  if (is_target_refresh(cseq->method) && response.find(sip::header_id::contact)) {
    auto target = contact_uri_of(response);
    if (!target) return update_result::bad_contact;
    remote_target_ = std::move(target).value();
  }
  return update_result::accepted;
}

update_result dialog::on_response_sent(const sip::message& response) {
  if (state_ == dialog_state::terminated) return update_result::terminated;
  // A response carries the request's From and To: local tag in To, remote tag in From.
  auto id = id_of_received_request(response);
  if (!id || *id != id_) return update_result::wrong_dialog;
  auto cseq = response.cseq();
  if (!cseq) return update_result::bad_cseq;
  int code = response.status_code();
  if (cseq->method == "INVITE" && state_ == dialog_state::early) {
    // RFC 3261 12.1.1: a 2xx confirms the dialog; 12.3: a non-2xx final response ends it.
    if (code >= 200 && code < 300)
      state_ = dialog_state::confirmed;
    else if (code >= 300)
      state_ = dialog_state::terminated;
  }
  return update_result::accepted;
}

} // namespace sipwright::dialog
