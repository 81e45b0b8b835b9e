// Answering challenges (RFC 3261 22.2, 22.3; RFC 7616 3.4).
#include "sipwright/auth/client.hpp"

#include "hex.hpp"

#include <algorithm>

namespace sipwright::auth {

using detail::nc_text;

digest_client::nonce_state& digest_client::state_for(const challenge& c) {
  auto it = std::find_if(nonces_.begin(), nonces_.end(), [&c](const nonce_state& s) {
    return s.realm == c.realm && s.nonce == c.nonce;
  });
  if (it != nonces_.end()) return *it;
  if (nonces_.size() >= max_nonces_) nonces_.pop_front();
  nonces_.push_back(nonce_state{c.realm, c.nonce, cnonce_(), 0});
  return nonces_.back();
}

result<authorization> digest_client::answer(const challenge& c, const credentials& who,
                                            std::string_view method, std::string_view request_uri,
                                            std::string_view body) {
  if (auto why = unanswerable(c)) return *why;
  // RFC 3261 22.1: the realm alone names the protection domain.
  if (!who.realm.empty() && who.realm != c.realm)
    return error{error_code::realm_mismatch,
                 "the credentials of \"" + who.user + "\" are for realm \"" + who.realm +
                     "\", the challenge is for \"" + c.realm + "\" (RFC 3261 22.1)"};
  // RFC 3261 22.4 item 8: qop received, qop sent. "auth" when offered; "auth-int" when it is
  // the only one offered (RFC 7616 3.4.3); no qop only when none was offered (RFC 2069 form).
  qop q = qop::none;
  if (c.offers(qop::auth))
    q = qop::auth;
  else if (c.offers(qop::auth_int))
    q = qop::auth_int;

  nonce_state& st = state_for(c);
  if (st.count != UINT32_MAX) ++st.count; // RFC 7616 3.4: nc counts the requests with this nonce

  authorization a;
  a.proxy = c.proxy; // RFC 3261 22.3: a 407's challenge is answered in Proxy-Authorization
  a.realm = c.realm;
  a.nonce = c.nonce;
  a.uri = std::string(request_uri); // RFC 3261 22.4 item 3: digest-uri-value = Request-URI
  a.algorithm = c.algorithm;
  // RFC 7616 3.4: algorithm echoes the challenge's (absent there means MD5; not added here).
  if (!c.algorithm_text.empty()) a.algorithm_text = std::string(to_string(c.algorithm));
  a.opaque = c.opaque; // RFC 7616 3.4: opaque is returned unchanged
  if (q != qop::none) {
    // RFC 7616 3.4: cnonce and nc go with qop, never without (RFC 3261 22.4 item 8).
    a.qop_text = std::string(to_string(q));
    a.cnonce = st.cnonce;
    a.nc = nc_text(st.count);
  }
  // RFC 7616 3.4.4: with userhash=true the username is H(username ":" realm).
  a.userhash = c.userhash;
  a.username = c.userhash ? hashed_username(c.algorithm, who.user, c.realm) : who.user;

  digest_input in;
  in.algorithm = c.algorithm;
  in.username = who.user;
  in.realm = c.realm;
  in.password = who.password;
  in.nonce = c.nonce;
  in.cnonce = a.cnonce;
  in.nc = a.nc;
  in.qop_value = q;
  in.method = method;
  in.uri = request_uri;
  in.body = body;
  a.response = compute_response(in);
  return a;
}

std::uint32_t digest_client::nonce_count(std::string_view realm, std::string_view nonce) const {
  auto it = std::find_if(nonces_.begin(), nonces_.end(), [&](const nonce_state& s) {
    return s.realm == realm && s.nonce == nonce;
  });
  return it == nonces_.end() ? 0 : it->count;
}

void digest_client::forget(std::string_view realm) {
  std::erase_if(nonces_, [realm](const nonce_state& s) { return s.realm == realm; });
}

} // namespace sipwright::auth
