// The device as registrar (RFC 3261 10.3): its 200 to a REGISTER enumerates the current bindings,
// each with the expiration interval it chose, and a 423 says the minimum it accepts.
#include "fields.hpp"
#include "observer.hpp"

#include "sipwright/sip/grammar.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace sipwright::checks::detail {
namespace {

using sip::header_id;

// The URI of a Contact element: inside <...>, else up to its first ';'.
std::string uri_of(std::string_view contact) {
  if (auto open = contact.find('<'); open != std::string_view::npos) {
    const auto close = contact.find('>', open);
    return std::string(contact.substr(
        open + 1, close == std::string_view::npos ? std::string_view::npos : close - open - 1));
  }
  return std::string(contact.substr(0, contact.find(';')));
}

std::optional<std::string> expires_param(std::string_view contact) {
  sip::name_addr na;
  sip::report r(contact.data());
  if (!sip::parse_name_addr(contact, na, r)) return std::nullopt;
  if (auto e = na.params.find("expires")) return std::string(*e);
  return std::nullopt;
}

// What a REGISTER asks for: the Contact URIs it adds or refreshes, those it removes (expires 0
// by parameter, or by the Expires header for those without one; RFC 3261 10.2.2), and whether
// it removes every binding of the AOR (Contact: *, 10.2.2).
struct asked_bindings {
  std::vector<std::string> added, removed;
  bool remove_all = false;
};
asked_bindings asked_of(const sip::message& reg) {
  asked_bindings out;
  const auto header = values(reg, header_id::expires);
  const bool all_expire = !header.empty() && header.front() == "0";
  for (const auto& c : values(reg, header_id::contact)) {
    if (c == "*") return {{}, {}, true};
    const auto e = expires_param(c);
    (e ? *e == "0" : all_expire) ? out.removed.push_back(uri_of(c))
                                 : out.added.push_back(uri_of(c));
  }
  return out;
}

class register_rules final : public observer {
public:
  void on_message(const observed& m, verdicts& out) override {
    const auto& msg = m.msg;
    if (m.dir == direction::sent && msg.is_request() && msg.method() == "REGISTER") {
      sent_[cseq_number(msg)] = {msg, m.trace_index};
      return;
    }
    if (m.dir != direction::received || !msg.is_response() || cseq_method(msg) != "REGISTER" ||
        m.retransmission)
      return;
    auto reg = sent_.find(cseq_number(msg));
    if (reg == sent_.end()) return;
    const std::vector<std::size_t> evidence{reg->second.second, m.trace_index};
    if (msg.status_code() == 423) {
      // 10.3 item 7: "the registrar ... MUST include a Min-Expires header field".
      const bool has = msg.find(header_id::min_expires) != nullptr;
      has ? out.pass(rule_id::reg_min_expires, evidence)
          : out.violated(rule_id::reg_min_expires, "a 423 with Min-Expires",
                         "a 423 without Min-Expires", evidence);
      return;
    }
    if (msg.status_code() < 200 || msg.status_code() >= 300) return;
    // 10.3 item 8: the 200 "MUST contain Contact header field values enumerating all current
    // bindings. Each Contact value MUST feature an "expires" parameter".
    const auto contacts = values(msg, header_id::contact);
    std::vector<std::string> problems;
    for (const auto& c : contacts)
      if (!expires_param(c)) problems.push_back("Contact " + c + " without expires");
    const auto asked = asked_of(reg->second.first);
    for (const auto& want : asked.added)
      if (std::none_of(contacts.begin(), contacts.end(),
                       [&](const std::string& c) { return same_uri(uri_of(c), want); }))
        problems.push_back("no binding for " + want);
    // A binding the REGISTER removed is no current binding: listed, it may only say expires=0.
    for (const auto& c : contacts) {
      const auto e = expires_param(c);
      if (!e || *e == "0") continue;
      const auto uri = uri_of(c);
      if (asked.remove_all || std::any_of(asked.removed.begin(), asked.removed.end(),
                                          [&](const std::string& r) { return same_uri(r, uri); }))
        problems.push_back("Contact " + c + " still bound, though the REGISTER removed it");
    }
    if (problems.empty())
      out.pass(rule_id::reg_bindings, evidence);
    else
      out.violated(rule_id::reg_bindings,
                   "every current binding as a Contact with an expires parameter, the REGISTER's "
                   "among them",
                   joined(problems), evidence);
  }

private:
  std::map<std::uint32_t, std::pair<sip::message, std::size_t>> sent_; // by CSeq number
};

} // namespace

std::unique_ptr<observer> make_register_rules() {
  return std::make_unique<register_rules>();
}

} // namespace sipwright::checks::detail
