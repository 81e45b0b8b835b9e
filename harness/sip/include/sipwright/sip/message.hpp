#pragma once
// The message model: the exact bytes of one SIP message plus an index of its parts as offsets
// into them (copying or moving a message keeps the index valid). Accessors parse on demand.
#include "sipwright/sip/diagnostic.hpp"
#include "sipwright/sip/grammar.hpp"
#include "sipwright/sip/header_table.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sipwright::sip {

struct text_span {
  std::uint32_t pos = 0;
  std::uint32_t len = 0;
};

struct header_field {
  header_id id = header_id::unknown;
  text_span name;  // as seen: case and compact form kept
  text_span value; // without the leading and trailing LWS; folding kept inside
  text_span line;  // the whole field, name to the end of its last folded line (no final CRLF)
  std::uint32_t line_no = 0; // 1-based line of the field's first line
  std::uint32_t first_element = 0;
  std::uint32_t element_count = 0; // list headers: the comma-separated elements; others: 1
};

// What the parser found; the message is built from it.
struct message_index {
  static constexpr std::uint16_t absent = 0xffff;
  // Back to the default state, keeping the vectors' capacity.
  void clear();
  // Fills first_field from fields (the message does it when it takes an index).
  void index_first_fields();

  bool request = false;
  text_span start_line;             // without CRLF
  text_span method, request_uri;    // requests
  text_span version;                // both
  int status = 0;                   // responses
  text_span reason;                 // responses
  std::vector<header_field> fields; // in order of appearance
  std::vector<text_span> elements;  // flattened elements of all fields
  text_span headers_end;            // the empty line
  text_span body;
  // Per header_id, the position in fields of its first row, or absent: find(id) in O(1).
  std::array<std::uint16_t, header_count> first_field = all_absent();

private:
  static constexpr std::array<std::uint16_t, header_count> all_absent() {
    std::array<std::uint16_t, header_count> a{};
    a.fill(absent);
    return a;
  }
};

struct line_col {
  std::uint32_t line = 1;
  std::uint32_t column = 1;
};

// Line and column (1-based) of a byte offset in text; an offset past the end counts as the end.
line_col position_of(std::string_view text, std::size_t offset);

class message {
public:
  message() = default;
  message(std::string bytes, message_index index)
      : bytes_(std::move(bytes)), index_(std::move(index)) {
    index_.index_first_fields();
  }

  // The exact bytes received, start line to the end of the body (serializes byte-exact).
  std::string_view bytes() const { return bytes_; }
  const std::string& serialize() const { return bytes_; }

  bool is_request() const { return index_.request; }
  bool is_response() const { return !index_.request; }
  std::string_view start_line() const { return text(index_.start_line); }
  std::string_view method() const { return text(index_.method); }
  std::string_view request_uri() const { return text(index_.request_uri); }
  std::string_view version() const { return text(index_.version); }
  int status_code() const { return index_.status; }
  std::string_view reason() const { return text(index_.reason); }
  std::string_view body() const { return text(index_.body); }

  std::span<const header_field> fields() const { return index_.fields; }
  std::string_view name(const header_field& f) const { return text(f.name); }
  std::string_view value(const header_field& f) const { return text(f.value); }
  std::string_view element(const header_field& f, std::uint32_t i) const {
    return text(index_.elements[f.first_element + i]);
  }
  std::vector<std::string_view> elements(const header_field& f) const;

  const header_field* find(header_id id) const;
  // Unknown headers by name (case-insensitive).
  const header_field* find(std::string_view name) const;
  std::size_t count(header_id id) const;
  // The first value of a header, "" when absent.
  std::string_view value(header_id id) const;
  // All elements of every row of a header, in order (e.g. all Via entries).
  std::vector<std::string_view> all_elements(header_id id) const;

  // Typed accessors: std::nullopt when the header is absent or does not parse.
  std::optional<sip::cseq> cseq() const;
  std::optional<sip::via> top_via() const;
  std::optional<name_addr> from() const;
  std::optional<name_addr> to() const;
  std::optional<name_addr> contact() const; // the first Contact entry
  std::optional<std::string_view> call_id() const;
  std::optional<std::uint64_t> content_length() const;
  std::optional<std::uint64_t> max_forwards() const;
  std::optional<uri> parsed_request_uri() const;
  std::optional<media_type> content_type() const;

  // Findings recorded while parsing and checking (errors and warnings), in message order.
  const std::vector<diagnostic>& diagnostics() const { return diagnostics_; }
  std::vector<diagnostic>& diagnostics() { return diagnostics_; }
  bool has_errors() const;

  line_col position(std::uint32_t offset) const;
  std::string_view text(text_span s) const { return std::string_view(bytes_).substr(s.pos, s.len); }
  const message_index& index() const { return index_; }

  // Takes bytes and index as the new content, handing back the previous storage in their
  // place (cleared, capacity kept) and clearing the diagnostics: lets a parser reuse buffers.
  void replace(std::string& bytes, message_index& index);

private:
  std::string bytes_;
  message_index index_;
  std::vector<diagnostic> diagnostics_;
};

namespace detail {
// The bytes for_each_element acts on: quotes, angle brackets, the comma and (inside quotes) the
// backslash of a quoted-pair (RFC 3261 7.3.1, 25.1).
inline constexpr auto list_specials = [] {
  std::array<bool, 256> t{};
  for (unsigned char c : {'"', '<', '>', ',', '\\'}) t[c] = true;
  return t;
}();
constexpr bool splits_lists(char c) {
  return list_specials[static_cast<unsigned char>(c)];
}
} // namespace detail

// Calls fn(element) for each comma-separated element of a list value; commas inside quoted
// strings and '<' '>' do not split (RFC 3261 7.3.1). Elements are trimmed of LWS.
template <class Fn>
void for_each_element(std::string_view value, Fn&& fn) {
  bool quoted = false, angle = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if (!detail::splits_lists(c)) continue; // nothing below applies to other bytes
    if (quoted) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        quoted = false;
    } else if (c == '"') {
      quoted = true;
    } else if (c == '<') {
      angle = true;
    } else if (c == '>') {
      angle = false;
    } else if (c == ',' && !angle) {
      fn(trim_lws(value.substr(start, i - start)));
      start = i + 1;
    }
  }
  fn(trim_lws(value.substr(start)));
}

// Checks the start line and every header value against the grammar, and the message as a
// whole against RFC 3261's rules for well-formed messages (mandatory headers, single-value
// headers, CSeq method, body framing). Appends findings to msg.diagnostics().
void validate(message& msg);

// The grammar of one header value (or one element of a list header).
bool check_header_value(header_id id, std::string_view value, report& r);

} // namespace sipwright::sip
