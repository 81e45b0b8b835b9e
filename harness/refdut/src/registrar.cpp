// The reference device as registrar (RFC 3261 10.3): bindings per address-of-record with their
// expiry, added, refreshed and removed (expires 0, or Contact: * with Expires: 0), 423 with
// Min-Expires below a minimum, and a 200 that lists every current binding with its expires
// parameter and the Contact parameters it was registered with. No authentication: the device
// is authoritative for any domain.
#include "calls.hpp"
#include "messages.hpp"
#include "user_agent.hpp"

#include "sipwright/sip/charclass.hpp"
#include "sipwright/sip/grammar.hpp"

#include <algorithm>
#include <ctime>

namespace sipwright::refdut::detail {

using sip::header_id;
using steady = std::chrono::steady_clock;

namespace {

constexpr std::uint64_t default_expires = 3600; // 10.2.1.1: the registrar's default, an hour
constexpr std::uint64_t max_expires = 7200;     // 10.3 step 7: the registrar MAY shorten
constexpr std::uint64_t min_expires = 60;       // below this (and above 0): 423

// 10.3 step 5: the To URI in canonical form: parameters removed, escapes resolved, the host in
// lower case.
std::string address_of_record(const sip::uri& u) {
  std::string host(u.host.host);
  for (char& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string aor = std::string(u.is_sips ? "sips:" : "sip:");
  if (!u.user.empty()) aor += sip::unescape(u.user) + "@";
  aor += host;
  if (u.host.port) aor += ":" + std::to_string(*u.host.port);
  return aor;
}

// ";a=1;expires=30;b" without its expires parameter(s); quoted values may hold ';'.
std::string without_expires(std::string_view params) {
  std::string out;
  std::size_t i = 0;
  while (i < params.size()) {
    std::size_t j = i + 1;
    bool quoted = false;
    while (j < params.size() && (quoted || params[j] != ';')) {
      if (params[j] == '"') quoted = !quoted;
      if (params[j] == '\\' && quoted) ++j;
      ++j;
    }
    const auto param = params.substr(i, std::min(j, params.size()) - i); // ";name=value"
    const auto name = sip::trim_lws(param.substr(1, param.find('=') - 1));
    if (!sip::chars::iequals(name, "expires")) out.append(param);
    i = j;
  }
  return out;
}

// The Contact value a binding is listed with: name-addr form, the registered parameters kept.
std::string contact_value(const sip::name_addr& na) {
  std::string s;
  if (!na.display_name.empty()) s.append(na.display_name).append(" ");
  s.append("<").append(na.address.text).append(">");
  s.append(without_expires(na.params.raw()));
  return s;
}

// RFC 1123 date for the Date header (20.17).
std::string http_date() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

} // namespace

void user_agent::on_register(const sip::message& req, const transport::endpoint& peer) {
  const auto to = req.to();
  const auto call_id = req.call_id();
  const auto cseq = req.cseq();
  if (!to || !call_id || !cseq) {
    respond(req, peer, 400);
    return;
  }
  const std::string aor = address_of_record(to->address);
  const std::string local_tag = new_tag();
  auto refuse = [&](int status, std::string why) {
    log_line("refdut: REGISTER from " + peer.str() + " for " + aor + " -> " +
             std::to_string(status) + " (" + why + ")");
    respond(req, peer, response_to(req, status, local_tag).str());
  };

  // 10.3 step 6/7: what the request asks for, checked whole before anything changes.
  struct change {
    std::string uri, contact;
    std::uint64_t expires;
  };
  std::vector<change> changes;
  bool remove_all = false;
  const auto header = req.find(header_id::expires);
  const auto header_expires = header ? delta_seconds(req.value(*header)) : default_expires;
  if (header && !header_expires) {
    refuse(400, "unparsable Expires");
    return;
  }
  const auto contacts = req.all_elements(header_id::contact);
  for (auto c : contacts) {
    c = sip::trim_lws(c);
    if (c == "*") {
      // 10.3 step 6: "*" only with Expires: 0 and no other Contact.
      if (contacts.size() != 1 || !header || *header_expires != 0) {
        refuse(400, "Contact: * needs Expires: 0 and no other Contact");
        return;
      }
      remove_all = true;
      continue;
    }
    sip::name_addr na;
    sip::report r(c.data());
    if (!sip::parse_name_addr(c, na, r)) {
      refuse(400, "unparsable Contact");
      return;
    }
    auto expires = *header_expires;
    if (auto e = na.params.find("expires")) {
      const auto v = delta_seconds(*e);
      if (!v) {
        refuse(400, "unparsable expires parameter");
        return;
      }
      expires = *v;
    }
    // 10.3 step 7: greater than zero, below an hour and below the configured minimum: 423.
    if (expires > 0 && expires < 3600 && expires < min_expires) {
      log_line("refdut: REGISTER from " + peer.str() + " for " + aor + " -> 423 (expires " +
               std::to_string(expires) + ")");
      auto b = response_to(req, 423, local_tag);
      if (!cfg_.faults.has(fault::no_min_expires_423))
        b.header("Min-Expires", std::to_string(min_expires)); // 20.23
      respond(req, peer, b.str());
      return;
    }
    changes.push_back(
        {std::string(na.address.text), contact_value(na), std::min(expires, max_expires)});
  }

  auto& list = bindings_[aor];
  const auto now = steady::now();
  std::erase_if(list, [&](const binding& b) { return b.expires_at <= now; });
  // 10.3 step 7: an update with the same Call-ID and a CSeq not higher fails.
  auto stale = [&](const binding& b) { return b.call_id == *call_id && cseq->number <= b.cseq; };
  for (const auto& ch : changes)
    for (const auto& b : list)
      if (sip::chars::iequals(b.uri, ch.uri) && stale(b)) {
        refuse(500, "CSeq not higher than the binding's");
        return;
      }
  if (remove_all) {
    if (std::any_of(list.begin(), list.end(), stale)) {
      refuse(500, "CSeq not higher than a binding's");
      return;
    }
    list.clear();
  }
  for (const auto& ch : changes) {
    auto it = std::find_if(list.begin(), list.end(),
                           [&](const binding& b) { return sip::chars::iequals(b.uri, ch.uri); });
    if (ch.expires == 0) {
      if (it != list.end()) list.erase(it);
      continue;
    }
    if (it == list.end()) it = list.insert(list.end(), binding{});
    it->uri = ch.uri;
    it->contact = ch.contact;
    it->call_id = std::string(*call_id);
    it->cseq = cseq->number;
    it->expires_at = now + std::chrono::seconds(ch.expires);
  }

  // 10.3 step 8: every current binding, each with its expires parameter.
  auto b = response_to(req, 200, local_tag);
  for (const auto& x : list) {
    const auto left = std::chrono::ceil<std::chrono::seconds>(x.expires_at - now).count();
    b.header("Contact", cfg_.faults.has(fault::register_no_expires)
                            ? x.contact
                            : x.contact + ";expires=" + std::to_string(left));
  }
  b.header("Date", http_date()); // 10.3 step 8: SHOULD
  log_line("refdut: REGISTER from " + peer.str() + " for " + aor + " -> 200 (" +
           std::to_string(list.size()) + " binding" + (list.size() == 1 ? "" : "s") + ")");
  if (list.empty()) bindings_.erase(aor);
  respond(req, peer, b.str());
}

} // namespace sipwright::refdut::detail
