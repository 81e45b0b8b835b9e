// The UAC core of the reference device (RFC 3261 13.2, 8.1): sends the INVITE through an INVITE
// client transaction (Timers A/B over UDP, 17.1.1), ACKs every 2xx and every copy of it as a new
// transaction towards the dialog's remote target (13.2.2.4, 12.2.1.1), lets the transaction ACK a
// final non-2xx (17.1.1.3), answers one 401/407 with credentials from the environment (22.2,
// 22.3), and ends the call with BYE after --hangup-after.
#include "calls.hpp"
#include "messages.hpp"
#include "user_agent.hpp"

#include "sipwright/auth/digest.hpp"
#include "sipwright/sip/charclass.hpp"

#include <ostream>

namespace sipwright::refdut::detail {

using sip::header_id;
using transaction::input;

namespace {

bool has_sdp(const sip::message& m) {
  const auto ct = m.content_type();
  return !m.body().empty() && ct && sip::chars::iequals(ct->subtype, "sdp");
}

std::string joined(const std::vector<std::string>& parts) {
  std::string s;
  for (const auto& p : parts) s.append(s.empty() ? "" : ", ").append(p);
  return s;
}

// The first value of a header row as written (the top Via is the first element of the first
// Via row).
std::string top_via_of(const sip::message& m) {
  const auto vias = m.all_elements(header_id::via);
  return vias.empty() ? std::string() : std::string(vias.front());
}

} // namespace

bool user_agent::call_completed() const {
  return caller_ && caller_->completed;
}

void user_agent::start_call() {
  const auto& target = *cfg_.target;
  caller_ = std::make_unique<caller_call>();
  auto& c = *caller_;
  c.offer_in_invite = !cfg_.late_offer && !cfg_.faults.has(fault::ack_no_sdp_answer);
  c.request_uri = sip_uri(cfg_.user, target, cfg_.proto);
  c.from = "<" + sip_uri("refdut", local(), transport::protocol::udp) + ">;tag=" + new_tag();
  c.call_id = new_call_id(local().address);
  if (c.offer_in_invite) c.body = sdp_body(local(), false);
  send_invite({});
}

void user_agent::send_invite(const std::vector<auth::authorization>& credentials) {
  const auto& target = *cfg_.target;
  auto& c = *caller_;
  const auto& f = cfg_.faults;
  c.branch = new_branch(!f.has(fault::no_branch_cookie)); // 8.1.1.7: each INVITE is new
  auto b = sip::message_builder::request("INVITE", c.request_uri);
  b.header("Via", via_value(local(), cfg_.proto, c.branch));
  if (!cfg_.route.empty()) b.header("Route", "<" + cfg_.route + ">");
  if (f.has(fault::bad_max_forwards))
    b.header("Max-Forwards", "300"); // 20.22: 0-255
  else if (!f.has(fault::no_max_forwards))
    b.header("Max-Forwards", "70");
  b.header("From", c.from);
  b.header("To", "<" + c.request_uri + ">");
  b.header("Call-ID", c.call_id);
  b.header("CSeq", std::to_string(c.cseq) + " INVITE");
  for (const auto& a : credentials) b.header(a.header_name(), auth::format(a));
  b.header("Contact", contact("refdut-caller"));
  b.header("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS");
  if (c.offer_in_invite) b.body("application/sdp", c.body);
  std::string bytes = b.str();
  apply_body_faults(bytes);
  c.invite = parse_own(bytes);
  // The hooks act only for the current transaction; one left behind by a challenge just goes.
  const int attempt = ++c.attempt;
  c.txn = std::make_unique<transaction_runner>(
      transaction::kind::invite_client, cfg_.timers, sched_, tp_, target,
      transaction_runner::hooks{[this, attempt] { // Timer B or a transport failure (17.1.1.2)
                                  if (!caller_ || caller_->attempt != attempt) return;
                                  caller_done(false, caller_->transport_failure.empty()
                                                         ? "INVITE: no answer (Timer B)"
                                                         : "INVITE: " + caller_->transport_failure);
                                },
                                [this, attempt] {
                                  sched_.post([this, attempt] {
                                    if (!caller_) return;
                                    if (caller_->attempt != attempt) {
                                      caller_->challenged_txn.reset(); // its Timer D is over
                                      return;
                                    }
                                    caller_->txn.reset();
                                    // 17.1.1.2: Timer D is over, every copy of the non-2xx was
                                    // ACKed. RFC 6026 7.2: Timer M is over, every copy of the
                                    // 2xx was ACKed.
                                    if (caller_->final_status >= 300)
                                      caller_done(true, "");
                                    else if (caller_->finished && done_)
                                      done_(caller_->completed ? exit_ok : exit_failed);
                                  });
                                }});
  c.txn->request = std::move(bytes);
  c.txn->ack_once = f.has(fault::non2xx_ack_once);
  c.txn->start();
}

bool user_agent::retry_with_credentials(const sip::message& resp) {
  auto& c = *caller_;
  const int status = resp.status_code();
  if ((status != 401 && status != 407) || !cfg_.credentials) return false;
  if (c.credentials_sent) { // no loop: the credentials were refused
    c.events.emplace_back("challenged again after credentials, giving up");
    return false;
  }
  // 22.3: one answer per protection domain (header kind and realm) the response challenges.
  const auto parsed = auth::parse_challenges(resp);
  std::vector<auth::authorization> answers;
  std::string why_not;
  auto who = *cfg_.credentials;
  if (cfg_.faults.has(fault::auth_wrong_password)) who.password += "-wrong";
  for (const auto& ch : auth::select_challenges(parsed.challenges)) {
    auto a = c.digest.answer(ch, who, "INVITE", c.request_uri, c.body);
    if (a)
      answers.push_back(std::move(a).value());
    else
      why_not = a.err().text;
  }
  if (answers.empty()) {
    c.events.push_back("challenge not answerable" + (why_not.empty() ? "" : ": " + why_not));
    return false;
  }
  std::string names;
  for (const auto& a : answers)
    if (names.find(a.header_name()) == std::string::npos)
      names.append(names.empty() ? "" : " and ").append(a.header_name());
  c.events.push_back("INVITE again with " + names);
  // 22.2: the same Call-ID, From and Request-URI, CSeq plus one, a new transaction. The
  // challenged one stays to ACK copies of the 401/407 until its Timer D (17.1.1.2).
  c.credentials_sent = true;
  c.final_status = 0;
  c.challenged_txn = std::move(c.txn);
  c.challenged_branch = c.branch;
  ++c.cseq;
  send_invite(answers);
  return true;
}

bool user_agent::on_challenged_invite_response(const transaction::client_key& key,
                                               const sip::message& resp) {
  if (!caller_ || !caller_->challenged_txn || key.method != "INVITE" ||
      key.branch != caller_->challenged_branch)
    return false;
  caller_->challenged_txn->handle(transaction::recv_response(resp.status_code()));
  return true;
}

void user_agent::on_invite_response(const sip::message& resp) {
  auto& c = *caller_;
  const int status = resp.status_code();
  if (c.txn) {
    const auto s = c.txn->state();
    // 17.1.1.3: the transaction ACKs the final non-2xx (and each copy of it) with this ACK.
    if (status >= 300 && (s == transaction::state::calling || s == transaction::state::proceeding))
      c.txn->ack = cfg_.faults.has(fault::non2xx_no_ack) ? std::string() : build_non2xx_ack(resp);
    if (!c.txn->handle(transaction::recv_response(status))) return; // absorbed, or ACKed again
  } else if (status < 200 || status >= 300) {
    return; // the transaction is gone: only a 2xx still concerns the UAC core (13.2.2.4)
  }
  if (status < 200) return;
  if (status >= 300) {
    c.final_status = status;
    c.events.push_back(
        "INVITE -> " + std::to_string(status) +
        (cfg_.faults.has(fault::non2xx_no_ack) ? ", not ACKed (fault)" : ", ACK sent"));
    if (retry_with_credentials(resp)) return;
    if (cfg_.faults.has(fault::bye_after_non2xx)) send_bye_after_non2xx(resp);
    return;
  }
  // 13.2.2.4: every 2xx is ACKed by the UAC core.
  const auto to = resp.to();
  const std::string tag(to ? to->tag().value_or("") : "");
  const auto& target = *cfg_.target;
  if (!c.dlg) {
    auto d = dialog::dialog::create_uac(c.invite, resp, false);
    c.final_status = status;
    if (!d.ok()) {
      caller_done(false, "INVITE -> " + std::to_string(status) + " unusable: " + d.err().text);
      return;
    }
    c.dlg = std::move(d).value();
    c.to_tag = tag;
    c.ack = build_2xx_ack(resp, *c.dlg);
    c.events.push_back("INVITE -> " + std::to_string(status));
    if (!cfg_.faults.has(fault::no_ack)) {
      tp_.send(target, c.ack);
      ++c.acks_2xx;
      c.events.push_back("ACK sent");
    } else {
      c.events.push_back("not ACKed (fault)");
    }
    c.hangup_timer = sched_.after(cfg_.hangup_after, [this] {
      caller_->hangup_timer = 0;
      send_bye();
    });
    return;
  }
  if (tag == c.to_tag) { // a retransmission of the 2xx: the same ACK again
    if (!cfg_.faults.has(fault::no_ack) && !cfg_.faults.has(fault::ack_once)) {
      tp_.send(target, c.ack, "ACK again");
      ++c.acks_2xx;
    }
    return;
  }
  // A 2xx of another dialog (a forking proxy): ACKed too (13.2.2.4).
  if (auto d = dialog::dialog::create_uac(c.invite, resp, false); d.ok())
    tp_.send(target, build_2xx_ack(resp, d.value()), "ACK of a second dialog");
}

std::string user_agent::build_2xx_ack(const sip::message& resp, const dialog::dialog& d) {
  const auto& c = *caller_;
  const auto& f = cfg_.faults;
  const auto& inv = c.invite;
  // 12.2.1.1: Request-URI and Route from the remote target and the reversed Record-Route.
  const auto t = d.target();
  auto b = sip::message_builder::request(
      "ACK", f.has(fault::ack_to_request_uri) ? std::string(inv.request_uri()) : t.request_uri);
  // 13.2.2.4, 8.1.1.7: a new transaction, a new branch.
  b.header("Via",
           via_value(local(), cfg_.proto,
                     f.has(fault::ack_reuse_branch) ? c.branch
                                                    : new_branch(!f.has(fault::no_branch_cookie))));
  if (!f.has(fault::ack_no_route))
    for (const auto& r : t.routes) b.header("Route", r);
  if (!f.has(fault::ack_no_max_forwards) && !f.has(fault::no_max_forwards))
    b.header("Max-Forwards", "70"); // 8.1.1.6
  if (f.has(fault::ack_wrong_from_tag))
    b.header("From",
             "<" + sip_uri("refdut", local(), transport::protocol::udp) + ">;tag=" + new_tag());
  else
    b.header("From", inv.value(header_id::from));
  b.header("To",
           f.has(fault::ack_no_to_tag) ? inv.value(header_id::to) : resp.value(header_id::to));
  b.header("Call-ID", f.has(fault::ack_wrong_call_id) ? new_call_id("wrong.invalid")
                                                      : std::string(*inv.call_id()));
  // 13.2.2.4: the INVITE's CSeq number with the method ACK.
  b.header("CSeq", std::to_string(c.cseq + (f.has(fault::ack_wrong_cseq) ? 1 : 0)) + " ACK");
  // 13.2.2.4: "The ACK MUST contain the same credentials as the INVITE" (22.1).
  if (!f.has(fault::ack_no_credentials))
    for (const auto id : {header_id::authorization, header_id::proxy_authorization})
      for (const auto& v : rows_of(inv, id))
        b.header(id == header_id::authorization ? "Authorization" : "Proxy-Authorization", v);
  // 13.2.1: the 2xx carried the offer, the ACK carries the answer.
  if (!c.offer_in_invite && has_sdp(resp) && !f.has(fault::ack_no_sdp_answer))
    b.body("application/sdp", sdp_body(local(), true));
  std::string bytes = b.str();
  apply_body_faults(bytes);
  return bytes;
}

std::string user_agent::build_non2xx_ack(const sip::message& resp) {
  const auto& c = *caller_;
  const auto& f = cfg_.faults;
  const auto& inv = c.invite;
  // 17.1.1.3: Request-URI, top Via, Call-ID, From and Route of the INVITE; To of the response;
  // CSeq number of the INVITE with method ACK.
  auto b =
      sip::message_builder::request("ACK", f.has(fault::non2xx_ack_wrong_request_uri)
                                               ? sip_uri("somebody-else", *cfg_.target, cfg_.proto)
                                               : std::string(inv.request_uri()));
  b.header("Via", f.has(fault::non2xx_ack_new_branch) ? via_value(local(), cfg_.proto, new_branch())
                                                      : top_via_of(inv));
  if (!f.has(fault::non2xx_ack_no_route))
    for (const auto& r : rows_of(inv, header_id::route)) b.header("Route", r);
  if (!f.has(fault::no_max_forwards)) b.header("Max-Forwards", "70");
  if (f.has(fault::non2xx_ack_wrong_from_tag))
    b.header("From",
             "<" + sip_uri("refdut", local(), transport::protocol::udp) + ">;tag=" + new_tag());
  else
    b.header("From", inv.value(header_id::from));
  if (f.has(fault::non2xx_ack_wrong_to_tag))
    b.header("To", std::string(inv.value(header_id::to)) + ";tag=" + new_tag());
  else
    b.header("To", resp.value(header_id::to));
  b.header("Call-ID", f.has(fault::non2xx_ack_wrong_call_id)
                          ? "other-" + std::string(*inv.call_id())
                          : std::string(*inv.call_id()));
  b.header("CSeq", std::to_string(c.cseq + (f.has(fault::non2xx_ack_wrong_cseq) ? 1 : 0)) + " ACK");
  // 22.1: the ACK duplicates the INVITE's credentials (an INVITE challenged again).
  for (const auto id : {header_id::authorization, header_id::proxy_authorization})
    for (const auto& v : rows_of(inv, id))
      b.header(id == header_id::authorization ? "Authorization" : "Proxy-Authorization", v);
  return b.str();
}

void user_agent::send_bye() {
  auto& c = *caller_;
  if (c.finished || c.bye_sent || !c.dlg) return;
  c.bye_sent = true;
  const auto t = c.dlg->target(); // 12.2.1.1
  const auto cseq = c.dlg->next_cseq("BYE").value_or(c.cseq + 1);
  auto b = sip::message_builder::request("BYE", t.request_uri);
  b.header("Via",
           via_value(local(), cfg_.proto, new_branch(!cfg_.faults.has(fault::no_branch_cookie))));
  for (const auto& r : t.routes) b.header("Route", r);
  if (!cfg_.faults.has(fault::no_max_forwards)) b.header("Max-Forwards", "70");
  b.header("From", c.invite.value(header_id::from));
  b.header("To", "<" + c.dlg->remote_uri() + ">;tag=" + c.to_tag);
  b.header("Call-ID", c.dlg->id().call_id);
  b.header("CSeq", std::to_string(cseq) + " BYE");
  send_request(
      *cfg_.target, b.str(),
      [this](const sip::message& resp) {
        const int st = resp.status_code();
        if (st < 200) return;
        caller_->completed = st < 300;
        caller_done(st < 300, "BYE -> " + std::to_string(st));
      },
      [this] { caller_done(false, "BYE: no answer"); });
}

void user_agent::send_bye_after_non2xx(const sip::message& resp) {
  auto& c = *caller_;
  auto b = sip::message_builder::request("BYE", c.invite.request_uri());
  b.header("Via", via_value(local(), cfg_.proto, new_branch()));
  b.header("Max-Forwards", "70");
  b.header("From", c.invite.value(header_id::from));
  b.header("To", resp.value(header_id::to));
  b.header("Call-ID", *c.invite.call_id());
  b.header("CSeq", std::to_string(c.cseq + 1) + " BYE");
  c.events.push_back("BYE sent (fault)");
  send_request(*cfg_.target, b.str(), {}, {});
}

bool user_agent::caller_in_dialog_request(transport::received& r) {
  if (!caller_ || !caller_->dlg) return false;
  auto& c = *caller_;
  const auto id = dialog::id_of_received_request(r.msg);
  if (!id || *id != c.dlg->id()) return false;
  if (c.dlg->on_request_received(r.msg) == dialog::update_result::out_of_order) {
    respond(r.msg, r.from, 500); // 12.2.2
    return true;
  }
  const auto method = r.msg.method();
  if (method == "BYE") { // 15.1.2: the callee hung up
    respond(r.msg, r.from, 200);
    c.dlg->terminate();
    c.completed = true;
    caller_done(true, "BYE received -> 200");
  } else if (method == "INVITE") {
    respond(r.msg, r.from, 488);
  } else {
    answer_out_of_dialog(r.msg, r.from);
  }
  return true;
}

void user_agent::caller_done(bool completed, std::string last) {
  auto& c = *caller_;
  if (c.finished) return;
  c.finished = true;
  c.completed = completed;
  if (!last.empty()) c.events.push_back(std::move(last));
  if (c.hangup_timer) sched_.cancel(c.hangup_timer);
  c.hangup_timer = 0;
  log_line("refdut: call to " + cfg_.target->str() + ": " + joined(c.events));
  finished_ = 1;
  // 13.2.2.4: copies of the 2xx are ACKed until the INVITE transaction ends (Timer M, 64*T1
  // after the 2xx): a completed call keeps the device that long.
  const bool wait_for_m = completed && c.txn && c.txn->state() == transaction::state::accepted;
  if (done_ && !wait_for_m) done_(completed ? exit_ok : exit_failed);
}

} // namespace sipwright::refdut::detail
