#pragma once
// Equivalence of header field values as RFC 3261 defines it, for the rules that judge a copy
// against its original (a response against its request, an ACK against its INVITE). A device may
// re-serialize what it copies (case, whitespace, quoting, the order of parameters), so these
// compare meaning, never bytes.
#include "sipwright/sip/grammar.hpp"

#include <algorithm>

#include <string_view>

namespace sipwright::checks::detail {

// Calls fn(name, value) for each ";name[=value]" of a parameter list, names and values trimmed of
// LWS, a flag's value empty; a ';' inside a quoted value does not split.
template <class Fn>
void for_each_param(std::string_view raw, Fn&& fn);

// RFC 3261 19.1.4 for sip: and sips: URIs (user and password case-sensitive, host and parameters
// case-insensitive; user, ttl, method and maddr must appear in both or neither; other parameters
// count only when in both; headers always count). Other schemes: case-insensitive text.
bool uri_equivalent(const sip::uri& a, const sip::uri& b);

// RFC 3261 20.20 (From), 20.39 (To): the URIs are equivalent and the parameters both carry are
// equal; the tag must be in both or in neither, byte for byte. Display name and angle brackets
// do not count.
bool address_equivalent(const sip::name_addr& a, const sip::name_addr& b);

// RFC 3261 8.2.6.2: a response's Via value equals the request's. On the top one the device's
// server transport may have added received (18.2.1) and filled in rport (RFC 3581 4); anything
// else added, dropped or changed differs. Branch compares byte for byte, the rest
// case-insensitively.
bool via_equivalent(const sip::via& request, const sip::via& response, bool top);

// ---------------------------------------------------------------------------------------------

template <class Fn>
void for_each_param(std::string_view raw, Fn&& fn) {
  std::size_t i = 0;
  while (i < raw.size()) {
    if (raw[i] != ';') {
      ++i;
      continue;
    }
    std::size_t start = ++i;
    bool quoted = false;
    for (; i < raw.size(); ++i) {
      const char c = raw[i];
      if (quoted && c == '\\') {
        ++i;
      } else if (c == '"') {
        quoted = !quoted;
      } else if (c == ';' && !quoted) {
        break;
      }
    }
    const std::string_view p = raw.substr(start, std::min(i, raw.size()) - start);
    const auto eq = p.find('=');
    if (eq == std::string_view::npos)
      fn(sip::trim_lws(p), std::string_view{});
    else
      fn(sip::trim_lws(p.substr(0, eq)), sip::trim_lws(p.substr(eq + 1)));
  }
}

} // namespace sipwright::checks::detail
