#pragma once
// JSON string literals for the commands that print JSON (list, rules).
#include <fmt/format.h>

#include <string>
#include <string_view>

namespace sipwright::cli {

inline std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\u{:04x}", static_cast<unsigned char>(c));
      continue;
    }
    out += c;
  }
  return out + "\"";
}

} // namespace sipwright::cli
