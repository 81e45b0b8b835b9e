#pragma once
// The harness as a client answering 401/407 challenges (RFC 3261 22.2, 22.3; RFC 7616 3.4).
#include "sipwright/auth/digest.hpp"

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <string_view>

namespace sipwright::auth {

// A fresh client nonce: printable, without quotes or backslashes.
using cnonce_source = std::function<std::string()>;
// 16 bytes from the OpenSSL CSPRNG (RAND_bytes) as 32 hex digits.
std::string random_cnonce();

class digest_client {
public:
  explicit digest_client(cnonce_source cnonce = random_cnonce, std::size_t max_nonces = 256)
      : cnonce_(std::move(cnonce)), max_nonces_(max_nonces == 0 ? 1 : max_nonces) {}

  // The Authorization (or, for a 407 challenge, Proxy-Authorization) for a request with this
  // method, Request-URI and body. Each use of a nonce counts up its nc; a new nonce starts at
  // 00000001 (RFC 7616 3.4). Errors: an unanswerable challenge (see unanswerable()), or
  // credentials restricted to another realm.
  result<authorization> answer(const challenge& c, const credentials& who, std::string_view method,
                               std::string_view request_uri, std::string_view body = {});

  // How many times the nonce of that realm has been used (0: never).
  std::uint32_t nonce_count(std::string_view realm, std::string_view nonce) const;
  // Forgets the nonces of one realm (e.g. after a 403), or all.
  void forget(std::string_view realm);
  void clear() { nonces_.clear(); }

private:
  struct nonce_state {
    std::string realm;
    std::string nonce;
    std::string cnonce; // one per nonce: the -sess session key stays valid (RFC 7616 3.4.2)
    std::uint32_t count = 0;
  };
  nonce_state& state_for(const challenge& c);

  cnonce_source cnonce_;
  std::size_t max_nonces_;
  std::deque<nonce_state> nonces_; // oldest first; bounded by max_nonces_
};

} // namespace sipwright::auth
