#include "sipwright/sip/header_table.hpp"

#include "sipwright/sip/charclass.hpp"

#include <array>

namespace sipwright::sip {
namespace {

constexpr std::array rows{
    header_info{header_id::unknown, "(extension)", 0, "RFC 3261 7.3", header_kind::multi},
#define SIPWRIGHT_HEADER_ROW(id, name, compact, section, kind)                                     \
  header_info{header_id::id, name, compact, section, header_kind::kind},
    SIPWRIGHT_HEADERS(SIPWRIGHT_HEADER_ROW)
#undef SIPWRIGHT_HEADER_ROW
};

// chars::to_lower as a table: one load instead of a compare and a branch per character.
constexpr std::array<unsigned char, 256> make_lower() {
  std::array<unsigned char, 256> t{};
  for (std::size_t c = 0; c < t.size(); ++c)
    t[c] = static_cast<unsigned char>(chars::to_lower(static_cast<char>(c)));
  return t;
}
constexpr auto lower = make_lower();
constexpr unsigned char lower_of(char c) {
  return lower[static_cast<unsigned char>(c)];
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower_of(a[i]) != lower_of(b[i])) return false;
  return true;
}

// Compact forms by letter (RFC 3261 7.3.3 and the extensions in the table).
constexpr std::array<header_id, 26> make_compact() {
  std::array<header_id, 26> t{};
  for (const auto& r : rows)
    if (r.compact) t[static_cast<std::size_t>(r.compact - 'a')] = r.id;
  return t;
}
constexpr auto compact_ids = make_compact();

// Open-addressed hash of lower-cased names, built at compile time.
constexpr std::size_t hash_size = 256;
constexpr std::uint32_t hash_name(std::string_view s) {
  std::uint32_t h = 2166136261u;
  for (char c : s) h = (h ^ lower_of(c)) * 16777619u;
  return h;
}
constexpr std::array<std::uint8_t, hash_size> make_hash() {
  std::array<std::uint8_t, hash_size> t{};
  for (std::size_t i = 1; i < rows.size(); ++i) {
    std::size_t slot = hash_name(rows[i].name) % hash_size;
    while (t[slot] != 0) slot = (slot + 1) % hash_size;
    t[slot] = static_cast<std::uint8_t>(i);
  }
  return t;
}
constexpr auto hash_table = make_hash();
static_assert(rows.size() < hash_size / 2, "header hash table too full");

} // namespace

const header_info& info(header_id id) { return rows[static_cast<std::size_t>(id)]; }

header_id lookup_header(std::string_view name) {
  if (name.size() == 1) {
    char c = chars::to_lower(name[0]);
    if (c >= 'a' && c <= 'z') return compact_ids[static_cast<std::size_t>(c - 'a')];
    return header_id::unknown;
  }
  std::size_t slot = hash_name(name) % hash_size;
  while (hash_table[slot] != 0) {
    const auto& r = rows[hash_table[slot]];
    if (iequals(r.name, name)) return r.id;
    slot = (slot + 1) % hash_size;
  }
  return header_id::unknown;
}

} // namespace sipwright::sip
