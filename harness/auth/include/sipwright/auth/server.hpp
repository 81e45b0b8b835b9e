#pragma once
// The harness as a UAS or registrar challenging the device and verifying its credentials
// (RFC 3261 22.1-22.4; RFC 7616 3.3, 3.4; RFC 8760 2.3).
#include "sipwright/auth/digest.hpp"

#include <cstdint>
#include <deque>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sipwright::sip {
class message;
}

namespace sipwright::auth {

// Fills the buffer with random bytes.
using random_source = std::function<void(std::span<unsigned char>)>;
// The OpenSSL CSPRNG (RAND_bytes); throws std::runtime_error if it fails (a broken host, not
// device input).
void random_bytes(std::span<unsigned char> out);

struct server_options {
  std::string realm = "sipwright";
  // One challenge per algorithm, most preferred first (RFC 8760 2.3).
  std::vector<digest_algorithm> algorithms = {digest_algorithm::sha256};
  bool qop_auth = true; // RFC 3261 22.4 item 8: servers always send qop
  bool qop_auth_int = false;
  bool proxy = false;             // 407 / Proxy-Authenticate / Proxy-Authorization
  bool userhash = false;          // RFC 7616 3.4.4
  bool check_uri = true;          // compare uri with the Request-URI (RFC 7616 3.4.6; see verify)
  std::size_t max_nonce_uses = 0; // 0: no limit; past it, a nonce is stale
  std::size_t max_nonces = 1024;  // remembered nonces; the oldest are forgotten
};

enum class verify_status : std::uint8_t {
  ok,
  no_credentials,     // no Authorization / Proxy-Authorization at all (RFC 3261 22.2, 22.3)
  malformed,          // does not parse, or lacks a required parameter (RFC 7616 3.4)
  unsupported_scheme, // not Digest, e.g. Basic (RFC 3261 22)
  wrong_realm,        // credentials only for other realms (RFC 3261 22.1, 22.3)
  unknown_user,       // no account for that username
  unknown_nonce,      // a nonce this server never issued, or long forgotten
  stale,              // an expired nonce with a correct response (RFC 7616 3.3 "stale")
  algorithm_mismatch, // not the algorithm of the challenge that issued the nonce (RFC 7616 3.4)
  qop_mismatch,       // qop missing though offered, or not offered (RFC 3261 22.4 item 8)
  opaque_mismatch,    // opaque not returned unchanged (RFC 7616 3.4)
  bad_response,       // the response digest is wrong, e.g. a wrong password (RFC 7616 3.4.1)
  uri_mismatch,       // uri is not the Request-URI (RFC 7616 3.4.6; RFC 3261 22.4 item 6)
  nc_replay,          // an nc already seen for this nonce (RFC 7616 3.4)
};

std::string_view to_string(verify_status s);

struct verification {
  verify_status status = verify_status::no_credentials;
  std::string reason;   // for verdicts: what was expected, what was seen, the section
  std::string username; // as claimed (hashed when userhash=true)
  std::string account;  // the account's user when one matched
  bool ok() const { return status == verify_status::ok; }
};

// The request facts verify() needs.
struct request_view {
  std::string_view method;
  std::string_view request_uri;
  std::string_view body;
};

class digest_server {
public:
  explicit digest_server(server_options opts = {}, random_source rng = random_bytes);

  // Fresh challenges for a 401 (or 407 with opts.proxy), one per configured algorithm in order
  // of preference (RFC 8760 2.3), each with its own nonce. stale=true after a stale verdict
  // (RFC 7616 3.3).
  std::vector<challenge> issue(bool stale = false);

  // Checks the credentials of a request for this server's realm against the accounts (an
  // account with realm "" fits any realm). Reads Authorization, or Proxy-Authorization when
  // opts.proxy. Never throws on device input.
  //
  // An ACK carries the INVITE's credentials (RFC 3261 22.1, 13.2.2.4), so for ACK the digest is
  // recomputed with method INVITE, and staleness and nonce counting are skipped; with auth-int
  // the INVITE's body is needed, so compare the ACK with same_credentials() instead.
  verification verify(const sip::message& request, std::span<const credentials> accounts);
  verification verify(std::span<const std::string_view> header_values, const request_view& request,
                      std::span<const credentials> accounts);

  // Marks a nonce (or all) as expired: a correct answer with it then gives stale.
  void expire(std::string_view nonce);
  void expire_all();

  const server_options& options() const { return opts_; }
  // Whether the challenges go in a 407 (Proxy-Authenticate, answered in Proxy-Authorization) or
  // a 401; the nonces issued so far stay valid.
  void set_proxy(bool proxy) { opts_.proxy = proxy; }

private:
  struct nonce_state {
    std::string nonce;
    std::string opaque;
    digest_algorithm algorithm = digest_algorithm::sha256;
    std::string first_cnonce;      // -sess: the session key's cnonce (RFC 7616 3.4.2)
    std::uint32_t max_nc = 0;      // highest nc accepted
    std::uint64_t seen_window = 0; // bit i: nc max_nc - i was accepted
    bool nc_seen = false;
    std::size_t uses = 0;
    bool expired = false;
  };
  nonce_state* find(std::string_view nonce);
  std::string random_hex(std::size_t bytes);
  verification check(const authorization& a, const request_view& request,
                     std::span<const credentials> accounts);

  server_options opts_;
  random_source rng_;
  std::deque<nonce_state> nonces_; // oldest first
};

// RFC 3261 22.1: servers MUST NOT challenge ACK or CANCEL.
bool may_challenge(std::string_view method);

} // namespace sipwright::auth
