#pragma once
// Building blocks of the messages the reference device writes: identifiers, responses that copy
// their request (RFC 3261 8.2.6.2), SDP offers and answers, the 380's 3GPP IMS XML body, and the
// byte edits some fault switches make.
#include "sipwright/sip/builder.hpp"
#include "sipwright/sip/message.hpp"
#include "sipwright/transport/endpoint.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sipwright::refdut::detail {

// Random lowercase alphanumerics (tags, Call-IDs, branches).
std::string random_token(std::size_t n);
// A branch for a new transaction: with the magic cookie (RFC 3261 8.1.1.7) unless `cookie` is
// false (fault no-branch-cookie).
std::string new_branch(bool cookie = true);
std::string new_tag();
std::string new_call_id(std::string_view host);

std::string_view reason_phrase(int status);

// A delta-seconds value (RFC 3261 25.1: 1*DIGIT), e.g. an Expires header or expires parameter;
// nothing when it is not one. A value too large for 32 bits is clamped to 2^32-1 (RFC 3261
// 20.19, 10.2.1.1: a large value is a long time, not an error; the caller's own maximum then
// shortens it).
std::optional<std::uint64_t> delta_seconds(std::string_view text);

// "sip:user@host:port" with the host in URI form (IPv6 in brackets), with ";transport=tcp" over
// TCP.
std::string sip_uri(std::string_view user, const transport::endpoint& at, transport::protocol p);
// "SIP/2.0/UDP host:port;branch=..."
std::string via_value(const transport::endpoint& local, transport::protocol p,
                      std::string_view branch);

// A response to `request` (RFC 3261 8.2.6.2): every Via row, From, To (with `to_tag` added
// when the To has none and the tag is not empty), Call-ID and CSeq copied.
sip::message_builder response_to(const sip::message& request, int status, std::string_view to_tag);
// Every row of a header as seen, in order (Via, Record-Route ...).
std::vector<std::string> rows_of(const sip::message& msg, sip::header_id id);

// SDP (RFC 4566) for one PCMU audio stream at the local address: an offer or an answer.
std::string sdp_body(const transport::endpoint& local, bool answer);

enum class alt_service_body : unsigned char { valid, bad_xml, wrong_root, unknown_type };
// The 380's body (3GPP TS 24.229 7.6): ims-3gpp version 1, alternative-service with type
// emergency, a reason and action emergency-registration; or one of the defects.
std::string ims_3gpp_body(alt_service_body kind);

// Byte edits of a built message: the Content-Length made `delta` off; a header line removed.
void skew_content_length(std::string& bytes, long delta);
void remove_header(std::string& bytes, std::string_view name);

} // namespace sipwright::refdut::detail

namespace sipwright::refdut::detail {
// Parses bytes the device built itself (to feed the dialog layer); never throws.
sip::message parse_own(const std::string& bytes);
} // namespace sipwright::refdut::detail
