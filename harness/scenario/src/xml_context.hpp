#pragma once
// Private to the loader: positions (FILE:LINE:COL) of pugixml nodes and attributes, and the
// readers of attribute values that turn a bad value into a load_error at that attribute.
#include "sipwright/scenario/loader.hpp"

#include <pugixml.hpp>

#include <chrono>
#include <cstddef>
#include <initializer_list>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

namespace sipwright::scenario::detail {

// Byte offset -> 1-based line and column (columns count bytes; a tab is one column).
class line_map {
public:
  explicit line_map(std::string_view text);
  void locate(std::size_t offset, int& line, int& column) const;

private:
  std::vector<std::size_t> starts_;
};

// The document being loaded. pugixml parses in place in `buffer`, so every name and value
// pointer it hands out is an offset into the file's bytes.
class xml_context {
public:
  xml_context(std::string file, std::string_view original, const std::string& buffer)
      : file_(std::move(file)), lines_(original), base_(buffer.data()), size_(buffer.size()) {}

  const std::string& file() const { return file_; }
  source_pos at_offset(std::size_t offset) const;
  source_pos at(const char* p) const;                // a pointer into the parsed buffer
  source_pos at(const pugi::xml_node& n) const;      // element: its '<'; text: its first byte
  source_pos at(const pugi::xml_attribute& a) const; // the attribute's name
  source_pos at_text(const pugi::xml_node& n) const; // a text node's first non-blank byte
  [[noreturn]] void fail(const source_pos& pos, const std::string& text) const;

private:
  std::string file_;
  line_map lines_;
  const char* base_;
  std::size_t size_;
};

using names = std::initializer_list<std::string_view>;

// Rejects an attribute of `el` not in `allowed` (SIPp attributes listed in `unsupported` get a
// "not supported by sipwright" message) and a repeated attribute.
void check_attributes(const xml_context& cx, const pugi::xml_node& el, names allowed,
                      names unsupported = {});
// The list written in errors: "a, b or c".
template <class List>
std::string join(const List& list, std::string_view last_sep = " or ") {
  std::string out;
  std::size_t i = 0;
  for (std::string_view name : list) {
    if (i > 0) out += i + 1 == std::size(list) ? last_sep : std::string_view(", ");
    out += name;
    ++i;
  }
  return out;
}

bool read_bool(const xml_context& cx, const pugi::xml_attribute& a);
// A whole number in [min, max].
long long read_integer(const xml_context& cx, const pugi::xml_attribute& a, long long min,
                       long long max);
// A decimal number in [min, max].
double read_number(const xml_context& cx, const pugi::xml_attribute& a, double min, double max,
                   std::string_view expected);
// Milliseconds: digits, optionally with a unit (ms, s, m, h) when `units`.
std::chrono::milliseconds read_ms(const xml_context& cx, const pugi::xml_attribute& a, bool units);
// A non-empty name without spaces (labels, variables, transactions).
std::string read_name(const xml_context& cx, const pugi::xml_attribute& a);
[[noreturn]] void bad_value(const xml_context& cx, const pugi::xml_attribute& a,
                            std::string_view expected);

} // namespace sipwright::scenario::detail
