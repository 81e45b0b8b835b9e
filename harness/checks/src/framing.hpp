#pragma once
// Body framing facts shared by the message rules and the 380 rules.
#include "sipwright/sip/message.hpp"

#include <optional>
#include <string>

namespace sipwright::checks::detail {

// RFC 3261 18.3, 20.14: what is wrong with the message's Content-Length against its body, as an
// observation ("Content-Length 5, but 12 bytes follow the headers in the datagram"); nullopt when
// they agree or the header is absent. A datagram whose Content-Length is smaller than what
// follows the headers reaches the rules truncated, with the parser's framing.extra-bytes warning;
// that warning is what shows the mismatch.
std::optional<std::string> content_length_mismatch(const sip::message& m);

// The diagnostic with this code, or null.
const sip::diagnostic* find_diagnostic(const sip::message& m, std::string_view code);

} // namespace sipwright::checks::detail
