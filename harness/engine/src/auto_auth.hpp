#pragma once
// The messages the engine writes itself when it answers a 401/407 challenge on its own (RFC 3261
// 22.2, 22.3): the ACK of the challenge to an INVITE, and the request sent again with
// credentials. Pure functions over parsed messages; Asio-free.
#include "sipwright/sip/message.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace sipwright::engine {

// RFC 3261 17.1.1.3: the ACK of a non-2xx final response to `invite`: its Request-URI, top Via,
// Route, From, Call-ID and credentials (22.1), the response's To, the INVITE's CSeq number.
std::string ack_of_non2xx(const sip::message& invite, const sip::message& response);

// RFC 3261 22.2, 22.3, 8.1.3.5: `request` as a new transaction (its top Via branch becomes
// `branch`) with CSeq number `cseq` and `credentials_line` ("Authorization: Digest ..." or
// "Proxy-Authorization: ...") for `realm` in place of the credentials of that kind for that
// realm it carried; credentials for other realms stay (22.3: one per protection domain, e.g. a
// proxy's 407 and then the registrar's 401). Every other byte is kept, the body too.
std::string with_credentials(const sip::message& request, std::string_view branch,
                             std::uint32_t cseq, std::string_view credentials_line,
                             std::string_view realm);

} // namespace sipwright::engine
