// Every message the device sends: it parses, carries the mandatory header fields, frames its
// body, and (responses) copies what RFC 3261 8.2.6.2 says a response copies from its request.
#include "equivalence.hpp"
#include "framing.hpp"
#include "observer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

namespace sipwright::checks::detail {
namespace {

using sip::header_id;

// The grammar errors a more specific rule judges (they would otherwise count twice).
bool judged_elsewhere(std::string_view code) {
  return code == "header.missing"                // msg.mandatory-headers
         || code == "body.content-type-missing"; // msg.content-type
}

constexpr std::size_t max_grammar_verdicts = 10; // per message; the last one counts the rest
constexpr std::size_t max_remembered = 256;      // requests of the call kept for their responses
constexpr std::size_t shown_value = 160;         // bytes of a header value quoted in a verdict

// RFC 3261 8.1.1: the header fields every request carries (ACK and CANCEL included).
constexpr header_id request_mandatory[] = {header_id::to,           header_id::from,
                                           header_id::cseq,         header_id::call_id,
                                           header_id::max_forwards, header_id::via};
// RFC 3261 8.2.6.2, 20 (tables 2 and 3): the header fields every response carries.
constexpr header_id response_mandatory[] = {header_id::to, header_id::from, header_id::cseq,
                                            header_id::call_id, header_id::via};

// "A, B and C"
std::string join_and(const std::vector<std::string_view>& names) {
  std::string s;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i) s += i + 1 == names.size() ? " and " : ", ";
    s += names[i];
  }
  return s;
}

// RFC 3261 12.1: the requests that create a dialog (RFC 6665 4.1 SUBSCRIBE, RFC 3515 2.4.4 REFER).
bool creates_dialog(std::string_view method) {
  return method == "INVITE" || method == "SUBSCRIBE" || method == "REFER";
}

struct sent_request {
  sip::message msg;
  std::size_t trace_index = 0;
  std::string branch, method;
};

class message_rules final : public observer {
public:
  void on_message(const observed& m, verdicts& out) override {
    if (m.dir == direction::sent) {
      // The harness's own messages are never judged here; its requests are kept so that the
      // responses to them can be compared with them.
      if (m.msg.is_request()) remember(m);
      return;
    }
    grammar(m, out);
    mandatory(m, out);
    content_length(m, out);
    content_type(m, out);
    if (m.msg.is_request()) {
      branch_cookie(m, out);
    } else {
      const sent_request* request = request_of(m.msg);
      if (request) copies_request(*request, m, out);
      to_tag(request, m, out);
    }
  }

private:
  void remember(const observed& m) {
    auto via = m.msg.top_via();
    auto cseq = m.msg.cseq();
    if (!via || !via->branch() || !cseq) return; // no response could be matched to it
    std::string branch(*via->branch()), method(cseq->method);
    auto same = [&](const sent_request& r) { return r.branch == branch && r.method == method; };
    if (auto it = std::find_if(sent_.begin(), sent_.end(), same); it != sent_.end()) {
      if (m.retransmission) return;
      sent_.erase(it); // reused branch: the newest request is the one answered
    }
    if (sent_.size() == max_remembered) sent_.erase(sent_.begin());
    sent_.push_back({m.msg, m.trace_index, std::move(branch), std::move(method)});
  }

  // RFC 3261 17.1.3: a response belongs to the request with its top Via branch and CSeq method.
  const sent_request* request_of(const sip::message& response) const {
    auto via = response.top_via();
    auto cseq = response.cseq();
    if (!via || !via->branch() || !cseq) return nullptr;
    for (auto it = sent_.rbegin(); it != sent_.rend(); ++it)
      if (it->branch == *via->branch() && it->method == cseq->method) return &*it;
    return nullptr;
  }

  // RFC 3261 25: the grammar errors the parser's validation found.
  static void grammar(const observed& m, verdicts& out) {
    std::vector<const sip::diagnostic*> errors;
    for (const auto& d : m.msg.diagnostics())
      if (d.level == sip::severity::error && !judged_elsewhere(d.code)) errors.push_back(&d);
    if (errors.empty()) {
      out.pass(rule_id::msg_grammar, {m.trace_index});
      return;
    }
    const std::size_t shown = std::min(errors.size(), max_grammar_verdicts);
    for (std::size_t i = 0; i < shown; ++i) {
      const auto& d = *errors[i];
      const auto at = m.msg.position(d.offset);
      std::string observed = fmt::format("line {}:{}: {}", at.line, at.column, d.text);
      if (i + 1 == shown && errors.size() > shown)
        observed += fmt::format(" (and {} more grammar errors)", errors.size() - shown);
      out.violated(rule_id::msg_grammar, fmt::format("{} per {}", d.rule, d.section),
                   std::move(observed), {m.trace_index});
    }
  }

  // RFC 3261 8.1.1 (requests), 8.2.6.2 (responses).
  static void mandatory(const observed& m, verdicts& out) {
    const bool request = m.msg.is_request();
    std::vector<std::string_view> all, missing;
    auto check = [&](header_id id) {
      all.push_back(sip::info(id).name);
      if (!m.msg.find(id)) missing.push_back(sip::info(id).name);
    };
    if (request)
      for (auto id : request_mandatory) check(id);
    else
      for (auto id : response_mandatory) check(id);
    if (missing.empty()) {
      out.pass(rule_id::msg_mandatory, {m.trace_index});
      return;
    }
    out.violated(rule_id::msg_mandatory,
                 fmt::format("{} in every {}", join_and(all), request ? "request" : "response"),
                 fmt::format("{} missing", join_and(missing)), {m.trace_index});
  }

  // RFC 3261 18.3, 20.14: Content-Length, when present, equals the body's length.
  static void content_length(const observed& m, verdicts& out) {
    if (!m.msg.find(header_id::content_length)) {
      out.pass(rule_id::msg_content_length, {m.trace_index},
               "no Content-Length: the datagram frames the body (RFC 3261 18.3; a stream "
               "transport would have needed it)");
      return;
    }
    if (auto wrong = content_length_mismatch(m.msg)) {
      out.violated(rule_id::msg_content_length, "Content-Length equal to the body's length",
                   std::move(*wrong), {m.trace_index});
      return;
    }
    out.pass(rule_id::msg_content_length, {m.trace_index});
  }

  // RFC 3261 7.4.1, 20.15: a body says its type.
  static void content_type(const observed& m, verdicts& out) {
    const auto body = m.msg.body().size();
    if (body != 0 && !m.msg.find(header_id::content_type)) {
      out.violated(rule_id::msg_content_type,
                   fmt::format("a Content-Type for the {}-byte body", body), "no Content-Type",
                   {m.trace_index});
      return;
    }
    out.pass(rule_id::msg_content_type, {m.trace_index});
  }

  // RFC 3261 8.1.1.7: the top Via's branch starts with the magic cookie.
  static void branch_cookie(const observed& m, verdicts& out) {
    auto via = m.msg.top_via();
    if (!via) return; // no Via (msg.mandatory-headers) or one that does not parse (msg.grammar)
    constexpr std::string_view cookie = "z9hG4bK";
    const auto branch = via->branch();
    std::optional<std::string> wrong;
    if (!branch)
      wrong = "no branch parameter";
    else if (branch->substr(0, cookie.size()) != cookie)
      wrong = fmt::format("branch={}", sip::shown(*branch, shown_value));
    else if (branch->size() == cookie.size())
      wrong = "branch=z9hG4bK, the magic cookie alone, which cannot identify a transaction";
    if (wrong)
      out.violated(rule_id::msg_branch_cookie, "a top Via branch starting with z9hG4bK",
                   std::move(*wrong), {m.trace_index});
    else
      out.pass(rule_id::msg_branch_cookie, {m.trace_index});
  }

  // RFC 3261 8.2.6.2: Call-ID, CSeq, From and Via are the request's.
  static void copies_request(const sent_request& q, const observed& m, verdicts& out) {
    const auto& req = q.msg;
    const auto& resp = m.msg;
    std::vector<std::string> differ;
    auto quote = [](std::string_view v) { return "'" + sip::shown(v, shown_value) + "'"; };
    auto both = [&](std::string_view what, std::string_view got, std::string_view want) {
      differ.push_back(
          fmt::format("{} {} where the request has {}", what, quote(got), quote(want)));
    };
    // Call-ID compares byte for byte (RFC 3261 20.8).
    if (resp.value(header_id::call_id) != req.value(header_id::call_id))
      both("Call-ID", resp.value(header_id::call_id), req.value(header_id::call_id));
    // CSeq: the number and the method (the method matched already; the number may differ).
    auto rc = resp.cseq();
    auto qc = req.cseq();
    if (!rc || !qc || rc->number != qc->number || rc->method != qc->method)
      both("CSeq", resp.value(header_id::cseq), req.value(header_id::cseq));
    // From: equivalent as RFC 3261 20.20 defines it (URI per 19.1.4, the same tag); a device may
    // re-serialize it (display name, brackets, case where case does not count).
    // A From the harness sent broken can only be copied byte for byte.
    auto rf = resp.from();
    auto qf = req.from();
    if (qf ? !rf || !address_equivalent(*qf, *rf)
           : resp.value(header_id::from) != req.value(header_id::from))
      both("From", resp.value(header_id::from), req.value(header_id::from));
    // Via: every value, in order (rows may be split or joined, RFC 3261 7.3.1).
    const auto rv = resp.all_elements(header_id::via);
    const auto qv = req.all_elements(header_id::via);
    if (rv.size() != qv.size()) {
      differ.push_back(fmt::format("{} Via values where the request has {}", rv.size(), qv.size()));
    } else {
      for (std::size_t i = 0; i < rv.size(); ++i) {
        sip::via a, b;
        sip::report r(nullptr, false);
        const bool same = sip::parse_via(qv[i], a, r)
                              ? sip::parse_via(rv[i], b, r) && via_equivalent(a, b, i == 0)
                              : rv[i] == qv[i]; // the harness's own Via did not parse
        if (!same) {
          both(fmt::format("Via #{}", i + 1), rv[i], qv[i]);
          break;
        }
      }
    }
    if (differ.empty()) {
      out.pass(rule_id::resp_copies_request, {q.trace_index, m.trace_index});
      return;
    }
    std::string observed;
    for (const auto& d : differ) observed += (observed.empty() ? "" : "; ") + d;
    out.violated(rule_id::resp_copies_request, "the request's Call-ID, CSeq, From and Via",
                 std::move(observed), {q.trace_index, m.trace_index});
  }

  // RFC 3261 8.2.6.2, 12.1.1: a response other than 100 to a dialog-creating request carries a
  // To tag; when the request had one, the response carries that one.
  static void to_tag(const sent_request* q, const observed& m, verdicts& out) {
    const auto& resp = m.msg;
    auto cseq = resp.cseq();
    if (!cseq || !creates_dialog(cseq->method) || resp.status_code() == 100) return;
    auto to = resp.to();
    if (!to) return; // no To (msg.mandatory-headers) or one that does not parse (msg.grammar)
    std::vector<std::size_t> evidence;
    if (q) evidence.push_back(q->trace_index);
    evidence.push_back(m.trace_index);
    std::optional<std::string_view> wanted;
    if (q)
      if (auto qt = q->msg.to()) wanted = qt->tag();
    const auto tag = to->tag();
    if (!tag || tag->empty()) {
      out.violated(rule_id::resp_to_tag,
                   fmt::format("a To tag in the {} to {}", resp.status_code(), cseq->method),
                   "To without a tag", std::move(evidence));
    } else if (wanted && *wanted != *tag) {
      out.violated(rule_id::resp_to_tag, fmt::format("the request's To tag '{}'", *wanted),
                   fmt::format("To tag '{}'", sip::shown(*tag, shown_value)), std::move(evidence));
    } else {
      out.pass(rule_id::resp_to_tag, std::move(evidence));
    }
  }

  std::vector<sent_request> sent_;
};

} // namespace

std::unique_ptr<observer> make_message_rules() {
  return std::make_unique<message_rules>();
}

} // namespace sipwright::checks::detail
