#pragma once
// Text helpers the report writers share: UTF-8 validation of bytes from a device, times.
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

namespace sipwright::reports::detail {

inline bool utf8_continuation(unsigned char b) {
  return (b & 0xC0) == 0x80;
}

// The code point of the valid UTF-8 sequence (2..4 bytes) starting at text[i] and its length, or
// length 0 when it is not one (overlong forms, surrogates, beyond U+10FFFF, U+FFFE/U+FFFF).
std::pair<char32_t, std::size_t> utf8_at(std::string_view text, std::size_t i);

// "1.234": seconds with milliseconds (a negative duration is 0).
std::string seconds(std::chrono::nanoseconds d);

// ISO 8601 in UTC, "2026-12-07T03:45:10", with a trailing "Z" when `zone` (Ant's JUnit schema
// wants none).
std::string iso8601(std::chrono::system_clock::time_point t, bool zone);

} // namespace sipwright::reports::detail
