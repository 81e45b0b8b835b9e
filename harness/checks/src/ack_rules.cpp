// The device is the caller and the harness answered its INVITE with a final response: the device
// must ACK it, and the ACK's fields follow from the INVITE and the response (RFC 3261 13.2.2.4 and
// 12.2.1.1 for a 2xx, 17.1.1.3 for a non-2xx).
#include "equivalence.hpp"
#include "fields.hpp"
#include "observer.hpp"

#include "sipwright/auth/mask.hpp"
#include "sipwright/dialog/routing.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace sipwright::checks::detail {
namespace {

using sip::header_id;

struct answered {
  sip::message invite;
  std::size_t invite_index = 0;
  sip::message response; // the first copy the harness sent
  int status = 0;
  std::vector<clock::time_point> sends;
  std::vector<std::size_t> send_indexes;
  std::vector<clock::time_point> acks;
  std::vector<std::size_t> ack_indexes;
  bool later_request = false; // the device sent another request of this call afterwards
  bool bye_seen = false;
  bool success() const { return status < 300; }
};

class ack_rules final : public observer {
public:
  explicit ack_rules(const timing& t) : t_(t) {}

  void on_message(const observed& m, verdicts& out) override {
    const auto& msg = m.msg;
    if (m.dir == direction::received && msg.is_request()) {
      if (msg.method() == "INVITE") {
        invites_.insert_or_assign(top_branch(msg), std::make_pair(msg, m.trace_index));
        return;
      }
      if (msg.method() == "ACK") {
        on_ack(m, out);
        return;
      }
      if (m.retransmission) return; // judged on its first copy
      // A BYE for the dialog a 2xx of this call created (e.g. to the INVITE sent again with
      // credentials after a 401/407, RFC 3261 22.2) is no BYE after the non-2xx.
      const bool in_a_dialog =
          std::any_of(answered_.begin(), answered_.end(), [&](const answered& s) {
            return s.success() && call_id(s.invite) == call_id(msg) &&
                   to_tag(s.response) == to_tag(msg);
          });
      for (auto& a : answered_) {
        if (call_id(a.invite) != call_id(msg)) continue;
        a.later_request = true;
        // 17.1.1.3 / 13.2.2.3: a final non-2xx ends the INVITE; there is no dialog to BYE.
        if (!a.success() && msg.method() == "BYE" && !in_a_dialog) {
          a.bye_seen = true;
          out.violated(rule_id::ack_non2xx_no_bye, "no BYE after a final non-2xx response",
                       fmt::format("BYE after {} {}", a.status, a.response.reason()),
                       {a.send_indexes.front(), m.trace_index});
        }
      }
      return;
    }
    if (m.dir == direction::sent && msg.is_response() && msg.status_code() >= 200 &&
        cseq_method(msg) == "INVITE") {
      auto inv = invites_.find(top_branch(msg));
      if (inv == invites_.end()) return; // the scenario answered something it never received
      auto it = std::find_if(answered_.begin(), answered_.end(), [&](const answered& a) {
        return top_branch(a.invite) == inv->first && a.status == msg.status_code() &&
               to_tag(a.response) == to_tag(msg);
      });
      if (it == answered_.end()) {
        answered a;
        a.invite = inv->second.first;
        a.invite_index = inv->second.second;
        a.response = msg;
        a.status = msg.status_code();
        answered_.push_back(std::move(a));
        it = std::prev(answered_.end());
      }
      it->sends.push_back(m.at);
      it->send_indexes.push_back(m.trace_index);
    }
  }

  void on_end(clock::time_point at, verdicts& out) override {
    for (auto& a : answered_) {
      const auto received = a.success() ? rule_id::ack_2xx_received : rule_id::ack_non2xx_received;
      const auto each = a.success() ? rule_id::ack_2xx_each : rule_id::ack_non2xx_each;
      const auto waited = at - a.sends.front();
      // 17.1.1.3, 13.2.2.3: each BYE after the non-2xx failed in on_message; none came.
      if (!a.success() && !a.bye_seen)
        out.pass(rule_id::ack_non2xx_no_bye, {a.send_indexes.front()});
      if (a.acks.empty()) {
        // Judged once the device had 64*T1 (Timer H, 17.2.1), within the timing slack (a call
        // that waits exactly 64*T1 after sending, measured at the far end of a path), or moved
        // on to another request.
        if (a.later_request || waited + t_.slack >= 64 * t_.t1)
          out.violated(
              received, "an ACK for the " + std::to_string(a.status),
              fmt::format("no ACK within {}{}", seconds(waited),
                          a.later_request ? ", though the device sent another request" : ""),
              {a.send_indexes.front()});
        else
          out.not_applicable(received,
                             fmt::format("the call ended {} after the {}, before an ACK was due",
                                         seconds(waited), a.status));
        continue;
      }
      out.pass(received, {a.ack_indexes.front()});
      if (a.sends.size() < 2) {
        out.not_applicable(each, "the response was sent once");
        continue;
      }
      // Each copy sent is matched with the first unmatched ACK after it; a copy sent too late
      // for an answer within 2*T1 before the end is not judged.
      std::size_t next_ack = 0, owed = 0, unanswered = 0;
      for (std::size_t i = 0; i < a.sends.size(); ++i) {
        while (next_ack < a.acks.size() && a.acks[next_ack] < a.sends[i]) ++next_ack;
        if (next_ack < a.acks.size()) {
          ++next_ack;
          ++owed;
        } else if (at - a.sends[i] >= 2 * t_.t1 + t_.slack) {
          ++owed;
          ++unanswered;
        }
      }
      if (unanswered)
        out.violated(
            each, fmt::format("an ACK for each of the {} copies of the {}", owed, a.status),
            fmt::format("{} ACK{} for them", owed - unanswered, owed - unanswered == 1 ? "" : "s"),
            a.send_indexes);
      else
        out.pass(each, a.ack_indexes);
    }
  }

private:
  void on_ack(const observed& m, verdicts& out) {
    const auto& ack = m.msg;
    // A non-2xx ACK belongs to the INVITE transaction (same branch); a 2xx ACK to the dialog
    // (same Call-ID and CSeq number). Fall back to the Call-ID so that a wrong CSeq is judged.
    answered* a = nullptr;
    for (auto& c : answered_)
      if (!c.success() && top_branch(c.invite) == top_branch(ack)) a = &c;
    for (auto& c : answered_)
      if (!a && call_id(c.invite) == call_id(ack) && cseq_number(c.invite) == cseq_number(ack))
        a = &c;
    for (auto& c : answered_)
      if (!a && call_id(c.invite) == call_id(ack)) a = &c;
    // 12.2.1.1: an ACK carrying the dialog's tags but another Call-ID is still this dialog's
    // ACK, broken; judged so that ack-2xx.call-id can fire.
    for (auto& c : answered_)
      if (!a && c.success() && !from_tag(ack).empty() && from_tag(ack) == from_tag(c.invite) &&
          to_tag(ack) == to_tag(c.response))
        a = &c;
    if (!a) return;
    a->acks.push_back(m.at);
    a->ack_indexes.push_back(m.trace_index);
    if (a->acks.size() == 1) judge_fields(*a, ack, m.trace_index, out);
  }

  void judge_fields(const answered& a, const sip::message& ack, std::size_t ack_index,
                    verdicts& out) {
    const std::vector<std::size_t> ev{a.invite_index, a.send_indexes.front(), ack_index};
    auto check = [&](rule_id r, bool ok, std::string expected, std::string observed) {
      if (ok)
        out.pass(r, {ack_index});
      else
        out.violated(r, std::move(expected), std::move(observed), ev);
    };
    const auto& inv = a.invite;
    const auto& resp = a.response;
    const std::string invite_cseq = fmt::format("{} ACK", cseq_number(inv));
    if (a.success()) {
      const auto branch = top_branch(ack);
      // Through proxies the top Via is the last proxy's, which picks its own branch (16.6 step
      // 8): the device's own is the bottom-most, and it must be new too.
      const auto own = bottom_branch(ack);
      const bool proxied = ack.all_elements(header_id::via).size() > 1;
      const bool own_new = own != bottom_branch(inv);
      check(rule_id::ack_2xx_new_transaction,
            branch.starts_with("z9hG4bK") && branch != top_branch(inv) && own_new,
            "a new branch with the magic cookie (the INVITE's is " + top_branch(inv) +
                (proxied ? ", its bottom-most Via's " + bottom_branch(inv) : std::string()) + ")",
            "branch " + (branch.empty() ? std::string("(none)") : branch) +
                (proxied ? ", bottom-most Via branch " + (own.empty() ? std::string("(none)") : own)
                         : std::string()));
      check(rule_id::ack_2xx_call_id, call_id(ack) == call_id(inv), "Call-ID " + call_id(inv),
            "Call-ID " + call_id(ack));
      check(rule_id::ack_2xx_from,
            same_address(ack, inv, header_id::from) && !from_tag(inv).empty(),
            "From " + std::string(inv.value(header_id::from)),
            "From " + std::string(ack.value(header_id::from)));
      check(rule_id::ack_2xx_to, to_tag(ack) == to_tag(resp),
            "To tag " + to_tag(resp) + " (the 2xx's)",
            to_tag(ack).empty() ? std::string("no To tag") : "To tag " + to_tag(ack));
      check(rule_id::ack_2xx_cseq, cseq_text(ack) == invite_cseq,
            "CSeq " + invite_cseq + " (INVITE CSeq " + cseq_text(inv) + ")",
            "CSeq " + cseq_text(ack));
      // 12.2.1.1: Request-URI and Route from the 2xx's Contact and reversed Record-Route.
      // Entries the INVITE already carried belong to proxies between the device and the
      // harness: each removes its own on the way back (16.4, 16.12), so they are not expected.
      auto routes = dialog::route_set_of(resp, true);
      if (auto upstream = dialog::route_set_of(inv, false); routes.ok() && upstream.ok())
        std::erase_if(routes.value(), [&](const std::string& r) {
          return std::find(upstream.value().begin(), upstream.value().end(), r) !=
                 upstream.value().end();
        });
      auto contact = dialog::contact_uri_of(resp);
      const auto target = routes.ok() && contact.ok()
                              ? dialog::target_for(routes.value(), contact.value())
                              : std::nullopt;
      if (target) {
        check(rule_id::ack_2xx_request_uri, same_uri(ack.request_uri(), target->request_uri),
              "Request-URI " + target->request_uri +
                  (routes.value().empty() ? " (the 2xx's Contact)" : " (per the route set)"),
              "Request-URI " + std::string(ack.request_uri()));
        const auto got = values(ack, header_id::route);
        check(rule_id::ack_2xx_route, got == target->routes, "Route " + joined(target->routes),
              "Route " + joined(got));
      } else {
        // The harness's own 2xx gives no target to judge the ACK against.
        const std::string why = "the 2xx has no usable Contact or Record-Route: " +
                                (!contact.ok()  ? contact.err().text
                                 : !routes.ok() ? routes.err().text
                                                : std::string("the first route is no URI"));
        out.not_applicable(rule_id::ack_2xx_request_uri, why);
        out.not_applicable(rule_id::ack_2xx_route, why);
      }
      // 13.2.2.4 (22.1): the ACK of a 2xx carries the same credentials as the INVITE.
      if (values(inv, header_id::authorization).empty() &&
          values(inv, header_id::proxy_authorization).empty()) {
        out.not_applicable(rule_id::ack_2xx_credentials, "the INVITE carried no credentials");
      } else {
        // Compared by meaning; the reason names what differs, never a digest response.
        const auto same = auth::same_credentials(inv, ack, auth::ack_kind::for_2xx);
        check(rule_id::ack_2xx_credentials, same.same, "the INVITE's credentials",
              same.same ? std::string("the same credentials") : same.reason);
      }
      check(rule_id::ack_2xx_max_forwards, ack.max_forwards().has_value(), "Max-Forwards",
            ack.find(header_id::max_forwards) ? "an unparsable Max-Forwards" : "no Max-Forwards");
      // 13.2.1: an INVITE without an offer gets the offer in the 2xx; the answer is in the ACK.
      if (inv.body().empty() && !resp.body().empty())
        check(rule_id::ack_2xx_sdp_answer, !ack.body().empty(),
              "an SDP answer in the ACK (the INVITE had no offer, the 2xx carried one)",
              "an ACK without a body");
      else
        out.not_applicable(rule_id::ack_2xx_sdp_answer,
                           inv.body().empty() ? "neither the INVITE nor the 2xx carried an offer"
                                              : "the INVITE carried the offer");
      return;
    }
    // 17.1.1.3: the ACK of a non-2xx copies the INVITE, with the response's To.
    const auto vias = values(ack, header_id::via);
    const auto invite_vias = values(inv, header_id::via);
    // "Equal" by meaning (7.3.1: LWS, case of tokens and parameter order do not count); the
    // branch byte for byte.
    const auto ack_via = ack.top_via();
    const auto invite_via = inv.top_via();
    const bool same_via = !invite_vias.empty() && vias.size() == 1 &&
                          (vias.front() == invite_vias.front() ||
                           (ack_via && invite_via && via_equivalent(*invite_via, *ack_via, false)));
    check(rule_id::ack_non2xx_branch, same_via,
          "one Via equal to the INVITE's top Via (" +
              (invite_vias.empty() ? std::string("none") : invite_vias.front()) + ")",
          "Via " + joined(vias));
    check(rule_id::ack_non2xx_request_uri, ack.request_uri() == inv.request_uri(),
          "Request-URI " + std::string(inv.request_uri()),
          "Request-URI " + std::string(ack.request_uri()));
    check(rule_id::ack_non2xx_call_id, call_id(ack) == call_id(inv), "Call-ID " + call_id(inv),
          "Call-ID " + call_id(ack));
    check(rule_id::ack_non2xx_from, same_address(ack, inv, header_id::from),
          "From " + std::string(inv.value(header_id::from)),
          "From " + std::string(ack.value(header_id::from)));
    check(rule_id::ack_non2xx_to, same_address(ack, resp, header_id::to),
          "To " + std::string(resp.value(header_id::to)) + " (the response's)",
          "To " + std::string(ack.value(header_id::to)));
    check(rule_id::ack_non2xx_cseq, cseq_text(ack) == invite_cseq,
          "CSeq " + invite_cseq + " (INVITE CSeq " + cseq_text(inv) + ")",
          "CSeq " + cseq_text(ack));
    const auto want_routes = values(inv, header_id::route);
    const auto got_routes = values(ack, header_id::route);
    check(rule_id::ack_non2xx_route, got_routes == want_routes, "Route " + joined(want_routes),
          "Route " + joined(got_routes));
  }

  timing t_;
  std::map<std::string, std::pair<sip::message, std::size_t>> invites_;
  std::vector<answered> answered_;
};

} // namespace

std::unique_ptr<observer> make_ack_rules(const timing& t) {
  return std::make_unique<ack_rules>(t);
}

} // namespace sipwright::checks::detail
