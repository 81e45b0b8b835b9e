// A <send> template must be a SIP message: a Request-Line or Status-Line (RFC 3261 7.1, 7.2)
// once its keywords are replaced by plausible values, then header fields (RFC 3261 7.3).
#include "template_parser.hpp"

#include "sipwright/sip/charclass.hpp"
#include "sipwright/sip/diagnostic.hpp"
#include "sipwright/sip/grammar.hpp"

#include <string>

namespace sipwright::scenario::detail {
namespace {

std::string_view placeholder(keyword_id id) {
  switch (id) {
  case keyword_id::service:
    return "service";
  case keyword_id::remote_ip:
    return "192.0.2.1";
  case keyword_id::remote_port:
    return "5060";
  case keyword_id::local_ip:
    return "192.0.2.2";
  case keyword_id::local_ip_type:
    return "4";
  case keyword_id::local_port:
    return "5060";
  case keyword_id::transport:
    return "UDP";
  case keyword_id::media_ip:
    return "192.0.2.2";
  case keyword_id::media_ip_type:
    return "4";
  case keyword_id::media_port:
    return "6000";
  case keyword_id::call_id:
    return "1-1@192.0.2.2";
  case keyword_id::call_number:
    return "1";
  case keyword_id::cseq:
    return "1";
  case keyword_id::branch:
    return "z9hG4bK-1";
  case keyword_id::pid:
    return "1";
  case keyword_id::len:
    return "0";
  case keyword_id::peer_tag_param:
    return ";tag=1";
  case keyword_id::last_header:
    return "";
  case keyword_id::routes:
    return "";
  case keyword_id::next_url:
    return "sip:next@192.0.2.3";
  case keyword_id::challenge:
    return "WWW-Authenticate: Digest realm=\"r\", nonce=\"n\"";
  case keyword_id::authentication:
    return "Authorization: Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"sip:a@b\", "
           "response=\"0\"";
  case keyword_id::variable:
    return "v";
  }
  return "";
}

// The start line with plausible values. A variable that fills a whole field of the line stands
// for that field: the method, the Request-URI or the status code.
std::string start_line_sample(const template_line& line) {
  const bool status = !line.pieces.empty() && !line.pieces.front().is_keyword &&
                      line.pieces.front().text.substr(0, 4) == "SIP/";
  std::string out;
  int field = 0;
  for (std::size_t i = 0; i < line.pieces.size(); ++i) {
    const auto& p = line.pieces[i];
    if (!p.is_keyword) {
      for (char c : p.text) field += c == ' ';
      out += p.text;
      continue;
    }
    const bool starts_field = out.empty() || out.back() == ' ';
    const bool ends_field = i + 1 == line.pieces.size() || (!line.pieces[i + 1].is_keyword &&
                                                            line.pieces[i + 1].text.front() == ' ');
    if (p.kw.id == keyword_id::variable && starts_field && ends_field) {
      if (field == 0)
        out += status ? "SIP/2.0" : "INVITE";
      else if (field == 1)
        out += status ? "200" : "sip:v@192.0.2.9";
      else
        out += "v";
    } else {
      out += placeholder(p.kw.id);
    }
  }
  return out;
}

// "Name: value", or a line that starts with a keyword standing for whole header lines
// ([last_Via:], [routes], [authentication], [challenge]) or with a variable (which may hold a whole
// header line).
bool is_header_line(const template_line& line) {
  if (line.pieces.empty()) return false;
  const auto& first = line.pieces.front();
  if (first.is_keyword)
    return first.kw.id == keyword_id::last_header || first.kw.id == keyword_id::routes ||
           first.kw.id == keyword_id::authentication || first.kw.id == keyword_id::challenge ||
           first.kw.id == keyword_id::variable;
  const std::string_view t = first.text;
  std::size_t n = 0;
  while (n < t.size() && sip::chars::is_token(t[n])) ++n;
  if (n == 0) return false;
  while (n < t.size() && sip::chars::is_wsp(t[n])) ++n; // RFC 3261 7.3.1: HCOLON allows WSP
  return n < t.size() && t[n] == ':';
}

} // namespace

void check_sip_head(const message_template& msg, const std::vector<raw_line>& head) {
  if (msg.head.empty() || head.empty()) return;
  const std::string sample = start_line_sample(msg.head.front());
  sip::report r(sample.data());
  bool ok = false;
  if (sample.substr(0, 4) == "SIP/") {
    sip::status_line sl;
    ok = sip::parse_status_line(sample, sl, r);
  } else {
    sip::request_line rl;
    ok = sip::parse_request_line(sample, rl, r);
  }
  if (!ok)
    throw load_error(head.front().pos,
                     "message template is not a SIP message: the first line must be a "
                     "Request-Line or a Status-Line (" +
                         (r.error() ? r.error()->text : std::string("bad start line")) + ")");
  for (std::size_t i = 1; i < msg.head.size() && i < head.size(); ++i)
    if (!is_header_line(msg.head[i]))
      throw load_error(
          head[i].pos,
          "message template line is not a header field: expected "
          "'Name: value', [last_<Header>:], [routes], [authentication] or [challenge], saw '" +
              sip::shown(head[i].text) + "'");
}

} // namespace sipwright::scenario::detail
