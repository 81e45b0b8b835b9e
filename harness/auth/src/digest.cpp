// Names, the digest arithmetic, writing header values and choosing among challenges.
#include "sipwright/auth/digest.hpp"

#include "sipwright/sip/charclass.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <utility>

namespace sipwright::auth {

using sip::chars::iequals;

std::string_view to_string(error_code c) {
  switch (c) {
  case error_code::syntax:
    return "syntax";
  case error_code::not_digest:
    return "not-digest";
  case error_code::missing_parameter:
    return "missing-parameter";
  case error_code::unsupported_algorithm:
    return "unsupported-algorithm";
  case error_code::unsupported_qop:
    return "unsupported-qop";
  case error_code::sess_without_qop:
    return "sess-without-qop";
  case error_code::realm_mismatch:
    return "realm-mismatch";
  }
  return "unknown";
}

namespace {
constexpr std::array<std::pair<digest_algorithm, std::string_view>, 6> algorithm_names = {{
    {digest_algorithm::md5, "MD5"},
    {digest_algorithm::md5_sess, "MD5-sess"},
    {digest_algorithm::sha256, "SHA-256"},
    {digest_algorithm::sha256_sess, "SHA-256-sess"},
    {digest_algorithm::sha512_256, "SHA-512-256"},
    {digest_algorithm::sha512_256_sess, "SHA-512-256-sess"},
}};
} // namespace

std::string_view to_string(digest_algorithm a) {
  for (const auto& [alg, name] : algorithm_names)
    if (alg == a) return name;
  return "unknown";
}

digest_algorithm parse_algorithm(std::string_view text) {
  for (const auto& [alg, name] : algorithm_names)
    if (iequals(text, name)) return alg;
  return digest_algorithm::unknown;
}

bool is_session(digest_algorithm a) {
  return a == digest_algorithm::md5_sess || a == digest_algorithm::sha256_sess ||
         a == digest_algorithm::sha512_256_sess;
}

// RFC 8760 3 / RFC 7616 5.x: MD5 is weak; SHA-512/256 is the strongest of the registry.
int strength(digest_algorithm a) {
  switch (a) {
  case digest_algorithm::md5:
  case digest_algorithm::md5_sess:
    return 1;
  case digest_algorithm::sha256:
  case digest_algorithm::sha256_sess:
    return 2;
  case digest_algorithm::sha512_256:
  case digest_algorithm::sha512_256_sess:
    return 3;
  case digest_algorithm::unknown:
    break;
  }
  return 0;
}

std::string_view to_string(qop q) {
  switch (q) {
  case qop::none:
    return "";
  case qop::auth:
    return "auth";
  case qop::auth_int:
    return "auth-int";
  }
  return "";
}

bool challenge::is_digest() const {
  return iequals(scheme, "Digest");
}

bool challenge::offers(qop q) const {
  return q != qop::none &&
         std::any_of(qop_options.begin(), qop_options.end(),
                     [q](const std::string& o) { return iequals(o, to_string(q)); });
}

std::string_view challenge::header_name() const {
  return proxy ? "Proxy-Authenticate" : "WWW-Authenticate";
}

bool authorization::is_digest() const {
  return iequals(scheme, "Digest");
}

qop authorization::qop_value() const {
  if (iequals(qop_text, "auth")) return qop::auth;
  if (iequals(qop_text, "auth-int")) return qop::auth_int;
  return qop::none;
}

std::string_view authorization::header_name() const {
  return proxy ? "Proxy-Authorization" : "Authorization";
}

// RFC 7616 3.4.4: username = H( unq(username) ":" unq(realm) )
std::string hashed_username(digest_algorithm a, std::string_view username, std::string_view realm) {
  std::string s;
  s.reserve(username.size() + realm.size() + 1);
  s.append(username).append(":").append(realm);
  return hash_hex(a, s);
}

std::string compute_response(const digest_input& in) {
  const digest_algorithm a = in.algorithm;
  if (a == digest_algorithm::unknown) return {};
  auto h = [a](std::string_view s) { return hash_hex(a, s); };
  auto join = [](std::initializer_list<std::string_view> parts) {
    std::string s;
    bool first = true;
    for (auto p : parts) {
      if (!first) s += ':';
      s.append(p);
      first = false;
    }
    return s;
  };
  // RFC 7616 3.4.2: A1 = unq(username) ":" unq(realm) ":" passwd; for -sess
  // A1 = H( unq(username) ":" unq(realm) ":" passwd ) ":" unq(nonce-prime) ":" unq(cnonce-prime)
  std::string ha1 = h(join({in.username, in.realm, in.password}));
  if (is_session(a))
    ha1 = h(join({ha1, in.nonce, in.session_cnonce.empty() ? in.cnonce : in.session_cnonce}));
  // RFC 7616 3.4.3: A2 = Method ":" request-uri, or with auth-int
  // A2 = Method ":" request-uri ":" H(entity-body); an empty body hashes "" (RFC 3261 22.4 item 7)
  const std::string ha2 = in.qop_value == qop::auth_int ? h(join({in.method, in.uri, h(in.body)}))
                                                        : h(join({in.method, in.uri}));
  // RFC 2617 3.2.2.1 (RFC 2069 compatibility, kept by RFC 3261 22.4): without qop
  // response = KD(H(A1), unq(nonce) ":" H(A2))
  if (in.qop_value == qop::none) return h(join({ha1, in.nonce, ha2}));
  // RFC 7616 3.4.1: response = KD(H(A1), unq(nonce) ":" nc ":" unq(cnonce) ":" unq(qop) ":" H(A2))
  return h(join({ha1, in.nonce, in.nc, in.cnonce, to_string(in.qop_value), ha2}));
}

namespace {

// quoted-string = SWS DQUOTE *(qdtext / quoted-pair ) DQUOTE (RFC 3261 25.1)
void append_quoted(std::string& out, std::string_view v) {
  out += '"';
  for (char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

void append_param(std::string& out, bool& first, std::string_view name, std::string_view value,
                  bool quoted) {
  out += first ? " " : ", ";
  first = false;
  out.append(name).append("=");
  if (quoted)
    append_quoted(out, value);
  else
    out.append(value);
}

std::string join_list(const std::vector<std::string>& items, std::string_view sep) {
  std::string s;
  for (const auto& i : items) {
    if (!s.empty()) s.append(sep);
    s.append(i);
  }
  return s;
}

// Other schemes: their token68 or their parameters, all quoted.
std::string format_other(std::string_view scheme, std::string_view token68,
                         const std::vector<auth_param>& params) {
  std::string out(scheme);
  if (!token68.empty()) return out.append(" ").append(token68);
  bool first = true;
  for (const auto& p : params) append_param(out, first, p.name, p.value, p.quoted);
  return out;
}

} // namespace

// RFC 7616 3.3: realm, domain, nonce, opaque and qop are quoted; stale and algorithm are not.
std::string format(const challenge& c) {
  if (!c.is_digest()) return format_other(c.scheme, c.token68, c.params);
  std::string out = "Digest";
  bool first = true;
  append_param(out, first, "realm", c.realm, true);
  if (!c.domain.empty()) append_param(out, first, "domain", join_list(c.domain, " "), true);
  append_param(out, first, "nonce", c.nonce, true);
  if (c.opaque) append_param(out, first, "opaque", *c.opaque, true);
  if (c.stale) append_param(out, first, "stale", "true", false);
  append_param(out, first, "algorithm",
               c.algorithm == digest_algorithm::unknown ? std::string_view(c.algorithm_text)
                                                        : to_string(c.algorithm),
               false);
  if (!c.qop_options.empty()) append_param(out, first, "qop", join_list(c.qop_options, ","), true);
  if (!c.charset.empty()) append_param(out, first, "charset", c.charset, false);
  if (c.userhash) append_param(out, first, "userhash", "true", false);
  return out;
}

// RFC 7616 3.4.5 (3.4 for SIP via RFC 3261 22.4 item 2): username, realm, nonce, uri, response,
// cnonce and opaque are quoted; algorithm, qop and nc are not.
std::string format(const authorization& a) {
  if (!a.is_digest()) return format_other(a.scheme, a.token68, a.params);
  std::string out = "Digest";
  bool first = true;
  append_param(out, first, "username", a.username, true);
  append_param(out, first, "realm", a.realm, true);
  append_param(out, first, "nonce", a.nonce, true);
  append_param(out, first, "uri", a.uri, true);
  append_param(out, first, "response", a.response, true);
  if (!a.algorithm_text.empty())
    append_param(out, first, "algorithm",
                 a.algorithm == digest_algorithm::unknown ? std::string_view(a.algorithm_text)
                                                          : to_string(a.algorithm),
                 false);
  if (!a.cnonce.empty()) append_param(out, first, "cnonce", a.cnonce, true);
  if (a.opaque) append_param(out, first, "opaque", *a.opaque, true);
  if (!a.qop_text.empty()) append_param(out, first, "qop", a.qop_text, false);
  if (!a.nc.empty()) append_param(out, first, "nc", a.nc, false);
  if (a.userhash) append_param(out, first, "userhash", "true", false);
  return out;
}

std::optional<error> unanswerable(const challenge& c) {
  const std::string where(c.header_name());
  if (!c.is_digest())
    return error{error_code::not_digest,
                 where + " scheme \"" + c.scheme +
                     "\" is not Digest (RFC 3261 22: only Digest is used; Basic is forbidden)"};
  if (c.algorithm == digest_algorithm::unknown)
    return error{error_code::unsupported_algorithm,
                 where + " algorithm \"" + c.algorithm_text +
                     "\" is not implemented; such a challenge is ignored (RFC 8760 2.4)"};
  // RFC 7616 3.3: realm and nonce are required in a Digest challenge.
  bool has_realm = !c.realm.empty(); // realm="" is written, but a built challenge has no params
  for (const auto& p : c.params) has_realm = has_realm || iequals(p.name, "realm");
  if (!has_realm)
    return error{error_code::missing_parameter,
                 where + " has no realm parameter (RFC 7616 3.3, RFC 3261 22.1)"};
  if (c.nonce.empty())
    return error{error_code::missing_parameter, where + " has no nonce (RFC 7616 3.3)"};
  if (!c.qop_options.empty() && !c.offers(qop::auth) && !c.offers(qop::auth_int))
    return error{error_code::unsupported_qop,
                 where + " qop \"" + join_list(c.qop_options, ",") +
                     "\" offers neither auth nor auth-int (RFC 7616 3.3)"};
  // RFC 3261 22.4 item 8: algorithms that depend on the cnonce (-sess) require qop.
  if (c.qop_options.empty() && is_session(c.algorithm))
    return error{error_code::sess_without_qop,
                 where + " algorithm " + std::string(to_string(c.algorithm)) +
                     " needs a cnonce, which is only sent with qop, and the challenge offers "
                     "no qop (RFC 3261 22.4 item 8)"};
  return std::nullopt;
}

std::vector<challenge> select_challenges(std::span<const challenge> challenges, selection how) {
  // RFC 3261 22.3: one credential per challenging realm; RFC 8760 2.4: ignore what is not
  // understood; among several for one realm, the topmost (or, by local policy, the strongest).
  std::vector<challenge> out;
  std::map<std::pair<bool, std::string_view>, std::size_t> domains; // -> position in out
  for (const auto& c : challenges) {
    if (unanswerable(c)) continue;
    auto [it, fresh] = domains.try_emplace({c.proxy, std::string_view(c.realm)}, out.size());
    if (fresh)
      out.push_back(c);
    else if (how == selection::strongest &&
             strength(c.algorithm) > strength(out[it->second].algorithm))
      out[it->second] = c;
  }
  return out;
}

const challenge* choose_challenge(std::span<const challenge> challenges, selection how) {
  const challenge* best = nullptr;
  for (const auto& c : challenges) {
    if (unanswerable(c)) continue;
    if (best == nullptr) best = &c;
    if (how == selection::strongest && strength(c.algorithm) > strength(best->algorithm)) best = &c;
  }
  return best;
}

} // namespace sipwright::auth
