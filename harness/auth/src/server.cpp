// Challenging and verifying (RFC 3261 22.1-22.4; RFC 7616 3.3, 3.4; RFC 8760 2.3).
#include "sipwright/auth/server.hpp"

#include "sipwright/sip/charclass.hpp"
#include "sipwright/sip/diagnostic.hpp"
#include "sipwright/sip/grammar.hpp"
#include "sipwright/sip/message.hpp"

#include "hex.hpp"

#include <algorithm>
#include <iterator>

namespace sipwright::auth {

namespace {

using detail::nc_text;
using sip::chars::iequals;

std::string quoted(std::string_view s) {
  return "\"" + sip::shown(s, 60) + "\"";
}

verification verdict(verify_status s, std::string reason, const authorization* a = nullptr) {
  verification v;
  v.status = s;
  v.reason = std::move(reason);
  if (a != nullptr) v.username = a->username;
  return v;
}

// nc-value = 8LHEX (RFC 7616 3.4); upper case tolerated.
std::optional<std::uint32_t> parse_nc(std::string_view nc) {
  if (nc.size() != 8) return std::nullopt;
  std::uint32_t n = 0;
  for (char c : nc) {
    if (!sip::chars::is_hex(c)) return std::nullopt;
    const char l = sip::chars::to_lower(c);
    n = n * 16 + static_cast<std::uint32_t>(l <= '9' ? l - '0' : l - 'a' + 10);
  }
  return n;
}

// The uri parameter names the Request-URI (RFC 3261 22.4 item 3). Equal as text, or as SIP URIs
// differing only in the case of scheme and host (RFC 3261 19.1.4).
bool same_uri(std::string_view a, std::string_view b) {
  if (a == b) return true;
  sip::uri ua;
  sip::uri ub;
  sip::report r(nullptr, false);
  if (!sip::parse_uri(a, ua, r, sip::uri_context::request_uri) ||
      !sip::parse_uri(b, ub, r, sip::uri_context::request_uri))
    return false;
  return iequals(ua.scheme, ub.scheme) && ua.user == ub.user && ua.password == ub.password &&
         iequals(ua.host.host, ub.host.host) && ua.host.port == ub.host.port &&
         ua.params.raw() == ub.params.raw() && ua.headers == ub.headers;
}

} // namespace

std::string_view to_string(verify_status s) {
  switch (s) {
  case verify_status::ok:
    return "ok";
  case verify_status::no_credentials:
    return "no-credentials";
  case verify_status::malformed:
    return "malformed";
  case verify_status::unsupported_scheme:
    return "unsupported-scheme";
  case verify_status::wrong_realm:
    return "wrong-realm";
  case verify_status::unknown_user:
    return "unknown-user";
  case verify_status::unknown_nonce:
    return "unknown-nonce";
  case verify_status::stale:
    return "stale";
  case verify_status::algorithm_mismatch:
    return "algorithm-mismatch";
  case verify_status::qop_mismatch:
    return "qop-mismatch";
  case verify_status::opaque_mismatch:
    return "opaque-mismatch";
  case verify_status::bad_response:
    return "bad-response";
  case verify_status::uri_mismatch:
    return "uri-mismatch";
  case verify_status::nc_replay:
    return "nc-replay";
  }
  return "unknown";
}

// RFC 3261 22.1: "Servers MUST NOT attempt to challenge an ACK" and "servers MUST NOT attempt
// to challenge CANCEL requests".
bool may_challenge(std::string_view method) {
  return method != "ACK" && method != "CANCEL";
}

digest_server::digest_server(server_options opts, random_source rng)
    : opts_(std::move(opts)), rng_(std::move(rng)) {
  if (opts_.algorithms.empty()) opts_.algorithms = {digest_algorithm::sha256};
  if (opts_.max_nonces == 0) opts_.max_nonces = 1;
}

std::vector<challenge> digest_server::issue(bool stale) {
  std::vector<challenge> out;
  for (digest_algorithm alg : opts_.algorithms) {
    if (alg == digest_algorithm::unknown) continue;
    challenge c;
    c.scheme = "Digest";
    c.proxy = opts_.proxy;
    c.realm = opts_.realm;
    // RFC 7616 3.3: the nonce is unique per 401 and opaque to the client; 192 random bits.
    c.nonce = random_hex(24);
    c.opaque = random_hex(16);
    c.algorithm = alg;
    c.algorithm_text = std::string(to_string(alg));
    // RFC 3261 22.4 item 8: servers MUST always send qop.
    if (opts_.qop_auth) c.qop_options.emplace_back("auth");
    if (opts_.qop_auth_int) c.qop_options.emplace_back("auth-int");
    c.stale = stale;
    c.userhash = opts_.userhash;
    if (nonces_.size() >= opts_.max_nonces) nonces_.pop_front();
    nonce_state st;
    st.nonce = c.nonce;
    st.opaque = *c.opaque;
    st.algorithm = alg;
    nonces_.push_back(std::move(st));
    out.push_back(std::move(c));
  }
  return out;
}

digest_server::nonce_state* digest_server::find(std::string_view nonce) {
  auto it = std::find_if(nonces_.begin(), nonces_.end(),
                         [nonce](const nonce_state& s) { return s.nonce == nonce; });
  return it == nonces_.end() ? nullptr : &*it;
}

void digest_server::expire(std::string_view nonce) {
  if (auto* s = find(nonce)) s->expired = true;
}

void digest_server::expire_all() {
  for (auto& s : nonces_) s.expired = true;
}

verification digest_server::verify(const sip::message& request,
                                   std::span<const credentials> accounts) {
  const auto id = opts_.proxy ? sip::header_id::proxy_authorization : sip::header_id::authorization;
  std::vector<std::string_view> values;
  for (const auto& f : request.fields())
    if (f.id == id) values.push_back(request.value(f));
  return verify(values, request_view{request.method(), request.request_uri(), request.body()},
                accounts);
}

verification digest_server::verify(std::span<const std::string_view> header_values,
                                   const request_view& request,
                                   std::span<const credentials> accounts) {
  const std::string_view header = opts_.proxy ? "Proxy-Authorization" : "Authorization";
  if (header_values.empty())
    return verdict(verify_status::no_credentials,
                   "the " + std::string(request.method) + " carries no " + std::string(header) +
                       (opts_.proxy ? " (RFC 3261 22.3)" : " (RFC 3261 22.2)"));
  std::vector<authorization> all;
  std::vector<error> errors;
  for (auto v : header_values) {
    auto p = parse_authorizations(v, opts_.proxy);
    all.insert(all.end(), std::make_move_iterator(p.values.begin()),
               std::make_move_iterator(p.values.end()));
    errors.insert(errors.end(), std::make_move_iterator(p.errors.begin()),
                  std::make_move_iterator(p.errors.end()));
  }
  if (all.empty())
    return verdict(verify_status::malformed,
                   errors.empty() ? "no credentials could be read" : errors.front().text);
  // RFC 3261 22.3: a value applies only to the realm it names; several for one realm may come.
  const authorization* other_scheme = nullptr;
  const authorization* other_realm = nullptr;
  std::optional<verification> first;
  for (const auto& a : all) {
    if (!a.is_digest()) {
      if (other_scheme == nullptr) other_scheme = &a;
      continue;
    }
    const bool names_realm = std::any_of(a.params.begin(), a.params.end(), [](const auth_param& p) {
      return iequals(p.name, "realm");
    });
    if (names_realm && a.realm != opts_.realm) {
      if (other_realm == nullptr) other_realm = &a;
      continue;
    }
    auto v = check(a, request, accounts);
    if (v.ok()) return v;
    if (!first) first = std::move(v);
  }
  if (first) return std::move(*first);
  if (other_realm != nullptr)
    return verdict(verify_status::wrong_realm,
                   std::string(header) + " is for realm " + quoted(other_realm->realm) +
                       ", the challenge was for " + quoted(opts_.realm) +
                       " (RFC 3261 22.1: the realm names the protection domain; 22.3)",
                   other_realm);
  return verdict(verify_status::unsupported_scheme,
                 std::string(header) + " uses the " +
                     quoted(other_scheme != nullptr ? other_scheme->scheme : "") +
                     " scheme (RFC 3261 22: servers MUST NOT accept Basic; only Digest is "
                     "specified)");
}

verification digest_server::check(const authorization& a, const request_view& request,
                                  std::span<const credentials> accounts) {
  const std::string header(a.header_name());
  // RFC 7616 3.4: username, realm, nonce, uri and response are required; cnonce and nc go
  // with qop.
  auto has = [&a](std::string_view name) {
    return std::any_of(a.params.begin(), a.params.end(),
                       [name](const auth_param& p) { return iequals(p.name, name); });
  };
  const bool with_qop = !a.qop_text.empty();
  for (std::string_view name : {"username", "realm", "nonce", "uri", "response"})
    if (!(has(name) || (name == "username" && has("username*"))))
      return verdict(verify_status::malformed,
                     header + " lacks the " + std::string(name) + " parameter (RFC 7616 3.4)", &a);
  if (with_qop)
    for (std::string_view name : {"cnonce", "nc"})
      if (!has(name))
        return verdict(verify_status::malformed,
                       header + " has qop=" + a.qop_text + " but no " + std::string(name) +
                           " (RFC 7616 3.4)",
                       &a);
  const auto nc = with_qop ? parse_nc(a.nc) : std::optional<std::uint32_t>(0);
  if (!nc)
    return verdict(verify_status::malformed,
                   header + " nc " + quoted(a.nc) + " is not 8 hex digits (RFC 7616 3.4)", &a);

  nonce_state* st = find(a.nonce);
  if (st == nullptr)
    return verdict(verify_status::unknown_nonce,
                   header + " nonce " + quoted(a.nonce) +
                       " was not issued by this server, or is long forgotten (RFC 7616 3.3)",
                   &a);
  // RFC 7616 3.4: the algorithm is the one of the challenge (absent means MD5).
  if (a.algorithm != st->algorithm)
    return verdict(
        verify_status::algorithm_mismatch,
        header + " algorithm " +
            (a.algorithm_text.empty() ? std::string("absent (MD5)") : quoted(a.algorithm_text)) +
            ", the challenge with this nonce said " + std::string(to_string(st->algorithm)) +
            " (RFC 7616 3.4)",
        &a);
  // RFC 3261 22.4 item 8: qop in the challenge means qop in the credentials; RFC 7616 3.4:
  // one of the values the server offered.
  const qop q = a.qop_value();
  const bool offered = opts_.qop_auth || opts_.qop_auth_int;
  if (!with_qop && offered)
    return verdict(verify_status::qop_mismatch,
                   header + " has no qop though the challenge offered it (RFC 3261 22.4 item 8: "
                            "the client MUST send qop)",
                   &a);
  if (with_qop && (q == qop::none || (q == qop::auth && !opts_.qop_auth) ||
                   (q == qop::auth_int && !opts_.qop_auth_int)))
    return verdict(verify_status::qop_mismatch,
                   header + " qop " + quoted(a.qop_text) + " was not offered (RFC 7616 3.4)", &a);
  // RFC 7616 3.3/3.4: opaque comes back unchanged.
  if (!a.opaque || *a.opaque != st->opaque)
    return verdict(verify_status::opaque_mismatch,
                   header +
                       (a.opaque ? " opaque " + quoted(*a.opaque) + " differs from" : " lacks") +
                       " the challenge's opaque " + quoted(st->opaque) + " (RFC 7616 3.4)",
                   &a);

  // The account: by name, or by H(name ":" realm) with userhash (RFC 7616 3.4.4).
  const credentials* who = nullptr;
  for (const auto& c : accounts) {
    if (!c.realm.empty() && c.realm != opts_.realm) continue;
    const bool match =
        a.userhash ? iequals(hashed_username(st->algorithm, c.user, opts_.realm), a.username)
                   : c.user == a.username;
    if (match) {
      who = &c;
      break;
    }
  }
  if (who == nullptr)
    return verdict(verify_status::unknown_user,
                   header + " username " + quoted(a.username) + (a.userhash ? " (hashed)" : "") +
                       " has no account in realm " + quoted(opts_.realm),
                   &a);

  // RFC 3261 22.1 and 13.2.2.4: an ACK repeats the INVITE's credentials, computed for INVITE.
  const bool ack = request.method == "ACK";
  digest_input in;
  in.algorithm = st->algorithm;
  in.username = who->user;
  in.realm = opts_.realm;
  in.password = who->password;
  in.nonce = a.nonce;
  in.cnonce = a.cnonce;
  in.nc = a.nc;
  in.qop_value = q;
  in.method = ack ? std::string_view("INVITE") : request.method;
  in.uri = a.uri; // the digest covers the uri parameter; its match is checked below
  in.body = request.body;
  bool good = iequals(compute_response(in), a.response);
  if (!good && is_session(st->algorithm) && !st->first_cnonce.empty() &&
      st->first_cnonce != a.cnonce) {
    // RFC 7616 3.4.2: the session key may keep the first request's cnonce (cnonce-prime).
    in.session_cnonce = st->first_cnonce;
    good = iequals(compute_response(in), a.response);
  }
  if (!good)
    return verdict(verify_status::bad_response,
                   header + " response for " + quoted(who->user) +
                       " does not match: wrong password, or computed over other values "
                       "(RFC 7616 3.4.1)",
                   &a);
  const bool used_up = opts_.max_nonce_uses != 0 && st->uses >= opts_.max_nonce_uses;
  if (!ack && (st->expired || used_up))
    return verdict(verify_status::stale,
                   header + " nonce " + quoted(a.nonce) +
                       " has expired; the response is right, so the new challenge says "
                       "stale=true (RFC 7616 3.3)",
                   &a);
  // RFC 7616 3.4.6: the uri names the resource of the request line. In SIP a proxy may have
  // rewritten the Request-URI, so this is not necessarily a failure (RFC 3261 22.4 item 6).
  if (opts_.check_uri && !same_uri(a.uri, request.request_uri))
    return verdict(verify_status::uri_mismatch,
                   header + " uri " + quoted(a.uri) + " is not the Request-URI " +
                       quoted(request.request_uri) +
                       " (RFC 7616 3.4.6; RFC 3261 22.4 item 6 allows it after a proxy's "
                       "rewrite)",
                   &a);
  // RFC 7616 3.4: "if the same nc value is seen twice, then the request is a replay". Values
  // may arrive out of order (parallel requests on one nonce): a window of 64 below the highest.
  if (with_qop && !ack) {
    const std::uint32_t n = *nc;
    if (st->nc_seen && n <= st->max_nc) {
      const std::uint32_t back = st->max_nc - n;
      if (back >= 64 || ((st->seen_window >> back) & 1U) != 0)
        return verdict(verify_status::nc_replay,
                       header + " nc " + a.nc + " was already used with this nonce, or is too " +
                           "old (highest so far " + nc_text(st->max_nc) +
                           ") (RFC 7616 3.4: the same nc twice is a replay)",
                       &a);
      st->seen_window |= std::uint64_t{1} << back;
    } else {
      const std::uint32_t shift = st->nc_seen ? n - st->max_nc : 64;
      st->seen_window = shift >= 64 ? 1U : (st->seen_window << shift) | 1U;
      st->max_nc = n;
      st->nc_seen = true;
    }
  }
  if (!ack) {
    ++st->uses;
    if (is_session(st->algorithm) && st->first_cnonce.empty()) st->first_cnonce = a.cnonce;
  }
  verification v = verdict(verify_status::ok, {}, &a);
  v.account = who->user;
  return v;
}

} // namespace sipwright::auth
