// The device as notifier (RFC 6665): its 2xx to the harness's SUBSCRIBE says how long the
// subscription lasts, and a NOTIFY follows at once with the subscription's state, for the event
// package subscribed to.
#include "fields.hpp"
#include "observer.hpp"

#include "sipwright/sip/charclass.hpp"
#include "sipwright/sip/grammar.hpp"

#include <fmt/format.h>

#include <charconv>
#include <optional>
#include <string>
#include <vector>

namespace sipwright::checks::detail {
namespace {

using sip::header_id;

// A delta-seconds value (RFC 3261 25.1), e.g. the Expires header or an expires parameter.
std::optional<std::uint64_t> delta_seconds(std::string_view text) {
  text = sip::trim_lws(text);
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return v;
}

// "presence;id=7" -> the value before its parameters, and the parameters.
struct valued {
  std::string_view value;
  sip::param_list params;
};
valued split_value(std::string_view text) {
  text = sip::trim_lws(text);
  const auto semi = text.find(';');
  if (semi == std::string_view::npos) return {text, {}};
  return {sip::trim_lws(text.substr(0, semi)), sip::param_list(text.substr(semi))};
}

// One SUBSCRIBE transaction the harness started and what the device made of it.
struct exchange {
  sip::message subscribe;
  std::size_t subscribe_index = 0;
  std::string branch;
  std::string dialog_tag;             // the SUBSCRIBE's To tag: empty for a new subscription
  std::optional<std::uint64_t> asked; // the SUBSCRIBE's Expires
  int status = 0;                     // its final response, 0 until then
  std::size_t response_index = 0;
  clock::time_point answered_at{};
  std::optional<std::uint64_t> granted; // the 2xx's Expires
  std::string granted_tag;              // the 2xx's To tag: the dialog it granted on
  bool notified = false;
  std::size_t notify_index = 0;
  bool unsubscribe() const { return asked && *asked == 0; }
  bool accepted() const { return status >= 200 && status < 300; }
  // RFC 6665 4.1.2.4: a NOTIFY's dialog is its From tag. A new SUBSCRIBE may be answered from
  // several dialogs (forks), a SUBSCRIBE within a dialog only from that one.
  bool on_dialog(std::string_view tag) const { return dialog_tag.empty() || dialog_tag == tag; }
  // The longest a NOTIFY on that dialog may state (4.2.2): the 2xx's Expires if that dialog
  // sent it, else (no 2xx on that dialog yet, e.g. another fork) the SUBSCRIBE's.
  std::optional<std::uint64_t> limit(std::string_view tag, bool* from_2xx) const {
    *from_2xx = granted && granted_tag == tag;
    return *from_2xx ? granted : asked;
  }
};

// An Event header's package and id (RFC 6665 8.2.1: both compared byte by byte).
struct event_key {
  std::string package;
  std::optional<std::string> id;
  bool operator==(const event_key&) const = default;
};
std::optional<event_key> event_of(const sip::message& m) {
  const auto all = values(m, header_id::event);
  if (all.empty()) return std::nullopt;
  const auto v = split_value(all.front());
  const auto id = v.params.find("id");
  return event_key{std::string(v.value),
                   id ? std::optional<std::string>(std::string(*id)) : std::nullopt};
}

class subscribe_rules final : public observer {
public:
  explicit subscribe_rules(const timing& t) : t_(t) {}

  void on_message(const observed& m, verdicts& out) override {
    const auto& msg = m.msg;
    if (m.retransmission) return; // judged on the first copy
    if (m.dir == direction::sent && msg.is_request() && msg.method() == "SUBSCRIBE") {
      exchange e;
      e.subscribe = msg;
      e.subscribe_index = m.trace_index;
      e.branch = top_branch(msg);
      e.dialog_tag = to_tag(msg);
      if (auto v = msg.find(header_id::expires)) e.asked = delta_seconds(msg.value(*v));
      exchanges_.push_back(std::move(e));
      return;
    }
    if (m.dir != direction::received) return;
    if (msg.is_response() && cseq_method(msg) == "SUBSCRIBE") {
      on_response(m, out);
      return;
    }
    if (msg.is_request() && msg.method() == "NOTIFY") on_notify(m, out);
  }

  void on_end(clock::time_point at, verdicts& out) override {
    for (const auto& e : exchanges_) {
      if (!e.accepted() || e.notified) continue;
      // 4.2.1.2: the NOTIFY is due at once; a device gets 64*T1 (a transaction's lifetime).
      const auto waited = at - e.answered_at;
      if (waited >= 64 * t_.t1)
        out.violated(rule_id::sub_notify_immediate,
                     fmt::format("a NOTIFY after the {} to SUBSCRIBE", e.status),
                     "no NOTIFY within " + seconds(waited), {e.subscribe_index, e.response_index});
      else
        out.not_applicable(rule_id::sub_notify_immediate,
                           fmt::format("the call ended {} after the {}, before a NOTIFY was due",
                                       seconds(waited), e.status));
    }
  }

private:
  void on_response(const observed& m, verdicts& out) {
    const auto& msg = m.msg;
    if (msg.status_code() < 200) return;
    const auto branch = top_branch(msg);
    exchange* e = nullptr;
    for (auto& x : exchanges_)
      if (x.branch == branch && x.status == 0) e = &x;
    if (!e) return;
    e->status = msg.status_code();
    e->response_index = m.trace_index;
    e->answered_at = m.at;
    if (!e->accepted()) return;
    e->granted_tag = to_tag(msg);
    const std::vector<std::size_t> evidence{e->subscribe_index, m.trace_index};
    // 3.1.1: "200-class responses to SUBSCRIBE requests also MUST contain an "Expires" header
    // field. The period of time in the response MAY be shorter but MUST NOT be longer than
    // specified in the request" (4.2.1.1: the server MAY shorten the interval but MUST NOT
    // lengthen it).
    const auto* field = msg.find(header_id::expires);
    if (field) e->granted = delta_seconds(msg.value(*field));
    const std::string expected =
        e->asked ? fmt::format("Expires of at most {} (the SUBSCRIBE's)", *e->asked)
                 : std::string("an Expires header");
    if (!field)
      out.violated(rule_id::sub_expires, expected, fmt::format("a {} without Expires", e->status),
                   evidence);
    else if (!e->granted)
      out.violated(rule_id::sub_expires, expected,
                   "Expires: " + std::string(sip::trim_lws(msg.value(*field))), evidence);
    else if (e->asked && *e->granted > *e->asked)
      out.violated(rule_id::sub_expires, expected, fmt::format("Expires: {}", *e->granted),
                   evidence);
    else
      out.pass(rule_id::sub_expires, evidence);
  }

  void on_notify(const observed& m, verdicts& out) {
    const auto& notify = m.msg;
    // The subscription's dialog: the SUBSCRIBE's Call-ID, its From tag as the NOTIFY's To tag.
    std::vector<exchange*> mine;
    for (auto& x : exchanges_)
      if (call_id(x.subscribe) == call_id(notify) && from_tag(x.subscribe) == to_tag(notify))
        mine.push_back(&x);
    // Of those, the ones on the NOTIFY's dialog (RFC 6665 4.1.2.4: a NOTIFY with a From tag
    // no 2xx carried is another fork's, its own dialog).
    const auto dialog = from_tag(notify);
    std::erase_if(mine, [&](const exchange* x) { return !x->on_dialog(dialog); });
    if (mine.empty()) return; // no subscription of this call on that dialog
    // 8.2.1: several subscriptions may share a dialog, told apart by the Event package and id;
    // the NOTIFY's own Event picks them first (by package and id, else by id), and only when
    // none matches is it judged against all (and then fails sub.notify-event).
    if (const auto event = event_of(notify)) {
      std::vector<exchange*> same, same_id;
      for (auto* x : mine) {
        const auto want = event_of(x->subscribe);
        if (!want) continue;
        if (*want == *event) same.push_back(x);
        if (want->id == event->id) same_id.push_back(x);
      }
      if (!same.empty())
        mine = std::move(same);
      else if (!same_id.empty())
        mine = std::move(same_id);
    }
    // 4.2.1.2: the NOTIFY that confirms the oldest SUBSCRIBE not yet confirmed (it may come
    // before that SUBSCRIBE's 2xx).
    exchange* answered = nullptr;
    for (auto* x : mine)
      if (!x->notified && (x->status == 0 || x->accepted())) {
        answered = x;
        break;
      }
    const exchange* basis = answered;
    if (!basis)
      for (auto* x : mine)
        if (x->accepted()) basis = x; // the latest accepted one
    if (!basis) basis = mine.back();
    const std::vector<std::size_t> evidence{basis->subscribe_index, m.trace_index};
    if (answered) {
      answered->notified = true;
      answered->notify_index = m.trace_index;
      out.pass(rule_id::sub_notify_immediate, {answered->subscribe_index, m.trace_index});
    }
    judge_event(*basis, notify, evidence, out);
    const auto state = values(notify, header_id::subscription_state);
    // 4.2.2: "NOTIFY requests MUST contain "Subscription-State" header fields".
    if (state.empty() || split_value(state.front()).value.empty()) {
      out.violated(rule_id::sub_notify_state, "a Subscription-State header",
                   state.empty() ? std::string("a NOTIFY without Subscription-State")
                                 : "Subscription-State: " + state.front(),
                   evidence);
      return;
    }
    out.pass(rule_id::sub_notify_state, evidence);
    const auto [substate, params] = split_value(state.front());
    const bool live =
        sip::chars::iequals(substate, "active") || sip::chars::iequals(substate, "pending");
    if (live) judge_expires(*basis, dialog, state.front(), params, evidence, out);
    if (answered && answered->unsubscribe()) {
      // 4.2.1.4: after an unsubscribe the notifier sends a NOTIFY with a Subscription-State of
      // terminated (4.2.1.4 and 4.1.2.3: the final NOTIFY).
      if (sip::chars::iequals(substate, "terminated"))
        out.pass(rule_id::sub_unsubscribe_terminated, evidence);
      else
        out.violated(rule_id::sub_unsubscribe_terminated, "Subscription-State: terminated",
                     "Subscription-State: " + state.front(), evidence);
    }
  }

  // 8.2.1: "the event-type portion of the "Event" header field is compared byte by byte, and
  // the "id" parameter token (if present) is compared byte by byte"; 3.2.1: the NOTIFY's
  // package "MUST match the "Event" header field in the corresponding SUBSCRIBE request".
  void judge_event(const exchange& e, const sip::message& notify,
                   const std::vector<std::size_t>& evidence, verdicts& out) {
    const auto want = values(e.subscribe, header_id::event);
    if (want.empty()) return; // the scenario's SUBSCRIBE named no package
    const auto wanted = split_value(want.front());
    const auto got = values(notify, header_id::event);
    const std::string expected =
        "Event: " + std::string(wanted.value) +
        (wanted.params.find("id") ? ";id=" + std::string(*wanted.params.find("id")) : "");
    if (got.empty()) {
      out.violated(rule_id::sub_notify_event, expected, "a NOTIFY without Event", evidence);
      return;
    }
    const auto seen = split_value(got.front());
    const bool ok =
        seen.value == wanted.value && seen.params.find("id") == wanted.params.find("id");
    if (ok)
      out.pass(rule_id::sub_notify_event, evidence);
    else
      out.violated(rule_id::sub_notify_event, expected, "Event: " + got.front(), evidence);
  }

  // 4.2.2: with "active" or "pending" the notifier "MUST also include ... an "expires"
  // parameter", and "this mechanism MUST NOT be used to lengthen a subscription".
  void judge_expires(const exchange& e, std::string_view dialog, const std::string& state,
                     const sip::param_list& params, const std::vector<std::size_t>& evidence,
                     verdicts& out) {
    bool from_2xx = false;
    const auto limit = e.limit(dialog, &from_2xx);
    const std::string expected =
        limit ? fmt::format("an expires parameter of at most {} (the {})", *limit,
                            from_2xx ? "2xx's Expires" : "SUBSCRIBE's Expires")
              : std::string("an expires parameter");
    const auto raw = params.find("expires");
    const auto value = raw ? delta_seconds(*raw) : std::nullopt;
    if (!value || (limit && *value > *limit))
      out.violated(rule_id::sub_notify_expires, expected, "Subscription-State: " + state, evidence);
    else
      out.pass(rule_id::sub_notify_expires, evidence);
  }

  timing t_;
  std::vector<exchange> exchanges_;
};

} // namespace

std::unique_ptr<observer> make_subscribe_rules(const timing& t) {
  return std::make_unique<subscribe_rules>(t);
}

} // namespace sipwright::checks::detail
