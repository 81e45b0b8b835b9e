// Header value grammar by header, and the message-level rules of a well-formed message.
#include "address_detail.hpp"
#include "sipwright/sip/message.hpp"

#include <algorithm>
#include <bitset>
#include <optional>
#include <string>

namespace sipwright::sip {
namespace {
using detail::scanner;
using detail::shown;
using detail::shown_char;
constexpr std::string_view abnf = "RFC 3261 25.1";
constexpr std::uint64_t u32_max = 0xffffffffu;

bool check_name_addr(std::string_view v, report& r, bool need_angle, std::string_view header) {
  name_addr na;
  if (!parse_name_addr(v, na, r)) return false;
  if (need_angle && !na.angle_brackets)
    return r.fail(trim_lws(v).data(), "address.name-addr-required", "name-addr", abnf,
                  std::string(header) + " entries must be name-addr ('<' URI '>')");
  return true;
}

// delta-seconds = 1*DIGIT; a value above 2**32-1 is tolerated with a warning (RFC 3261 20.19).
bool check_delta_seconds(std::string_view digits, report& r, std::string_view what) {
  std::uint64_t v = 0;
  report range(nullptr, false);
  if (parse_number(digits, u32_max, v, range, "", "", "")) return true;
  if (!trim_lws(digits).empty() &&
      trim_lws(digits).find_first_not_of("0123456789") == std::string_view::npos) {
    r.warn(digits.data(), "delta-seconds.range", "delta-seconds", "RFC 3261 20.19",
           std::string(what) + " value " + shown(trim_lws(digits), 24) +
               " exceeds 2**32-1; a receiver treats it as a default");
    return true;
  }
  return r.fail(digits.data(), "delta-seconds.syntax", "delta-seconds", abnf,
                std::string(what) + " must be digits, saw " + shown(trim_lws(digits), 30));
}

bool check_contact(std::string_view v, report& r) {
  if (trim_lws(v) == "*") return true;
  name_addr na;
  if (!parse_name_addr(v, na, r)) return false;
  if (auto e = na.params.find("expires")) check_delta_seconds(*e, r, "Contact expires");
  if (auto q = na.params.find("q")) {
    // qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
    auto s = *q;
    bool ok = !s.empty() && (s[0] == '0' || s[0] == '1') &&
              (s.size() == 1 || (s[1] == '.' && s.size() <= 5 &&
                                 s.substr(2).find_first_not_of(s[0] == '0' ? "0123456789" : "0") ==
                                     std::string_view::npos));
    if (!ok)
      return r.fail(s.data(), "contact.q", "qvalue", abnf,
                    "q must be a qvalue between 0 and 1, saw " + shown(s, 12));
  }
  return r.ok();
}

// token *( SEMI generic-param )
bool check_token_params(std::string_view v, report& r, std::string_view what) {
  scanner s(v);
  s.skip_lws();
  if (s.token().empty())
    return r.fail(s.pos(), "token.syntax", "token", abnf,
                  std::string(what) + " must be a token, saw " + shown(trim_lws(v), 30));
  if (!detail::parse_generic_params(s, r, what, nullptr)) return false;
  s.skip_lws();
  if (!s.done())
    return r.fail(s.pos(), "token.syntax", "token", abnf,
                  "unexpected " + shown(s.rest(), 20) + " in " + std::string(what));
  return true;
}

// rfc1123-date = wkday "," SP date1 SP time SP "GMT" (RFC 3261 20.17)
bool check_date(std::string_view v, report& r) {
  auto t = trim_lws(v);
  static constexpr std::string_view days[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  static constexpr std::string_view months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  auto digits = [&](std::size_t at, std::size_t n) {
    if (t.size() < at + n) return false;
    for (std::size_t i = 0; i < n; ++i)
      if (!chars::is_digit(t[at + i])) return false;
    return true;
  };
  bool ok = t.size() == 29 &&
            std::find(std::begin(days), std::end(days), t.substr(0, 3)) != std::end(days) &&
            t.substr(3, 2) == ", " && digits(5, 2) && t[7] == ' ' &&
            std::find(std::begin(months), std::end(months), t.substr(8, 3)) != std::end(months) &&
            t[11] == ' ' && digits(12, 4) && t[16] == ' ' && digits(17, 2) && t[19] == ':' &&
            digits(20, 2) && t[22] == ':' && digits(23, 2) && t[25] == ' ';
  if (ok && t.substr(26) == "GMT") return true;
  if (ok)
    return r.fail(t.data() + 26, "date.gmt", "SIP-date", "RFC 3261 20.17",
                  "the Date must be in GMT, saw time zone " + shown(t.substr(26)));
  return r.fail(t.data(), "date.syntax", "SIP-date", abnf,
                "expected an RFC 1123 date like 'Sat, 13 Nov 2010 23:29:00 GMT', saw " +
                    shown(t, 40));
}

// warning-value = warn-code SP warn-agent SP warn-text; warn-code = 3DIGIT
bool check_warning(std::string_view v, report& r) {
  scanner s(v);
  auto code = s.take_while(chars::is_digit);
  if (code.size() != 3 || !s.eat(' '))
    return r.fail(v.data(), "warning.code", "warn-code", abnf,
                  "warn-code must be exactly 3 digits followed by SP, saw " + shown(v, 20));
  auto agent = s.take_while([](char c) { return !chars::is_wsp(c) && c != '\r'; });
  if (agent.empty() || !s.eat(' '))
    return r.fail(s.pos(), "warning.agent", "warn-agent", abnf, "expected warn-agent SP warn-text");
  const char* q = s.pos();
  if (!detail::eat_quoted_string(s, r)) {
    return r.ok() &&
           r.fail(q, "warning.text", "warn-text", abnf, "warn-text must be a quoted string");
  }
  s.skip_lws();
  if (!s.done())
    return r.fail(s.pos(), "warning.syntax", "warning-value", abnf,
                  "unexpected " + shown(s.rest(), 20));
  return true;
}

// Retry-After = delta-seconds [ comment ] *( SEMI retry-param )
bool check_retry_after(std::string_view v, report& r) {
  scanner s(v);
  s.skip_lws();
  auto digits = s.take_while(chars::is_digit);
  if (digits.empty())
    return r.fail(s.pos(), "retry-after.syntax", "Retry-After", abnf,
                  "expected delta-seconds, saw " + shown(v, 20));
  check_delta_seconds(digits, r, "Retry-After");
  s.skip_lws();
  if (s.eat('(')) {
    int depth = 1;
    while (!s.done() && depth > 0) {
      char c = s.peek();
      // a quoted-pair never steps over the end of the value
      s.seek(s.pos() + (c == '\\' && s.pos() + 1 != s.end() ? 2 : 1));
      depth += c == '(' ? 1 : c == ')' ? -1 : 0;
    }
    if (depth)
      return r.fail(s.pos(), "retry-after.comment", "comment", abnf, "unterminated comment");
  }
  if (!detail::parse_generic_params(s, r, "Retry-After", nullptr)) return false;
  s.skip_lws();
  if (!s.done())
    return r.fail(s.pos(), "retry-after.syntax", "Retry-After", abnf,
                  "unexpected " + shown(s.rest(), 20));
  return true;
}

bool check_rack(std::string_view v, report& r) {
  scanner s(v);
  s.skip_lws();
  bool ok = !s.take_while(chars::is_digit).empty() && s.skip_lws() &&
            !s.take_while(chars::is_digit).empty() && s.skip_lws() && !s.token().empty();
  s.skip_lws();
  if (!ok || !s.done())
    return r.fail(v.data(), "rack.syntax", "RAck", "RFC 3262 7.2",
                  "RAck must be response-num LWS CSeq-num LWS Method, saw " + shown(v, 30));
  return true;
}

// Headers whose value may be empty (RFC 3261 25.1: the list is optional, or the value is *TEXT).
bool may_be_empty(header_id id) {
  switch (id) {
  case header_id::accept:
  case header_id::accept_encoding:
  case header_id::accept_language:
  case header_id::allow:
  case header_id::supported:
  case header_id::subject:
  case header_id::organization:
  case header_id::server:
  case header_id::user_agent:
  case header_id::unknown:
    return true;
  default:
    return false;
  }
}

} // namespace

bool check_header_value(header_id id, std::string_view v, report& r) {
  std::uint64_t n = 0;
  switch (id) {
  case header_id::via: {
    via parsed;
    return parse_via(v, parsed, r);
  }
  case header_id::from:
  case header_id::to:
  case header_id::reply_to:
  case header_id::refer_to:
  case header_id::referred_by:
  case header_id::p_asserted_identity:
    return check_name_addr(v, r, false, info(id).name);
  case header_id::route:
  case header_id::record_route:
  case header_id::path:
  case header_id::service_route:
    return check_name_addr(v, r, true, info(id).name);
  case header_id::contact:
    return check_contact(v, r);
  case header_id::cseq: {
    cseq c;
    return parse_cseq(v, c, r);
  }
  case header_id::call_id:
  case header_id::in_reply_to:
    return parse_call_id(v, r);
  case header_id::content_length:
    return parse_number(v, u32_max, n, r, "content-length.syntax", "Content-Length",
                        "RFC 3261 20.14");
  case header_id::max_forwards:
    return parse_number(v, 255, n, r, "max-forwards.range", "Max-Forwards", "RFC 3261 20.22");
  case header_id::rseq:
    return parse_number(v, u32_max, n, r, "rseq.syntax", "RSeq", "RFC 3262 7.1");
  case header_id::expires:
  case header_id::min_expires:
    return check_delta_seconds(v, r, info(id).name);
  case header_id::content_type: {
    media_type m;
    return parse_media_type(v, m, r);
  }
  case header_id::accept: {
    media_type m;
    return trim_lws(v).empty() || parse_media_type(v, m, r);
  }
  case header_id::require:
  case header_id::proxy_require:
  case header_id::supported:
  case header_id::unsupported:
  case header_id::allow:
  case header_id::allow_events:
  case header_id::content_encoding:
  case header_id::accept_encoding:
  case header_id::event:
  case header_id::subscription_state:
  case header_id::content_disposition:
  case header_id::privacy:
    return trim_lws(v).empty()
               ? may_be_empty(id) || r.fail(v.data(), "header.empty", info(id).name, abnf,
                                            std::string(info(id).name) + " must not be empty")
               : check_token_params(v, r, info(id).name);
  case header_id::session_expires:
  case header_id::min_se: {
    scanner s(v);
    s.skip_lws();
    auto d = s.take_while(chars::is_digit);
    if (d.empty())
      return r.fail(v.data(), "delta-seconds.syntax", "delta-seconds", abnf,
                    std::string(info(id).name) + " must start with delta-seconds");
    check_delta_seconds(d, r, info(id).name);
    return detail::parse_generic_params(s, r, info(id).name, nullptr) &&
           (s.skip_lws(), s.done() || r.fail(s.pos(), "token.syntax", info(id).name, abnf,
                                             "unexpected " + shown(s.rest(), 20)));
  }
  case header_id::date:
    return check_date(v, r);
  case header_id::warning:
    return check_warning(v, r);
  case header_id::retry_after:
    return check_retry_after(v, r);
  case header_id::rack:
    return check_rack(v, r);
  default:
    return true;
  }
}

namespace {

void add(message& m, const report& r) {
  for (const auto& w : r.warnings()) m.diagnostics().push_back(w);
  if (r.error()) m.diagnostics().push_back(*r.error());
}

// Moves what r found into m and clears r for the next check; nothing to do when r was unused.
void drain(message& m, report& r) {
  if (!r.used()) return;
  add(m, r);
  r.clear();
}

bool is_list(header_id id) {
  return kind_of(id) == header_kind::list;
}

// What check_fields parsed and check_whole needs again: the first element of the first Via
// row (for its branch) and the first CSeq (for its method), as message::top_via() and
// message::cseq() would return them.
struct parsed_cache {
  std::optional<sip::via> top_via; // element 0 of the first Via row, when it parses
  std::optional<sip::cseq> cseq;   // the first CSeq row, when it parses
};

void check_fields(message& m, parsed_cache& cache) {
  const char* base = m.bytes().data();
  const header_field* first_via = m.find(header_id::via);
  const header_field* first_cseq = m.find(header_id::cseq);
  report r(base); // one report for all fields, drained after each
  for (const auto& f : m.fields()) {
    auto value = m.value(f);
    if (value.empty() && !may_be_empty(f.id)) {
      r.fail(base + f.value.pos, "header.empty", info(f.id).name, info(f.id).section,
             std::string(info(f.id).name) + " must not be empty");
    } else if (is_list(f.id) && !value.empty()) {
      for (std::uint32_t i = 0; i < f.element_count && r.ok(); ++i) {
        auto e = m.element(f, i);
        if (e.empty()) {
          r.fail(e.data(), "list.empty-element", info(f.id).name, "RFC 3261 7.3.1",
                 "empty element in the comma-separated " + std::string(info(f.id).name) + " list");
        } else if (&f == first_via && i == 0) {
          via v; // as check_header_value(header_id::via, ...) does, keeping the result
          if (parse_via(e, v, r)) cache.top_via = v;
        } else {
          check_header_value(f.id, e, r);
        }
      }
    } else if (&f == first_cseq) {
      cseq c; // as check_header_value(header_id::cseq, ...) does, keeping the result
      if (parse_cseq(value, c, r)) cache.cseq = c;
    } else {
      check_header_value(f.id, value, r);
    }
    drain(m, r);
  }
}

void check_start_line(message& m) {
  report r(m.bytes().data());
  if (m.is_request()) {
    request_line rl;
    parse_request_line(m.start_line(), rl, r);
  } else {
    status_line sl;
    parse_status_line(m.start_line(), sl, r);
  }
  add(m, r);
}

// Collects every finding (a report keeps only its first error).
class all_findings {
public:
  explicit all_findings(message& m) : m_(m) {}
  ~all_findings() {
    for (auto& d : found_) m_.diagnostics().push_back(std::move(d));
  }
  all_findings(const all_findings&) = delete;
  all_findings& operator=(const all_findings&) = delete;
  void fail(const char* where, std::string_view code, std::string_view rule,
            std::string_view section, std::string text) {
    report r(m_.bytes().data());
    r.fail(where, code, rule, section, std::move(text));
    found_.push_back(*r.error());
  }
  void warn(const char* where, std::string_view code, std::string_view rule,
            std::string_view section, std::string text) {
    report r(m_.bytes().data());
    r.warn(where, code, rule, section, std::move(text));
    found_.push_back(r.warnings().front());
  }

private:
  message& m_;
  std::vector<diagnostic> found_;
};

void check_whole(message& m, const parsed_cache& cache) {
  all_findings r(m);
  const char* start = m.bytes().data();
  // A header that is not a list appears at most once (RFC 3261 7.3.1).
  std::bitset<256> seen; // header ids met so far: a second one is a duplicate
  for (const auto& f : m.fields()) {
    if (f.id == header_id::unknown || kind_of(f.id) != header_kind::single) continue;
    const auto id = static_cast<std::size_t>(f.id);
    if (seen.test(id))
      r.fail(start + f.name.pos, "header.duplicate", info(f.id).name, "RFC 3261 7.3.1",
             std::string(info(f.id).name) + " appears more than once; it takes a single value");
    seen.set(id);
  }
  // Mandatory header fields (RFC 3261 8.1.1 for requests, 8.2.6.2 for responses).
  static constexpr header_id required[] = {header_id::to, header_id::from, header_id::cseq,
                                           header_id::call_id, header_id::via};
  for (auto id : required)
    if (!m.find(id))
      r.fail(start + m.index().headers_end.pos, "header.missing", info(id).name,
             m.is_request() ? "RFC 3261 8.1.1" : "RFC 3261 8.2.6.2",
             std::string("mandatory header ") + std::string(info(id).name) + " is missing");
  if (m.is_request() && !m.find(header_id::max_forwards))
    r.warn(start + m.index().headers_end.pos, "header.missing", "Max-Forwards", "RFC 3261 8.1.1.6",
           "Max-Forwards is missing (RFC 2543 clients omit it; RFC 3261 requires it)");
  // The CSeq method matches the request method (RFC 3261 8.1.1.5, 20.16).
  if (m.is_request()) {
    if (auto c = cache.cseq; c && c->method != m.method())
      r.fail(start + m.find(header_id::cseq)->value.pos, "cseq.method-mismatch", "CSeq",
             "RFC 3261 8.1.1.5",
             "CSeq method " + shown(c->method) + " differs from the request method " +
                 shown(m.method()));
  }
  // Every Via has a branch; RFC 3261 ones start with the magic cookie (8.1.1.7).
  if (auto v = cache.top_via; v && m.is_request()) {
    auto b = v->branch();
    if (!b)
      r.warn(start + m.find(header_id::via)->value.pos, "via.branch-missing", "via-branch",
             "RFC 3261 8.1.1.7", "the top Via has no branch parameter (RFC 2543 style)");
    else if (b->substr(0, 7) != "z9hG4bK")
      r.warn(b->data(), "via.branch-cookie", "via-branch", "RFC 3261 8.1.1.7",
             "branch " + shown(*b) + " lacks the magic cookie z9hG4bK (RFC 2543 style)");
    else if (b->size() == 7)
      r.warn(b->data(), "via.branch-cookie-only", "via-branch", "RFC 3261 8.1.1.7",
             "branch is only the magic cookie; it cannot identify a transaction");
  }
  // A non-empty body needs a Content-Type (RFC 3261 7.4.1, 20.15).
  if (!m.body().empty() && !m.find(header_id::content_type))
    r.fail(start + m.index().body.pos, "body.content-type-missing", "Content-Type",
           "RFC 3261 20.15", "the message has a body but no Content-Type");
}

} // namespace

void validate(message& m) {
  parsed_cache cache;
  check_start_line(m);
  check_fields(m, cache);
  check_whole(m, cache);
  auto& found = m.diagnostics();
  if (found.size() > 1) // most messages have none: skip stable_sort's buffer setup
    std::stable_sort(found.begin(), found.end(),
                     [](const diagnostic& a, const diagnostic& b) { return a.offset < b.offset; });
}

} // namespace sipwright::sip
