#pragma once
// Route sets and the Request-URI / Route of requests within a dialog (RFC 3261 12.1, 12.2.1.1).
// Shared by the dialog state and by the checks that compute the values a DUT must send.
#include "sipwright/dialog/error.hpp"
#include "sipwright/sip/message.hpp"

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sipwright::dialog {

// Where a request within a dialog goes: its Request-URI and its Route header values, in order
// (each one "<uri>").
struct request_target {
  std::string request_uri;
  std::vector<std::string> routes;
  friend bool operator==(const request_target&, const request_target&) = default;
};

// The URIs of every Record-Route entry of a message, in message order, or reversed (the UAC
// view, RFC 3261 12.1.2). An entry that does not parse as a name-addr is an error.
result<std::vector<std::string>> route_set_of(const sip::message& msg, bool reverse);

// The URI of the remote target taken from a message's Contact (RFC 3261 12.1.1, 12.1.2):
// absent, "*", more than one entry, unparsable or not a SIP/SIPS URI are errors.
result<std::string> contact_uri_of(const sip::message& msg);

// A URI as allowed in a Request-URI: without a method parameter and without headers
// (RFC 3261 19.1.1 table 1). Input that does not parse is returned unchanged.
std::string request_uri_form(std::string_view uri);

// The Request-URI and Route values of a request within a dialog (RFC 3261 12.2.1.1): loose
// routing when the first route has `lr`, strict routing otherwise. An empty route set sends
// to the remote target. nullopt when the first route does not parse as a URI.
std::optional<request_target> target_for(std::span<const std::string> route_set,
                                         std::string_view remote_target);

} // namespace sipwright::dialog
