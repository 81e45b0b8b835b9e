// Positions of XML nodes in the scenario file, and attribute value readers.
#include "xml_context.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace sipwright::scenario::detail {

line_map::line_map(std::string_view text) {
  starts_.push_back(0);
  for (std::size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n') starts_.push_back(i + 1);
}

void line_map::locate(std::size_t offset, int& line, int& column) const {
  auto it = std::upper_bound(starts_.begin(), starts_.end(), offset);
  auto index = static_cast<std::size_t>(it - starts_.begin()) - 1;
  line = static_cast<int>(index + 1);
  column = static_cast<int>(offset - starts_[index] + 1);
}

source_pos xml_context::at_offset(std::size_t offset) const {
  source_pos pos{file_, 0, 0};
  lines_.locate(std::min(offset, size_), pos.line, pos.column);
  return pos;
}

source_pos xml_context::at(const char* p) const {
  if (p < base_ || p > base_ + size_) return at_offset(0);
  return at_offset(static_cast<std::size_t>(p - base_));
}

source_pos xml_context::at(const pugi::xml_node& n) const {
  auto offset = n.offset_debug();
  if (offset < 0) return at_offset(0);
  // An element's offset is that of its name: step back to its '<'.
  if (n.type() == pugi::node_element && offset > 0) --offset;
  return at_offset(static_cast<std::size_t>(offset));
}

source_pos xml_context::at_text(const pugi::xml_node& n) const {
  const char* v = n.value();
  const char* p = v;
  while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') ++p;
  return *p ? at(p) : at(n);
}

source_pos xml_context::at(const pugi::xml_attribute& a) const {
  return at(a.name());
}

void xml_context::fail(const source_pos& pos, const std::string& text) const {
  throw load_error(pos, text);
}

void check_attributes(const xml_context& cx, const pugi::xml_node& el, names allowed,
                      names unsupported) {
  const std::string_view element = el.name();
  for (auto a = el.first_attribute(); a; a = a.next_attribute()) {
    const std::string_view name = a.name();
    for (auto b = el.first_attribute(); b != a; b = b.next_attribute())
      if (name == b.name())
        cx.fail(cx.at(a), "duplicate attribute '" + std::string(name) + "' on <" +
                              std::string(element) + ">");
    if (std::find(allowed.begin(), allowed.end(), name) != allowed.end()) continue;
    if (std::find(unsupported.begin(), unsupported.end(), name) != unsupported.end())
      cx.fail(cx.at(a), "attribute '" + std::string(name) + "' on <" + std::string(element) +
                            "> is not supported by sipwright");
    cx.fail(cx.at(a), "unknown attribute '" + std::string(name) + "' on <" + std::string(element) +
                          "> (expected " + join(allowed) + ")");
  }
}

void bad_value(const xml_context& cx, const pugi::xml_attribute& a, std::string_view expected) {
  cx.fail(cx.at(a), "bad value '" + std::string(a.value()) + "' for attribute '" +
                        std::string(a.name()) + "' (expected " + std::string(expected) + ")");
}

namespace {
std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Leading digits of `s` as a number; false when there are none or they overflow.
bool take_digits(std::string_view& s, long long& out) {
  if (s.empty() || s.front() < '0' || s.front() > '9') return false;
  out = 0;
  while (!s.empty() && s.front() >= '0' && s.front() <= '9') {
    if (out > (std::numeric_limits<long long>::max() - 9) / 10) return false;
    out = out * 10 + (s.front() - '0');
    s.remove_prefix(1);
  }
  return true;
}
} // namespace

bool read_bool(const xml_context& cx, const pugi::xml_attribute& a) {
  const std::string_view v = trimmed(a.value());
  if (v == "true") return true;
  if (v == "false") return false;
  bad_value(cx, a, "true or false");
}

long long read_integer(const xml_context& cx, const pugi::xml_attribute& a, long long min,
                       long long max) {
  std::string_view v = trimmed(a.value());
  long long n = 0;
  if (!take_digits(v, n) || !v.empty() || n < min || n > max)
    bad_value(cx, a, "a whole number from " + std::to_string(min) + " to " + std::to_string(max));
  return n;
}

double read_number(const xml_context& cx, const pugi::xml_attribute& a, double min, double max,
                   std::string_view expected) {
  const std::string v(trimmed(a.value()));
  const std::string_view digits = std::string_view(v).substr(!v.empty() && v[0] == '-');
  const bool plain = digits.find_first_not_of("0123456789.") == std::string_view::npos &&
                     digits.find_first_of("0123456789") != std::string_view::npos;
  char* end = nullptr;
  const double d = plain ? std::strtod(v.c_str(), &end) : 0;
  if (!plain || end != v.c_str() + v.size() || !std::isfinite(d) || d < min || d > max)
    bad_value(cx, a, expected);
  return d;
}

std::chrono::milliseconds read_ms(const xml_context& cx, const pugi::xml_attribute& a, bool units) {
  constexpr long long max_ms = 24LL * 3600 * 1000; // a day: longer is a typo, not a test
  std::string_view v = trimmed(a.value());
  long long n = 0;
  const bool digits = take_digits(v, n);
  long long scale = 1;
  if (units && v == "s")
    scale = 1000;
  else if (units && v == "m")
    scale = 60'000;
  else if (units && v == "h")
    scale = 3'600'000;
  else if (units && v == "ms")
    scale = 1;
  else if (!v.empty())
    scale = 0;
  if (!digits || scale == 0 || n > max_ms / scale)
    bad_value(cx, a,
              units ? "milliseconds, up to a day, optionally with a unit ms, s, m or h"
                    : "a whole number of milliseconds, up to a day");
  return std::chrono::milliseconds(n * scale);
}

std::string read_name(const xml_context& cx, const pugi::xml_attribute& a) {
  const std::string_view v = a.value();
  if (v.empty() || v.find_first_of(" \t\r\n,") != std::string_view::npos)
    bad_value(cx, a, "a name without spaces or commas");
  return std::string(v);
}

} // namespace sipwright::scenario::detail
