// Turning wire forms into text: quoted strings (RFC 3261 25.1) and URI escapes.
#include "sipwright/sip/charclass.hpp"
#include "sipwright/sip/grammar.hpp"

namespace sipwright::sip {

std::string unquote(std::string_view s) {
  if (s.size() < 2 || s.front() != '"' || s.back() != '"') return std::string(s);
  s = s.substr(1, s.size() - 2);
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) ++i; // quoted-pair
    out += s[i];
  }
  return out;
}

std::string unescape(std::string_view s) {
  auto hex = [](char c) { return c <= '9' ? c - '0' : (chars::to_lower(c) - 'a' + 10); };
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && chars::is_hex(s[i + 1]) && chars::is_hex(s[i + 2])) {
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

} // namespace sipwright::sip
