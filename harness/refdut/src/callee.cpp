// The UAS core of the reference device (RFC 3261 13.3, 8.2): answers INVITEs with 100, 180 and a
// final response chosen by the Request-URI user or --answer; retransmits its 2xx from T1
// doubling to T2 until the ACK and ends an unACKed call with BYE after 64*T1 (13.3.1.4); a
// non-2xx goes through the INVITE server transaction (Timer G/H/I, 17.2.1); CANCEL per 9.2;
// in-dialog requests per 12.2.2.
#include "calls.hpp"
#include "messages.hpp"
#include "user_agent.hpp"

#include "sipwright/dialog/routing.hpp"
#include "sipwright/sip/charclass.hpp"

#include <algorithm>

namespace sipwright::refdut::detail {

using sip::header_id;
using transaction::input;

namespace {

// The Request-URI user chooses the answer, so one device serves a whole suite.
int answer_for(const sip::message& invite, int fallback) {
  const auto uri = invite.parsed_request_uri();
  const std::string user = uri ? sip::unescape(uri->user) : std::string();
  if (user == "380" || user.starts_with("alt-")) return 380;
  if (user == "486" || user == "busy") return 486;
  if (user == "503") return 503;
  if (user == "200") return 200;
  return fallback;
}

bool has_sdp(const sip::message& m) {
  const auto ct = m.content_type();
  return !m.body().empty() && ct && sip::chars::iequals(ct->subtype, "sdp");
}

// Fault response-wrong-cseq: the CSeq number of the request plus one.
void wrong_cseq(std::string& bytes, const sip::message& request) {
  const auto cseq = request.cseq();
  if (!cseq) return;
  remove_header(bytes, "CSeq");
  bytes.insert(bytes.find("\r\n") + 2, "CSeq: " + std::to_string(cseq->number + 1) + " " +
                                           std::string(cseq->method) + "\r\n");
}

std::string joined(const std::vector<std::string>& parts) {
  std::string s;
  for (const auto& p : parts) s.append(s.empty() ? "" : ", ").append(p);
  return s;
}

} // namespace

user_agent::callee_call* user_agent::find_call(const sip::message& msg) {
  const auto call_id = msg.call_id();
  const auto from = msg.from();
  if (!call_id || !from) return nullptr;
  const std::string_view remote_tag = from->tag().value_or("");
  for (auto& c : calls_)
    if (c->call_id == *call_id && c->remote_tag == remote_tag) return c.get();
  return nullptr;
}

void user_agent::on_invite(transport::received& r) {
  const auto key = transaction::server_key_of(r.msg);
  // 17.2.3: a retransmitted INVITE belongs to its transaction (absorbed once it is gone).
  for (auto& c : calls_)
    if (c->key == *key) {
      if (c->txn) c->txn->handle(input::recv_request);
      return;
    }
  const auto call_id = r.msg.call_id();
  const auto from = r.msg.from();
  if (!call_id || !from || !r.msg.to() || !r.msg.cseq()) {
    respond(r.msg, r.from, 400); // 8.1.1: the headers a dialog needs
    return;
  }
  auto owned = std::make_unique<callee_call>();
  auto& c = *owned;
  calls_.push_back(std::move(owned));
  c.number = ++call_numbers_;
  c.invite = r.msg;
  c.peer = r.from;
  c.key = *key;
  c.call_id = std::string(*call_id);
  c.remote_tag = std::string(from->tag().value_or(""));
  c.local_tag = new_tag();
  c.status = answer_for(c.invite, cfg_.answer);
  const int number = c.number;
  c.txn = std::make_unique<transaction_runner>(
      transaction::kind::invite_server, cfg_.timers, sched_, tp_, c.peer,
      transaction_runner::hooks{[this, number] { // Timer H: no ACK for the final non-2xx (17.2.1)
                                  for (auto& x : calls_)
                                    if (x->number == number)
                                      finish(*x, x->acked ? "Timer H" : "no ACK (Timer H)");
                                },
                                [this, number] {
                                  sched_.post([this, number] {
                                    for (auto& x : calls_)
                                      if (x->number == number) x->txn.reset();
                                  });
                                }});
  c.txn->suppress_timer_g = cfg_.faults.has(fault::no_timer_g);
  c.txn->start();
  // 100 Trying (8.2.6.1), then 180 Ringing, which creates the early dialog (12.1.1).
  c.txn->response = response_to(c.invite, 100, "").str();
  c.txn->handle(input::tu_1xx);
  auto ringing = response_to(c.invite, 180, cfg_.faults.has(fault::no_to_tag) ? "" : c.local_tag);
  if (!cfg_.faults.has(fault::drop_record_route_2xx))
    for (const auto& rr : rows_of(c.invite, header_id::record_route))
      ringing.header("Record-Route", rr);
  ringing.header("Contact", contact("refdut-callee"));
  std::string bytes = ringing.str();
  if (cfg_.faults.has(fault::wrong_cseq)) wrong_cseq(bytes, c.invite);
  c.txn->response = std::move(bytes);
  c.txn->handle(input::tu_1xx);
  if (cfg_.ring.count() > 0)
    c.ring_timer = sched_.after(cfg_.ring, [this, number] {
      for (auto& x : calls_)
        if (x->number == number) {
          x->ring_timer = 0;
          send_final(*x);
        }
    });
  else
    send_final(c);
}

std::string user_agent::build_final(callee_call& c) {
  const bool no_tag = cfg_.faults.has(fault::no_to_tag);
  auto b = response_to(c.invite, c.status, no_tag ? "" : c.local_tag);
  if (c.status < 300) {
    // 12.1.1: the Record-Route is copied, the Contact names where the device is reached (a URI
    // other than the Request-URI, so that an ACK sent to the wrong one shows).
    if (!cfg_.faults.has(fault::drop_record_route_2xx))
      for (const auto& rr : rows_of(c.invite, header_id::record_route))
        b.header("Record-Route", rr);
    if (!cfg_.faults.has(fault::no_contact_2xx)) b.header("Contact", contact("refdut-callee"));
    b.header("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS");
    // 13.3.1: an answer to the INVITE's offer, or an offer when it had none (13.2.1).
    b.body("application/sdp", sdp_body(local(), has_sdp(c.invite)));
  } else if (c.status == 380) {
    // 21.3.5, 3GPP TS 24.229 7.6: the alternative service in an ims-3gpp body.
    auto kind = alt_service_body::valid;
    if (cfg_.faults.has(fault::bad_xml_380))
      kind = alt_service_body::bad_xml;
    else if (cfg_.faults.has(fault::wrong_root_380))
      kind = alt_service_body::wrong_root;
    else if (cfg_.faults.has(fault::unknown_type_380))
      kind = alt_service_body::unknown_type;
    b.header("Contact", contact("refdut-callee"));
    b.body(cfg_.faults.has(fault::no_content_type_380) ? "" : "application/3gpp-ims+xml",
           ims_3gpp_body(kind));
  } else if (c.status == 503) {
    b.header("Retry-After", "30");
  }
  std::string bytes = b.str();
  if (cfg_.faults.has(fault::wrong_cseq)) wrong_cseq(bytes, c.invite);
  apply_body_faults(bytes);
  return bytes;
}

void user_agent::send_final(callee_call& c) {
  if (c.final_sent || !c.txn) return;
  c.final_sent = true;
  const auto t1 = cfg_.timers.t1;
  const int number = c.number;
  std::string bytes = build_final(c);
  c.txn->response = bytes;
  c.events.push_back("INVITE -> " + std::to_string(c.status));
  if (c.status >= 300) {
    c.txn->handle(input::tu_300_699); // 17.2.1: Timer G (UDP) and H from here
    return;
  }
  c.final_bytes = std::move(bytes);
  if (auto d = dialog::dialog::create_uas(c.invite, parse_own(c.final_bytes), false); d.ok())
    c.dlg = std::move(d).value();
  c.txn->handle(input::tu_2xx);
  // 13.3.1.4: the UAS core retransmits the 2xx from T1, doubling up to T2, until the ACK.
  c.interval = t1;
  if (!cfg_.faults.has(fault::no_2xx_retransmit))
    c.retransmit_timer = sched_.after(t1, [this, number] {
      for (auto& x : calls_)
        if (x->number == number) retransmit_2xx(*x);
    });
  c.give_up_timer = sched_.after(64 * t1, [this, number] {
    for (auto& x : calls_)
      if (x->number == number) give_up_2xx(*x);
  });
}

void user_agent::retransmit_2xx(callee_call& c) {
  c.retransmit_timer = 0;
  if (c.finished || (c.acked && !cfg_.faults.has(fault::retransmit_after_ack_2xx))) return;
  // RFC 6026 7.1: through the INVITE server transaction while it is in accepted.
  if (c.txn && c.txn->state() == transaction::state::accepted) {
    c.txn->response = c.final_bytes;
    c.txn->handle(input::tu_2xx);
  } else {
    tp_.send(c.peer, c.final_bytes, "retransmission");
  }
  if (!cfg_.faults.has(fault::fixed_interval_2xx))
    c.interval = std::min(2 * c.interval, cfg_.timers.t2);
  const int number = c.number;
  c.retransmit_timer = sched_.after(c.interval, [this, number] {
    for (auto& x : calls_)
      if (x->number == number) retransmit_2xx(*x);
  });
}

void user_agent::give_up_2xx(callee_call& c) {
  c.give_up_timer = 0;
  if (c.retransmit_timer) sched_.cancel(c.retransmit_timer);
  c.retransmit_timer = 0;
  if (c.acked || c.finished) return;
  c.events.push_back("no ACK within 64*T1");
  if (cfg_.faults.has(fault::no_bye_without_ack)) {
    finish(c, "no BYE (fault)");
    return;
  }
  // 13.3.1.4: the session ends with a BYE.
  std::vector<std::string> routes;
  std::string uri;
  if (c.dlg) {
    const auto t = c.dlg->target();
    uri = t.request_uri;
    routes = t.routes;
  } else {
    const auto remote = dialog::contact_uri_of(c.invite);
    const auto set = dialog::route_set_of(c.invite, false);
    if (!remote.ok()) {
      finish(c, "no BYE: the INVITE had no usable Contact");
      return;
    }
    const auto t =
        dialog::target_for(set.ok() ? set.value() : std::vector<std::string>{}, remote.value());
    uri = t ? t->request_uri : remote.value();
    if (t) routes = t->routes;
  }
  const std::uint32_t cseq = c.dlg ? c.dlg->next_cseq("BYE").value_or(1) : 1;
  const auto final_msg = parse_own(c.final_bytes);
  auto b = sip::message_builder::request("BYE", uri);
  b.header("Via",
           via_value(local(), cfg_.proto, new_branch(!cfg_.faults.has(fault::no_branch_cookie))));
  for (const auto& r : routes) b.header("Route", r);
  if (!cfg_.faults.has(fault::no_max_forwards)) b.header("Max-Forwards", "70");
  b.header("From", final_msg.value(header_id::to));
  b.header("To", c.invite.value(header_id::from));
  b.header("Call-ID", c.call_id);
  b.header("CSeq", std::to_string(cseq) + " BYE");
  c.bye_sent = true;
  const int number = c.number;
  send_request(
      c.peer, b.str(),
      [this, number](const sip::message& resp) {
        if (resp.status_code() < 200) return;
        for (auto& x : calls_)
          if (x->number == number) finish(*x, "BYE sent -> " + std::to_string(resp.status_code()));
      },
      [this, number] {
        for (auto& x : calls_)
          if (x->number == number) finish(*x, "BYE sent, no answer");
      });
}

void user_agent::on_ack(transport::received& r) {
  const auto& msg = r.msg;
  const auto key = transaction::server_key_of(msg);
  // 17.2.3: the ACK of a non-2xx final response matches its INVITE server transaction.
  for (auto& s : servers_)
    if (s.txn->state() == transaction::state::completed && s.key.method == "INVITE" &&
        s.key.branch == key->branch && s.key.sent_by == key->sent_by) {
      s.txn->handle(input::recv_ack);
      return;
    }
  for (auto& owned : calls_) {
    auto& c = *owned;
    if (!c.txn || c.status < 300 || !c.final_sent) continue;
    if (*key != transaction::ack_key_for(c.key, c.local_tag)) continue;
    // Fault non2xx-retransmit-after-ack: the device ignores the ACK, Timer G runs on until H.
    if (cfg_.faults.has(fault::non2xx_retransmit_after_ack)) {
      if (!c.acked) c.events.push_back("ACK ignored (fault)");
      c.acked = true;
      return;
    }
    if (!c.acked) {
      c.acked = true;
      c.events.push_back("ACK ok");
    }
    c.txn->handle(input::recv_ack);
    finish(c, "");
    return;
  }
  // 13.3.1.4: the ACK of a 2xx is its own transaction, matched to the call by dialog.
  auto* c = find_call(msg);
  if (!c || c->status >= 300 || !c->final_sent) return;
  const auto cseq = msg.cseq();
  if (!cseq || cseq->number != c->invite.cseq()->number) return;
  if (!c->acked) {
    c->acked = true;
    c->events.push_back("ACK ok");
    if (!cfg_.faults.has(fault::retransmit_after_ack_2xx) && c->retransmit_timer) {
      sched_.cancel(c->retransmit_timer);
      c->retransmit_timer = 0;
    }
  }
  if (c->txn && c->txn->state() == transaction::state::accepted) c->txn->handle(input::recv_ack);
}

void user_agent::on_cancel(transport::received& r) {
  auto key = transaction::server_key_of(r.msg);
  key->method = "INVITE";
  // 9.2: the CANCEL matches the INVITE's server transaction.
  for (auto& owned : calls_) {
    auto& c = *owned;
    if (c.key != *key) continue;
    respond(r.msg, r.from, response_to(r.msg, 200, c.local_tag).str());
    if (!c.final_sent && c.txn && c.txn->state() == transaction::state::proceeding) {
      if (c.ring_timer) sched_.cancel(c.ring_timer);
      c.ring_timer = 0;
      c.status = 487;
      c.final_sent = true;
      c.events.push_back("CANCEL -> 487");
      c.txn->response = response_to(c.invite, 487, c.local_tag).str();
      c.txn->handle(input::tu_300_699);
    }
    return;
  }
  respond(r.msg, r.from, 481); // 9.2: no transaction to cancel
}

bool user_agent::on_in_dialog_request(transport::received& r) {
  const auto& msg = r.msg;
  auto* c = find_call(msg);
  if (!c) return false;
  const auto to = msg.to();
  const auto to_tag = to ? to->tag().value_or("") : std::string_view();
  if (!to_tag.empty() && to_tag != c->local_tag) return false; // 12.2.2: another dialog
  if (c->dlg && c->dlg->on_request_received(msg) == dialog::update_result::out_of_order) {
    respond(msg, r.from, 500); // 12.2.2: CSeq lower than the last one
    return true;
  }
  const auto method = msg.method();
  if (method == "BYE") { // 15.1.2
    respond(msg, r.from, 200);
    if (c->retransmit_timer) sched_.cancel(c->retransmit_timer);
    if (c->give_up_timer) sched_.cancel(c->give_up_timer);
    c->retransmit_timer = c->give_up_timer = 0;
    if (c->dlg) c->dlg->terminate();
    finish(*c, "BYE -> 200");
  } else if (method == "INVITE") {
    respond(msg, r.from, 488); // a re-INVITE is not supported: the session stays as it is
  } else {
    answer_out_of_dialog(msg, r.from);
  }
  return true;
}

void user_agent::finish(callee_call& c, std::string last) {
  if (c.finished) return;
  if (!last.empty()) c.events.push_back(std::move(last));
  c.finished = true;
  if (c.ring_timer) sched_.cancel(c.ring_timer);
  c.ring_timer = 0;
  log_line("refdut: call " + std::to_string(c.number) + " from " + c.peer.str() + ": " +
           joined(c.events));
  ++finished_;
  // Kept a while to absorb retransmissions, then forgotten.
  const int number = c.number;
  sched_.after(64 * cfg_.timers.t1, [this, number] {
    calls_.remove_if([number](const auto& x) { return x->number == number; });
  });
  if (cfg_.max_calls > 0 && finished_ >= cfg_.max_calls && done_) done_(exit_ok);
}

} // namespace sipwright::refdut::detail
