// Scalar and simple structured values: CSeq, Call-ID, numbers, media types, start lines.
#include "address_detail.hpp"

#include <string>

namespace sipwright::sip {
namespace {
using detail::scanner;
using detail::shown;
using detail::shown_char;
constexpr std::string_view abnf = "RFC 3261 25.1";

bool eat_version(scanner& s, std::string_view& version, report& r) {
  // SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT
  const char* start = s.pos();
  auto name = s.take_while(chars::is_alpha);
  bool shape = detail::iequals(name, "SIP") && s.eat('/') &&
               !s.take_while(chars::is_digit).empty() && s.eat('.') &&
               !s.take_while(chars::is_digit).empty();
  version = {start, static_cast<std::size_t>(s.pos() - start)};
  if (!shape)
    return r.fail(start, "start-line.version", "SIP-Version", abnf,
                  "expected SIP-Version like SIP/2.0, saw " +
                      shown(std::string_view(start, s.end() - start), 20));
  if (!detail::iequals(version, "SIP/2.0"))
    return r.fail(start, "start-line.version", "SIP-Version", "RFC 3261 7.1",
                  "unsupported SIP version " + shown(version) +
                      " (must be SIP/2.0; a server answers 505)");
  return true;
}

} // namespace

bool parse_number(std::string_view text, std::uint64_t max, std::uint64_t& out, report& r,
                  std::string_view code, std::string_view rule, std::string_view section) {
  auto t = trim_lws(text);
  if (t.empty() ||
      detail::find_if(t, [](char c) { return !chars::is_digit(c); }) != std::string_view::npos)
    return r.fail(t.empty() ? text.data() : t.data(), code, rule, abnf,
                  "expected digits only, saw " +
                      shown(t.empty() ? std::string_view("(empty)") : t, 30));
  std::uint64_t v = 0;
  for (char c : t) {
    if (v > (max - static_cast<std::uint64_t>(c - '0')) / 10)
      return r.fail(t.data(), code, rule, section,
                    "value " + shown(t, 30) + " exceeds the maximum " + std::to_string(max));
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  out = v;
  return true;
}

// CSeq = 1*DIGIT LWS Method; the number is below 2**31 (RFC 3261 8.1.1.5)
bool parse_cseq(std::string_view text, cseq& out, report& r) {
  scanner s(text);
  s.skip_lws();
  auto digits = s.take_while(chars::is_digit);
  if (digits.empty())
    return r.fail(s.pos(), "cseq.syntax", "CSeq", abnf,
                  "CSeq must start with a sequence number, saw " + shown(text, 20));
  std::uint64_t n = 0;
  if (!parse_number(digits, 0x7fffffffu, n, r, "cseq.range", "CSeq", "RFC 3261 8.1.1.5"))
    return false;
  out.number = static_cast<std::uint32_t>(n);
  if (!s.skip_lws())
    return r.fail(s.pos(), "cseq.syntax", "CSeq", abnf,
                  "expected whitespace then the method after the CSeq number");
  out.method = s.token();
  if (out.method.empty())
    return r.fail(s.pos(), "cseq.syntax", "Method", abnf,
                  "expected a method token in CSeq, saw " + shown(s.rest(), 20));
  s.skip_lws();
  if (!s.done())
    return r.fail(s.pos(), "cseq.syntax", "CSeq", abnf,
                  "unexpected " + shown(s.rest(), 20) + " after the CSeq method");
  return true;
}

// callid = word [ "@" word ]
bool parse_call_id(std::string_view text, report& r) {
  auto t = trim_lws(text);
  auto is_word = [](char c) { return chars::is(c, chars::word); };
  scanner s(t);
  if (s.take_while(is_word).empty())
    return r.fail(t.empty() ? text.data() : t.data(), "call-id.syntax", "callid", abnf,
                  "Call-ID must be word [\"@\" word], saw " +
                      shown(t.empty() ? std::string_view("(empty)") : t, 30));
  if (s.eat('@') && s.take_while(is_word).empty())
    return r.fail(s.pos(), "call-id.syntax", "callid", abnf, "Call-ID has nothing after '@'");
  if (!s.done())
    return r.fail(s.pos(), "call-id.syntax", "callid", abnf,
                  "character " + shown_char(s.peek()) + " is not allowed in a Call-ID");
  return true;
}

// media-type = m-type SLASH m-subtype *( SEMI m-parameter )
bool parse_media_type(std::string_view text, media_type& out, report& r) {
  out = media_type{};
  scanner s(text);
  s.skip_lws();
  out.type = s.token();
  if (out.type.empty() || !s.eat_sep('/'))
    return r.fail(s.pos(), "media-type.syntax", "media-type", abnf,
                  "expected type \"/\" subtype, saw " + shown(trim_lws(text), 30));
  out.subtype = s.token();
  if (out.subtype.empty())
    return r.fail(s.pos(), "media-type.syntax", "m-subtype", abnf, "expected a subtype after '/'");
  const char* pstart = s.pos();
  if (!detail::parse_generic_params(s, r, "media type", nullptr)) return false;
  out.params = param_list({pstart, static_cast<std::size_t>(s.pos() - pstart)});
  s.skip_lws();
  if (!s.done())
    return r.fail(s.pos(), "media-type.syntax", "media-type", abnf,
                  "unexpected " + shown(s.rest(), 20) + " in media type");
  return true;
}

// Request-Line = Method SP Request-URI SP SIP-Version CRLF
bool parse_request_line(std::string_view line, request_line& out, report& r) {
  scanner s(line);
  out.method = s.token();
  if (out.method.empty() || s.peek() != ' ')
    return r.fail(s.pos(), "start-line.method", "Method", abnf,
                  out.method.empty()
                      ? "expected a method token, saw " + shown(line, 20)
                      : "character " + shown_char(s.peek()) + " is not allowed in a method");
  s.eat(' ');
  if (s.peek() == ' ' || s.peek() == '\t')
    return r.fail(s.pos(), "start-line.whitespace", "Request-Line", "RFC 3261 7.1",
                  "exactly one SP must separate the Request-Line elements");
  auto last_sp = line.rfind(' ');
  if (last_sp == std::string_view::npos || line.data() + last_sp < s.pos())
    return r.fail(s.end(), "start-line.syntax", "Request-Line", "RFC 3261 7.1",
                  "expected Method SP Request-URI SP SIP-Version");
  if (last_sp + 1 == line.size())
    return r.fail(line.data() + last_sp, "start-line.whitespace", "Request-Line", "RFC 3261 7.1",
                  "trailing whitespace after the SIP-Version");
  out.uri_text =
      std::string_view(s.pos(), static_cast<std::size_t>(line.data() + last_sp - s.pos()));
  auto ws = detail::find_if(out.uri_text, chars::is_wsp);
  if (ws != std::string_view::npos) {
    bool double_sp = ws + 1 == out.uri_text.size() || out.uri_text[ws + 1] == ' ';
    return r.fail(out.uri_text.data() + ws, "start-line.whitespace", "Request-URI", "RFC 3261 7.1",
                  double_sp ? "exactly one SP must separate the Request-Line elements"
                            : "the Request-URI must not contain whitespace");
  }
  uri u;
  if (!parse_uri(out.uri_text, u, r, uri_context::request_uri)) return false;
  s.seek(line.data() + last_sp + 1);
  if (!eat_version(s, out.version, r)) return false;
  if (!s.done())
    return r.fail(s.pos(), "start-line.syntax", "Request-Line", "RFC 3261 7.1",
                  "unexpected " + shown(s.rest(), 20) + " after the SIP-Version");
  return true;
}

// Status-Line = SIP-Version SP Status-Code SP Reason-Phrase CRLF
bool parse_status_line(std::string_view line, status_line& out, report& r) {
  scanner s(line);
  if (!eat_version(s, out.version, r)) return false;
  if (!s.eat(' '))
    return r.fail(s.pos(), "start-line.syntax", "Status-Line", "RFC 3261 7.2",
                  "expected SP after the SIP-Version, saw " + shown(s.rest(), 20));
  const char* cstart = s.pos();
  auto code = s.take_while(chars::is_digit);
  if (code.size() != 3 || (s.peek() != ' ' && !s.done()))
    return r.fail(cstart, "start-line.status-code", "Status-Code", abnf,
                  "the status code must be exactly 3 digits, saw " +
                      shown(std::string_view(cstart, s.end() - cstart)
                                .substr(0, std::string_view(cstart, s.end() - cstart).find(' ')),
                            20));
  out.code = (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
  if (out.code < 100 || out.code > 699)
    return r.fail(cstart, "start-line.status-code", "Status-Code", "RFC 3261 7.2",
                  "status code " + std::string(code) + " is outside the classes 1xx to 6xx");
  if (!s.eat(' ')) {
    r.warn(s.pos(), "start-line.reason", "Status-Line", "RFC 3261 7.2",
           "no SP after the status code (an empty Reason-Phrase still needs it)");
    return true;
  }
  out.reason = s.rest();
  for (const char* p = s.pos(); p != s.end(); ++p) {
    auto u = static_cast<unsigned char>(*p);
    if ((u < 0x20 && *p != '\t') || u == 0x7f)
      return r.fail(p, "start-line.reason", "Reason-Phrase", abnf,
                    "control character " + shown_char(*p) + " in the Reason-Phrase");
    if (u < 0x80 && !chars::is(*p, chars::reserved | chars::unreserved) && *p != ' ' &&
        *p != '\t' && *p != '%') {
      r.warn(p, "start-line.reason", "Reason-Phrase", abnf,
             "character " + shown_char(*p) + " in the Reason-Phrase should be escaped");
      break;
    }
  }
  return true;
}

} // namespace sipwright::sip
