// The device is the callee and answered the harness's INVITE: its 2xx must carry a Contact, copy
// the Record-Route and be retransmitted from T1, doubling up to T2, until the ACK (RFC 3261 12.1.1,
// 13.3.1.4); a final non-2xx is retransmitted with Timer G until the ACK (17.2.1). Judged from the
// arrival times of the copies, against the device's T1/T2 with a stated tolerance.
#include "fields.hpp"
#include "observer.hpp"

#include "sipwright/dialog/routing.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace sipwright::checks::detail {
namespace {

using sip::header_id;
using std::chrono::milliseconds;

struct answer {
  sip::message invite;
  std::size_t invite_index = 0;
  int status = 0;
  std::string to_tag;
  std::vector<clock::time_point> copies;
  std::vector<std::size_t> copy_indexes;
  std::optional<clock::time_point> ack; // the harness's first ACK for it
  std::optional<std::size_t> bye_index; // the device's BYE afterwards
  bool success() const { return status < 300; }
};

class retransmission_rules final : public observer {
public:
  explicit retransmission_rules(const timing& t) : t_(t) {}

  void on_message(const observed& m, verdicts& out) override {
    const auto& msg = m.msg;
    if (m.dir == direction::sent && msg.is_request() && msg.method() == "INVITE") {
      if (std::none_of(invites_.begin(), invites_.end(),
                       [&](const auto& i) { return top_branch(i.first) == top_branch(msg); }))
        invites_.emplace_back(msg, m.trace_index);
      return;
    }
    if (m.dir == direction::received && msg.is_response() && msg.status_code() >= 200 &&
        cseq_method(msg) == "INVITE") {
      auto inv = std::find_if(invites_.begin(), invites_.end(), [&](const auto& i) {
        return top_branch(i.first) == top_branch(msg);
      });
      if (inv == invites_.end()) return;
      auto a = std::find_if(answers_.begin(), answers_.end(), [&](const answer& x) {
        return top_branch(x.invite) == top_branch(msg) && x.status == msg.status_code() &&
               x.to_tag == to_tag(msg);
      });
      if (a == answers_.end()) {
        answers_.push_back(
            {inv->first, inv->second, msg.status_code(), to_tag(msg), {}, {}, {}, {}});
        a = std::prev(answers_.end());
        if (a->success()) judge_2xx(*a, msg, m.trace_index, out);
      }
      a->copies.push_back(m.at);
      a->copy_indexes.push_back(m.trace_index);
      return;
    }
    if (m.dir == direction::sent && msg.is_request() && msg.method() == "ACK") {
      for (auto& a : answers_)
        if (!a.ack && call_id(a.invite) == call_id(msg) &&
            cseq_number(a.invite) == cseq_number(msg))
          a.ack = m.at;
      return;
    }
    if (m.dir == direction::received && msg.is_request() && msg.method() == "BYE")
      for (auto& a : answers_)
        if (a.success() && !a.bye_index && call_id(a.invite) == call_id(msg))
          a.bye_index = m.trace_index;
  }

  void on_end(clock::time_point at, verdicts& out) override {
    for (const auto& a : answers_) {
      if (a.success())
        judge_schedule(a, at, rule_id::uas_2xx_retransmit, rule_id::uas_2xx_stop_on_ack, out);
      else if (t_.reliable) {
        out.not_applicable(rule_id::uas_non2xx_retransmit,
                           "reliable transport: Timer G does not run (RFC 3261 17.2.1)");
        out.not_applicable(rule_id::uas_non2xx_stop_on_ack, "reliable transport");
      } else {
        judge_schedule(a, at, rule_id::uas_non2xx_retransmit, rule_id::uas_non2xx_stop_on_ack, out);
      }
      if (a.success() && a.ack) {
        out.not_applicable(rule_id::uas_2xx_bye_without_ack, "the harness ACKed the 2xx");
      } else if (a.success()) {
        // 13.3.1.4: 64*T1 without an ACK, the session SHOULD end with a BYE.
        const auto waited = at - a.copies.front();
        if (a.bye_index)
          out.pass(rule_id::uas_2xx_bye_without_ack, {*a.bye_index});
        else if (waited >= 64 * t_.t1 + t_.t2)
          out.violated(rule_id::uas_2xx_bye_without_ack,
                       fmt::format("a BYE about 64*T1 ({}) after the 2xx that was never ACKed",
                                   millis(64 * t_.t1)),
                       fmt::format("no BYE within {}", seconds(waited)), {a.copy_indexes.front()});
        else
          out.not_applicable(rule_id::uas_2xx_bye_without_ack,
                             fmt::format("the call ended {} after the unACKed 2xx, before 64*T1",
                                         seconds(waited)));
      }
    }
  }

private:
  void judge_2xx(const answer& a, const sip::message& resp, std::size_t index, verdicts& out) {
    const std::vector<std::size_t> ev{a.invite_index, index};
    // 12.1.1 (and 8.1.1.8): one Contact, a SIP or SIPS URI when the request was sent to one.
    const auto contact = dialog::contact_uri_of(resp);
    if (contact.ok())
      out.pass(rule_id::uas_2xx_contact, {index});
    else
      out.violated(rule_id::uas_2xx_contact, "one Contact with a SIP or SIPS URI",
                   contact.err().text, ev);
    // 12.1.1: the Record-Route of the request is copied into the 2xx, in order. Proxies between
    // the device and the harness record-route too (16.6 step 4) and may rewrite their own
    // entries on the way back (16.7 step 4): the INVITE's entries end the 2xx's list.
    const auto want = values(a.invite, header_id::record_route);
    if (want.empty()) {
      out.not_applicable(rule_id::uas_2xx_record_route, "the INVITE had no Record-Route");
    } else {
      const auto got = values(resp, header_id::record_route);
      if (got.size() >= want.size() &&
          std::equal(want.begin(), want.end(),
                     got.end() - static_cast<std::ptrdiff_t>(want.size())))
        out.pass(rule_id::uas_2xx_record_route, {index});
      else
        out.violated(rule_id::uas_2xx_record_route,
                     "Record-Route " + joined(want) +
                         (got.size() > want.size() ? " at the end (proxies' entries above)" : ""),
                     "Record-Route " + joined(got), ev);
    }
  }

  // The copies received before the ACK went out must follow T1, 2T1, 4T1 ... capped at T2
  // (13.3.1.4; Timer G, 17.2.1), each interval within the tolerance; none may follow the ACK
  // beyond one in flight.
  void judge_schedule(const answer& a, clock::time_point end, rule_id schedule, rule_id stop,
                      verdicts& out) {
    // 13.3.1.4, 17.2.1 (Timer H): the device retransmits for 64*T1 at most, then gives up.
    const auto until = std::min(a.ack.value_or(end), a.copies.front() + 64 * t_.t1);
    std::vector<clock::time_point> before, after;
    std::vector<std::size_t> after_idx;
    for (std::size_t i = 0; i < a.copies.size(); ++i) {
      // A copy the device sent before the ACK reached it may arrive up to one round trip (T1)
      // after the ACK went out.
      if (!a.ack || a.copies[i] <= *a.ack + t_.t1)
        before.push_back(a.copies[i]);
      else {
        after.push_back(a.copies[i]);
        after_idx.push_back(a.copy_indexes[i]);
      }
    }
    std::string observed_schedule;
    for (std::size_t i = 1; i < before.size(); ++i)
      observed_schedule += (i > 1 ? ", " : "") + millis(before[i] - before[i - 1]);
    std::string expected_schedule;
    auto interval = t_.t1;
    std::vector<milliseconds> expected;
    for (auto at = before.front() + interval; at <= until; at += interval) {
      expected.push_back(interval);
      interval = std::min(interval * 2, t_.t2);
      if (expected.size() > 64) break;
    }
    for (std::size_t i = 0; i < expected.size() && i < 8; ++i)
      expected_schedule += (i ? ", " : "") + millis(expected[i]);
    if (expected.size() > 8) expected_schedule += ", ...";
    const std::string label = a.success() ? "2xx" : std::to_string(a.status);
    if (expected.empty()) {
      out.not_applicable(schedule,
                         fmt::format("the {} {} after the {}, before T1 ({})",
                                     a.ack ? "ACK went out" : "call ended",
                                     millis(until - before.front()), label, millis(t_.t1)));
    } else {
      std::string problem;
      // A copy past the window (one in flight when the ACK went out) continues the doubling
      // (13.3.1.4: each interval twice the last, up to T2), not T2 at once.
      auto nth = [&](std::size_t n) {
        auto d = t_.t1;
        for (std::size_t k = 0; k < n && d < t_.t2; ++k) d *= 2;
        return std::min(d, t_.t2);
      };
      for (std::size_t i = 1; i < before.size() && problem.empty(); ++i) {
        const auto want = i - 1 < expected.size() ? expected[i - 1] : nth(i - 1);
        const auto got = before[i] - before[i - 1];
        const auto allowed =
            std::chrono::duration_cast<milliseconds>(want * t_.tolerance) + t_.slack;
        if (got < want - allowed || got > want + allowed)
          problem =
              fmt::format("retransmission {} came {} after the previous one, expected {} +- {}", i,
                          millis(got), millis(want), millis(allowed));
      }
      // Copies missing: the last one expected within the window (with the tolerance) never came.
      const std::size_t due = [&] {
        std::size_t n = 0;
        auto at = before.front();
        for (auto e : expected) {
          at += e;
          const auto allowed =
              std::chrono::duration_cast<milliseconds>(e * t_.tolerance) + t_.slack;
          if (at + allowed <= until) ++n;
        }
        return n;
      }();
      if (problem.empty() && before.size() - 1 < due)
        problem = fmt::format("{} retransmission{} within {}, expected {}", before.size() - 1,
                              before.size() == 2 ? "" : "s", millis(until - before.front()), due);
      const auto evidence = a.copy_indexes;
      if (problem.empty())
        out.pass(schedule, evidence,
                 fmt::format("intervals {}", observed_schedule.empty() ? "-" : observed_schedule));
      else
        out.violated(schedule,
                     fmt::format("the {} again after {} until the ACK{}", label, expected_schedule,
                                 a.ack ? "" : " (none was sent)"),
                     fmt::format("{} (intervals: {})", problem,
                                 observed_schedule.empty() ? "none" : observed_schedule),
                     evidence);
    }
    if (!a.ack) {
      out.not_applicable(stop, "the harness sent no ACK");
      return;
    }
    if (!after.empty())
      out.violated(stop, fmt::format("no {} after the ACK", label),
                   fmt::format("{} more cop{} after the ACK, the last {} after it", after.size(),
                               after.size() == 1 ? "y" : "ies", millis(after.back() - *a.ack)),
                   after_idx);
    else if (end - *a.ack >= t_.t2)
      out.pass(stop, {});
    else
      out.not_applicable(
          stop, fmt::format("the call ended {} after the ACK, before T2", millis(end - *a.ack)));
  }

  timing t_;
  std::vector<std::pair<sip::message, std::size_t>> invites_;
  std::vector<answer> answers_;
};

} // namespace

std::unique_ptr<observer> make_retransmission_rules(const timing& t) {
  return std::make_unique<retransmission_rules>(t);
}

} // namespace sipwright::checks::detail
