// The reference device as notifier (RFC 6665) for one event package, message-summary (RFC 3842:
// message waiting indication, which nearly every PBX serves to its phones, with a one-line text
// body). A SUBSCRIBE is answered 200 with the Expires granted (never longer than asked) and
// followed at once by a NOTIFY with the state; refreshes are answered the same way; an
// unsubscribe (Expires: 0) or the subscription's expiry ends it with a terminated NOTIFY. NOTIFYs
// are non-INVITE client transactions (retransmitted over UDP, 17.1.2); a 481 or a timeout ends
// the subscription (RFC 6665 4.2.2).
#include "calls.hpp"
#include "messages.hpp"
#include "user_agent.hpp"

#include "sipwright/dialog/routing.hpp"
#include "sipwright/sip/charclass.hpp"
#include "sipwright/sip/grammar.hpp"

namespace sipwright::refdut::detail {

using sip::header_id;
using steady = std::chrono::steady_clock;

namespace {

constexpr std::string_view package = "message-summary";
constexpr std::uint64_t default_expires = 3600; // RFC 3842 4.1 (the package's default)
constexpr std::uint64_t max_expires = 3600;     // RFC 6665 4.2.1.1: the notifier MAY shorten
constexpr std::uint64_t min_expires = 60;       // below this (and above 0): 423 (4.2.1.1)

// The event package of an Event value: the token before its parameters.
std::string_view package_of(std::string_view event) {
  event = sip::trim_lws(event);
  return sip::trim_lws(event.substr(0, event.find(';')));
}

// The id parameter of an Event value, or "" (RFC 6665 8.2.1).
std::string id_of(std::string_view event) {
  const auto semi = event.find(';');
  if (semi == std::string_view::npos) return {};
  const auto id = sip::param_list(event.substr(semi)).find("id");
  return id ? std::string(*id) : std::string();
}

std::string joined(const std::vector<std::string>& parts) {
  std::string s;
  for (const auto& p : parts) s.append(s.empty() ? "" : ", ").append(p);
  return s;
}

} // namespace

void user_agent::on_subscribe(const sip::message& req, const transport::endpoint& peer) {
  const auto from = req.from();
  const auto call_id = req.call_id();
  const auto cseq = req.cseq();
  const auto event = req.find(header_id::event);
  const std::string local_tag = new_tag();
  if (!from || !call_id || !cseq || !from->tag()) {
    respond(req, peer, 400); // 8.1.1, 12.1: the headers a dialog needs
    return;
  }
  // RFC 6665 4.2.1.1: a package the notifier does not understand gets 489 with Allow-Events.
  if (!event || package_of(req.value(*event)) != package) {
    auto b = response_to(req, 489, local_tag);
    b.header("Allow-Events", package);
    respond(req, peer, b.str());
    return;
  }
  const auto header = req.find(header_id::expires);
  const auto asked = header ? delta_seconds(req.value(*header)) : default_expires;
  if (!asked) {
    respond(req, peer, 400);
    return;
  }
  // 4.2.1.1: above zero, below an hour and below the notifier's minimum: 423 with Min-Expires.
  if (*asked > 0 && *asked < 3600 && *asked < min_expires) {
    auto b = response_to(req, 423, local_tag);
    b.header("Min-Expires", std::to_string(min_expires));
    respond(req, peer, b.str());
    return;
  }
  const auto remote = dialog::contact_uri_of(req);
  if (!remote.ok()) {
    respond(req, peer, 400); // 4.1.2.1 (RFC 3261 12.1.1): the SUBSCRIBE needs a Contact
    return;
  }
  auto owned = std::make_unique<subscription>();
  auto& s = *owned;
  subscriptions_.push_back(std::move(owned));
  s.number = ++subscription_numbers_;
  s.call_id = std::string(*call_id);
  s.local_tag = local_tag;
  s.remote_tag = std::string(*from->tag());
  s.local = std::string(req.value(header_id::to)) + ";tag=" + local_tag;
  s.remote = std::string(req.value(header_id::from));
  s.event = std::string(sip::trim_lws(req.value(*event)));
  s.peer = peer;
  s.remote_cseq = cseq->number;
  // 12.1.1: the route set is the Record-Route in order; the remote target the Contact.
  const auto set = dialog::route_set_of(req, false);
  const auto target =
      dialog::target_for(set.ok() ? set.value() : std::vector<std::string>{}, remote.value());
  s.request_uri = target ? target->request_uri : remote.value();
  if (target) s.routes = target->routes;

  const auto granted = std::min(*asked, max_expires);
  auto b = response_to(req, 200, local_tag);
  for (const auto& rr : rows_of(req, header_id::record_route)) b.header("Record-Route", rr);
  b.header("Contact", contact("refdut-notifier"));
  // RFC 6665 3.1.1: the 2xx carries Expires, never longer than asked.
  if (!cfg_.faults.has(fault::subscribe_no_expires)) b.header("Expires", std::to_string(granted));
  respond(req, peer, b.str());
  s.events.push_back("SUBSCRIBE -> 200 (Expires " + std::to_string(granted) + ")");
  s.granted = std::chrono::seconds(granted);
  s.expires_at = steady::now() + s.granted;
  // 4.2.1.2: the NOTIFY follows at once; an Expires of 0 is a fetch, ended at once (3.1.1).
  send_notify(s, granted == 0);
  if (granted == 0)
    end_subscription(s, "");
  else
    s.expiry_timer = sched_.after(s.granted, [this, n = s.number] {
      for (auto& x : subscriptions_)
        if (x->number == n && !x->terminated) {
          x->expiry_timer = 0;
          send_notify(*x, true); // 4.2.1.4: an expired subscription gets a terminated NOTIFY
          end_subscription(*x, "expired");
        }
    });
}

bool user_agent::notifier_in_dialog_request(transport::received& r) {
  const auto& msg = r.msg;
  const auto call_id = msg.call_id();
  const auto from = msg.from();
  const auto to = msg.to();
  const auto cseq = msg.cseq();
  if (!call_id || !from || !to || !cseq) return false;
  subscription* s = nullptr;
  for (auto& x : subscriptions_)
    if (x->call_id == *call_id && x->remote_tag == from->tag().value_or("") &&
        x->local_tag == to->tag().value_or(""))
      s = x.get();
  if (!s) return false;
  if (s->terminated || msg.method() != "SUBSCRIBE") {
    // A subscription that ended has no dialog left (RFC 6665 4.4.1); nothing else is served.
    if (s->terminated)
      respond(msg, r.from, 481);
    else
      answer_out_of_dialog(msg, r.from);
    return true;
  }
  if (cseq->number <= s->remote_cseq) {
    respond(msg, r.from, 500); // RFC 3261 12.2.2: CSeq lower than the last one
    return true;
  }
  s->remote_cseq = cseq->number;
  const auto event = msg.find(header_id::event);
  if (!event || package_of(msg.value(*event)) != package ||
      id_of(msg.value(*event)) != id_of(s->event)) {
    auto b = response_to(msg, 489, "");
    b.header("Allow-Events", package);
    respond(msg, r.from, b.str());
    return true;
  }
  const auto header = msg.find(header_id::expires);
  const auto asked = header ? delta_seconds(msg.value(*header)) : default_expires;
  if (!asked) {
    respond(msg, r.from, 400);
    return true;
  }
  if (*asked > 0 && *asked < 3600 && *asked < min_expires) {
    auto b = response_to(msg, 423, "");
    b.header("Min-Expires", std::to_string(min_expires));
    respond(msg, r.from, b.str());
    return true;
  }
  // RFC 6665 4.2.1.4: a refresh updates the expiry, which may be shortened, never lengthened.
  const auto granted = std::min(*asked, max_expires);
  auto b = response_to(msg, 200, "");
  b.header("Contact", contact("refdut-notifier"));
  if (!cfg_.faults.has(fault::subscribe_no_expires)) b.header("Expires", std::to_string(granted));
  respond(msg, r.from, b.str());
  if (auto remote = dialog::contact_uri_of(msg); remote.ok()) { // a target refresh (4.4.1)
    const auto t = dialog::target_for(s->routes, remote.value());
    if (s->routes.empty())
      s->request_uri = remote.value();
    else if (t)
      s->request_uri = t->request_uri;
  }
  if (s->expiry_timer) sched_.cancel(s->expiry_timer);
  s->expiry_timer = 0;
  if (granted == 0) {
    // 4.2.1.4: an unsubscribe gets a NOTIFY with Subscription-State terminated.
    s->events.push_back("SUBSCRIBE (Expires 0) -> 200");
    send_notify(*s, true);
    end_subscription(*s, "");
    return true;
  }
  s->events.push_back("SUBSCRIBE refresh -> 200 (Expires " + std::to_string(granted) + ")");
  s->granted = std::chrono::seconds(granted);
  s->expires_at = steady::now() + s->granted;
  send_notify(*s, false);
  s->expiry_timer = sched_.after(s->granted, [this, n = s->number] {
    for (auto& x : subscriptions_)
      if (x->number == n && !x->terminated) {
        x->expiry_timer = 0;
        send_notify(*x, true);
        end_subscription(*x, "expired");
      }
  });
  return true;
}

void user_agent::send_notify(subscription& s, bool terminated) {
  if (cfg_.faults.has(fault::no_notify)) return;
  // RFC 6665 4.2.2: the state; active carries the time left, never more than granted.
  std::string state;
  if (terminated && !cfg_.faults.has(fault::unsubscribe_active)) {
    state = "terminated;reason=timeout";
  } else {
    auto left = std::chrono::ceil<std::chrono::seconds>(s.expires_at - steady::now()).count();
    if (terminated || left < 0) left = 0;
    if (cfg_.faults.has(fault::notify_lengthen_expires)) left += 3600;
    state = "active;expires=" + std::to_string(left);
  }
  auto b = sip::message_builder::request("NOTIFY", s.request_uri);
  b.header("Via",
           via_value(local(), cfg_.proto, new_branch(!cfg_.faults.has(fault::no_branch_cookie))));
  for (const auto& r : s.routes) b.header("Route", r);
  if (!cfg_.faults.has(fault::no_max_forwards)) b.header("Max-Forwards", "70");
  b.header("From", s.local);
  b.header("To", s.remote);
  b.header("Call-ID", s.call_id);
  b.header("CSeq", std::to_string(++s.local_cseq) + " NOTIFY");
  b.header("Contact", contact("refdut-notifier"));
  // RFC 6665 3.2.1, 8.2.1: the SUBSCRIBE's package and id.
  b.header("Event", cfg_.faults.has(fault::notify_wrong_event) ? std::string("presence") : s.event);
  if (!cfg_.faults.has(fault::notify_no_state)) b.header("Subscription-State", state);
  // RFC 3842 5.2: no messages waiting.
  b.body("application/simple-message-summary", "Messages-Waiting: no\r\n");
  std::string bytes = b.str();
  apply_body_faults(bytes);
  s.events.push_back("NOTIFY " + state.substr(0, state.find(';')));
  const int n = s.number;
  send_request(
      s.peer, std::move(bytes),
      [this, n](const sip::message& resp) {
        // 4.2.2: a 481 (or a timeout) to a NOTIFY ends the subscription.
        if (resp.status_code() != 481) return;
        for (auto& x : subscriptions_)
          if (x->number == n) end_subscription(*x, "NOTIFY -> 481");
      },
      [this, n] {
        for (auto& x : subscriptions_)
          if (x->number == n) end_subscription(*x, "NOTIFY timed out");
      });
}

void user_agent::end_subscription(subscription& s, std::string last) {
  if (s.terminated) return;
  if (!last.empty()) s.events.push_back(std::move(last));
  s.terminated = true;
  if (s.expiry_timer) sched_.cancel(s.expiry_timer);
  s.expiry_timer = 0;
  log_line("refdut: subscription " + std::to_string(s.number) + " from " + s.peer.str() + " (" +
           s.event + "): " + joined(s.events));
  // Kept a while to answer its late requests with 481, then forgotten.
  const int n = s.number;
  sched_.after(64 * cfg_.timers.t1, [this, n] {
    subscriptions_.remove_if([n](const auto& x) { return x->number == n; });
  });
}

} // namespace sipwright::refdut::detail
