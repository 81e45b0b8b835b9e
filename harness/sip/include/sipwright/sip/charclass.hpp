#pragma once
// Character classes of the SIP grammar (RFC 3261 section 25.1), as constexpr lookup tables.
#include <array>
#include <cstdint>
#include <string_view>

namespace sipwright::sip::chars {

enum : std::uint16_t {
  alpha = 1 << 0,
  digit = 1 << 1,
  token = 1 << 2,            // alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~"
  unreserved = 1 << 3,       // alphanum / mark
  user_unreserved = 1 << 4,  // "&" / "=" / "+" / "$" / "," / ";" / "?" / "/"
  param_unreserved = 1 << 5, // "[" / "]" / "/" / ":" / "&" / "+" / "$"
  hnv_unreserved = 1 << 6,   // "[" / "]" / "/" / "?" / ":" / "+" / "$"
  word = 1 << 7,             // token chars plus ( ) < > : \ " / [ ] ? { }
  reserved = 1 << 8,         // ";" / "/" / "?" / ":" / "@" / "&" / "=" / "+" / "$" / ","
  password = 1 << 9,         // "&" / "=" / "+" / "$" / ","
  hex = 1 << 10,
  wsp = 1 << 11,    // SP / HTAB
  scheme = 1 << 12, // ALPHA / DIGIT / "+" / "-" / "."
  host = 1 << 13,   // alphanum / "-" / "." (hostname, IPv4address)
  ipv4 = 1 << 14,   // DIGIT / "."
};

namespace detail {
constexpr std::array<std::uint16_t, 256> make_table() {
  std::array<std::uint16_t, 256> t{};
  auto add = [&t](const char* s, std::uint16_t f) {
    for (; *s; ++s) t[static_cast<unsigned char>(*s)] |= f;
  };
  for (int c = 'a'; c <= 'z'; ++c) t[c] |= alpha | token | unreserved | word | scheme;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] |= alpha | token | unreserved | word | scheme;
  for (int c = '0'; c <= '9'; ++c) t[c] |= digit | token | unreserved | word | hex | scheme;
  for (int c = 'a'; c <= 'f'; ++c) t[c] |= hex;
  for (int c = 'A'; c <= 'F'; ++c) t[c] |= hex;
  add("-.!%*_+`'~", token | word);
  add("-_.!~*'()", unreserved);
  add("()<>:\\\"/[]?{}", word);
  add("&=+$,;?/", user_unreserved);
  add("[]/:&+$", param_unreserved);
  add("[]/?:+$", hnv_unreserved);
  add(";/?:@&=+$,", reserved);
  add("&=+$,", password);
  add(" \t", wsp);
  add("+-.", scheme);
  for (int c = 0; c < 256; ++c)
    if (t[c] & (alpha | digit)) t[c] |= host;
  for (int c = '0'; c <= '9'; ++c) t[c] |= ipv4;
  add("-.", host);
  add(".", ipv4);
  return t;
}
inline constexpr std::array<std::uint16_t, 256> table = make_table();
} // namespace detail

constexpr bool is(char c, std::uint16_t cls) {
  return (detail::table[static_cast<unsigned char>(c)] & cls) != 0;
}
constexpr bool is_alpha(char c) {
  return is(c, alpha);
}
constexpr bool is_digit(char c) {
  return is(c, digit);
}
constexpr bool is_alnum(char c) {
  return is(c, alpha | digit);
}
constexpr bool is_token(char c) {
  return is(c, token);
}
constexpr bool is_hex(char c) {
  return is(c, hex);
}
constexpr bool is_wsp(char c) {
  return c == ' ' || c == '\t';
}
// UTF8-NONASCII lead or continuation byte (RFC 3261 25.1); validated loosely byte-wise.
constexpr bool is_utf8(char c) {
  return static_cast<unsigned char>(c) >= 0x80;
}
// TEXT-UTF8char = %x21-7E / UTF8-NONASCII
constexpr bool is_text_utf8(char c) {
  auto u = static_cast<unsigned char>(c);
  return (u >= 0x21 && u <= 0x7e) || u >= 0x80;
}

constexpr char to_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

// ASCII case-insensitive equality, as header names, methods' tokens and parameter names compare
// (RFC 3261 7.3.1, 19.1.4). Two bytes match when equal, or when they differ only in bit 0x20 and
// are both letters.
constexpr bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto x = static_cast<unsigned char>(a[i]);
    const auto y = static_cast<unsigned char>(b[i]);
    if (x == y) continue;
    const auto lower = static_cast<unsigned char>(x | 0x20);
    if ((x ^ y) != 0x20 || lower < 'a' || lower > 'z') return false;
  }
  return true;
}

} // namespace sipwright::sip::chars
