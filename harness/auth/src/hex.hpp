#pragma once
// Internal: lowercase hex as the digest scheme writes it (LHEX, RFC 7616 3.4).
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace sipwright::auth::detail {

inline std::string to_hex(std::span<const unsigned char> bytes) {
  constexpr std::string_view digits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) {
    out += digits[b >> 4];
    out += digits[b & 0x0fU];
  }
  return out;
}

// nc-value = 8LHEX (RFC 7616 3.4)
inline std::string nc_text(std::uint32_t n) {
  std::string out(8, '0');
  for (std::size_t i = 8; i-- > 0; n >>= 4) out[i] = "0123456789abcdef"[n & 0x0fU];
  return out;
}

} // namespace sipwright::auth::detail
