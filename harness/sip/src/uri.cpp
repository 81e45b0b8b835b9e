// SIP-URI, SIPS-URI, tel and absoluteURI grammar (RFC 3261 19.1, 25.1; RFC 5118; RFC 3966).
#include "scanner.hpp"
#include "sipwright/sip/grammar.hpp"

#include <string>

namespace sipwright::sip {
namespace {
using detail::scanner;
using detail::shown;
using detail::shown_char;
constexpr std::string_view abnf = "RFC 3261 25.1";

// escaped = "%" HEXDIG HEXDIG
bool eat_escaped(scanner& s, report& r, std::string_view code) {
  if (s.peek() != '%') return false;
  if (!chars::is_hex(s.peek_at(1)) || !chars::is_hex(s.peek_at(2))) {
    r.fail(s.pos(), code, "escaped", abnf,
           "'%' must be followed by two hex digits, saw " + shown(s.rest().substr(0, 3)));
    return false;
  }
  s.seek(s.pos() + 3);
  return true;
}

// Consumes 1*( cls / escaped ); returns the text. An invalid escape is an error.
std::string_view take_escaped(scanner& s, std::uint16_t cls, report& r, std::string_view code) {
  const char* start = s.pos();
  do {
    s.take_while([cls](char c) { return chars::is(c, cls); });
  } while (s.peek() == '%' && eat_escaped(s, r, code));
  return {start, static_cast<std::size_t>(s.pos() - start)};
}

// IPv4address = 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT, each at most 255
bool parse_ipv4(std::string_view s) {
  const char* p = s.data();
  const char* const end = p + s.size();
  for (int part = 0; part < 4; ++part) {
    if (part > 0 && (p == end || *p++ != '.')) return false;
    const char* digits = p;
    unsigned value = 0;
    while (p != end && p - digits < 3 && chars::is_digit(*p))
      value = value * 10 + static_cast<unsigned>(*p++ - '0');
    if (p == digits || value > 255) return false;
  }
  return p == end;
}

// IPv6address (RFC 3261 25.1 as corrected by RFC 5118 4.10). `where` points into the message.
bool parse_ipv6(std::string_view s, report& r) {
  const char* where = s.data();
  auto bad = [&](const std::string& why) {
    return r.fail(where, "uri.ipv6", "IPv6address", "RFC 3261 25.1; RFC 5118",
                  "'" + shown(s) + "' is not an IPv6 address: " + why);
  };
  int groups = 0;
  bool compressed = false;
  std::size_t i = 0;
  if (s.substr(0, 2) == "::") {
    compressed = true;
    i = 2;
  } else if (!s.empty() && s[0] == ':') {
    return bad("it starts with a single ':'");
  }
  while (i < s.size()) {
    std::size_t start = i;
    while (i < s.size() && chars::is_hex(s[i])) ++i;
    if (i < s.size() && s[i] == '.') { // trailing IPv4address
      if (!parse_ipv4(s.substr(start))) return bad("bad embedded IPv4 address");
      groups += 2;
      i = s.size();
      break;
    }
    if (i == start) return bad("empty group");
    if (i - start > 4) return bad("a group has more than 4 hex digits");
    ++groups;
    if (i == s.size()) break;
    if (s[i] != ':') return bad("unexpected " + shown_char(s[i]));
    ++i;
    if (i < s.size() && s[i] == ':') {
      if (compressed) return bad("'::' appears twice");
      compressed = true;
      ++i;
      if (i < s.size() && s[i] == ':') {
        // RFC 5118 4.10: the 3-colon form came from an ABNF bug; tolerate it with a warning.
        r.warn(where + i, "uri.ipv6-3-colons", "IPv6address", "RFC 5118 4.10",
               "':::' in IPv6 address '" + shown(s) + "' (an RFC 3261 ABNF bug; use '::')");
        ++i;
      }
    } else if (i == s.size()) {
      return bad("it ends with a single ':'");
    }
  }
  if (compressed ? groups > 7 : groups != 8)
    return bad(std::to_string(groups) + " groups" + (compressed ? " with '::'" : ", need 8"));
  return true;
}

bool parse_port(scanner& s, host_port& out, report& r) {
  const char* start = s.pos();
  auto digits = s.take_while(chars::is_digit);
  if (digits.empty() || digits.size() > 5) {
    return r.fail(start, "uri.port", "port", abnf,
                  "port must be 1 to 5 digits, saw " + shown(s.rest().substr(0, 12)));
  }
  unsigned v = 0;
  for (char c : digits) v = v * 10 + static_cast<unsigned>(c - '0');
  if (v > 65535)
    return r.fail(start, "uri.port", "port", abnf,
                  "port " + std::string(digits) + " exceeds 65535");
  out.port = static_cast<std::uint16_t>(v);
  return true;
}

// hostname = *( domainlabel "." ) toplabel [ "." ]: no label is empty or starts or ends with '-'
// (the caller checks the top label's first character).
bool is_hostname(std::string_view host) {
  std::string_view h = host.back() == '.' ? host.substr(0, host.size() - 1) : host;
  char prev = '.'; // a label starts after a '.'
  for (char c : h) {
    if (c == '.' ? (prev == '.' || prev == '-') : (prev == '.' && c == '-')) return false;
    prev = c;
  }
  return prev != '.' && prev != '-';
}

// hostname / IPv4address / IPv6reference
bool parse_host(scanner& s, host_port& out, report& r) {
  const char* start = s.pos();
  if (s.peek() == '[') {
    s.seek(s.pos() + 1);
    auto inner = s.take_while([](char c) { return chars::is_hex(c) || c == ':' || c == '.'; });
    if (!s.eat(']'))
      return r.fail(s.pos(), "uri.ipv6", "IPv6reference", abnf,
                    "IPv6 reference must end with ']', saw " + shown(s.rest().substr(0, 12)));
    if (!parse_ipv6(inner, r)) return false;
    out.host = {start, static_cast<std::size_t>(s.pos() - start)};
    out.kind = host_kind::ipv6;
    return true;
  }
  const char* p = start;
  std::uint16_t common = chars::ipv4; // classes every host character has
  for (; p != s.end() && chars::is(*p, chars::host); ++p)
    common &= chars::detail::table[static_cast<unsigned char>(*p)];
  const bool numeric = common != 0; // digits and dots only: an IPv4address candidate
  s.seek(p);
  const std::string_view host(start, static_cast<std::size_t>(p - start));
  if (host.empty())
    return r.fail(start, "uri.host", "host", abnf,
                  "expected a host name or address, saw " + shown(s.rest().substr(0, 20)));
  out.host = host;
  // An unbracketed IPv6 address: more than one ':' after a hex-looking host (RFC 5118 4.2).
  if (s.peek() == ':') {
    auto after = s.rest().substr(1);
    auto stop = detail::find_if(after, [](char c) {
      return c == ';' || c == '?' || c == '>' || c == ',' || c == ' ' || c == '\t' || c == '\r';
    });
    if (after.substr(0, stop).find(':') != std::string_view::npos)
      return r.fail(start, "uri.ipv6-brackets", "IPv6reference", "RFC 3261 25.1; RFC 5118 4.2",
                    "IPv6 address must be enclosed in '[' ']' in a URI, saw " +
                        shown(s.rest().substr(0, 30)));
  }
  if (numeric && parse_ipv4(host)) {
    out.kind = host_kind::ipv4;
    return true;
  }
  if (!is_hostname(host)) {
    return r.fail(
        start, "uri.host", "hostname", abnf,
        "'" + shown(host) +
            "' is not a valid host name (empty label or label starting or ending with '-')");
  }
  // The top label starts with a letter (after the last '.', ignoring one final '.').
  std::string_view h = host.back() == '.' ? host.substr(0, host.size() - 1) : host;
  if (!chars::is_alpha(h[h.rfind('.') + 1]))
    return r.fail(
        start, "uri.host", "hostname", abnf,
        "'" + shown(host) +
            "' is neither an IPv4 address nor a host name (top label must start with a letter)");
  out.kind = host_kind::hostname;
  return true;
}

bool parse_hostport(scanner& s, host_port& out, report& r) {
  if (!parse_host(s, out, r)) return false;
  if (s.eat(':')) return parse_port(s, out, r);
  return true;
}

// *( ";" uri-parameter ), uri-parameter = pname [ "=" pvalue ] (transport, user, method, ttl,
// maddr, lr and other-param all fit this shape).
bool parse_uri_params(scanner& s, report& r) {
  constexpr std::uint16_t paramchar = chars::unreserved | chars::param_unreserved;
  while (s.eat(';')) {
    const char* at = s.pos();
    if (take_escaped(s, paramchar, r, "uri.param").empty())
      return r.ok() && r.fail(at, "uri.param", "uri-parameter", abnf,
                              "empty URI parameter name before " + shown(s.rest().substr(0, 12)));
    if (s.eat('=') && take_escaped(s, paramchar, r, "uri.param").empty())
      return r.ok() && r.fail(s.pos(), "uri.param", "pvalue", abnf, "empty URI parameter value");
    if (!r.ok()) return false;
  }
  return true;
}

// headers = "?" header *( "&" header ); header = hname "=" hvalue
bool parse_uri_headers(scanner& s, report& r) {
  constexpr std::uint16_t hnvchar = chars::unreserved | chars::hnv_unreserved;
  do {
    const char* at = s.pos();
    if (take_escaped(s, hnvchar, r, "uri.header").empty() || !s.eat('='))
      return r.ok() &&
             r.fail(at, "uri.header", "header", abnf,
                    "URI header must be hname=hvalue, saw " + shown(s.rest().substr(0, 20)));
    take_escaped(s, hnvchar, r, "uri.header");
    if (!r.ok()) return false;
  } while (s.eat('&'));
  return true;
}

bool parse_sip_uri(scanner& s, uri& out, report& r, uri_context ctx) {
  // userinfo = ( user / telephone-subscriber ) [ ":" password ] "@"
  auto rest = s.rest();
  auto at = rest.find('@');
  if (at != std::string_view::npos) {
    constexpr std::uint16_t userchar = chars::unreserved | chars::user_unreserved;
    const char* ustart = s.pos();
    out.user = take_escaped(s, userchar, r, "uri.user");
    if (!r.ok()) return false;
    // '#' is legal in a telephone-subscriber user part (RFC 3261 19.1.2), tolerated here.
    while (s.peek() == '#') {
      s.seek(s.pos() + 1);
      take_escaped(s, userchar, r, "uri.user");
      out.user = {ustart, static_cast<std::size_t>(s.pos() - ustart)};
    }
    if (out.user.empty() && s.peek() != ':')
      return r.fail(ustart, "uri.user", "user", abnf, "empty user part before '@'");
    if (s.eat(':')) {
      out.password = take_escaped(s, chars::unreserved | chars::password, r, "uri.password");
      if (!r.ok()) return false;
    }
    if (!s.eat('@'))
      return r.fail(s.pos(), "uri.user", "userinfo", abnf,
                    "character " + shown_char(s.peek()) + " is not allowed in the user part");
  }
  if (!parse_hostport(s, out.host, r)) return false;
  const char* pstart = s.pos();
  if (!parse_uri_params(s, r)) return false;
  out.params = param_list({pstart, static_cast<std::size_t>(s.pos() - pstart)});
  if (s.eat('?')) {
    const char* hstart = s.pos();
    if (ctx == uri_context::request_uri)
      return r.fail(hstart - 1, "uri.headers-in-request-uri", "Request-URI", "RFC 3261 19.1.1",
                    "a Request-URI must not contain URI headers ('?" + shown(s.rest(), 30) + "')");
    if (!parse_uri_headers(s, r)) return false;
    out.headers = {hstart, static_cast<std::size_t>(s.pos() - hstart)};
  }
  if (!s.done())
    return r.fail(s.pos(), "uri.syntax", "SIP-URI", abnf,
                  "unexpected " + shown_char(s.peek()) + " in SIP URI");
  return true;
}

bool is_uric(char c) {
  return chars::is(c, chars::unreserved | chars::reserved);
}

} // namespace

bool parse_host_port(std::string_view text, host_port& out, report& r) {
  scanner s(text);
  if (!parse_hostport(s, out, r)) return false;
  if (!s.done())
    return r.fail(s.pos(), "uri.host", "hostport", abnf,
                  "unexpected " + shown_char(s.peek()) + " after host");
  return true;
}

bool parse_uri(std::string_view text, uri& out, report& r, uri_context ctx) {
  out = uri{};
  out.text = text;
  scanner s(text);
  const char* start = s.pos();
  // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
  if (!chars::is_alpha(s.peek()))
    return r.fail(start, "uri.scheme", "scheme", abnf,
                  (s.peek() == '<' && ctx == uri_context::request_uri)
                      ? std::string("the Request-URI must not be enclosed in '<' '>'")
                      : "a URI must start with a scheme, saw " + shown(text, 20));
  out.scheme = s.take_while([](char c) { return chars::is(c, chars::scheme); });
  if (!s.eat(':'))
    return r.fail(s.pos(), "uri.scheme", "scheme", abnf,
                  "expected ':' after URI scheme, saw " + shown(s.rest(), 20));
  out.is_sip = detail::iequals(out.scheme, "sip");
  out.is_sips = detail::iequals(out.scheme, "sips");
  out.is_tel = detail::iequals(out.scheme, "tel");
  if (out.is_sip || out.is_sips) return parse_sip_uri(s, out, r, ctx);

  const char* body = s.pos();
  while (!s.done()) {
    char c = s.peek();
    if (c == '%') {
      if (!eat_escaped(s, r, "uri.escaped")) return false;
    } else if (is_uric(c) || (out.is_tel && c == '#')) {
      s.seek(s.pos() + 1);
    } else {
      return r.fail(s.pos(), "uri.syntax", out.is_tel ? "telephone-subscriber" : "absoluteURI",
                    out.is_tel ? "RFC 3966 3" : abnf,
                    "character " + shown_char(c) + " is not allowed in a URI");
    }
  }
  if (s.pos() == body)
    return r.fail(body, "uri.syntax", "absoluteURI", abnf, "empty URI after the scheme");
  if (out.is_tel) {
    auto semi = std::string_view(body, static_cast<std::size_t>(s.pos() - body)).find(';');
    out.user = std::string_view(body, semi == std::string_view::npos ? s.pos() - body : semi);
    if (semi != std::string_view::npos)
      out.params = param_list({body + semi, static_cast<std::size_t>(s.pos() - body) - semi});
  }
  return true;
}

} // namespace sipwright::sip
