#pragma once
// Internal: a cursor over a header value that treats folding (CRLF + WSP) as whitespace.
#include "sipwright/sip/charclass.hpp"
#include "sipwright/sip/diagnostic.hpp"

#include <cstdint>
#include <string_view>

namespace sipwright::sip::detail {

class scanner {
public:
  explicit scanner(std::string_view s) : p_(s.data()), end_(s.data() + s.size()) {}
  scanner(const char* p, const char* end) : p_(p), end_(end) {}

  bool done() const { return p_ == end_; }
  const char* pos() const { return p_; }
  const char* end() const { return end_; }
  void seek(const char* p) { p_ = p; }
  char peek() const { return p_ == end_ ? '\0' : *p_; }
  char peek_at(std::size_t n) const {
    return (end_ - p_) > static_cast<std::ptrdiff_t>(n) ? p_[n] : '\0';
  }
  std::string_view rest() const { return {p_, static_cast<std::size_t>(end_ - p_)}; }

  // LWS = [*WSP CRLF] 1*WSP; returns true when anything was skipped (SWS = [LWS]).
  bool skip_lws() {
    if (p_ == end_ || (*p_ != ' ' && *p_ != '\t' && *p_ != '\r')) return false; // the usual case
    const char* start = p_;
    for (;;) {
      while (p_ != end_ && chars::is_wsp(*p_)) ++p_;
      if (end_ - p_ >= 3 && p_[0] == '\r' && p_[1] == '\n' && chars::is_wsp(p_[2])) {
        p_ += 2;
        continue;
      }
      break;
    }
    return p_ != start;
  }
  bool eat(char c) {
    if (p_ != end_ && *p_ == c) {
      ++p_;
      return true;
    }
    return false;
  }
  // SWS c SWS (e.g. SEMI, EQUAL, COLON, SLASH, COMMA of RFC 3261 25.1)
  bool eat_sep(char c) {
    if (p_ == end_) return false;
    if (*p_ == c) { // the usual case: no LWS before the separator (c is never whitespace)
      ++p_;
      skip_lws();
      return true;
    }
    if (*p_ != ' ' && *p_ != '\t' && *p_ != '\r') return false; // skip_lws would not move
    const char* save = p_;
    skip_lws();
    if (eat(c)) {
      skip_lws();
      return true;
    }
    p_ = save;
    return false;
  }
  template <class Pred>
  std::string_view take_while(Pred pred) {
    const char* start = p_;
    while (p_ != end_ && pred(*p_)) ++p_;
    return {start, static_cast<std::size_t>(p_ - start)};
  }
  std::string_view token() { return take_while(chars::is_token); }

private:
  const char* p_;
  const char* end_;
};

// The first position whose character satisfies pred, or npos. Cheaper than find_first_of with a
// set of characters, which calls memchr on the set once per character of s.
template <class Pred>
std::size_t find_if(std::string_view s, Pred pred) {
  for (std::size_t i = 0; i < s.size(); ++i)
    if (pred(s[i])) return i;
  return std::string_view::npos;
}

// The value of a run of at most 9 decimal digits (the caller has checked them).
inline std::uint32_t digits_value(std::string_view digits) {
  std::uint32_t v = 0;
  for (char c : digits) v = v * 10 + static_cast<std::uint32_t>(c - '0');
  return v;
}

using chars::iequals;

using sip::shown; // declared in diagnostic.hpp
std::string shown_char(char c);

} // namespace sipwright::sip::detail
