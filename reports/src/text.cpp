#include "text.hpp"

#include <fmt/format.h>

#include <ctime>

namespace sipwright::reports::detail {

std::pair<char32_t, std::size_t> utf8_at(std::string_view text, std::size_t i) {
  const auto at = [&](std::size_t k) -> unsigned char {
    return i + k < text.size() ? static_cast<unsigned char>(text[i + k]) : 0;
  };
  const unsigned char b = at(0);
  if (b >= 0xC2 && b <= 0xDF) {
    if (!utf8_continuation(at(1))) return {0, 0};
    return {char32_t((b & 0x1F) << 6 | (at(1) & 0x3F)), 2};
  }
  if (b >= 0xE0 && b <= 0xEF) {
    const unsigned char lo = b == 0xE0 ? 0xA0 : 0x80;
    const unsigned char hi = b == 0xED ? 0x9F : 0xBF; // no UTF-16 surrogates
    if (at(1) < lo || at(1) > hi || !utf8_continuation(at(2))) return {0, 0};
    const char32_t c = char32_t((b & 0x0F) << 12 | (at(1) & 0x3F) << 6 | (at(2) & 0x3F));
    if (c == 0xFFFE || c == 0xFFFF) return {0, 0};
    return {c, 3};
  }
  if (b >= 0xF0 && b <= 0xF4) {
    const unsigned char lo = b == 0xF0 ? 0x90 : 0x80;
    const unsigned char hi = b == 0xF4 ? 0x8F : 0xBF;
    if (at(1) < lo || at(1) > hi || !utf8_continuation(at(2)) || !utf8_continuation(at(3)))
      return {0, 0};
    return {
        char32_t((b & 0x07) << 18 | (at(1) & 0x3F) << 12 | (at(2) & 0x3F) << 6 | (at(3) & 0x3F)),
        4};
  }
  return {0, 0};
}

std::string seconds(std::chrono::nanoseconds d) {
  if (d.count() < 0) d = {};
  return fmt::format("{:.3f}", std::chrono::duration<double>(d).count());
}

std::string iso8601(std::chrono::system_clock::time_point t, bool zone) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, zone ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%dT%H:%M:%S", &tm);
  return buf;
}

} // namespace sipwright::reports::detail
