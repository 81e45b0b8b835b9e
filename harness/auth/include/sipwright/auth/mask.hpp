#pragma once
// Keeping secrets out of reports, and the "ACK repeats the INVITE's credentials" comparison.
#include <string>
#include <string_view>

namespace sipwright::sip {
class message;
}

namespace sipwright::auth {

// The text of one or more raw SIP messages (as received or sent, before any prefixing or
// escaping) with the secrets of every Authorization and Proxy-Authorization header replaced by
// "***": the Digest response and auts values (offline-crackable hashes of the password;
// quotes kept as written) and everything after any other scheme's name (Basic carries the
// password itself, Bearer a token). Header lines are found at line starts, folded lines
// included, anywhere in the text (a message/sipfrag body is masked too). Everything else is
// byte-for-byte the input.
std::string mask_credentials(std::string_view message_text);

enum class ack_kind : bool {
  for_2xx,    // RFC 3261 13.2.2.4: "The ACK MUST contain the same credentials as the INVITE"
  for_non_2xx // RFC 3261 22.1: the ACK duplicates the INVITE's Authorization values
};

struct credentials_comparison {
  bool same = true;
  std::string reason; // when not the same: which header and parameter differ (secrets masked)
};

// Compares the Authorization and Proxy-Authorization values of an ACK with those of its INVITE
// by meaning: parameter order, name case, quoting and whitespace do not count; the values,
// and the number of values of each header, do. Unparsable values compare as trimmed text.
credentials_comparison same_credentials(const sip::message& invite, const sip::message& ack,
                                        ack_kind kind = ack_kind::for_2xx);

} // namespace sipwright::auth
