#include "framing.hpp"

#include <fmt/format.h>

#include <charconv>

namespace sipwright::checks::detail {

const sip::diagnostic* find_diagnostic(const sip::message& m, std::string_view code) {
  for (const auto& d : m.diagnostics())
    if (d.code == code) return &d;
  return nullptr;
}

std::optional<std::string> content_length_mismatch(const sip::message& m) {
  const auto* field = m.find(sip::header_id::content_length);
  if (!field) return std::nullopt;
  const auto length = m.content_length();
  if (!length)
    return fmt::format("Content-Length '{}', not a number", sip::shown(m.value(*field), 30));
  const std::size_t body = m.body().size();
  // RFC 3261 18.3: the parser kept Content-Length bytes of a longer datagram body.
  if (const auto* extra = find_diagnostic(m, "framing.extra-bytes")) {
    std::size_t n = 0; // its text starts with the count of discarded bytes
    const char* first = extra->text.data();
    const auto [end, ec] = std::from_chars(first, first + extra->text.size(), n);
    if (ec == std::errc{} && end != first)
      return fmt::format("Content-Length {}, but {} bytes follow the headers in the datagram "
                         "({} after the declared body are discarded)",
                         *length, body + n, n);
    return fmt::format("Content-Length {}, but more bytes follow the headers in the datagram",
                       *length);
  }
  if (*length != body) return fmt::format("Content-Length {}, body of {} bytes", *length, body);
  return std::nullopt;
}

} // namespace sipwright::checks::detail
