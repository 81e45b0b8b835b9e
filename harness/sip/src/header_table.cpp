#include "sipwright/sip/header_table.hpp"

#include "sipwright/sip/charclass.hpp"

#include <array>
#include <cstring>

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

// Open-addressed hash of names, built at compile time. The hash reads only the length and the
// first and last characters (lowered), so the parser's name scan does all the per-byte work.
constexpr std::size_t hash_size = 256;
constexpr std::size_t hash_name(std::string_view s) {
  return (s.size() ^ (std::size_t{lower_of(s.front())} << 3) ^
          (std::size_t{lower_of(s.back())} * 5)) %
         hash_size;
}
constexpr std::array<std::uint8_t, hash_size> make_hash() {
  std::array<std::uint8_t, hash_size> t{};
  for (std::size_t i = 1; i < rows.size(); ++i) {
    std::size_t slot = hash_name(rows[i].name);
    while (t[slot] != 0) slot = (slot + 1) % hash_size;
    t[slot] = static_cast<std::uint8_t>(i);
  }
  return t;
}
constexpr auto hash_table = make_hash();
static_assert(rows.size() < hash_size / 2, "header hash table too full");

template <class T>
T load(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// a[0, n) == b[0, n), a few (overlapping) word compares for the short strings header names are.
bool same_bytes(const char* a, const char* b, std::size_t n) {
  if (n >= 8) {
    for (std::size_t i = 0; i + 8 < n; i += 8)
      if (load<std::uint64_t>(a + i) != load<std::uint64_t>(b + i)) return false;
    return load<std::uint64_t>(a + n - 8) == load<std::uint64_t>(b + n - 8);
  }
  if (n >= 4)
    return load<std::uint32_t>(a) == load<std::uint32_t>(b) &&
           load<std::uint32_t>(a + n - 4) == load<std::uint32_t>(b + n - 4);
  for (std::size_t i = 0; i < n; ++i)
    if (a[i] != b[i]) return false;
  return true;
}

// Header names are case-insensitive (RFC 3261 7.3.1); most arrive in the canonical spelling.
bool same_name(std::string_view canonical, std::string_view seen) {
  if (canonical.size() != seen.size()) return false;
  return same_bytes(canonical.data(), seen.data(), seen.size()) || iequals(canonical, seen);
}

} // namespace

static_assert([] {
  for (const auto& r : rows)
    if (kind_of(r.id) != r.kind) return false;
  return true;
}());

const header_info& info(header_id id) {
  return rows[static_cast<std::size_t>(id)];
}

header_id lookup_header(std::string_view name) {
  if (name.size() == 1) {
    char c = chars::to_lower(name[0]);
    if (c >= 'a' && c <= 'z') return compact_ids[static_cast<std::size_t>(c - 'a')];
    return header_id::unknown;
  }
  if (name.empty()) return header_id::unknown;
  for (std::size_t slot = hash_name(name); hash_table[slot] != 0; slot = (slot + 1) % hash_size) {
    const auto& r = rows[hash_table[slot]];
    if (same_name(r.name, name)) return r.id;
  }
  return header_id::unknown;
}

} // namespace sipwright::sip
