#include "sipwright/sip/message.hpp"

#include "scanner.hpp"

#include <algorithm>
#include <utility>

namespace sipwright::sip {

void message_index::clear() {
  auto f = std::move(fields);
  auto e = std::move(elements);
  *this = {};
  f.clear();
  e.clear();
  fields = std::move(f);
  elements = std::move(e);
}

void message_index::index_first_fields() {
  first_field = all_absent();
  // Past 0xfffe rows (more than any parser limit allows) find() falls back to a linear search.
  const std::size_t n = std::min<std::size_t>(fields.size(), absent);
  for (std::size_t i = n; i-- > 0;)
    first_field[static_cast<std::size_t>(fields[i].id)] = static_cast<std::uint16_t>(i);
}

void message::replace(std::string& bytes, message_index& index) {
  bytes_.swap(bytes);
  std::swap(index_, index);
  index_.index_first_fields();
  bytes.clear();
  index.clear();
  diagnostics_.clear();
}

std::vector<std::string_view> message::elements(const header_field& f) const {
  std::vector<std::string_view> out;
  out.reserve(f.element_count);
  for (std::uint32_t i = 0; i < f.element_count; ++i) out.push_back(element(f, i));
  return out;
}

const header_field* message::find(header_id id) const {
  const std::uint16_t i = index_.first_field[static_cast<std::size_t>(id)];
  if (i != message_index::absent) return &index_.fields[i];
  if (index_.fields.size() < message_index::absent) return nullptr;
  for (const auto& f : index_.fields) // more rows than first_field can point at
    if (f.id == id) return &f;
  return nullptr;
}

const header_field* message::find(std::string_view header_name) const {
  header_id id = lookup_header(header_name);
  if (id != header_id::unknown) return find(id);
  for (const auto& f : index_.fields)
    if (f.id == header_id::unknown && detail::iequals(name(f), header_name)) return &f;
  return nullptr;
}

std::size_t message::count(header_id id) const {
  std::size_t n = 0;
  for (const auto& f : index_.fields) n += f.id == id;
  return n;
}

std::string_view message::value(header_id id) const {
  const auto* f = find(id);
  return f ? value(*f) : std::string_view{};
}

std::vector<std::string_view> message::all_elements(header_id id) const {
  std::vector<std::string_view> out;
  for (const auto& f : index_.fields)
    if (f.id == id)
      for (std::uint32_t i = 0; i < f.element_count; ++i) out.push_back(element(f, i));
  return out;
}

namespace {
template <class T, class Fn>
std::optional<T> parsed(const message& m, const header_field* f, Fn fn) {
  if (!f || f->element_count == 0) return std::nullopt;
  T out{};
  report r(nullptr, false);
  if (!fn(m.element(*f, 0), out, r)) return std::nullopt;
  return out;
}
} // namespace

std::optional<sip::cseq> message::cseq() const {
  return parsed<sip::cseq>(*this, find(header_id::cseq), parse_cseq);
}
std::optional<sip::via> message::top_via() const {
  return parsed<sip::via>(*this, find(header_id::via), parse_via);
}
std::optional<name_addr> message::from() const {
  return parsed<name_addr>(*this, find(header_id::from), parse_name_addr);
}
std::optional<name_addr> message::to() const {
  return parsed<name_addr>(*this, find(header_id::to), parse_name_addr);
}
std::optional<name_addr> message::contact() const {
  return parsed<name_addr>(*this, find(header_id::contact), parse_name_addr);
}
std::optional<media_type> message::content_type() const {
  return parsed<media_type>(*this, find(header_id::content_type), parse_media_type);
}
std::optional<std::string_view> message::call_id() const {
  const auto* f = find(header_id::call_id);
  if (!f) return std::nullopt;
  report r(nullptr, false);
  if (!parse_call_id(value(*f), r)) return std::nullopt;
  return value(*f);
}
namespace {
std::optional<std::uint64_t> number_of(const message& m, header_id id, std::uint64_t max) {
  const auto* f = m.find(id);
  if (!f) return std::nullopt;
  report r(nullptr, false);
  std::uint64_t v = 0;
  if (!parse_number(m.value(*f), max, v, r, "", "", "")) return std::nullopt;
  return v;
}
} // namespace
std::optional<std::uint64_t> message::content_length() const {
  return number_of(*this, header_id::content_length, 0xffffffffu);
}
std::optional<std::uint64_t> message::max_forwards() const {
  return number_of(*this, header_id::max_forwards, 255);
}
std::optional<uri> message::parsed_request_uri() const {
  if (!is_request()) return std::nullopt;
  uri u;
  report r(nullptr, false);
  if (!parse_uri(request_uri(), u, r, uri_context::request_uri)) return std::nullopt;
  return u;
}

bool message::has_errors() const {
  for (const auto& d : diagnostics_)
    if (d.level == severity::error) return true;
  return false;
}

line_col position_of(std::string_view text, std::size_t offset) {
  line_col lc;
  offset = std::min(offset, text.size());
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++lc.line;
      lc.column = 1;
    } else {
      ++lc.column;
    }
  }
  return lc;
}

line_col message::position(std::uint32_t offset) const {
  return position_of(bytes_, offset);
}

} // namespace sipwright::sip
