#pragma once
// Grammar of SIP values (RFC 3261 section 25, RFC 5118 for IPv6). Every function checks its
// input against the ABNF, fills a view-based value (string_views into the input, no copies,
// no allocation on success), and on failure records in the report which rule broke, where,
// and the section that defines it. Values may contain folded lines (CRLF + WSP): they count as LWS.
#include "sipwright/sip/diagnostic.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sipwright::sip {

// The text of a quoted-string without its quotes, quoted-pairs resolved ("\\\"" -> "\"");
// an unquoted value is returned as is.
std::string unquote(std::string_view s);
// Percent-decoding of escaped URI text ("%40" -> "@"); a malformed escape is kept verbatim.
std::string unescape(std::string_view s);

// ";name=value;flag" parameters as seen (starting at the first ';'); looked up on demand.
class param_list {
public:
  param_list() = default;
  explicit param_list(std::string_view raw) : raw_(raw) {}
  std::string_view raw() const { return raw_; }
  bool empty() const { return raw_.empty(); }
  bool has(std::string_view name) const { return find(name).has_value(); }
  // The value of the first parameter named `name` (case-insensitive); "" for a flag.
  std::optional<std::string_view> find(std::string_view name) const;

private:
  std::string_view raw_;
};

enum class host_kind : std::uint8_t { hostname, ipv4, ipv6 };

struct host_port {
  std::string_view host; // as seen; an IPv6 reference keeps its brackets
  host_kind kind = host_kind::hostname;
  std::optional<std::uint16_t> port;
};

struct uri {
  std::string_view text;   // the whole URI
  std::string_view scheme; // as seen ("sip", "SIPS", "tel", ...)
  bool is_sip = false;     // sip: or sips:
  bool is_sips = false;
  bool is_tel = false;
  std::string_view user;     // escaped form; for tel: the telephone-subscriber
  std::string_view password; // escaped form
  host_port host;            // sip/sips only
  param_list params;         // uri-parameters (";..." ) for sip/sips, tel params for tel
  std::string_view headers;  // after '?', without it
};

struct name_addr {
  std::string_view display_name; // as seen: token words or a quoted-string with its quotes
  bool angle_brackets = false;
  uri address;
  param_list params; // header parameters after the address (tag, expires, q ...)
  std::optional<std::string_view> tag() const { return params.find("tag"); }
  // The display name as text: unquoted and unescaped.
  std::string display_text() const { return unquote(display_name); }
};

struct via {
  std::string_view protocol_name; // "SIP"
  std::string_view version;       // "2.0"
  std::string_view transport;     // "UDP", "TCP", "TLS", "SCTP", other tokens
  host_port sent_by;
  param_list params;
  std::optional<std::string_view> branch() const { return params.find("branch"); }
  std::optional<std::string_view> received() const { return params.find("received"); }
  bool has_rport() const { return params.has("rport"); }
};

struct cseq {
  std::uint32_t number = 0;
  std::string_view method;
};

struct media_type {
  std::string_view type, subtype;
  param_list params;
};

struct request_line {
  std::string_view method, uri_text, version;
};

struct status_line {
  std::string_view version;
  int code = 0;
  std::string_view reason;
};

// Where a URI appears changes what is allowed (RFC 3261 19.1.1 table 1, 20.10).
enum class uri_context : std::uint8_t { request_uri, name_addr, addr_spec, header };

bool parse_uri(std::string_view s, uri& out, report& r, uri_context ctx = uri_context::name_addr);
bool parse_host_port(std::string_view s, host_port& out, report& r);
// From, To, Contact, Route, Record-Route ... one element (not a comma list).
bool parse_name_addr(std::string_view s, name_addr& out, report& r);
bool parse_via(std::string_view element, via& out, report& r);
bool parse_cseq(std::string_view s, cseq& out, report& r);
bool parse_call_id(std::string_view s, report& r);
bool parse_media_type(std::string_view s, media_type& out, report& r);
// 1*DIGIT with an upper bound: out is set on success.
bool parse_number(std::string_view s, std::uint64_t max, std::uint64_t& out, report& r,
                  std::string_view code, std::string_view rule, std::string_view section);
bool parse_request_line(std::string_view line, request_line& out, report& r);
bool parse_status_line(std::string_view line, status_line& out, report& r);

// Trim leading and trailing LWS (including folding) from a value.
std::string_view trim_lws(std::string_view s);

} // namespace sipwright::sip
