#pragma once
// The application/3gpp-ims+xml body (3GPP TS 24.229 7.6), checked with libxml2 against the
// schema sipwright ships (schemas/ims-3gpp.xsd, embedded in the library at build time).
// Parsing never expands entities, never loads a DTD or anything over the network, and stops
// at max_ims_body bytes; libxml2's messages are collected, never printed.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sipwright::checks::detail {

inline constexpr std::size_t max_ims_body = 64 * 1024;

struct ims_3gpp_result {
  enum class verdict : std::uint8_t {
    valid,
    malformed,   // not well-formed XML
    invalid,     // well-formed, not valid against the schema
    unchecked,   // too large, or entity references that would need expanding
    schema_error // the embedded schema did not load (a sipwright bug)
  } outcome = verdict::valid;
  std::string error; // the first error, "line N: message"
  // When valid: the text of alternative-service's type and of each action (trimmed of XML
  // whitespace), in document order; has_alternative_service false for a service-info body.
  bool has_alternative_service = false;
  std::string type;
  std::vector<std::string> actions;
};

ims_3gpp_result check_ims_3gpp(std::string_view body);

// The schema text the library carries (the build embeds schemas/ims-3gpp.xsd).
std::string_view ims_3gpp_schema();

} // namespace sipwright::checks::detail
