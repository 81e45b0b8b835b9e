// name-addr / addr-spec, quoted strings and generic parameters (RFC 3261 20.10, 25.1).
#include "address_detail.hpp"

#include <string>

namespace sipwright::sip {

std::string shown(std::string_view s, std::size_t max) {
  std::string out;
  for (std::size_t i = 0; i < s.size() && i < max; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '\r')
      out += "\\r";
    else if (c == '\n')
      out += "\\n";
    else if (c == '\t')
      out += "\\t";
    else if (c < 0x20 || c == 0x7f) {
      static constexpr char hex[] = "0123456789ABCDEF";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else
      out += static_cast<char>(c);
  }
  if (s.size() > max) out += "...";
  return out;
}

namespace detail {

std::string shown_char(char c) {
  if (c == '\0') return "end of value";
  return "'" + shown(std::string_view(&c, 1)) + "'";
}

// quoted-string = SWS DQUOTE *(qdtext / quoted-pair ) DQUOTE
bool eat_quoted_string(scanner& s, report& r) {
  const char* start = s.pos();
  if (!s.eat('"')) return false;
  while (!s.done()) {
    char c = s.peek();
    if (c == '"') {
      s.seek(s.pos() + 1);
      return true;
    }
    if (c == '\\') {
      // quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F)
      char n = s.peek_at(1);
      if (s.pos() + 1 == s.end() || n == '\r' || n == '\n' || static_cast<unsigned char>(n) > 0x7f)
        return r.fail(s.pos(), "quoted-string", "quoted-pair", "RFC 3261 25.1",
                      "'\\' must be followed by a character other than CR, LF or a non-ASCII byte");
      s.seek(s.pos() + 2);
      continue;
    }
    if (c == '\r') {
      if (!s.skip_lws())
        return r.fail(s.pos(), "quoted-string", "qdtext", "RFC 3261 25.1",
                      "CR not part of folding in quoted string");
      continue;
    }
    auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f)
      return r.fail(s.pos(), "quoted-string", "qdtext", "RFC 3261 25.1",
                    "control character " + shown_char(c) +
                        " in quoted string (escape it with '\\')");
    s.seek(s.pos() + 1);
  }
  return r.fail(start, "quoted-string", "quoted-string", "RFC 3261 25.1",
                "quoted string " +
                    shown(std::string_view(start, static_cast<std::size_t>(s.end() - start)), 30) +
                    " has no closing '\"'");
}

// gen-value = token / host / quoted-string
bool eat_gen_value(scanner& s, report& r) {
  if (s.peek() == '"') return eat_quoted_string(s, r);
  if (s.peek() == '[') {
    host_port hp;
    const char* start = s.pos();
    auto close = s.rest().find(']');
    if (close == std::string_view::npos)
      return r.fail(start, "param.value", "gen-value", "RFC 3261 25.1",
                    "'[' without ']' in parameter value");
    s.seek(start + close + 1);
    return parse_host_port(std::string_view(start, close + 1), hp, r);
  }
  if (s.token().empty())
    return r.fail(s.pos(), "param.value", "gen-value", "RFC 3261 25.1",
                  "expected a parameter value (token, host or quoted string), saw " +
                      shown(s.rest(), 20));
  return true;
}

// *( SEMI generic-param ), generic-param = token [ EQUAL gen-value ]. `special` may take over
// the value of particular parameters (e.g. Via received) and returns false on error.
bool parse_generic_params(scanner& s, report& r, std::string_view what, const param_hook& special) {
  while (s.eat_sep(';')) {
    const char* at = s.pos();
    auto name = s.token();
    if (name.empty())
      return r.fail(at, "param.empty", "generic-param", "RFC 3261 25.1",
                    "empty parameter in " + std::string(what) +
                        " (a ';' must be followed by a token), saw " + shown(s.rest(), 20));
    if (special) {
      int handled = special(name, s, r);
      if (handled < 0) return false;
      if (handled > 0) continue;
    }
    if (!s.eat_sep('=')) continue;
    if (chars::is_token(s.peek()))
      s.token(); // the usual gen-value, as eat_gen_value would take it
    else if (!eat_gen_value(s, r))
      return false;
  }
  return true;
}

} // namespace detail

using detail::scanner;
using detail::shown;
using detail::shown_char;

std::optional<std::string_view> param_list::find(std::string_view name) const {
  scanner s(raw_);
  while (s.eat_sep(';')) {
    auto n = s.token();
    if (n.empty()) return std::nullopt;
    std::string_view value;
    if (s.eat_sep('=')) {
      const char* v = s.pos();
      if (s.peek() == '"') {
        report ignore(nullptr, false);
        detail::eat_quoted_string(s, ignore);
      } else {
        s.take_while([](char c) { return c != ';' && !chars::is_wsp(c) && c != '\r' && c != ','; });
      }
      value = {v, static_cast<std::size_t>(s.pos() - v)};
    }
    if (detail::iequals(n, name)) return value;
    s.skip_lws();
    if (!s.done() && s.peek() != ';') return std::nullopt;
  }
  return std::nullopt;
}

std::string_view trim_lws(std::string_view s) {
  auto is_ws = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && is_ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ws(s.back())) s.remove_suffix(1);
  return s;
}

bool parse_name_addr(std::string_view text, name_addr& out, report& r) {
  out = name_addr{};
  scanner s(text);
  s.skip_lws();
  const char* start = s.pos();
  if (s.done())
    return r.fail(start, "address.empty", "name-addr", "RFC 3261 25.1", "empty address");

  bool angle = false;
  if (s.peek() == '"') {
    if (!detail::eat_quoted_string(s, r)) return false;
    out.display_name = {start, static_cast<std::size_t>(s.pos() - start)};
    s.skip_lws();
    if (s.peek() != '<')
      return r.fail(s.pos(), "address.laquot", "name-addr", "RFC 3261 25.1",
                    "a quoted display name must be followed by '<' addr-spec '>', saw " +
                        shown(s.rest(), 20));
    angle = true;
  } else if (s.peek() == '<') {
    angle = true;
  } else {
    // display-name = *(token LWS) when a '<' follows; otherwise this is an addr-spec.
    const char* end_words = start;
    for (;;) {
      if (s.token().empty()) break;
      end_words = s.pos();
      s.skip_lws();
    }
    if (s.peek() == '<' && end_words != start) {
      out.display_name = {start, static_cast<std::size_t>(end_words - start)};
      angle = true;
    } else if (s.rest().find('<') != std::string_view::npos && s.peek() != ':') {
      return r.fail(s.pos(), "address.display-name", "display-name", "RFC 3261 25.1",
                    "character " + shown_char(s.peek()) +
                        " is not allowed in an unquoted display name (quote it)");
    } else {
      s.seek(start);
    }
  }

  if (angle) {
    s.eat('<');
    const char* ustart = s.pos();
    if (s.skip_lws())
      return r.fail(ustart, "address.laquot", "addr-spec", "RFC 3261 25.1",
                    "no whitespace allowed after '<' (LAQUOT is SWS \"<\")");
    auto close = s.rest().find('>');
    if (close == std::string_view::npos)
      return r.fail(ustart - 1, "address.raquot", "RAQUOT", "RFC 3261 25.1",
                    "'<' without a closing '>'");
    std::string_view utext(ustart, close);
    auto ws = detail::find_if(
        utext, [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; });
    if (ws != std::string_view::npos)
      return r.fail(ustart + ws, "address.addr-spec", "addr-spec", "RFC 3261 25.1",
                    "whitespace inside '<' '>' (RAQUOT is \">\" SWS)");
    if (!parse_uri(utext, out.address, r, uri_context::name_addr)) return false;
    s.seek(ustart + close + 1);
    out.angle_brackets = true;
  } else {
    // addr-spec without angle brackets: the URI ends at ';' or whitespace; its own ',', '?' and
    // ';' would be ambiguous, hence RFC 3261 20.10 requires '<' '>' for them.
    auto utext = s.take_while([](char c) { return c != ';' && !chars::is_wsp(c) && c != '\r'; });
    auto bad = detail::find_if(utext, [](char c) { return c == ',' || c == '?'; });
    if (bad != std::string_view::npos)
      return r.fail(utext.data() + bad, "address.needs-brackets", "addr-spec", "RFC 3261 20.10",
                    "a URI containing " + shown_char(utext[bad]) + " must be enclosed in '<' '>'");
    if (!parse_uri(utext, out.address, r, uri_context::addr_spec)) return false;
  }
  const char* pstart = s.pos();
  if (!detail::parse_generic_params(s, r, "address", nullptr)) return false;
  out.params = param_list({pstart, static_cast<std::size_t>(s.pos() - pstart)});
  s.skip_lws();
  if (!s.done())
    return r.fail(s.pos(), "address.trailing", "name-addr", "RFC 3261 25.1",
                  "unexpected " + shown(s.rest(), 20) + " after the address");
  return true;
}

} // namespace sipwright::sip
