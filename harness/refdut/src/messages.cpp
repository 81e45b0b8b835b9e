#include "messages.hpp"

#include "sipwright/sip/charclass.hpp"
#include "sipwright/sip/grammar.hpp"

#include <algorithm>
#include <random>

namespace sipwright::refdut::detail {

std::string random_token(std::size_t n) {
  static constexpr std::string_view alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  std::string s(n, ' ');
  for (char& c : s) c = alphabet[pick(rng)];
  return s;
}

std::string new_branch(bool cookie) {
  return (cookie ? "z9hG4bK" : "") + random_token(16);
}

std::string new_tag() {
  return random_token(12);
}

std::string new_call_id(std::string_view host) {
  return random_token(20) + "@" + std::string(host);
}

std::optional<std::uint64_t> delta_seconds(std::string_view text) {
  text = sip::trim_lws(text);
  if (text.empty() || !std::all_of(text.begin(), text.end(), sip::chars::is_digit))
    return std::nullopt;
  // RFC 3261 20.19, 10.2.1.1: too large a number is clamped, not refused.
  constexpr std::uint64_t most = 0xFFFFFFFFu;
  const auto digits = text.substr(std::min(text.find_first_not_of('0'), text.size()));
  if (digits.size() > 10) return most;
  std::uint64_t v = 0;
  for (char c : digits) v = v * 10 + static_cast<std::uint64_t>(c - '0');
  return std::min(v, most);
}

std::string_view reason_phrase(int status) {
  switch (status) {
  case 100:
    return "Trying";
  case 180:
    return "Ringing";
  case 200:
    return "OK";
  case 380:
    return "Alternative Service";
  case 400:
    return "Bad Request";
  case 405:
    return "Method Not Allowed";
  case 404:
    return "Not Found";
  case 423:
    return "Interval Too Brief";
  case 481:
    return "Call/Transaction Does Not Exist";
  case 486:
    return "Busy Here";
  case 487:
    return "Request Terminated";
  case 488:
    return "Not Acceptable Here";
  case 489:
    return "Bad Event";
  case 500:
    return "Server Internal Error";
  case 501:
    return "Not Implemented";
  case 503:
    return "Service Unavailable";
  default:
    return "Unknown";
  }
}

namespace {
std::string host_of(const transport::endpoint& e) {
  return e.v6() ? "[" + e.address + "]" : e.address;
}
} // namespace

std::string sip_uri(std::string_view user, const transport::endpoint& at, transport::protocol p) {
  std::string s = "sip:";
  if (!user.empty()) s.append(user).append("@");
  s.append(host_of(at)).append(":").append(std::to_string(at.port));
  // RFC 3263 4.1: a sip: URI without transport means UDP. TLS keeps the sip: scheme with
  // transport=tls (RFC 3261 19.1.1 grammar; 26.2.2 deprecates it in favour of sips:, which would
  // ask for TLS on every hop beyond this one), as the scenario library writes it.
  if (p != transport::protocol::udp) s.append(";transport=").append(transport::lower_name(p));
  return s;
}

std::string via_value(const transport::endpoint& local, transport::protocol p,
                      std::string_view branch) {
  return "SIP/2.0/" + std::string(transport::to_string(p)) + " " + host_of(local) + ":" +
         std::to_string(local.port) + ";branch=" + std::string(branch);
}

std::vector<std::string> rows_of(const sip::message& msg, sip::header_id id) {
  std::vector<std::string> out;
  for (const auto& f : msg.fields())
    if (f.id == id) out.emplace_back(msg.value(f));
  return out;
}

sip::message_builder response_to(const sip::message& request, int status, std::string_view to_tag) {
  auto b = sip::message_builder::response(status, reason_phrase(status));
  for (const auto& v : rows_of(request, sip::header_id::via)) b.header("Via", v);
  b.header("From", request.value(sip::header_id::from));
  std::string to(request.value(sip::header_id::to));
  const auto parsed = request.to();
  if (!to_tag.empty() && !(parsed && parsed->tag())) to.append(";tag=").append(to_tag);
  b.header("To", to);
  b.header("Call-ID", request.value(sip::header_id::call_id));
  b.header("CSeq", request.value(sip::header_id::cseq));
  return b;
}

std::string sdp_body(const transport::endpoint& local, bool answer) {
  const std::string ip = local.v6() ? "IP6 " + local.address : "IP4 " + local.address;
  std::string s;
  s.append("v=0\r\n");
  s.append(answer ? "o=refdut 2890844527 2890844527 IN " : "o=refdut 2890844526 2890844526 IN ")
      .append(ip)
      .append("\r\n");
  s.append("s=sipwright refdut\r\n");
  s.append("c=IN ").append(ip).append("\r\n");
  s.append("t=0 0\r\n");
  s.append(answer ? "m=audio 49172 RTP/AVP 0\r\n" : "m=audio 49170 RTP/AVP 0\r\n");
  s.append("a=rtpmap:0 PCMU/8000\r\n");
  s.append("a=sendrecv\r\n");
  return s;
}

std::string ims_3gpp_body(alt_service_body kind) {
  const std::string_view root = kind == alt_service_body::wrong_root ? "ims-3gpp-x" : "ims-3gpp";
  const std::string_view type =
      kind == alt_service_body::unknown_type ? "teleportation" : "emergency";
  std::string s = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n";
  s.append("<").append(root).append(" version=\"1\">\r\n");
  s.append("  <alternative-service>\r\n");
  s.append("    <type>").append(type).append("</type>\r\n");
  s.append("    <reason>emergency call: register for emergency services first</reason>\r\n");
  s.append("    <action>emergency-registration</action>\r\n");
  s.append("  </alternative-service>\r\n");
  // A defect: the root element is never closed.
  if (kind != alt_service_body::bad_xml) s.append("</").append(root).append(">\r\n");
  return s;
}

namespace {
// The line [begin, end) of the first header named `name` (case-insensitive), CRLF included.
std::pair<std::size_t, std::size_t> find_line(const std::string& bytes, std::string_view name) {
  std::size_t pos = bytes.find("\r\n");
  const std::size_t head_end = bytes.find("\r\n\r\n");
  while (pos != std::string::npos && pos < head_end) {
    const std::size_t start = pos + 2;
    const std::size_t end = bytes.find("\r\n", start);
    if (end == std::string::npos) break;
    const std::string_view line(bytes.data() + start, end - start);
    const auto colon = line.find(':');
    if (colon != std::string_view::npos &&
        sip::chars::iequals(sip::trim_lws(line.substr(0, colon)), name))
      return {start, end + 2};
    pos = end;
  }
  return {std::string::npos, std::string::npos};
}
} // namespace

void skew_content_length(std::string& bytes, long delta) {
  const auto [b, e] = find_line(bytes, "Content-Length");
  if (b == std::string::npos) return;
  const std::size_t body = bytes.size() - (bytes.find("\r\n\r\n") + 4);
  const long value = std::max(0L, static_cast<long>(body) + delta);
  bytes.replace(b, e - b, "Content-Length: " + std::to_string(value) + "\r\n");
}

void remove_header(std::string& bytes, std::string_view name) {
  const auto [b, e] = find_line(bytes, name);
  if (b != std::string::npos) bytes.erase(b, e - b);
}

} // namespace sipwright::refdut::detail

#include "sipwright/parser/parser.hpp"

namespace sipwright::refdut::detail {

sip::message parse_own(const std::string& bytes) {
  parser::options o;
  o.strict = false;
  parser::parser p(o);
  p.put(bytes);
  return p.release();
}

} // namespace sipwright::refdut::detail
