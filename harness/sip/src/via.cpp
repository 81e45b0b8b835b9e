// Via (RFC 3261 20.42, 25.1; RFC 5118 4.5 for received).
#include "address_detail.hpp"

#include <string>

namespace sipwright::sip {
namespace {
using detail::scanner;
using detail::shown;
constexpr std::string_view abnf = "RFC 3261 25.1";

// via-received = "received" EQUAL (IPv4address / IPv6address); RFC 5118 4.5: accept the
// bracketed IPv6reference too. via-ttl = 1*3DIGIT (0-255).
int via_param(std::string_view name, scanner& s, report& r) {
  if (detail::iequals(name, "received")) {
    if (!s.eat_sep('='))
      return r.fail(s.pos(), "via.received", "via-received", abnf, "'received' needs a value"), -1;
    auto v = s.take_while(
        [](char c) { return chars::is_hex(c) || c == ':' || c == '.' || c == '[' || c == ']'; });
    host_port hp;
    bool ok = false;
    report inner(nullptr, false);
    if (!v.empty() && v.front() != '[' && v.find(':') != std::string_view::npos) {
      std::string bracketed = "[" + std::string(v) + "]"; // bare IPv6address
      ok = parse_host_port(bracketed, hp, inner);
    } else if (!v.empty()) {
      ok = parse_host_port(v, hp, inner) && hp.kind != host_kind::hostname;
    }
    if (!ok || hp.port) {
      r.fail(v.empty() ? s.pos() : v.data(), "via.received", "via-received", abnf,
             "received must be an IPv4 or IPv6 address, saw " +
                 shown(v.empty() ? s.rest() : v, 40));
      return -1;
    }
    return 1;
  }
  if (detail::iequals(name, "ttl")) {
    if (!s.eat_sep('='))
      return r.fail(s.pos(), "via.ttl", "via-ttl", abnf, "'ttl' needs a value"), -1;
    auto v = s.take_while(chars::is_digit);
    if (v.empty() || v.size() > 3 || detail::digits_value(v) > 255)
      return r.fail(s.pos(), "via.ttl", "via-ttl", abnf, "ttl must be 0 to 255"), -1;
    return 1;
  }
  if (detail::iequals(name, "branch")) {
    if (!s.eat_sep('=') || s.token().empty())
      return r.fail(s.pos(), "via.branch", "via-branch", abnf, "branch must have a token value"),
             -1;
    return 1;
  }
  return 0;
}

} // namespace

// via-parm = sent-protocol LWS sent-by *( SEMI via-params )
bool parse_via(std::string_view text, via& out, report& r) {
  out = via{};
  scanner s(text);
  s.skip_lws();
  const char* start = s.pos();
  out.protocol_name = s.token();
  if (out.protocol_name.empty() || !s.eat_sep('/'))
    return r.fail(
        start, "via.sent-protocol", "sent-protocol", abnf,
        "expected protocol-name \"/\" version \"/\" transport (e.g. SIP/2.0/UDP), saw " +
            shown(s.rest().empty() ? text : std::string_view(start, s.end() - start), 30));
  out.version = s.token();
  if (out.version.empty() || !s.eat_sep('/'))
    return r.fail(s.pos(), "via.sent-protocol", "sent-protocol", abnf,
                  "expected protocol-version \"/\" transport, saw " + shown(s.rest(), 20));
  out.transport = s.token();
  if (out.transport.empty())
    return r.fail(s.pos(), "via.sent-protocol", "transport", abnf,
                  "expected a transport token, saw " + shown(s.rest(), 20));
  if (!s.skip_lws())
    return r.fail(s.pos(), "via.sent-by", "via-parm", abnf,
                  "expected whitespace then sent-by after the transport, saw " +
                      shown(s.rest(), 20));
  // sent-by = host [ COLON port ]
  const char* hstart = s.pos();
  auto hend = hstart;
  {
    auto rest = s.rest();
    std::size_t i = 0;
    if (!rest.empty() && rest[0] == '[') {
      auto close = rest.find(']');
      i = close == std::string_view::npos ? rest.size() : close + 1;
    } else {
      while (i < rest.size() && (chars::is_alnum(rest[i]) || rest[i] == '-' || rest[i] == '.')) ++i;
    }
    hend = hstart + i;
  }
  s.seek(hend);
  const char* after_host = s.pos();
  std::string_view hostport(hstart, static_cast<std::size_t>(hend - hstart));
  std::string joined;
  if (s.eat_sep(':')) {
    auto port = s.take_while(chars::is_digit);
    // COLON = SWS ":" SWS may put LWS around the colon; check host and port separately.
    if (!parse_host_port(hostport, out.sent_by, r)) return false;
    if (port.empty() || port.size() > 5 || detail::digits_value(port) > 65535)
      return r.fail(port.empty() ? s.pos() : port.data(), "via.sent-by", "port", abnf,
                    "sent-by port must be 1 to 65535, saw " +
                        shown(port.empty() ? s.rest() : port, 10));
    out.sent_by.port = static_cast<std::uint16_t>(detail::digits_value(port));
  } else {
    s.seek(after_host);
    if (!parse_host_port(hostport, out.sent_by, r)) return false;
  }
  const char* pstart = s.pos();
  if (!detail::parse_generic_params(s, r, "Via", via_param)) return false;
  out.params = param_list({pstart, static_cast<std::size_t>(s.pos() - pstart)});
  s.skip_lws();
  if (!s.done())
    return r.fail(s.pos(), "via.syntax", "via-parm", abnf,
                  "unexpected " + shown(s.rest(), 20) + " in Via");
  return true;
}

} // namespace sipwright::sip
