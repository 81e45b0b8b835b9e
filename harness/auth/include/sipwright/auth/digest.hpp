#pragma once
// SIP Digest authentication (RFC 3261 22, RFC 7616, RFC 8760): the values of challenges
// (WWW-Authenticate, Proxy-Authenticate) and credentials (Authorization, Proxy-Authorization),
// parsing them tolerantly, writing them, choosing among challenges, and the digest arithmetic.
// No I/O. Bad input from a device gives error values, never exceptions.
#include "sipwright/auth/error.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sipwright::sip {
class message;
}

namespace sipwright::auth {

// The algorithms of the IANA "HTTP Digest Algorithm Values" registry that SIP uses
// (RFC 7616 3.3, 6.1; RFC 8760 2.2). unknown: a value this module does not implement.
enum class digest_algorithm : std::uint8_t {
  md5,
  md5_sess,
  sha256,
  sha256_sess,
  sha512_256,
  sha512_256_sess,
  unknown,
};

// The registry's spelling: "MD5", "MD5-sess", "SHA-256", ..., "SHA-512-256-sess".
std::string_view to_string(digest_algorithm a);
// Case-insensitive (RFC 7616 3.3 leaves the case open; devices write "md5", "MD5-Sess").
digest_algorithm parse_algorithm(std::string_view text);
bool is_session(digest_algorithm a);
// Higher is stronger: SHA-512-256 3, SHA-256 2, MD5 1 (with or without -sess), unknown 0.
int strength(digest_algorithm a);

// The qop values of RFC 7616 3.3 / 3.4.
enum class qop : std::uint8_t { none, auth, auth_int };
std::string_view to_string(qop q); // "", "auth", "auth-int"

// One auth-param as seen (RFC 3261 25.1 auth-param; RFC 7235 2.1): the name as written and the
// value with the quotes removed and quoted-pairs resolved.
struct auth_param {
  std::string name;
  std::string value;
  bool quoted = false;
};

// One challenge of a WWW-Authenticate (401) or Proxy-Authenticate (407) header (RFC 7616 3.3).
struct challenge {
  std::string scheme; // as written; "Digest" compares case-insensitively
  bool proxy = false; // from Proxy-Authenticate
  std::string realm;
  std::string nonce;
  std::optional<std::string> opaque;
  digest_algorithm algorithm = digest_algorithm::md5; // absent means MD5 (RFC 7616 3.3)
  std::string algorithm_text;                         // as written; "" when absent
  std::vector<std::string> qop_options;               // "auth", "auth-int", others as written
  bool stale = false;
  std::vector<std::string> domain; // space-separated URIs (RFC 7616 3.3)
  bool userhash = false;           // RFC 7616 3.4.4
  std::string charset;             // RFC 7616 3.3: only "UTF-8" is defined
  std::vector<auth_param> params;  // every parameter as seen, unknown ones included
  std::string token68;             // other schemes only (RFC 7235 2.1)
  std::vector<std::string> notes;  // oddities tolerated, each citing its section

  bool is_digest() const;
  bool offers(qop q) const; // a qop option of that name is listed
  // Header name: "WWW-Authenticate" or "Proxy-Authenticate".
  std::string_view header_name() const;
};

// One Authorization / Proxy-Authorization value (RFC 7616 3.4), parsed from a request or built
// by digest_client.
struct authorization {
  std::string scheme = "Digest";
  bool proxy = false; // Proxy-Authorization
  std::string username;
  std::string realm;
  std::string nonce;
  std::string uri;
  std::string response;
  digest_algorithm algorithm = digest_algorithm::md5;
  std::string algorithm_text; // as written; "" when absent
  std::string cnonce;
  std::string nc;       // 8 hex digits as written; "" without qop
  std::string qop_text; // as written; "" without qop
  std::optional<std::string> opaque;
  bool userhash = false;
  std::vector<auth_param> params;
  std::string token68;
  std::vector<std::string> notes;

  bool is_digest() const;
  qop qop_value() const; // none when absent; auth_int, auth; unknown values give none
  // Header name: "Authorization" or "Proxy-Authorization".
  std::string_view header_name() const;
};

// What the harness knows about one account. realm "": any realm.
struct credentials {
  std::string user;
  std::string password;
  std::string realm;
};

// Several headers' worth of challenges, with the errors of the parts that did not parse: a
// challenge that parses is kept even when a neighbour is garbage.
struct parsed_challenges {
  std::vector<challenge> challenges;
  std::vector<error> errors;
  bool ok() const { return errors.empty(); }
};

struct parsed_authorizations {
  std::vector<authorization> values;
  std::vector<error> errors;
  bool ok() const { return errors.empty(); }
};

// One header value, which may hold several comma-separated challenges (RFC 7235 4.1).
// Tolerant: any case of parameter names, quoted or bare values, LWS and folding anywhere.
parsed_challenges parse_challenges(std::string_view header_value, bool proxy = false);
// Every WWW-Authenticate and Proxy-Authenticate of a (401/407) response, in message order.
parsed_challenges parse_challenges(const sip::message& response);
parsed_authorizations parse_authorizations(std::string_view header_value, bool proxy = false);
// Every Authorization and Proxy-Authorization of a request, in message order.
parsed_authorizations parse_authorizations(const sip::message& request);

// The header values, quoted as RFC 7616 3.3 and 3.4 say a sender writes them.
std::string format(const challenge& c);
std::string format(const authorization& a);

// Why a challenge cannot be answered, or nullopt when it can: it needs the Digest scheme, an
// implemented algorithm, a realm and a nonce, a usable qop, and qop with a -sess algorithm.
std::optional<error> unanswerable(const challenge& c);

enum class selection : std::uint8_t {
  // The strongest algorithm per realm; ties go to the topmost. A local policy that RFC 8760 2.4
  // allows ("unless a local policy dictates otherwise") against the downgrade of its section 3.
  strongest,
  // The topmost answerable challenge per realm, as RFC 8760 2.4 recommends.
  topmost,
};

// One answerable challenge per protection domain (header kind and realm, RFC 3261 22.1, 22.3),
// in the order the domains first appear; unanswerable challenges are ignored (RFC 8760 2.4).
std::vector<challenge> select_challenges(std::span<const challenge> challenges,
                                         selection how = selection::strongest);
// The single best answerable challenge, or nullptr.
const challenge* choose_challenge(std::span<const challenge> challenges,
                                  selection how = selection::strongest);

// Everything the response digest depends on (RFC 7616 3.4.1-3.4.3).
struct digest_input {
  digest_algorithm algorithm = digest_algorithm::md5;
  std::string_view username; // the real name, also with userhash (RFC 7616 3.4.4)
  std::string_view realm;
  std::string_view password;
  std::string_view nonce;
  std::string_view cnonce;
  // -sess only: the cnonce of the session key A1 when it differs from cnonce (a client that
  // changes cnonce within a session, RFC 7616 3.4.2 cnonce-prime); "" means cnonce.
  std::string_view session_cnonce;
  std::string_view nc;
  qop qop_value = qop::none;
  std::string_view method;
  std::string_view uri;
  std::string_view body; // auth-int only
};

// The lowercase hex digest of data with the algorithm's hash (MD5, SHA-256, SHA-512/256).
std::string hash_hex(digest_algorithm a, std::string_view data);
// The request-digest of RFC 7616 3.4.1 (with qop) or of RFC 2617 3.2.2.1 (without, the RFC 2069
// form that RFC 3261 22.4 keeps). Empty for digest_algorithm::unknown.
std::string compute_response(const digest_input& in);
// The hashed username of RFC 7616 3.4.4: H(username ":" realm).
std::string hashed_username(digest_algorithm a, std::string_view username, std::string_view realm);

} // namespace sipwright::auth
