#pragma once
// The header table: one row per known header field.
// X(id, name, compact form or 0, RFC section, kind)
//   kind list:   comma-separated list; rows may repeat (RFC 3261 7.3.1)
//   kind single: exactly one value; a second row is an error (RFC 3261 7.3.1)
//   kind multi:  not a comma list, but rows may repeat (e.g. challenges)
#include <cstddef>
#include <cstdint>
#include <string_view>

#define SIPWRIGHT_HEADERS(X)                                                                       \
  X(accept, "Accept", 0, "RFC 3261 20.1", list)                                                    \
  X(accept_contact, "Accept-Contact", 'a', "RFC 3841 9.2", list)                                   \
  X(accept_encoding, "Accept-Encoding", 0, "RFC 3261 20.2", list)                                  \
  X(accept_language, "Accept-Language", 0, "RFC 3261 20.3", list)                                  \
  X(alert_info, "Alert-Info", 0, "RFC 3261 20.4", list)                                            \
  X(allow, "Allow", 0, "RFC 3261 20.5", list)                                                      \
  X(allow_events, "Allow-Events", 'u', "RFC 6665 8.2.2", list)                                     \
  X(authentication_info, "Authentication-Info", 0, "RFC 3261 20.6", single)                        \
  X(authorization, "Authorization", 0, "RFC 3261 20.7", multi)                                     \
  X(call_id, "Call-ID", 'i', "RFC 3261 20.8", single)                                              \
  X(call_info, "Call-Info", 0, "RFC 3261 20.9", list)                                              \
  X(contact, "Contact", 'm', "RFC 3261 20.10", list)                                               \
  X(content_disposition, "Content-Disposition", 0, "RFC 3261 20.11", single)                       \
  X(content_encoding, "Content-Encoding", 'e', "RFC 3261 20.12", list)                             \
  X(content_language, "Content-Language", 0, "RFC 3261 20.13", list)                               \
  X(content_length, "Content-Length", 'l', "RFC 3261 20.14", single)                               \
  X(content_type, "Content-Type", 'c', "RFC 3261 20.15", single)                                   \
  X(cseq, "CSeq", 0, "RFC 3261 20.16", single)                                                     \
  X(date, "Date", 0, "RFC 3261 20.17", single)                                                     \
  X(error_info, "Error-Info", 0, "RFC 3261 20.18", list)                                           \
  X(event, "Event", 'o', "RFC 6665 8.2.1", single)                                                 \
  X(expires, "Expires", 0, "RFC 3261 20.19", single)                                               \
  X(from, "From", 'f', "RFC 3261 20.20", single)                                                   \
  X(identity, "Identity", 'y', "RFC 8224 4", multi)                                                \
  X(in_reply_to, "In-Reply-To", 0, "RFC 3261 20.21", list)                                         \
  X(max_forwards, "Max-Forwards", 0, "RFC 3261 20.22", single)                                     \
  X(mime_version, "MIME-Version", 0, "RFC 3261 20.24", single)                                     \
  X(min_expires, "Min-Expires", 0, "RFC 3261 20.23", single)                                       \
  X(min_se, "Min-SE", 0, "RFC 4028 5", single)                                                     \
  X(organization, "Organization", 0, "RFC 3261 20.25", single)                                     \
  X(p_asserted_identity, "P-Asserted-Identity", 0, "RFC 3325 9.1", list)                           \
  X(path, "Path", 0, "RFC 3327 4", list)                                                           \
  X(priority, "Priority", 0, "RFC 3261 20.26", single)                                             \
  X(privacy, "Privacy", 0, "RFC 3323 4.2", list)                                                   \
  X(proxy_authenticate, "Proxy-Authenticate", 0, "RFC 3261 20.27", multi)                          \
  X(proxy_authorization, "Proxy-Authorization", 0, "RFC 3261 20.28", multi)                        \
  X(proxy_require, "Proxy-Require", 0, "RFC 3261 20.29", list)                                     \
  X(rack, "RAck", 0, "RFC 3262 7.2", single)                                                       \
  X(reason, "Reason", 0, "RFC 3326 2", list)                                                       \
  X(record_route, "Record-Route", 0, "RFC 3261 20.30", list)                                       \
  X(refer_to, "Refer-To", 'r', "RFC 3515 2.1", single)                                             \
  X(referred_by, "Referred-By", 'b', "RFC 3892 3", single)                                         \
  X(reject_contact, "Reject-Contact", 'j', "RFC 3841 9.2", list)                                   \
  X(replaces, "Replaces", 0, "RFC 3891 6.1", single)                                               \
  X(reply_to, "Reply-To", 0, "RFC 3261 20.31", single)                                             \
  X(request_disposition, "Request-Disposition", 'd', "RFC 3841 9.1", list)                         \
  X(require, "Require", 0, "RFC 3261 20.32", list)                                                 \
  X(retry_after, "Retry-After", 0, "RFC 3261 20.33", single)                                       \
  X(route, "Route", 0, "RFC 3261 20.34", list)                                                     \
  X(rseq, "RSeq", 0, "RFC 3262 7.1", single)                                                       \
  X(security_client, "Security-Client", 0, "RFC 3329 2.2", list)                                   \
  X(security_server, "Security-Server", 0, "RFC 3329 2.2", list)                                   \
  X(security_verify, "Security-Verify", 0, "RFC 3329 2.2", list)                                   \
  X(server, "Server", 0, "RFC 3261 20.35", single)                                                 \
  X(service_route, "Service-Route", 0, "RFC 3608 5", list)                                         \
  X(session_expires, "Session-Expires", 'x', "RFC 4028 4", single)                                 \
  X(sip_etag, "SIP-ETag", 0, "RFC 3903 11.3.1", single)                                            \
  X(sip_if_match, "SIP-If-Match", 0, "RFC 3903 11.3.2", single)                                    \
  X(subject, "Subject", 's', "RFC 3261 20.36", single)                                             \
  X(subscription_state, "Subscription-State", 0, "RFC 6665 8.2.3", single)                         \
  X(supported, "Supported", 'k', "RFC 3261 20.37", list)                                           \
  X(timestamp, "Timestamp", 0, "RFC 3261 20.38", single)                                           \
  X(to, "To", 't', "RFC 3261 20.39", single)                                                       \
  X(unsupported, "Unsupported", 0, "RFC 3261 20.40", list)                                         \
  X(user_agent, "User-Agent", 0, "RFC 3261 20.41", single)                                         \
  X(via, "Via", 'v', "RFC 3261 20.42", list)                                                       \
  X(warning, "Warning", 0, "RFC 3261 20.43", list)                                                 \
  X(www_authenticate, "WWW-Authenticate", 0, "RFC 3261 20.44", multi)

namespace sipwright::sip {

enum class header_kind : std::uint8_t { single, list, multi };

enum class header_id : std::uint8_t {
  unknown,
#define SIPWRIGHT_HEADER_ENUM(id, name, compact, section, kind) id,
  SIPWRIGHT_HEADERS(SIPWRIGHT_HEADER_ENUM)
#undef SIPWRIGHT_HEADER_ENUM
};

// Number of header ids, header_id::unknown included.
inline constexpr std::size_t header_count = 1
#define SIPWRIGHT_HEADER_COUNT(id, name, compact, section, kind) +1
    SIPWRIGHT_HEADERS(SIPWRIGHT_HEADER_COUNT)
#undef SIPWRIGHT_HEADER_COUNT
    ;

struct header_info {
  header_id id;
  std::string_view name;    // canonical spelling
  char compact;             // compact form (RFC 3261 7.3.3), 0 if none
  std::string_view section; // where the header is defined
  header_kind kind;
};

// The row for a known header; for header_id::unknown a row named "(extension)".
const header_info& info(header_id id);

namespace detail {
inline constexpr header_kind header_kinds[header_count] = {
    header_kind::multi, // unknown: like info(header_id::unknown).kind
#define SIPWRIGHT_HEADER_KIND(id, name, compact, section, kind) header_kind::kind,
    SIPWRIGHT_HEADERS(SIPWRIGHT_HEADER_KIND)
#undef SIPWRIGHT_HEADER_KIND
};
} // namespace detail

// info(id).kind without the call: the parser and the validator ask it for every field.
constexpr header_kind kind_of(header_id id) {
  return detail::header_kinds[static_cast<std::size_t>(id)];
}

// The id of a header name as seen on the wire (case-insensitive, compact forms included).
header_id lookup_header(std::string_view name);

} // namespace sipwright::sip
