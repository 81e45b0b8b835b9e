#include "sipwright/dialog/routing.hpp"

#include "sipwright/sip/charclass.hpp"

#include <algorithm>
#include <cctype>

namespace sipwright::dialog {

namespace {

using sip::chars::iequals;

std::string bracketed(std::string_view uri) {
  std::string s;
  s.reserve(uri.size() + 2);
  s += '<';
  s += uri;
  s += '>';
  return s;
}

std::string reason_of(const sip::report& r) {
  return r.error() ? r.error()->text : std::string("does not parse");
}

} // namespace

std::string_view to_string(error_code c) {
  switch (c) {
  case error_code::not_invite:
    return "not-invite";
  case error_code::not_dialog_creating:
    return "not-dialog-creating";
  case error_code::no_call_id:
    return "no-call-id";
  case error_code::call_id_mismatch:
    return "call-id-mismatch";
  case error_code::bad_from:
    return "bad-from";
  case error_code::no_from_tag:
    return "no-from-tag";
  case error_code::bad_to:
    return "bad-to";
  case error_code::no_to_tag:
    return "no-to-tag";
  case error_code::no_contact:
    return "no-contact";
  case error_code::bad_contact:
    return "bad-contact";
  case error_code::bad_record_route:
    return "bad-record-route";
  case error_code::bad_cseq:
    return "bad-cseq";
  }
  return "unknown";
}

result<std::vector<std::string>> route_set_of(const sip::message& msg, bool reverse) {
  std::vector<std::string> routes;
  std::size_t n = 0;
  for (std::string_view element : msg.all_elements(sip::header_id::record_route)) {
    ++n;
    sip::name_addr na;
    sip::report r(element.data(), false);
    if (!sip::parse_name_addr(element, na, r))
      return error{error_code::bad_record_route, "Record-Route entry " + std::to_string(n) + " \"" +
                                                     std::string(element) + "\": " + reason_of(r) +
                                                     " (RFC 3261 20.30)"};
    routes.emplace_back(na.address.text);
  }
  // RFC 3261 12.1.2: the UAC takes the Record-Route entries in reverse order.
  if (reverse) std::reverse(routes.begin(), routes.end());
  return routes;
}

result<std::string> contact_uri_of(const sip::message& msg) {
  auto elements = msg.all_elements(sip::header_id::contact);
  // RFC 3261 12.1.1, 12.1.2: the remote target is the URI of the Contact.
  if (elements.empty())
    return error{error_code::no_contact,
                 "no Contact header field: the remote target comes from it (RFC 3261 12.1)"};
  // RFC 3261 8.1.1.8: the Contact of a dialog-creating message holds exactly one SIP/SIPS URI.
  if (elements.size() != 1)
    return error{error_code::bad_contact, "Contact has " + std::to_string(elements.size()) +
                                              " entries, expected exactly one (RFC 3261 8.1.1.8)"};
  std::string_view element = elements.front();
  if (element == "*")
    return error{error_code::bad_contact,
                 "Contact \"*\" is allowed only in REGISTER (RFC 3261 8.1.1.8, 10.2.2)"};
  sip::name_addr na;
  sip::report r(element.data(), false);
  if (!sip::parse_name_addr(element, na, r))
    return error{error_code::bad_contact,
                 "Contact \"" + std::string(element) + "\": " + reason_of(r) + " (RFC 3261 20.10)"};
  if (!na.address.is_sip && !na.address.is_sips)
    return error{error_code::bad_contact, "Contact URI \"" + std::string(na.address.text) +
                                              "\" is not a SIP or SIPS URI (RFC 3261 8.1.1.8)"};
  return std::string(na.address.text);
}

std::string request_uri_form(std::string_view text) {
  sip::uri u;
  sip::report r(text.data(), false);
  if (!sip::parse_uri(text, u, r, sip::uri_context::name_addr)) return std::string(text);
  std::size_t base_end = text.size();
  if (!u.params.empty())
    base_end = static_cast<std::size_t>(u.params.raw().data() - text.data());
  else if (!u.headers.empty())
    base_end = static_cast<std::size_t>(u.headers.data() - text.data()) - 1;
  std::string out(text.substr(0, base_end));
  // RFC 3261 19.1.1 table 1: no method parameter and no headers in a Request-URI.
  std::string_view raw = u.params.raw();
  while (!raw.empty()) {
    raw.remove_prefix(1); // ';'
    std::size_t end = raw.find(';');
    std::string_view param = raw.substr(0, end);
    raw = end == std::string_view::npos ? std::string_view() : raw.substr(end);
    std::string_view name = param.substr(0, param.find('='));
    if (iequals(sip::trim_lws(name), "method")) continue;
    out += ';';
    out += param;
  }
  return out;
}

std::optional<request_target> target_for(std::span<const std::string> route_set,
                                         std::string_view remote_target) {
  request_target t;
  // RFC 3261 12.2.1.1: an empty route set sends to the remote target with no Route.
  if (route_set.empty()) {
    t.request_uri = remote_target;
    return t;
  }
  sip::uri first;
  sip::report r(route_set.front().data(), false);
  if (!sip::parse_uri(route_set.front(), first, r, sip::uri_context::name_addr))
    return std::nullopt;
  if (first.params.has("lr")) {
    // RFC 3261 12.2.1.1: loose routing, Request-URI = remote target, Route = route set.
    t.request_uri = remote_target;
    for (const auto& route : route_set) t.routes.push_back(bracketed(route));
  } else {
    // RFC 3261 12.2.1.1: strict routing, Request-URI = first route, Route = the rest then the
    // remote target.
    t.request_uri = request_uri_form(route_set.front());
    for (std::size_t i = 1; i < route_set.size(); ++i) t.routes.push_back(bracketed(route_set[i]));
    t.routes.push_back(bracketed(remote_target));
  }
  return t;
}

} // namespace sipwright::dialog
