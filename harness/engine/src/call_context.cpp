#include "call_context.hpp"

#include "sipwright/dialog/routing.hpp"
#include "sipwright/scenario/render.hpp"
#include "sipwright/sip/grammar.hpp"

#include "sipwright/sip/charclass.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace sipwright::engine {
namespace {

using sip::chars::iequals;

std::string tag_of(const std::optional<sip::name_addr>& na) {
  if (!na) return {};
  auto t = na->tag();
  return t ? std::string(*t) : std::string();
}

} // namespace

static std::string_view trim_name(std::string_view name) {
  while (!name.empty() && (name.back() == ' ' || name.back() == ':' || name.back() == '\t'))
    name.remove_suffix(1);
  while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
  return name;
}

std::vector<const sip::header_field*> fields_named(const sip::message& msg, std::string_view name) {
  std::vector<const sip::header_field*> out;
  name = trim_name(name);
  const auto id = sip::lookup_header(name);
  for (const auto& f : msg.fields())
    if (id != sip::header_id::unknown ? f.id == id : iequals(msg.name(f), name)) out.push_back(&f);
  return out;
}

std::string uri_host(const std::string& address) {
  if (address.find(':') != std::string::npos) return "[" + address + "]";
  return address;
}

call_context::call_context(environment env, int call_number, std::string call_id)
    : env_(std::move(env)), call_number_(call_number), call_id_(std::move(call_id)) {}

std::string call_context::branch(int msg_index, unsigned send) const {
  // RFC 3261 8.1.1.7: the magic cookie, then unique per run, call, message and send.
  return fmt::format("z9hG4bK-{}-{}-{}-{}-{}", env_.pid, env_.run_token, call_number_, msg_index,
                     send);
}

namespace {
// Where [authentication] goes until the whole request is rendered (no template writes NULs).
using std::string_view_literals::operator""sv;
constexpr std::string_view authentication_marker = "\0sipwright-authentication\0"sv;
constexpr std::string_view challenge_marker = "\0sipwright-challenge\0"sv;
} // namespace

void call_context::expand(const scenario::keyword& kw, std::string& out) const {
  using scenario::keyword_id;
  switch (kw.id) {
  case keyword_id::service:
    out += env_.service;
    break;
  case keyword_id::remote_ip:
    out += uri_host(env_.remote.address);
    break;
  case keyword_id::remote_port:
    out += std::to_string(env_.remote.port);
    break;
  case keyword_id::local_ip:
    out += uri_host(env_.local.address);
    break;
  case keyword_id::local_ip_type:
    out += env_.local.v6() ? '6' : '4';
    break;
  case keyword_id::local_port:
    out += std::to_string(env_.local.port);
    break;
  case keyword_id::transport:
    out += transport::to_string(env_.proto);
    break;
  case keyword_id::media_ip:
    out += env_.local.address;
    break;
  case keyword_id::media_ip_type:
    out += env_.local.v6() ? '6' : '4';
    break;
  case keyword_id::media_port:
    out += std::to_string(env_.media_port);
    break;
  case keyword_id::call_id:
    out += call_id_;
    break;
  case keyword_id::call_number:
    out += std::to_string(call_number_);
    break;
  case keyword_id::cseq:
    out += std::to_string(static_cast<long long>(cseq_) + kw.offset);
    break;
  case keyword_id::branch:
    if (kw.offset == 0) {
      out += current_branch_;
    } else if (auto it = branches_.find(msg_index_ + kw.offset); it != branches_.end()) {
      out += it->second;
    } else {
      out += branch(msg_index_ + kw.offset, 0); // that message was never sent
    }
    break;
  case keyword_id::pid:
    out += std::to_string(env_.pid);
    break;
  case keyword_id::len:
    break; // computed by scenario::render
  case keyword_id::peer_tag_param:
    if (!peer_tag_.empty()) out += ";tag=" + peer_tag_;
    break;
  case keyword_id::last_header:
    if (last_) {
      bool first = true;
      for (const auto* f : fields_named(*last_, kw.arg)) {
        if (!first) out += "\r\n";
        out += last_->text(f->line);
        first = false;
      }
    }
    break;
  case keyword_id::routes:
    if (!route_set_.empty()) {
      out += "Route: ";
      for (std::size_t i = 0; i < route_set_.size(); ++i) {
        if (i) out += ", ";
        // 20.34: each route is a name-addr.
        const auto& r = route_set_[i];
        out += r.starts_with('<') ? r : "<" + r + ">";
      }
    }
    break;
  case keyword_id::next_url:
    out += next_url_;
    break;
  case keyword_id::authentication:
    out += authentication_marker; // filled in by render(), which knows the whole request
    break;
  case keyword_id::challenge:
    out += challenge_marker; // filled in by render(), which knows the status code
    break;
  case keyword_id::variable:
    if (auto it = vars_.find(kw.arg); it != vars_.end()) out += it->second.str();
    break;
  }
}

std::string call_context::render(const scenario::message_template& t, int msg_index,
                                 const std::string& branch_to_use) {
  msg_index_ = msg_index;
  current_branch_ = branch_to_use.empty() ? branch(msg_index, ++sends_) : branch_to_use;
  // The method: the start line's first word, when the template writes it literally.
  std::string_view method;
  if (!t.head.empty() && !t.head.front().pieces.empty() &&
      !t.head.front().pieces.front().is_keyword) {
    method = t.head.front().pieces.front().text;
    method = method.substr(0, method.find(' '));
  }
  if (!method.empty() && method != "SIP/2.0" && method != "ACK" && method != "CANCEL") ++cseq_;
  auto bytes = scenario::render(t, *this);
  branches_[msg_index] = current_branch_;
  render_error_.clear();
  if (auto at = bytes.find(authentication_marker); at != std::string::npos)
    bytes.replace(at, authentication_marker.size(), authorization_line(bytes));
  if (auto at = bytes.find(challenge_marker); at != std::string::npos)
    bytes.replace(at, challenge_marker.size(), challenge_lines(bytes));
  if (literal_cseq_offset_ > 0 && !method.empty() && method != "SIP/2.0")
    add_literal_cseq_offset(t, bytes);
  if (ack_credentials_ && method == "ACK") add_ack_credentials(bytes);
  return bytes;
}

// After the engine answered a challenge on its own: a CSeq the template writes as a number moves
// on as [cseq] did (see retried_with_credentials).
void call_context::add_literal_cseq_offset(const scenario::message_template& t,
                                           std::string& bytes) const {
  for (const auto& line : t.head) {
    if (line.pieces.empty() || line.pieces.front().is_keyword) continue;
    const auto& text = line.pieces.front().text;
    if (text.size() < 5 || !iequals(std::string_view(text).substr(0, 5), "CSeq:")) continue;
    for (const auto& p : line.pieces)
      if (p.is_keyword && p.kw.id == scenario::keyword_id::cseq) return;
    break;
  }
  // The rendered CSeq line: "\r\nCSeq:" then LWS and the number.
  for (std::size_t at = bytes.find("\r\n"); at != std::string::npos && at + 2 < bytes.size();
       at = bytes.find("\r\n", at + 2)) {
    const auto line = std::string_view(bytes).substr(at + 2);
    if (line.starts_with("\r\n")) return; // end of the head
    if (line.size() < 5 || !iequals(line.substr(0, 5), "CSeq:")) continue;
    auto from = at + 2 + 5;
    while (from < bytes.size() && (bytes[from] == ' ' || bytes[from] == '\t')) ++from;
    auto to = from;
    while (to < bytes.size() && std::isdigit(static_cast<unsigned char>(bytes[to]))) ++to;
    if (to == from || to - from > 9) return;
    const auto n = std::stoul(bytes.substr(from, to - from)) + literal_cseq_offset_;
    bytes.replace(from, to - from, std::to_string(n));
    return;
  }
}

// 22.1, 13.2.2.4: an ACK repeats the credentials of the INVITE the engine answered a challenge
// with, unless the scenario wrote its own.
void call_context::add_ack_credentials(std::string& bytes) const {
  const auto head_end = bytes.find("\r\n\r\n");
  if (head_end == std::string::npos || last_authorization_.empty()) return;
  for (std::size_t at = bytes.find("\r\n"); at < head_end; at = bytes.find("\r\n", at + 2)) {
    const auto line = std::string_view(bytes).substr(at + 2);
    for (std::string_view name : {"Authorization:", "Proxy-Authorization:"})
      if (line.size() >= name.size() && iequals(line.substr(0, name.size()), name)) return;
  }
  bytes.insert(head_end + 2, last_authorization_ + "\r\n");
}

std::string call_context::answer_challenge(const sip::message& challenge_response,
                                           std::string_view method, std::string_view request_uri,
                                           std::string_view body, std::string& error,
                                           std::string& realm) {
  if (!env_.credentials) {
    error = "no credentials to answer it with (give them in the device profile's [auth] or in "
            "SIPWRIGHT_AUTH_USER and SIPWRIGHT_AUTH_PASSWORD)";
    return {};
  }
  // RFC 3261 22.2, 22.3; RFC 8760 2.4: the strongest challenge sipwright can answer.
  const auto parsed = auth::parse_challenges(challenge_response);
  const auto* best = auth::choose_challenge(parsed.challenges);
  if (!best) {
    error = "it carries no Digest challenge sipwright can answer";
    return {};
  }
  realm = best->realm;
  auto answer = digest_.answer(*best, *env_.credentials, method, request_uri, body);
  if (!answer) {
    error = answer.err().text;
    return {};
  }
  return std::string(best->proxy ? "Proxy-Authorization: " : "Authorization: ") +
         auth::format(answer.value());
}

std::optional<call_context::credentials_check>
call_context::check_credentials(const sip::message& request) {
  if (!server_ || !request.is_request() || request.method() == "ACK" ||
      request.method() == "CANCEL")
    return std::nullopt;
  // RFC 3261 22.2: a 401 is answered in Authorization; 22.3: a 407 in Proxy-Authorization.
  const auto wanted =
      challenged_proxy_ ? sip::header_id::proxy_authorization : sip::header_id::authorization;
  const auto other =
      challenged_proxy_ ? sip::header_id::authorization : sip::header_id::proxy_authorization;
  std::vector<std::string_view> values;
  for (const auto& f : request.fields())
    if (f.id == wanted) values.push_back(request.value(f));
  if (values.empty()) {
    if (request.find(other) == nullptr) return std::nullopt; // not an answer to the challenge
    return credentials_check{
        challenged_proxy_
            ? "credentials in Authorization, but the challenge was a 407: they go in "
              "Proxy-Authorization (RFC 3261 22.3)"
            : "credentials in Proxy-Authorization, but the challenge was a 401: they go in "
              "Authorization (RFC 3261 22.2)",
        {}};
  }
  std::vector<auth::credentials> accounts;
  if (env_.credentials) accounts.push_back(*env_.credentials);
  const auth::request_view view{request.method(), request.request_uri(), request.body()};
  const auto v = server_->verify(values, view, accounts);
  using auth::verify_status;
  switch (v.status) {
  case verify_status::ok:
    return credentials_check{};
  case verify_status::stale:
    return credentials_check{{}, v.reason};
  case verify_status::uri_mismatch: // allowed after a proxy rewrote the Request-URI (22.4 item 6)
    return credentials_check{{}, v.reason};
  case verify_status::unknown_user:
    if (accounts.empty())
      return credentials_check{{},
                               "the digest was not checked: no account to check it against "
                               "(the device profile's [auth])"};
    return credentials_check{v.reason + "; the profile's [auth] names the device's account", {}};
  default:
    return credentials_check{v.reason, {}};
  }
}

void call_context::retried_with_credentials(std::string_view method,
                                            const std::string& credentials_line) {
  ++cseq_;
  ++literal_cseq_offset_;
  if (method == "INVITE") {
    last_authorization_ = credentials_line;
    ack_credentials_ = true;
  }
}

// RFC 3261 22.1, 22.3: a 401 challenges with WWW-Authenticate, a 407 with Proxy-Authenticate;
// SHA-256 first, MD5 for older devices (RFC 8760 2.3), qop=auth (22.4 item 8), fresh nonces.
std::string call_context::challenge_lines(const std::string& response) {
  const bool www = response.starts_with("SIP/2.0 401");
  if (!www && !response.starts_with("SIP/2.0 407")) {
    render_error_ = "[challenge] belongs in a 401 or a 407 response";
    return {};
  }
  challenged_proxy_ = !www;
  if (!server_) {
    auth::server_options o;
    o.algorithms = {auth::digest_algorithm::sha256, auth::digest_algorithm::md5};
    server_.emplace(o);
  }
  server_->set_proxy(!www);
  std::string out;
  for (const auto& c : server_->issue()) {
    if (!out.empty()) out += "\r\n";
    out += (www ? "WWW-Authenticate: " : "Proxy-Authenticate: ") + auth::format(c);
  }
  return out;
}

// RFC 3261 22.2, 22.3: the request again, with the credentials that answer the challenge kept
// by the last <recv auth="true">, computed over this request's method, Request-URI and body.
std::string call_context::authorization_line(const std::string& request) {
  if (!challenge_) {
    render_error_ = "[authentication]: no challenge to answer (a <recv response=\"401\" or "
                    "\"407\" auth=\"true\"> must come first)";
    return {};
  }
  if (!env_.credentials) {
    render_error_ = "[authentication]: no credentials (give them in the device profile's [auth] "
                    "or in SIPWRIGHT_AUTH_USER and SIPWRIGHT_AUTH_PASSWORD)";
    return {};
  }
  const auto line_end = request.find("\r\n");
  const std::string_view start = std::string_view(request).substr(0, line_end);
  const auto sp1 = start.find(' ');
  const auto sp2 = start.rfind(' ');
  const auto head_end = request.find("\r\n\r\n");
  if (sp1 == std::string_view::npos || sp2 <= sp1 || head_end == std::string::npos) {
    render_error_ = "[authentication] in a message that is not a request";
    return {};
  }
  const std::string_view method = start.substr(0, sp1);
  // 13.2.2.4: "The ACK MUST contain the same credentials as the INVITE" (22.1: for any ACK).
  if (method == "ACK") {
    if (last_authorization_.empty())
      render_error_ = "[authentication] in an ACK: no INVITE of this call carried credentials";
    return last_authorization_;
  }
  auto answer =
      digest_.answer(*challenge_, *env_.credentials, method, start.substr(sp1 + 1, sp2 - sp1 - 1),
                     std::string_view(request).substr(head_end + 4));
  if (!answer) {
    render_error_ = "[authentication]: " + answer.err().text;
    return {};
  }
  std::string line = std::string(challenge_->proxy ? "Proxy-Authorization: " : "Authorization: ") +
                     auth::format(answer.value());
  if (method == "INVITE") last_authorization_ = line;
  return line;
}

void call_context::on_received(const sip::message& msg, bool rrs, bool auth) {
  last_ = msg;
  if (auth && msg.is_response() && (msg.status_code() == 401 || msg.status_code() == 407)) {
    // RFC 3261 22.2, 22.3; RFC 8760 2.4: the strongest challenge sipwright can answer.
    const auto parsed = auth::parse_challenges(msg);
    const auto* best = auth::choose_challenge(parsed.challenges);
    challenge_ = best ? std::optional<auth::challenge>(*best) : std::nullopt;
  }
  // The peer's tag: the To tag of a response, the From tag of a request.
  if (auto tag = tag_of(msg.is_response() ? msg.to() : msg.from()); !tag.empty()) peer_tag_ = tag;
  if (!rrs) return;
  // 12.1.1 (UAS: Record-Route in order) and 12.1.2 (UAC: in reverse order).
  if (auto rs = dialog::route_set_of(msg, msg.is_response()); rs.ok()) route_set_ = rs.value();
  if (auto c = dialog::contact_uri_of(msg); c.ok()) next_url_ = c.value();
}

bool call_context::test(const std::string& name) const {
  auto it = vars_.find(name);
  return it != vars_.end() && it->second.truth();
}

} // namespace sipwright::engine
