#include "fault_set.hpp"

#include <array>

namespace sipwright::refdut {
namespace {

constexpr std::array<fault_info, static_cast<std::size_t>(detail::fault::count_)> table{{
#define SIPWRIGHT_REFDUT_FAULT_ROW(name, sw, role, rule, description)                              \
  {sw, description, rule, fault_role::role},
    SIPWRIGHT_REFDUT_FAULTS(SIPWRIGHT_REFDUT_FAULT_ROW)
#undef SIPWRIGHT_REFDUT_FAULT_ROW
}};

} // namespace

std::span<const fault_info> faults() {
  return table;
}

namespace detail {

std::optional<fault> fault_from(std::string_view name) {
  for (std::size_t i = 0; i < table.size(); ++i)
    if (table[i].name == name) return static_cast<fault>(i);
  return std::nullopt;
}

} // namespace detail
} // namespace sipwright::refdut
