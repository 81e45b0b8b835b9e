// Dispatch of what arrives, and what the UAS and UAC cores share: non-INVITE server
// transactions (RFC 3261 17.2.2), requests outside any dialog (8.2), non-INVITE client
// transactions (17.1.2).
#include "user_agent.hpp"

#include "calls.hpp"
#include "messages.hpp"

#include <cstdlib>
#include <ostream>

namespace sipwright::refdut::detail {

using sip::header_id;

user_agent::user_agent(ua_config config, scheduler& sched, transport::transport& tp,
                       std::ostream& out, std::function<void(int)> done)
    : cfg_(std::move(config)), sched_(sched), tp_(tp), out_(out), done_(std::move(done)) {}

user_agent::~user_agent() = default;

void user_agent::log_line(const std::string& line) {
  out_ << line << std::endl; // flushed: a harness or a test reads it while the device runs
}

std::string user_agent::contact(std::string_view user) const {
  return "<" + sip_uri(user, local(), cfg_.proto) + ">";
}

void user_agent::apply_body_faults(std::string& bytes) const {
  const auto head_end = bytes.find("\r\n\r\n");
  if (head_end == std::string::npos || head_end + 4 == bytes.size()) return; // no body
  if (cfg_.faults.has(fault::no_content_type)) remove_header(bytes, "Content-Type");
  if (cfg_.faults.has(fault::bad_content_length)) skew_content_length(bytes, -4);
}

void user_agent::on_message(transport::received&& r) {
  if (r.msg.is_request())
    on_request(r);
  else
    on_response(r);
}

void user_agent::on_transport_error(const transport::endpoint& peer, const std::string& what) {
  out_ << "refdut: transport error with " << peer.str() << ": " << what << std::endl;
  // 17.1.1.2: the INVITE client transaction learns of it and gives up.
  if (caller_ && caller_->txn && peer == caller_->txn->peer()) {
    caller_->transport_failure = what;
    caller_->txn->handle(transaction::input::transport_error);
  }
}

void user_agent::on_request(transport::received& r) {
  const auto& msg = r.msg;
  const auto method = msg.method();
  const auto key = transaction::server_key_of(msg);
  if (!key) return; // no Via or CSeq to answer along: nothing can be sent back (8.2.6.2)
  if (method == "ACK") {
    on_ack(r);
    return;
  }
  // 17.2.3: a retransmission of a request a server transaction already has.
  for (auto& s : servers_)
    if (s.key == *key) {
      s.txn->handle(transaction::input::recv_request);
      return;
    }
  if (method != "INVITE" && msg.has_errors()) {
    respond(msg, r.from, 400); // 8.2: a request the device cannot make sense of
    return;
  }
  if (method == "CANCEL") {
    on_cancel(r);
    return;
  }
  const auto to = msg.to();
  const bool in_dialog = to && to->tag() && !to->tag()->empty();
  // A BYE without To tag still ends a call whose responses lacked one (fault no-to-tag).
  if (in_dialog || method == "BYE") {
    if (on_in_dialog_request(r) || caller_in_dialog_request(r) || notifier_in_dialog_request(r))
      return;
    respond(msg, r.from, 481); // 12.2.2: no dialog of this id
    return;
  }
  if (method == "INVITE") {
    on_invite(r);
    return;
  }
  answer_out_of_dialog(msg, r.from);
}

namespace {
constexpr std::string_view allowed = "INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER, SUBSCRIBE";
bool known_method(std::string_view m) {
  for (std::string_view k : {"PRACK", "NOTIFY", "PUBLISH", "INFO", "REFER", "MESSAGE", "UPDATE"})
    if (m == k) return true;
  return false;
}
} // namespace

void user_agent::answer_out_of_dialog(const sip::message& req, const transport::endpoint& peer) {
  const auto method = req.method();
  if (method == "OPTIONS") { // 11.2
    auto b = response_to(req, 200, new_tag());
    b.header("Allow", allowed).header("Accept", "application/sdp");
    b.header("Allow-Events", "message-summary"); // RFC 6665 4.4.4
    respond(req, peer, b.str());
  } else if (method == "REGISTER") {
    on_register(req, peer);
  } else if (method == "SUBSCRIBE") {
    on_subscribe(req, peer);
  } else if (method == "BYE") {
    respond(req, peer, 481); // 15.1.2: a BYE outside any dialog
  } else if (known_method(method)) {
    auto b = response_to(req, 405, new_tag()); // 8.2.1: Allow lists what is supported
    b.header("Allow", allowed);
    respond(req, peer, b.str());
  } else {
    respond(req, peer, 501); // 8.2.1: a method the device does not know
  }
}

void user_agent::respond(const sip::message& req, const transport::endpoint& peer, int status) {
  const auto to = req.to();
  const bool tagged = to && to->tag();
  auto b = response_to(req, status, tagged ? "" : new_tag());
  if (status == 405) b.header("Allow", allowed);
  respond(req, peer, b.str());
}

void user_agent::respond(const sip::message& req, const transport::endpoint& peer,
                         std::string bytes) {
  auto key = transaction::server_key_of(req);
  if (!key) return;
  const int status = std::atoi(bytes.c_str() + 8); // "SIP/2.0 NNN"
  auto& s = servers_.emplace_back();
  s.key = std::move(*key);
  auto* entry = &s; // list entries stay where they are
  const bool invite = req.method() == "INVITE";
  s.txn = std::make_unique<transaction_runner>(
      invite ? transaction::kind::invite_server : transaction::kind::non_invite_server, cfg_.timers,
      sched_, tp_, peer, transaction_runner::hooks{{}, [this, entry] {
                                                     const auto* t = entry->txn.get();
                                                     sched_.post([this, t] { erase_server(t); });
                                                   }});
  s.txn->response = std::move(bytes);
  s.txn->start();
  s.txn->handle(transaction::tu_response(status));
}

void user_agent::erase_server(const transaction_runner* t) {
  servers_.remove_if([t](const server_txn& s) { return s.txn.get() == t; });
}

void user_agent::erase_client(const transaction_runner* t) {
  clients_.remove_if([t](const client_txn& c) { return c.txn.get() == t; });
}

void user_agent::send_request(const transport::endpoint& peer, std::string bytes,
                              std::function<void(const sip::message&)> on_response,
                              std::function<void()> on_timeout) {
  auto key = transaction::client_key_of(parse_own(bytes));
  if (!key) return;
  auto& c = clients_.emplace_back();
  c.key = std::move(*key);
  c.on_response = std::move(on_response);
  c.on_timeout = std::move(on_timeout);
  auto* entry = &c;
  c.txn = std::make_unique<transaction_runner>(
      transaction::kind::non_invite_client, cfg_.timers, sched_, tp_, peer,
      transaction_runner::hooks{[entry] {
                                  if (entry->on_timeout) entry->on_timeout();
                                },
                                [this, entry] {
                                  const auto* t = entry->txn.get();
                                  sched_.post([this, t] { erase_client(t); });
                                }});
  c.txn->request = std::move(bytes);
  c.txn->start();
}

void user_agent::on_response(transport::received& r) {
  const auto& msg = r.msg;
  const auto key = transaction::client_key_of(msg);
  if (!key) return;
  // 17.1.3: the INVITE client transaction of the caller (or the UAC core once it is gone:
  // 13.2.2.4, a 2xx retransmitted late).
  if (caller_ && key->method == "INVITE" && key->branch == caller_->branch) {
    on_invite_response(msg);
    return;
  }
  if (on_challenged_invite_response(*key, msg)) return;
  for (auto& c : clients_)
    if (c.key == *key) {
      if (c.txn->handle(transaction::recv_response(msg.status_code())) && c.on_response)
        c.on_response(msg);
      return;
    }
}

} // namespace sipwright::refdut::detail
